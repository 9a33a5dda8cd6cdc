"""The report figures in SQL agree with the same figures counted in Python from raw rows.

``build_sample`` writes a small but awkward station through the service
(several categories per person, a deleted person with visits, a deleted
visit, records outside the period, cases settled at different levels,
honours in every state); ``expected`` recounts everything from plain
``sqlite3`` rows with Python loops. The UI tests reuse both.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from station_desktop.domain.errors import ValidationError
from station_desktop.services import Service
from station_desktop.store import stats
from tests.conftest import TODAY, make_id

Q4 = (date(2026, 10, 1), date(2026, 12, 31))
H1 = (date(2026, 1, 1), date(2026, 6, 30))
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def build_sample(svc: Service) -> dict[str, Any]:
    """A station with records inside and outside Q4 2026 (today is 2026-11-23)."""
    p = {}
    for seq, (key, cats, registered) in enumerate([
        ("a", "退役士兵", "2020-01-01"),
        ("b", "退役士兵,残疾军人", "2021-05-01"),
        ("c", "烈士遗属", "2019-03-01"),
        ("d", "现役军人家属,退役士兵", "2026-09-01"),  # registered after H1
        ("e", "军队转业干部", "2018-01-01"),
        ("gone", "退役士兵", "2018-01-01"),  # deleted below, with its records
    ], start=1):
        p[key] = svc.create("person", {
            "name": f"测试{key}", "id_number": make_id(seq=100 + seq), "categories": cats,
            "registered_on": registered})["id"]

    def visit(who: str, on: str, kind: str = "routine", method: str = "phone",
              money: int = 0) -> str:
        return svc.create("visit", {"person_id": p[who], "kind": kind, "method": method,
                                    "visit_date": on, "visitor": "王建国",
                                    "money_fen": money})["id"]

    visit("a", "2026-10-05", "holiday", "home", 50000)
    visit("a", "2026-11-02")
    visit("b", "2026-11-10", "major_event", "home", 20000)
    visit("c", "2026-10-20", "holiday", "home", 50000)
    visit("d", "2026-03-15")  # in H1, but d was registered later
    visit("e", "2026-05-06", "policy", "at_station")
    visit("e", "2025-12-30")  # before every period here
    deleted_visit = visit("b", "2026-10-11", "holiday", "home", 10000)
    visit("gone", "2026-10-12", "holiday", "home", 30000)
    visit("gone", "2026-04-01")

    def aid(who: str, aid_type: str, fund: str | None, applied: str, requested: int,
            path: list[tuple[str, int | None]], paid: tuple[str, int, int] | None = None) -> str:
        data = {"person_id": p[who], "aid_type": aid_type, "cause": "因病致困",
                "applied_on": applied, "requested_fen": requested}
        if fund:
            data["fund"] = fund
        app = svc.create("aid_application", data)["id"]
        for level, amount in path:
            decision = "reject" if amount == -1 else "approve"
            svc.review_aid(app, level=level, decision=decision, reviewer="审核人",
                           amount_fen=None if amount == -1 else amount,
                           on=date.fromisoformat(applied))
        if paid:
            svc.pay_aid(app, {"paid_on": paid[0], "amount_fen": paid[1], "in_kind_fen": paid[2]})
        return app

    full = [("village", None), ("town", None), ("county", 300000)]
    aid("a", "medical", "temporary", "2026-10-08", 500000, full, ("2026-10-20", 300000, 0))
    aid("b", "medical", "temporary", "2026-11-01", 200000, full[:2])
    aid("c", "living", "care_fund", "2026-10-15", 100000,
        [("village", None), ("town", None), ("county", 80000)], ("2026-11-05", 80000, 20000))
    aid("e", "living", None, "2026-11-11", 60000, [("village", -1)])
    aid("e", "education", "special_fund", "2026-06-01", 400000,
        [("village", None), ("town", None), ("county", 400000)], ("2026-10-02", 400000, 0))
    aid("gone", "medical", "temporary", "2026-10-09", 90000, [])

    def case(who: str | None, registered: str, deadline: str, actions: list[str],
             repeat: bool = False) -> str:
        data = {"parties": "甲与乙", "registrar": "王建国", "channel": "来访",
                "case_type": "政策待遇", "registered_on": registered, "deadline": deadline,
                "content": "反映待遇问题", "repeat_petition": repeat}
        if who:
            data["person_id"] = p[who]
        cid = svc.create("dispute_case", data)["id"]
        for action in actions:
            svc.case_action(cid, action=action, handler="王建国", on=date.fromisoformat(registered))
        return cid

    case("a", "2026-10-03", "2026-10-30", ["mediate", "close"])
    case("b", "2026-10-04", "2026-11-20", ["escalate", "close"], repeat=True)
    case(None, "2026-11-05", "2026-11-23", ["escalate", "escalate"])
    case("c", "2026-11-06", "2026-11-10", [])  # overdue, still at village
    case("e", "2026-05-01", "2026-05-30", ["escalate"])  # older, open, overdue, at town
    case("e", "2026-10-25", "2026-11-23", ["close", "revisit"])
    case("a", "2026-10-26", "2026-11-23", ["close", "return"])  # reopened: open again

    def honour(who: str, kind: str, steps: list[tuple[str, str]], **extra: str) -> str:
        hid = svc.create("honour", {"person_id": p[who], "kind": kind,
                                    "title": "光荣之家" if kind == "plaque" else "立功喜报",
                                    **extra})["id"]
        for state, on in steps:
            svc.advance_honour(hid, state, on=date.fromisoformat(on))
        return hid

    honour("a", "plaque", [])
    honour("b", "plaque", [("hung", "2026-10-10")])
    honour("c", "plaque", [("hung", "2025-08-01")])
    honour("e", "plaque", [("hung", "2026-10-01"), ("replaced", "2026-11-01")])
    honour("a", "notice", [], deadline="2026-11-23")
    honour("b", "notice", [("to_deliver", "2026-11-01")], deadline="2026-11-01")
    honour("c", "notice", [("to_deliver", "2026-10-01"), ("delivered", "2026-10-20")])
    honour("gone", "plaque", [])

    team = svc.create("volunteer_team", {"name": "老兵志愿服务队"})["id"]
    team2 = svc.create("volunteer_team", {"name": "红色宣讲队"})["id"]
    m1 = svc.create("volunteer_member", {"team_id": team, "name": "队员一",
                                         "joined_on": "2025-01-01"})["id"]
    m2 = svc.create("volunteer_member", {"team_id": team, "name": "队员二",
                                         "joined_on": "2026-10-15"})["id"]
    svc.create("volunteer_member", {"team_id": team, "name": "队员三",
                                    "joined_on": "2024-01-01", "left_on": "2025-06-30"})
    m4 = svc.create("volunteer_member", {"team_id": team2, "name": "队员四",
                                         "joined_on": "2026-01-01"})["id"]
    a1 = svc.create("volunteer_activity", {"team_id": team, "title": "重阳敬老",
                                           "held_on": "2026-10-29"})["id"]
    a2 = svc.create("volunteer_activity", {"team_id": team, "title": "清明祭扫",
                                           "held_on": "2026-04-04"})["id"]
    a3 = svc.create("volunteer_activity", {"team_id": team2, "title": "国防教育",
                                           "held_on": "2026-11-11"})["id"]
    svc.create("volunteer_hours", {"activity_id": a1, "member_id": m1, "minutes": 150})
    svc.create("volunteer_hours", {"activity_id": a1, "member_id": m2, "minutes": 90})
    svc.create("volunteer_hours", {"activity_id": a2, "member_id": m1, "minutes": 200})
    svc.create("volunteer_hours", {"activity_id": a3, "member_id": m4, "minutes": 45})
    gone_hours = svc.create("volunteer_hours", {"activity_id": a3, "member_id": m4,
                                                "minutes": 30})["id"]

    svc.delete("visit", deleted_visit)
    svc.delete("volunteer_hours", gone_hours)
    svc.delete("person", p["gone"])
    return p


# --- the same figures, counted in Python from raw rows -------------------------


def raw_tables(path: Path) -> dict[str, list[dict[str, Any]]]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        tables = ["person", "visit", "aid_application", "aid_payment", "dispute_case", "honour",
                  "volunteer_team", "volunteer_member", "volunteer_activity", "volunteer_hours",
                  "catalogue_item"]
        return {t: [dict(r) for r in con.execute(f"SELECT * FROM {t}")] for t in tables}
    finally:
        con.close()


def expected(path: Path, start: date, end: date, today: date = TODAY) -> dict[str, Any]:
    raw = raw_tables(path)
    a, b, t = start.isoformat(), end.isoformat(), today.isoformat()
    live_person = {r["id"]: r for r in raw["person"] if r["deleted_at"] is None}
    roster = {i: r for i, r in live_person.items() if r["registered_on"] <= b}
    groups = {r["code"]: json.loads(r["data"]).get("group", "其他")
              for r in raw["catalogue_item"] if r["kind"] == "person_category"}

    by_cat: Counter[str] = Counter()
    by_group: Counter[str] = Counter()
    for r in roster.values():
        cats = json.loads(r["categories"])
        by_cat.update(set(cats))
        by_group.update({groups.get(c, "其他") for c in cats})

    visits = [v for v in raw["visit"] if v["deleted_at"] is None
              and v["person_id"] in live_person and a <= v["visit_date"] <= b]

    def visit_rows(key) -> dict[str, tuple[int, int, int, int]]:
        out: dict[str, list] = defaultdict(lambda: [0, set(), 0, 0])
        for v in visits:
            row = out[key(v)]
            row[0] += 1
            row[1].add(v["person_id"])
            row[2] += v["method"] == "home"
            row[3] += v["money_fen"]
        return {k: (n, len(ps), h, f) for k, (n, ps, h, f) in out.items()}

    apps = {r["id"]: r for r in raw["aid_application"] if r["deleted_at"] is None}
    applied: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in apps.values():
        if r["person_id"] in live_person and a <= r["applied_on"] <= b:
            row = applied[(r["aid_type"], r["fund"])]
            row[0] += 1
            row[1] += r["requested_fen"]
            if r["state"] in ("approved", "paid"):
                row[2] += 1
                row[3] += r["approved_fen"] or 0
    paid: dict[tuple, list] = defaultdict(lambda: [0, set(), 0, 0])
    for r in raw["aid_payment"]:
        app = apps.get(r["application_id"])
        if (r["deleted_at"] is None and app is not None and r["person_id"] in live_person
                and a <= r["paid_on"] <= b):
            row = paid[(app["aid_type"], r["fund"] or app["fund"])]
            row[0] += 1
            row[1].add(r["person_id"])
            row[2] += r["amount_fen"]
            row[3] += r["in_kind_fen"]

    resolved: Counter[str] = Counter()
    still_open: Counter[str] = Counter()
    open_all: Counter[str] = Counter()
    opened = repeats = overdue = 0
    for c in raw["dispute_case"]:
        if c["deleted_at"] is not None:
            continue
        done = c["state"] in ("closed", "revisited")
        if a <= c["registered_on"] <= b:
            opened += 1
            repeats += bool(c["repeat_petition"])
            if done:
                resolved[c["resolved_level"] or c["level"]] += 1
            else:
                still_open[c["level"]] += 1
        if not done and c["registered_on"] <= b:
            open_all[c["level"]] += 1
            overdue += c["deadline"] < t

    honours = [h for h in raw["honour"] if h["deleted_at"] is None
               and h["person_id"] in live_person]

    def n_honours(pred) -> int:
        return sum(1 for h in honours if pred(h))

    members = [m for m in raw["volunteer_member"] if m["deleted_at"] is None]
    live_members = {m["id"] for m in members}
    acts = {x["id"]: x for x in raw["volunteer_activity"] if x["deleted_at"] is None}
    volunteers = {}
    for team in raw["volunteer_team"]:
        if team["deleted_at"] is not None:
            continue
        team_acts = {i for i, x in acts.items() if x["team_id"] == team["id"]
                     and a <= x["held_on"] <= b}
        hours = [h for h in raw["volunteer_hours"] if h["deleted_at"] is None
                 and h["activity_id"] in team_acts and h["member_id"] in live_members]
        volunteers[team["name"]] = (
            sum(1 for m in members if m["team_id"] == team["id"] and m["joined_on"] <= b
                and (m["left_on"] is None or m["left_on"] >= a)),
            len(team_acts), len({h["member_id"] for h in hours}),
            sum(h["minutes"] for h in hours))

    contacted = {v["person_id"] for v in visits if v["person_id"] in roster}
    return {
        "persons": len(roster),
        "by_category": dict(by_cat),
        "by_group": dict(by_group),
        "visits_by_month": visit_rows(lambda v: v["visit_date"][:7]),
        "visits_by_kind": visit_rows(lambda v: v["kind"]),
        "visit_totals": visit_rows(lambda v: "total").get("total", (0, 0, 0, 0)),
        "contacted": len(contacted),
        "aid_applied": {k: tuple(v) for k, v in applied.items()},
        "aid_paid": {k: (n, len(ps), amt, kind) for k, (n, ps, amt, kind) in paid.items()},
        "cases": {"opened": opened, "repeats": repeats, "resolved": dict(resolved),
                  "still_open": dict(still_open), "open_all": dict(open_all),
                  "overdue": overdue},
        "honours": {
            "plaques_not_hung": n_honours(lambda h: h["kind"] == "plaque"
                                          and h["state"] == "applied"),
            "notices_to_collect": n_honours(lambda h: h["kind"] == "notice"
                                            and h["state"] == "to_collect"),
            "notices_to_deliver": n_honours(lambda h: h["kind"] == "notice"
                                            and h["state"] == "to_deliver"),
            "notices_overdue": n_honours(lambda h: h["kind"] == "notice"
                                         and h["state"] in ("to_collect", "to_deliver")
                                         and h["deadline"] is not None and h["deadline"] < t),
            "plaques_hung_in_period": n_honours(
                lambda h: h["kind"] == "plaque" and h["state"] in ("hung", "replaced", "cancelled")
                and h["done_on"] is not None and a <= h["done_on"] <= b),
            "notices_delivered_in_period": n_honours(
                lambda h: h["kind"] == "notice" and h["state"] == "delivered"
                and h["done_on"] is not None and a <= h["done_on"] <= b),
        },
        "volunteers": volunteers,
    }


def as_expected(r: stats.PeriodReport) -> dict[str, Any]:
    """The SQL report in the shape ``expected`` returns."""
    def vrows(rows: list[stats.VisitRow]) -> dict[str, tuple[int, int, int, int]]:
        return {v.key: (v.visits, v.persons, v.home_visits, v.money_fen) for v in rows}

    c, h = r.cases, r.honours
    return {
        "persons": r.persons,
        "by_category": dict(r.by_category),
        "by_group": dict(r.by_group),
        "visits_by_month": vrows(r.visits_by_month),
        "visits_by_kind": vrows(r.visits_by_kind),
        "visit_totals": (r.visit_totals.visits, r.visit_totals.persons,
                         r.visit_totals.home_visits, r.visit_totals.money_fen),
        "contacted": r.contacted,
        "aid_applied": {(x.aid_type, x.fund): (x.applications, x.requested_fen, x.approved,
                                               x.approved_fen) for x in r.aid_applied},
        "aid_paid": {(x.aid_type, x.fund): (x.payments, x.persons, x.amount_fen, x.in_kind_fen)
                     for x in r.aid_paid},
        "cases": {"opened": c.opened, "repeats": c.repeat_petitions, "resolved": c.resolved,
                  "still_open": c.still_open, "open_all": c.open_all, "overdue": c.overdue_all},
        "honours": {k: getattr(h, k) for k in (
            "plaques_not_hung", "notices_to_collect", "notices_to_deliver", "notices_overdue",
            "plaques_hung_in_period", "notices_delivered_in_period")},
        "volunteers": {v.team: (v.members, v.activities, v.served, v.minutes)
                       for v in r.volunteers},
    }


@pytest.fixture
def sample(svc):
    return build_sample(svc)


@pytest.mark.parametrize("period", [Q4, H1, YEAR, (date(2026, 11, 1), date(2026, 11, 30))],
                         ids=["Q4", "H1", "year", "November"])
def test_every_figure_matches_python_count(store, sample, period):
    report = stats.period_report(store, *period, today=TODAY)
    assert as_expected(report) == expected(store.path, *period)


def test_figures_for_q4_by_hand(store, sample):
    """A few figures spelled out, so a wrong rule in both counts is still caught."""
    r = stats.period_report(store, *Q4, today=TODAY)
    assert r.persons == 5  # the deleted person is gone
    assert dict(r.by_category)["retired_soldier"] == 3
    assert dict(r.by_group) == {"退役军人": 4, "优抚对象": 3}
    # a, b, c visited in Q4 (b's holiday visit deleted; the deleted person's visit not counted)
    assert (r.visits, r.contacted) == (4, 3)
    assert r.coverage == pytest.approx(3 / 5)
    assert {v.key: v.visits for v in r.visits_by_month} == {"2026-10": 2, "2026-11": 2}
    assert sum(v.money_fen for v in r.visits_by_kind) == 120000
    paid = {(x.aid_type, x.fund): x.amount_fen for x in r.aid_paid}
    assert paid == {("medical", "temporary"): 300000, ("living", "care_fund"): 80000,
                    ("education", "special_fund"): 400000}
    applied = {(x.aid_type, x.fund): (x.applications, x.approved) for x in r.aid_applied}
    assert applied == {("medical", "temporary"): (2, 1), ("living", "care_fund"): (1, 1),
                       ("living", None): (1, 0)}
    c = r.cases
    assert c.opened == 6 and c.repeat_petitions == 1
    assert c.resolved == {"village": 2, "town": 1}
    assert c.still_open == {"county": 1, "village": 2}
    assert c.open_all == {"county": 1, "village": 2, "town": 1}
    assert c.overdue_all == 2
    h = r.honours
    assert (h.plaques_not_hung, h.notices_not_delivered, h.notices_overdue) == (1, 2, 1)
    assert (h.plaques_hung_in_period, h.notices_delivered_in_period) == (2, 1)
    vol = {v.team: (v.members, v.activities, v.served, v.minutes) for v in r.volunteers}
    assert vol == {"老兵志愿服务队": (2, 1, 2, 240), "红色宣讲队": (1, 1, 1, 45)}


def test_roster_at_end_of_earlier_period(store, sample):
    r = stats.period_report(store, *H1, today=TODAY)
    assert r.persons == 4  # d was registered in September
    # d's March visit counts as a visit, but d is not on the H1 roster
    assert r.visits == 2 and r.contacted == 1


def test_empty_station_has_zero_figures(store, svc):
    r = stats.period_report(store, *Q4, today=TODAY)
    assert r.persons == 0 and r.visits == 0 and r.coverage == 0.0
    assert r.by_category == [] and r.aid_paid == [] and r.volunteers == []
    assert r.cases.opened == 0 and r.honours.plaques_not_hung == 0


def test_end_before_start_refused(store, svc):
    with pytest.raises(ValidationError):
        stats.period_report(store, date(2026, 12, 1), date(2026, 11, 1), today=TODAY)


@pytest.mark.parametrize(("kind", "bounds"), [
    ("month", (date(2026, 11, 1), date(2026, 11, 30))),
    ("quarter", (date(2026, 10, 1), date(2026, 12, 31))),
    ("year", (date(2026, 1, 1), date(2026, 12, 31))),
])
def test_period_bounds(kind, bounds):
    assert stats.period_bounds(kind, TODAY) == bounds
    assert stats.period_bounds("month", date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))


def test_outbox_counts_unsent_changes(store, svc, person):
    ob = stats.outbox(store)
    assert ob.pending == svc.pending_changes() > 0
    assert ob.first_seq >= 1 and ob.last_seq >= ob.pending and ob.acked_seq == 0
    with store.write(None) as s:
        from sqlalchemy import text

        s.execute(text(
            "INSERT INTO sync_peer (code, name, role, relation, signing_public, encryption_public, "
            "fingerprint, state, key_epoch, enrolled_at, acked_seq, received_seq, received_max, gaps) "
            "VALUES ('420303000000', '县中心', 'county', 'county', 'x', 'y', 'F', 'active', 1, "
            "'2026-01-01', :v, 0, 0, '[]')"), {"v": ob.last_seq - 1})
    ob2 = stats.outbox(store)
    assert (ob2.pending, ob2.first_seq, ob2.last_seq) == (1, ob.last_seq, ob.last_seq)
