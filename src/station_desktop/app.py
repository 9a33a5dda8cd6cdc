"""Start-up of the GUI: data dir, demo station, migrations, then the Qt window.

Qt is imported only inside :func:`run_gui`, from ``station_desktop.ui``.
"""

from __future__ import annotations

from pathlib import Path


def run_gui(data_dir: Path, *, demo: bool = False) -> int:
    from station_desktop.store.migrate import open_store

    if demo:
        from station_desktop.cli import init_demo

        init_demo(data_dir)
    store = open_store(data_dir)
    from station_desktop.ui.main_window import run

    return run(store)
