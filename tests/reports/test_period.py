"""The period report PDF: every printed figure equals the same figure counted from raw rows.

The sample station and the Python recount come from tests/store/test_stats.py
(``build_sample``, ``expected``): the figures the 统计报表 page shows. Here we
check that the PDF prints exactly those, plus the by-month coverage and the
per-station comparison this module adds, recounted here from raw rows.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from pypdf import PdfReader

from station_desktop.domain.errors import Cancelled, ValidationError
from station_desktop.domain.validate import format_fen
from station_desktop.reports import period
from station_desktop.store import models as m
from station_desktop.store import stats
from tests.conftest import TODAY
from tests.reports.progress import Seen, StopAfter
from tests.reports.test_roster_pdf import embedded_subset_fonts, flat
from tests.store.test_stats import H1, Q4, YEAR, build_sample, expected, raw_tables

STATION = "东沟村退役军人服务站"
OTHER = "420303100202"
OTHER_NAME = "西沟村退役军人服务站"


def pct(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def hours(minutes: int) -> str:
    h, mins = divmod(minutes, 60)
    return f"{h} 小时" + (f" {mins} 分" if mins else "")


def read(path: Path) -> tuple[list[str], str]:
    texts = [p.extract_text() or "" for p in PdfReader(path).pages]
    return texts, flat("\n".join(texts))


def assert_every_page_decorated(texts: list[str]) -> None:
    for i, t in enumerate(texts, 1):
        assert STATION in t and "工作统计报表" in t
        assert f"第 {i} 页 共 {len(texts)} 页" in t
        assert "打印日期：2026年11月23日" in t


def month_coverage(path: Path, start: date, end: date) -> dict[str, tuple[int, int]]:
    """month -> (persons contacted that month and on the roster at its end, roster at its end)."""
    raw = raw_tables(path)
    live = {p["id"]: p for p in raw["person"] if p["deleted_at"] is None}
    out = {}
    first = date(start.year, start.month, 1)
    while first <= end:
        a = max(first, start).isoformat()
        b = min(first + relativedelta(months=1, days=-1), end).isoformat()
        roster = {i for i, p in live.items() if p["registered_on"] <= b}
        contacted = {v["person_id"] for v in raw["visit"] if v["deleted_at"] is None
                     and a <= v["visit_date"] <= b and v["person_id"] in roster}
        out[f"{first:%Y-%m}"] = (len(contacted), len(roster))
        first += relativedelta(months=1)
    return out


@pytest.fixture
def sample(svc):
    return build_sample(svc)


@pytest.mark.parametrize("bounds", [Q4, H1, YEAR], ids=["Q4", "H1", "year"])
def test_printed_figures_equal_raw_counts(svc, sample, tmp_path, bounds):
    start, end = bounds
    out = tmp_path / "report.pdf"
    result = period.print_report(svc, out, start=start, end=end)
    texts, whole = read(out)
    assert result == {"file": str(out), "pages": len(texts)}
    assert any("WenQuanYi" in f and "+" in f for f in embedded_subset_fonts(out))
    assert_every_page_decorated(texts)
    assert (f"统计期间：{start.year}年{start.month}月{start.day}日至"
            f"{end.year}年{end.month}月{end.day}日" in whole)

    exp = expected(svc.store.path, start, end)
    cats = svc.catalogues()
    n, ps, home, money = exp["visit_totals"]
    persons, contacted = exp["persons"], exp["contacted"]
    assert f"在册人员（期末） {persons} 人" in whole
    assert f"{n} 次，其中入户 {home} 次；走访 {ps} 人；慰问金 {format_fen(money)} 元" in whole
    assert f"{pct(contacted, persons)}（已联系 {contacted} 人 / 在册 {persons} 人）" in whole

    for code, count in exp["by_category"].items():
        assert f"{cats.name('person_category', code)} {count}" in whole
    for group, count in exp["by_group"].items():
        assert f"{group} {count}" in whole
    assert f"合计（总人数） {persons}" in whole

    # Visits and coverage by month: every month of the period, zero months too.
    coverage = month_coverage(svc.store.path, start, end)
    for month, (c, r) in coverage.items():
        v = exp["visits_by_month"].get(month, (0, 0, 0, 0))
        label = f"{month[:4]}年{int(month[5:7])}月"
        assert (f"{label} {v[0]} {v[1]} {v[2]} {format_fen(v[3])} {c} {r} {pct(c, r)}"
                in whole), label
    assert (f"合计 {n} {ps} {home} {format_fen(money)} {contacted} {persons} "
            f"{pct(contacted, persons)}" in whole)
    for kind, (kn, kps, kh, kf) in exp["visits_by_kind"].items():
        assert f"{cats.name('visit_kind', kind)} {kn} {kps} {kh} {format_fen(kf)}" in whole

    def fund(code: str | None) -> str:
        return cats.name("aid_fund", code) if code else "（未填）"

    for (aid_type, f), (apps, req, appr, appr_fen) in exp["aid_applied"].items():
        assert (f"{cats.name('aid_type', aid_type)} {fund(f)} {apps} {format_fen(req)} {appr} "
                f"{format_fen(appr_fen)}" in whole)
    for (aid_type, f), (pays, pps, amt, kind) in exp["aid_paid"].items():
        assert (f"{cats.name('aid_type', aid_type)} {fund(f)} {pays} {pps} {format_fen(amt)} "
                f"{format_fen(kind)}" in whole)
    if not exp["aid_paid"]:
        assert "无：本期没有发放记录。" in whole

    c = exp["cases"]
    if c["opened"] or c["open_all"]:
        for level, name in (("village", "村级"), ("town", "镇级"), ("county", "县级")):
            assert (f"{name} {c['resolved'].get(level, 0)} {c['still_open'].get(level, 0)} "
                    f"{c['open_all'].get(level, 0)}" in whole)
    assert (f"本期登记 {c['opened']} 件，其中重复访 {c['repeats']} 件；目前超过办理期限仍未办结 "
            f"{c['overdue']} 件" in whole)

    h = exp["honours"]
    assert f"光荣牌：已申请、未悬挂 {h['plaques_not_hung']}" in whole
    assert f"喜报：待领取 {h['notices_to_collect']}" in whole
    assert f"喜报：待送达 {h['notices_to_deliver']}" in whole
    assert f"本期悬挂光荣牌 {h['plaques_hung_in_period']}" in whole
    assert f"本期送达喜报 {h['notices_delivered_in_period']}" in whole

    for team, (members, acts, served, minutes) in exp["volunteers"].items():
        assert f"{team} {members} {acts} {served} {hours(minutes)}" in whole

    # One station: no comparison across stations.
    assert "各站点对比" not in whole


def test_q4_spelled_out(svc, sample, tmp_path):
    """A few printed lines by hand, so a rule wrong in both counts is still caught."""
    out = tmp_path / "q4.pdf"
    period.print_report(svc, out, start=Q4[0], end=Q4[1])
    _, whole = read(out)
    assert "在册人员（期末） 5 人" in whole
    assert "60.0%（已联系 3 人 / 在册 5 人）" in whole
    assert "2026年12月 0 0 0 0.00 0 5 0.0%" in whole  # a month with no visits is printed
    assert "医疗救助 临时救助 1 1 3,000.00 0.00" in whole
    assert "村级 2 2 2" in whole and "镇级 1 0 1" in whole and "县级 0 1 1" in whole


def test_month_coverage_uses_the_rule_of_the_screen(svc, sample):
    """Each month's coverage equals stats.contact_coverage over that month alone."""
    rows = period.coverage_by_month(svc.store, *YEAR)
    assert [r.month for r in rows] == [f"2026-{i:02d}" for i in range(1, 13)]
    with svc.store.read() as s:
        for r in rows:
            assert (r.contacted, r.persons) == stats.contact_coverage(s, r.start, r.end)
    partial = period.coverage_by_month(svc.store, date(2026, 3, 10), date(2026, 5, 5))
    assert [(r.start, r.end) for r in partial] == [
        (date(2026, 3, 10), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 4, 30)),
        (date(2026, 5, 1), date(2026, 5, 5))]


