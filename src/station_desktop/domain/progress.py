"""The one way long work reports progress and honours a cancel.

A long core function takes ``progress: Progress | None`` and calls
``tick(progress, done, total)`` as it goes: that reports the counts and
raises :class:`~station_desktop.domain.errors.Cancelled` once the person has
asked to stop. The GUI hands in ``ui.ops.Progress`` (thread-safe, shown in a
dialog after half a second); the command line and tests hand in
:class:`Counter` or nothing. Work that is cancelled writes nothing: it raises
before its unit of work commits.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from station_desktop.domain.errors import Cancelled


@runtime_checkable
class Progress(Protocol):
    def __call__(self, done: int, total: int) -> None: ...

    @property
    def cancelled(self) -> bool: ...


class Counter:
    """A headless :class:`Progress`: remembers the last counts; ``cancel()`` asks to stop."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self.done = 0
        self.total = 0

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            self.done, self.total = done, total

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            return self.done, self.total


def check(progress: Progress | None, message: str = "已取消，没有写入任何数据。") -> None:
    """Raise :class:`Cancelled` if the person asked to stop."""
    if progress is not None and progress.cancelled:
        raise Cancelled(message)


def tick(progress: Progress | None, done: int, total: int,
         message: str = "已取消，没有写入任何数据。") -> None:
    """Report ``done`` of ``total`` and stop here if the person asked to."""
    check(progress, message)
    if progress is not None:
        progress(done, total)
