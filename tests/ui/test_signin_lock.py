"""Sign-in at start, and the idle lock over a running operation (short timeouts)."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from station_desktop.services import operators
from station_desktop.store import auth
from station_desktop.ui import config as cfg
from station_desktop.ui.lock import IdleLock, LockScreen
from station_desktop.ui.ops import Op
from station_desktop.ui.signin import SignInDialog, sign_in_at_start
from tests.ui.helpers import click, wait


def _with_pins(svc, store):
    admin = svc.operator_id
    clerk = svc.create("operator", {"name": "李文书", "active": True})["id"]
    operators.set_pin(store, admin, admin, "2580")
    operators.set_pin(store, admin, clerk, "4826")
    return admin, clerk


def test_no_pin_yet_opens_with_the_last_operator(qtbot, ctx, svc, monkeypatch):
    shown = []
    monkeypatch.setattr(SignInDialog, "exec", lambda self: shown.append(self) or 0)
    first = svc.operator_id
    svc.operator_id = None
    assert sign_in_at_start(svc, ctx.config)
    assert svc.operator_id == first and ctx.config.get(cfg.LAST_OPERATOR) == first
    assert shown == []  # no dialog


def test_sign_in_dialog_at_start_sets_the_operator(qtbot, ctx, svc, store):
    admin, clerk = _with_pins(svc, store)
    ctx.config.set(cfg.LAST_OPERATOR, clerk)
    svc.operator_id = None
    seen = {}

    def drive():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SignInDialog)
        form = dialog.form
        seen["preselected"] = form.current().id
        form.pin.setText("1111")
        click(qtbot, form.sign_in_button)
        seen["refused"] = form.message.text()
        form.pin.setText("4826")
        click(qtbot, form.sign_in_button)

    QTimer.singleShot(0, drive)
    assert sign_in_at_start(svc, ctx.config)
    assert seen["preselected"] == clerk
    assert "PIN 不对" in seen["refused"] and "还可以试 4 次" in seen["refused"]
    assert svc.operator_id == clerk and ctx.config.get(cfg.LAST_OPERATOR) == clerk


def test_closing_the_sign_in_dialog_quits(qtbot, ctx, svc, store):
    _with_pins(svc, store)
    svc.operator_id = None
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert not sign_in_at_start(svc, ctx.config)
    assert svc.operator_id is None


def test_too_many_wrong_pins_disable_the_button_with_a_countdown(qtbot, ctx, svc, store):
    admin, _clerk = _with_pins(svc, store)
    dialog = SignInDialog(svc, auth.operator_choices(store), admin)
    qtbot.addWidget(dialog)
    dialog.show()
    form = dialog.form
    for _ in range(auth.FREE_TRIES):
        form.pin.setText("9999")
        click(qtbot, form.sign_in_button)
    assert not form.sign_in_button.isEnabled() and form.wait_left == 30
    assert "等 30 秒" in form.message.text()
    form._tick()
    assert "等 29 秒" in form.message.text()


def _window(qtbot) -> QWidget:
    w = QWidget()
    qtbot.addWidget(w)
    w.resize(600, 400)
    w.show()
    return w


def test_idle_lock_covers_a_running_op_and_unlocks_with_the_pin(qtbot, ctx, svc, store):
    admin, _clerk = _with_pins(svc, store)
    window = _window(qtbot)
    lock = IdleLock(ctx, window, timeout_ms=150)
    try:
        release = threading.Event()
        results = []
        Op(window, lambda: release.wait(10) and "done").success(results.append).run()
        qtbot.waitUntil(lambda: lock.is_locked, timeout=3000)
        screen = lock.screen
        assert isinstance(screen, LockScreen) and screen.isVisible()
        assert QApplication.activeModalWidget() is screen
        assert screen.geometry().contains(window.geometry())
        # the work goes on underneath and finishes while locked
        release.set()
        wait(qtbot)
        assert results == ["done"] and lock.is_locked
        # closing does not unlock; a wrong PIN does not either
        screen.close()
        assert screen.isVisible()
        assert screen.form.current().id == admin
        screen.form.pin.setText("1111")
        click(qtbot, screen.form.sign_in_button)
        assert lock.is_locked and "PIN 不对" in screen.form.message.text()
        with qtbot.waitSignal(lock.unlocked, timeout=3000):
            screen.form.pin.setText("2580")
            qtbot.mouseClick(screen.form.sign_in_button, Qt.MouseButton.LeftButton)
        assert not lock.is_locked and not screen.isVisible()
        assert svc.operator_id == admin
    finally:
        lock.stop()


def test_input_postpones_the_lock(qtbot, ctx, svc, store):
    _with_pins(svc, store)
    window = _window(qtbot)
    lock = IdleLock(ctx, window, timeout_ms=400)
    try:
        for _ in range(6):  # 6 x 100 ms of typing: longer than the limit, never idle that long
            qtbot.keyClick(window, "a")
            qtbot.wait(100)
            assert not lock.is_locked
        qtbot.waitUntil(lambda: lock.is_locked, timeout=3000)
        lock.screen._signed_in(svc.operator_id)  # tidy up
    finally:
        lock.stop()


def test_switching_operator_on_the_lock_screen(qtbot, ctx, svc, store):
    admin, clerk = _with_pins(svc, store)
    window = _window(qtbot)
    lock = IdleLock(ctx, window, timeout_ms=0)  # never by itself
    changed = []
    ctx.data_changed.connect(changed.append)
    try:
        qtbot.wait(50)
        assert not lock.is_locked
        lock.lock_action.trigger()  # Ctrl+L
        screen = lock.screen
        assert screen is not None
        screen.form.operator_box.setCurrentIndex(
            [c.id for c in screen.form.choices].index(clerk))
        with qtbot.waitSignal(lock.unlocked, timeout=3000):
            screen.form.pin.setText("4826")
            screen.form.submit()
        assert svc.operator_id == clerk and ctx.config.get(cfg.LAST_OPERATOR) == clerk
        assert "operator" in changed
        # (the clerk is no administrator, so attribution is shown on a record a clerk
        # keeps; adding an operator is refused, tests/store/test_permissions.py)
        row = svc.create("volunteer_team", {"name": "赵六服务队"})
        assert row["updated_by"] == clerk
    finally:
        lock.stop()
