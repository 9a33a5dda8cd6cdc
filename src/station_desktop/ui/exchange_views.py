"""The two lists of 数据交换: conflicts to review, and (county) the enrolled stations.

Both are small computed tables (RowsModel) reloaded on the worker. A
conflict is closed with 保留现值 / 采用落选值 / 修改…; each is one
``services.sync.review.resolve`` call, after which the list reloads and the shell hears
that the record's kind changed. The stations list marks a station stale
when its last bundle is older than :data:`STALE_DAYS` (or it never sent one).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from station_desktop.services.sync.review import resolve
from station_desktop.store.county import DEFAULT_STALE_DAYS, is_stale
from station_desktop.sync import review
from station_desktop.sync.review import Conflict
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.table import RowsModel, local_time, make_table_view, read_only_rows
from station_desktop.ui.widgets import text_label

STALE_DAYS = DEFAULT_STALE_DAYS  # the same age as the 全县概览 page
STALE_BRUSH = QBrush(QColor("#fde2c8"))
STATE_LABELS = {"active": "有效", "revoked": "已注销"}


def fit_columns(view: QTableView) -> None:
    """Columns as wide as their contents (codes and fingerprints are never cut), the last stretched."""
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)


def value_text(field: str, value: Any) -> str:
    """A stored field value as the cadre reads it."""
    if field == "deleted_at":
        return f"已删除（{local_time(value)}）" if value else "未删除"
    if value is None or value == "":
        return "（空）"
    if isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return value
        if isinstance(items, list):
            return "、".join(map(str, items))
    return str(value)


def editable_text(field: str, value: Any) -> str:
    """The value as a starting point for 修改…"""
    text = value_text(field, value)
    return "" if text == "（空）" else text


# --- conflicts ----------------------------------------------------------------------------


class ConflictsPanel(QWidget):
    """Open conflicts with the three ways to close each."""

    #: The number of open conflicts after each load.
    loaded = Signal(int)

    HEADERS = ("记录", "项目", "现值", "现值来自", "落选值", "落选值来自", "发现时间")

    def __init__(self, ctx: AppContext, names: Callable[[str], str]):
        super().__init__()
        self.ctx = ctx
        self.names = names
        self.conflicts: list[Conflict] = []
        self.model = RowsModel(list(self.HEADERS), parent=self)
        self.view = make_table_view(self.model, "conflicts_table")
        read_only_rows(self.view)
        fit_columns(self.view)
        self.view.doubleClicked.connect(lambda _i: self.edit())
        self.empty = text_label("没有待处理的冲突。", "no_conflicts", style="color: #2e7d32;")
        explain = QLabel("两边在两次交换之间改了同一项时，较新的修改生效（现值），另一个值（落选值）"
                         "列在这里请您确认：保留现值、改用落选值，或改成正确的值。"
                         "处理结果会在下次交换时带给对方。")
        explain.setWordWrap(True)
        explain.setStyleSheet("color: #666;")
        self.keep_button = QPushButton("保留现值")
        self.keep_button.setObjectName("conflict_keep")
        self.take_button = QPushButton("采用落选值")
        self.take_button.setObjectName("conflict_take")
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("conflict_edit")
        self.keep_button.clicked.connect(lambda: self.resolve(review.KEEP))
        self.take_button.clicked.connect(lambda: self.resolve(review.TAKE))
        self.edit_button.clicked.connect(self.edit)
        bar = QHBoxLayout()
        for b in (self.keep_button, self.take_button, self.edit_button):
            bar.addWidget(b)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        self.view.selectionModel().selectionChanged.connect(self._update)
        self._update()

    def refresh(self) -> None:
        store = self.ctx.store
        Op(self, lambda: review.conflicts(store)).success(self._show).run()

    def _show(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        self.model.set_rows([
            (c.record, c.field_label, value_text(c.field, c.kept), self.names(c.kept_from),
             value_text(c.field, c.lost), self.names(c.lost_from), local_time(c.at))
            for c in conflicts], keys=[c.id for c in conflicts])
        self.empty.setVisible(not conflicts)
        if conflicts:
            self.view.selectRow(0)
        self._update()
        self.loaded.emit(len(conflicts))

    def current(self) -> Conflict | None:
        rows = self.view.selectionModel().selectedRows()
        return self.conflicts[rows[0].row()] if rows else None

    def _update(self, *_args: Any) -> None:
        on = self.current() is not None
        for b in (self.keep_button, self.take_button, self.edit_button):
            b.setEnabled(on)

    def resolve(self, action: str, value: Any = None) -> Op | None:
        c = self.current()
        if c is None:
            return None
        store, op_id = self.ctx.store, self.ctx.service.operator_id

        def done(_r: Any) -> None:
            self.ctx.data_changed.emit(c.table_name)
            self.refresh()

        return Op(self, lambda: resolve(store, c.id, action, value, operator_id=op_id)) \
            .success(done).run()

    def edit_dialog(self) -> QInputDialog | None:
        """The 修改… box (window-modal, not blocking); OK resolves with the typed value."""
        c = self.current()
        if c is None:
            return None
        box = QInputDialog(self)
        box.setWindowTitle("修改")
        box.setLabelText(f"{c.record}：{c.field_label}\n现值：{value_text(c.field, c.kept)}\n"
                         f"落选值：{value_text(c.field, c.lost)}\n\n请填写正确的值：")
        box.setTextValue(editable_text(c.field, c.kept))
        box.setOkButtonText("保存")
        box.setCancelButtonText("取消")
        box.textValueSelected.connect(lambda text: self.resolve(review.EDIT, text))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        box.findChild(QLineEdit).setFocus()
        return box

    def edit(self) -> None:
        self.edit_dialog()


# --- stations (county) ----------------------------------------------------------------------


class StationsModel(RowsModel):
    """RowsModel whose stale rows are shaded."""

    def __init__(self, headers: list[str], parent: Any = None):
        super().__init__(headers, parent=parent)
        self.stale: set[int] = set()

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and index.isValid() and index.row() in self.stale:
            return STALE_BRUSH
        return super().data(index, role)


class StationsPanel(QWidget):
    """Every enrolled station; right-click for 恢复包 / 注销 / 指纹."""

    HEADERS = ["服务站", "代码", "密钥指纹", "状态", "最近收到数据包", "已收到变更至", "缺失的变更",
               "人员", "走访", "帮扶", "纠纷", "待处理冲突"]

    def __init__(self, ctx: AppContext, *, on_restore: Callable[[str], None],
                 on_revoke: Callable[[str], None], on_fingerprint: Callable[[str], None]):
        super().__init__()
        self.ctx = ctx
        self.rows: list[dict[str, Any]] = []
        self.on_restore, self.on_revoke, self.on_fingerprint = on_restore, on_revoke, on_fingerprint
        self.model = StationsModel(self.HEADERS, parent=self)
        self.view = make_table_view(self.model, "stations_table")
        read_only_rows(self.view)
        fit_columns(self.view)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(
            lambda pos: self._menu_at(self.view.viewport().mapToGlobal(pos), self.view.indexAt(pos)))
        self.stale_label = text_label("", "stale_stations", style="color: #a04000;", wrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"右键点一行可导出恢复包、注销密钥或查看指纹。"
                                f"底色标出的服务站超过 {STALE_DAYS} 天没有送来数据包。"))
        layout.addWidget(self.stale_label)
        layout.addWidget(self.view, 1)

    def refresh(self) -> None:
        store = self.ctx.store
        Op(self, lambda: review.stations_overview(store)).success(self._show).run()

    def _show(self, rows: list[dict[str, Any]]) -> None:
        today = self.ctx.today
        self.rows = rows
        self.model.stale = {i for i, r in enumerate(rows) if r["state"] == "active"
                            and is_stale(r["last_bundle_at"], today, STALE_DAYS)}
        self.model.set_rows([
            (r["name"], r["code"], r["fingerprint"], STATE_LABELS.get(r["state"], r["state"]),
             local_time(r["last_bundle_at"], empty="从未收到"), r["received_seq"],
             "；".join(f"第 {a}–{b} 号" for a, b in r["gaps"]) or "无",
             r["persons"], r["visits"], r["aid"], r["cases"], r["conflicts"])
            for r in rows], keys=[r["code"] for r in rows])
        stale = [rows[i]["name"] for i in sorted(self.model.stale)]
        self.stale_label.setText(
            f"{len(stale)} 个服务站超过 {STALE_DAYS} 天没有送来数据包：{'、'.join(stale)}" if stale else "")
        self.stale_label.setVisible(bool(stale))

    def code_at(self, row: int) -> str | None:
        return self.model.key_at(row)

    def menu_for(self, code: str) -> QMenu:
        row = next(r for r in self.rows if r["code"] == code)
        menu = QMenu(self)
        restore = menu.addAction("导出恢复包…")
        restore.triggered.connect(lambda: self.on_restore(code))
        revoke = menu.addAction("注销密钥…")
        revoke.triggered.connect(lambda: self.on_revoke(code))
        fp = menu.addAction("查看密钥指纹")
        fp.triggered.connect(lambda: self.on_fingerprint(code))
        active = row["state"] == "active"
        restore.setEnabled(active)
        revoke.setEnabled(active)
        return menu

    def _menu_at(self, global_pos: Any, index: QModelIndex) -> None:
        code = self.code_at(index.row()) if index.isValid() else None
        if code is not None:
            self.menu_for(code).popup(global_pos)
