from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from station_desktop.domain.enums import Role
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.validate import (
    MAX_NAME,
    clean_text,
    format_fen,
    normalize_phone,
    parse_date,
    parse_station_code,
    parse_yuan,
    refuse_end_before_start,
)

# --- phones -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("86 13800138000", "13800138000"),
        ("１９９１２３４５６７８", "19912345678"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("021 87654321", "021-87654321"),
        ("0719-8123456", "0719-8123456"),
        ("0719 8123456", "0719-8123456"),
        ("(0719)8123456", "0719-8123456"),
        ("（０７１９）８１２３４５６", "0719-8123456"),
        ("07198123456", "0719-8123456"),
        ("075512345678", "0755-12345678"),
        ("0719-8123456-123", "0719-8123456-123"),
        ("0719-8123456转123", "0719-8123456-123"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_phone_forms(text: str, expected: str) -> None:
    assert normalize_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    ["12345", "12800138000", "1380013800", "138001380001", "abc", "0719-123", "8123456"],
)
def test_bad_phones_are_refused(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone(text)
    assert info.value.field == "phone"
    assert "格式不对" in info.value.message
    assert "13800138000" in info.value.hint


# --- station codes ----------------------------------------------------------


def test_village_code_parts() -> None:
    code = parse_station_code("420302001001", Role.VILLAGE)
    assert (code.province, code.city, code.county, code.town, code.village) == (
        "42",
        "03",
        "02",
        "001",
        "001",
    )
    assert code.county_prefix == "420302"
    assert code.town_prefix == "420302001"
    assert code.level is Role.VILLAGE


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("420302001000", Role.TOWN),
        ("420302000000", Role.COUNTY),
        ("441900003000", Role.TOWN),
        ("４２０３０２ 001 201", Role.VILLAGE),
    ],
)
def test_code_levels(text: str, level: Role) -> None:
    code = parse_station_code(text)
    assert code.level is level
    assert parse_station_code(text, level) == code
    assert len(code.code) == 12


@pytest.mark.parametrize(
    ("text", "role", "message"),
    [
        ("420302001000", Role.VILLAGE, "是乡镇(街道)服务站的代码，不是村(社区)服务站的代码"),
        ("420302001001", Role.COUNTY, "是村(社区)服务站的代码，不是县(区)服务中心的代码"),
        ("990302001001", None, "前两位“99”不是省级代码"),
        ("000302001001", None, "不是省级代码"),
        ("42030200100", None, "应为12位数字，现在是11位"),
        ("4203020010011", None, "现在是13位"),
        ("42030200100A", None, "含有非数字字符"),
        ("420302000001", None, "乡镇部分是000，村部分却不是000"),
    ],
)
def test_bad_station_codes(text: str, role: Role | None, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_station_code(text, role)
    assert info.value.field == "station_code"
    assert message in info.value.message
    assert "统计用区划代码" in info.value.hint


# --- dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-01",
        "2024-3-1",
        "2024/3/1",
        "2024.3.1",
        "2024年3月1日",
        "2024年3月1号",
        "20240301",
        "２０２４－０３－０１",
        " 2024 年 3 月 1 日 ",
    ],
)
def test_full_date_forms(text: str) -> None:
    assert parse_date(text) == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985.03", date(1985, 3, 1)),
        ("1985-3", date(1985, 3, 1)),
        ("1985年3月", date(1985, 3, 1)),
        ("198503", date(1985, 3, 1)),
        ("1985", date(1985, 1, 1)),
        ("1985年", date(1985, 1, 1)),
        ("1985-07-19", date(1985, 7, 19)),
    ],
)
def test_partial_dates(text: str, expected: date) -> None:
    assert parse_date(text, allow_partial=True) == expected


@pytest.mark.parametrize("text", ["1985-03", "1985", "198503"])
def test_partial_dates_need_permission(text: str) -> None:
    with pytest.raises(ValidationError, match="缺少月或日"):
        parse_date(text)


