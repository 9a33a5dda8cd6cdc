"""store/visits.py on a real SQLite file: visit lists, the due list in SQL, holiday campaigns."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from station_desktop.domain.errors import StationError, ValidationError
from station_desktop.domain.progress import Counter
from station_desktop.services import Service, campaigns
from station_desktop.store import visits as sv
from tests.conftest import TODAY, make_id


def _age(birth: date, on: date) -> int:
    """Whole years, computed without the code under test."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@pytest.fixture
def group(svc: Service) -> dict[str, dict]:
    """A small roster with every case the holiday group must tell apart."""
    people = {
        "disabled_young": ("残疾军人", "19850301", False),
        "disabled_old": ("残疾军人", "19400101", False),
        "soldier_old": ("退役士兵", "19500615", False),
        "soldier_69": ("退役士兵", "19570301", False),  # turns 70 after the campaign starts
        "soldier_young": ("退役士兵", "19900101", False),
        "martyr_family": ("烈士遗属", "19650101", False),
        "key_focus": ("退役士兵", "19800101", True),
        "two_categories": ("退役士兵,残疾军人", "19700101", False),
    }
    out = {}
    for i, (key, (cats, birth, focus)) in enumerate(people.items()):
        out[key] = svc.create("person", {
            "name": f"测试{key}", "id_number": make_id(birth=birth, seq=101 + 2 * i),
            "categories": cats, "key_focus": focus})
    gone = svc.create("person", {"name": "已删除", "id_number": make_id(birth="19300101", seq=555),
                                 "categories": "残疾军人"})
    svc.delete("person", gone["id"])
    out["deleted"] = gone
    return out


def expected_members(svc: Service, categories: set[str], min_age: int | None, on: date,
                     *, match_all: bool = False, key_focus: bool = False) -> set[str]:
    chosen = set()
    for p in svc.list("person"):
        conds = []
        if categories:
            conds.append(bool(categories & set(p["categories"])))
        if min_age:
            conds.append(_age(p["birth_date"], on) >= min_age)
        if key_focus:
            conds.append(bool(p["key_focus"]))
        if (all(conds) if match_all else any(conds)) or not conds:
            chosen.add(p["id"])
    return chosen


def spring(svc: Service) -> dict:
    w = sv.next_holiday_window("spring_festival", svc.today, svc.catalogues())
    return {"holiday": "春节", "year": w.holiday_date.year, "name": "2027年春节走访慰问",
            "start_on": w.start, "end_on": w.end}


def campaign_visits(svc: Service, campaign_id: str) -> list[dict]:
    return svc.list("visit", where={"campaign_id": campaign_id})


class Recorder:
    """A Progress that records every report and is cancelled after ``cancel_after`` of them."""

    def __init__(self, calls: list[tuple[int, int]], cancel_after: int | None = None):
        self.calls, self.cancel_after = calls, cancel_after

    def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))

    @property
    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.calls) >= self.cancel_after


# --- holiday campaigns -----------------------------------------------------------


