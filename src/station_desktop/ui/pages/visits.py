"""走访慰问: every visit and contact, filtered by period, kind and visitor.

The ids of the visits shown are fetched on the worker, filtered and sorted
in SQL; rows are loaded in blocks as the list scrolls. From here a cadre
records a visit (choosing the person with the search), registers a major
life event, or runs a holiday campaign.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHeaderView,
    QLabel,
    QMenu,
    QTableView,
    QVBoxLayout,
)

from station_desktop.domain import enums
from station_desktop.domain.validate import format_fen
from station_desktop.store import visits as sv
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.base import ShownPage
from station_desktop.ui.table import Column, LazyTableModel, add_export_action, read_only_rows
from station_desktop.ui.visit_dialog import (
    HINT_STYLE,
    open_campaigns,
    open_visit_dialog,
    pick_and_record_visit,
    pick_and_register_life_event,
    yuan,
)
from station_desktop.ui.widgets import STRETCH, hbox, push_button, pydate, qdate, text_label

STATE_KEY = "visits/header"
CUSTOM = "custom"
SUMMARY_LEN = 40


def _method_label(value: Any, _row: dict[str, Any]) -> str:
    try:
        return enums.VisitMethod(value).label
    except ValueError:
        return str(value or "")


def _summary(value: Any, _row: dict[str, Any]) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= SUMMARY_LEN else text[:SUMMARY_LEN] + "…"


class VisitsPage(ShownPage):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        cats = ctx.catalogues()

        # filters
        self.period = QComboBox()
        self.period.setObjectName("visits_period")
        for key, label in sv.PERIODS.items():
            self.period.addItem(label, key)
        self.period.addItem("指定日期…", CUSTOM)
        self.period.setCurrentIndex(self.period.findData("quarter"))
        self.date_from = QDateEdit()
        self.date_from.setObjectName("visits_from")
        self.date_to = QDateEdit()
        self.date_to.setObjectName("visits_to")
        for w in (self.date_from, self.date_to):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
        self.kind = QComboBox()
        self.kind.setObjectName("visits_kind")
        self.kind.addItem("全部类型", None)
        for e in cats.entries("visit_kind"):
            self.kind.addItem(e.name, e.code)
        self.operator = QComboBox()
        self.operator.setObjectName("visits_operator")
        self.operator.addItem("全部走访人", None)
        self.operator.setMinimumContentsLength(8)

        self.record_button = push_button(
            "记录走访…", "visits_record", self.record_visit, height=32,
            tip="先找到人员，再记录一次走访或联系（Ctrl+R）")
        self.event_button = push_button(
            "登记重大变故…", "visits_life_event", self.register_life_event, height=32,
            tip="人员家中发生重大变故（住院、去世、受灾等），登记后按期走访（六必访）")
        self.campaign_button = push_button(
            "节日慰问活动…", "visits_campaigns", self.campaigns, height=32,
            tip="春节、八一、重阳等节日，为一批人员统一记录或安排走访")

        filters = hbox("时间：", self.period, self.date_from, "至", self.date_to, 12,
                       "类型：", self.kind, 12, "走访人：", self.operator, STRETCH)
        self.summary = QLabel()
        self.summary.setObjectName("visits_summary")
        actions = hbox(self.record_button, self.event_button, self.campaign_button, STRETCH,
                       self.summary)

        # the list
        self.model = LazyTableModel([
            Column("visit_date", "日期", width=100),
            Column("name", "姓名", width=90),
            Column("kind", "类型", lambda v, r: cats.name("visit_kind", v) if v else "",
                   width=130),
            Column("method", "方式", _method_label, width=60),
            Column("visitor", "走访人", width=130),
            Column("content", "内容摘要", _summary, width=360),
            Column("money_fen", "慰问金", lambda v, r: yuan(v), width=100),
        ], load_rows=lambda ids: sv.visit_rows(ctx.store, ids), parent=self)
        self.view = QTableView()
        self.view.setObjectName("visits_table")
        self.view.setModel(self.model)
        add_export_action(self.view, self.model, "走访记录")
        read_only_rows(self.view)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 12)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        for i, col in enumerate(self.model.columns):
            self.view.setColumnWidth(i, col.width)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        state = ctx.config.state(STATE_KEY)
        if state is not None:
            header.restoreState(state)
        header.sortIndicatorChanged.connect(lambda *_: self.reload())
        self.view.doubleClicked.connect(self._open_person)
        self.view.setToolTip("双击一行打开此人的档案；右键可为此人再记一次走访")
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.empty = text_label("这段时间还没有走访记录。点“记录走访”添加，或换一个时间范围。",
                                "visits_empty", style=HINT_STYLE + "padding: 16px;")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty)

        shortcut = QShortcut(QKeySequence("Ctrl+R"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.record_visit)

        self._seq = 0
        self._stale = True
        self.loads = 0  # completed loads (tests wait on this)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.date_from.dateChanged.connect(lambda _d: self._custom_changed())
        self.date_to.dateChanged.connect(lambda _d: self._custom_changed())
        self.kind.currentIndexChanged.connect(lambda _i: self.reload())
        self.operator.currentIndexChanged.connect(lambda _i: self.reload())
        ctx.data_changed.connect(self._on_changed)
        self._set_dates_from_period()

    # --- filters -------------------------------------------------------------------

    def _set_dates_from_period(self) -> None:
        key = self.period.currentData()
        custom = key == CUSTOM
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        if custom:
            return
        start, end = sv.period_bounds(key, self.ctx.today)
        for w, d in ((self.date_from, start), (self.date_to, end)):
            w.blockSignals(True)
            w.setDate(qdate(d) if d else QDate())
            w.setSpecialValueText("" if d else "不限")
            if d is None:
                w.setDate(w.minimumDate())
            w.blockSignals(False)

    def _period_changed(self, _i: int) -> None:
        if self.period.currentData() == CUSTOM:
            # Start from what was shown, so the dates are sensible to adjust.
            start, end = sv.period_bounds("month", self.ctx.today)
            for w, d in ((self.date_from, start), (self.date_to, end)):
                w.setSpecialValueText("")
                if w.date() == w.minimumDate():
                    w.blockSignals(True)
                    w.setDate(qdate(d))  # type: ignore[arg-type]
                    w.blockSignals(False)
        self._set_dates_from_period()
        self.reload()

    def _custom_changed(self) -> None:
        if self.period.currentData() == CUSTOM:
            self.reload()

    def current_filter(self) -> sv.VisitFilter:
        key = self.period.currentData()
        if key == CUSTOM:
            start: date | None = pydate(self.date_from.date())
            end: date | None = pydate(self.date_to.date())
            if start and end and end < start:
                start, end = end, start
        else:
            start, end = sv.period_bounds(key, self.ctx.today)
        return sv.VisitFilter(start=start, end=end, kind=self.kind.currentData(),
                              operator_id=self.operator.currentData())

    def sort(self) -> tuple[str, bool]:
        header = self.view.horizontalHeader()
        col = header.sortIndicatorSection()
        key = self.model.columns[col].key if 0 <= col < len(self.model.columns) else "visit_date"
        return key, header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

    # --- loading -------------------------------------------------------------------

    def refresh(self) -> None:
        """Called when the page is shown: reload the list and the visitor choices."""
        self._stale = False
        self._load_operators()
        self.reload()

    def _on_changed(self, kind: str) -> None:
        if kind not in ("visit", "person", "operator", "campaign", "*"):
            return
        if self.isVisible():
            if kind in ("operator", "*"):
                self._load_operators()
            self.reload()
        else:
            self._stale = True

    def _load_operators(self) -> None:
        store = self.ctx.store

        def fill(choices: list[tuple[str, str]]) -> None:
            current = self.operator.currentData()
            self.operator.blockSignals(True)
            self.operator.clear()
            self.operator.addItem("全部走访人", None)
            for op_id, name in choices:
                self.operator.addItem(name, op_id)
            self.operator.setCurrentIndex(max(0, self.operator.findData(current)))
            self.operator.blockSignals(False)

        Op(self, lambda: sv.operator_choices(store)).success(fill).run()

    def reload(self) -> None:
        self._seq += 1
        seq = self._seq
        flt = self.current_filter()
        key, desc = self.sort()
        store = self.ctx.store

        def load() -> tuple[list[str], dict[str, int]]:
            return sv.visit_ids(store, flt, sort=key, desc=desc), sv.visit_summary(store, flt)

        def show(result: tuple[list[str], dict[str, int]]) -> None:
            if seq != self._seq:
                return
            ids, summary = result
            self.model.set_ids(ids)
            self.empty.setVisible(not ids)
            money = summary["money_fen"]
            self.summary.setText(
                f"共 {summary['visits']} 条走访，涉及 {summary['persons']} 人"
                + (f"，慰问金 {format_fen(money)} 元" if money else ""))
            self.loads += 1

        Op(self, load).success(show).run()

    # --- actions -------------------------------------------------------------------

    def _open_person(self, index: QModelIndex) -> None:
        rec = self.model.record(index.row())
        if rec is not None:
            self.ctx.open_person.emit(rec["person_id"])

    def _context_menu(self, pos: Any) -> None:
        rec = self.model.record(self.view.indexAt(pos).row())
        if rec is None:
            return
        menu = QMenu(self)
        menu.addAction("打开档案", lambda: self.ctx.open_person.emit(rec["person_id"]))
        menu.addAction(f"为{rec['name']}再记一次走访",
                       lambda: open_visit_dialog(self.ctx, rec["person_id"], self))
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def record_visit(self) -> None:
        pick_and_record_visit(self.ctx, self)

    def register_life_event(self) -> None:
        pick_and_register_life_event(self.ctx, self)

    def campaigns(self) -> None:
        open_campaigns(self.ctx, self)

    def save_state(self) -> None:
        self.ctx.config.save_state(STATE_KEY, self.view.horizontalHeader().saveState())