@pytest.mark.parametrize("text", ["2023-02-29", "2024-13-01", "20230229", "2024年4月31日"])
def test_impossible_dates(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_date(text, field="visit_date")
    assert info.value.field == "visit_date"
    assert "不存在" in info.value.message
    assert "2024年3月1日" in info.value.hint


def test_leap_day_exists() -> None:
    assert parse_date("2024-02-29") == date(2024, 2, 29)


@pytest.mark.parametrize("text", ["", "abc", "2024-03-01-05", "3/1/2024", "19850"])
def test_unreadable_dates(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_date(text)
    assert "2024-03-01" in info.value.hint


def test_date_range() -> None:
    with pytest.raises(ValidationError, match="早于1890-01-01"):
        parse_date("1889-12-31")
    assert parse_date("1850-01-01", earliest=None) == date(1850, 1, 1)
    with pytest.raises(ValidationError, match="晚于2025-01-01"):
        parse_date("2025-01-02", latest=date(2025, 1, 1))
    assert parse_date("2999-01-01") == date(2999, 1, 1)


def test_date_objects_pass_through() -> None:
    assert parse_date(date(2024, 3, 1)) == date(2024, 3, 1)
    assert parse_date(datetime(2024, 3, 1, 15, 30)) == date(2024, 3, 1)
    with pytest.raises(ValidationError):
        parse_date(date(1800, 1, 1))


# --- text -------------------------------------------------------------------


def test_clean_text() -> None:
    assert clean_text("name", "  张三 ", MAX_NAME, label="姓名") == "张三"
    assert clean_text("remark", None, 10, label="备注") == ""
    assert clean_text("name", "张" * MAX_NAME, MAX_NAME, label="姓名") == "张" * MAX_NAME


def test_required_text_missing() -> None:
    with pytest.raises(ValidationError) as info:
        clean_text("name", "   ", MAX_NAME, required=True, label="姓名")
    assert (info.value.field, info.value.message) == ("name", "请填写姓名。")


def test_text_too_long_says_limit_and_length() -> None:
    with pytest.raises(ValidationError, match="姓名最多50个字，现在有51个字"):
        clean_text("name", "张" * 51, MAX_NAME, label="姓名")


# --- money ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        ("1234.5", 123450),
        ("1,234.50", 123450),
        ("１２３元", 12300),
        ("¥5", 500),
        ("0.01", 1),
        (".5", 50),
        ("1.230", 123),
        (12, 1200),
        (Decimal("12.3"), 1230),
        ("10000000", 1_000_000_000),
        ("0", 0),
    ],
)
def test_parse_yuan(value: str | int | Decimal, fen: int) -> None:
    assert parse_yuan(value) == fen


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "不能是负数"),
        (-1, "不能是负数"),
        ("1.234", "超过两位小数"),
        ("10000000.01", "超过上限10,000,000元"),
        ("99999999999999999999999999999999", "超过上限"),
        ("abc", "不是金额"),
        ("1e3", "不是金额"),
        ("", "请填写金额"),
        (Decimal("NaN"), "不是有效数字"),
    ],
)
def test_bad_amounts(value: str | int | Decimal, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        parse_yuan(value)
    assert info.value.field == "amount"


@pytest.mark.parametrize("value", [12.3, True])
def test_floats_are_refused_by_type(value: object) -> None:
    with pytest.raises(TypeError):
        parse_yuan(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (123450, "1,234.50"),
        (5, "0.05"),
        (0, "0.00"),
        (999_999_999, "9,999,999.99"),
        (-150, "-1.50"),
    ],
)
def test_format_fen(fen: int, text: str) -> None:
    assert format_fen(fen) == text
    if fen >= 0:
        assert parse_yuan(text) == fen


# --- spans --------------------------------------------------------------------


def test_a_span_may_not_end_before_it_starts():
    refuse_end_before_start(date(2026, 1, 1), date(2026, 1, 1))  # one day is a span
    refuse_end_before_start(None, date(2026, 1, 1))  # nothing to compare yet
    with pytest.raises(ValidationError) as err:
        refuse_end_before_start(date(2026, 2, 1), date(2026, 1, 31))
    assert err.value.field == "end_on" and "不能早于开始日期" in err.value.message
    with pytest.raises(ValidationError) as err:
        refuse_end_before_start(date(2026, 2, 1), date(2026, 1, 31), "end")
    assert err.value.field == "end"
