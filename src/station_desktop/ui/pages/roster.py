"""人员档案: the whole roster in one list, filtered and sorted, 100 000 rows smoothly.

The id list for the current filters and sort comes from one query on the
worker (:func:`station_desktop.store.roster.roster_ids`); the rows are
read 200 at a time when the view shows them (:func:`rows_by_ids`). Header
clicks re-query the ids in the new order (pinyin order for 姓名).

ID numbers are masked in the list (``420303********1234``): the list is
what stays on screen while a cadre talks to visitors, and the birth date
has its own column, so the middle eight digits add nothing there. The full
number is shown in the person's file, which is opened on purpose.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain import enums, rules
from station_desktop.domain.catalogues import Catalogues
from station_desktop.store.display import mask_id_number
from station_desktop.store.roster import SORTS, RosterFilter, roster_ids, rows_by_ids
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.person_file import (
    BANNER_STYLE,
    MUTED_STYLE,
    PersonAddDialog,
    PersonFileDialog,
    alive,
    confirm,
    open_add_person,
)
from station_desktop.ui.table import Column, LazyTableModel, add_export_action, read_only_rows
from station_desktop.ui.widgets import STRETCH, hbox, push_button, text_label

STATE_KEY = "roster/header"
#: Record kinds whose change can alter the list (names, contact dates, overdue).
RELOAD_KINDS = frozenset({"*", "person", "visit", "catalogue_item"})
OVERDUE_COLOR = QColor("#b00020")
CATEGORY_COLUMN = 4
#: Typical widest content per column, to size the columns for the font in use.
COLUMN_SAMPLES = {
    "name": "欧阳建国", "sex": "男", "birth_date": "1953-05-02（73岁）",
    "id_number": "420303********9055", "categories": "退役士兵、残疾军人",
    "phone": "0719-12345678", "last_contact_on": "2026-07-30（逾期）", "key_focus": "★ 重点",
}


class RosterModel(LazyTableModel):
    """The roster's rows; an overdue last contact is shown in red."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if not index.isValid() or self.columns[index.column()].key != "last_contact_on":
                return None
            rec = self.record(index.row())
            return QBrush(OVERDUE_COLOR) if rec and rec.get("overdue") else None
        return super().data(index, role)


