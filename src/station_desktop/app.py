"""Start-up of the GUI: data dir, single instance, demo station, migrations, window.

Qt is imported only inside :func:`run_gui`, from ``station_desktop.ui``.
"""

from __future__ import annotations

from pathlib import Path


def run_gui(data_dir: Path, *, demo: bool = False, quit_when_ready: bool = False) -> int:
    from station_desktop.ui.main_window import start

    return start(Path(data_dir), demo=demo, quit_when_ready=quit_when_ready)
