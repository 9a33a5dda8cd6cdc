"""The printed county report (全县工作统计报表, issue 7): the 全县概览 page on paper.

Every number comes from :func:`station_desktop.services.county.county_view`, so the
paper says what the screen says: the county's figures with the date of the
newest data behind each, the towns, every station (stale ones marked), and
the four charts drawn with reportlab's own graphics (vector, no extra
dependency): coverage by station, visits by month, aid by type, cases by
level. Landscape A4, because the station table is wide.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.progress import Progress
from station_desktop.reports.pdf import FONT, PageInfo, build_pdf, stepper
from station_desktop.reports.period import _Doc, cn_date, percent
from station_desktop.reports.roster_pdf import page_counter
from station_desktop.store import county as sc
from station_desktop.store.db import Store

TITLE = "全县工作统计报表"
BAR = colors.HexColor("#3b7dd8")
MUTED = colors.HexColor("#a0a0a0")
STATIONS_PER_CHART = 25  # one chart fits a landscape page


def _day(ts: str | None) -> str:
    return ts[:10] if ts else "—"


def _chart(title: str, width: float, height: float, chart: Any) -> Drawing:
    d = Drawing(width, height)
    d.add(String(0, height - 12, title, fontName=FONT, fontSize=10))
    chart.x, chart.y = (chart.x or 40), 20
    chart.width, chart.height = width - chart.x - 30, height - 44
    chart.bars[0].fillColor = BAR
    chart.bars.strokeColor = None
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    d.add(chart)
    return d


def _labels(axis: Any, names: Sequence[str], size: float = 8) -> None:
    axis.categoryNames = list(names)
    axis.labels.fontName = FONT
    axis.labels.fontSize = size


def vertical_bars(title: str, items: Sequence[tuple[str, float]], width: float,
                  fmt: str = "%d", height: float = 60 * mm) -> Drawing:
    c = VerticalBarChart()
    c.data = [[v for _, v in items] or [0]]
    _labels(c.categoryAxis, [k for k, _ in items] or [""])
    c.valueAxis.valueMin = 0
    c.valueAxis.labels.fontName = FONT
    c.barLabelFormat = fmt
    c.barLabels.nudge = 6
    return _chart(title, width, height, c)


def horizontal_bars(title: str, items: Sequence[tuple[str, float, bool]], width: float,
                    fmt: str = "%d", maximum: float | None = None) -> Drawing:
    """Bars from top to bottom in the order given; ``True`` in an item greys its bar."""
    c = HorizontalBarChart()
    c.x = 120
    rows = list(reversed(items))  # reportlab draws the first category at the bottom
    c.data = [[v for _, v, _ in rows] or [0]]
    _labels(c.categoryAxis, [k for k, _, _ in rows] or [""], 7)
    c.valueAxis.valueMin = 0
    if maximum is not None:
        c.valueAxis.valueMax = maximum
    c.valueAxis.labels.fontName = FONT
    c.barLabelFormat = fmt
    c.barLabels.boxAnchor = "w"
    c.barLabels.dx = 3
    d = _chart(title, width, 44 + 12 * max(len(items), 3), c)
    for i, (_, _, muted) in enumerate(rows):
        if muted:
            c.bars[(0, i)].fillColor = MUTED
    return d


def _charts(d: _Doc, data: sc.ChartData) -> None:
    w = d.width
    d.heading("图表")
    d.story += d._flush()
    d.story.append(KeepTogether([
        vertical_bars("各月走访次数", [(m[2:], n) for m, n in data.months], w / 2 - 4 * mm),
    ]))
    d.story.append(vertical_bars("本年纠纷办结层级（件）", data.cases, w / 2))
    d.story.append(horizontal_bars(
        "本年帮扶发放（元，按类型）", [(k, paid / 100, False) for k, _a, paid in data.aid], w,
        fmt="%.0f"))
    for start in range(0, len(data.coverage), STATIONS_PER_CHART):
        part = data.coverage[start:start + STATIONS_PER_CHART]
        more = f"（第 {start + 1}–{start + len(part)} 名）" if len(data.coverage) > len(part) else ""
        d.story.append(horizontal_bars(
            f"本季度联系覆盖率，从低到高{more}（灰色：数据过期）",
            [(name, share * 100, stale) for name, share, stale in part], w,
            fmt="%.0f%%", maximum=100))


def _figures(d: _Doc, fig: sc.CountyFigures, cats: Catalogues) -> None:
    d.heading("全县指标")
    towns = fig.towns
    header = ["指标", "全县", *[t.name for t in towns], "最新数据"]
    rows = []
    for key in sc.figure_keys(fig, cats):
        units = [fig.county, *towns]
        if key.startswith(("aid_applied:", "aid_paid:")):
            cells: list[Any] = [f"{u.n(key)}（{u.amount(key) / 100:,.0f}元）" for u in units]
        else:
            cells = [u.n(key) for u in units]
        rows.append([sc.figure_label(key, cats), *cells, _day(fig.county.latest(key))])
    cov = [f"{percent(u.n('contacted_q'), u.n('persons'))}" for u in [fig.county, *towns]]
    rows.insert(1, ["本季度联系覆盖率", *cov, ""])
    d.table(header, rows, [3.2, 1.3, *[1.3] * len(towns), 1.2], empty="没有数据")


def _stations(d: _Doc, fig: sc.CountyFigures) -> None:
    d.heading("各站点")
    header = ["站点", "代码", "在册", "本季度覆盖率", "本年覆盖率", "六必访逾期", "未办结纠纷",
              "纠纷超期", "本年发放(元)", "光荣牌待挂", "喜报待送", "最近数据包", "状态"]
    rows = []
    for s in fig.stations:
        paid = sum(c.amount_fen for c in s.split("aid_paid").values())
        state = "从未报送" if s.last_bundle_at is None else ("数据过期" if s.is_stale else "")
        if s.gaps:
            state = "、".join(x for x in (state, "缺数据包") if x)
        rows.append([s.name, s.code, s.n("persons"),
                     percent(s.n("contacted_q"), s.n("persons")),
                     percent(s.n("contacted_y"), s.n("persons")),
                     s.n("events_overdue"), s.n("cases_open"), s.n("cases_overdue"),
                     f"{paid / 100:,.0f}", s.n("plaques_outstanding"),
                     s.n("notices_outstanding"), _day(s.last_bundle_at), state])
    d.table(header, rows, [3.2, 2.2, 1, 1.3, 1.3, 1.2, 1.2, 1.1, 1.6, 1.2, 1.1, 1.6, 1.5],
            empty="没有站点")


def print_county_report(
    store: Store, cats: Catalogues, out: Path, *, period: sc.CountyPeriod, today: date,
    stale_days: int = sc.DEFAULT_STALE_DAYS, progress: Progress | None = None,
    view: tuple[sc.CountyFigures, sc.ChartData] | None = None,
) -> dict[str, Any]:
    """Write the county report of ``period`` to ``out``; returns ``{"file", "pages"}``.

    ``view`` is what the home page shows (``services.county.county_view``, which
    may refresh the summary first); without it the live queries give the same figures.
    """
    steps = 3
    step = stepper(steps, progress)

    step(0)
    fig, charts = view if view is not None else sc.county_view(
        store, cats, period, today=today, stale_days=stale_days)
    step(1)
    name = store.meta("station_name") or "全县"
    d = _Doc(TITLE, f"{name}　　统计期：{period.label or cn_date(period.on)}", landscape=True)
    stale = [fig.unit(c) for c in fig.county.stale]
    note = (f"共 {len(fig.stations)} 个站点。季度、年度数字统计到{cn_date(period.on)}；"
            "“未办结”“待悬挂”等按当日状态统计。")
    if stale:
        note += (f"以下 {len(stale)} 个站点超过 {stale_days} 天没有新数据，其数字可能不是最新："
                 + "、".join(f"{s.name}（{_day(s.last_bundle_at) if s.last_bundle_at else '从未报送'}）"
                            for s in stale) + "。")
    d.para(note, d.st.small)
    _figures(d, fig, cats)
    _stations(d, fig)
    d.story += d._flush()
    d.story.append(PageBreak())
    _charts(d, charts)
    step(2)
    doc_class, pages = page_counter()
    info = PageInfo(station_name=name, title=TITLE, print_date=today, landscape=True)
    path = build_pdf(out, d.story, info, doc_class=doc_class, progress=progress)
    if progress is not None:
        progress(steps, steps)
    return {"file": str(path), "pages": pages[0], "stations": len(fig.stations)}
