"""The due list the program computes in SQL (store/visits.py) against the rules in Python.

``rules.due_list`` is written person by person from the catalogue's rules
(domain/rules.py) and never runs SQL. Hypothesis generates catalogues (each
category its own contact interval and priority flag, the key-focus and
default intervals, the priority age) and rosters (persons of every category,
ages round the priority age, last contacts round each interval, tombstones,
life events open and closed, visits inside and outside holiday windows), and
days inside and outside the holiday windows; the SQL must give the same list.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from station_desktop.domain import rules
from station_desktop.domain.catalogues import CatalogueEntry, Catalogues
from station_desktop.services import Service
from station_desktop.store import visits as sv
from station_desktop.store.db import Store
from station_desktop.services.demo import generate_demo
from tests.conftest import VILLAGE_CODE

DEFAULTS = Catalogues.defaults()
CATEGORIES = [e.code for e in DEFAULTS.entries("person_category", active_only=False)]
EVENT_KINDS = [e.code for e in DEFAULTS.entries("life_event")]
#: Days inside holiday windows (春节 2027 window, 八一, 重阳, 国庆 2026) and ordinary days.
DAYS = [date(2027, 1, 25), date(2027, 2, 6), date(2026, 7, 20), date(2026, 10, 18),
        date(2026, 10, 1), date(2026, 11, 23), date(2026, 6, 30), date(2026, 12, 31)]


# --- facts from the database, for the oracle --------------------------------------------


def _d(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def facts(path) -> tuple[list, list, list]:
    """Every person, visit and life event as plain facts (plain sqlite3, no program SQL)."""
    con = sqlite3.connect(path)
    try:
        persons = [rules.PersonFacts(
            id=i, name=n, categories=tuple(json.loads(c or "[]")), key_focus=bool(k),
            birth_date=_d(b), registered_on=_d(r), last_contact_on=_d(lc), deleted=d is not None)
            for i, n, c, k, b, r, lc, d in con.execute(
                "SELECT id, name, categories, key_focus, birth_date, registered_on, "
                "last_contact_on, deleted_at FROM person")]
        visits = [rules.VisitFacts(p, _d(v), d is not None) for p, v, d in con.execute(
            "SELECT person_id, visit_date, deleted_at FROM visit")]
        events = [rules.EventFacts(i, p, k, _d(e), c is not None, d is not None)
                  for i, p, k, e, c, d in con.execute(
                      "SELECT id, person_id, kind, event_date, closed_on, deleted_at "
                      "FROM life_event")]
    finally:
        con.close()
    return persons, visits, events


def assert_same(store: Store, cats: Catalogues, today: date) -> dict[str, Any]:
    """The SQL due list of ``today`` is the oracle's; returns the SQL one."""
    want = rules.due_list(*facts(store.path), cats, today)
    got = sv.due_list_sql(store, cats, today)
    rows = got["overdue_contacts"]
    assert got["overdue_total"] == len(want.overdue)
    assert sorted((r["person_id"], r["due_on"], r["overdue_days"]) for r in rows) == sorted(
        want.overdue)
    keys = [(r["due_on"], r["name"]) for r in rows]
    assert keys == sorted(keys)  # most overdue first, then by name
    assert [r["overdue_days"] for r in rows] == [d for _p, _due, d in want.overdue]
    assert sorted((e["event_id"], e["visit_due_on"]) for e in got["life_events_due"]) == sorted(
        want.events)
    deadlines = [e["visit_due_on"] for e in got["life_events_due"]]
    assert deadlines == sorted(deadlines)
    assert [(h["code"], h["holiday_date"], h["not_yet_visited_total"])
            for h in got["holidays"]] == [(c, d, len(ids)) for c, d, ids in want.holidays]
    for h, (_c, _d, ids) in zip(got["holidays"], want.holidays, strict=True):
        assert sorted(r["person_id"] for r in h["not_yet_visited"]) == sorted(ids)
    q_start, q_end = rules.quarter_bounds(today)
    assert got["coverage"] == {"quarter_start": q_start, "quarter_end": q_end,
                               "contacted": want.contacted, "total": want.persons,
                               "ratio": rules.coverage_ratio(want.contacted, want.persons)}
    return got