# --- a county database: two stations ---------------------------------------------


def move_to_other_station(svc, person_ids: list[str]) -> None:
    """Register a second station and hand it some persons and every record about them."""
    with svc.store.write(None) as s:
        s.add(m.Station(station_code=OTHER, code=OTHER, name=OTHER_NAME, role="village"))
    con = sqlite3.connect(svc.store.path)
    try:
        marks = ",".join("?" * len(person_ids))
        con.execute(f"UPDATE person SET station_code = ? WHERE id IN ({marks})",
                    (OTHER, *person_ids))
        for table in ("visit", "aid_application", "aid_payment", "dispute_case", "honour"):
            con.execute(f"UPDATE {table} SET station_code = ? WHERE person_id IN ({marks})",
                        (OTHER, *person_ids))
        con.commit()
    finally:
        con.close()


def per_station(path: Path, start: date, end: date, today: date = TODAY) -> dict[str, Any]:
    """The comparison figures per station code, counted in Python from raw rows."""
    raw = raw_tables(path)
    a, b = start.isoformat(), end.isoformat()
    live = {p["id"]: p for p in raw["person"] if p["deleted_at"] is None}
    roster = {i: p for i, p in live.items() if p["registered_on"] <= b}
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in roster.values():
        out[p["station_code"]]["persons"] += 1
    visits = [v for v in raw["visit"] if v["deleted_at"] is None and v["person_id"] in live
              and a <= v["visit_date"] <= b]
    contacted = {v["person_id"] for v in visits if v["person_id"] in roster}
    for pid in contacted:
        out[roster[pid]["station_code"]]["contacted"] += 1
    for v in visits:
        row = out[v["station_code"]]
        row["visits"] += 1
        row["home"] += v["method"] == "home"
        row["money"] += v["money_fen"]
    apps = {x["id"]: x for x in raw["aid_application"] if x["deleted_at"] is None}
    for x in apps.values():
        if x["person_id"] in live and a <= x["applied_on"] <= b:
            out[x["station_code"]]["applications"] += 1
    for pay in raw["aid_payment"]:
        if (pay["deleted_at"] is None and pay["application_id"] in apps
                and pay["person_id"] in live and a <= pay["paid_on"] <= b):
            out[pay["station_code"]]["payments"] += 1
            out[pay["station_code"]]["paid"] += pay["amount_fen"]
    for c in raw["dispute_case"]:
        if c["deleted_at"] is not None:
            continue
        done = c["state"] in ("closed", "revisited")
        if a <= c["registered_on"] <= b:
            out[c["station_code"]]["opened"] += 1
            out[c["station_code"]]["resolved"] += done
        if not done and c["registered_on"] <= b:
            out[c["station_code"]]["open_all"] += 1
    for h in raw["honour"]:
        if h["deleted_at"] is None and h["person_id"] in live and (
                (h["kind"] == "plaque" and h["state"] == "applied")
                or (h["kind"] == "notice" and h["state"] in ("to_collect", "to_deliver"))):
            out[h["station_code"]]["honours"] += 1
    return out


