"""Ledger list queries and totals: filters, sorting, tombstones, money and minutes."""

from __future__ import annotations

from datetime import date

import pytest

from station_desktop.store import ledgers
from tests.conftest import TODAY, make_id


@pytest.fixture
def other(svc):
    return svc.create("person", {"name": "李四", "id_number": make_id(seq=125),
                                 "categories": "退役士兵"})


def _app(svc, pid: str, aid_type: str, on: str, yuan: str) -> str:
    return svc.create("aid_application", {"person_id": pid, "aid_type": aid_type,
                                          "cause": "困难", "applied_on": on,
                                          "requested_fen": yuan})["id"]


def _approve(svc, app_id: str, amount: int | None = None) -> None:
    for level in ("village", "town", "county"):
        svc.review_aid(app_id, level=level, decision="approve", reviewer="审核人",
                       amount_fen=amount if level == "county" else None)


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0.0 小时"), (None, "0.0 小时"), (60, "1.0 小时"), (90, "1.5 小时"),
    (135, "2.3 小时"),  # 2.25 rounds half up
    (3, "0.1 小时"), (2, "0.0 小时"), (6000, "100.0 小时"),
])
def test_hours_text(minutes, text):
    assert ledgers.hours_text(minutes) == text


def test_aid_filters_sorting_and_rows(svc, store, person, other):
    a = _app(svc, person["id"], "living", "2025-12-20", "1000")
    b = _app(svc, person["id"], "medical", "2026-03-01", "3000")
    c = _app(svc, other["id"], "living", "2026-05-01", "500")
    gone = _app(svc, other["id"], "living", "2026-06-01", "9999")
    svc.delete("aid_application", gone)
    _approve(svc, a, 90000)
    svc.pay_aid(a, {"paid_on": "2026-01-05", "amount_fen": "600"})

    assert ledgers.aid_ids(store) == [c, b, a]  # newest application first, tombstone gone
    assert ledgers.aid_ids(store, year=2026) == [c, b]
    assert ledgers.aid_ids(store, year=2025) == [a]
    assert ledgers.aid_ids(store, aid_type="living") == [c, a]
    assert ledgers.aid_ids(store, state="paid") == [a]
    assert ledgers.aid_ids(store, state="applied", year=2026, aid_type="medical") == [b]
    assert ledgers.aid_ids(store, person_id=other["id"]) == [c]
    assert ledgers.aid_ids(store, sort="requested_fen", desc=False) == [c, a, b]
    assert ledgers.aid_ids(store, sort="person_name", desc=False) == [a, b, c]  # 张 < 李, then id
    assert ledgers.aid_ids(store, sort="paid_fen", desc=True)[0] == a
    # an unknown sort key falls back to the default, never reaches SQL
    assert ledgers.aid_ids(store, sort="1; DROP TABLE person") == [c, b, a]

    rows = ledgers.aid_rows(store, [a, c])
    assert set(rows) == {a, c}
    assert rows[a]["person_name"] == "张三丰" and rows[a]["paid_fen"] == 60000
    assert rows[a]["approved_fen"] == 90000 and rows[a]["state"] == "paid"
    assert rows[c]["paid_fen"] == 0 and rows[c]["approved_fen"] is None
    assert ledgers.aid_rows(store, []) == {}
    assert ledgers.aid_years(store) == [2026, 2025]


