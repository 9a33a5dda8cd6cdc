"""A person's file (建档立卡档案): every section in tabs, edit, delete, restore, history.

    PersonFileDialog(ctx, person_id, parent).open()     # non-modal, one per person
    open_add_person(ctx, parent, on_saved=...)          # the 新建档案 dialog

The sections of the file follow DOMAIN.md. Each section of the person
record is a read-only sheet until 编辑 is pressed; it then becomes a
:class:`RecordForm` over the same fields (:data:`SECTIONS`, defined once
here) and 保存 sends only what changed to ``Service.update`` on the worker.
A refusal is shown under its field and nothing typed is lost.

The ID number is shown in full in the file (the person's own record, opened
on purpose by a cadre) and masked in lists (see ``ui.pages.roster``).

Typing an ID number fills 出生日期 and 性别 as soon as the number is valid and
says so in Chinese when a date or sex typed by hand does not match it; a
number already on file is reported while typing ("此身份证号已登记在 X 的档案中")
and again, authoritatively, by the service on 保存.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from station_desktop.domain import enums, rules
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import StationError, ValidationError
from station_desktop.domain.idnumber import IdNumber, parse_id_number
from station_desktop.domain.validate import MAX_SHORT
from station_desktop.store import roster
from station_desktop.store.display import display_value, enum_label, yuan
from station_desktop.store.fields import FIELDS, PERSON_FIELDS, Field, clean_value
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import show_error
from station_desktop.ui.forms import RecordDialog, RecordForm, error_label
from station_desktop.ui.ops import Op
from station_desktop.ui.table import Column, LazyTableModel, local_time, setup_list_view

# --- the sections of a person's file, defined once --------------------------------

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

#: What the 新建档案 dialog asks for; the rest is filled in the file afterwards.
ADD_FIELDS: tuple[str, ...] = (
    "name", "id_number", "birth_date", "sex", "categories", "phone", "phone2", "tags",
    "key_focus", "key_focus_reason", "ethnicity", "political_status", "marital_status",
    "education", "health", "hukou_type", "hukou_place", "residence",
)

#: Record kinds whose change may alter what an open file shows.
RELOAD_KINDS = frozenset({
    "*", "person", "family_member", "visit", "life_event", "aid_application", "aid_review",
    "aid_payment", "dispute_case", "case_step", "honour",
})

# Columns of the change log that are bookkeeping, not content.
_HISTORY_SKIP = frozenset({"id", "station_code", "created_at", "updated_at", "updated_by", "hlc"})
_HISTORY_EXTRA = {"last_contact_on": "最近联系日期"}

MUTED_STYLE = "color: #666;"
BANNER_STYLE = ("background: #fff3cd; color: #7a4d00; padding: 6px 10px; "
                "border: 1px solid #f0d58c; border-radius: 4px;")

# --- formatting --------------------------------------------------------------------


def birth_and_age(birth: date | str | None, today: date) -> str:
    if not birth:
        return ""
    d = birth if isinstance(birth, date) else date.fromisoformat(str(birth))
    return f"{d.isoformat()}（{rules.age_on(d, today)}岁）"


def _typed(f: Field, value: Any) -> Any:
    """A value as read from the change log (JSON text, 0/1) in the field's own type."""
    if value is None:
        return None
    if f.type == "cats" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return [value]
    if f.type == "bool":
        return bool(value)
    return value


def field_text(name: str, value: Any, cats: Catalogues) -> str:
    """A person field's value in words (for the sheets and the history)."""
    f = PERSON_FIELDS.get(name)
    if f is None:
        return "" if value is None else str(value)
    return display_value(f, _typed(f, value), cats)


def _same(f: Field, value: Any, old: Any) -> bool:
    """A cleaned form value equals the stored one (lists and flags compared loosely)."""
    if f.type == "cats":
        return list(value or []) == list(old or [])
    if f.type == "bool":
        return bool(value) == bool(old)
    return value == old


def alive(obj: QObject) -> bool:
    """The Qt object behind a wrapper still exists (a closed dialog may be deleted)."""
    return isValid(obj)


# --- ID number assistance (shared by the add dialog and the 基本信息 form) --------------


