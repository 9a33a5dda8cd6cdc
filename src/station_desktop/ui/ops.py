"""One way to run work off the GUI thread.

    Op(parent, fn).success(cb).failure(cb).with_progress("正在导入…").run()

Every operation runs on a single worker thread, so SQLite never sees two
writers from this process. Results and errors come back to the GUI thread
through a queued signal; the worker never touches a widget. Long work gets
a progress dialog with a cancel button that appears only after half a
second, so quick operations never flash one.

``fn`` receives a :class:`Progress` when it accepts one argument and hands
that one object to the core function (``station_desktop.domain.progress``:
the core calls ``tick(progress, done, total)``, which raises ``Cancelled``
once 取消 is pressed).
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from station_desktop.domain.progress import Counter

log = logging.getLogger(__name__)

PROGRESS_DELAY_MS = 500


#: The core's progress protocol, thread-safe: the worker reports, the dialog reads.
Progress = Counter


class _Executor:
    """The single worker thread shared by every Op."""

    _pool: ThreadPoolExecutor | None = None

    @classmethod
    def submit(cls, fn: Callable[[], Any]) -> Future:
        if cls._pool is None:
            cls._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-worker")
        return cls._pool.submit(fn)

    @classmethod
    def shutdown(cls) -> None:
        if cls._pool is not None:
            cls._pool.shutdown(wait=True)
            cls._pool = None


def shutdown_worker() -> None:
    """Wait for running work before the program exits (never cut a write short)."""
    _Executor.shutdown()


class _Relay(QObject):
    finished = Signal(object, object)  # result, exception


class Op:
    """A unit of work for the worker thread, with callbacks on the GUI thread."""

    #: Operations still running (tests wait on this being empty).
    running: set[Op] = set()

    def __init__(self, parent: QWidget | None, fn: Callable[..., Any]):
        self.parent = parent
        self.fn = fn
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._label: str | None = None
        self.progress = Progress()
        self._dialog: QProgressDialog | None = None
        self._timer: QTimer | None = None
        self._relay = _Relay()
        self._relay.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    def success(self, cb: Callable[[Any], None]) -> Op:
        self._success = cb
        return self

    def failure(self, cb: Callable[[BaseException], None]) -> Op:
        self._failure = cb
        return self

    def with_progress(self, label: str) -> Op:
        self._label = label
        return self

    def run(self) -> Op:
        Op.running.add(self)
        takes_progress = len(inspect.signature(self.fn).parameters) >= 1
        fn: Callable[..., Any] | None = self.fn
        relay: _Relay | None = self._relay
        progress = self.progress
        # The worker must never drop the last reference to anything the GUI
        # owns: a widget (or a closure over one) freed on this thread crashes
        # PySide. So ``work`` captures no Op, lets go of ``fn`` and its result
        # before saying so, and the GUI thread waits for that before it lets go.
        released = self._released = threading.Event()

        def work() -> None:
            nonlocal fn, relay
            try:
                out = (fn(progress) if takes_progress else fn(), None)  # type: ignore[misc]
            except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
                out = (None, exc)
            fn, r, relay = None, relay, None
            r.finished.emit(*out)  # type: ignore[union-attr]
            del r, out
            released.set()

        if self._label:
            self._timer = QTimer()
            self._timer.setInterval(100)
            self._timer.timeout.connect(self._tick)
            self._started = 0
            self._timer.start()
        _Executor.submit(work)
        return self

    def _tick(self) -> None:
        self._started += 100
        if self._dialog is None and self._started >= PROGRESS_DELAY_MS:
            self._dialog = QProgressDialog(self._label or "", "取消", 0, 0, self.parent)
            self._dialog.setWindowTitle("请稍候")
            self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self._dialog.setMinimumDuration(0)
            self._dialog.canceled.connect(self.progress.cancel)
            self._dialog.show()
        if self._dialog is not None:
            done, total = self.progress.snapshot()
            self._dialog.setMaximum(max(total, 0))
            self._dialog.setValue(min(done, total) if total else 0)

    def _on_finished(self, result: Any, exc: BaseException | None) -> None:
        self._released.wait(5.0)  # the worker has let go of everything (microseconds)
        if self._timer is not None:
            self._timer.stop()
        if self._dialog is not None:
            self._dialog.reset()
            self._dialog.hide()
            self._dialog.deleteLater()
        Op.running.discard(self)
        if exc is not None:
            if self._failure is not None:
                self._failure(exc)
            else:
                from station_desktop.ui.errors import show_error

                show_error(self.parent, exc)
            return
        if self._success is not None:
            self._success(result)