def test_aid_totals_by_type_and_detail(svc, store, person, other):
    a = _app(svc, person["id"], "living", "2026-02-01", "1000")
    b = _app(svc, other["id"], "living", "2026-03-01", "500.50")
    c = _app(svc, other["id"], "medical", "2026-04-01", "3000")
    old = _app(svc, person["id"], "education", "2025-11-01", "2000")
    _approve(svc, a, 80000)
    svc.pay_aid(a, {"paid_on": "2026-05-01", "amount_fen": "800", "fund": "temporary"})
    _approve(svc, old)
    svc.pay_aid(old, {"paid_on": "2026-01-10", "amount_fen": "2000"})
    svc.review_aid(c, level="village", decision="approve", reviewer="王建国")

    t = ledgers.aid_totals(store, 2026)
    assert (t["count"], t["requested_fen"], t["paid_fen"]) == (3, 450050, 280000)
    by_type = {r["aid_type"]: (r["count"], r["requested_fen"], r["paid_fen"])
               for r in t["by_type"]}
    assert by_type == {"living": (2, 150050, 80000), "medical": (1, 300000, 0),
                       "education": (0, 0, 200000)}
    assert t["waiting_review"] == 2  # b applied, c reviewed by the village
    t25 = ledgers.aid_totals(store, 2025)
    assert (t25["count"], t25["requested_fen"], t25["paid_fen"]) == (1, 200000, 0)
    assert ledgers.aid_totals(store, 2024)["by_type"] == []

    d = ledgers.aid_detail(store, a)
    assert d["application"]["person_name"] == "张三丰"
    assert [(r["level"], r["decision"]) for r in d["reviews"]] == [
        ("village", "approve"), ("town", "approve"), ("county", "approve")]
    assert [(p["amount_fen"], p["fund"]) for p in d["payments"]] == [(80000, "temporary")]
    assert ledgers.aid_detail(store, b)["reviews"] == []


def test_cases_filters_overdue_and_counts(svc, store, person):
    def case(registered: str, deadline: str, **extra) -> str:
        return svc.create("dispute_case", {
            "person_id": person["id"], "parties": "张三丰", "registrar": "王建国",
            "channel": "visit", "case_type": "policy", "registered_on": registered,
            "deadline": deadline, "content": "诉求", **extra})["id"]

    late = case("2026-10-01", "2026-10-16")
    on_time = case("2026-11-20", "2026-11-23")
    up = case("2026-09-01", "2026-09-16", repeat_petition=True)
    svc.case_action(up, action="escalate", handler="王建国")
    done = case("2026-08-01", "2026-08-16")
    svc.case_action(done, action="mediate", handler="王建国")
    svc.case_action(done, action="close", handler="王建国", outcome="解决")
    last_year = case("2025-06-01", "2025-06-16")
    svc.case_action(last_year, action="close", handler="王建国")

    ids = ledgers.case_ids
    assert ids(store, today=TODAY) == [on_time, late, up, done, last_year]
    assert set(ids(store, today=TODAY, overdue_only=True)) == {late, up}
    assert set(ids(store, today=TODAY, open_only=True)) == {late, on_time, up}
    assert ids(store, today=TODAY, level="town") == [up]
    assert ids(store, today=TODAY, state="closed") == [done, last_year]
    assert ids(store, today=TODAY, state="escalated", overdue_only=True) == [up]
    assert ids(store, today=date(2026, 11, 24), overdue_only=True, level="village") == [
        on_time, late]
    assert ids(store, today=TODAY, sort="level", desc=True)[0] == up

    rows = ledgers.case_rows(store, [up, done])
    assert rows[up]["level"] == "town" and rows[up]["steps"] == 2
    assert rows[done]["steps"] == 3 and rows[done]["person_name"] == "张三丰"
    assert ledgers.is_case_overdue(rows[up], TODAY)
    assert not ledgers.is_case_overdue(rows[done], TODAY)

    steps = ledgers.case_steps(store, done)
    assert [s["action"] for s in steps] == ["register", "mediate", "close"]

    c = ledgers.case_counts(store, TODAY)
    assert (c["open"], c["overdue"], c["repeat"], c["above_village"]) == (3, 2, 1, 1)
    assert (c["year_total"], c["year_closed"], c["year_closed_in_village"]) == (4, 1, 1)


