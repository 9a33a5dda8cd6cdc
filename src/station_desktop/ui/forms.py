"""Forms built from the field table in store/fields.py, validated as you type.

One form class serves every record kind: the widgets, the Chinese labels,
the checks and the messages come from the same table the service validates
with, so a form can never accept what the service refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.validate import MAX_SHORT
from station_desktop.store.display import display_value
from station_desktop.store.fields import FIELDS, Field, clean_value

ERROR_STYLE = "color: #b00020;"


class FieldEditor(QWidget):
    """One field's input widget plus the line that says what is wrong with it."""

    changed = Signal()

    def __init__(self, name: str, f: Field, cats: Catalogues, parent: QWidget | None = None):
        super().__init__(parent)
        self.name, self.field, self.cats = name, f, cats
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.widget = self._make_widget()
        self.widget.setObjectName(f"field_{name}")
        layout.addWidget(self.widget)
        self.error = error_label(f"error_{name}")
        layout.addWidget(self.error)

    def _make_widget(self) -> QWidget:
        f = self.field
        if f.type == "bool":
            w = QCheckBox()
            w.toggled.connect(self.changed)
            return w
        if f.type in ("cat", "enum"):
            w = QComboBox()
            w.addItem("" if not f.required else "（请选择）", None)
            choices = ([(e.code, e.name) for e in self.cats.entries(f.arg)] if f.type == "cat"
                       else list(f.arg.choices()))
            for code, label in choices:
                w.addItem(label, code)
            w.currentIndexChanged.connect(self.changed)
            return w
        if f.type == "cats":
            w = QListWidget()
            for e in self.cats.entries(f.arg):
                item = QListWidgetItem(e.name)
                item.setData(Qt.ItemDataRole.UserRole, e.code)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                w.addItem(item)
            w.setMaximumHeight(120)
            w.itemChanged.connect(self.changed)
            return w
        if f.type == "text" and f.max_len > MAX_SHORT:
            w = QPlainTextEdit()
            w.setMaximumHeight(80)
            w.textChanged.connect(self.changed)
            return w
        w = QLineEdit()
        hints = {"date": "如 2024-03-01", "month": "如 1985-03 或 1985-03-01",
                 "fen": "元，如 500 或 500.50", "phone": "手机或座机",
                 "id_number": "18 位身份证号"}
        if f.type in hints:
            w.setPlaceholderText(hints[f.type])
        w.textChanged.connect(self.changed)
        return w

    # --- value in and out -----------------------------------------------------

    def raw(self) -> Any:
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QListWidget):
            return [w.item(i).data(Qt.ItemDataRole.UserRole) for i in range(w.count())
                    if w.item(i).checkState() == Qt.CheckState.Checked]
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        return w.text()  # type: ignore[attr-defined]

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            i = w.findData(value)
            w.setCurrentIndex(max(i, 0))
        elif isinstance(w, QListWidget):
            chosen = set(value or [])
            for i in range(w.count()):
                item = w.item(i)
                item.setCheckState(Qt.CheckState.Checked
                                   if item.data(Qt.ItemDataRole.UserRole) in chosen
                                   else Qt.CheckState.Unchecked)
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(display_value(self.field, value, self.cats, editable=True))
        else:
            w.setText(display_value(self.field, value, self.cats,  # type: ignore[attr-defined]
                                    editable=True))

    def check(self, today: date) -> tuple[bool, Any]:
        """Validate now; show or hide the message. Returns (ok, cleaned value)."""
        try:
            value = clean_value(self.name, self.field, self.raw(), self.cats, today=today)
        except ValidationError as exc:
            self.show_error(exc.user_text())
            return False, None
        self.show_error("")
        return True, value

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))


