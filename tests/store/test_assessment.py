"""Station assessment scoring (issue 7 item 4) against a hand-computed example, and the
county's review and distribution on a real database."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from station_desktop.domain.catalogues import CatalogueEntry, Catalogues
from station_desktop.domain.errors import ConflictError, ValidationError
from station_desktop.services import Service, open_store
from station_desktop.services import assessment as assess
from station_desktop.store import assessment as sa
from tests.conftest import TODAY
from tests.operators import admin_of

COUNTY, A, B, C, D = ("420303000000", "420303100201", "420303100202", "420303100203",
                      "420303100204")


def _e(kind: str, code: str, name: str, sort: int, **data) -> CatalogueEntry:
    return CatalogueEntry(kind, code, name, sort, True, data)


# A small county sheet, scored by hand below:
#   组织 a 2 分, b 3 分 | 阵地 c 1 分, d 4 分 | 服务 e 5 分  -> 满分 15
#   一星 8 分, 二星 11 分, 三星 14 分; 达标 = 二星
SMALL = Catalogues([
    _e("star_sheet", "a", "站长到位", 10, group="组织", points=2),
    _e("star_sheet", "b", "例会记录", 20, group="组织", points=3),
    _e("star_sheet", "c", "挂牌", 30, group="阵地", points=1),
    _e("star_sheet", "d", "场所", 40, group="阵地", points=4),
    _e("star_sheet", "e", "走访", 50, group="服务", points=5),
    _e("star_sheet", "old", "已停用项", 60, group="服务", points=9),
    _e("star_level", "1", "一星级", 10, min_score=8),
    _e("star_level", "2", "二星级", 20, min_score=11),
    _e("star_level", "3", "三星级", 30, min_score=14),
    _e("assessment_rule", "star", "星级达标标准", 20, pass_level=2),
    _e("assessment_rule", "wuyou", "五有达标标准", 10, pass_score=4),
    *[e for e in Catalogues.defaults().all_entries() if e.kind == "wuyou"],
])
SMALL = Catalogues([replace(e, active=False) if e.code == "old" else e
                    for e in SMALL.all_entries()])


def test_hand_computed_star_score():
    sheet = sa.load_sheet(SMALL, sa.STAR)
    assert [i.code for i in sheet.items] == ["a", "b", "c", "d", "e"]  # the inactive item is out
    assert sheet.max_score == 15
    values = {"a": {"score": 2}, "b": {"score": 1}, "d": 4, "e": {"score": 3, "note": "x"},
              "old": {"score": 9}}
    got = sa.score(sheet, values)
    # 2 + 1 + 0 + 4 + 3 = 10: one star (8), below the bar (二星 = 11)
    assert got.total == 10
    assert got.by_group == {"组织": (3, 5), "阵地": (4, 5), "服务": (3, 5)}
    assert [(i.code, g) for i, g in got.missing] == [("b", 1), ("c", 0), ("e", 3)]
    assert got.missing_text() == "例会记录（1/3）、挂牌、走访（3/5）"
    assert sheet.level_for(got.total) == 1 and sheet.level_name(1) == "一星级"
    assert sheet.meets_bar(got.total) is False
    assert sheet.level_for(7) == 0 and sheet.level_for(11) == 2 and sheet.level_for(15) == 3
    assert sheet.meets_bar(11) is True and sheet.meets_bar(None) is None
    assert sheet.bar_text() == "二星级（11 分）及以上"
    # the county's own scores win where given: b 1 -> 3, e 3 -> 5: 14, three stars
    county = {**values, "b": {"score": 1, "county": 3}, "e": {"score": 3, "county": 5}}
    assert sa.score(sheet, county, county=True).total == 14
    assert sa.score(sheet, county).total == 10  # the station's own total is unchanged


def test_wuyou_ticks_and_bar():
    sheet = sa.load_sheet(SMALL, sa.WUYOU)
    assert sheet.max_score == 5 and sheet.pass_score == 4
    got = sa.score(sheet, {"institution": True, "staffing": {"checked": True},
                           "personnel": {"checked": False}, "funding": True})
    assert got.total == 3 and [i.name for i, _ in got.missing] == ["有人员", "有保障"]
    assert sheet.meets_bar(3) is False and sheet.meets_bar(4) is True
    assert sheet.level_for(3) is None


def test_bad_scores_are_refused():
    sheet = sa.load_sheet(SMALL, sa.STAR)
    with pytest.raises(ValidationError, match="“场所”的得分应在 0 到 4 分之间，不是 5 分"):
        sa.score(sheet, {"d": {"score": 5}})
    with pytest.raises(ValidationError, match="应为整数"):
        sa.score(sheet, {"d": {"score": "很好"}})


def test_default_sheet_has_12_items_and_61_sub_items():
    sheet = sa.load_sheet(Catalogues.defaults(), sa.STAR)
    assert len(sheet.groups()) == 12 and len(sheet.items) == 61 and sheet.max_score == 100
    assert [lv for lv, _n, _s in sheet.levels] == [1, 2, 3, 4, 5]
    assert sheet.level_for(90) == 5  # 示范型: 90 分以上


@pytest.fixture
def county(tmp_path):
    store = open_store(tmp_path / "county", daily_backup=False)
    Service(store, today=TODAY).init_station(role="county", code=COUNTY, name="茅箭区")
    yield store
    store.close()


def test_review_and_distribution(county, tmp_path):
    year = TODAY.year
    full = {c: {"score": p} for c, p in (("a", 2), ("b", 3), ("c", 1), ("d", 4), ("e", 5))}
    # rows as they arrive from stations (each row carries its station's code)
    ra = assess.save_self_assessment(county, SMALL, None, A, year, sa.STAR, full, submit=True)
    rb = assess.save_self_assessment(county, SMALL, None, B, year, sa.STAR,
                                 {**full, "e": {"score": 0}, "c": {"score": 0}})  # 9
    assess.save_self_assessment(county, SMALL, None, C, year, sa.STAR,
                            {**full, "d": {"score": 1}})  # 12
    assess.save_self_assessment(county, SMALL, None, D, year - 1, sa.STAR, full)  # another year
    assert (ra["self_score"], rb["self_score"], ra["state"], rb["state"]) == (
        15, 9, "submitted", "draft")

    # the county takes 4 points off A's 场所: 11, two stars, still at the bar
    got = assess.review(county, SMALL, admin_of(county), ra["id"], reviewer="王科长",
                        county_items={"d": 0})
    assert (got["county_score"], got["star_level"], got["state"], got["station_code"]) == (
        11, 2, "reviewed", A)
    assert got["items"]["d"] == {"score": 4, "note": "", "county": 0}
    assert got["self_score"] == 15

    dist = sa.distribution(county, SMALL, year, sa.STAR, today=TODAY)
    by = {r.code: r for r in dist.stations}
    assert set(by) == {A, B, C}
    assert (by[A].score.total, by[A].level, by[A].reviewed, by[A].meets_bar) == (11, 2, True, True)
    assert (by[B].score.total, by[B].level, by[B].meets_bar) == (9, 1, False)
    assert (by[C].score.total, by[C].level, by[C].meets_bar) == (12, 2, True)
    assert sa.level_rows(dist) == [("三星级", 0), ("二星级", 2), ("一星级", 1), ("未达星级", 0),
                                   ("未收到自评", 0)]
    assert [r.code for r in dist.below] == [B]
    # A misses 场所 (county score), B misses 挂牌 and 走访, C misses 场所
    assert [(i.code, n) for i, n in sa.missed_items(dist)] == [("d", 2), ("c", 1), ("e", 1)]
    rows = {r["code"]: r for r in sa.station_rows(dist)}
    assert rows[A]["county_score"] == 11 and rows[A]["state"] == "县里已审核"
    assert rows[B]["county_score"] is None and rows[B]["missing"] == "挂牌、走访（0/5）"


def test_only_a_county_reviews(tmp_path):
    store = open_store(tmp_path / "v", daily_backup=False)
    try:
        Service(store, today=TODAY).init_station(role="village", code=A, name="东沟村",
                                                 parent_code="420303100000")
        row = assess.save_self_assessment(store, SMALL, None, A, 2026, sa.WUYOU,
                                      {"institution": True})
        assert row["self_score"] == 1
        with pytest.raises(ConflictError, match="只有县服务中心可以审核评分"):
            assess.review(store, SMALL, admin_of(store), row["id"], reviewer="某人")
        with pytest.raises(ValidationError, match="没有这一项"):
            assess.save_self_assessment(store, SMALL, None, A, 2026, sa.WUYOU, {"nope": True})
    finally:
        store.close()


def test_county_does_not_review_its_own_row(county):
    row = assess.save_self_assessment(county, SMALL, None, COUNTY, 2026, sa.WUYOU, {})
    with pytest.raises(ConflictError, match="不审核自己的自评"):
        assess.review(county, SMALL, admin_of(county), row["id"], reviewer="王科长")
    with pytest.raises(ValidationError, match="请填写审核人"):
        assess.review(county, SMALL, admin_of(county), row["id"], reviewer=" ")


def test_self_assessment_scored_by_weight_and_updated_in_place(store, svc):
    # The county gives 有经费 double weight.
    with store.write(None) as s:
        from sqlalchemy import text

        s.execute(text("UPDATE catalogue_item SET data = json_set(data, '$.weight', 2) "
                       "WHERE kind = 'wuyou' AND code = 'funding'"))
    code = svc.station_code
    row = assess.save_self_assessment(store, svc.catalogues(), svc.operator_id, code, 2026,
                                      sa.WUYOU, {
                                          "institution": {"checked": True, "note": "已挂牌"},
                                          "funding": {"checked": True, "note": "每年 2 万元"},
                                          "personnel": False,
                                      })
    assert row["self_score"] == 3 and row["sheet"] == "wuyou" and row["year"] == 2026
    assert row["items"]["institution"] == {"checked": True, "note": "已挂牌"}
    assert row["items"]["support"] == {"checked": False, "note": ""}
    again = assess.save_self_assessment(store, svc.catalogues(), svc.operator_id, code, 2026,
                                        sa.WUYOU, {"institution": True, "staffing": True})
    assert again["id"] == row["id"] and again["self_score"] == 2
    loaded = sa.load_self_assessment(store, svc.catalogues(), code, 2026)
    assert loaded["max_score"] == 6 and loaded["saved"]["self_score"] == 2
    assert [i["code"] for i in loaded["items"]][:2] == ["institution", "staffing"]
    assert sa.load_self_assessment(store, svc.catalogues(), code, 2025)["saved"] is None
    # Captured like every synced write, attributed to the operator.
    con = sqlite3.connect(store.path)
    ops = con.execute("SELECT op, operator_id FROM change_log WHERE table_name = "
                      "'station_assessment' ORDER BY seq").fetchall()
    con.close()
    assert [o for o, _ in ops] == ["I", "U"] and {u for _, u in ops} == {svc.operator_id}


def test_self_assessment_refuses_unknown_item(store, svc):
    with pytest.raises(ValidationError, match="没有这一项"):
        assess.save_self_assessment(store, svc.catalogues(), svc.operator_id, svc.station_code,
                                    2026, sa.WUYOU, {"swimming_pool": True})
