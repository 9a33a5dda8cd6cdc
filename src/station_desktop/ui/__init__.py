"""PySide6 GUI. The only package that imports Qt."""

from __future__ import annotations

import ctypes
import sys

import PySide6


def _guard_bool_refcount() -> None:
    """Work around PySide6 6.12.0 dropping a reference to True/False on every emit().

    ``Signal.emit()`` returns a bool without counting the reference it hands
    back, so each emit lowers the count of ``True`` by one until CPython
    aborts with "bool_dealloc" — after about a thousand emits, i.e. minutes
    into a working day. Python 3.12+ makes True/False immortal; on 3.11 we
    give them a reference count no program can spend. Reproduced by
    tests/ui/test_qt_workarounds.py; remove when a fixed PySide6 is required.
    """
    if sys.version_info >= (3, 12) or not PySide6.__version__.startswith("6.12."):
        return
    for value in (True, False):
        ctypes.c_ssize_t.from_address(id(value)).value += 1 << 40


_guard_bool_refcount()