class RosterPage(QWidget):
    """The 人员档案 page: filters, buttons, the list; double-click or Enter opens the file."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.cats: Catalogues | None = None
        self.sort_key = "name"
        self.descending = False
        self.loaded = False
        self._dirty = True
        self._seq = 0
        self.add_dialog: PersonAddDialog | None = None
        self.file_dialog: PersonFileDialog | None = None
        self.confirm_box: QMessageBox | None = None

        # --- buttons row
        self.add_button = self._button("新建档案", "roster_add", "新建一个人员档案（Ctrl+N）")
        self.open_button = self._button("打开档案", "roster_open", "打开选中人员的档案（回车）")
        self.visit_button = self._button("记录走访", "roster_visit",
                                         "为选中的人记录一次走访或联系（Ctrl+R）")
        self.delete_button = self._button("删除", "roster_delete",
                                          "把选中人员的档案移入回收站，可以恢复（Delete）")
        self.print_button = self._button("打印手册", "roster_print",
                                         "打印选中人员的建档立卡手册（先预览）")
        self.export_button = self._button("导出Excel", "roster_export", "把花名册导出为 Excel 表格")
        self.add_button.clicked.connect(self.add_person)
        self.open_button.clicked.connect(self.open_selected)
        self.visit_button.clicked.connect(self.record_visit)
        self.delete_button.clicked.connect(self.delete_selected)
        self.print_button.clicked.connect(self.print_selected)
        self.export_button.clicked.connect(self.export_roster)
        self.count_label = text_label("正在读取…", "roster_count", style="font-size: 14px;")
        buttons = QHBoxLayout()
        for b in (self.add_button, self.open_button, self.visit_button, self.delete_button,
                  self.print_button, self.export_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)

        # --- filters row
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("filter_category")
        self.category_combo.setMinimumContentsLength(12)
        self.category_combo.addItem("全部类别", None)
        self.tag_combo = QComboBox()
        self.tag_combo.setObjectName("filter_tag")
        self.tag_combo.setMinimumContentsLength(8)
        self.tag_combo.addItem("全部标签", None)
        self.key_focus_check = QCheckBox("只看重点关注")
        self.key_focus_check.setObjectName("filter_key_focus")
        self.overdue_check = QCheckBox("只看逾期未联系")
        self.overdue_check.setObjectName("filter_overdue")
        self.overdue_check.setToolTip("按各类人员的联系周期，已超过期限没有联系的人")
        self.clear_button = self._button("清除筛选", "filter_clear")
        self.clear_button.clicked.connect(self.clear_filters)
        filters = hbox("人员类别", self.category_combo, 8, "标签", self.tag_combo, 8,
                       self.key_focus_check, self.overdue_check, self.clear_button, STRETCH)
        self.category_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.tag_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.key_focus_check.toggled.connect(lambda _b: self.reload())
        self.overdue_check.toggled.connect(lambda _b: self.reload())

        # --- message line (after a delete: undo)
        self.banner = QWidget()
        self.banner.setObjectName("roster_banner")
        self.banner_text = QLabel()
        self.banner_text.setStyleSheet(BANNER_STYLE)
        self.banner_action = self._button("撤销", "roster_banner_action")
        self.banner_action.clicked.connect(self._banner_clicked)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(0, 0, 0, 0)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(self.banner_action)
        self.banner.hide()
        self._banner_do: Any = None

        # --- the list
        today = ctx.today
        self.model = RosterModel(self.columns(today), self._load_rows, self)
        self.view = QTableView()
        self.view.setObjectName("roster_table")
        self.view.setModel(self.model)
        read_only_rows(self.view)
        # The file gets the full ID numbers the screen masks.
        self.export_columns = [replace(c, format=None) if c.key == "id_number" else c
                               for c in self.model.columns]
        add_export_action(self.view, self.model, "花名册", self.export_columns)
        self.view.setWordWrap(False)
        vheader = self.view.verticalHeader()
        vheader.hide()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(30)
        header = self.view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        # Widths from the font in use (the larger-font setting changes them).
        fm = self.view.fontMetrics()
        for i, col in enumerate(self.model.columns):
            sample = COLUMN_SAMPLES.get(col.key)
            width = fm.horizontalAdvance(sample) + 14 if sample else col.width
            header.resizeSection(i, max(width, fm.horizontalAdvance(col.title) + 24))
        # 人员类别 takes the room left over (the longest texts are there).
        header.setStretchLastSection(False)
        header.setSectionResizeMode(CATEGORY_COLUMN, QHeaderView.ResizeMode.Stretch)
        state = ctx.config.state(STATE_KEY)
        if state is not None:
            header.restoreState(state)
        section = header.sortIndicatorSection()
        if 0 <= section < len(self.model.columns) and state is not None:
            self.sort_key = self.model.columns[section].key
            self.descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        else:
            header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.view.doubleClicked.connect(self._activated)
        self.view.installEventFilter(self)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.empty = QLabel()
        self.empty.setObjectName("roster_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(MUTED_STYLE + " font-size: 15px;")
        self.body = QStackedWidget()
        self.body.addWidget(self.view)
        self.body.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(filters)
        layout.addWidget(self.banner)
        layout.addWidget(self.body, 1)

        shortcut = QShortcut(QKeySequence("Ctrl+R"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.record_visit)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_selected)

        ctx.data_changed.connect(self._on_data_changed)
        self._update_buttons()
        # Nothing is read until the page is first shown (the shell builds every
        # page at start-up; the roster's query should not delay the home page).

    # --- construction helpers ------------------------------------------------------

    @staticmethod
    def _button(text: str, name: str, tip: str = "") -> QPushButton:
        return push_button(text, name, tip=tip, height=32, width=84)

    def columns(self, today: date) -> list[Column]:
        def cats_text(value: Any, _row: dict) -> str:
            if not value or self.cats is None:
                return ""
            return "、".join(self.cats.name("person_category", c) for c in value)

        def sex_text(value: Any, _row: dict) -> str:
            try:
                return enums.Sex(value).label
            except ValueError:
                return value or ""

        def birth_text(value: Any, _row: dict) -> str:
            if not value:
                return ""
            return f"{value}（{rules.age_on(date.fromisoformat(value), today)}岁）"

        def contact_text(value: Any, row: dict) -> str:
            text = value or "未联系"
            return f"{text}（逾期）" if row.get("overdue") else text

        return [
            Column("name", "姓名", width=90),
            Column("sex", "性别", sex_text, width=48),
            Column("birth_date", "出生日期/年龄", birth_text, width=155),
            Column("id_number", "身份证号", lambda v, _r: mask_id_number(v), width=155),
            Column("categories", "人员类别", cats_text, width=210),
            Column("phone", "联系电话", width=112),
            Column("last_contact_on", "最近联系", contact_text, width=155),
            Column("key_focus", "重点关注", lambda v, _r: "★ 重点" if v else "", width=80),
        ]

    def _load_rows(self, ids: list[str]) -> dict[str, dict]:
        return rows_by_ids(self.ctx.store, ids, cats=self.cats, today=self.ctx.today)

    # --- filters and loading ------------------------------------------------------------

    def current_filter(self) -> RosterFilter:
        return RosterFilter(
            category=self.category_combo.currentData(),
            tag=self.tag_combo.currentData(),
            key_focus=self.key_focus_check.isChecked(),
            overdue=self.overdue_check.isChecked(),
        )

    def _fill_filters(self, cats: Catalogues) -> None:
        self.cats = cats
        for combo, kind in ((self.category_combo, "person_category"), (self.tag_combo, "tag")):
            if combo.count() > 1:
                continue
            combo.blockSignals(True)
            for e in cats.entries(kind):
                combo.addItem(e.name, e.code)
            combo.blockSignals(False)

    def clear_filters(self) -> None:
        for w in (self.category_combo, self.tag_combo, self.key_focus_check, self.overdue_check):
            w.blockSignals(True)
        self.category_combo.setCurrentIndex(0)
        self.tag_combo.setCurrentIndex(0)
        self.key_focus_check.setChecked(False)
        self.overdue_check.setChecked(False)
        for w in (self.category_combo, self.tag_combo, self.key_focus_check, self.overdue_check):
            w.blockSignals(False)
        self.reload()

    def refresh(self) -> None:
        """Called when the page is shown: re-read only if something changed meanwhile."""
        if self._dirty:
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh()

    def reload(self) -> None:
        """Fetch the id list for the current filters and sort on the worker."""
        self._seq += 1
        seq = self._seq
        self._dirty = False
        flt, sort, desc = self.current_filter(), self.sort_key, self.descending
        ctx = self.ctx
        store = ctx.store

        def query() -> tuple[Catalogues, list[str]]:
            cats = ctx.catalogues()
            return cats, roster_ids(store, flt, cats=cats, today=ctx.today, sort=sort,
                                    descending=desc)

        Op(self, query).success(lambda r: self._show_ids(seq, flt, *r)).run()

    def _show_ids(self, seq: int, flt: RosterFilter, cats: Catalogues, ids: list[str]) -> None:
        if seq != self._seq or not alive(self):
            return
        self._fill_filters(cats)
        selected = self.selected_id()
        scroll = self.view.verticalScrollBar().value()
        first = not self.loaded
        self.model.set_ids(ids)
        self.loaded = True
        n = len(ids)
        if flt.empty:
            self.count_label.setText(f"共 {n} 人")
            self.empty.setText("还没有人员档案。\n点左上角“新建档案”开始建档。")
        else:
            self.count_label.setText(f"共 {n} 人（已筛选）")
            self.empty.setText("没有符合筛选条件的人员。\n可以换个条件，或点“清除筛选”。")
        self.body.setCurrentIndex(0 if n else 1)
        wanted, self._select_after_reload = self._select_after_reload, None
        if wanted and self.select_person(wanted):
            self._update_buttons()
            return
        row = self.model.row_of(selected) if selected else -1
        if row >= 0:
            self.view.selectRow(row)
        if not first:
            self.view.verticalScrollBar().setValue(scroll)
            if row >= 0:
                self.view.scrollTo(self.model.index(row, 0))
        self._update_buttons()

    def _sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        key = self.model.columns[section].key
        if key not in SORTS:
            return
        self.sort_key = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def _on_data_changed(self, kind: str) -> None:
        if kind not in RELOAD_KINDS:
            return
        self.model.invalidate()
        if self.isVisible():
            self.reload()
        else:
            self._dirty = True

    def save_state(self) -> None:
        self.ctx.config.save_state(STATE_KEY, self.view.horizontalHeader().saveState())

    # --- selection and actions ------------------------------------------------------------

    def selected_id(self) -> str | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.id_at(index.row())

    def print_selected(self) -> None:
        from station_desktop.ui.printing import print_person

        pid = self.selected_id()
        if pid is None:
            QMessageBox.information(self, "打印手册", "请先在列表中选中一个人。")
            return
        record = self.model.record(self.model.row_of(pid)) or {}
        self.last_print = print_person(self.ctx, self, pid, record.get("name") or "人员")

    def export_roster(self) -> None:
        from station_desktop.ui.printing import export_to_excel

        export_to_excel(self.ctx, self, "person")

    def select_person(self, person_id: str) -> bool:
        row = self.model.row_of(person_id)
        if row >= 0:
            self.view.selectRow(row)
            self.view.scrollTo(self.model.index(row, 0),
                               QAbstractItemView.ScrollHint.PositionAtCenter)
        return row >= 0

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        for b in (self.open_button, self.visit_button, self.delete_button):
            b.setEnabled(has)

    def _activated(self, index: QModelIndex) -> None:
        pid = self.model.id_at(index.row())
        if pid:
            self.open_file(pid)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.view and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # type: ignore[attr-defined]
                self.open_selected()
                return True
        return super().eventFilter(obj, event)

    def open_selected(self) -> None:
        pid = self.selected_id()
        if pid:
            self.open_file(pid)

    def open_file(self, person_id: str) -> PersonFileDialog:
        dialog = PersonFileDialog(self.ctx, person_id, self.window())
        dialog.open()
        self.file_dialog = dialog
        return dialog

    def add_person(self) -> None:
        """新建档案 (also the shell's Ctrl+N)."""

        def opened(dialog: PersonAddDialog) -> None:
            self.add_dialog = dialog

        def saved(record: dict[str, Any]) -> None:
            self.show_banner(f"已为“{record['name']}”建档。", "打开档案",
                             lambda: self.open_file(record["id"]))
            self._select_after_reload = record["id"]

        open_add_person(self.ctx, self, on_saved=saved, on_open=opened)

    def record_visit(self) -> None:
        pid = self.selected_id()
        if not pid:
            self.show_banner("请先在列表中选中要走访的人。")
            return
        from station_desktop.ui.visit_dialog import open_visit_dialog

        open_visit_dialog(self.ctx, pid, self)

    def delete_selected(self) -> None:
        pid = self.selected_id()
        if not pid:
            return
        rec = self.model.record(self.model.row_of(pid)) or {}
        name = rec.get("name", "")
        svc = self.ctx.service

        def deleted(_result: Any) -> None:
            self.show_banner(f"已将“{name}”的档案移入回收站。", "撤销",
                             lambda: self._restore(pid, name))

        def delete() -> None:
            self.ctx.run(self, lambda: svc.delete("person", pid), deleted, changed="person")

        self.confirm_box = confirm(
            self, "删除档案",
            f"确定把“{name}”的档案移入回收站吗？\n\n走访、帮扶等记录都会保留；"
            "需要时可以点“撤销”，或在“设置→回收站”中恢复。", "移入回收站", delete)

    def _restore(self, pid: str, name: str) -> None:
        svc = self.ctx.service

        def restored(_result: Any) -> None:
            self.show_banner(f"已恢复“{name}”的档案。")
            self._select_after_reload = pid

        self.ctx.run(self, lambda: svc.restore("person", pid), restored, changed="person")

    # --- the message line ----------------------------------------------------------------------

    _select_after_reload: str | None = None

    def show_banner(self, text: str, action: str | None = None, do: Any = None) -> None:
        self.banner_text.setText(text)
        self.banner_action.setText(action or "")
        self.banner_action.setVisible(bool(action))
        self._banner_do = do
        self.banner.show()

    def _banner_clicked(self) -> None:
        do, self._banner_do = self._banner_do, None
        self.banner.hide()
        if do is not None:
            do()
