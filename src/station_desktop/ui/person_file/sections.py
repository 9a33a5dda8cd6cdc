"""A section of the person record (基本信息, 服役 …): a read-only sheet, or a form after 编辑.

:data:`SECTIONS` (defined once here) puts every person field in exactly one
tab. 保存 sends only what changed to ``Service.update`` on the worker; a
refusal is shown under its field and nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import StationError, ValidationError
from station_desktop.domain.validate import MAX_SHORT
from station_desktop.store.fields import PERSON_FIELDS, Field, clean_value
from station_desktop.ui.errors import show_error
from station_desktop.ui.forms import RecordForm, error_label
from station_desktop.ui.ops import Op
from station_desktop.ui.person_file.common import (
    MUTED_STYLE,
    FileOwner,
    alive,
    birth_and_age,
    button,
    field_text,
)
from station_desktop.ui.person_file.id_assist import IdNumberAssist
from station_desktop.ui.widgets import text_label

#: (key, tab title, person fields). Every field of PERSON_FIELDS is in exactly one.
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("basic", "基本信息", (
        "name", "id_number", "sex", "birth_date", "ethnicity", "political_status",
        "party_joined_on", "party_branch", "marital_status", "health", "education",
        "hukou_type", "hukou_place", "residence", "phone", "phone2", "categories", "tags",
        "key_focus", "key_focus_reason", "hardship", "social_insurance", "housing",
        "village_role", "role_post", "role_appointed_on", "role_term", "role_rating",
        "registered_on", "note",
    )),
    ("service", "服役", (
        "enlist_date", "enlist_place", "unit", "service_branch", "rank", "post", "awards",
        "punishments", "special_service", "re_enlisted",
    )),
    ("discharge", "退役安置", (
        "discharge_date", "service_years", "discharge_cert_type", "discharge_cert_no",
        "discharge_mode", "resettlement_mode", "resettlement_unit",
    )),
    ("employment", "就业创业", (
        "employment_status", "employer", "income_band", "zero_employment_family", "business",
        "training", "skills", "wishes",
    )),
    ("benefits", "抚恤优待", (
        "benefit_kinds", "support_mode", "lone_elder_or_orphan", "disability_nature",
        "disability_grade", "disability_cert_no", "disability_assessed_on", "martyr_cert_no",
        "martyr_sacrifice_date", "martyr_burial_place", "annual_confirmed_year",
    )),
)


def _same(f: Field, value: Any, old: Any) -> bool:
    """A cleaned form value equals the stored one (lists and flags compared loosely)."""
    if f.type == "cats":
        return list(value or []) == list(old or [])
    if f.type == "bool":
        return bool(value) == bool(old)
    return value == old


class SectionTab(QWidget):
    """One section (基本信息, 服役 ...): a read-only sheet, or a RecordForm after 编辑."""

    def __init__(self, owner: FileOwner, key: str, title: str, fields: Sequence[str]):
        super().__init__()
        self.owner, self.key, self.title, self.fields = owner, key, title, tuple(fields)
        self.setObjectName(f"tab_{key}")
        self.record: dict[str, Any] = {}
        self.form: RecordForm | None = None
        self.assist: IdNumberAssist | None = None

        self.stack = QStackedWidget()
        self.sheet = QWidget()
        # Two columns of label/value pairs; long texts take a whole line.
        grid = QGridLayout(self.sheet)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(2, 110)
        self.values: dict[str, QLabel] = {}
        row = col = 0
        for name in self.fields:
            f = PERSON_FIELDS[name]
            wide = f.type == "text" and f.max_len > MAX_SHORT
            if wide and col:
                row, col = row + 1, 0
            value = text_label("", f"value_{name}", wrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label = QLabel(f.label + "：")
            label.setStyleSheet(MUTED_STYLE)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, row, col)
            grid.addWidget(value, row, col + 1, 1, 3 if wide else 1)
            self.values[name] = value
            if wide or col:
                row, col = row + 1, 0
            else:
                col = 2
        grid.setRowStretch(row + 1, 1)
        sheet_scroll = QScrollArea()
        sheet_scroll.setWidgetResizable(True)
        sheet_scroll.setWidget(self.sheet)
        self.stack.addWidget(sheet_scroll)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.stack.addWidget(self.form_scroll)

        self.message = error_label(f"message_{key}")
        self.edit_button = button("编辑", f"edit_{key}", f"修改“{title}”")
        self.save_button = button("保存", f"save_{key}")
        self.cancel_button = button("取消", f"cancel_{key}")
        self.edit_button.clicked.connect(self.start_edit)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addStretch(1)
        for b in (self.edit_button, self.save_button, self.cancel_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self._show_mode(editing=False)

    @property
    def editing(self) -> bool:
        return self.form is not None

    def _show_mode(self, *, editing: bool) -> None:
        self.stack.setCurrentIndex(1 if editing else 0)
        self.edit_button.setVisible(not editing)
        self.save_button.setVisible(editing)
        self.cancel_button.setVisible(editing)
        self.save_button.setEnabled(True)
        self.save_button.setDefault(editing)

    def show_record(self, record: dict[str, Any], cats: Catalogues, *, deleted: bool) -> None:
        self.record = record
        for name, label in self.values.items():
            text = field_text(name, record.get(name), cats)
            if name == "birth_date" and record.get(name):
                text = birth_and_age(record[name], self.owner.ctx.today)
            label.setText(text or "未填写")
            label.setStyleSheet("" if text else "color: #999;")
        self.edit_button.setEnabled(not deleted)
        self.edit_button.setToolTip("档案在回收站中，恢复后才能修改。" if deleted
                                    else f"修改“{self.title}”")

    def start_edit(self) -> None:
        if self.form is not None or not self.record:
            return
        ctx = self.owner.ctx
        form = RecordForm("person", self.owner.cats, today=ctx.today, fields=self.fields)
        form.setObjectName(f"form_{self.key}")
        form.set_values(self.record)
        if "id_number" in self.fields:
            self.assist = IdNumberAssist(ctx, form, exclude=self.record.get("id"))
            self.assist.prime(self.record.get("id_number"))
        self.form = form
        self.form_scroll.setWidget(form)
        self.show_message("")
        self._show_mode(editing=True)
        first = next(iter(form.editors.values()), None)
        if first is not None:
            first.widget.setFocus()

    def changes(self) -> dict[str, Any] | None:
        """The raw values that differ from the record, or None when the form has errors."""
        assert self.form is not None
        if not self.form.is_valid():
            return None
        if self.assist is not None:
            self.assist.check_mismatch()
        out: dict[str, Any] = {}
        today = self.owner.ctx.today
        for name, ed in self.form.editors.items():
            raw = ed.raw()
            value = clean_value(name, ed.field, raw, self.owner.cats, today=today)
            if not _same(ed.field, value, self.record.get(name)):
                out[name] = raw
        return out

    def save(self) -> None:
        if self.form is None:
            return
        changes = self.changes()
        if changes is None:
            self.show_message("还有几项没有填好，请看红字提示。")
            return
        if not changes:
            self.cancel_edit()
            self.owner.flash("没有修改。")
            return
        svc, pid = self.owner.ctx.service, self.owner.person_id
        self.save_button.setEnabled(False)
        Op(self, lambda: svc.update("person", pid, changes)) \
            .success(self._saved).failure(self._refused).run()

    def _saved(self, record: dict[str, Any]) -> None:
        if not alive(self):
            return
        self._close_form()
        self.owner.flash(f"“{self.title}”已保存。")
        self.owner.ctx.data_changed.emit("person")
        self.owner.reload()

    def _refused(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self.save_button.setEnabled(True)
        if not isinstance(exc, StationError):
            show_error(self, exc)
            return
        text = exc.user_text()
        field = getattr(exc, "field", None)
        if self.form is None or not self.form.show_error(field, text):
            self.show_message(text)

    def cancel_edit(self) -> None:
        self._close_form()

    def _close_form(self) -> None:
        if self.form is not None:
            self.form_scroll.takeWidget()
            self.form.deleteLater()
        self.form = None
        self.assist = None
        self.show_message("")
        self._show_mode(editing=False)

    def dirty(self) -> bool:
        """True when the open form holds something not saved (checked quietly)."""
        if self.form is None:
            return False
        today = self.owner.ctx.today
        for name, ed in self.form.editors.items():
            try:
                value = clean_value(name, ed.field, ed.raw(), self.owner.cats, today=today)
            except ValidationError:
                return True
            if not _same(ed.field, value, self.record.get(name)):
                return True
        return False

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