# --- the demo station, as before -----------------------------------------------------------


@pytest.mark.parametrize("today", [date(2026, 11, 23), date(2027, 1, 25)])
def test_due_list_sql_equals_the_rules(svc, today: date) -> None:
    generate_demo(svc.store, station_code=VILLAGE_CODE, persons=150, seed=3,
                  today=date(2026, 11, 23))
    # some tombstones, a key-focus person and a deleted visit
    persons = svc.list("person", order_by="name")
    svc.delete("person", persons[0]["id"])
    svc.update("person", persons[1]["id"], {"key_focus": True})
    visit = svc.list("visit", where={"person_id": persons[2]["id"]}, order_by="-visit_date")[0]
    svc.delete("visit", visit["id"])
    service = Service(svc.store, svc.operator_id, today=today)
    got = assert_same(svc.store, service.catalogues(), today)
    assert got["overdue_total"] > 0
    if today != date(2026, 11, 23):
        assert got["holidays"], "2027-01-25 lies in the 春节 window"
    limited = sv.due_list_sql(svc.store, service.catalogues(), today, limit=5)
    assert len(limited["overdue_contacts"]) == 5
    assert limited["overdue_total"] == got["overdue_total"]
    assert limited["overdue_contacts"] == got["overdue_contacts"][:5]


# --- generated catalogues and rosters --------------------------------------------------------


@st.composite
def catalogues(draw) -> Catalogues:
    """The default catalogues with the county's rules redrawn."""
    intervals = st.integers(min_value=7, max_value=400)
    entries: list[CatalogueEntry] = []
    for e in DEFAULTS.all_entries():
        if e.kind == "person_category":
            data = {k: v for k, v in e.data.items() if k != "contact_interval_days"}
            if draw(st.booleans()) or e.code == CATEGORIES[0]:
                data["contact_interval_days"] = draw(intervals)
            data["priority"] = draw(st.booleans())
            e = replace(e, data=data, active=draw(st.sampled_from([True, True, True, False])))
        elif e.kind == "settings" and e.code == "rules":
            e = replace(e, data={**e.data, "age_priority": draw(st.integers(60, 90)),
                                 "key_focus_contact_interval_days": draw(intervals),
                                 "default_contact_interval_days": draw(intervals)})
        entries.append(e)
    return Catalogues(entries)


def _interval_choices(cats: Catalogues) -> list[int]:
    days = [int(e.data["contact_interval_days"]) for e in cats.entries("person_category")
            if "contact_interval_days" in e.data]
    return sorted({*days, int(rules._setting(cats, "key_focus_contact_interval_days")),
                   int(rules._setting(cats, "default_contact_interval_days"))})


