"""Entry point of the frozen program: the same as ``station-desktop`` / ``python -m station_desktop``.

The Windows build is a windowed program (no console window flashes when a
cadre double-clicks it), so Python starts with ``sys.stdout`` and
``sys.stderr`` set to None. When the program was started from a command
prompt (the county IT person running ``station-desktop.exe keys show`` or
``--self-test``), we attach to that prompt's console so the Chinese messages
are seen; otherwise the output goes nowhere rather than failing on None.
"""

from __future__ import annotations

import os
import sys


def _streams_for_windowed_program() -> None:
    if sys.stdout is not None and sys.stderr is not None:
        return
    stream = None
    if sys.platform == "win32":
        import ctypes

        attach_parent_process = -1
        if ctypes.windll.kernel32.AttachConsole(attach_parent_process):
            # "CONOUT$" opens the console itself; Python writes it with WriteConsoleW,
            # so Chinese shows correctly whatever the console code page.
            stream = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    if stream is None:
        stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


if __name__ == "__main__":
    _streams_for_windowed_program()
    from station_desktop.app import main

    sys.exit(main())
