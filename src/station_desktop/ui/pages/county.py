"""全县概览: the county office's home page (issue 7).

The figures of the county, a town or a station for a chosen quarter or year,
each with the date of the newest data behind it; stale stations named at
the top. A figure opens its stations (largest first, stale ones marked),
a station or 全部记录 opens the records behind the figure, with a filter
box and right-click export like every list. Charts on the second tab.
Everything is read on the worker thread (``store.county``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.validate import format_fen
from station_desktop.services.county import county_view
from station_desktop.store import county as sc
from station_desktop.ui.charts import MUTED, Bar, BarChart
from station_desktop.ui.context import AppContext
from station_desktop.ui.pages.assessment import AssessmentTab
from station_desktop.ui.pages.base import ShownPage, scrolling
from station_desktop.ui.table import (
    Column,
    LazyTableModel,
    RowsModel,
    local_time,
    make_table_view,
    setup_list_view,
)
from station_desktop.ui.widgets import STRETCH, hbox, push_button, text_label


def _day(ts: str | None) -> str:
    return local_time(ts)[:10] if ts else "—"


def _money(fen: Any) -> str:
    return format_fen(int(fen)) if fen else ""


def _level(v: Any, _r: dict | None = None) -> str:
    return {"village": "村", "town": "镇", "county": "县"}.get(v, v or "")


class CountyPage(ShownPage):
    """Figures → stations → records, for the county, a town or one station."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.loads = 0
        self.fig: sc.CountyFigures | None = None
        self.charts_data: sc.ChartData | None = None
        self.key: str | None = None  # the figure opened
        self.station: str | None = None  # the station opened ("" = every station in scope)
        self.rows: dict[str, dict[str, Any]] = {}

        self.period = QComboBox()
        self.period.setObjectName("county_period")
        today = ctx.today
        self.period.addItem("本季度", ("now",))
        for y, q in sc.recent_quarters(today, 9)[1:]:
            self.period.addItem(f"{y}年第{q}季度", ("q", y, q))
        for y in range(today.year - 1, today.year - 4, -1):
            self.period.addItem(f"{y}年全年", ("y", y))
        self.scope = QComboBox()
        self.scope.setObjectName("county_scope")
        self.scope.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.scope.addItem("全县", "")
        self.stale_days = QSpinBox()
        self.stale_days.setObjectName("county_stale_days")
        self.stale_days.setRange(1, 365)
        self.stale_days.setValue(sc.DEFAULT_STALE_DAYS)
        self.stale_days.setSuffix(" 天")
        self.stale_days.setToolTip("站点最近一次数据包超过这么多天即标为“数据过期”")
        self.print_button = push_button("打印全县报表…", "county_print", self.print_report)
        bar = hbox("统计期：", self.period, "范围：", self.scope, "数据过期标准：", self.stale_days,
                   STRETCH, push_button("刷新", "", self.refresh), self.print_button)
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        self.stale_days.editingFinished.connect(self.refresh)

        self.stale_label = text_label("", "county_stale", style="color: #b35900;", wrap=True)

        # level 0: the figures
        self.figures = RowsModel(["指标", "数量", "金额（元）", "涉及站点", "最新数据"])
        self.figures_view = make_table_view(self.figures, "county_figures")
        self.figures_view.doubleClicked.connect(self._open_figure)
        # level 1: the stations of one figure
        self.stations = RowsModel(["站点", "站点代码", "数量", "金额（元）", "在册人数",
                                   "最新数据", "最近数据包", "状态"])
        self.stations_view = make_table_view(self.stations, "county_stations")
        self.stations_view.doubleClicked.connect(self._open_station)
        self.all_rows = push_button("查看全部记录", "county_all_rows", lambda: self.open_rows(""))
        stations_box = QWidget()
        sl = QVBoxLayout(stations_box)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.stations_view, 1)
        sl.addWidget(self.all_rows, 0, Qt.AlignmentFlag.AlignLeft)
        # level 2: the records
        self.filter = QLineEdit()
        self.filter.setObjectName("county_filter")
        self.filter.setPlaceholderText("筛选：输入姓名、站点、类别等任意文字")
        self.filter.textChanged.connect(self._apply_filter)
        self.records_view = QTableView()
        self.records_view.setObjectName("county_records")
        self.model: LazyTableModel | None = None
        records_box = QWidget()
        rl = QVBoxLayout(records_box)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.filter)
        rl.addWidget(self.records_view, 1)

        self.drill = QStackedWidget()
        for w in (self.figures_view, stations_box, records_box):
            self.drill.addWidget(w)
        self.back = push_button("◀ 返回", "county_back", self.go_back)
        self.crumb = QLabel()
        self.crumb.setObjectName("county_crumb")
        crumbs = QHBoxLayout()
        crumbs.addWidget(self.back)
        crumbs.addWidget(self.crumb, 1)
        figures_tab = QWidget()
        fl = QVBoxLayout(figures_tab)
        fl.addLayout(crumbs)
        fl.addWidget(self.drill, 1)

        self.coverage_chart = BarChart("本季度联系覆盖率（按站点，从低到高）", horizontal=True,
                                       fmt=lambda v: f"{v:.0%}")
        self.months_chart = BarChart("各月走访次数", fmt=lambda v: f"{v:.0f}")
        self.aid_chart = BarChart("本年帮扶发放（万元，按类型）", horizontal=True,
                                  fmt=lambda v: f"{v:.2f}")
        self.cases_chart = BarChart("本年纠纷办结层级（件）", fmt=lambda v: f"{v:.0f}")
        charts = QWidget()
        grid = QGridLayout(charts)
        grid.addWidget(self.months_chart, 0, 0)
        grid.addWidget(self.cases_chart, 0, 1)
        grid.addWidget(self.aid_chart, 1, 0, 1, 2)
        grid.addWidget(self.coverage_chart, 2, 0, 1, 2)

        self.tabs = QTabWidget()
        self.tabs.addTab(figures_tab, "指标")
        self.tabs.addTab(scrolling(charts), "图表")
        # 站点评估 (issue 7 item 4): read when its tab is opened
        self.assessment = AssessmentTab(ctx)
        self.tabs.addTab(self.assessment, "站点评估")
        self.tabs.currentChanged.connect(self._tab_changed)

        layout = QVBoxLayout(self)
        title = QLabel("全县概览")
        title.setStyleSheet("font-size: 18px; font-weight: bold;")
        layout.addWidget(title)
        layout.addLayout(bar)
        layout.addWidget(self.stale_label)
        layout.addWidget(self.tabs, 1)
        self._show_level(0)
        ctx.data_changed.connect(lambda _k: self.refresh_when_shown())

    # --- loading ------------------------------------------------------------------

    def selected_period(self) -> sc.CountyPeriod:
        today = self.ctx.today
        choice = self.period.currentData() or ("now",)
        if choice[0] == "q":
            return sc.CountyPeriod.quarter(choice[1], choice[2], today)
        if choice[0] == "y":
            return sc.CountyPeriod.year(choice[1], today)
        return sc.CountyPeriod.current(today)

    @property
    def scope_code(self) -> str:
        return self.scope.currentData() or ""

    def refresh(self) -> None:
        self._stale = False
        store, cats, today = self.ctx.store, self.ctx.catalogues(), self.ctx.today
        period, days, scope = self.selected_period(), self.stale_days.value(), self.scope_code

        def work() -> tuple[sc.CountyFigures, sc.ChartData]:
            return county_view(store, cats, period, today=today, stale_days=days, scope=scope)

        self.ctx.run(self, work, self._loaded, progress="正在统计全县数据…")
        if self.tabs.currentWidget() is self.assessment:
            self.assessment.refresh(days)

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.assessment:
            self.assessment.refresh(self.stale_days.value())

    def print_report(self) -> None:
        """The county report of the chosen period, made on the worker, then previewed."""
        from station_desktop.reports.county_report import print_county_report
        from station_desktop.ui.print_preview import print_job

        store, cats, today = self.ctx.store, self.ctx.catalogues(), self.ctx.today
        period, days = self.selected_period(), self.stale_days.value()
        print_job(self, self.ctx.config, "全县工作统计报表",
                  lambda out, p: print_county_report(
                      store, cats, out, period=period, today=today, stale_days=days,
                      progress=p,
                      view=county_view(store, cats, period, today=today, stale_days=days)),
                  suggested_name=f"全县工作统计报表-{period.on:%Y%m%d}.pdf")

    def _loaded(self, result: tuple[sc.CountyFigures, sc.ChartData]) -> None:
        self.fig, self.charts_data = result
        self.loads += 1
        self._fill_scopes()
        self._fill_figures()
        self._fill_charts()
        stale = [self.fig.unit(c) for c in self.fig.unit(self.scope_code).stale]
        if stale:
            names = "、".join(f"{s.name}（{_day(s.last_bundle_at) if s.last_bundle_at else '从未报送'}）"
                             for s in stale)
            self.stale_label.setText(
                f"⚠ {len(stale)} 个站点超过 {self.fig.stale_days} 天没有新数据，"
                f"其数字可能不是最新：{names}")
        else:
            self.stale_label.setText("")
        self.stale_label.setVisible(bool(stale))
        if self.key is not None and self.drill.currentIndex() >= 1:
            self.open_figure(self.key)
        else:
            self._show_level(0)

    def _fill_scopes(self) -> None:
        assert self.fig is not None
        current = self.scope_code
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem(f"全县（{len(self.fig.stations)} 个站点）", "")
        for t in self.fig.towns:
            self.scope.addItem(f"{t.name}（{len(t.stations)} 个站点）", t.code)
        for s in self.fig.stations:
            self.scope.addItem(f"　{s.name}", s.code)
        i = self.scope.findData(current)
        self.scope.setCurrentIndex(max(i, 0))
        self.scope.blockSignals(False)

    def _fill_figures(self) -> None:
        assert self.fig is not None
        cats = self.ctx.catalogues()
        unit = self.fig.unit(self.scope_code)
        rows, keys = [], []
        for key in sc.figure_keys(self.fig, cats):
            n = unit.n(key)
            stations = sum(1 for s in self.fig.stations_of(self.scope_code) if s.n(key))
            label = sc.figure_label(key, cats)
            if key in ("contacted_q", "contacted_y"):
                share = unit.coverage_q if key == "contacted_q" else unit.coverage_y
                label += f"（覆盖率 {share:.1%}）"
            rows.append((label, n, _money(unit.amount(key)), stations, _day(unit.latest(key))))
            keys.append(key)
        self.figures.set_rows(rows, keys)

    def _fill_charts(self) -> None:
        data = self.charts_data
        assert data is not None
        self.coverage_chart.set_bars(
            [Bar(name + ("（过期）" if stale else ""), share, MUTED.name() if stale else None)
             for name, share, stale in data.coverage], maximum=1.0)
        self.months_chart.set_bars([Bar(m[2:], n) for m, n in data.months])
        self.aid_chart.set_bars([Bar(name, paid / 1_000_000) for name, _a, paid in data.aid])
        self.cases_chart.set_bars([Bar(name, n) for name, n in data.cases])

    # --- drilling -----------------------------------------------------------------

    def _show_level(self, level: int) -> None:
        self.drill.setCurrentIndex(level)
        self.back.setEnabled(level > 0)
        if level == 0 or self.key is None:
            self.crumb.setText("双击一项指标，查看各站点的数字")
            return
        label = sc.figure_label(self.key, self.ctx.catalogues())
        text = f"{label} → 各站点"
        if level == 2:
            where = (self.fig.unit(self.station).name if self.fig and self.station
                     else self.scope.currentText().split("（")[0].strip())
            text += f" → {where}：{len(self.rows)} 条记录"
        self.crumb.setText(text)

    def go_back(self) -> None:
        self._show_level(max(self.drill.currentIndex() - 1, 0))

    def _open_figure(self, index: QModelIndex) -> None:
        key = self.figures.key_at(index.row())
        if key:
            self.open_figure(key)

    def open_figure(self, key: str) -> None:
        assert self.fig is not None
        self.key = key
        rows, keys = [], []
        for r in sc.station_table(self.fig, key, self.scope_code):
            state = ("从未报送" if r["last_bundle_at"] is None else
                     "数据过期" if r["stale"] else "")
            if r["gaps"]:
                state = "、".join(x for x in (state, "缺少部分数据包") if x)
            rows.append((r["name"], r["code"], r["n"], _money(r["amount_fen"]), r["persons"],
                         _day(r["latest"]), local_time(r["last_bundle_at"], empty="—"), state))
            keys.append(r["code"])
        self.stations.set_rows(rows, keys)
        self._show_level(1)

    def _open_station(self, index: QModelIndex) -> None:
        code = self.stations.key_at(index.row())
        if code:
            self.open_rows(code)

    def open_rows(self, station: str) -> None:
        """The records behind the open figure, of one station or (``""``) the whole scope."""
        assert self.key is not None
        store, cats, key = self.ctx.store, self.ctx.catalogues(), self.key
        period, scope = self.selected_period(), station or self.scope_code

        def work() -> list[dict[str, Any]]:
            return sc.drill_rows(store, cats, period, key, scope)

        def done(rows: list[dict[str, Any]]) -> None:
            self.station = station
            self._show_rows(rows)

        self.ctx.run(self, work, done, progress="正在读取记录…")

    def _show_rows(self, rows: list[dict[str, Any]]) -> None:
        assert self.fig is not None and self.key is not None
        names = {s.code: s.name for s in self.fig.stations}
        for r in rows:
            r["station"] = names.get(r["station_code"], r["station_code"])
        self.rows = {r["id"]: r for r in rows}
        columns = self._columns(self.key)
        self.model = LazyTableModel(columns, lambda ids: {i: self.rows[i] for i in ids
                                                          if i in self.rows}, self,
                                    align_right=("requested_fen", "amount_fen"))
        title = sc.figure_label(self.key, self.ctx.catalogues())
        setup_list_view(self.records_view, self.model, title)
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.blockSignals(False)
        self.model.set_ids(list(self.rows))
        self._show_level(2)

    def _apply_filter(self, text: str) -> None:
        if self.model is None:
            return
        text = text.strip()
        cols = self.model.columns
        ids = []
        for i, r in self.rows.items():
            if not text or any(text in (c.format(r.get(c.key), r) if c.format
                                        else str(r.get(c.key) or "")) for c in cols):
                ids.append(i)
        self.model.set_ids(ids)

    def _columns(self, key: str) -> list[Column]:
        cats = self.ctx.catalogues()
        base = key.partition(":")[0]
        d = sc.figure_defs(cats)[base]
        station = Column("station", "站点", width=180)

        def name_of(kind: str) -> Callable[[Any, dict], str]:
            return lambda v, _r: cats.name(kind, v) if v else ""

        if d.alias == "p":
            return [station, Column("name", "姓名"), Column("sex", "性别", width=50,
                                                            format=lambda v, _r: {"M": "男", "F": "女"}.get(v, v or "")),
                    Column("birth_date", "出生日期"),
                    Column("categories", "人员类别", width=220, format=lambda v, _r: "、".join(
                        cats.name("person_category", c) for c in v or [])),
                    Column("phone", "电话", width=120), Column("registered_on", "登记日期"),
                    Column("last_contact_on", "最近联系")]
        if base.startswith("events"):
            return [station, Column("person_name", "姓名"),
                    Column("kind", "事项", format=name_of("life_event")),
                    Column("event_date", "发生日期"), Column("visit_due_on", "应访日期"),
                    Column("closed_on", "走访日期")]
        if base.startswith("cases") or base == "resolved":
            return [station, Column("parties", "当事人", width=160),
                    Column("case_type", "类型", format=name_of("case_type")),
                    Column("level", "当前层级", format=_level),
                    Column("registered_on", "登记日期"), Column("deadline", "办理期限"),
                    Column("resolved_level", "化解层级", format=_level),
                    Column("closed_on", "办结日期")]
        if base == "aid_applied":
            return [station, Column("person_name", "姓名"),
                    Column("aid_type", "帮扶类型", format=name_of("aid_type")),
                    Column("applied_on", "申请日期"),
                    Column("requested_fen", "申请金额（元）", format=lambda v, _r: _money(v)),
                    Column("state", "状态")]
        if base == "aid_paid":
            return [station, Column("person_name", "姓名"),
                    Column("aid_type", "帮扶类型", format=name_of("aid_type")),
                    Column("paid_on", "发放日期"),
                    Column("amount_fen", "发放金额（元）", format=lambda v, _r: _money(v))]
        return [station, Column("person_name", "姓名"), Column("title", "名称", width=200),
                Column("state", "状态"), Column("applied_on", "申请日期"),
                Column("deadline", "期限")]
