"""The worker thread never frees what the GUI thread owns."""

from __future__ import annotations

import gc
import threading
import time

import pytest

from station_desktop.ui import ops
from station_desktop.ui.ops import Op
from tests.ui.helpers import wait


@pytest.fixture(autouse=True)
def slow_worker(monkeypatch):
    """The worker thread is descheduled right after it hands the result over, as an OS may do:
    whatever it still holds then is freed on it."""
    submit = ops._Executor.submit

    def late(fn):  # noqa: ANN001, ANN202
        def run():  # noqa: ANN202
            fn()
            time.sleep(0.05)

        return submit(run)

    monkeypatch.setattr(ops._Executor, "submit", staticmethod(late))


class Tracked:
    """Records the thread that frees it (a widget freed off the GUI thread crashes PySide)."""

    freed_on: list[str] = []

    def __del__(self) -> None:
        Tracked.freed_on.append(threading.current_thread().name)


def test_work_and_its_result_are_released_on_the_gui_thread(qtbot):
    Tracked.freed_on = []
    main = threading.current_thread().name
    for i in range(6):
        owned = Tracked()

        def work(held=owned, slow=i % 2) -> Tracked:  # the closure holds the only reference
            if slow:
                time.sleep(0.002)
            return Tracked()

        results: list[Tracked] = []
        Op(None, work).success(results.append).run()
        del owned, work
        wait(qtbot)
        results.clear()
        gc.collect()
    assert len(Tracked.freed_on) == 12
    assert set(Tracked.freed_on) == {main}


def test_a_failure_and_its_traceback_are_released_on_the_gui_thread(qtbot):
    Tracked.freed_on = []
    main = threading.current_thread().name
    errors: list[BaseException] = []

    def work() -> None:
        local = Tracked()  # lives in the traceback's frame
        raise ValueError(str(id(local)))

    Op(None, work).failure(errors.append).run()
    wait(qtbot)
    assert isinstance(errors[0], ValueError)
    errors.clear()
    del work
    gc.collect()
    assert Tracked.freed_on == [main]


def test_a_file_error_in_the_gui_is_the_same_sentence_as_on_the_command_line():
    import errno

    from station_desktop.domain.errors import os_error_text
    from station_desktop.ui.errors import user_message

    exc = PermissionError(errno.EACCES, "Permission denied", "E:/备份")
    assert user_message(exc) == os_error_text(exc) and "没有权限" in user_message(exc)
