"""County figures (issue 7) against the same figures recounted in Python from raw rows.

One generated county (3 towns, 24 stations, some stale, one that never sent a
bundle, some with gaps) is made per module, then made awkward: a person moved
to the recycle bin with all their records, a deleted visit, a deleted case.
``expected`` recounts every figure per station with plain ``sqlite3`` rows and
Python loops (the domain's contact rule, not the SQL CASE), for today and
for past quarters; the drill-downs must return exactly the rows counted.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from station_desktop.domain import rules
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import ValidationError
from station_desktop.store import county, stats
from station_desktop.services.demo import generate_county
from station_desktop.services import open_store
from tests.conftest import TODAY

CATS = Catalogues.defaults()
PERIODS = [
    county.CountyPeriod.current(TODAY),
    county.CountyPeriod.quarter(2026, 2, TODAY),
    county.CountyPeriod.quarter(2025, 4, TODAY),
    county.CountyPeriod.year(2025, TODAY),
]


@pytest.fixture(scope="module")
def gen(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("county")
    store = open_store(data)
    demo = generate_county(store, towns=3, stations_per_town=8, persons_per_station=40,
                           today=TODAY, seed=5)
    with store.raw_write() as con:
        # A person (with visits, events, aid, honours) moved to the recycle bin ...
        gone = con.execute(
            "SELECT p.id FROM person p WHERE EXISTS (SELECT 1 FROM visit v WHERE "
            "v.person_id = p.id AND v.visit_date >= '2026-10-01') AND EXISTS (SELECT 1 FROM "
            "honour h WHERE h.person_id = p.id) ORDER BY p.id LIMIT 1").fetchone()[0]
        con.execute("UPDATE person SET deleted_at = '2026-11-20T00:00:00.000Z' WHERE id = ?",
                    (gone,))
        # ... a deleted visit (the only one this quarter of its person) and a deleted case.
        only = con.execute(
            "SELECT min(id) FROM visit WHERE visit_date >= '2026-10-01' GROUP BY person_id "
            "HAVING count(*) = 1 LIMIT 1").fetchone()[0]
        con.execute("UPDATE visit SET deleted_at = '2026-11-20T00:00:00.000Z' WHERE id = ?",
                    (only,))
        con.execute("UPDATE dispute_case SET deleted_at = '2026-11-20T00:00:00.000Z' "
                    "WHERE id = (SELECT min(id) FROM dispute_case WHERE state = 'registered')")
    yield store, demo, data / "station.sqlite3"
    store.close()


# --- the independent recount ---------------------------------------------------------


def _rows(path: Path, table: str) -> list[dict[str, Any]]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(f"SELECT * FROM {table}")]
    finally:
        con.close()


def expected(path: Path, period: county.CountyPeriod, *, current: bool
             ) -> tuple[dict[str, dict[str, list[dict[str, Any]]]], dict[str, dict[str, int]]]:
    """station -> figure key -> rows counted; and station -> key -> money (fen)."""
    on = period.on.isoformat()
    qa = rules.quarter_bounds(period.on)[0].isoformat()
    ya = f"{period.on.year}-01-01"
    persons = {p["id"]: p for p in _rows(path, "person")}
    live = {i for i, p in persons.items() if p["deleted_at"] is None}
    roster = [p for p in persons.values() if p["id"] in live and p["registered_on"] <= on]
    visits = [v for v in _rows(path, "visit") if v["deleted_at"] is None]
    seen_q = {v["person_id"] for v in visits if qa <= v["visit_date"] <= on}
    seen_y = {v["person_id"] for v in visits if ya <= v["visit_date"] <= on}
    out: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    money: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(key: str, row: dict[str, Any], fen: int = 0) -> None:
        out[row["station_code"]][key].append(row)
        money[row["station_code"]][key] += fen

    for p in roster:
        add("persons", p)
        for c in set(json.loads(p["categories"])):
            add(f"category:{c}", p)
        add("contacted_q" if p["id"] in seen_q else "uncontacted_q", p)
        if p["id"] in seen_y:
            add("contacted_y", p)
        if current:
            days = rules.contact_interval_days(json.loads(p["categories"]),
                                               bool(p["key_focus"]), CATS)
            since = date.fromisoformat(p["last_contact_on"] or p["registered_on"])
            if since + timedelta(days=days) < period.on:
                add("contacts_overdue", p)
    for e in _rows(path, "life_event"):
        if (e["deleted_at"] is None and e["person_id"] in live and e["event_date"] <= on
                and (e["closed_on"] is None or e["closed_on"] > on)):
            add("events_due", e)
            if e["visit_due_on"] < on:
                add("events_overdue", e)
    for c in _rows(path, "dispute_case"):
        if c["deleted_at"] is not None:
            continue
        done = c["state"] in ("closed", "revisited")
        if c["registered_on"] <= on and (not done or (c["closed_on"] or "") > on):
            add("cases_open", c)
            if c["deadline"] < on:
                add("cases_overdue", c)
        if done and ya <= c["closed_on"] <= on:
            add(f"resolved:{c['resolved_level'] or c['level']}", c)
    apps = {a["id"]: a for a in _rows(path, "aid_application")}
    for a in apps.values():
        if a["deleted_at"] is None and a["person_id"] in live and ya <= a["applied_on"] <= on:
            add(f"aid_applied:{a['aid_type']}", a, a["requested_fen"])
    for pay in _rows(path, "aid_payment"):
        a = apps[pay["application_id"]]
        if (pay["deleted_at"] is None and a["deleted_at"] is None and pay["person_id"] in live
                and ya <= pay["paid_on"] <= on):
            add(f"aid_paid:{a['aid_type']}", pay, pay["amount_fen"])
    for h in _rows(path, "honour"):
        if h["deleted_at"] is not None or h["person_id"] not in live:
            continue
        if h["kind"] == "plaque":
            since = h["applied_on"] or h["created_at"][:10]
            if since <= on and (h["state"] == "applied" or (h["done_on"] or "") > on):
                add("plaques_outstanding", h)
        elif h["kind"] == "notice":
            since = h["applied_on"] or h["awarded_on"] or h["created_at"][:10]
            if since <= on and (h["state"] in ("to_collect", "to_deliver")
                                or (h["done_on"] or "") > on):
                add("notices_outstanding", h)
    return out, money


# --- figures -----------------------------------------------------------------------


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.on.isoformat())
def test_every_station_figure_equals_the_recount(gen, period):
    store, demo, path = gen
    fig = county.county_figures(store, CATS, period, today=TODAY)
    exp, money = expected(path, period, current=fig.current)
    assert fig.current is (period.on == TODAY)
    keys = {k for per in exp.values() for k in per}
    assert {k for s in fig.stations for k in s.cells} == keys
    assert len(keys) > 20  # every figure kind is exercised by the generated county
    for s in fig.stations:
        for key in keys:
            rows = exp[s.code][key]
            assert s.n(key) == len(rows), (s.code, key)
            assert s.amount(key) == money[s.code][key], (s.code, key)
            assert s.latest(key) == max((r["updated_at"] for r in rows), default=None)


def test_towns_and_county_are_the_sums_of_their_stations(gen):
    store, demo, path = gen
    fig = county.county_figures(store, CATS, PERIODS[0], today=TODAY)
    exp, money = expected(path, PERIODS[0], current=True)
    assert [t.code for t in fig.towns] == sorted(demo.towns)
    assert sorted(s.code for s in fig.stations) == sorted(demo.stations)
    for town in fig.towns:
        assert town.stations == demo.towns[town.code]
        for key in ("persons", "contacted_q", "events_overdue", "aid_paid:medical"):
            assert town.n(key) == sum(len(exp[c][key]) for c in demo.towns[town.code])
    for key in ("persons", "cases_open", "notices_outstanding"):
        assert fig.county.n(key) == sum(len(per[key]) for per in exp.values())
    assert fig.county.amount("aid_applied:living") == sum(
        m["aid_applied:living"] for m in money.values())
    assert fig.county.code == "420303"


def test_county_totals_agree_with_the_village_report_queries(gen):
    """The whole county counted by stats.py (one station's report) gives the same totals."""
    store, _, _ = gen
    period = PERIODS[1]
    fig = county.county_figures(store, CATS, period, today=TODAY)
    with store.read() as s:
        contacted, persons = stats.contact_coverage(s, period.quarter_start, period.on)
        applied = stats.aid_applied(s, period.year_start, period.on)
        paid = stats.aid_paid(s, period.year_start, period.on)
    assert (fig.county.n("contacted_q"), fig.county.n("persons")) == (contacted, persons)
    assert sum(fig.county.split("aid_applied").get(r.aid_type, county.Cell()).n
               for r in {r.aid_type: r for r in applied}.values()) == sum(
        r.applications for r in applied)
    assert sum(c.amount_fen for c in fig.county.split("aid_paid").values()) == sum(
        r.amount_fen for r in paid)
    assert fig.county.coverage_q == pytest.approx(contacted / persons)


def test_stale_stations_and_gaps_are_marked_not_hidden(gen):
    store, demo, _ = gen
    fig = county.county_figures(store, CATS, PERIODS[0], today=TODAY)
    assert sorted(s.code for s in fig.stations if s.is_stale) == demo.stale
    never = fig.unit(demo.never_sent[0])
    assert never.last_bundle_at is None and never.is_stale and never.n("persons") == 0
    assert sorted(s.code for s in fig.stations if s.gaps) == sorted(
        set(demo.with_gaps) - set(demo.never_sent))
    assert sorted(fig.county.stale) == demo.stale
    for town in fig.towns:
        assert town.stale == [c for c in demo.stale if c.startswith(town.code)]
    # A stale station still counts: its rows are in the totals, flagged rather than dropped.
    stale_with_rows = [fig.unit(c) for c in demo.stale if c not in demo.never_sent]
    assert stale_with_rows and all(s.n("persons") > 0 for s in stale_with_rows)
    # A larger stale age makes every station that sent something current.
    lenient = county.county_figures(store, CATS, PERIODS[0], today=TODAY, stale_days=400)
    assert sorted(lenient.county.stale) == demo.never_sent


def test_stale_age_counts_china_days():
    assert not county.is_stale("2026-10-24T16:30:00.000Z", TODAY, 30)  # 10-25 in Beijing
    assert county.is_stale("2026-10-23T15:00:00.000Z", TODAY, 30)
    assert county.is_stale(None, TODAY, 30)


def test_periods():
    assert county.CountyPeriod.quarter(2026, 2, TODAY).on == date(2026, 6, 30)
    assert county.CountyPeriod.quarter(2026, 4, TODAY).on == TODAY
    assert county.CountyPeriod.year(2026, TODAY).on == TODAY
    assert county.CountyPeriod.year(2024, TODAY).on == date(2024, 12, 31)
    with pytest.raises(ValidationError):
        county.CountyPeriod.quarter(2027, 1, TODAY)
    with pytest.raises(ValidationError):
        county.CountyPeriod.quarter(2026, 5, TODAY)
    assert county.recent_quarters(TODAY, 3) == [(2026, 4), (2026, 3), (2026, 2)]
    p = county.CountyPeriod.quarter(2025, 1, TODAY)
    assert p.params() == {"on": "2025-03-31", "qa": "2025-01-01", "ya": "2025-01-01"}


# --- drill-down -----------------------------------------------------------------------


@pytest.mark.parametrize("period", PERIODS[:2], ids=lambda p: p.on.isoformat())
def test_drill_down_returns_exactly_the_rows_counted(gen, period):
    store, demo, path = gen
    fig = county.county_figures(store, CATS, period, today=TODAY)
    exp, _ = expected(path, period, current=fig.current)
    town = sorted(demo.towns)[1]
    station = max(fig.stations, key=lambda s: s.n("persons")).code
    for key in county.figure_keys(fig, CATS):
        for scope in ("", town, station):
            rows = county.drill_rows(store, CATS, period, key, scope)
            want = [r for code, per in exp.items() if code.startswith(scope) for r in per[key]]
            assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in want), (key, scope)
            assert len(rows) == fig.unit(scope).n(key)
            assert [r["station_code"] for r in rows] == sorted(r["station_code"] for r in rows)