def test_create_and_record_visits_exactly_the_group(svc: Service, group: dict) -> None:
    values = spring(svc)
    crit = sv.GroupCriteria(categories=("disabled_soldier",), min_age=70)
    expected = expected_members(svc, {"disabled_soldier"}, 70, values["start_on"])
    assert {group["disabled_young"]["id"], group["disabled_old"]["id"],
            group["soldier_old"]["id"], group["two_categories"]["id"]} == expected
    assert sv.count_matching(svc.store, crit, svc.catalogues(), values["start_on"]) == len(
        expected)
    calls: list[tuple[int, int]] = []
    run = campaigns.create_and_record(svc, values, crit, {"visitor": "王建国", "gifts": "米、油",
                                                          "money_fen": "500"},
                                      progress=Recorder(calls))
    assert run.recorded == len(expected) and run.missing == 0
    assert calls[-1] == (len(expected), len(expected))
    visits = campaign_visits(svc, run.campaign["id"])
    assert {v["person_id"] for v in visits} == expected
    for v in visits:
        assert (v["kind"], v["method"], v["visit_date"], v["visitor"], v["money_fen"],
                v["gifts"]) == ("holiday", "home", TODAY, "王建国", 50000, "米、油")
        assert v["operator_id"] == svc.operator_id
    camp = svc.get("campaign", run.campaign["id"])
    assert camp["planned"] == len(expected)
    assert camp["criteria"]["categories"] == ["disabled_soldier"]
    assert camp["criteria"]["min_age"] == 70
    for pid in expected:
        assert svc.get("person", pid)["last_contact_on"] == TODAY
    # The bulk path is captured like any write, attributed to the operator.
    with svc.store.raw_read() as con:
        logged = con.execute(
            "SELECT count(*) FROM change_log WHERE table_name = 'visit' AND op = 'I' "
            "AND operator_id = ?", (svc.operator_id,)).fetchone()[0]
    assert logged == len(expected)
    assert [c for c in sv.list_campaigns(svc.store) if c["id"] == camp["id"]][0]["visited"] \
        == len(expected)


def test_match_all_and_key_focus(svc: Service, group: dict) -> None:
    on = spring(svc)["start_on"]
    crit = sv.GroupCriteria(categories=("disabled_soldier", "retired_soldier"), min_age=70,
                            match_all=True)
    ids = sv.matching_person_ids(svc.store, crit, svc.catalogues(), on)
    assert set(ids) == expected_members(svc, {"disabled_soldier", "retired_soldier"}, 70, on,
                                        match_all=True)
    assert set(ids) == {group["disabled_old"]["id"], group["soldier_old"]["id"]}
    crit = sv.GroupCriteria(key_focus=True)
    assert sv.matching_person_ids(svc.store, crit, svc.catalogues(), on) == [
        group["key_focus"]["id"]]
    everybody = sv.matching_person_ids(svc.store, sv.GroupCriteria(), svc.catalogues(), on)
    assert len(everybody) == len(svc.list("person"))
    assert group["deleted"]["id"] not in everybody


