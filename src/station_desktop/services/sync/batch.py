"""Many files, one unit of work each: progress between them, and a cancel that stops."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from station_desktop.domain.progress import Progress

T = TypeVar("T")


def each(items: Sequence[T], progress: Progress | None) -> Iterator[T]:
    """``items`` one by one, reporting ``(done, total)``; stops once the person asks to.

    Each item is its own transaction, so what was done before the cancel is
    kept and belongs in the report: this stops quietly instead of raising
    :class:`~station_desktop.domain.errors.Cancelled`, and the caller returns
    the results so far.
    """
    for i, item in enumerate(items):
        if progress is not None:
            if progress.cancelled:
                return
            progress(i, len(items))
        yield item
    if progress is not None:
        progress(len(items), len(items))