class IdNumberAssist(QObject):
    """Fill 出生日期/性别 from a valid ID number, flag mismatches, warn about duplicates."""

    def __init__(self, ctx: AppContext, form: RecordForm, *, exclude: str | None = None,
                 on_duplicate: Callable[[dict[str, Any] | None], None] | None = None):
        super().__init__(form)
        self.ctx, self.form, self.exclude = ctx, form, exclude
        self.on_duplicate = on_duplicate
        self.derived: IdNumber | None = None
        self.duplicate: dict[str, Any] | None = None
        self._seq = 0
        # What was filled in automatically: such a value follows a new ID number.
        self._auto: dict[str, Any] = {}
        eds = form.editors
        if "id_number" in eds:
            # Connected after the form's own check, so this runs after it.
            eds["id_number"].changed.connect(self._id_changed)
        for name in ("birth_date", "sex"):
            if name in eds:
                eds[name].changed.connect(self.check_mismatch)

    def prime(self, id_number: str | None) -> None:
        """Start from a stored record: its birth date and sex follow its ID number."""
        if not id_number:
            return
        try:
            self.derived = parse_id_number(id_number, today=self.ctx.today)
        except ValidationError:
            return
        self._auto = {"birth_date": self.derived.birth_date, "sex": self.derived.sex.value}

    def _current(self, name: str) -> Any:
        ed = self.form.editors[name]
        try:
            return clean_value(name, ed.field, ed.raw(), self.form.cats, today=self.ctx.today)
        except ValidationError:
            return ed.raw()

    def _id_changed(self) -> None:
        raw = self.form.editors["id_number"].raw()
        try:
            info = parse_id_number(str(raw or ""), today=self.ctx.today)
        except ValidationError:
            self.derived = None
            self.duplicate = None
            self._seq += 1  # a duplicate answer still on its way is stale now
            self.check_mismatch()
            if self.on_duplicate:
                self.on_duplicate(None)
            return
        self.derived = info
        derived = {"birth_date": info.birth_date, "sex": info.sex.value}
        for name, value in derived.items():
            ed = self.form.editors.get(name)
            if ed is None:
                continue
            current = self._current(name)
            if current in (None, "") or current == self._auto.get(name):
                self.form.set_values({name: value})
                ed.check(self.ctx.today)
                self._auto[name] = value
        self.check_mismatch()
        self._look_up(info.number)

    def check_mismatch(self) -> None:
        """Say under 出生日期/性别 when they contradict the ID number (never fix silently)."""
        if self.derived is None:
            return
        for name, derived, label in (
            ("birth_date", self.derived.birth_date, "出生日期"),
            ("sex", self.derived.sex.value, "性别"),
        ):
            ed = self.form.editors.get(name)
            if ed is None:
                continue
            current = self._current(name)
            if current in (None, "") or current == derived:
                if ed.error.text().startswith(label + "与身份证号不符"):
                    ed.show_error("")
                continue
            shown = (enums.Sex(derived).label if name == "sex" else derived.isoformat())
            ed.show_error(f"{label}与身份证号不符：按身份证号应为 {shown}。请核对身份证号或改正这一项。")

    def _look_up(self, number: str) -> None:
        self._seq += 1
        seq = self._seq
        store, exclude = self.ctx.store, self.exclude
        Op(self.form, lambda: roster.person_with_id_number(store, number, exclude=exclude)) \
            .success(lambda found: self._looked_up(seq, found)).run()

    def _looked_up(self, seq: int, found: dict[str, Any] | None) -> None:
        if seq != self._seq or not alive(self) or not alive(self.form):
            return
        self.duplicate = found
        if found is not None:
            self.form.show_error(
                "id_number", f"此身份证号已登记在“{found['name']}”的档案中，不能重复建档。")
        if self.on_duplicate:
            self.on_duplicate(found)


# --- the 新建档案 dialog ------------------------------------------------------------


