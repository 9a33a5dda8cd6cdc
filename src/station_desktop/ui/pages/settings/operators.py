"""操作员: who works the program here, and their PINs."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from station_desktop.domain.catalogues import Catalogues
from station_desktop.store import auth
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import RecordDialog, RecordForm
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.settings.section import Section, button, hint
from station_desktop.ui.table import Column, LazyTableModel, make_table_view
from station_desktop.ui.widgets import STRETCH, hbox


def open_set_pin(ctx: AppContext, parent: QWidget, operator_id: str, name: str, *,
                 needs_old: bool) -> QDialog:
    from station_desktop.ui.signin import SetPinDialog

    dialog = SetPinDialog(ctx.service, operator_id, name, needs_old=needs_old, parent=parent)
    dialog.accepted.connect(lambda: ctx.data_changed.emit("operator"))
    dialog.open()
    return dialog


class OperatorsSection(Section):
    """Who works the program here: add, edit, deactivate (never delete: the log names them)."""

    SORTABLE = auth.OPERATOR_SORTS

    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.dialog: RecordDialog | None = None
        self.add_button = button("添加操作员", "add_operator")
        self.edit_button = button("修改", "edit_operator")
        self.toggle_button = button("停用", "toggle_operator",
                                    "停用后不能再以此人身份操作；以前的记录仍保留其姓名。")
        self.pin_button = button("设置 PIN…", "set_operator_pin",
                                 "登录和解锁用的数字密码；管理员可为忘记 PIN 的同志重设")
        self.pin_dialog: QDialog | None = None
        bar = hbox(self.add_button, self.edit_button, self.toggle_button, self.pin_button,
                   STRETCH)
        self.model = LazyTableModel([
            Column("name", "姓名"),
            Column("post", "职务"),
            Column("phone", "电话"),
            Column("is_admin", "管理员", lambda v, _r: "是" if v else ""),
            Column("active", "状态", lambda v, _r: "启用" if v else "已停用"),
            Column("has_pin", "PIN", lambda v, _r: "已设置" if v else "未设置", sortable=False),
            Column("current", "当前", lambda v, _r: "正在使用" if v else "", sortable=False),
        ], self._load_rows, self)
        self.sort_key = "name"
        self.sort_desc = False
        self.view = make_table_view(self.model, "operators_table")
        self.view.setSortingEnabled(False)
        header = self.view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sectionClicked.connect(self._sort_by)
        state = ctx.config.state("settings_operators_header")
        if state is not None:
            header.restoreState(state)
        self.message = QLabel("")
        self.message.setObjectName("operators_message")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(hint("操作员是在本机录入和修改记录的人，每条修改都会记下是谁做的。"
                              "不再负责的同志请“停用”，不要删除。双击一行可修改。"
                              "每人设置自己的登录 PIN 后，打开程序和离开后解锁都要输入 PIN。"))
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        self.add_button.clicked.connect(self.add_operator)
        self.edit_button.clicked.connect(self.edit_operator)
        self.toggle_button.clicked.connect(self.toggle_active)
        self.pin_button.clicked.connect(self.set_pin)
        self.view.doubleClicked.connect(lambda _i: self.edit_operator())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    def _load_rows(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        current = self.ctx.service.operator_id
        rows = auth.operator_rows(self.ctx.store, ids)
        return {i: {**r, "current": i == current} for i, r in rows.items()}

    def _sort_by(self, section: int) -> None:
        col = self.model.columns[section]
        if col.key not in self.SORTABLE:
            return
        self.sort_desc = not self.sort_desc if col.key == self.sort_key else False
        self.sort_key = col.key
        order = Qt.SortOrder.DescendingOrder if self.sort_desc else Qt.SortOrder.AscendingOrder
        self.view.horizontalHeader().setSortIndicator(section, order)
        self.refresh()

    def refresh(self) -> None:
        store, key, desc = self.ctx.store, self.sort_key, self.sort_desc
        Op(self, lambda: auth.operator_ids(store, key, desc)).success(self._set_ids).run()

    def _set_ids(self, ids: list[str]) -> None:
        selected = self.selected_id()
        self.model.set_ids(ids)
        if selected:
            row = self.model.row_of(selected)
            if row >= 0:
                self.view.selectRow(row)
        self._update_buttons()

    def selected_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.id_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        row = self.view.selectionModel().selectedRows()
        rec = self.model.record(row[0].row()) if row else None
        self.edit_button.setEnabled(rec is not None)
        self.toggle_button.setEnabled(rec is not None)
        self.toggle_button.setText("启用" if rec is not None and not rec["active"] else "停用")
        self.pin_button.setEnabled(rec is not None and bool(rec["active"]))

    def _form(self) -> RecordForm:
        return RecordForm("operator", Catalogues.defaults(), today=self.ctx.today,
                          fields=["name", "post", "phone", "is_admin"])

    def add_operator(self) -> None:
        svc = self.ctx.service
        form = self._form()
        self.dialog = RecordDialog("添加操作员", form,
                                   lambda v: svc.create("operator", {**v, "active": True}), self)
        self.dialog.accepted.connect(self._saved)
        self.dialog.resize(480, 280)
        self.dialog.open()

    def edit_operator(self) -> None:
        row = self.view.selectionModel().selectedRows()
        rec = self.model.record(row[0].row()) if row else None
        if rec is None:
            return
        svc, op_id = self.ctx.service, rec["id"]
        form = self._form()
        form.set_values(rec)
        self.dialog = RecordDialog(f"修改操作员：{rec['name']}", form,
                                   lambda v: svc.update("operator", op_id, v), self)
        self.dialog.accepted.connect(self._saved)
        self.dialog.resize(480, 280)
        self.dialog.open()

    def _saved(self) -> None:
        rec = self.dialog.result_record if self.dialog is not None else None
        if rec:
            self._message(self.message, f"已保存操作员“{rec['name']}”。")
        self.model.invalidate()
        self.refresh()
        self.ctx.data_changed.emit("operator")

    def set_pin(self) -> QDialog | None:
        """设置 PIN for the selected operator (one's own needs the old PIN)."""
        row = self.view.selectionModel().selectedRows()
        rec = self.model.record(row[0].row()) if row else None
        if rec is None:
            return None
        own = rec["id"] == self.ctx.service.operator_id
        self.pin_dialog = open_set_pin(self.ctx, self, rec["id"], rec["name"],
                                       needs_old=own and bool(rec["has_pin"]))
        self.pin_dialog.accepted.connect(self._pin_saved)
        return self.pin_dialog

    def _pin_saved(self) -> None:
        self._message(self.message, "PIN 已设置。下次打开程序或解锁时请输入新 PIN。")
        self.model.invalidate()
        self.refresh()

    def toggle_active(self) -> None:
        row = self.view.selectionModel().selectedRows()
        rec = self.model.record(row[0].row()) if row else None
        if rec is None:
            return
        if rec["active"] and rec["id"] == self.ctx.service.operator_id:
            self._message(self.message, f"“{rec['name']}”正在使用本程序，不能停用自己。"
                          "请换其他操作员登录后再停用。", error=True)
            return
        svc, op_id, active = self.ctx.service, rec["id"], not rec["active"]

        def done(_row: Any) -> None:
            self._message(self.message, f"已{'启用' if active else '停用'}“{rec['name']}”。")
            self.model.invalidate()
            self.refresh()

        self.ctx.run(self, lambda: svc.update("operator", op_id, {"active": active}), done,
                     changed="operator")

    def save_state(self) -> None:
        self.ctx.config.save_state("settings_operators_header",
                                   self.view.horizontalHeader().saveState())
