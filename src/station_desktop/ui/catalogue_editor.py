"""The county's catalogue editor and the station's list of what the county changed (issue 7, item 5).

:class:`EntryDialog` edits one entry (name, 停用, the kind's rule values from
:data:`station_desktop.store.catalogue_admin.RULE_FIELDS`) and saves it on the
worker. :class:`CountyChangesDialog` lists the catalogue changes that arrived
from the county, newest first, and marks them seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.catalogues import KIND_LABELS, CatalogueEntry, Catalogues
from station_desktop.domain.errors import StationError
from station_desktop.services import catalogues as catalogue_edits
from station_desktop.store import catalogue_admin as ca
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import show_error
from station_desktop.ui.ops import Op
from station_desktop.ui.table import RowsModel, local_time, make_table_view
from station_desktop.ui.widgets import push_button, text_label


class EntryDialog(QDialog):
    """New entry (``entry`` None) or change one, in county role."""

    def __init__(self, ctx: AppContext, cats: Catalogues, kind: str,
                 entry: CatalogueEntry | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.cats = cats
        self.kind = kind
        self.entry = entry
        self.saved: dict[str, Any] | None = None
        label = KIND_LABELS.get(kind, kind)
        self.setWindowTitle(f"修改{label}：{entry.name}" if entry else f"新增{label}")
        self.name = QLineEdit(entry.name if entry else "")
        self.name.setObjectName("entry_name")
        self.name.setMaxLength(100)
        self.active = QCheckBox("使用中（取消勾选即停用；已有记录仍显示原名称）")
        self.active.setObjectName("entry_active")
        self.active.setChecked(entry.active if entry else True)
        self.inputs: dict[str, QWidget] = {}
        form = QFormLayout()
        form.addRow("名称：", self.name)
        data = dict(entry.data) if entry else {}
        for f in ca.fields_of(kind, entry):
            w = self._input(f, data.get(f.key))
            w.setObjectName(f"entry_{f.key}")
            self.inputs[f.key] = w
            form.addRow(f"{f.label}：", w)
        form.addRow("", self.active)
        self.message = text_label("", "entry_message", style="color: #b00;", wrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        hint = text_label("保存后，各站点在下一次收到县里的数据包时自动更新，并能看到改了什么。",
                          style="color: #555;", wrap=True)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _input(self, f: ca.RuleField, value: Any) -> QWidget:
        if f.type == "bool":
            box = QCheckBox()
            box.setChecked(bool(value))
            return box
        if f.type == "int":
            spin = QSpinBox()
            spin.setRange(f.low, f.high)
            if f.unit:
                spin.setSuffix(f" {f.unit}")
            spin.setValue(int(value) if value is not None else f.low)
            return spin
        if f.type == "choice":
            combo = QComboBox()
            pairs = ([(e.code, e.name) for e in self.cats.entries(f.choices_kind)]
                     if f.choices_kind else list(f.choices))
            for code, name in pairs:
                combo.addItem(name, code)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            return combo
        edit = QLineEdit(str(value or ""))
        edit.setMaxLength(50)
        return edit

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.inputs.items():
            if isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QSpinBox):
                out[key] = w.value()
            elif isinstance(w, QComboBox):
                out[key] = w.currentData()
            elif isinstance(w, QLineEdit):
                out[key] = w.text().strip()
        return out

    def save(self) -> Op:
        ctx, cats, kind = self.ctx, self.cats, self.kind
        code = self.entry.code if self.entry else None
        name, active, data = self.name.text().strip(), self.active.isChecked(), self.values()

        def work() -> dict[str, Any]:
            return catalogue_edits.save_entry(ctx.store, cats, ctx.service.operator_id, kind,
                                              code, name=name, active=active, data=data)

        def done(row: dict[str, Any]) -> None:
            self.saved = row
            ctx.service.reload_catalogues()
            ctx.data_changed.emit("catalogue_item")
            self.accept()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, StationError):
                self.message.setText(exc.user_text())
            else:
                show_error(self, exc)

        return Op(self, work).success(done).failure(failed).run()


class CountyChangesDialog(QDialog):
    """县里更新了目录: the county's catalogue changes, newest first; marks them seen."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.changes: list[ca.CatalogueChange] = []
        self.setWindowTitle("县里更新的目录")
        self.resize(820, 480)
        self.model = RowsModel(["收到时间", "目录", "条目", "改了什么"], parent=self)
        self.view = make_table_view(self.model, "county_changes")
        self.view.setWordWrap(True)
        self.summary = text_label("", "county_changes_summary", wrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("知道了")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.load()

    def load(self) -> Op:
        store, cats, op = self.ctx.store, self.ctx.catalogues(), self.ctx.service.operator_id

        def work() -> tuple[list[ca.CatalogueChange], int]:
            return catalogue_edits.look_at_county_changes(store, cats, op)

        return Op(self, work).success(lambda r: self._show(*r)).run()

    def _show(self, changes: list[ca.CatalogueChange], seen: int) -> None:
        self.changes = changes
        new = sum(1 for c in changes if c.seq > seen)
        self.summary.setText(
            (f"县服务中心共更新了 {len(changes)} 处目录，其中 {new} 处是新收到的（标“新”）。"
             "各项规则（如联系间隔、六必访期限）已随之生效。") if changes
            else "还没有收到县里对目录的更新。")
        self.model.set_rows(
            [(("新 " if c.seq > seen else "") + local_time(c.at), c.kind_label, c.name, c.what)
             for c in changes], keys=[c.seq for c in changes])


class CatalogueNotice(QWidget):
    """A yellow line on a station's home page: 县里更新了目录 (N 处), with 查看… (the dialog)."""

    STYLE = "background: #fff8e1; border: 1px solid #e6c65a; padding: 6px;"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.unseen = 0
        self.dialog: CountyChangesDialog | None = None
        self.setObjectName("home_catalogue_notice")
        self.setStyleSheet(self.STYLE)
        self.text = text_label("", "home_catalogue_text", wrap=True)
        self.button = push_button("查看…", "home_catalogue_show", self.show_changes)
        line = QHBoxLayout(self)
        line.setContentsMargins(6, 2, 6, 2)
        line.addWidget(self.text, 1)
        line.addWidget(self.button)
        self.hide()

    def refresh(self) -> Op | None:
        if self.ctx.store.meta("role") == "county":
            return None
        store, cats = self.ctx.store, self.ctx.catalogues()
        return Op(self, lambda: ca.unseen_count(store, cats)).success(self.show_count).run()

    def show_count(self, unseen: int) -> None:
        self.unseen = unseen
        self.text.setText(f"县里更新了目录（{unseen} 处），相关规则（如联系间隔、六必访期限）已生效。"
                          "请点“查看”了解改了什么。")
        self.setVisible(unseen > 0)

    def show_changes(self) -> CountyChangesDialog:
        self.dialog = open_county_changes(self.ctx, self, self.refresh)
        return self.dialog


def open_county_changes(ctx: AppContext, parent: QWidget,
                        closed: Callable[[], object]) -> CountyChangesDialog:
    """Open the list of the county's changes (not blocking); ``closed`` runs when it closes."""
    dialog = CountyChangesDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.finished.connect(lambda _r: closed())
    dialog.open()
    return dialog
