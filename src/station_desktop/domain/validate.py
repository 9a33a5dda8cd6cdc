"""Checking and normalising what people type: phones, station codes, dates, text, money.

Every refusal is a ``ValidationError`` whose Chinese message says what is
wrong and how to write it instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal

from station_desktop.domain.enums import Role
from station_desktop.domain.errors import ValidationError


def _half_width(text: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def _no_spaces(text: str) -> str:
    return "".join(_half_width(text).split())


# --- phones -----------------------------------------------------------------

_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})", re.ASCII)
_LANDLINE = re.compile(
    r"\(?(0\d{2,3})\)?[\s-]*(\d{7,8})(?:\s*(?:-|转|ext\.?|x)\s*(\d{1,6}))?",
    re.IGNORECASE | re.ASCII,
)


def normalize_phone(text: str) -> str:
    """A mobile number as 11 digits, a landline as ``0719-8123456[-123]``, or ``""``.

    Area codes beginning 01/02 (北京 010, 020–029) have three digits, all others
    four, so a number written without separators can still be split.
    """
    cleaned = _half_width(text).strip()
    if not cleaned:
        return ""
    mobile = _MOBILE.fullmatch(re.sub(r"[\s()-]", "", cleaned))
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.fullmatch(cleaned)
    if landline:
        digits = landline.group(1) + landline.group(2)
        area_len = 3 if digits[1] in "12" else 4
        area, local = digits[:area_len], digits[area_len:]
        if len(local) in (7, 8):
            extension = landline.group(3)
            return f"{area}-{local}-{extension}" if extension else f"{area}-{local}"
    raise ValidationError(
        "phone",
        f"电话号码“{cleaned}”格式不对。",
        hint="手机号填11位数字，如13800138000；固定电话写区号和号码，如0719-8123456。",
    )


# --- station codes (统计用区划代码) -------------------------------------------

_PROVINCES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
    + [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82]
)
_CODE_HELP = (
    "服务站代码是12位统计用区划代码：2位省、2位市、2位县、3位乡镇、3位村。"
    "例如村(社区)服务站 420302001001，乡镇(街道)服务站 420302001000，"
    "县(区)服务中心 420302000000。"
)


@dataclass(frozen=True)
class StationCode:
    code: str

    @property
    def province(self) -> str:
        return self.code[:2]

    @property
    def city(self) -> str:
        return self.code[2:4]

    @property
    def county(self) -> str:
        return self.code[4:6]

    @property
    def town(self) -> str:
        return self.code[6:9]

    @property
    def village(self) -> str:
        return self.code[9:12]

    @property
    def county_prefix(self) -> str:
        return self.code[:6]

    @property
    def town_prefix(self) -> str:
        return self.code[:9]

    @property
    def level(self) -> Role:
        if self.village != "000":
            return Role.VILLAGE
        return Role.TOWN if self.town != "000" else Role.COUNTY


def parse_station_code(text: str, role: Role | None = None) -> StationCode:
    """A 12-digit station code; when ``role`` is given the code must be of that level."""
    code = _no_spaces(text)
    if len(code) != 12 or not code.isascii() or not code.isdigit():
        what = f"是{len(code)}位" if code.isascii() and code.isdigit() else "含有非数字字符"
        raise ValidationError(
            "station_code", f"服务站代码“{code}”不对：应为12位数字，现在{what}。", hint=_CODE_HELP
        )
    if int(code[:2]) not in _PROVINCES:
        raise ValidationError(
            "station_code",
            f"服务站代码前两位“{code[:2]}”不是省级代码。",
            hint="前两位是省份，例如北京11、湖北42、广东44。" + _CODE_HELP,
        )
    station = StationCode(code)
    if station.town == "000" and station.village != "000":
        raise ValidationError(
            "station_code",
            f"服务站代码“{code}”的乡镇部分是000，村部分却不是000。",
            hint="村(社区)代码的乡镇部分（第7–9位）不能是000。" + _CODE_HELP,
        )
    if role is not None and station.level is not role:
        raise ValidationError(
            "station_code",
            f"“{code}”是{station.level.label}的代码，不是{role.label}的代码。",
            hint=_CODE_HELP,
        )
    return station


# --- dates ------------------------------------------------------------------

_FULL_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})(\d{2})(\d{2})", re.ASCII)
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{1,2}))?|(\d{4})(\d{2})", re.ASCII)


def refuse_end_before_start(start: date | None, end: date | None, field: str = "end_on") -> None:
    """A span (a campaign, a report period) may not end before it starts; a blank date
    leaves nothing to compare."""
    if start and end and end < start:
        raise ValidationError(field, "结束日期不能早于开始日期。")


def _date_hint(allow_partial: bool) -> str:
    hint = "请按“2024-03-01”“2024/3/1”“2024年3月1日”或“20240301”的格式填写"
    if allow_partial:
        hint += "；只知道年月时可填“1985-03”或“1985年3月”，只知道年份时填“1985”"
    return hint + "。"


def parse_date(
    text: str | date,
    *,
    field: str = "date",
    allow_partial: bool = False,
    earliest: date | None = date(1890, 1, 1),
    latest: date | None = None,
) -> date:
    """A date from the ways people write one; partial dates become the 1st of month/year."""
    if isinstance(text, datetime):
        value = text.date()
    elif isinstance(text, date):
        value = text
    else:
        value = _parse_date_text(text, field, allow_partial)
    if earliest is not None and value < earliest:
        raise ValidationError(
            field,
            f"日期{value.isoformat()}早于{earliest.isoformat()}，不合常理。",
            hint="请核对年份是否填错。",
        )
    if latest is not None and value > latest:
        raise ValidationError(
            field,
            f"日期{value.isoformat()}晚于{latest.isoformat()}，不能填将来的日期。",
            hint="请核对年月日是否填错。",
        )
    return value


def _parse_date_text(text: str, field: str, allow_partial: bool) -> date:
    raw = _no_spaces(text)
    if not raw:
        raise ValidationError(field, "请填写日期。", hint=_date_hint(allow_partial))
    cleaned = re.sub(r"[/.年月]", "-", raw.rstrip("日号")).rstrip("-")
    full = _FULL_DATE.fullmatch(cleaned)
    if full:
        parts = [int(p) for p in full.groups() if p is not None]
    else:
        partial = _PARTIAL_DATE.fullmatch(cleaned)
        if not partial:
            raise ValidationError(
                field, f"“{raw}”不是能识别的日期。", hint=_date_hint(allow_partial)
            )
        if not allow_partial:
            raise ValidationError(
                field, f"“{raw}”缺少月或日，这里需要完整的年月日。", hint=_date_hint(False)
            )
        parts = [int(p) for p in partial.groups() if p is not None] + [1, 1]
    try:
        return date(*parts[:3])
    except ValueError:
        raise ValidationError(
            field, f"日期“{raw}”不存在，请核对年、月、日。", hint=_date_hint(allow_partial)
        ) from None


# --- text -------------------------------------------------------------------

MAX_NAME = 50
MAX_SHORT = 200
MAX_TEXT = 5000


def clean_text(
    field: str, value: str | None, max_len: int, *, required: bool = False, label: str
) -> str:
    """``value`` without surrounding spaces, refused when missing or too long."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationError(field, f"请填写{label}。")
    if len(cleaned) > max_len:
        raise ValidationError(
            field,
            f"{label}最多{max_len}个字，现在有{len(cleaned)}个字。",
            hint="请精简后再保存。",
        )
    return cleaned