class PersonAddDialog(RecordDialog):
    """RecordDialog for a new person, with the ID number filling birth date and sex."""

    def __init__(self, ctx: AppContext, cats: Catalogues, parent: QWidget | None = None):
        self.ctx = ctx
        svc = ctx.service
        form = RecordForm("person", cats, today=ctx.today, fields=ADD_FIELDS)
        super().__init__(
            "新建人员档案", form,
            submit=lambda values: svc.create("person", values),
            parent=parent,
        )
        self.setObjectName("person_add_dialog")
        self.open_existing = QPushButton("打开已有档案")
        self.open_existing.setObjectName("open_existing")
        self.open_existing.hide()
        self.open_existing.clicked.connect(self._open_existing)
        self.layout().insertWidget(1, self.open_existing, 0, Qt.AlignmentFlag.AlignRight)
        self.assist = IdNumberAssist(ctx, form, on_duplicate=self._on_duplicate)
        hint = QLabel("填好身份证号后，出生日期和性别会自动填上。带＊的必须填写；"
                      "其他情况保存后可在档案中补充。")
        hint.setWordWrap(True)
        hint.setStyleSheet(MUTED_STYLE)
        self.layout().insertWidget(0, hint)
        self.resize(600, 720)

    def _on_duplicate(self, found: dict[str, Any] | None) -> None:
        self.open_existing.setVisible(found is not None)

    def _open_existing(self) -> None:
        found = self.assist.duplicate
        if found:
            self.reject()
            PersonFileDialog(self.ctx, found["id"], self.parentWidget()).open()


def open_add_person(ctx: AppContext, parent: QWidget | None,
                    on_saved: Callable[[dict[str, Any]], None] | None = None,
                    on_open: Callable[[PersonAddDialog], None] | None = None) -> None:
    """Open the 新建档案 dialog (non-blocking); ``on_saved`` gets the new person's row.

    The catalogues are fetched on the worker first (normally already cached),
    so the dialog appears a moment later; ``on_open`` receives it.
    """

    def build(cats: Catalogues) -> None:
        if parent is not None and not alive(parent):
            return
        dialog = PersonAddDialog(ctx, cats, parent)

        def saved() -> None:
            ctx.data_changed.emit("person")
            if on_saved is not None and dialog.result_record is not None:
                on_saved(dialog.result_record)

        dialog.accepted.connect(saved)
        dialog.open()
        if on_open is not None:
            on_open(dialog)

    Op(parent, ctx.catalogues).success(build).run()


# --- small building blocks ----------------------------------------------------------


def _button(text: str, name: str, tip: str = "") -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setMinimumHeight(30)
    b.setMinimumWidth(80)
    # Enter in a form field must not press 关闭 or 删除: only 保存 is ever the default.
    b.setAutoDefault(False)
    if tip:
        b.setToolTip(tip)
    return b