@st.composite
def roster(draw, cats: Catalogues, today: date) -> dict[str, list[dict[str, Any]]]:
    """Persons, visits and life events round every boundary the rules have."""
    age = int(rules._setting(cats, "age_priority"))
    intervals = _interval_choices(cats)
    persons, visits, events = [], [], []
    w = rules.active_holidays(today, cats)
    for i in range(draw(st.integers(1, 14))):
        pid = f"p{i:03d}"
        registered = today - timedelta(days=draw(st.integers(0, 900)))
        last = None
        if draw(st.booleans()):
            # a last contact an interval (give or take a day or two) before today
            last = today - timedelta(days=draw(st.sampled_from(intervals))
                                     + draw(st.integers(-2, 2)))
        birth = today - relativedelta(years=age) + timedelta(days=draw(st.integers(-3, 3)))
        if draw(st.booleans()):
            birth = today - relativedelta(years=draw(st.integers(20, 100)),
                                          days=draw(st.integers(0, 364)))
        persons.append({
            "id": pid, "name": f"人{i:03d}",
            "categories": draw(st.lists(st.sampled_from([*CATEGORIES, "not_in_catalogue"]),
                                        max_size=3, unique=True)),
            "key_focus": draw(st.booleans()), "birth_date": birth, "registered_on": registered,
            "last_contact_on": last, "deleted": draw(st.integers(0, 7)) == 0,
        })
        for k in range(draw(st.integers(0, 3))):
            if w and draw(st.booleans()):
                day = draw(st.sampled_from([w[0].start, w[0].end, w[0].start - timedelta(days=1),
                                            w[0].end + timedelta(days=1)]))
            else:
                day = today - timedelta(days=draw(st.integers(0, 200)))
            visits.append({"id": f"{pid}v{k}", "person_id": pid, "visit_date": day,
                           "deleted": draw(st.integers(0, 5)) == 0})
        for k in range(draw(st.integers(0, 2))):
            kind = draw(st.sampled_from(EVENT_KINDS))
            on = today - timedelta(days=draw(st.integers(0, 40)))
            events.append({"id": f"{pid}e{k}", "person_id": pid, "kind": kind, "event_date": on,
                           "visit_due_on": rules.life_event_deadline(kind, on, cats),
                           "closed": draw(st.booleans()), "deleted": draw(st.integers(0, 5)) == 0})
    return {"persons": persons, "visits": visits, "events": events}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def write_roster(store: Store, data: dict[str, list[dict[str, Any]]]) -> None:
    """Replace the roster with ``data`` (test set-up, written directly)."""
    now, gone = "2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z"
    with store.raw_write(None) as con:
        for table in ("visit", "life_event", "person"):
            con.execute(f"DELETE FROM {table}")
        con.executemany(
            "INSERT INTO person (id, station_code, created_at, updated_at, deleted_at, name, "
            "id_number, sex, birth_date, categories, tags, key_focus, registered_on, "
            "last_contact_on, re_enlisted, zero_employment_family, benefit_kinds, "
            "lone_elder_or_orphan) VALUES (?, ?, ?, ?, ?, ?, ?, '1', ?, ?, '[]', ?, ?, ?, 0, 0, "
            "'[]', 0)",
            [(p["id"], VILLAGE_CODE, now, now, gone if p["deleted"] else None, p["name"],
              f"ID{p['id']}", _iso(p["birth_date"]), json.dumps(p["categories"]),
              int(p["key_focus"]), _iso(p["registered_on"]), _iso(p["last_contact_on"]))
             for p in data["persons"]])
        con.executemany(
            "INSERT INTO visit (id, station_code, created_at, updated_at, deleted_at, person_id, "
            "kind, method, visit_date, visitor, money_fen) "
            "VALUES (?, ?, ?, ?, ?, ?, 'routine', 'phone', ?, '王', 0)",
            [(v["id"], VILLAGE_CODE, now, now, gone if v["deleted"] else None, v["person_id"],
              _iso(v["visit_date"])) for v in data["visits"]])
        con.executemany(
            "INSERT INTO life_event (id, station_code, created_at, updated_at, deleted_at, "
            "person_id, kind, event_date, visit_due_on, closed_on) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(e["id"], VILLAGE_CODE, now, now, gone if e["deleted"] else None, e["person_id"],
              e["kind"], _iso(e["event_date"]), _iso(e["visit_due_on"]),
              _iso(e["event_date"]) if e["closed"] else None) for e in data["events"]])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_due_list_sql_follows_the_rules_on_generated_rosters(svc, data) -> None:
    cats = data.draw(catalogues(), label="catalogues")
    today = data.draw(st.one_of(st.sampled_from(DAYS),
                                st.dates(date(2026, 1, 1), date(2028, 12, 31))), label="today")
    write_roster(svc.store, data.draw(roster(cats, today), label="roster"))
    assert_same(svc.store, cats, today)
