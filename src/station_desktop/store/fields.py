"""What each record kind accepts, field by field, and the one validator for all of them.

The GUI forms, the command line and the spreadsheet importer all hand the
service plain values (often text); :func:`clean_record` turns them into typed
values or raises :class:`ValidationError` with a Chinese sentence naming the
field. One table of fields per kind, one function: no per-form copies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from station_desktop.domain import enums
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.idnumber import parse_id_number
from station_desktop.domain.validate import (
    MAX_NAME,
    MAX_SHORT,
    MAX_TEXT,
    clean_text,
    normalize_phone,
    parse_date,
    parse_yuan,
)


@dataclass(frozen=True)
class Field:
    label: str  # Chinese name used in messages and as a column header
    type: str  # text name short date month bool int fen phone id_number enum cat cats ref
    required: bool = False
    arg: Any = None  # enum class, catalogue kind, referenced table, or (min, max) for int
    max_len: int = MAX_SHORT
    future_ok: bool = False  # deadlines and plans may lie ahead; records of events may not
    #: How a number reads on screen and paper when it is not just the number (see store.display).
    display: Callable[[Any], str] | None = None


def _t(label: str, required: bool = False, max_len: int = MAX_SHORT) -> Field:
    return Field(label, "text", required, max_len=max_len)


def _long(label: str, required: bool = False) -> Field:
    return Field(label, "text", required, max_len=MAX_TEXT)


def _d(label: str, required: bool = False) -> Field:
    return Field(label, "date", required)


def _deadline(label: str, required: bool = False) -> Field:
    return Field(label, "date", required, future_ok=True)


def _b(label: str) -> Field:
    return Field(label, "bool")


def _cat(label: str, kind: str, required: bool = False) -> Field:
    return Field(label, "cat", required, kind)


def _enum(label: str, cls: type, required: bool = False) -> Field:
    return Field(label, "enum", required, cls)


def _ref(label: str, table: str, required: bool = True) -> Field:
    return Field(label, "ref", required, table)


def grade_text(n: Any) -> str:
    """3 → “三级”, as a disability certificate writes a grade."""
    n = int(n)
    return ("零一二三四五六七八九十"[n] if 0 <= n <= 10 else str(n)) + "级"


PERSON_FIELDS: dict[str, Field] = {
    "name": Field("姓名", "text", True, max_len=MAX_NAME),
    "id_number": Field("身份证号", "id_number", True),
    "sex": _enum("性别", enums.Sex),
    "birth_date": _d("出生日期"),
    "ethnicity": _cat("民族", "ethnicity"),
    "political_status": _enum("政治面貌", enums.PoliticalStatus),
    "marital_status": _enum("婚姻状况", enums.MaritalStatus),
    "health": _t("健康状况"),
    "education": _cat("文化程度", "education"),
    "hukou_type": _t("户籍类别", max_len=20),
    "hukou_place": _t("户籍地"),
    "residence": _t("常住地"),
    "phone": Field("联系电话", "phone"),
    "phone2": Field("备用电话", "phone"),
    "categories": Field("人员类别", "cats", True, "person_category"),
    "tags": Field("标签", "cats", False, "tag"),
    "key_focus": _b("重点关注"),
    "key_focus_reason": _t("重点关注原因"),
    "social_insurance": _t("社会保险"),
    "housing": _t("住房情况"),
    "registered_on": _d("建档日期"),
    "enlist_date": Field("入伍时间", "month"),
    "enlist_place": _t("入伍地", max_len=100),
    "unit": _t("部队代号/番号", max_len=100),
    "service_branch": _cat("军种", "service_branch"),
    "rank": _t("军衔", max_len=40),
    "post": _t("职务", max_len=100),
    "awards": _long("立功受奖"),
    "punishments": _long("处分"),
    "special_service": _t("特殊地区/岗位服役"),
    "re_enlisted": _b("二次入伍"),
    "discharge_date": Field("退役时间", "month"),
    "service_years": Field("军龄", "int", arg=(0, 60), display=lambda n: f"{n} 年"),
    "discharge_cert_type": _t("退役证件类型", max_len=40),
    "discharge_cert_no": _t("退役证件号码", max_len=60),
    "discharge_mode": _cat("退役方式", "discharge_mode"),
    "resettlement_mode": _cat("安置方式", "resettlement_mode"),
    "resettlement_unit": _t("安置单位"),
    "employment_status": _cat("就业状态", "employment_status"),
    "employer": _t("工作单位"),
    "income_band": _t("收入情况", max_len=40),
    "zero_employment_family": _b("零就业家庭"),
    "business": _long("创业情况"),
    "training": _long("教育培训"),
    "benefit_kinds": Field("抚恤补助", "cats", False, "benefit_kind"),
    "support_mode": _enum("供养方式", enums.SupportMode),
    "lone_elder_or_orphan": _b("孤老/孤儿"),
    "disability_nature": _enum("残疾性质", enums.DisabilityNature),
    "disability_grade": Field("伤残等级", "int", arg=(1, 10), display=grade_text),
    "disability_cert_no": _t("残疾军人证号", max_len=60),
    "disability_assessed_on": _d("评残时间"),
    "martyr_cert_no": _t("烈士证明书编号", max_len=60),
    "martyr_sacrifice_date": _d("牺牲日期"),
    "martyr_burial_place": _t("安葬地"),
    "annual_confirmed_year": Field("年度确认年份", "int", arg=(1950, 2100)),
    "party_joined_on": _d("入党时间"),
    "party_branch": _t("所在党支部", max_len=100),
    "village_role": _cat("兵支书/两委职务", "village_role"),
    "role_post": _t("任职岗位", max_len=100),
    "role_appointed_on": _d("首次任职时间"),
    "role_term": _t("任期", max_len=40),
    "role_rating": _t("年度考评", max_len=10),
    "skills": _long("技能特长"),
    "wishes": _long("意愿需求"),
    "hardship": _long("困难情况"),
    "note": _long("备注"),
}

FIELDS: dict[str, dict[str, Field]] = {
    "person": PERSON_FIELDS,
    "family_member": {
        "person_id": _ref("人员", "person"),
        "relation": _t("关系", True, 20),
        "name": Field("姓名", "text", True, max_len=MAX_NAME),
        "phone": Field("电话", "phone"),
        "id_number": Field("身份证号", "id_number"),
        "employment": _t("就业情况", max_len=40),
        "employer": _t("单位"),
        "note": _long("备注"),
    },
    "visit": {
        "person_id": _ref("被走访人", "person"),
        "kind": _cat("走访类型", "visit_kind", True),
        "method": _enum("走访方式", enums.VisitMethod, True),
        "visit_date": _d("走访日期", True),
        "visitor": _t("走访人", True, 100),
        "operator_id": Field("操作员", "ref", False, "operator"),
        "content": _long("走访内容"),
        "needs": _long("诉求/反馈"),
        "follow_up": _long("后续跟进"),
        "gifts": _t("慰问物品"),
        "money_fen": Field("慰问金", "fen"),
        "satisfaction": _enum("满意情况", enums.Satisfaction),
        "life_event_id": Field("对应变故", "ref", False, "life_event"),
        "campaign_id": Field("慰问活动", "ref", False, "campaign"),
    },
    "life_event": {
        "person_id": _ref("人员", "person"),
        "kind": _cat("变故类型", "life_event", True),
        "event_date": _d("发生日期", True),
        "description": _long("情况说明"),
    },
    "campaign": {
        "holiday": _cat("节日", "holiday", True),
        "year": Field("年份", "int", True, (2000, 2100)),
        "name": _t("活动名称", True, 100),
        "start_on": _deadline("开始日期", True),
        "end_on": _deadline("结束日期", True),
    },
    "aid_application": {
        "person_id": _ref("帮扶对象", "person"),
        "aid_type": _cat("帮扶类型", "aid_type", True),
        "fund": _cat("资金来源", "aid_fund"),
        "hardship_kind": _cat("困难类型", "hardship_kind"),
        "hardship_state": _enum("困难状态", enums.HardshipState),
        "cause": _long("困难原因", True),
        "measures": _long("帮扶措施"),
        "helper": _t("帮扶人", max_len=100),
        "applied_on": _d("申请日期", True),
        "requested_fen": Field("申请金额", "fen"),
    },
    "aid_payment": {
        "application_id": _ref("帮扶申请", "aid_application"),
        "paid_on": _d("发放日期", True),
        "amount_fen": Field("发放金额", "fen"),
        "in_kind_fen": Field("实物价值", "fen"),
        "in_kind": _t("实物"),
        "fund": _cat("资金来源", "aid_fund"),
        "payer": _t("发放人", max_len=100),
        "note": _long("备注"),
    },
    "dispute_case": {
        "person_id": Field("涉及人员", "ref", False, "person"),
        "parties": _t("当事人", True),
        "registrar": _t("登记人", True, MAX_NAME),
        "channel": _cat("渠道", "case_channel", True),
        "case_type": _cat("类型", "case_type", True),
        "urgency": _enum("紧急程度", enums.Urgency),
        "registered_on": _d("登记日期", True),
        "deadline": _deadline("办理期限", True),
        "content": _long("诉求内容", True),
        "repeat_petition": _b("重复访"),
    },
    "honour": {
        "person_id": _ref("人员", "person"),
        "kind": _enum("荣誉类别", enums.HonourKind, True),
        "title": _t("名称", True),
        "award_unit": _t("授予单位"),
        "award_type": _t("奖励类型", max_len=100),
        "awarded_on": _d("授予日期"),
        "applied_on": _d("申请日期"),
        "deadline": _deadline("送达期限"),
        "address": _t("地址"),
        "recipient": _t("接收人", max_len=100),
        "deliverer": _t("送达人", max_len=100),
        "feedback": _long("反馈"),
    },
    "volunteer_team": {
        "name": _t("队伍名称", True, 100),
        "organisation": _t("组织单位"),
        "leader": _t("负责人", max_len=MAX_NAME),
        "founded_on": _d("成立日期"),
        "note": _long("备注"),
    },
    "volunteer_member": {
        "team_id": _ref("队伍", "volunteer_team"),
        "person_id": Field("人员", "ref", False, "person"),
        "name": Field("姓名", "text", True, max_len=MAX_NAME),
        "phone": Field("电话", "phone"),
        "joined_on": _d("加入日期", True),
        "left_on": _d("退出日期"),
    },
    "volunteer_activity": {
        "team_id": _ref("队伍", "volunteer_team"),
        "title": _t("活动名称", True),
        "held_on": _d("活动日期", True),
        "place": _t("地点"),
        "description": _long("活动内容"),
    },
    "volunteer_hours": {
        "activity_id": _ref("活动", "volunteer_activity"),
        "member_id": _ref("队员", "volunteer_member"),
        "minutes": Field("服务时长（分钟）", "int", True, (1, 24 * 60)),
    },
    "operator": {
        "name": Field("姓名", "text", True, max_len=MAX_NAME),
        "post": _t("职务", max_len=50),
        "phone": Field("电话", "phone"),
        "is_admin": _b("管理员"),
        "active": _b("启用"),
    },
    "station": {
        "name": _t("服务站名称", True, 100),
        "address": _t("地址"),
        "phone": Field("电话", "phone"),
        "head_name": _t("负责人", max_len=MAX_NAME),
    },
}

_TRUE = {"1", "true", "yes", "y", "是", "√", "✓", "有"}
_FALSE = {"0", "false", "no", "n", "否", "", "无", "×"}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_value(name: str, f: Field, value: Any, cats: Catalogues, *, today: date) -> Any:
    """One field's typed value (None when empty and allowed), or a ValidationError."""
    try:
        return _clean_value(name, f, value, cats, today=today)
    except ValidationError as exc:
        if exc.field == name:
            raise
        # Name the record's field, whatever the domain check called it.
        raise ValidationError(name, exc.message, hint=exc.hint) from None


