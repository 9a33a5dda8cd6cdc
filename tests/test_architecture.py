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
    assert "station_desktop.cli" in modules and "station_desktop.services.station" in modules
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


# --- one write path and layers that hold ---------------------------------------

import re  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

SRC = Path(station_desktop.__file__).parent

#: What opens a write transaction: the store's write primitives, a raw BEGIN,
#: or SQLAlchemy's engine-level begin.
_WRITE_OPENERS = re.compile(r"\bstore\.(write|raw_write)\(|BEGIN IMMEDIATE|\bengine\.begin\(\)")


def _write_openers() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("services/") or rel == "store/db.py":
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if _WRITE_OPENERS.search(code):
                found.setdefault(rel, []).append(no)
    return found


def test_no_module_outside_services_opens_a_write_transaction():
    assert _write_openers() == {}


def test_the_write_opener_check_can_fail():
    """The scan above sees each way of opening a write transaction, and not a file write."""
    assert _WRITE_OPENERS.search("    with svc.store.write(operator_id) as s:")
    assert _WRITE_OPENERS.search("    with self.store.raw_write() as con:")
    assert _WRITE_OPENERS.search('        con.execute("BEGIN IMMEDIATE")')
    assert _WRITE_OPENERS.search("        with store.engine.begin() as conn:")
    assert not _WRITE_OPENERS.search("        fh.write(data)")


def _lint_imports() -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    root = SRC.parent.parent
    return subprocess.run([exe, "--config", str(root / "pyproject.toml")], capture_output=True,
                          text=True, cwd=root)


def test_layers_contract_holds():
    """domain <- store <- sync/reports <- services <- cli/ui, function-level imports included."""
    proc = _lint_imports()
    assert proc.returncode == 0 and "1 kept, 0 broken" in proc.stdout, proc.stdout + proc.stderr


def test_no_import_cycles():
    """No module reaches itself again through imports (the layers contract cannot see
    a circle inside one layer, such as store/backup <-> store/migrate)."""
    import grimp

    graph = grimp.build_graph("station_desktop")
    modules = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            # a package's __init__ re-exporting its own modules is not a circle
            if len(comp) > 1 and not all(c == min(comp, key=len) or c.startswith(min(comp, key=len) + ".") for c in comp):
                cycles.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in modules:
        if v not in index:
            visit(v)
    assert cycles == []
