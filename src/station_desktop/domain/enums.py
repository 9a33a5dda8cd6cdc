"""Fixed code lists with Chinese labels, and the state machines built on them.

Lists that a county may want to change (categories, visit kinds, ...) are
catalogues (see ``catalogues.py``); the enums here are the ones the program's
logic depends on.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import ClassVar, Self

from station_desktop.domain.errors import ValidationError


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese label: ``HOME = "home", "入户"``.

    ``__title__`` is the Chinese name of the whole list, used in messages.
    """

    __title__: ClassVar[str] = ""
    _label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return self._label

    @classmethod
    def field_name(cls) -> str:
        """The enum's name in snake case (``VisitMethod`` -> ``visit_method``)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    @classmethod
    def from_value_or_label(cls, text: str) -> Self:
        """The member whose value or Chinese label is ``text`` (surrounding spaces ignored)."""
        cleaned = text.strip()
        for member in cls:
            if cleaned in (member.value, member.label) or cleaned.lower() == member.value.lower():
                return member
        options = "、".join(member.label for member in cls)
        raise ValidationError(
            cls.field_name(),
            f"未知的{cls.__title__}：{cleaned}，可选：{options}",
        )

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(value, label)`` pairs in definition order, for combo boxes."""
        return [(member.value, member.label) for member in cls]


class Role(LabelledEnum):
    __title__ = "站点类型"
    VILLAGE = "village", "村(社区)服务站"
    TOWN = "town", "乡镇(街道)服务站"
    COUNTY = "county", "县(区)服务中心"


class Sex(LabelledEnum):
    __title__ = "性别"
    MALE = "M", "男"
    FEMALE = "F", "女"


class VisitMethod(LabelledEnum):
    __title__ = "走访方式"
    HOME = "home", "入户"
    PHONE = "phone", "电话"
    WECHAT = "wechat", "微信"
    AT_STATION = "at_station", "来站"
    OTHER = "other", "其他"


class Level(LabelledEnum):
    """The level that reviews an aid application or holds a case."""

    __title__ = "层级"
    VILLAGE = "village", "村"
    TOWN = "town", "镇"
    COUNTY = "county", "县"


class AidState(LabelledEnum):
    __title__ = "帮扶申请状态"
    APPLIED = "applied", "已申请"
    VILLAGE_REVIEWED = "village_reviewed", "村已审核"
    TOWN_REVIEWED = "town_reviewed", "镇已审核"
    APPROVED = "approved", "县已审批"
    REJECTED = "rejected", "未通过"
    PAID = "paid", "已发放"
    WITHDRAWN = "withdrawn", "已撤回"


class HardshipState(LabelledEnum):
    __title__ = "困难状态"
    SUSPECTED = "suspected", "疑似困难"
    CONFIRMED = "confirmed", "认定困难"
    NOT_HARDSHIP = "not_hardship", "核实非困难"
    LIFTED = "lifted", "已脱困"


class ReviewDecision(LabelledEnum):
    __title__ = "审核意见"
    APPROVE = "approve", "同意"
    REJECT = "reject", "不同意"
    RETURN = "return", "退回补充"
    RETURN_ = "return", "退回补充"  # alias: the spelling used in the design notes


class CaseState(LabelledEnum):
    __title__ = "案件状态"
    REGISTERED = "registered", "已登记"
    MEDIATING = "mediating", "化解中"
    ESCALATED = "escalated", "已上报"
    CLOSED = "closed", "已办结"
    REVISITED = "revisited", "已回访"


class CaseAction(LabelledEnum):
    __title__ = "案件操作"
    REGISTER = "register", "登记"
    MEDIATE = "mediate", "调解"
    ESCALATE = "escalate", "上报"
    ASSIGN_DOWN = "assign_down", "下派"
    TRANSFER = "transfer", "转交"
    CLOSE = "close", "办结"
    RETURN = "return", "退回"
    RETURN_ = "return", "退回"  # alias: the spelling used in the design notes
    REVISIT = "revisit", "回访"


class Urgency(LabelledEnum):
    __title__ = "紧急程度"
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class Satisfaction(LabelledEnum):
    __title__ = "满意程度"
    VERY_DISSATISFIED = "1", "很不满意"
    DISSATISFIED = "2", "不满意"
    FAIRLY_SATISFIED = "3", "基本满意"
    SATISFIED = "4", "满意"
    VERY_SATISFIED = "5", "很满意"


