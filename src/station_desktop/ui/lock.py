"""Idle lock: after some minutes without input a lock screen covers the program.

An application-wide event filter notes the time of every key, click, wheel
and mouse move; a timer compares it with the idle limit (设置 → 安全, default
10 minutes). The lock screen is an application-modal window over the whole
screen, so open dialogs are covered too and nothing underneath takes input.
Nothing is closed or cancelled: work running on the worker carries on and
its results arrive underneath. Unlocking needs the PIN of the signed-in
operator, or another operator signs in instead (and then owns the changes).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from station_desktop.store import auth
from station_desktop.ui import config as cfg
from station_desktop.ui.context import AppContext
from station_desktop.ui.signin import SignInForm
from station_desktop.ui.widgets import text_label

_INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
          QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress}


class LockScreen(QWidget):
    """What shows while locked: the station, who was working, and the sign-in form."""

    unlocked = Signal(str)

    def __init__(self, ctx: AppContext, minutes: float | None, parent_window: QWidget | None):
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("lock_screen")
        self.setWindowTitle("程序已锁定")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setStyleSheet("#lock_screen { background: #eef2f6; }")
        self.ctx = ctx
        self._may_close = False
        self.form = SignInForm(ctx.service, self)
        self.form.signed_in.connect(self._signed_in)
        title = text_label("程序已锁定", "lock_title", style="font-size: 26px; font-weight: bold;")
        why = (f"{minutes:g} 分钟没有操作，为保护个人信息，程序已自动锁定。" if minutes
               else "程序已锁定。")
        note = QLabel(why + "请输入 PIN 继续；换人使用请选择自己的名字登录。"
                      "正在进行的工作（如备份、导入）会在后台继续完成。")
        note.setObjectName("lock_note")
        note.setWordWrap(True)
        box = QWidget()
        box.setObjectName("lock_box")
        box.setFixedWidth(480)
        box.setStyleSheet("#lock_box { background: white; border: 1px solid #c5cdd6; }")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addWidget(note)
        inner.addWidget(self.form)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        screen = (parent_window.screen() if parent_window is not None else None) \
            or QApplication.primaryScreen()
        if screen is not None:
            self.setGeometry(screen.geometry())
        self.form.set_choices(auth.operator_choices(ctx.store), ctx.service.operator_id)

    def _signed_in(self, operator_id: str) -> None:
        self._may_close = True
        self.unlocked.emit(operator_id)
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._may_close:
            super().closeEvent(event)
        else:  # Alt+F4 must not unlock
            event.ignore()


class IdleLock(QObject):
    """Locks ``window`` after the idle limit; ``timeout_ms`` overrides the setting (tests)."""

    locked = Signal()
    unlocked = Signal(str)

    def __init__(self, ctx: AppContext, window: QWidget, *, timeout_ms: int | None = None):
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.timeout_ms = timeout_ms
        self.screen: LockScreen | None = None
        self._operator_before: str | None = None
        self._last = time.monotonic()
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(min(max(self.limit_ms() // 4, 20), 5000) if timeout_ms else 5000)
        self.timer.timeout.connect(self._check)
        self.timer.start()
        lock_now = QAction("锁定", window)
        lock_now.setShortcut(QKeySequence("Ctrl+L"))
        lock_now.triggered.connect(lambda: self.lock(manual=True))
        window.addAction(lock_now)
        self.lock_action = lock_now

    def limit_ms(self) -> int:
        """0 means never lock."""
        if self.timeout_ms is not None:
            return self.timeout_ms
        return max(0, self.ctx.config.get(cfg.IDLE_LOCK_MINUTES)) * 60_000

    @property
    def is_locked(self) -> bool:
        return self.screen is not None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in _INPUT:
            self._last = time.monotonic()
        return False

    def _check(self) -> None:
        limit = self.limit_ms()
        if self.screen is None and limit and (time.monotonic() - self._last) * 1000 >= limit:
            self.lock()

    def lock(self, *, manual: bool = False) -> LockScreen:
        if self.screen is not None:
            return self.screen
        minutes = None if manual else self.limit_ms() / 60_000
        self._operator_before = self.ctx.service.operator_id
        self.screen = LockScreen(self.ctx, minutes, self.window)
        self.screen.unlocked.connect(self._unlocked)
        self.screen.show()
        self.screen.raise_()
        self.screen.activateWindow()
        self.locked.emit()
        return self.screen

    def _unlocked(self, operator_id: str) -> None:
        self.screen = None
        self._last = time.monotonic()
        self.ctx.config.set(cfg.LAST_OPERATOR, operator_id)
        if operator_id != self._operator_before:
            self.ctx.data_changed.emit("operator")  # the status bar names the new operator
        self.unlocked.emit(operator_id)

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def install_idle_lock(window: QWidget, ctx: AppContext) -> IdleLock:
    """Called once the main window exists (ui/main_window.run)."""
    lock = IdleLock(ctx, window)
    window.idle_lock = lock  # type: ignore[attr-defined]
    return lock