def test_honours_filters_and_counts(svc, store, person, other):
    def honour(pid: str, kind: str, applied: str) -> str:
        return svc.create("honour", {"person_id": pid, "kind": kind, "title": "荣誉",
                                     "applied_on": applied})["id"]

    p1 = honour(person["id"], "plaque", "2026-01-01")
    p2 = honour(other["id"], "plaque", "2026-02-01")
    svc.advance_honour(p2, "hung")
    n1 = honour(person["id"], "notice", "2026-03-01")
    n2 = honour(other["id"], "notice", "2026-04-01")
    svc.advance_honour(n2, "to_deliver")
    n3 = honour(other["id"], "notice", "2026-05-01")
    svc.advance_honour(n3, "to_deliver")
    svc.advance_honour(n3, "delivered")
    m = honour(person["id"], "merit", "2026-06-01")

    assert ledgers.honour_ids(store) == [m, n3, n2, n1, p2, p1]
    assert ledgers.honour_ids(store, kind="plaque") == [p2, p1]
    assert ledgers.honour_ids(store, kind="notice", state="to_deliver") == [n2]
    assert ledgers.honour_ids(store, state="recorded") == [m]
    assert ledgers.honour_ids(store, sort="applied_on", desc=False)[0] == p1
    assert ledgers.honour_rows(store, [n3])[n3]["done_on"] == TODAY.isoformat()
    assert ledgers.honour_counts(store) == {
        "plaque_to_hang": 1, "notice_to_collect": 1, "notice_to_deliver": 1,
        "plaques_hung": 1, "notices_delivered": 1}


def test_volunteer_hours_and_tombstones(svc, store):
    team = svc.create("volunteer_team", {"name": "老兵志愿服务队", "leader": "张三"})["id"]
    empty = svc.create("volunteer_team", {"name": "新队"})["id"]

    def member(name: str, joined: str) -> str:
        return svc.create("volunteer_member", {"team_id": team, "name": name,
                                               "joined_on": joined})["id"]

    m1, m2, m3 = member("甲", "2026-01-01"), member("乙", "2026-02-01"), member("丙", "2026-03-01")
    a1 = svc.create("volunteer_activity", {"team_id": team, "title": "植树",
                                           "held_on": "2026-03-12"})["id"]
    a2 = svc.create("volunteer_activity", {"team_id": team, "title": "敬老",
                                           "held_on": "2026-10-29"})["id"]
    for act, mem, minutes in ((a1, m1, 120), (a1, m2, 90), (a2, m1, 45), (a2, m3, 30)):
        svc.create("volunteer_hours", {"activity_id": act, "member_id": mem,
                                       "minutes": minutes})
    svc.update("volunteer_member", m2, {"left_on": "2026-06-01"})
    svc.delete("volunteer_member", m3)  # entered by mistake: its hours no longer count

    assert set(ledgers.team_ids(store)) == {team, empty}
    rows = ledgers.team_rows(store, [team, empty])
    assert (rows[team]["members"], rows[team]["minutes"], rows[team]["activities"]) == (
        1, 255, 2)
    assert (rows[empty]["members"], rows[empty]["minutes"]) == (0, 0)
    assert ledgers.team_ids(store, sort="minutes", desc=True) == [team, empty]

    assert ledgers.member_ids(store, team) == [m1, m2]
    members = ledgers.member_rows(store, [m1, m2])
    assert (members[m1]["minutes"], members[m1]["activities"]) == (165, 2)
    assert (members[m2]["minutes"], members[m2]["left_on"]) == (90, "2026-06-01")
    assert ledgers.member_ids(store, team, sort="minutes", desc=True) == [m1, m2]

    assert ledgers.activity_ids(store, team) == [a2, a1]
    acts = ledgers.activity_rows(store, [a1, a2])
    assert (acts[a1]["participants"], acts[a1]["minutes"]) == (2, 210)
    assert (acts[a2]["participants"], acts[a2]["minutes"]) == (1, 45)

    # the hours sheet of an activity: current members, plus one who left but served here
    sheet = {r["member_id"]: r["minutes"] for r in ledgers.activity_hours(store, a1)}
    assert sheet == {m1: 120, m2: 90}
    sheet = {r["member_id"]: r["minutes"] for r in ledgers.activity_hours(store, a2)}
    assert sheet == {m1: 45}

    assert ledgers.volunteer_totals(store) == {"teams": 2, "members": 1, "minutes": 255}
    assert ledgers.operator_name(store, svc.operator_id) == "王建国"
    assert ledgers.operator_name(store, None) == ""
