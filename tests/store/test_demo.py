"""The demo generator on a real SQLite file: plausible, consistent, captured, repeatable."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Date

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.enums import AidState, Level, ReviewDecision, next_aid_state
from station_desktop.domain.errors import Cancelled
from station_desktop.domain.progress import Counter
from station_desktop.domain.idnumber import parse_id_number
from station_desktop.services.demo import DEMO_TABLES, generate_demo, make_persons, make_visits
from station_desktop.services import open_store
from station_desktop.store.models import MODEL_BY_TABLE

TODAY = date(2026, 11, 23)
CODE = "420303100201"
PERSONS = 120
# Due dates and deadlines lie ahead by nature; a running campaign ends later.
FUTURE_ALLOWED = {("life_event", "visit_due_on"), ("dispute_case", "deadline"),
                  ("honour", "deadline"), ("campaign", "end_on")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[sqlite3.Connection, dict[str, int]]:
    store = open_store(tmp_path_factory.mktemp("demo"))
    seen = Seen()
    counts = generate_demo(store, station_code=CODE, persons=PERSONS, seed=7, today=TODAY,
                           progress=seen)
    assert seen.calls and seen.calls[-1][0] == seen.calls[-1][1] == sum(counts.values())
    path = store.path
    store.close()
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    yield con, counts
    con.close()


class Seen(Counter):
    """Remembers every report; with ``stop_once_written`` asks to stop after the first rows."""

    def __init__(self, *, stop_once_written: bool = False) -> None:
        super().__init__()
        self.calls: list[tuple[int, int]] = []
        self.stop_once_written = stop_once_written

    def __call__(self, done: int, total: int) -> None:
        super().__call__(done, total)
        self.calls.append((done, total))
        if self.stop_once_written and done:
            self.cancel()


def rows(con: sqlite3.Connection, sql: str, *args: object) -> list[sqlite3.Row]:
    return con.execute(sql, args).fetchall()


def test_counts_match_the_tables(demo) -> None:
    con, counts = demo
    assert set(counts) == set(DEMO_TABLES)
    for table, n in counts.items():
        assert con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == n, table
        assert n > 0, f"demo wrote no {table}"
    assert counts["person"] == PERSONS
    assert counts["operator"] == 2
    # the station row and catalogues belong to station set-up, not to the demo
    assert con.execute("SELECT count(*) FROM station").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM catalogue_item").fetchone()[0] == 0


def test_bulk_path_is_captured_once_per_row(demo) -> None:
    con, counts = demo
    logged = {r["table_name"]: (r["n"], r["ids"]) for r in rows(
        con, "SELECT table_name, count(*) AS n, count(DISTINCT row_id) AS ids "
             "FROM change_log WHERE op = 'I' GROUP BY table_name")}
    assert logged == {t: (n, n) for t, n in counts.items()}
    assert con.execute("SELECT count(*) FROM change_log WHERE op != 'I'").fetchone()[0] == 0
    for table in counts:
        missing = con.execute(
            f'SELECT count(*) FROM "{table}" r WHERE hlc = 0 OR NOT EXISTS (SELECT 1 FROM '
            f"change_log c WHERE c.table_name = '{table}' AND c.row_id = r.id)").fetchone()[0]
        assert missing == 0, table
    ops = {r[0] for r in rows(con, "SELECT DISTINCT operator_id FROM change_log")}
    assert len(ops) == 1 and ops <= {r["id"] for r in rows(con, "SELECT id FROM operator")}


def test_every_category_is_present(demo) -> None:
    con, _ = demo
    codes = {e.code for e in Catalogues.defaults().entries("person_category")}
    assert len(codes) == 17
    seen = {c for r in rows(con, "SELECT categories FROM person") for c in json.loads(r[0])}
    assert seen == codes


def test_id_numbers_are_valid_and_match_the_person(demo) -> None:
    con, _ = demo
    people = rows(con, "SELECT id_number, birth_date, sex, phone FROM person")
    for p in people:
        parsed = parse_id_number(p["id_number"], today=TODAY)
        assert parsed.number == p["id_number"]
        assert parsed.region_code == CODE[:6]
        assert parsed.birth_date.isoformat() == p["birth_date"]
        assert parsed.sex.value == p["sex"]
        assert re.fullmatch(r"1[3-9]\d{9}", p["phone"])
    family = [r[0] for r in rows(con, "SELECT id_number FROM family_member "
                                      "WHERE id_number IS NOT NULL")]
    assert family
    for number in family:
        assert parse_id_number(number, today=TODAY).region_code == CODE[:6]
    everyone = [p["id_number"] for p in people] + family
    assert len(set(everyone)) == len(everyone)


def test_ages_and_service_fit_the_categories(demo) -> None:
    con, _ = demo
    minimum = {"red_army_veteran": 95, "retired_cadre": 70, "rural_soldier_60": 60,
               "serving_family": 18, "martyr_elderly_child": 60, "demobilised": 80}
    for p in rows(con, "SELECT * FROM person"):
        birth = date.fromisoformat(p["birth_date"])
        age = TODAY.year - birth.year - ((TODAY.month, TODAY.day) < (birth.month, birth.day))
        cats = json.loads(p["categories"])
        for cat in cats:
            assert age >= minimum.get(cat, 18), (cat, age)
        if p["enlist_date"]:
            enlist, discharge = (date.fromisoformat(p["enlist_date"]),
                                 date.fromisoformat(p["discharge_date"]))
            assert (enlist - birth).days >= 13 * 365
            assert enlist < discharge <= TODAY
            assert p["discharge_mode"] and p["resettlement_mode"]
        if "disabled_soldier" in cats:
            assert 1 <= p["disability_grade"] <= 10
            assert p["disability_nature"] in ("war", "duty", "illness")
        if "martyr_family" in cats:
            assert p["martyr_cert_no"] and p["martyr_sacrifice_date"]
        if p["key_focus"]:
            assert p["key_focus_reason"]


def test_no_dates_in_the_future(demo) -> None:
    con, _ = demo
    for table in DEMO_TABLES:
        model = MODEL_BY_TABLE[table]
        for col in model.__table__.columns:  # type: ignore[attr-defined]
            if isinstance(col.type, Date) and (table, col.name) not in FUTURE_ALLOWED:
                late = con.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{col.name}" > ?',
                    (TODAY.isoformat(),)).fetchone()[0]
                assert late == 0, f"{table}.{col.name}"
                bad = con.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{col.name}" IS NOT NULL '
                    f'AND date("{col.name}") IS NOT "{col.name}"').fetchone()[0]
                assert bad == 0, f"{table}.{col.name} is not an ISO date"


def test_money_is_integer_fen(demo) -> None:
    con, _ = demo
    money = {"visit": ["money_fen"], "aid_application": ["requested_fen", "approved_fen"],
             "aid_review": ["amount_fen"], "aid_payment": ["amount_fen", "in_kind_fen"]}
    for table, cols in money.items():
        for col in cols:
            kinds = {r[0] for r in rows(con, f'SELECT DISTINCT typeof("{col}") FROM "{table}"')}
            assert kinds <= {"integer", "null"}, (table, col, kinds)
    assert con.execute("SELECT count(*) FROM visit WHERE money_fen > 0").fetchone()[0] > 0


def test_life_events_are_closed_exactly_by_their_visit(demo) -> None:
    con, _ = demo
    visits_by_event = defaultdict(list)
    for v in rows(con, "SELECT id, life_event_id, visit_date FROM visit "
                       "WHERE life_event_id IS NOT NULL"):
        visits_by_event[v["life_event_id"]].append(v)
    events = rows(con, "SELECT * FROM life_event")
    assert set(visits_by_event) <= {e["id"] for e in events}
    open_overdue = 0
    for e in events:
        answered = visits_by_event.get(e["id"], [])
        if e["closed_by_visit_id"] is None:
            assert not answered and e["closed_on"] is None
            open_overdue += e["visit_due_on"] < TODAY.isoformat()
        else:
            assert [v["id"] for v in answered] == [e["closed_by_visit_id"]]
            assert e["closed_on"] == answered[0]["visit_date"] >= e["event_date"]
    assert open_overdue >= 1


def test_last_contact_is_the_latest_visit(demo) -> None:
    con, _ = demo
    wrong = con.execute(
        "SELECT count(*) FROM person p WHERE p.last_contact_on IS NOT "
        "(SELECT max(visit_date) FROM visit v WHERE v.person_id = p.id)").fetchone()[0]
    assert wrong == 0


def test_aid_states_follow_the_reviews(demo) -> None:
    con, _ = demo
    seen = set()
    for app in rows(con, "SELECT * FROM aid_application"):
        state = AidState.APPLIED
        county_amount = None
        for r in rows(con, "SELECT * FROM aid_review WHERE application_id = ? "
                           "ORDER BY reviewed_on, rowid", app["id"]):
            assert r["reviewed_on"] >= app["applied_on"]
            state = next_aid_state(state, Level(r["level"]), ReviewDecision(r["decision"]))
            if r["level"] == "county" and r["decision"] == "approve":
                county_amount = r["amount_fen"]
        paid = rows(con, "SELECT amount_fen FROM aid_payment WHERE application_id = ?",
                    app["id"])
        seen.add(app["state"])
        if app["state"] == "paid":
            assert state is AidState.APPROVED and paid
            assert sum(p[0] for p in paid) == app["approved_fen"]
        elif app["state"] == "withdrawn":
            assert state in (AidState.APPLIED, AidState.VILLAGE_REVIEWED,
                             AidState.TOWN_REVIEWED) and not paid
        else:
            assert app["state"] == state.value and not paid
        assert app["approved_fen"] == county_amount
        if county_amount is not None:
            assert 0 < county_amount <= app["requested_fen"]
    assert {"paid", "rejected", "applied"} <= seen


def test_cases_and_honours_cover_the_workflows(demo) -> None:
    con, _ = demo
    cases = rows(con, "SELECT * FROM dispute_case")
    assert any(c["state"] == "escalated" and c["level"] == "town" for c in cases)
    assert any(c["repeat_petition"] for c in cases)
    assert any(c["state"] in ("registered", "mediating", "escalated")
               and c["deadline"] < TODAY.isoformat() for c in cases)
    for c in cases:
        steps = rows(con, "SELECT * FROM case_step WHERE case_id = ? ORDER BY step_on, rowid",
                     c["id"])
        assert steps[0]["action"] == "register" and steps[0]["step_on"] == c["registered_on"]
        if c["state"] in ("closed", "revisited"):
            assert c["closed_on"] and c["outcome"] and c["satisfaction"] in "12345"
    states = {(r[0], r[1]) for r in rows(con, "SELECT DISTINCT kind, state FROM honour")}
    assert {("plaque", "hung"), ("plaque", "applied"), ("notice", "to_collect"),
            ("notice", "to_deliver"), ("notice", "delivered")} <= states
    hours = con.execute("SELECT sum(minutes) FROM volunteer_hours").fetchone()[0]
    assert hours > 0
    linked = con.execute("SELECT count(*) FROM volunteer_member m JOIN person p "
                         "ON p.id = m.person_id").fetchone()[0]
    assert linked == con.execute("SELECT count(*) FROM volunteer_member").fetchone()[0]


def test_same_seed_same_data(demo, tmp_path: Path) -> None:
    con, counts = demo
    store = open_store(tmp_path / "again")
    again = generate_demo(store, station_code=CODE, persons=PERSONS, seed=7, today=TODAY)
    store.close()
    other = sqlite3.connect(store.path)
    sql = "SELECT name, id_number, registered_on FROM person ORDER BY rowid"
    assert again == counts
    assert [tuple(r) for r in rows(con, sql)] == other.execute(sql).fetchall()
    sql = "SELECT visit_date, kind, method, money_fen, content FROM visit ORDER BY rowid"
    assert [tuple(r) for r in rows(con, sql)] == other.execute(sql).fetchall()
    other.close()
    import random

    a = [p["name"] for p in make_persons(random.Random(1), 30, CODE, TODAY)]
    b = [p["name"] for p in make_persons(random.Random(1), 30, CODE, TODAY)]
    c = [p["name"] for p in make_persons(random.Random(2), 30, CODE, TODAY)]
    assert a == b != c


def test_row_factories_fill_every_required_column() -> None:
    import random

    rng = random.Random(3)
    persons = make_persons(rng, 40, CODE, TODAY)
    visits = make_visits(rng, persons, 200, TODAY)
    for table, made in (("person", persons), ("visit", visits)):
        required = {c.name for c in MODEL_BY_TABLE[table].__table__.columns  # type: ignore[attr-defined]
                    if not c.nullable and c.name != "hlc"}
        for row in made:
            assert all(row[c] is not None for c in required), table
    assert all(TODAY.isoformat() >= v["visit_date"] for v in visits)


def test_cancel_rolls_everything_back(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    # cancel once some rows are already in the (uncommitted) transaction
    seen = Seen(stop_once_written=True)
    with pytest.raises(Cancelled):
        generate_demo(store, station_code=CODE, persons=40, today=TODAY, progress=seen)
    assert seen.calls[-1][0] > 0
    con = sqlite3.connect(store.path)
    assert con.execute("SELECT count(*) FROM person").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM change_log").fetchone()[0] == 0
    assert con.execute("SELECT operator_id FROM write_context").fetchone()[0] is None
    con.close()
    store.close()