def test_two_stations_get_a_comparison(svc, sample, tmp_path):
    move_to_other_station(svc, [sample["c"], sample["e"]])
    out = tmp_path / "county.pdf"
    start, end = YEAR
    period.print_report(svc, out, start=start, end=end)
    texts, whole = read(out)
    assert_every_page_decorated(texts)
    assert "八、各站点对比" in whole
    counts = per_station(svc.store.path, start, end)
    assert set(counts) == {svc.station_code, OTHER}
    for code, name in ((svc.station_code, STATION), (OTHER, OTHER_NAME)):
        r = counts[code]
        assert r["persons"] and r["visits"]  # both stations really have figures
        assert (f"{code} {name} {r['persons']} {r['contacted']} "
                f"{pct(r['contacted'], r['persons'])} {r['visits']} {r['home']} "
                f"{format_fen(r['money'])}" in whole), code
        assert (f"{code} {name} {r['applications']} {r['payments']} {format_fen(r['paid'])} "
                f"{r['opened']} {r['resolved']} {r['open_all']} {r['honours']}" in whole), code
    # The rows add up to the station-wide figures printed above them.
    exp = expected(svc.store.path, start, end)
    n, _ps, home, money = exp["visit_totals"]
    persons, contacted = exp["persons"], exp["contacted"]
    assert sum(r["persons"] for r in counts.values()) == persons
    assert sum(r["contacted"] for r in counts.values()) == contacted
    assert sum(r["visits"] for r in counts.values()) == n
    assert (f"合计 {persons} {contacted} {pct(contacted, persons)} {n} {home} "
            f"{format_fen(money)}" in whole)


