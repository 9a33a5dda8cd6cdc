"""The program's entry: ``station-desktop`` and ``python -m station_desktop``.

With no command (or ``--demo``) it starts the GUI, with ``--self-test`` it
runs the self-test, and any command goes to the command line
(:mod:`station_desktop.cli`), which knows nothing of the GUI. Qt is
imported only inside :func:`run_gui`, from ``station_desktop.ui``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from station_desktop.cli import build_parser, run
from station_desktop.cli.common import default_data_dir, guarded


def run_gui(data_dir: Path, *, demo: bool = False, quit_when_ready: bool = False) -> int:
    from station_desktop.ui.main_window import start

    return start(Path(data_dir), demo=demo, quit_when_ready=quit_when_ready)


def _parser() -> argparse.ArgumentParser:
    """The command line's parser, plus the options of the GUI and the self-test."""
    p = build_parser()
    p.add_argument("--demo", action="store_true", help="打开演示服务站")
    # For start-up benchmarks and smoke tests: exit once the home page has loaded.
    p.add_argument("--quit-when-ready", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--self-test", action="store_true",
                   help="自检：在临时目录中建站、打印、备份、打开主窗口，不动现有数据")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.self_test:
        from station_desktop.selftest import run_self_test

        return run_self_test(as_json=getattr(args, "json", False))
    if args.command:
        return run(args)
    data_dir = getattr(args, "data_dir", None) or default_data_dir(demo=args.demo)
    return guarded(lambda: run_gui(data_dir, demo=args.demo,
                                   quit_when_ready=args.quit_when_ready))
