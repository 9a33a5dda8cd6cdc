from __future__ import annotations

import pytest

from station_desktop.domain.enums import (
    HONOUR_FLOW,
    AidState,
    CaseAction,
    CaseState,
    HonourKind,
    HonourState,
    Level,
    PoliticalStatus,
    ReviewDecision,
    Role,
    Satisfaction,
    Sex,
    VisitMethod,
    allowed_case_actions,
    can_pay,
    escalate_level,
    expected_review_level,
    next_aid_state,
    next_case_state,
    next_honour_states,
)
from station_desktop.domain.errors import ValidationError


def test_members_carry_value_and_chinese_label() -> None:
    assert VisitMethod.AT_STATION == "at_station"
    assert VisitMethod.AT_STATION.label == "来站"
    assert Role.COUNTY.label == "县(区)服务中心"
    assert Satisfaction("3").label == "基本满意"
    assert ReviewDecision.RETURN.value == "return"
    assert CaseAction.RETURN.label == "退回"
    assert CaseAction.RETURN_ is CaseAction.RETURN


def test_political_status_follows_gb_t_4762() -> None:
    assert [m.value for m in PoliticalStatus] == [f"{i:02d}" for i in range(1, 14)]
    assert PoliticalStatus("10").label == "九三学社社员"
    assert PoliticalStatus.from_value_or_label("群众") is PoliticalStatus.MASSES


@pytest.mark.parametrize(
    ("text", "expected"),
    [("home", VisitMethod.HOME), ("入户", VisitMethod.HOME), (" 微信 ", VisitMethod.WECHAT)],
)
def test_from_value_or_label(text: str, expected: VisitMethod) -> None:
    assert VisitMethod.from_value_or_label(text) is expected


def test_from_value_ignores_case_of_value() -> None:
    assert Sex.from_value_or_label("f") is Sex.FEMALE


def test_unknown_value_lists_the_choices_in_chinese() -> None:
    with pytest.raises(ValidationError) as info:
        VisitMethod.from_value_or_label("飞鸽")
    assert info.value.field == "visit_method"
    assert info.value.message == "未知的走访方式：飞鸽，可选：入户、电话、微信、来站、其他"


def test_choices_keep_definition_order_and_skip_aliases() -> None:
    assert Level.choices() == [("village", "村"), ("town", "镇"), ("county", "县")]
    assert [value for value, _ in CaseAction.choices()].count("return") == 1


def test_honour_flows() -> None:
    assert HONOUR_FLOW[HonourKind.NOTICE] == [
        HonourState.TO_COLLECT,
        HonourState.TO_DELIVER,
        HonourState.DELIVERED,
    ]
    assert next_honour_states(HonourKind.PLAQUE, HonourState.APPLIED) == [HonourState.HUNG]
    assert next_honour_states(HonourKind.PLAQUE, HonourState.HUNG) == [
        HonourState.REPLACED,
        HonourState.CANCELLED,
    ]
    assert next_honour_states(HonourKind.NOTICE, HonourState.TO_DELIVER) == [HonourState.DELIVERED]
    assert next_honour_states(HonourKind.NOTICE, HonourState.DELIVERED) == []
    assert next_honour_states(HonourKind.MERIT, HonourState.RECORDED) == []


def test_honour_state_of_another_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match="“光荣牌”没有“待领取”这个状态"):
        next_honour_states(HonourKind.PLAQUE, HonourState.TO_COLLECT)


def test_case_life_cycle() -> None:
    state = next_case_state(None, CaseAction.REGISTER)
    assert state is CaseState.REGISTERED
    for action, expected in [
        (CaseAction.MEDIATE, CaseState.MEDIATING),
        (CaseAction.ESCALATE, CaseState.ESCALATED),
        (CaseAction.ASSIGN_DOWN, CaseState.MEDIATING),
        (CaseAction.TRANSFER, CaseState.MEDIATING),
        (CaseAction.CLOSE, CaseState.CLOSED),
        (CaseAction.REVISIT, CaseState.REVISITED),
        (CaseAction.RETURN, CaseState.MEDIATING),
        (CaseAction.CLOSE, CaseState.CLOSED),
    ]:
        state = next_case_state(state, action)
        assert state is expected


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        (CaseState.CLOSED, CaseAction.CLOSE, "案件目前是“已办结”，不能办结"),
        (CaseState.REVISITED, CaseAction.ESCALATE, "案件目前是“已回访”，不能上报"),
        (CaseState.MEDIATING, CaseAction.REVISIT, "只有已办结的案件才能回访"),
        (CaseState.REGISTERED, CaseAction.RETURN, "不能退回"),
        (CaseState.REGISTERED, CaseAction.REGISTER, "不能重复登记"),
        (None, CaseAction.CLOSE, "案件还没有登记"),
    ],
)
def test_illegal_case_actions(state: CaseState | None, action: CaseAction, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        next_case_state(state, action)
    assert info.value.field == "case_state"


def test_refusal_says_what_can_be_done_instead() -> None:
    with pytest.raises(ValidationError) as info:
        next_case_state(CaseState.CLOSED, CaseAction.CLOSE)
    assert info.value.hint == "现在可以：退回、回访。"
    assert allowed_case_actions(CaseState.CLOSED) == [CaseAction.RETURN, CaseAction.REVISIT]
    assert allowed_case_actions(None) == [CaseAction.REGISTER]


def test_escalation_goes_village_town_county_and_stops() -> None:
    assert escalate_level(Level.VILLAGE) is Level.TOWN
    assert escalate_level(Level.TOWN) is Level.COUNTY
    with pytest.raises(ValidationError, match="已在县级，不能再上报"):
        escalate_level(Level.COUNTY)


def test_aid_review_path_to_payment() -> None:
    state = AidState.APPLIED
    for level in (Level.VILLAGE, Level.TOWN, Level.COUNTY):
        assert expected_review_level(state) is level
        assert not can_pay(state)
        state = next_aid_state(state, level, ReviewDecision.APPROVE)
    assert state is AidState.APPROVED
    assert expected_review_level(state) is None
    assert can_pay(state)
    assert not can_pay(AidState.PAID)


def test_aid_reject_and_return() -> None:
    assert (
        next_aid_state(AidState.VILLAGE_REVIEWED, Level.TOWN, ReviewDecision.REJECT)
        is AidState.REJECTED
    )
    assert (
        next_aid_state(AidState.TOWN_REVIEWED, Level.COUNTY, ReviewDecision.RETURN)
        is AidState.APPLIED
    )


def test_aid_review_at_the_wrong_level_is_refused() -> None:
    with pytest.raises(ValidationError, match="应由村级审核，县级不能审核"):
        next_aid_state(AidState.APPLIED, Level.COUNTY, ReviewDecision.APPROVE)


@pytest.mark.parametrize("state", [AidState.APPROVED, AidState.REJECTED, AidState.PAID])
def test_finished_aid_cannot_be_reviewed(state: AidState) -> None:
    with pytest.raises(ValidationError, match="不在审核流程中"):
        next_aid_state(state, Level.COUNTY, ReviewDecision.APPROVE)
