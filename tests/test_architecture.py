"""The core stays free of Qt: importing everything outside ui/ must not load PySide6."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import station_desktop


def core_modules() -> list[str]:
    names = []
    for mod in pkgutil.walk_packages(station_desktop.__path__, "station_desktop."):
        if mod.name.startswith("station_desktop.ui") or ".migrations.versions." in mod.name:
            continue
        if mod.name.endswith((".migrations.env", ".__main__")):  # run, not imported
            continue
        names.append(mod.name)
    return names


def test_core_modules_do_not_import_qt():
    modules = core_modules()
    assert "station_desktop.cli" in modules and "station_desktop.store.service" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(leaked)\n"
        "sys.exit(1 if leaked else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ui_does_import_qt():
    """The check above can fail: importing ui/ does load PySide6."""
    code = ("import sys, station_desktop.ui.main_window\n"
            "sys.exit(0 if 'PySide6' in sys.modules else 1)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_start_up_does_not_load_printing_or_spreadsheet_libraries():
    """reportlab and openpyxl (with numpy) cost 0.3 s; they load when a document is made."""
    code = ("import sys, station_desktop.ui.main_window, station_desktop.store.migrate\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
            "{'reportlab', 'openpyxl', 'numpy', 'pypinyin', 'alembic'})\n"
            "print(heavy)\n"
            "sys.exit(1 if heavy else 0)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
