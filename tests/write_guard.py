"""Every write to a station database comes through the services layer: proved at run time.

Installed by tests/conftest.py for the whole test session. Every SQLite
connection the program opens (SQLAlchemy's and the raw ``sqlite3.connect``
ones alike) gets a trace callback. The first statement of a transaction
that changes anything (BEGIN IMMEDIATE, INSERT, UPDATE, DELETE, REPLACE,
DDL) looks at the Python stack: if program code issued it and no frame of
``station_desktop.services`` is on the stack, it is a write that bypassed
the one write path, recorded in :data:`VIOLATIONS` and failed by the
autouse fixture at the end of the test. A statement issued by test code
directly (no program frame but ``store.db``, the transaction primitive) is
the test's own set-up.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import threading
from typing import Any

_WRITE = re.compile(
    r"^\s*(BEGIN\s+IMMEDIATE|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|ANALYZE)\b", re.I)
_TXN_END = re.compile(r"^\s*(COMMIT|ROLLBACK|END|BEGIN)\b", re.I)

#: (first line of the statement, the program frames that issued it)
VIOLATIONS: list[tuple[str, list[str]]] = []
_lock = threading.Lock()
_real_connect = sqlite3.connect


def _origin() -> list[str] | None:
    """The program frames behind a write without a services frame, or None if it is fine."""
    frame: Any = sys._getframe(2)
    program: list[str] = []
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name.startswith("station_desktop.services"):
            return None
        if name.startswith("station_desktop.") and name != "station_desktop.store.db":
            # store.db is the transaction primitive: who called it is what counts.
            program.append(f"{name}:{frame.f_lineno} {frame.f_code.co_name}")
        frame = frame.f_back
    return program or None


def _tracer() -> Any:
    checked = False

    def trace(statement: str) -> None:
        nonlocal checked
        if statement.startswith("--"):  # a trigger's own statements
            return
        if _TXN_END.match(statement):
            checked = False
        if checked or not _WRITE.match(statement):
            return
        checked = True
        where = _origin()
        if where is not None:
            with _lock:
                VIOLATIONS.append((statement.strip().splitlines()[0][:120], where[:6]))

    return trace


def _guarded_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    con = _real_connect(*args, **kwargs)
    con.set_trace_callback(_tracer())
    return con


def install() -> None:
    sqlite3.connect = _guarded_connect  # type: ignore[assignment]
    sqlite3.dbapi2.connect = _guarded_connect  # type: ignore[assignment]


def take() -> list[tuple[str, list[str]]]:
    with _lock:
        found = list(VIOLATIONS)
        VIOLATIONS.clear()
    return found