# --- money (integer fen) -----------------------------------------------------

MAX_YUAN = 10_000_000
_AMOUNT = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)", re.ASCII)


def parse_yuan(value: str | int | Decimal) -> int:
    """An amount in yuan (``"1,234.50"``, ``"１２３元"``, ``12``) as integer fen."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise TypeError(f"parse_yuan takes str, int or Decimal, not {type(value).__name__}")
    if isinstance(value, str):
        raw = _no_spaces(value)
        if not raw:
            raise ValidationError("amount", "请填写金额。")
        match = _AMOUNT.fullmatch(re.sub(r"[,元¥]", "", raw))
        if not match:
            raise ValidationError(
                "amount", f"“{raw}”不是金额。", hint="请只填数字，单位是元，如 1234.50。"
            )
        amount = Decimal(match.group(1) + match.group(2))
    else:
        amount = Decimal(value)
    if not amount.is_finite():
        raise ValidationError("amount", "金额不是有效数字。", hint="请只填数字，单位是元。")
    if amount < 0:
        raise ValidationError("amount", "金额不能是负数。")
    if amount > MAX_YUAN:
        raise ValidationError(
            "amount", f"金额{amount}元超过上限{MAX_YUAN:,}元。", hint="请核对是否多填了数字。"
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("amount", f"金额{amount}超过两位小数。", hint="金额最多精确到分。")
    return int(amount * 100)


def format_fen(fen: int) -> str:
    """Integer fen as yuan with thousands separators: ``123450`` -> ``"1,234.50"``."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


# --- times ------------------------------------------------------------------

try:
    from zoneinfo import ZoneInfo

    SHANGHAI: tzinfo = ZoneInfo("Asia/Shanghai")
except Exception:  # noqa: BLE001 - no tz database (Windows without tzdata)
    # China has kept UTC+8 all year since 1991: the same instants for our records.
    SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def local_time(ts: str | None, *, empty: str = "") -> str:
    """A stored UTC timestamp (``2026-11-23T05:09:00.123Z``) as Beijing time, to the minute."""
    if not ts:
        return empty
    try:
        moment = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return ts
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