def test_by_station_rows_add_up(svc, sample):
    move_to_other_station(svc, [sample["a"]])
    assert period.several_stations(svc.store)
    rows = period.by_station(svc.store, *Q4)
    r = stats.period_report(svc.store, *Q4, today=TODAY)
    assert [x.code for x in rows] == sorted([svc.station_code, OTHER])
    assert sum(x.persons for x in rows) == r.persons
    assert sum(x.contacted for x in rows) == r.contacted
    assert sum(x.visits for x in rows) == r.visits
    assert sum(x.money_fen for x in rows) == r.visit_totals.money_fen
    assert sum(x.payments for x in rows) == sum(p.payments for p in r.aid_paid)
    assert sum(x.paid_fen for x in rows) == sum(p.amount_fen for p in r.aid_paid)
    assert sum(x.aid_applications for x in rows) == sum(a.applications for a in r.aid_applied)
    assert sum(x.cases_opened for x in rows) == r.cases.opened
    assert sum(x.cases_resolved for x in rows) == r.cases.resolved_total
    assert sum(x.cases_still_open for x in rows) == r.cases.still_open_total
    assert sum(x.cases_open_all for x in rows) == r.cases.open_all_total
    h = r.honours
    assert sum(x.honours_outstanding for x in rows) == h.plaques_not_hung + h.notices_not_delivered


def test_second_station_row_alone_is_enough(svc, sample, tmp_path):
    """A county database whose persons all sit at one station still compares (zeros shown)."""
    with svc.store.write(None) as s:
        s.add(m.Station(station_code=OTHER, code=OTHER, name=OTHER_NAME, role="village"))
    out = tmp_path / "r.pdf"
    period.print_report(svc, out, start=Q4[0], end=Q4[1])
    _, whole = read(out)
    assert f"{OTHER} {OTHER_NAME} 0 0 — 0 0 0.00" in whole


# --- refusals, an empty station, cancel ------------------------------------------------


def test_end_before_start_is_refused(svc, tmp_path):
    out = tmp_path / "r.pdf"
    with pytest.raises(ValidationError) as err:
        period.print_report(svc, out, start=date(2026, 12, 1), end=date(2026, 11, 1))
    assert "结束日期" in err.value.message and "不能早于开始日期" in err.value.message
    assert not out.exists()


def test_empty_station_says_none_everywhere(svc, tmp_path):
    out = tmp_path / "r.pdf"
    result = period.print_report(svc, out, start=Q4[0], end=Q4[1])
    texts, whole = read(out)
    assert result["pages"] == len(texts)
    assert_every_page_decorated(texts)
    for line in ("无：还没有人员档案。", "无：本期没有走访记录。", "无：本期没有帮扶申请。",
                 "无：本期没有发放记录。", "无：没有矛盾纠纷记录。", "无：还没有志愿服务队。"):
        assert line in whole
    assert "在册人员（期末） 0 人" in whole


def test_cancel_writes_no_file(svc, sample, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "r.pdf"
    with pytest.raises(Cancelled, match="已取消打印。"):
        period.print_report(svc, out, start=Q4[0], end=Q4[1], progress=StopAfter(0))
    late = StopAfter(6)  # cancelled while the pages are laid out (5 steps, then pages)
    with pytest.raises(Cancelled):
        period.print_report(svc, out, start=YEAR[0], end=YEAR[1], progress=late)
    assert late.asked == 7 and late.seen[-1] == (4, 5)
    assert list(folder.iterdir()) == []


def test_progress_reaches_the_end(svc, sample, tmp_path):
    progress = Seen()
    period.print_report(svc, tmp_path / "r.pdf", start=Q4[0], end=Q4[1], progress=progress)
    seen = progress.seen
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]