class HonourKind(LabelledEnum):
    __title__ = "荣誉类别"
    PLAQUE = "plaque", "光荣牌"
    NOTICE = "notice", "喜报"
    MERIT = "merit", "立功受奖"


class HonourState(LabelledEnum):
    __title__ = "荣誉状态"
    APPLIED = "applied", "已申请"
    HUNG = "hung", "已悬挂"
    REPLACED = "replaced", "已更换"
    CANCELLED = "cancelled", "已注销"
    TO_COLLECT = "to_collect", "待领取"
    TO_DELIVER = "to_deliver", "待送达"
    DELIVERED = "delivered", "已送达"
    RECORDED = "recorded", "已登记"


class PoliticalStatus(LabelledEnum):
    """GB/T 4762 political status codes."""

    __title__ = "政治面貌"
    CPC_MEMBER = "01", "中共党员"
    CPC_PROBATIONARY = "02", "中共预备党员"
    CYL_MEMBER = "03", "共青团员"
    RCCK = "04", "民革会员"
    CDL = "05", "民盟盟员"
    CNDCA = "06", "民建会员"
    CAPD = "07", "民进会员"
    CPWDP = "08", "农工党党员"
    CZGP = "09", "致公党党员"
    JIUSAN = "10", "九三学社社员"
    TDSGL = "11", "台盟盟员"
    NON_PARTY = "12", "无党派人士"
    MASSES = "13", "群众"


class MaritalStatus(LabelledEnum):
    __title__ = "婚姻状况"
    UNMARRIED = "unmarried", "未婚"
    MARRIED = "married", "已婚"
    WIDOWED = "widowed", "丧偶"
    DIVORCED = "divorced", "离婚"


class DisabilityNature(LabelledEnum):
    __title__ = "残疾性质"
    WAR = "war", "因战"
    DUTY = "duty", "因公"
    ILLNESS = "illness", "因病"


class SupportMode(LabelledEnum):
    __title__ = "供养方式"
    CENTRALISED = "centralised", "集中供养"
    DISPERSED = "dispersed", "分散供养"


# --- honours ---------------------------------------------------------------

HONOUR_FLOW: dict[HonourKind, list[HonourState]] = {
    HonourKind.PLAQUE: [
        HonourState.APPLIED,
        HonourState.HUNG,
        HonourState.REPLACED,
        HonourState.CANCELLED,
    ],
    HonourKind.NOTICE: [HonourState.TO_COLLECT, HonourState.TO_DELIVER, HonourState.DELIVERED],
    HonourKind.MERIT: [HonourState.RECORDED],
}

# A replaced plaque is on the wall again, so it can be replaced once more.
_HONOUR_NEXT: dict[HonourState, list[HonourState]] = {
    HonourState.APPLIED: [HonourState.HUNG],
    HonourState.HUNG: [HonourState.REPLACED, HonourState.CANCELLED],
    HonourState.REPLACED: [HonourState.REPLACED, HonourState.CANCELLED],
    HonourState.CANCELLED: [],
    HonourState.TO_COLLECT: [HonourState.TO_DELIVER],
    HonourState.TO_DELIVER: [HonourState.DELIVERED],
    HonourState.DELIVERED: [],
    HonourState.RECORDED: [],
}


def next_honour_states(kind: HonourKind, state: HonourState) -> list[HonourState]:
    """The states an honour of ``kind`` may move to from ``state`` (empty when final)."""
    if state not in HONOUR_FLOW[kind]:
        allowed = "、".join(s.label for s in HONOUR_FLOW[kind])
        raise ValidationError(
            "honour_state",
            f"“{kind.label}”没有“{state.label}”这个状态，可用的状态：{allowed}",
        )
    return list(_HONOUR_NEXT[state])


# --- cases (矛盾纠纷/信访) --------------------------------------------------

_OPEN_CASE = {CaseState.REGISTERED, CaseState.MEDIATING, CaseState.ESCALATED}
#: The open case states as stored, for queries.
OPEN_CASE_STATES: tuple[str, ...] = tuple(s.value for s in CaseState if s in _OPEN_CASE)