def test_drill_rows_carry_what_the_lists_show(gen):
    store, _, _ = gen
    period = PERIODS[0]
    rows = county.drill_rows(store, CATS, period, "events_overdue")
    assert rows and all(r["person_name"] and r["visit_due_on"] < TODAY.isoformat()
                        for r in rows)
    persons = county.drill_rows(store, CATS, period, "category:disabled_soldier", limit=5)
    assert len(persons) == 5 and all("disabled_soldier" in p["categories"] for p in persons)
    with pytest.raises(ValidationError):
        county.drill_rows(store, CATS, period, "no_such_figure")
    with pytest.raises(ValidationError):
        county.drill_rows(store, CATS, period, "aid_paid")


def test_station_table_and_sorted_coverage(gen):
    store, demo, _ = gen
    fig = county.county_figures(store, CATS, PERIODS[0], today=TODAY)
    town = sorted(demo.towns)[0]
    table = county.station_table(fig, "events_overdue", town)
    assert [r["code"] for r in table] and all(r["code"].startswith(town) for r in table)
    assert [r["n"] for r in table] == sorted((r["n"] for r in table), reverse=True)
    assert sum(r["n"] for r in table) == fig.unit(town).n("events_overdue")
    assert {r["code"] for r in table if r["stale"]} == {c for c in demo.stale
                                                        if c.startswith(town)}
    cov = county.sorted_coverage(fig)
    assert [c for _, c in cov] == sorted(c for _, c in cov)
    assert len(cov) == len(demo.stations)


def test_visits_by_month_matches_the_raw_rows(gen):
    store, demo, path = gen
    period = PERIODS[1]
    months = county.visits_by_month(store, period, months=12)
    assert [m for m, _ in months][0] == "2025-07" and months[-1][0] == "2026-06"
    live = {p["id"] for p in _rows(path, "person") if p["deleted_at"] is None}
    counts: dict[str, int] = defaultdict(int)
    for v in _rows(path, "visit"):
        if v["deleted_at"] is None and v["person_id"] in live:
            counts[v["visit_date"][:7]] += 1
    assert months == [(m, counts[m]) for m, _ in months]
    town = sorted(demo.towns)[2]
    in_town = county.visits_by_month(store, period, town, months=3)
    assert sum(n for _, n in in_town) < sum(n for _, n in months[-3:])
