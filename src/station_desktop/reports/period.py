"""The period report (期间工作报表): what the 统计报表 page shows, on paper.

Every figure of the page comes from :func:`station_desktop.store.stats.period_report`,
so the printed numbers are the numbers on the screen. This module adds two
things the page does not have:

* **Contact coverage by month**: for each month of the period, the persons
  contacted in that month against the persons on the roster at its end (the
  rule of :func:`stats.contact_coverage`, applied month by month).
* **A comparison across stations**, printed when the database holds more
  than one station (a county: the ``station`` table has several rows, or
  persons belong to several station codes). One row per station code. The
  roster and its contact coverage count by the station a person belongs to;
  visits, aid, cases and honours count by the station that recorded them (the
  record's ``station_code``), so the rows add up to the totals above.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.progress import Progress
from station_desktop.domain.validate import format_fen
from station_desktop.reports.pdf import (
    PageInfo,
    Styles,
    build_pdf,
    frame_width,
    grid_table,
    stepper,
    styles,
)
from station_desktop.reports.roster_pdf import page_counter
from station_desktop.store import stats
from station_desktop.store.db import Store
from station_desktop.store.reader import StationReader

TITLE = "工作统计报表"
TOTAL = "合计"
SMALL_TABLE = 16  # rows (with the 合计) a table may have and still be kept on one page


# --- figures this module adds to stats.period_report -------------------------


@dataclass(frozen=True)
class MonthCoverage:
    month: str  # "YYYY-MM"
    start: date  # first day of the month counted (the period may start mid-month)
    end: date  # last day counted
    contacted: int  # persons on the roster at ``end`` contacted in the month
    persons: int  # persons on the roster at ``end``

    @property
    def ratio(self) -> float:
        return self.contacted / self.persons if self.persons else 0.0


def months(start: date, end: date) -> list[tuple[date, date]]:
    """(first, last) day of each calendar month of ``start``..``end``, clipped to it."""
    out = []
    first = date(start.year, start.month, 1)
    while first <= end:
        last = first + relativedelta(months=1, days=-1)
        out.append((max(first, start), min(last, end)))
        first += relativedelta(months=1)
    return out


def coverage_by_month(store: Store, start: date, end: date) -> list[MonthCoverage]:
    """Contact coverage month by month, with the rule of :func:`stats.contact_coverage`.

    One GROUP BY over the period's visits and one over registration dates,
    whatever the number of months.
    """
    with store.read() as s:
        contacted = dict(s.execute(sql(
            "SELECT substr(v.visit_date, 1, 7) AS k, count(DISTINCT v.person_id) "
            "FROM visit v JOIN person p ON p.id = v.person_id "
            "WHERE v.deleted_at IS NULL AND v.visit_date BETWEEN :a AND :b "
            "AND p.deleted_at IS NULL "
            "AND p.registered_on <= min(:b, date(v.visit_date, 'start of month', '+1 month', "
            "'-1 day')) GROUP BY k"), {"a": start.isoformat(), "b": end.isoformat()}).all())
        registered = s.execute(sql(
            "SELECT registered_on, count(*) FROM person WHERE deleted_at IS NULL "
            "GROUP BY registered_on ORDER BY registered_on")).all()
    days = [str(d) for d, _ in registered]
    running = []
    n = 0
    for _, c in registered:
        n += int(c)
        running.append(n)
    out = []
    for first, last in months(start, end):
        i = bisect.bisect_right(days, last.isoformat())
        on_roster = running[i - 1] if i else 0
        key = f"{first:%Y-%m}"
        out.append(MonthCoverage(key, first, last, int(contacted.get(key, 0)), on_roster))
    return out


@dataclass
class StationRow:
    code: str
    name: str
    persons: int = 0
    contacted: int = 0
    visits: int = 0
    home_visits: int = 0
    money_fen: int = 0
    aid_applications: int = 0
    aid_requested_fen: int = 0
    payments: int = 0
    paid_fen: int = 0
    cases_opened: int = 0
    cases_resolved: int = 0
    cases_still_open: int = 0
    cases_open_all: int = 0
    honours_outstanding: int = 0

    @property
    def coverage(self) -> float:
        return self.contacted / self.persons if self.persons else 0.0


_DEAD_PERSON = "NOT IN (SELECT id FROM person WHERE deleted_at IS NOT NULL)"


def _is_county(s: Session) -> bool:
    stations = s.execute(sql("SELECT count(*) FROM station WHERE deleted_at IS NULL")).scalar()
    codes = s.execute(sql(
        "SELECT count(DISTINCT station_code) FROM person WHERE deleted_at IS NULL")).scalar()
    return int(stations or 0) > 1 or int(codes or 0) > 1


def several_stations(store: Store) -> bool:
    """True when the database holds more than one station (a county's)."""
    with store.read() as s:
        return _is_county(s)


def by_station(store: Store, start: date, end: date) -> list[StationRow]:
    """The period's main figures per station code (see the module docstring for what counts)."""
    p = {"a": start.isoformat(), "b": end.isoformat()}
    queries: dict[tuple[str, ...], str] = {
        ("persons",): "SELECT station_code, count(*) FROM person "
                      "WHERE deleted_at IS NULL AND registered_on <= :b GROUP BY 1",
        ("contacted",):
            "SELECT p.station_code, count(DISTINCT v.person_id) FROM visit v "
            "JOIN person p ON p.id = v.person_id WHERE v.deleted_at IS NULL "
            "AND v.visit_date BETWEEN :a AND :b AND p.deleted_at IS NULL "
            "AND p.registered_on <= :b GROUP BY 1",
        ("visits", "home_visits", "money_fen"):
            "SELECT v.station_code, count(*), sum(v.method = 'home'), "
            "coalesce(sum(v.money_fen), 0) FROM visit v WHERE v.deleted_at IS NULL "
            f"AND v.visit_date BETWEEN :a AND :b AND v.person_id {_DEAD_PERSON} GROUP BY 1",
        ("aid_applications", "aid_requested_fen"):
            "SELECT a.station_code, count(*), coalesce(sum(a.requested_fen), 0) "
            "FROM aid_application a WHERE a.deleted_at IS NULL "
            f"AND a.applied_on BETWEEN :a AND :b AND a.person_id {_DEAD_PERSON} GROUP BY 1",
        ("payments", "paid_fen"):
            "SELECT pay.station_code, count(*), coalesce(sum(pay.amount_fen), 0) "
            "FROM aid_payment pay JOIN aid_application a ON a.id = pay.application_id "
            "WHERE pay.deleted_at IS NULL AND a.deleted_at IS NULL "
            f"AND pay.paid_on BETWEEN :a AND :b AND pay.person_id {_DEAD_PERSON} GROUP BY 1",
        ("cases_opened", "cases_resolved", "cases_still_open"):
            f"SELECT c.station_code, count(*), sum(c.state IN {stats.RESOLVED_IN}), "
            f"sum(c.state NOT IN {stats.RESOLVED_IN}) FROM dispute_case c "
            "WHERE c.deleted_at IS NULL AND c.registered_on BETWEEN :a AND :b GROUP BY 1",
        ("cases_open_all",):
            "SELECT c.station_code, count(*) FROM dispute_case c WHERE c.deleted_at IS NULL "
            f"AND c.state IN {stats.OPEN_IN} AND c.registered_on <= :b GROUP BY 1",
        ("honours_outstanding",):
            "SELECT h.station_code, sum((h.kind = 'plaque' AND h.state = 'applied') "
            "OR (h.kind = 'notice' AND h.state IN ('to_collect', 'to_deliver'))) "
            f"FROM honour h WHERE h.deleted_at IS NULL AND h.person_id {_DEAD_PERSON} "
            "GROUP BY 1",
    }
    with store.read() as s:
        stations = {str(c): (str(n), str(role)) for c, n, role in s.execute(sql(
            "SELECT code, name, role FROM station WHERE deleted_at IS NULL")).all()}
        rows = {code: StationRow(code, name) for code, (name, _) in stations.items()}
        for cols, query in queries.items():
            for code, *values in s.execute(sql(query), p).all():
                r = rows.setdefault(str(code), StationRow(str(code), "（未登记的站点）"))
                for col, value in zip(cols, values, strict=True):
                    setattr(r, col, int(value or 0))

    def nothing(r: StationRow) -> bool:
        return all(v == 0 for k, v in vars(r).items() if k not in ("code", "name"))

    # The county's own office, with no records of its own, is not a row.
    return [rows[code] for code in sorted(rows)
            if not (stations.get(code, ("", ""))[1] == "county" and nothing(rows[code]))]


# --- the document ----------------------------------------------------------------


def cn_date(d: date) -> str:
    """2026年1月5日."""
    return f"{d.year}年{d.month}月{d.day}日"


def yuan(fen: int) -> str:
    return format_fen(int(fen))


def hours(minutes: int) -> str:
    h, mins = divmod(int(minutes), 60)
    return f"{h} 小时" + (f" {mins} 分" if mins else "")


def percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Doc:
    """Story building with the report's styles."""

    def __init__(self, title: str, subtitle: str, *, landscape: bool = False) -> None:
        self.st: Styles = styles()
        self.num = ParagraphStyle("num", parent=self.st.cell, alignment=TA_RIGHT)
        self.story: list[Flowable] = []
        self.width = frame_width(landscape)
        self._heading: list[Flowable] = []  # kept with the first block of its section
        self.para(title, self.st.title)
        self.para(subtitle, ParagraphStyle("subtitle", parent=self.st.body, alignment=TA_CENTER,
                                           spaceAfter=1.5 * mm))

    def _flush(self) -> list[Flowable]:
        pending, self._heading = self._heading, []
        return pending

    def para(self, s: str, style: ParagraphStyle | None = None) -> None:
        self.story += self._flush()
        self.story.append(self._p(s, style))

    def _p(self, s: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(_esc(s).replace("\n", "<br/>"), style or self.st.body)

    def heading(self, s: str) -> None:
        """A section heading; never alone at the foot of a page."""
        self.story += self._flush()
        self._heading = [CondPageBreak(40 * mm), self._p(s, self.st.heading)]

    def table(
        self, header: Sequence[str], rows: Sequence[Sequence[Any]], shares: Sequence[float], *,
        empty: str, total: Sequence[Any] | None = None, note: str = "",
        money: Sequence[int] = (), right: Sequence[int] = (),
    ) -> None:
        """A ruled table with a shaded 合计 row, or the line “无：``empty``”.

        Integers and the ``money`` (fen, printed in yuan) and ``right`` columns
        are right-aligned.
        """
        block: list[Flowable] = [self._p(note, self.st.small)] if note else []
        if not rows:
            self.story += self._flush() + block + [self._p(f"无：{empty}")]
            return
        data = [list(r) for r in rows]
        if total is not None:
            data.append(list(total))

        def cell(i: int, v: Any) -> Any:
            if i in money and isinstance(v, int):
                return Paragraph(yuan(v), self.num)
            if (isinstance(v, int) and not isinstance(v, bool)) or (i in right and v):
                return Paragraph(_esc(str(v)), self.num)
            return "" if v is None else str(v)

        cells = [[cell(i, v) for i, v in enumerate(r)] for r in data]
        widths = [self.width * x / sum(shares) for x in shares]
        extra: list[tuple] = []
        if total is not None:
            last = len(data)
            extra.append(("BACKGROUND", (0, last), (-1, last), colors.HexColor("#f2f2f2")))
        block += [grid_table(header, cells, widths, self.st, extra_style=extra),
                  Spacer(1, 2 * mm)]
        heading = self._flush()
        if len(data) <= SMALL_TABLE:
            # A short table is not split over two pages (nor parted from its heading).
            self.story += heading[:1] + [KeepTogether(heading[1:] + block)]
        else:
            self.story += heading + block


def _overview(d: _Doc, r: stats.PeriodReport) -> None:
    t, c, h = r.visit_totals, r.cases, r.honours
    paid = sum(p.amount_fen for p in r.aid_paid)
    kind = sum(p.in_kind_fen for p in r.aid_paid)
    vol = r.volunteers
    rows = [
        ("在册人员（期末）", f"{r.persons} 人"),
        ("走访慰问", f"{t.visits} 次，其中入户 {t.home_visits} 次；走访 {t.persons} 人；"
                 f"慰问金 {yuan(t.money_fen)} 元"),
        ("联系覆盖率", f"{percent(r.contacted, r.persons)}（已联系 {r.contacted} 人 / "
                  f"在册 {r.persons} 人）"),
        ("帮扶申请", f"{sum(a.applications for a in r.aid_applied)} 件，申请金额 "
                 f"{yuan(sum(a.requested_fen for a in r.aid_applied))} 元"),
        ("帮扶发放", f"{sum(p.payments for p in r.aid_paid)} 笔，发放金额 {yuan(paid)} 元，"
                 f"实物价值 {yuan(kind)} 元"),
        ("矛盾纠纷", f"本期登记 {c.opened} 件，已化解 {c.resolved_total} 件，"
                 f"未办结 {c.still_open_total} 件；目前全部未办结 {c.open_all_total} 件"),
        ("荣誉待办", f"光荣牌未悬挂 {h.plaques_not_hung} 项，喜报未送达 "
                 f"{h.notices_not_delivered} 项"),
        ("志愿服务", f"服务队 {len(vol)} 支，本期活动 {sum(v.activities for v in vol)} 次，"
                 f"服务时长 {hours(sum(v.minutes for v in vol))}"),
    ]
    d.heading("一、概况")
    d.table(["项目", "本期情况"], rows, [1, 4], empty="")


def _persons(d: _Doc, r: stats.PeriodReport, cats: Catalogues) -> None:
    d.heading("二、在册人员")
    total = (TOTAL + "（总人数）", r.persons)
    d.table(["人员类别", "人数"],
            [(cats.name("person_category", code), n) for code, n in r.by_category],
            [3, 1], empty="还没有人员档案。", total=total,
            note="按期末在册统计。一人可有多个类别，各类别人数之和可能大于总人数。")
    d.table(["分组", "人数"], list(r.by_group), [3, 1], empty="还没有人员档案。", total=total,
            note="分组来自县里的人员类别目录（退役军人、优抚对象等）。")


def _visits(d: _Doc, r: stats.PeriodReport, cats: Catalogues,
            coverage: list[MonthCoverage]) -> None:
    d.heading("三、走访慰问和联系覆盖")
    t = r.visit_totals
    by_month = {v.key: v for v in r.visits_by_month}
    zero = stats.VisitRow("", 0, 0, 0, 0)
    rows = []
    for mc in coverage:
        v = by_month.get(mc.month, zero)
        rows.append((f"{mc.month[:4]}年{int(mc.month[5:7])}月", v.visits, v.persons,
                     v.home_visits, v.money_fen, mc.contacted, mc.persons,
                     percent(mc.contacted, mc.persons)))
    d.table(
        ["月份", "走访次数", "走访人数", "其中入户", "慰问金（元）", "当月\n联系人数",
         "月末\n在册人数", "当月\n覆盖率"],
        rows if t.visits or r.persons else [],
        [1.3, 1, 1, 1, 1.4, 1.1, 1, 1.1], empty="本期没有走访记录。", money=[4], right=[7],
        total=(TOTAL, t.visits, t.persons, t.home_visits, t.money_fen,
               r.contacted, r.persons, percent(r.contacted, r.persons)),
        note="按月份。当月联系人数：当月有走访或联系记录、且当月末已在册的人数；合计行为整个"
             "期间（一人多次联系只计一次），覆盖率 = 联系人数 ÷ 在册人数。")
    d.table(
        ["走访类型", "走访次数", "走访人数", "其中入户", "慰问金（元）"],
        [(cats.name("visit_kind", v.key), v.visits, v.persons, v.home_visits, v.money_fen)
         for v in r.visits_by_kind],
        [2.2, 1, 1, 1, 1.4], empty="本期没有走访记录。", money=[4],
        total=(TOTAL, t.visits, t.persons, t.home_visits, t.money_fen),
        note="按走访类型（一人在不同类型下各计一次，合计行按人去重）：")


def _aid(d: _Doc, r: stats.PeriodReport, cats: Catalogues) -> None:
    def fund(code: str | None) -> str:
        return cats.name("aid_fund", code) if code else "（未填）"

    d.heading("四、帮扶援助")
    a = r.aid_applied
    d.table(
        ["帮扶类型", "资金来源", "申请件数", "申请金额（元）", "县已批准\n件数", "批准金额（元）"],
        [(cats.name("aid_type", x.aid_type), fund(x.fund), x.applications, x.requested_fen,
          x.approved, x.approved_fen) for x in a],
        [1.6, 1.6, 0.9, 1.3, 1, 1.3], empty="本期没有帮扶申请。", money=[3, 5],
        total=(TOTAL, "", sum(x.applications for x in a), sum(x.requested_fen for x in a),
               sum(x.approved for x in a), sum(x.approved_fen for x in a)),
        note="本期申请（按申请日期），按帮扶类型和资金来源：")
    p = r.aid_paid
    d.table(
        ["帮扶类型", "资金来源", "发放笔数", "受助人数", "发放金额（元）", "实物价值（元）"],
        [(cats.name("aid_type", x.aid_type), fund(x.fund), x.payments, x.persons,
          x.amount_fen, x.in_kind_fen) for x in p],
        [1.6, 1.6, 0.9, 0.9, 1.3, 1.3], empty="本期没有发放记录。", money=[4, 5],
        total=(TOTAL, "", sum(x.payments for x in p), "", sum(x.amount_fen for x in p),
               sum(x.in_kind_fen for x in p)),
        note="本期发放（按发放日期），按帮扶类型和资金来源（发放时另填资金来源的按发放的计）：")


def _cases(d: _Doc, r: stats.PeriodReport) -> None:
    d.heading("五、矛盾纠纷排查化解")
    c = r.cases
    d.table(
        ["层级", "本期登记·已化解", "本期登记·未办结", "目前全部未办结"],
        c.by_level(), [1.2, 1, 1, 1],
        empty="没有矛盾纠纷记录。",
        total=(TOTAL, c.resolved_total, c.still_open_total, c.open_all_total),
        note="“已化解”按化解所在层级统计（小事不出村，大事不出镇）；“未办结”按案件目前所在"
             "层级统计。")
    d.para(f"本期登记 {c.opened} 件，其中重复访 {c.repeat_petitions} 件；目前超过办理期限"
           f"仍未办结 {c.overdue_all} 件。")


def _honours(d: _Doc, r: stats.PeriodReport) -> None:
    d.heading("六、荣誉褒扬")
    d.table(["事项", "数量"], r.honours.rows(), [3, 1], empty="",
            note="待办事项按打印时的状态统计；“本期”两项按统计期间统计。")


def _volunteers(d: _Doc, r: stats.PeriodReport) -> None:
    d.heading("七、志愿服务")
    vol = r.volunteers
    d.table(
        ["服务队", "队员人数", "活动次数", "参与队员", "服务时长"],
        [(v.team, v.members, v.activities, v.served, hours(v.minutes)) for v in vol],
        [2.4, 1, 1, 1, 1.3], empty="还没有志愿服务队。", right=[4],
        total=(TOTAL, sum(v.members for v in vol), sum(v.activities for v in vol),
               sum(v.served for v in vol), hours(sum(v.minutes for v in vol))),
        note="本期（队员人数：期间内在队的队员）：")


def _stations(d: _Doc, r: stats.PeriodReport, rows: list[StationRow]) -> None:
    # Column shares below are millimetres of the 170 mm portrait frame; the code column
    # holds 12 digits on one line.
    d.heading("八、各站点对比")
    d.para("在册人数和联系覆盖率按人员所属站点统计；走访、帮扶、纠纷和荣誉按登记该记录的"
           "站点统计。各站点之和等于合计行，合计行与上文各节一致。", d.st.small)
    t, c = r.visit_totals, r.cases
    d.table(
        ["站点代码", "站点名称", "在册\n人数", "已联系", "覆盖率", "走访\n次数", "其中\n入户",
         "慰问金\n（元）"],
        [(x.code, x.name, x.persons, x.contacted, percent(x.contacted, x.persons), x.visits,
          x.home_visits, x.money_fen) for x in rows],
        [26, 56, 13, 13, 14, 13, 13, 22], empty="没有站点数据。",
        money=[7], right=[4],
        total=(TOTAL, "", r.persons, r.contacted, percent(r.contacted, r.persons), t.visits,
               t.home_visits, t.money_fen),
        note="（一）走访慰问和联系覆盖")
    d.table(
        ["站点代码", "站点名称", "帮扶\n申请", "发放\n笔数", "发放金额\n（元）", "新登记\n纠纷",
         "其中\n已化解", "目前\n未办结", "荣誉\n待办"],
        [(x.code, x.name, x.aid_applications, x.payments, x.paid_fen, x.cases_opened,
          x.cases_resolved, x.cases_open_all, x.honours_outstanding) for x in rows],
        [26, 47, 12, 12, 22, 13, 13, 13, 12], empty="没有站点数据。",
        money=[4],
        total=(TOTAL, "", sum(a.applications for a in r.aid_applied),
               sum(p.payments for p in r.aid_paid), sum(p.amount_fen for p in r.aid_paid),
               c.opened, c.resolved_total, c.open_all_total,
               r.honours.plaques_not_hung + r.honours.notices_not_delivered),
        note="（二）帮扶援助、矛盾纠纷和荣誉褒扬")


def print_report(
    svc: StationReader, out: Path, *, start: date, end: date, progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the period report for ``start``..``end`` to ``out``; returns ``{"file", "pages"}``."""
    if end < start:
        raise ValidationError("end", f"结束日期（{end.isoformat()}）不能早于开始日期"
                                     f"（{start.isoformat()}）。",
                              hint="请改正统计期间后重新打印。")
    steps = 5
    step = stepper(steps, progress)

    step(0)
    cats = svc.catalogues()
    report = stats.period_report(svc.store, start, end, today=svc.today)
    step(1)
    coverage = coverage_by_month(svc.store, start, end)
    step(2)
    station_rows = (by_station(svc.store, start, end)
                    if several_stations(svc.store) else None)
    step(3)

    station_name = svc.store.meta("station_name") or ""
    d = _Doc(TITLE, f"{station_name}　　统计期间：{cn_date(start)}至{cn_date(end)}")
    d.para("说明：人员按期末在册统计；删除到回收站的人员及其记录不计入。各项数字与程序"
           "“统计报表”页面同一期间的数字一致。", d.st.small)
    _overview(d, report)
    _persons(d, report, cats)
    _visits(d, report, cats, coverage)
    _aid(d, report, cats)
    _cases(d, report)
    _honours(d, report)
    _volunteers(d, report)
    if station_rows is not None:
        _stations(d, report, station_rows)
    step(4)

    doc_class, pages = page_counter()
    info = PageInfo(station_name=station_name, title=TITLE, print_date=svc.today)
    path = build_pdf(out, d.story, info, doc_class=doc_class, progress=progress)
    if progress is not None:
        progress(steps, steps)
    return {"file": str(path), "pages": pages[0]}