class RecordForm(QWidget):
    """A form for ``kind`` over the given fields (all of the kind's fields by default)."""

    validity_changed = Signal(bool)

    def __init__(self, kind: str, cats: Catalogues, *, today: date,
                 fields: Sequence[str] | None = None, hidden: Mapping[str, Any] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.kind, self.cats, self.today = kind, cats, today
        self.hidden = dict(hidden or {})
        spec = FIELDS[kind]
        names = [n for n in (fields or spec) if n not in self.hidden]
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.editors: dict[str, FieldEditor] = {}
        for name in names:
            f = spec[name]
            ed = FieldEditor(name, f, cats, self)
            ed.changed.connect(lambda ed=ed: self._on_change(ed))
            label = QLabel(f.label + ("＊" if f.required else ""))
            label.setBuddy(ed.widget)
            layout.addRow(label, ed)
            self.editors[name] = ed
        self._touched: set[str] = set()

    def _on_change(self, ed: FieldEditor) -> None:
        self._touched.add(ed.name)
        ed.check(self.today)
        self.validity_changed.emit(self.is_valid(quiet=True))

    def set_values(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            if name in self.editors:
                ed = self.editors[name]
                ed.blockSignals(True)
                ed.widget.blockSignals(True)
                ed.set_value(value)
                ed.widget.blockSignals(False)
                ed.blockSignals(False)

    def is_valid(self, *, quiet: bool = False) -> bool:
        ok = True
        for ed in self.editors.values():
            if quiet and ed.name not in self._touched:
                try:
                    clean_value(ed.name, ed.field, ed.raw(), self.cats, today=self.today)
                except ValidationError:
                    ok = False
                continue
            ok = ed.check(self.today)[0] and ok
        return ok

    def values(self) -> dict[str, Any]:
        """Raw values for the service (which validates again, authoritatively)."""
        return {**{n: ed.raw() for n, ed in self.editors.items()}, **self.hidden}

    def show_error(self, field: str | None, text: str) -> bool:
        """Put a service-side error under its field; False if the field is not on this form."""
        if field in self.editors:
            ed = self.editors[field]  # type: ignore[index]
            ed.show_error(text)
            ed.widget.setFocus()
            return True
        return False


def error_label(name: str | None = None) -> QLabel:
    """A red line saying what went wrong, hidden while there is nothing to say."""
    label = QLabel()
    if name:
        label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


class SaveDialog(QDialog):
    """A dialog with a red message line and 保存/取消; 保存 calls the subclass's ``_save()``.

    :meth:`save_with` runs a service call on the worker with 保存 disabled:
    on success ``result_record`` holds its result and the dialog is
    accepted; a refusal (an error with ``user_text``) goes to
    :meth:`show_refusal` and the dialog stays open, so nothing typed is lost;
    anything else is shown in the error dialog. The subclass lays out
    ``message`` and ``buttons`` (see :meth:`add_footer`).
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.result_record: Any = None
        self.message = error_label()
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)

    def add_footer(self, layout: QVBoxLayout, name: str) -> None:
        """Put the message line and the buttons at the bottom, named ``{name}_message/_save``."""
        self.message.setObjectName(f"{name}_message")
        self.save_button.setObjectName(f"{name}_save")
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_refusal(self, exc: Any) -> None:
        self.show_message(exc.user_text())

    def save_with(self, call: Callable[[], Any]) -> None:
        from station_desktop.ui.ops import Op

        self.save_button.setEnabled(False)

        def done(result: Any) -> None:
            self.result_record = result
            self.save_button.setEnabled(True)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            if hasattr(exc, "user_text"):
                self.show_refusal(exc)
            else:
                from station_desktop.ui.errors import show_error

                show_error(self, exc)

        Op(self, call).success(done).failure(failed).run()


class RecordDialog(SaveDialog):
    """An add/edit dialog around a RecordForm.

    On 保存 the form is checked here, then ``submit(values)`` (a service call)
    runs on the worker thread; a refusal is shown under its field and the
    dialog stays open, so nothing typed is lost. ``result_record`` holds what
    the service returned.
    """

    def __init__(self, title: str, form: RecordForm,
                 submit: Callable[[dict[str, Any]], Any] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = form
        self.submit = submit
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        layout.addLayout(row)
        layout.addWidget(self.buttons)
        self.resize(560, min(720, 120 + 56 * len(form.editors)))

    def _save(self) -> None:
        if not self.form.is_valid():
            self.show_message("还有几项没有填好，请看红字提示。")
            return
        if self.submit is None:
            self.accept()
            return
        values = self.form.values()
        submit = self.submit
        self.save_with(lambda: submit(values))

    def show_refusal(self, exc: Any) -> None:
        self.show_error(exc)

    def show_error(self, exc: BaseException) -> None:
        """Show a refused save on the field it concerns, or at the bottom."""
        text = exc.user_text() if hasattr(exc, "user_text") else str(exc)
        field = getattr(exc, "field", None)
        if not self.form.show_error(field, text):
            self.show_message(text)
