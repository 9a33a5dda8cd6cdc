"""The roster queries against rows computed independently in the test."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from pypinyin import lazy_pinyin

from station_desktop.domain.catalogues import Catalogues
from station_desktop.store import roster
from station_desktop.store.roster import (
    RosterFilter,
    person_with_id_number,
    roster_ids,
    rows_by_ids,
)
from station_desktop.store.search import refresh_index
from tests.conftest import TODAY, make_id

# Names without polyphonic characters, so plain pypinyin gives their sort order.
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴涛",
         "徐明", "孙丽", "马超", "朱琳", "胡斌", "郭峰", "何燕", "高鹏", "林雪", "罗军",
         "安娜", "白玉兰", "蔡文", "丁一", "范冰", "韩梅", "江涛", "孔明", "雷锋", "毛毅"]
CATEGORIES = ["retired_soldier", "disabled_soldier", "martyr_family", "serving_family",
              "transferred_officer"]
TAGS = ["party_member", "volunteer", "veteran_secretary"]


def pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name))


@pytest.fixture
def people(svc, store) -> list[dict]:
    """Thirty persons with random categories, tags, focus and contact dates (seeded)."""
    rng = random.Random(3)
    out = []
    for i, name in enumerate(NAMES):
        cats = rng.sample(CATEGORIES, rng.choice((1, 1, 2)))
        tags = rng.sample(TAGS, rng.choice((0, 0, 1, 2)))
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(20000))
        p = svc.create("person", {
            "name": name, "id_number": make_id(birth=birth.strftime("%Y%m%d"), seq=100 + i),
            "categories": cats, "tags": tags, "key_focus": rng.random() < 0.3,
            "phone": f"138{rng.randrange(10**8):08d}",
            "registered_on": (TODAY - timedelta(days=rng.randrange(30, 900))).isoformat(),
        })
        out.append(p)
    # Contact dates as the visits would leave them (some never contacted).
    with store.raw_write() as con:
        for p in out:
            if rng.random() < 0.8:
                last = TODAY - timedelta(days=rng.randrange(0, 300))
                con.execute("UPDATE person SET last_contact_on = ? WHERE id = ?",
                            (last.isoformat(), p["id"]))
    # One person in the recycle bin never shows.
    svc.delete("person", out[-1]["id"])
    return [svc.get("person", p["id"]) for p in out[:-1]]


def interval(p: dict, cats: Catalogues) -> int:
    """The due rule written out: the strictest interval of categories and key focus."""
    days = [int(e.data["contact_interval_days"]) for e in cats.entries("person_category")
            if e.code in p["categories"]]
    if p["key_focus"]:
        days.append(30)
    return min(days, default=180)


def is_overdue(p: dict, cats: Catalogues) -> bool:
    ref = p["last_contact_on"] or p["registered_on"]
    return ref + timedelta(days=interval(p, cats)) < TODAY


def by_pinyin(persons: list[dict]) -> list[str]:
    return [p["id"] for p in sorted(persons, key=lambda p: pinyin(p["name"]))]


def ids(store, svc, flt=RosterFilter(), **kw) -> list[str]:  # noqa: B008
    return roster_ids(store, flt, cats=svc.catalogues(), today=TODAY, **kw)


def test_everyone_live_in_pinyin_order_before_and_after_the_index_refresh(store, svc, people):
    expected = by_pinyin(people)
    assert ids(store, svc) == expected  # persons still queued for indexing
    with store.raw_write() as con:
        refresh_index(con)
    assert ids(store, svc) == expected  # from the index alone
    assert ids(store, svc, descending=True) == expected[::-1]


@pytest.mark.parametrize("category", CATEGORIES)
def test_category_filter(store, svc, people, category):
    expected = by_pinyin([p for p in people if category in p["categories"]])
    assert ids(store, svc, RosterFilter(category=category)) == expected


@pytest.mark.parametrize("tag", TAGS)
def test_tag_filter(store, svc, people, tag):
    assert ids(store, svc, RosterFilter(tag=tag)) == by_pinyin(
        [p for p in people if tag in p["tags"]])


def test_key_focus_and_category_together(store, svc, people):
    expected = by_pinyin([p for p in people
                          if p["key_focus"] and "retired_soldier" in p["categories"]])
    got = ids(store, svc, RosterFilter(category="retired_soldier", key_focus=True))
    assert got == expected


def test_overdue_follows_the_due_rules(store, svc, people):
    cats = svc.catalogues()
    expected = [p for p in people if is_overdue(p, cats)]
    assert 0 < len(expected) < len(people)  # the data exercises both sides
    got = ids(store, svc, RosterFilter(overdue=True))
    assert got == by_pinyin(expected)
    # The same people the home page's due list names.
    assert set(got) == {r["person_id"] for r in svc.due_list()["overdue_contacts"]}
    rows = rows_by_ids(store, [p["id"] for p in people], cats=cats, today=TODAY)
    assert {pid for pid, r in rows.items() if r["overdue"]} == set(got)


def test_overdue_needs_catalogues_and_today(store, svc, people):
    with pytest.raises(ValueError):
        roster_ids(store, RosterFilter(overdue=True))


@pytest.mark.parametrize("sort", ["birth_date", "id_number", "phone", "sex"])
def test_sort_by_column(store, svc, people, sort):
    expected = [p["id"] for p in sorted(people, key=lambda p: (p[sort], p["name"], p["id"]))]
    assert ids(store, svc, sort=sort) == expected
    expected_desc = [p["id"] for p in sorted(
        sorted(people, key=lambda p: (p["name"], p["id"])), key=lambda p: p[sort], reverse=True)]
    assert ids(store, svc, sort=sort, descending=True) == expected_desc


def test_sort_by_last_contact_puts_never_contacted_first(store, svc, people):
    got = ids(store, svc, sort="last_contact_on")
    expected = [p["id"] for p in sorted(
        people, key=lambda p: (p["last_contact_on"] is not None,
                               p["last_contact_on"] or date.min, p["name"], p["id"]))]
    assert got == expected


def test_sort_by_category_follows_the_catalogue(store, svc, people):
    order = [e.code for e in svc.catalogues().entries("person_category")]
    got = ids(store, svc, sort="categories")
    expected = [p["id"] for p in sorted(
        people, key=lambda p: (order.index(p["categories"][0]), p["name"], p["id"]))]
    assert got == expected


def test_surname_reading_and_names_without_pinyin(store, svc):
    names = ["曾志", "张三", "蔡明", "★★", "周一"]
    made = {n: svc.create("person", {"name": n, "id_number": make_id(seq=200 + i),
                                     "categories": "退役士兵"})["id"]
            for i, n in enumerate(names)}
    expected = [made[n] for n in ("蔡明", "曾志", "张三", "周一", "★★")]  # 曾 is zeng
    assert ids(store, svc) == expected
    with store.raw_write() as con:
        refresh_index(con)
    assert ids(store, svc) == expected


def test_falls_back_to_name_order_when_the_index_is_far_behind(store, svc, people,
                                                               monkeypatch):
    monkeypatch.setattr(roster, "PENDING_LIMIT", 0)
    expected = [p["id"] for p in sorted(people, key=lambda p: (p["name"], p["id"]))]
    assert ids(store, svc) == expected


def test_rows_by_ids(store, svc, people):
    cats = svc.catalogues()
    some = [people[0]["id"], people[5]["id"], "no-such-id"]
    rows = rows_by_ids(store, some, cats=cats, today=TODAY)
    assert set(rows) == set(some[:2])
    r, p = rows[people[5]["id"]], people[5]
    assert (r["name"], r["id_number"], r["phone"], r["categories"], r["tags"], r["key_focus"]) \
        == (p["name"], p["id_number"], p["phone"], p["categories"], p["tags"], p["key_focus"])
    assert r["birth_date"] == p["birth_date"].isoformat()
    ref = p["last_contact_on"] or p["registered_on"]
    assert r["due_on"] == ref + timedelta(days=interval(p, cats))
    assert rows_by_ids(store, []) == {}


def test_person_with_id_number(store, svc, people):
    p = people[3]
    assert person_with_id_number(store, p["id_number"]) == {"id": p["id"], "name": p["name"]}
    assert person_with_id_number(store, p["id_number"], exclude=p["id"]) is None
    assert person_with_id_number(store, make_id(seq=999)) is None
