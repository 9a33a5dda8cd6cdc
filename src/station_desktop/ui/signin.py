"""Sign-in: choose the operator, type the PIN. Used at start-up and by the lock screen.

The PIN is checked on the worker (scrypt takes a moment, and refused tries are
written to the database); the operator who signs in becomes the service's
operator, so every change and audit event names them.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.errors import StationError
from station_desktop.services import Service, operators
from station_desktop.store import auth
from station_desktop.ui import config as cfg
from station_desktop.ui.forms import ERROR_STYLE, SaveDialog
from station_desktop.ui.ops import Op
from station_desktop.ui.widgets import text_label

HINT_STYLE = "color: #555;"


def pin_edit(name: str, placeholder: str = "") -> QLineEdit:
    """A PIN field: digits only, shown as dots."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(auth.PIN_MAX)
    edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d*"), edit))
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(32)
    return edit


class SignInForm(QWidget):
    """Operator list, PIN field, 登录 button; says plainly why a try was refused."""

    signed_in = Signal(str)

    def __init__(self, service: Service, parent: QWidget | None = None):
        super().__init__(parent)
        self.service = service
        self.choices: list[auth.OperatorChoice] = []
        self.operator_box = QComboBox()
        self.operator_box.setObjectName("signin_operator")
        self.operator_box.setMinimumHeight(32)
        self.pin = pin_edit("signin_pin", "输入 PIN（数字）")
        self.sign_in_button = QPushButton("登录")
        self.sign_in_button.setObjectName("signin_button")
        self.sign_in_button.setMinimumHeight(34)
        self.sign_in_button.setDefault(True)
        self.message = text_label("", "signin_message", wrap=True)
        form = QFormLayout()
        form.setVerticalSpacing(10)
        form.addRow("操作员：", self.operator_box)
        form.addRow("PIN：", self.pin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.sign_in_button)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.wait_left = 0
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._busy = False
        self.operator_box.currentIndexChanged.connect(lambda _i: self._operator_changed())
        self.pin.returnPressed.connect(self.submit)
        self.sign_in_button.clicked.connect(self.submit)

    def set_choices(self, choices: list[auth.OperatorChoice], selected: str | None) -> None:
        self.choices = choices
        self.operator_box.blockSignals(True)
        self.operator_box.clear()
        for c in choices:
            note = "（管理员）" if c.is_admin else ""
            note += "" if c.has_pin else "（未设置PIN）"
            self.operator_box.addItem(c.name + note, c.id)
        ids = [c.id for c in choices]
        self.operator_box.setCurrentIndex(ids.index(selected) if selected in ids else 0)
        self.operator_box.blockSignals(False)
        self._operator_changed()

    def current(self) -> auth.OperatorChoice | None:
        i = self.operator_box.currentIndex()
        return self.choices[i] if 0 <= i < len(self.choices) else None

    def _operator_changed(self) -> None:
        choice = self.current()
        needs_pin = bool(choice and choice.has_pin)
        self.pin.clear()
        self.pin.setEnabled(needs_pin)
        if choice is not None and not needs_pin:
            self._say(f"“{choice.name}”还没有设置 PIN，可直接登录。为防他人冒用，"
                      "登录后请到“设置→操作员”设置 PIN。")
        else:
            self._say("")
        self._countdown.stop()
        self.wait_left = 0
        self.sign_in_button.setEnabled(choice is not None)
        if needs_pin:
            self.pin.setFocus()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else HINT_STYLE)

    def submit(self) -> None:
        choice = self.current()
        if choice is None or self._busy or self.wait_left:
            return
        if choice.has_pin and not self.pin.text():
            self._say("请输入 PIN。", error=True)
            return
        store, op_id, pin = self.service.store, choice.id, self.pin.text()
        self._busy = True
        self.sign_in_button.setEnabled(False)
        Op(self, lambda: operators.sign_in(store, op_id, pin)).success(self._ok) \
            .failure(self._refused).run()

    def _ok(self, operator_id: str) -> None:
        self._busy = False
        self.sign_in_button.setEnabled(True)
        self.pin.clear()
        self.service.operator_id = operator_id
        self.signed_in.emit(operator_id)

    def _refused(self, exc: BaseException) -> None:
        self._busy = False
        self.sign_in_button.setEnabled(True)
        self.pin.clear()
        self.pin.setFocus()
        if not isinstance(exc, StationError):
            from station_desktop.ui.errors import show_error

            show_error(self, exc)
            return
        self._say(exc.user_text(), error=True)
        wait = getattr(exc, "wait_seconds", 0)
        if wait:
            self.wait_left = wait
            self.sign_in_button.setEnabled(False)
            self._countdown.start()

    def _tick(self) -> None:
        self.wait_left = max(0, self.wait_left - 1)
        if self.wait_left:
            self._say(f"PIN 错误次数太多，请等 {self.wait_left} 秒后再试。", error=True)
        else:
            self._countdown.stop()
            self.sign_in_button.setEnabled(True)
            self._say("可以再试了。")


