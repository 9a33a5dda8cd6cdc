"""Regular-contact visit rows: who was contacted, how, and what was said."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from station_desktop.services.demo.rows import Row, _shift_years
from station_desktop.store.models import new_id, utc_now

_ROUTINE_CONTENT = (
    "电话询问近况，身体健康，家庭和睦，无特殊诉求。",
    "了解就业情况，宣传退役军人优待证办理政策。",
    "询问身体状况，提醒按时服药，叮嘱注意冬季取暖安全。",
    "宣传退役军人就业创业扶持政策，了解培训意愿。",
    "了解家庭生产生活情况，本人表示生活稳定。",
    "核对联系方式和家庭成员信息，更新档案。",
    "宣讲优抚政策调整情况，解答抚恤金发放疑问。",
    "询问子女就学情况，告知军人子女教育优待政策。",
)
_NEEDS = (
    "希望帮助联系就业岗位", "反映医疗报销比例偏低", "希望办理优待证", "咨询养老保险补缴政策",
    "希望子女入学享受优待", "反映房屋漏雨需维修", "咨询创业贴息贷款",
)
_FOLLOW_UPS = (
    "已向镇退役军人服务站反映", "已协助提交申请材料", "已电话回复政策规定", "下次走访时再了解进展",
)
_HOLIDAY_GIFTS = {
    "spring_festival": ("大米一袋、食用油一桶", "慰问品一份（米、面、油）", "春联、年货礼包一份"),
    "army_day": ("慰问品一份", "纪念品一份", "水果一箱"),
    "double_ninth": ("牛奶一箱、糕点一盒", "重阳糕、水果", "保暖衣物一套"),
}
_METHODS = ("phone", "wechat", "home", "at_station")
_METHOD_WEIGHTS = (55, 20, 20, 5)


def _visit_row(
    station_code: str, now: str, person_id: str, kind: str, method: str, day: str,
    visitor: str, operator_id: str | None,
) -> Row:
    return {
        "id": new_id(), "station_code": station_code, "created_at": now, "updated_at": now,
        "updated_by": operator_id, "deleted_at": None, "person_id": person_id, "kind": kind,
        "method": method, "visit_date": day, "visitor": visitor, "operator_id": operator_id,
        "content": None, "needs": None, "follow_up": None, "gifts": None, "money_fen": 0,
        "satisfaction": None, "life_event_id": None, "campaign_id": None,
    }


def _routine_details(rng: random.Random, row: Row) -> Row:
    row["content"] = rng.choice(_ROUTINE_CONTENT)
    if rng.random() < 0.12:
        row["needs"] = rng.choice(_NEEDS)
        row["follow_up"] = rng.choice(_FOLLOW_UPS)
    if row["method"] in ("home", "at_station") or rng.random() < 0.3:
        row["satisfaction"] = rng.choices("5432", (70, 24, 5, 1))[0]
    return row


def make_visits(
    rng: random.Random,
    persons: Sequence[Row],
    n: int,
    today: date,
    *,
    years: int = 2,
    operators: Sequence[tuple[str | None, str]] = ((None, "服务站专干"),),
    now: str | None = None,
) -> list[Row]:
    """``n`` regular-contact visit rows (every column but ``hlc``) spread over ``years`` years.

    Persons are drawn at random; a visit never precedes the person's
    registration or falls after ``today``.
    """
    if not persons:
        return []
    now = now or utc_now()
    start = _shift_years(today, -years)
    span = (today - start).days
    days = [(start + timedelta(days=d)).isoformat() for d in range(span + 1)]
    station_code = persons[0]["station_code"]
    rows: list[Row] = []
    for _ in range(n):
        person = persons[rng.randrange(len(persons))]
        day = days[rng.randrange(len(days))]
        if day < person["registered_on"]:
            day = person["registered_on"] if person["registered_on"] <= days[-1] else days[-1]
        op_id, visitor = operators[rng.randrange(len(operators))]
        method = rng.choices(_METHODS, _METHOD_WEIGHTS)[0]
        kind = "routine" if rng.random() < 0.92 else "policy"
        rows.append(_routine_details(
            rng, _visit_row(station_code, now, person["id"], kind, method, day, visitor, op_id)
        ))
    return rows