def confirm(parent: QWidget, title: str, text: str, yes: str,
            on_yes: Callable[[], None]) -> QMessageBox:
    """A question box opened with open() (never blocks); ``on_yes`` runs on the yes button."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    ok.setObjectName("confirm_yes")
    cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    cancel.setObjectName("confirm_no")
    box.setDefaultButton(cancel)

    def done() -> None:
        if box.clickedButton() is ok:
            on_yes()

    box.finished.connect(done)
    box.open()
    return box


class ListModel(LazyTableModel):
    """A LazyTableModel over rows already in memory (a person's visits, family ...)."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None):
        self._rows: dict[str, dict[str, Any]] = {}
        super().__init__(columns, lambda ids: {i: self._rows[i] for i in ids if i in self._rows},
                         parent)

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self._rows = {r["id"]: r for r in rows}
        self.set_ids([r["id"] for r in rows])

    def row(self, row_id: str) -> dict[str, Any]:
        return self._rows[row_id]


def _table(model: LazyTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    setup_list_view(view, model)
    return view


# --- a section of the person record -------------------------------------------------


class SectionTab(QWidget):
    """One section (基本信息, 服役 ...): a read-only sheet, or a RecordForm after 编辑."""

    def __init__(self, owner: PersonFileDialog, key: str, title: str, fields: Sequence[str]):
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
            value = QLabel()
            value.setObjectName(f"value_{name}")
            value.setWordWrap(True)
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
        self.edit_button = _button("编辑", f"edit_{key}", f"修改“{title}”")
        self.save_button = _button("保存", f"save_{key}")
        self.cancel_button = _button("取消", f"cancel_{key}")
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


# --- lists of the person's records ----------------------------------------------------


class RecordsTab(QWidget):
    """A read-only table of the person's records of one kind, with optional buttons."""

    def __init__(self, key: str, columns: Sequence[Column], empty_text: str,
                 model_class: type[ListModel] | None = None):
        super().__init__()
        self.setObjectName(f"tab_{key}")
        self.key = key
        self.model = (model_class or ListModel)(columns, self)
        self.view = _table(self.model, f"table_{key}")
        self.empty = QLabel(empty_text)
        self.empty.setObjectName(f"empty_{key}")
        self.empty.setStyleSheet(MUTED_STYLE + " padding: 12px;")
        self.empty.setWordWrap(True)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        layout.addLayout(self.buttons)

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        selected = self.selected_id()
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        if selected is not None:
            row = self.model.row_of(selected)
            if row >= 0:
                self.view.selectRow(row)

    def selected_id(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def add_button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        b = _button(text, name)
        b.clicked.connect(slot)
        self.buttons.addWidget(b)
        return b


class FamilyTab(RecordsTab):
    """家庭成员: list, add, edit, delete (RecordForm over the family_member fields)."""

    FIELDS_SHOWN = ("relation", "name", "phone", "id_number", "employment", "employer", "note")

    def __init__(self, owner: PersonFileDialog):
        spec = FIELDS["family_member"]
        widths = {"relation": 70, "name": 90, "phone": 120, "id_number": 170,
                  "employment": 100, "employer": 160, "note": 160}
        super().__init__("family", [Column(n, spec[n].label, width=widths[n])
                                    for n in self.FIELDS_SHOWN],
                         "还没有登记家庭成员。点“添加家庭成员”登记配偶、子女、父母等。")
        self.owner = owner
        self.add = self.add_button("添加家庭成员", "add_family", self.add_member)
        self.edit = self.add_button("修改", "edit_family", self.edit_member)
        self.delete = self.add_button("删除", "delete_family", self.delete_member)
        self.view.doubleClicked.connect(lambda _i: self.edit_member())
        self.dialog: RecordDialog | None = None
        self.confirm_box: QMessageBox | None = None

    def set_deleted(self, deleted: bool) -> None:
        for b in (self.add, self.edit, self.delete):
            b.setEnabled(not deleted)

    def _form(self) -> RecordForm:
        return RecordForm("family_member", self.owner.cats, today=self.owner.ctx.today,
                          hidden={"person_id": self.owner.person_id})

    def add_member(self) -> None:
        svc = self.owner.ctx.service
        self._open(RecordDialog("添加家庭成员", self._form(),
                                submit=lambda v: svc.create("family_member", v), parent=self))

    def edit_member(self) -> None:
        fid = self.selected_id()
        if fid is None or not self.edit.isEnabled():
            self.owner.flash("请先在列表中选中一位家庭成员。")
            return
        form = self._form()
        form.set_values(self.model.row(fid))
        svc = self.owner.ctx.service
        self._open(RecordDialog("修改家庭成员", form,
                                submit=lambda v: svc.update("family_member", fid, v), parent=self))

    def _open(self, dialog: RecordDialog) -> None:
        dialog.setObjectName("family_dialog")
        self.dialog = dialog

        def saved() -> None:
            self.owner.ctx.data_changed.emit("family_member")
            self.owner.reload()

        dialog.accepted.connect(saved)
        dialog.open()

    def delete_member(self) -> None:
        fid = self.selected_id()
        if fid is None:
            self.owner.flash("请先在列表中选中一位家庭成员。")
            return
        name = self.model.row(fid).get("name", "")
        svc = self.owner.ctx.service

        def delete() -> None:
            self.owner.ctx.run(self, lambda: svc.delete("family_member", fid),
                               lambda _r: self.owner.reload(), changed="family_member")

        self.confirm_box = confirm(self, "删除家庭成员", f"确定删除家庭成员“{name}”吗？"
                                   "删除后可在“设置→回收站”中恢复。", "删除", delete)


class HistoryModel(ListModel):
    """变更历史 rows; the 操作 column is coloured by kind of change."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            rec = self.record(index.row())
            if rec and rec.get("op") == "删除" and index.column() == 2:
                return QBrush(QColor("#b00020"))
            return None
        return super().data(index, role)


def history_rows(history: Sequence[dict[str, Any]], operators: dict[str, str],
                 cats: Catalogues) -> list[dict[str, Any]]:
    """The change log of a person as table rows, newest first, one row per changed field."""
    groups: list[list[dict[str, Any]]] = []
    for entry in history:
        out: list[dict[str, Any]] = []
        groups.append(out)
        changes = entry.get("changes") or {}
        if isinstance(changes, str):
            changes = json.loads(changes)
        base = {"at": local_time(entry.get("at")),
                "operator": operators.get(entry.get("operator_id") or "", "") or "（未记录）"}
        seq = entry.get("seq")
        if entry.get("op") == "I":
            out.append({**base, "id": f"{seq}", "op": "建档", "field": "",
                        "old": "", "new": "建立档案"})
            continue
        if entry.get("op") == "D":
            out.append({**base, "id": f"{seq}", "op": "删除", "field": "",
                        "old": "", "new": "记录被清除"})
            continue
        n = 0
        for name, pair in changes.items():
            if name in _HISTORY_SKIP:
                continue
            old, new = (pair if isinstance(pair, list) and len(pair) == 2 else (None, pair))
            n += 1
            if name == "deleted_at":
                op = "删除" if new else "恢复"
                text = "移入回收站" if new else "从回收站恢复"
                out.append({**base, "id": f"{seq}.{n}", "op": op, "field": "", "old": "",
                            "new": text})
                continue
            label = (PERSON_FIELDS[name].label if name in PERSON_FIELDS
                     else _HISTORY_EXTRA.get(name, name))
            out.append({**base, "id": f"{seq}.{n}", "op": "修改", "field": label,
                        "old": field_text(name, old, cats) or "（空）",
                        "new": field_text(name, new, cats) or "（空）"})
    return [row for rows in reversed(groups) for row in rows]


# --- the dialog -----------------------------------------------------------------------


class PersonFileDialog(QDialog):
    """A person's whole file. Non-modal: ``open()`` shows it beside the main window."""

    #: Open files by person id: opening the same person again raises the open one.
    opened: dict[str, PersonFileDialog] = {}

    def __init__(self, ctx: AppContext, person_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.person_id = ctx, person_id
        self.setObjectName("person_file")
        self.setWindowTitle("人员档案")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.cats: Catalogues = Catalogues.defaults()
        self.data: dict[str, Any] | None = None
        self.loaded = False
        self.confirm_box: QMessageBox | None = None
        self._seq = 0

        self.title = QLabel("正在读取档案…")
        self.title.setObjectName("file_title")
        self.title.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.summary = QLabel()
        self.summary.setObjectName("file_summary")
        self.summary.setStyleSheet(MUTED_STYLE)
        self.summary.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setObjectName("deleted_banner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.notice = QLabel()
        self.notice.setObjectName("file_notice")
        self.notice.setStyleSheet("color: #1b5e20;")

        self.visit_button = _button("记录走访", "file_record_visit",
                                    "为此人记录一次走访或联系（Ctrl+R）")
        self.visit_button.setShortcut(QKeySequence("Ctrl+R"))
        self.print_button = _button("打印手册", "file_print", "打印此人的建档立卡手册（先预览）")
        self.delete_button = _button("删除档案", "file_delete", "移入回收站，可以恢复")
        self.restore_button = _button("恢复档案", "file_restore", "从回收站恢复此档案")
        self.close_button = _button("关闭", "file_close")
        self.visit_button.clicked.connect(self.record_visit)
        self.print_button.clicked.connect(self.print_booklet)
        self.delete_button.clicked.connect(self.delete_person)
        self.restore_button.clicked.connect(self.restore_person)
        self.close_button.clicked.connect(self.close)
        for b in (self.visit_button, self.delete_button, self.restore_button):
            b.setEnabled(False)
        self.restore_button.hide()

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.summary)
        head.addLayout(titles, 1)
        for b in (self.visit_button, self.print_button, self.delete_button, self.restore_button,
                  self.close_button):
            head.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("file_tabs")
        self.sections: dict[str, SectionTab] = {}
        for key, title, fields in SECTIONS:
            tab = SectionTab(self, key, title, fields)
            self.sections[key] = tab
            self.tabs.addTab(tab, title)
        self.family = FamilyTab(self)
        self.tabs.addTab(self.family, "家庭成员")
        self.visits = RecordsTab("visits", [
            Column("visit_date", "日期", width=95),
            Column("kind", "走访类型", lambda v, r: self.cats.name("visit_kind", v), width=110),
            Column("method", "方式", lambda v, r: enum_label(enums.VisitMethod, v), width=60),
            Column("visitor", "走访人", width=90),
            Column("money_fen", "慰问金", lambda v, r: yuan(v) if v else "", width=85),
            Column("needs", "诉求/反馈", width=170),
            Column("content", "内容", width=260),
        ], "还没有走访记录。点“记录走访”登记第一次联系。")
        self.visit_tab_button = self.visits.add_button("记录走访", "tab_record_visit",
                                                       self.record_visit)
        self.tabs.addTab(self.visits, "走访记录")
        self.aid = RecordsTab("aid", [
            Column("applied_on", "申请日期", width=95),
            Column("aid_type", "帮扶类型", lambda v, r: self.cats.name("aid_type", v), width=110),
            Column("requested_fen", "申请金额", lambda v, r: yuan(v), width=100),
            Column("approved_fen", "批准金额", lambda v, r: yuan(v), width=100),
            Column("state", "状态", lambda v, r: enum_label(enums.AidState, v), width=80),
            Column("cause", "困难原因", width=220),
        ], "没有帮扶记录。帮扶申请在“帮扶援助”页登记。")
        self.tabs.addTab(self.aid, "帮扶记录")
        self.cases = RecordsTab("cases", [
            Column("registered_on", "登记日期", width=95),
            Column("case_type", "类型", lambda v, r: self.cats.name("case_type", v), width=100),
            Column("level", "层级", lambda v, r: enum_label(enums.Level, v), width=50),
            Column("state", "状态", lambda v, r: enum_label(enums.CaseState, v), width=70),
            Column("deadline", "办理期限", width=95),
            Column("content", "诉求内容", width=240),
        ], "没有矛盾纠纷记录。")
        self.tabs.addTab(self.cases, "矛盾纠纷")
        self.honours = RecordsTab("honours", [
            Column("kind", "类别", lambda v, r: enum_label(enums.HonourKind, v), width=80),
            Column("title", "名称", width=220),
            Column("awarded_on", "授予日期", width=95),
            Column("state", "状态", lambda v, r: enum_label(enums.HonourState, v), width=80),
            Column("done_on", "悬挂/送达日期", width=110),
        ], "没有荣誉记录。光荣牌、喜报在“荣誉褒扬”页登记。")
        self.tabs.addTab(self.honours, "荣誉")
        self.history = RecordsTab("history", [
            Column("at", "时间", width=130),
            Column("operator", "操作员", width=80),
            Column("op", "操作", width=60),
            Column("field", "项目", width=110),
            Column("old", "原来", width=180),
            Column("new", "改为", width=180),
        ], "没有变更记录。", HistoryModel)
        self.tabs.addTab(self.history, "变更历史")

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.notice)
        self.resize(960, 700)
        state = ctx.config.state("person_file")
        if state is not None:
            self.restoreGeometry(state)
        ctx.data_changed.connect(self._on_data_changed)
        self.reload()

    # --- showing -------------------------------------------------------------------

    def open(self) -> None:  # noqa: A003 - QDialog.open, made non-modal
        """Show beside the main window (not modal); a second open of one person raises it."""
        other = PersonFileDialog.opened.get(self.person_id)
        if other is not None and other is not self:
            try:
                other.raise_()
                other.activateWindow()
                self.deleteLater()
                return
            except RuntimeError:  # the other one is already gone
                pass
        PersonFileDialog.opened[self.person_id] = self
        self.setModal(False)
        self.show()
        self.raise_()
        self.activateWindow()

    def reload(self) -> None:
        self._seq += 1
        seq = self._seq
        ctx, pid = self.ctx, self.person_id

        def load() -> tuple[dict[str, Any], dict[str, str], Catalogues]:
            return (ctx.service.person_file(pid), roster.operator_names(ctx.store),
                    ctx.catalogues())

        Op(self, load).success(lambda r: self._show(seq, *r)).failure(self._load_failed).run()

    def _load_failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self.title.setText("无法打开档案")
        show_error(self, exc)

    def _show(self, seq: int, data: dict[str, Any], operators: dict[str, str],
              cats: Catalogues) -> None:
        if seq != self._seq or not alive(self):
            return
        self.data, self.cats = data, cats
        p = data["person"]
        deleted = p.get("deleted_at") is not None
        self.setWindowTitle(f"人员档案 — {p['name']}")
        self.title.setText(p["name"] + ("　★ 重点关注" if p.get("key_focus") else ""))
        parts = [enum_label(enums.Sex, p.get("sex")),
                 birth_and_age(p.get("birth_date"), self.ctx.today),
                 "、".join(cats.name("person_category", c) for c in p.get("categories") or []),
                 f"电话 {p['phone']}" if p.get("phone") else "",
                 f"最近联系 {p['last_contact_on']}" if p.get("last_contact_on")
                 else "尚无联系记录"]
        self.summary.setText(" · ".join(x for x in parts if x))
        self.banner.setText(f"此档案已于 {local_time(p['deleted_at'])} 移入回收站。"
                            "恢复后才能修改或记录走访。" if deleted else "")
        self.banner.setVisible(deleted)
        self.visit_button.setEnabled(not deleted)
        self.delete_button.setVisible(not deleted)
        self.delete_button.setEnabled(not deleted)
        self.restore_button.setVisible(deleted)
        self.restore_button.setEnabled(deleted)
        for tab in self.sections.values():
            tab.show_record(p, cats, deleted=deleted)
        self.family.set_rows(data["family"])
        self.family.set_deleted(deleted)
        self.visits.set_rows(list(reversed(data["visits"])))
        self.visit_tab_button.setEnabled(not deleted)
        self.aid.set_rows(list(reversed(data["aid"])))
        self.cases.set_rows(list(reversed(data["cases"])))
        self.honours.set_rows(data["honours"])
        self.history.set_rows(history_rows(data["history"], operators, cats))
        self.loaded = True

    def _on_data_changed(self, kind: str) -> None:
        if kind in RELOAD_KINDS and self.isVisible():
            self.reload()

    def flash(self, text: str) -> None:
        self.notice.setText(text)

    # --- actions ---------------------------------------------------------------------

    def record_visit(self) -> None:
        if self.data is None or self.data["person"].get("deleted_at"):
            return
        from station_desktop.ui.visit_dialog import open_visit_dialog

        open_visit_dialog(self.ctx, self.person_id, self)

    def print_booklet(self) -> None:
        from station_desktop.ui.printing import print_person

        name = self.data["person"]["name"] if getattr(self, "data", None) else "人员"
        self.last_print = print_person(self.ctx, self, self.person_id, name)

    def delete_person(self) -> None:
        if self.data is None:
            return
        name = self.data["person"]["name"]
        svc, pid = self.ctx.service, self.person_id

        def delete() -> None:
            self.ctx.run(self, lambda: svc.delete("person", pid),
                         lambda _r: (self.flash(f"已将“{name}”的档案移入回收站。"), self.reload()),
                         changed="person")

        self.confirm_box = confirm(
            self, "删除档案",
            f"确定把“{name}”的档案移入回收站吗？\n\n走访、帮扶等记录都会保留；"
            "需要时可以在这里或“设置→回收站”中恢复。", "移入回收站", delete)

    def restore_person(self) -> None:
        if self.data is None:
            return
        name = self.data["person"]["name"]
        svc, pid = self.ctx.service, self.person_id
        self.ctx.run(self, lambda: svc.restore("person", pid),
                     lambda _r: (self.flash(f"已恢复“{name}”的档案。"), self.reload()),
                     changed="person")

    # --- closing -----------------------------------------------------------------------

    def _forget(self) -> None:
        if PersonFileDialog.opened.get(self.person_id) is self:
            del PersonFileDialog.opened[self.person_id]
        self.ctx.config.save_state("person_file", self.saveGeometry())

    def reject(self) -> None:
        """Esc or 关闭: ask first when a section has unsaved changes."""
        editing = [t for t in self.sections.values() if t.dirty()]
        if editing:
            titles = "、".join(f"“{t.title}”" for t in editing)
            self.confirm_box = confirm(self, "还没有保存", f"{titles}的修改还没有保存，确定关闭吗？",
                                       "不保存，关闭", self._close_now)
            return
        self._close_now()

    def _close_now(self) -> None:
        for tab in self.sections.values():
            tab.cancel_edit()
        self._forget()
        super().reject()