def _clean_value(name: str, f: Field, value: Any, cats: Catalogues, *, today: date) -> Any:
    if _empty(value) and f.type not in ("bool", "cats"):
        if f.required:
            raise ValidationError(name, f"请填写“{f.label}”。", hint="这一项不能为空。")
        return 0 if f.type == "fen" else None
    match f.type:
        case "text":
            return clean_text(name, str(value), f.max_len, required=f.required, label=f.label)
        case "date":
            return parse_date(value, field=name, latest=None if f.future_ok else today)
        case "month":
            return parse_date(value, field=name, allow_partial=True, latest=today)
        case "bool":
            if isinstance(value, bool):
                return value
            s = str(value or "").strip().lower()
            if s in _TRUE:
                return True
            if s in _FALSE:
                return False
            raise ValidationError(name, f"“{f.label}”只能填“是”或“否”，现在是“{value}”。")
        case "int":
            try:
                n = int(str(value).strip())
            except ValueError:
                raise ValidationError(name, f"“{f.label}”应为整数，现在是“{value}”。") from None
            lo, hi = f.arg
            if not lo <= n <= hi:
                raise ValidationError(name, f"“{f.label}”应在 {lo} 到 {hi} 之间，现在是 {n}。")
            return n
        case "fen":
            if isinstance(value, int) and not isinstance(value, bool):
                if value < 0:
                    raise ValidationError(name, f"“{f.label}”不能为负数。")
                return value
            return parse_yuan(value)
        case "phone":
            return normalize_phone(str(value)) or None
        case "id_number":
            return parse_id_number(str(value), today=today).number
        case "enum":
            return f.arg.from_value_or_label(str(value).strip()).value
        case "cat":
            return cats.get(f.arg, cats.resolve(f.arg, str(value).strip())).code
        case "cats":
            items = value
            if isinstance(value, str):
                items = [v for v in value.replace("，", ",").replace("、", ",").split(",")]
            codes = []
            for item in items or []:
                if _empty(item):
                    continue
                code = cats.get(f.arg, cats.resolve(f.arg, str(item).strip())).code
                if code not in codes:
                    codes.append(code)
            if f.required and not codes:
                raise ValidationError(name, f"请至少选择一个“{f.label}”。")
            return codes
        case "ref":
            return str(value).strip()
    raise AssertionError(f"unknown field type {f.type}")  # pragma: no cover


def clean_record(
    kind: str, data: Mapping[str, Any], cats: Catalogues, *, today: date, partial: bool = False
) -> dict[str, Any]:
    """Validate ``data`` for ``kind``. With ``partial`` only the given fields are checked."""
    spec = FIELDS[kind]
    unknown = set(data) - set(spec)
    if unknown:
        raise ValidationError(
            sorted(unknown)[0], f"不认识的字段：{'、'.join(sorted(unknown))}。"
        )
    out: dict[str, Any] = {}
    for name, f in spec.items():
        if name in data:
            out[name] = clean_value(name, f, data[name], cats, today=today)
        elif not partial:
            out[name] = clean_value(name, f, None, cats, today=today)
    return out