def test_cancelled_run_rolls_back(svc: Service, group: dict,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(campaigns, "CHUNK", 2)  # several blocks, so some rows are written first
    camp = campaigns.create_campaign(svc, spring(svc), sv.GroupCriteria())
    ids = [p["id"] for p in svc.list("person")]
    calls: list[tuple[int, int]] = []
    seen = Recorder(calls, cancel_after=3)  # cancelled once three reports have come

    with pytest.raises(StationError) as err:
        campaigns.record_campaign_visits(svc, camp["id"], ids, {"visitor": "王建国"}, seen)
    seen = [done for done, _total in calls]
    assert err.value.code == "cancelled"
    assert max(seen) >= 2  # rows had been inserted before the cancel
    assert svc.list("visit") == []
    assert all(svc.get("person", pid)["last_contact_on"] is None for pid in ids)
    # create-and-record cancelled leaves not even the campaign
    before = svc.count("campaign")
    with pytest.raises(StationError):
        stop = Counter()
        stop.cancel()
        campaigns.create_and_record(svc, spring(svc), sv.GroupCriteria(), {"visitor": "王建国"},
                                    stop)
    assert svc.count("campaign") == before and svc.list("visit") == []


def test_record_again_skips_visited_and_deleted(svc: Service, group: dict) -> None:
    camp = campaigns.create_campaign(svc, spring(svc), sv.GroupCriteria(min_age=70))
    assert camp["planned"] == len(expected_members(svc, set(), 70, spring(svc)["start_on"]))
    first = [group["disabled_old"]["id"]]
    run = campaigns.record_campaign_visits(svc, camp["id"], first, {"visitor": "王建国"})
    assert run.recorded == 1
    remaining = sv.campaign_remaining_ids(svc.store, camp["id"], svc.catalogues(), TODAY)
    assert group["disabled_old"]["id"] not in remaining
    assert set(remaining) == expected_members(svc, set(), 70, spring(svc)["start_on"]) - set(
        first)
    run = campaigns.record_campaign_visits(
        svc, camp["id"], first + remaining + [group["deleted"]["id"]], {"visitor": "王建国"})
    assert (run.recorded, run.already, run.missing) == (len(remaining), 1, 1)
    assert sv.campaign_remaining_ids(svc.store, camp["id"], svc.catalogues(), TODAY) == []


def test_campaign_dates_may_lie_ahead_but_must_be_ordered(svc: Service) -> None:
    values = spring(svc)
    assert values["end_on"] > TODAY
    camp = campaigns.create_campaign(svc, values, sv.GroupCriteria())
    assert svc.get("campaign", camp["id"])["end_on"] == values["end_on"]
    with pytest.raises(ValidationError) as err:
        campaigns.create_campaign(svc, {**values, "end_on": values["start_on"] - timedelta(days=1)},
                           sv.GroupCriteria())
    assert err.value.field == "end_on"
    with pytest.raises(ValidationError) as err:
        campaigns.record_campaign_visits(svc, camp["id"], [], {"visitor": ""})
    assert err.value.field == "visitor"


def test_campaign_visit_answers_an_open_life_event(svc: Service, person: dict) -> None:
    event = svc.create("life_event", {"person_id": person["id"], "kind": "重大疾病住院",
                                      "event_date": TODAY - timedelta(days=2)})
    camp = campaigns.create_campaign(svc, spring(svc), sv.GroupCriteria())
    campaigns.record_campaign_visits(svc, camp["id"], [person["id"]],
                                     {"visitor": "王建国", "kind": "六必访"})
    closed = svc.get("life_event", event["id"])
    visit = svc.list("visit", where={"person_id": person["id"]})[0]
    assert closed["closed_on"] == TODAY and closed["closed_by_visit_id"] == visit["id"]
    assert visit["life_event_id"] == event["id"]


# --- the due list -----------------------------------------------------------------


# (the due list against the rules: tests/store/test_due_list.py)


def test_overdue_cases_and_waiting_aid(svc: Service, person: dict) -> None:
    def case(deadline: date, **extra) -> dict:
        return svc.create("dispute_case", {
            "person_id": person["id"], "parties": "张三丰与邻居", "registrar": "王建国",
            "channel": "来访", "case_type": "邻里纠纷", "registered_on": date(2026, 9, 1),
            "deadline": deadline, "content": "宅基地边界", **extra})

    late = case(date(2026, 10, 1))
    case(TODAY)  # due today: not past its deadline
    closed = case(date(2026, 10, 5))
    svc.case_action(closed["id"], action="办结", handler="王建国")
    rows, total = sv.overdue_cases(svc.store, TODAY)
    assert total == 1 and [r["id"] for r in rows] == [late["id"]]
    assert rows[0]["overdue_days"] == (TODAY - date(2026, 10, 1)).days
    assert rows[0]["person_name"] == "张三丰"

    apps = [svc.create("aid_application", {
        "person_id": person["id"], "aid_type": "临时救助", "cause": "住院",
        "applied_on": date(2026, 11, d), "requested_fen": "2000"}) for d in (1, 2, 3)]
    svc.review_aid(apps[1]["id"], level="村", decision="同意", reviewer="王建国")
    svc.review_aid(apps[2]["id"], level="村", decision="不同意", reviewer="王建国")
    rows, total = sv.aid_waiting(svc.store)
    assert total == 2
    assert [(r["id"], r["waiting_for"]) for r in rows] == [
        (apps[0]["id"], "等待村级审核"), (apps[1]["id"], "等待镇级审核")]


# --- the visit list -----------------------------------------------------------------


def test_visit_ids_filters_and_sorting(svc: Service, person: dict) -> None:
    other = svc.create("person", {"name": "阿卜杜", "id_number": make_id(seq=201),
                                  "categories": "退役士兵"})
    op2 = svc.create("operator", {"name": "李桂雪"})

    def visit(pid: str, day: date, kind: str = "常态化联系", op: str | None = None,
              money: str = "") -> dict:
        return svc.create("visit", {"person_id": pid, "kind": kind, "method": "电话",
                                    "visit_date": day, "visitor": "王建国",
                                    "operator_id": op or svc.operator_id, "money_fen": money})

    a = visit(person["id"], date(2026, 11, 20), money="300")
    b = visit(other["id"], date(2026, 11, 2), kind="节日慰问", op=op2["id"])
    c = visit(person["id"], date(2026, 7, 1))
    d = visit(other["id"], date(2025, 12, 30))
    gone = visit(person["id"], date(2026, 11, 21))
    svc.delete("visit", gone["id"])
    q = sv.VisitFilter(*sv.period_bounds("quarter", TODAY))
    assert sv.visit_ids(svc.store, q) == [a["id"], b["id"]]
    assert sv.visit_ids(svc.store, q, desc=False) == [b["id"], a["id"]]
    # names sort by code point (张 U+5F20 before 阿 U+963F), as on the roster
    assert sv.visit_ids(svc.store, q, sort="name", desc=False) == [a["id"], b["id"]]
    assert sv.visit_ids(svc.store, sv.VisitFilter()) == [a["id"], b["id"], c["id"], d["id"]]
    year = sv.VisitFilter(*sv.period_bounds("year", TODAY))
    assert sv.visit_ids(svc.store, year) == [a["id"], b["id"], c["id"]]
    month = sv.VisitFilter(*sv.period_bounds("month", TODAY))
    assert sv.visit_ids(svc.store, month) == [a["id"], b["id"]]
    assert sv.visit_ids(svc.store, sv.VisitFilter(kind="holiday")) == [b["id"]]
    assert sv.visit_ids(svc.store, sv.VisitFilter(operator_id=op2["id"])) == [b["id"]]
    assert sv.visit_summary(svc.store, q) == {"visits": 2, "persons": 2, "money_fen": 30000}
    rows = sv.visit_rows(svc.store, [a["id"], b["id"]])
    assert rows[a["id"]]["name"] == "张三丰" and rows[b["id"]]["kind"] == "holiday"
    # a tombstoned person's visits leave the list
    svc.delete("person", other["id"])
    assert sv.visit_ids(svc.store, sv.VisitFilter()) == [a["id"], c["id"]]
    assert sv.visit_ids(svc.store, sv.VisitFilter(), sort="name", desc=False) == [
        a["id"], c["id"]]
    assert sv.period_bounds("all", TODAY) == (None, None)
    assert sv.period_bounds("month", date(2026, 2, 10)) == (date(2026, 2, 1), date(2026, 2, 28))


def test_next_holiday_window_and_criteria_json(svc: Service) -> None:
    cats = svc.catalogues()
    w = sv.next_holiday_window("army_day", TODAY, cats)
    assert w.holiday_date == date(2027, 8, 1) and w.start <= w.holiday_date <= w.end
    crit = sv.GroupCriteria(categories=("disabled_soldier",), min_age=70, key_focus=True,
                            match_all=True, age_on=date(2027, 1, 17))
    data = json.loads(json.dumps(crit.to_json()))
    assert sv.GroupCriteria.from_json(data) == crit
    assert crit.describe(cats) == "残疾军人 且 年满70周岁 且 重点关注对象"
    assert sv.GroupCriteria().describe(cats) == "全体人员"
    # the demo's criteria format reads too
    demo = sv.GroupCriteria.from_json({"priority": True, "min_age": 70,
                                       "categories": ["martyr_family"]})
    assert demo.priority and demo.min_age == 70 and not demo.match_all
