"""PySide6 GUI. The only package that imports Qt."""

from __future__ import annotations

import ctypes
import sys

import PySide6


def _guard_singleton_refcounts() -> None:
    """Work around PySide6 6.12.0 losing references to None, True and False.

    Every method that returns nothing (``setText``, ``clear``,
    ``processEvents`` …) hands back ``None`` without counting the reference,
    and ``Signal.emit()`` does the same with ``True``. Each call lowers the
    count by one until CPython aborts with "none_dealloc" / "bool_dealloc" —
    minutes into a working day. Python 3.12+ makes these objects immortal; on
    3.11 we give them a reference count no program can spend. Reproduced by
    tests/ui/test_qt_workarounds.py; remove when a fixed PySide6 is required.
    """
    if sys.version_info >= (3, 12) or not PySide6.__version__.startswith("6.12."):
        return
    for value in (None, True, False):
        ctypes.c_ssize_t.from_address(id(value)).value += 1 << 40


_guard_singleton_refcounts()