# REGISTER creates a case, so it has no state to start from (see next_case_state).
CASE_TRANSITIONS: dict[CaseAction, tuple[set[CaseState], CaseState]] = {
    CaseAction.REGISTER: (set(), CaseState.REGISTERED),
    CaseAction.MEDIATE: (set(_OPEN_CASE), CaseState.MEDIATING),
    CaseAction.ESCALATE: (set(_OPEN_CASE), CaseState.ESCALATED),
    CaseAction.ASSIGN_DOWN: (set(_OPEN_CASE), CaseState.MEDIATING),
    CaseAction.TRANSFER: (set(_OPEN_CASE), CaseState.MEDIATING),
    CaseAction.CLOSE: (set(_OPEN_CASE), CaseState.CLOSED),
    # Sent back: an escalated case the upper level will not take, or a
    # closed/revisited case reopened because the problem is not solved.
    CaseAction.RETURN: (
        {CaseState.ESCALATED, CaseState.CLOSED, CaseState.REVISITED},
        CaseState.MEDIATING,
    ),
    CaseAction.REVISIT: ({CaseState.CLOSED, CaseState.REVISITED}, CaseState.REVISITED),
}


def allowed_case_actions(state: CaseState | None) -> list[CaseAction]:
    """Actions possible on a case in ``state`` (``None``: a case not yet registered)."""
    if state is None:
        return [CaseAction.REGISTER]
    return [action for action, (sources, _) in CASE_TRANSITIONS.items() if state in sources]


def next_case_state(state: CaseState | None, action: CaseAction) -> CaseState:
    """The state after ``action``; ``state`` is ``None`` for a case being registered."""
    sources, result = CASE_TRANSITIONS[action]
    if state is None:
        if action is CaseAction.REGISTER:
            return result
        raise ValidationError("case_state", f"案件还没有登记，不能{action.label}，请先登记。")
    if state in sources:
        return result
    if action is CaseAction.REVISIT:
        message = f"只有已办结的案件才能回访，这件案件目前是“{state.label}”。"
    elif action is CaseAction.REGISTER:
        message = "这件案件已经登记过了，不能重复登记。"
    else:
        message = f"案件目前是“{state.label}”，不能{action.label}。"
    options = "、".join(a.label for a in allowed_case_actions(state))
    raise ValidationError("case_state", message, hint=f"现在可以：{options}。")


_LEVEL_ABOVE: dict[Level, Level] = {Level.VILLAGE: Level.TOWN, Level.TOWN: Level.COUNTY}


def escalate_level(level: Level) -> Level:
    """The level a case goes to when reported upward: 村 → 镇 → 县."""
    if level not in _LEVEL_ABOVE:
        raise ValidationError(
            "level",
            "案件已在县级，不能再上报。",
            hint="请在县级化解办结，或按信访程序转交有关部门。",
        )
    return _LEVEL_ABOVE[level]


# --- aid applications (帮扶援助, 村 → 镇 → 县 review) ------------------------

_REVIEW_PATH: dict[AidState, tuple[Level, AidState]] = {
    AidState.APPLIED: (Level.VILLAGE, AidState.VILLAGE_REVIEWED),
    AidState.VILLAGE_REVIEWED: (Level.TOWN, AidState.TOWN_REVIEWED),
    AidState.TOWN_REVIEWED: (Level.COUNTY, AidState.APPROVED),
}
#: The states of an application waiting for some level's review, as stored, for queries.
WAITING_AID_STATES: tuple[str, ...] = tuple(s.value for s in _REVIEW_PATH)


def expected_review_level(state: AidState) -> Level | None:
    """The level whose review an application in ``state`` waits for, or ``None``."""
    step = _REVIEW_PATH.get(state)
    return step[0] if step else None


def next_aid_state(state: AidState, level: Level, decision: ReviewDecision) -> AidState:
    """The state after ``level`` reviews an application in ``state`` with ``decision``."""
    step = _REVIEW_PATH.get(state)
    if step is None:
        raise ValidationError(
            "aid_state",
            f"这份申请目前是“{state.label}”，不在审核流程中，不能再审核。",
        )
    expected, approved = step
    if level is not expected:
        raise ValidationError(
            "aid_state",
            f"这份申请目前是“{state.label}”，应由{expected.label}级审核，{level.label}级不能审核。",
            hint="审核按村、镇、县的顺序逐级进行。",
        )
    if decision is ReviewDecision.APPROVE:
        return approved
    if decision is ReviewDecision.REJECT:
        return AidState.REJECTED
    return AidState.APPLIED


def can_pay(state: AidState) -> bool:
    """Money may be paid only on an application the county has approved."""
    return state is AidState.APPROVED