class SignInDialog(QDialog):
    """At start-up, once any operator has a PIN: who is working, and their PIN."""

    def __init__(self, service: Service, choices: list[auth.OperatorChoice],
                 selected: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("登录 — 退役军人服务站")
        self.form = SignInForm(service, self)
        self.form.set_choices(choices, selected)
        title = QLabel(service.store.meta("station_name") or "退役军人服务站")
        title.setStyleSheet("font-size: 17px; font-weight: bold;")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        note = text_label("本机数据含身份证号等个人信息，请以本人身份登录。", style=HINT_STYLE,
                          wrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(self.form)
        self.form.signed_in.connect(lambda _id: self.accept())
        self.resize(420, 240)


def sign_in_at_start(service: Service, config: cfg.Config,
                     parent: QWidget | None = None) -> bool:
    """Who works this session. False when the user closed the sign-in dialog (quit).

    Until some operator has a PIN the program opens as before, with the last
    operator (the home page suggests setting a PIN).
    """
    choices = auth.operator_choices(service.store)
    last = config.get(cfg.LAST_OPERATOR) or None
    if any(c.has_pin for c in choices):
        dialog = SignInDialog(service, choices, last, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
    else:
        service.operator_id = auth.usable_operator(service.store, last)
    if service.operator_id:
        config.set(cfg.LAST_OPERATOR, service.operator_id)
    return True


class SetPinDialog(SaveDialog):
    """设置 PIN: the old PIN for one's own, the new one twice (an administrator resets others')."""

    def __init__(self, service: Service, operator_id: str, name: str, *, needs_old: bool,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"设置 PIN：{name}")
        self.service = service
        self.operator_id = operator_id
        self.old_pin = pin_edit("old_pin") if needs_old else None
        self.new_pin = pin_edit("new_pin", f"{auth.PIN_MIN}–{auth.PIN_MAX} 位数字")
        self.again = pin_edit("new_pin_again")
        form = QFormLayout()
        if self.old_pin is not None:
            form.addRow("原 PIN：", self.old_pin)
        form.addRow("新 PIN：", self.new_pin)
        form.addRow("再输一次：", self.again)
        note = QLabel("PIN 用来登录和解锁。请不要用生日、电话号码后几位或 1234 这类好猜的数字，"
                      "也不要告诉别人。" if operator_id == service.operator_id else
                      f"为“{name}”设置新 PIN（如本人忘记了 PIN）。请当面交给本人，"
                      "并请本人登录后自己再改一个。")
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        self.add_footer(layout, "set_pin")
        self.resize(420, 260)

    def _save(self) -> None:
        new = self.new_pin.text()
        if new != self.again.text():
            self.show_message("两次输入的新 PIN 不一样，请重新输入。")
            return
        store, actor, target = self.service.store, self.service.operator_id, self.operator_id
        old = self.old_pin.text() if self.old_pin is not None else None
        self.save_with(lambda: operators.set_pin(store, actor, target, new, old_pin=old))
