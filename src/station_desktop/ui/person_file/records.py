"""Lists of the person's records (家庭成员, 走访, 帮扶, 纠纷, 荣誉) as read-only tables.

家庭成员 can be added, changed and deleted here (a RecordForm over the
family_member fields); the others are kept on their own pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton, QVBoxLayout, QWidget

from station_desktop.domain import enums
from station_desktop.store.display import enum_label, yuan
from station_desktop.store.fields import FIELDS
from station_desktop.ui.forms import RecordDialog, RecordForm
from station_desktop.ui.person_file.common import (
    MUTED_STYLE,
    FileOwner,
    ListModel,
    button,
    confirm,
    table,
)
from station_desktop.ui.table import Column
from station_desktop.ui.widgets import text_label


class RecordsTab(QWidget):
    """A read-only table of the person's records of one kind, with optional buttons."""

    def __init__(self, key: str, columns: Sequence[Column], empty_text: str,
                 model_class: type[ListModel] | None = None):
        super().__init__()
        self.setObjectName(f"tab_{key}")
        self.key = key
        self.model = (model_class or ListModel)(columns, self)
        self.view = table(self.model, f"table_{key}")
        self.empty = text_label(empty_text, f"empty_{key}", style=MUTED_STYLE + " padding: 12px;",
                                wrap=True)
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
        b = button(text, name)
        b.clicked.connect(slot)
        self.buttons.addWidget(b)
        return b


class FamilyTab(RecordsTab):
    """家庭成员: list, add, edit, delete (RecordForm over the family_member fields)."""

    FIELDS_SHOWN = ("relation", "name", "phone", "id_number", "employment", "employer", "note")

    def __init__(self, owner: FileOwner):
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


# The lists other pages keep: read-only here. ``owner.cats`` is read when a row is shown,
# so a reloaded file shows names from the catalogues it was loaded with.


def visits_tab(owner: FileOwner) -> RecordsTab:
    """走访记录, newest first (the 记录走访 button is the dialog's)."""
    return RecordsTab("visits", [
        Column("visit_date", "日期", width=95),
        Column("kind", "走访类型", lambda v, r: owner.cats.name("visit_kind", v), width=110),
        Column("method", "方式", lambda v, r: enum_label(enums.VisitMethod, v), width=60),
        Column("visitor", "走访人", width=90),
        Column("money_fen", "慰问金", lambda v, r: yuan(v) if v else "", width=85),
        Column("needs", "诉求/反馈", width=170),
        Column("content", "内容", width=260),
    ], "还没有走访记录。点“记录走访”登记第一次联系。")


def aid_tab(owner: FileOwner) -> RecordsTab:
    """帮扶记录, newest first."""
    return RecordsTab("aid", [
        Column("applied_on", "申请日期", width=95),
        Column("aid_type", "帮扶类型", lambda v, r: owner.cats.name("aid_type", v), width=110),
        Column("requested_fen", "申请金额", lambda v, r: yuan(v), width=100),
        Column("approved_fen", "批准金额", lambda v, r: yuan(v), width=100),
        Column("state", "状态", lambda v, r: enum_label(enums.AidState, v), width=80),
        Column("cause", "困难原因", width=220),
    ], "没有帮扶记录。帮扶申请在“帮扶援助”页登记。")


def cases_tab(owner: FileOwner) -> RecordsTab:
    """矛盾纠纷, newest first."""
    return RecordsTab("cases", [
        Column("registered_on", "登记日期", width=95),
        Column("case_type", "类型", lambda v, r: owner.cats.name("case_type", v), width=100),
        Column("level", "层级", lambda v, r: enum_label(enums.Level, v), width=50),
        Column("state", "状态", lambda v, r: enum_label(enums.CaseState, v), width=70),
        Column("deadline", "办理期限", width=95),
        Column("content", "诉求内容", width=240),
    ], "没有矛盾纠纷记录。")


def honours_tab(_owner: FileOwner) -> RecordsTab:
    """荣誉 (光荣牌, 喜报 …)."""
    return RecordsTab("honours", [
        Column("kind", "类别", lambda v, r: enum_label(enums.HonourKind, v), width=80),
        Column("title", "名称", width=220),
        Column("awarded_on", "授予日期", width=95),
        Column("state", "状态", lambda v, r: enum_label(enums.HonourState, v), width=80),
        Column("done_on", "悬挂/送达日期", width=110),
    ], "没有荣誉记录。光荣牌、喜报在“荣誉褒扬”页登记。")
