"""The service layer: validation in Chinese, nothing written on refusal, workflows."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from station_desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from tests.conftest import make_id


def fingerprint(store) -> str:
    """Every row of every table, to prove a refusal changed nothing."""
    h = hashlib.sha256()
    with store.engine.connect() as conn:
        tables = [r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for t in tables:
            for row in conn.exec_driver_sql(f'SELECT * FROM "{t}" ORDER BY 1'):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_person_derives_birth_date_and_sex_from_id(svc):
    p = svc.create("person", {"name": " 张三丰 ", "id_number": "11010519491231002x",
                              "categories": ["退役士兵", "残疾军人"], "phone": "138 0013 8000"})
    assert p["name"] == "张三丰"
    assert p["id_number"] == "11010519491231002X"
    assert str(p["birth_date"]) == "1949-12-31" and p["sex"] == "F"
    assert p["categories"] == ["retired_soldier", "disabled_soldier"]
    assert p["phone"] == "13800138000"


BAD_PERSONS = [
    ({"id_number": "110105194912310021"}, "id_number", "校验"),
    ({"id_number": "11010519490231002X"}, "id_number", "出生日期"),
    ({"id_number": "1101051949123100"}, "id_number", "位"),
    ({"categories": "火星人"}, "categories", "未知"),
    ({"categories": ""}, "categories", "人员类别"),
    ({"name": "张" * 51}, "name", "50"),
    ({"name": ""}, "name", "姓名"),
    ({"phone": "12345"}, "phone", "电话"),
    ({"enlist_date": "2030-01-01"}, "enlist_date", ""),
    ({"birth_date": "1950-01-01"}, "birth_date", "不符"),
    ({"sex": "男"}, "sex", "不符"),
    ({"disability_grade": "11"}, "disability_grade", "1 到 10"),
    ({"note": "字" * 5001}, "note", "5000"),
]


@pytest.mark.parametrize("bad,field,words", BAD_PERSONS)
def test_bad_person_is_refused_in_chinese_and_nothing_changes(svc, store, bad, field, words):
    before = fingerprint(store)
    data = {"name": "张三丰", "id_number": "11010519491231002X", "categories": "退役士兵", **bad}
    with pytest.raises(ValidationError) as err:
        svc.create("person", data)
    assert err.value.field == field
    assert words in err.value.user_text()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.user_text())
    assert fingerprint(store) == before


def test_duplicate_id_number_is_caught(svc, store, person):
    before = fingerprint(store)
    with pytest.raises(ConflictError) as err:
        svc.create("person", {"name": "另一人", "id_number": person["id_number"],
                              "categories": "退役士兵"})
    assert "张三丰" in err.value.user_text()
    assert fingerprint(store) == before


def test_delete_goes_to_recycle_bin_and_restores(svc, person):
    svc.delete("person", person["id"])
    assert svc.list("person") == []
    with pytest.raises(NotFoundError):
        svc.get("person", person["id"])
    binned = svc.recycle_bin()
    assert [(b["kind"], b["id"], b["label"]) for b in binned] == [("person", person["id"], "张三丰")]
    # while deleted, the ID number may be registered again (a re-created file) ...
    again = svc.create("person", {"name": "张三丰", "id_number": person["id_number"],
                                  "categories": "退役士兵"})
    # ... and then restoring the old one would duplicate it, so it is refused
    with pytest.raises(ConflictError):
        svc.restore("person", person["id"])
    svc.delete("person", again["id"])
    svc.restore("person", person["id"])
    assert [p["id"] for p in svc.list("person")] == [person["id"]]


def test_update_is_partial_and_validated(svc, store, person):
    svc.update("person", person["id"], {"residence": "东沟村3组", "key_focus": "是"})
    got = svc.get("person", person["id"])
    assert got["residence"] == "东沟村3组" and got["key_focus"] is True
    before = fingerprint(store)
    with pytest.raises(ValidationError):
        svc.update("person", person["id"], {"phone": "abc"})
    assert fingerprint(store) == before


def test_life_event_sets_deadline_and_visit_closes_it(svc, person):
    event = svc.create("life_event", {"person_id": person["id"], "kind": "重大疾病住院",
                                      "event_date": "2026-11-20"})
    assert str(event["visit_due_on"]) == "2026-11-27"
    # a routine phone call does not answer a 六必访 event
    svc.create("visit", {"person_id": person["id"], "kind": "routine", "method": "phone",
                         "visit_date": "2026-11-21", "visitor": "王建国"})
    assert svc.get("life_event", event["id"])["closed_on"] is None
    visit = svc.create("visit", {"person_id": person["id"], "kind": "六必访(重大变故)",
                                 "method": "入户", "visit_date": "2026-11-22",
                                 "visitor": "王建国", "money_fen": "500.00"})
    closed = svc.get("life_event", event["id"])
    assert str(closed["closed_on"]) == "2026-11-22" and closed["closed_by_visit_id"] == visit["id"]
    assert visit["money_fen"] == 50000
    assert str(svc.get("person", person["id"])["last_contact_on"]) == "2026-11-22"


def test_visit_in_future_or_for_missing_person_is_refused(svc, store, person):
    before = fingerprint(store)
    with pytest.raises(ValidationError):
        svc.create("visit", {"person_id": person["id"], "kind": "routine", "method": "phone",
                             "visit_date": "2027-01-01", "visitor": "王"})
    with pytest.raises(NotFoundError):
        svc.create("visit", {"person_id": "no-such-person", "kind": "routine", "method": "phone",
                             "visit_date": "2026-01-01", "visitor": "王"})
    assert fingerprint(store) == before


def test_aid_goes_village_town_county_then_pays(svc, person):
    app = svc.create("aid_application", {"person_id": person["id"], "aid_type": "临时救助",
                                         "cause": "住院医疗费用高", "applied_on": "2026-10-01",
                                         "requested_fen": "3000"})
    assert app["state"] == "applied" and app["requested_fen"] == 300000
    with pytest.raises(ValidationError):  # the town cannot review before the village
        svc.review_aid(app["id"], level="镇", decision="同意", reviewer="镇民政办")
    with pytest.raises(ValidationError):
        svc.pay_aid(app["id"], {"paid_on": "2026-10-20", "amount_fen": 1000})
    svc.review_aid(app["id"], level="村", decision="同意", reviewer="村委会")
    svc.review_aid(app["id"], level="镇", decision="同意", reviewer="镇民政办")
    done = svc.review_aid(app["id"], level="县", decision="同意", reviewer="县服务中心",
                          amount_fen=200000)
    assert done["state"] == "approved" and done["approved_fen"] == 200000
    svc.pay_aid(app["id"], {"paid_on": "2026-10-20", "amount_fen": 200000, "fund": "临时救助"})
    assert svc.get("aid_application", app["id"])["state"] == "paid"
    assert [r["level"] for r in svc.list("aid_review", order_by="created_at")] == [
        "village", "town", "county"]
    assert svc.list("aid_payment")[0]["person_id"] == person["id"]


def test_aid_payment_is_all_or_nothing(svc, store, person):
    """Issue 11: the payment and the application's 已发放 state were two transactions, so a
    failure marking the application left a payment behind."""
    app = svc.create("aid_application", {"person_id": person["id"], "aid_type": "临时救助",
                                         "cause": "住院", "applied_on": "2026-10-01",
                                         "requested_fen": "3000"})
    for level in ("村", "镇", "县"):
        svc.review_aid(app["id"], level=level, decision="同意", reviewer="审核人",
                       amount_fen=200000)
    # the second half (marking the application paid) fails inside the database
    with store.write(None) as s:
        s.execute(text(
            "CREATE TRIGGER refuse_paid BEFORE UPDATE OF state ON aid_application "
            "WHEN NEW.state = 'paid' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"))
    before = fingerprint(store)
    with pytest.raises(Exception, match="refused for the test"):
        svc.pay_aid(app["id"], {"paid_on": "2026-10-20", "amount_fen": 200000})
    assert fingerprint(store) == before
    assert svc.list("aid_payment") == []
    assert svc.get("aid_application", app["id"])["state"] == "approved"


def test_case_escalates_village_town_county_and_closes(svc, person):
    case = svc.create("dispute_case", {"person_id": person["id"], "parties": "张三丰与邻居",
                                       "registrar": "王建国", "channel": "来访",
                                       "case_type": "邻里纠纷", "registered_on": "2026-11-01",
                                       "deadline": "2026-11-15", "content": "宅基地边界争议"})
    svc.case_action(case["id"], action="调解", handler="王建国", note="第一次调解未果")
    svc.case_action(case["id"], action="上报", handler="王建国")
    up = svc.case_action(case["id"], action="上报", handler="镇综治办")
    assert up["level"] == "county" and up["state"] == "escalated"
    with pytest.raises(ValidationError):
        svc.case_action(case["id"], action="上报", handler="县")
    closed = svc.case_action(case["id"], action="办结", handler="县服务中心", outcome="重新测量划界",
                             satisfaction="满意")
    assert closed["state"] == "closed" and closed["resolved_level"] == "county"
    assert closed["satisfaction"] == "4"
    steps = svc.list("case_step", order_by="created_at")
    assert [(s["action"], s["from_level"], s["to_level"]) for s in steps] == [
        ("register", None, "village"), ("mediate", "village", "village"), ("escalate", "village", "town"),
        ("escalate", "town", "county"), ("close", "county", "county")]


def test_honour_follows_its_flow(svc, person):
    notice = svc.create("honour", {"person_id": person["id"], "kind": "喜报",
                                   "title": "三等功喜报", "award_unit": "某部"})
    assert notice["state"] == "to_collect"
    with pytest.raises(ValidationError):
        svc.advance_honour(notice["id"], "已送达")
    svc.advance_honour(notice["id"], "待送达")
    done = svc.advance_honour(notice["id"], "已送达", deliverer="王建国")
    assert done["state"] == "delivered" and done["done_on"] is not None


def test_every_change_names_the_operator(svc, store, person):
    svc.update("person", person["id"], {"health": "良好"})
    with store.read() as s:
        ops = s.execute(text("SELECT DISTINCT operator_id FROM change_log "
                             "WHERE table_name = 'person'")).scalars().all()
    assert ops == [svc.operator_id]


def test_due_list_follows_catalogue_rules(svc, store):
    from datetime import date

    from station_desktop.services import Service

    # 残疾军人 is a priority category: contact every 90 days; 退役士兵 every 180.
    disabled = svc.create("person", {"name": "伤残甲", "id_number": make_id(seq=41),
                                     "categories": "残疾军人", "registered_on": "2026-01-01"})
    plain = svc.create("person", {"name": "普通乙", "id_number": make_id(seq=42),
                                  "categories": "退役士兵", "registered_on": "2026-01-01"})
    svc.create("visit", {"person_id": disabled["id"], "kind": "routine", "method": "phone",
                         "visit_date": "2026-08-01", "visitor": "王建国"})
    svc.create("visit", {"person_id": plain["id"], "kind": "routine", "method": "phone",
                         "visit_date": "2026-08-01", "visitor": "王建国"})
    event = svc.create("life_event", {"person_id": plain["id"], "kind": "去世",
                                      "event_date": "2026-11-18"})
    due = svc.due_list()
    assert [r["name"] for r in due["overdue_contacts"]] == ["伤残甲"]
    assert due["overdue_contacts"][0]["overdue_days"] == (date(2026, 11, 23) - date(2026, 10, 30)).days
    assert [(e["event_id"], e["overdue"]) for e in due["life_events_due"]] == [(event["id"], True)]
    assert due["coverage"]["contacted"] == 0 and due["coverage"]["total"] == 2
    # In the 重阳 window (2026-10-18), priority persons not yet visited are listed.
    in_window = Service(store, svc.operator_id, today=date(2026, 10, 20)).due_list()
    chongyang = [h for h in in_window["holidays"] if h["code"] == "double_ninth"][0]
    assert [p["name"] for p in chongyang["not_yet_visited"]] == ["伤残甲"]
    # The county lengthens the interval for 残疾军人: the person is no longer overdue.
    with store.write() as s:
        from sqlalchemy import select

        from station_desktop.store.models import CatalogueItem

        item = s.scalars(select(CatalogueItem).where(CatalogueItem.code == "disabled_soldier")).one()
        item.data = {**item.data, "contact_interval_days": 180}
    assert Service(store, today=date(2026, 11, 23)).due_list()["overdue_contacts"] == []


def test_deadlines_may_lie_ahead_but_events_may_not(svc, person):
    case = svc.create("dispute_case", {"parties": "甲乙", "registrar": "王建国", "channel": "来访",
                                       "case_type": "邻里纠纷", "registered_on": "2026-11-23",
                                       "deadline": "2026-12-08", "content": "争议"})
    assert str(case["deadline"]) == "2026-12-08"
    steps = svc.list("case_step", where={"case_id": case["id"]})
    assert [(s["action"], s["to_level"], s["handler"]) for s in steps] == [
        ("register", "village", "王建国")]
    with pytest.raises(ValidationError):
        svc.create("dispute_case", {"parties": "甲乙", "registrar": "王", "channel": "来访",
                                    "case_type": "邻里纠纷", "registered_on": "2026-12-01",
                                    "deadline": "2026-12-08", "content": "争议"})


def test_volunteer_hours_in_one_transaction(svc, store, person):
    team = svc.create("volunteer_team", {"name": "张富清老兵志愿服务队"})
    a = svc.create("volunteer_member", {"team_id": team["id"], "name": "甲", "joined_on": "2026-01-01"})
    b = svc.create("volunteer_member", {"team_id": team["id"], "name": "乙", "joined_on": "2026-01-01"})
    act = svc.create("volunteer_activity", {"team_id": team["id"], "title": "清扫烈士陵园",
                                            "held_on": "2026-04-04"})
    assert svc.set_volunteer_hours(act["id"], {a["id"]: 120, b["id"]: 90}) == 2
    assert svc.set_volunteer_hours(act["id"], {a["id"]: 150, b["id"]: 0}) == 2
    rows = svc.list("volunteer_hours")
    assert [(r["member_id"], r["minutes"]) for r in rows] == [(a["id"], 150)]
    with pytest.raises(ValidationError):
        svc.set_volunteer_hours(act["id"], {a["id"]: 2000})


def test_deleting_a_visit_recomputes_last_contact(svc, person):
    first = svc.create("visit", {"person_id": person["id"], "kind": "routine", "method": "phone",
                                 "visit_date": "2026-06-01", "visitor": "王建国"})
    later = svc.create("visit", {"person_id": person["id"], "kind": "routine", "method": "phone",
                                 "visit_date": "2026-10-01", "visitor": "王建国"})
    assert str(svc.get("person", person["id"])["last_contact_on"]) == "2026-10-01"
    svc.delete("visit", later["id"])
    assert str(svc.get("person", person["id"])["last_contact_on"]) == "2026-06-01"
    svc.delete("visit", first["id"])
    assert svc.get("person", person["id"])["last_contact_on"] is None
    svc.restore("visit", later["id"])
    assert str(svc.get("person", person["id"])["last_contact_on"]) == "2026-10-01"
