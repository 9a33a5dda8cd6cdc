"""The county summary table (issue 7, city size) gives exactly the live figures.

The generated county of ``test_county.py`` (made awkward the same way) is read
through the summary and through the live queries, and every cell of every
station, town and the county, and the month chart, must be equal: for today,
past quarters and a past year, on every sampled day of a window computed
weeks before (overdue figures move every day without new data), after a
station's rows change by a raw write (only that station is recomputed), and
after a catalogue change that alters a figure (everything is).
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from station_desktop.domain.catalogues import Catalogues
from station_desktop.services.county import county_view, refresh_summary
from station_desktop.store import county, county_summary
from tests.conftest import TODAY
from tests.store.test_county import CATS, PERIODS, gen  # noqa: F401 - the shared county


def live(store, period, today, cats=CATS, scope=""):
    return county.county_view(store, cats, period, today=today, scope=scope)


def summed(store, period, today, cats=CATS, scope=""):
    return county_view(store, cats, period, today=today, scope=scope)


def assert_same(a, b) -> None:
    (fa, ca), (fb, cb) = a, b
    assert fa.current == fb.current
    for ua, ub in zip([fa.county, *fa.towns, *fa.stations], [fb.county, *fb.towns, *fb.stations],
                      strict=True):
        assert (ua.code, ua.name, ua.level, ua.stations, ua.stale) == (
            ub.code, ub.name, ub.level, ub.stations, ub.stale)
        assert ua.cells == ub.cells, ua.code
    assert ca == cb


def state(store) -> dict[str, tuple[str, str, str]]:
    with store.raw_read() as con:
        return {(c, k): (f, t, at) for c, k, f, t, at in con.execute(
            "SELECT station_code, period_key, valid_from, valid_to, computed_at "
            "FROM county_summary_state")}


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.on.isoformat())
def test_summary_view_equals_the_live_view(gen, period):  # noqa: F811
    store, demo, _ = gen
    want = live(store, period, TODAY)
    assert want[0].county.n("persons") > 500 and sum(n for _, n in want[1].months) > 1000
    got = summed(store, period, TODAY)
    assert_same(got, want)
    key = county_summary.period_key(period.on)
    st = state(store)
    assert {c for c, k in st if k == key} >= set(demo.stations)
    # The second view is a plain read: nothing is recomputed.
    assert_same(summed(store, period, TODAY), want)
    assert state(store) == st
    town = want[0].towns[1].code
    assert_same(summed(store, period, TODAY, scope=town), live(store, period, TODAY, scope=town))


def test_a_window_computed_weeks_ago_is_exact_on_every_day_of_the_quarter(gen):  # noqa: F811
    store, _, _ = gen
    start = date(2026, 10, 9)
    refresh_summary(store, today=start, cats=CATS)
    before = state(store)
    assert {v[0] for (c, k), v in before.items() if k == "2026Q4"} == {"2026-10-09"}
    days = [start, date(2026, 10, 31), date(2026, 11, 1), TODAY - timedelta(days=1), TODAY,
            TODAY + timedelta(days=1), date(2026, 12, 15), date(2026, 12, 31)]
    moved = set()
    for day in days:
        period = county.CountyPeriod.current(day)
        want = live(store, period, day)
        moved.add((want[0].county.n("contacts_overdue"), want[0].county.n("cases_overdue"),
                   want[0].county.n("events_overdue")))
        assert_same(summed(store, period, day), want)
    assert len(moved) >= 4  # the day-driven figures did change across the quarter
    assert state(store) == before  # ... and every day was read from the same window
    with store.raw_read() as con:
        n_rows = con.execute("SELECT count(*) FROM county_summary").fetchone()[0]
    assert n_rows > 0


def test_a_changed_station_alone_is_recomputed(gen):  # noqa: F811
    store, demo, _ = gen
    period = county.CountyPeriod.current(TODAY)
    summed(store, period, TODAY)
    before = state(store)
    with store.raw_read() as con:
        code, case = con.execute(
            "SELECT station_code, id FROM dispute_case WHERE deleted_at IS NULL "
            "AND state = 'registered' ORDER BY id LIMIT 1").fetchone()
        # The only visit this quarter of a person on the roster, at another station.
        vcode, visit = con.execute(
            "SELECT min(v.station_code), min(v.id) FROM visit v JOIN person p "
            "ON p.id = v.person_id AND p.deleted_at IS NULL "
            "WHERE v.deleted_at IS NULL AND v.visit_date >= '2026-10-01' "
            "AND v.station_code <> ? GROUP BY v.person_id HAVING count(*) = 1 "
            "ORDER BY v.person_id DESC LIMIT 1", (code,)).fetchone()
    was = live(store, period, TODAY)[0]
    with store.raw_write() as con:  # any write path: the change_log trigger notices
        con.execute("UPDATE dispute_case SET state = 'resolved', closed_on = '2026-11-02', "
                    "resolved_level = 'town' WHERE id = ?", (case,))
        con.execute("UPDATE visit SET deleted_at = '2026-11-22T00:00:00.000Z' WHERE id = ?",
                    (visit,))
    after_write = state(store)
    assert (code, "2026Q4") not in after_write and (vcode, "2026Q4") not in after_write
    assert len(after_write) == len(before) - 2 * len({k for _, k in before})
    got = summed(store, period, TODAY)
    assert_same(got, live(store, period, TODAY))
    fig = got[0]
    assert fig.unit(vcode).n("contacted_q") == was.unit(vcode).n("contacted_q") - 1
    assert fig.unit(code).n("cases_open") == was.unit(code).n("cases_open") - 1
    after = state(store)
    assert {c for (c, k) in after if after[(c, k)] != before.get((c, k))} == {code, vcode}


def test_a_catalogue_change_that_alters_a_figure_rebuilds_everything(gen):  # noqa: F811
    store, _, _ = gen
    period = county.CountyPeriod.current(TODAY)
    summed(store, period, TODAY)
    entries = [e for e in CATS.entries("person_category", active_only=False)]
    changed = []
    for e in entries:
        data = dict(e.data)
        if "contact_interval_days" in data:
            data["contact_interval_days"] = int(data["contact_interval_days"]) // 3 + 1
        changed.append(type(e)(e.kind, e.code, e.name, e.sort, e.active, data))
    others = [e for kind in CATS.kinds() if kind != "person_category"
              for e in CATS.entries(kind, active_only=False)]
    cats = Catalogues([*changed, *others])
    assert county_summary.defs_hash(cats) != county_summary.defs_hash(CATS)
    want = live(store, period, TODAY, cats)
    assert want[0].county.n("contacts_overdue") != live(store, period, TODAY)[0].county.n(
        "contacts_overdue")
    assert_same(summed(store, period, TODAY, cats), want)
    assert_same(summed(store, period, TODAY), live(store, period, TODAY))


def test_the_summary_is_local_data_without_capture(gen):  # noqa: F811
    store, _, path = gen
    refresh_summary(store, today=TODAY, cats=CATS)
    con = sqlite3.connect(path)
    try:
        triggers = {n for (n,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'county%'")}
        logged = con.execute("SELECT count(*) FROM change_log WHERE table_name LIKE 'county%'"
                             ).fetchone()[0]
    finally:
        con.close()
    assert triggers == set() and logged == 0


def test_an_import_late_in_a_quarter_fills_the_next_quarter_too(gen):  # noqa: F811
    store, demo, _ = gen
    code = sorted(set(demo.stations) - set(demo.never_sent))[0]
    with store.raw_write() as con:  # 51 days before the quarter ends: this quarter only
        county_summary.refresh_after_import(con, code, today=date(2026, 11, 10))
    assert (code, "2027Q1") not in state(store)
    with store.raw_write() as con:  # 21 days before: every station reports
        for c in demo.stations:
            county_summary.refresh_after_import(con, c, today=date(2026, 12, 10))
    ready = {k: v for k, v in state(store).items() if k[1] == "2027Q1"}
    assert ready[(code, "2027Q1")][:2] == ("2027-01-01", "2027-03-31")
    assert {c for c, _ in ready} == set(demo.stations)
    day = date(2027, 1, 5)
    period = county.CountyPeriod.current(day)
    assert_same(summed(store, period, day), live(store, period, day))
    after = {k: v for k, v in state(store).items() if k[1] == "2027Q1"}
    assert {k: after[k] for k in ready} == ready  # used as they were, not recomputed
