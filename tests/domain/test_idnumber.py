from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station_desktop.domain.enums import Sex
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.idnumber import (
    check_char,
    is_valid_id_number,
    looks_like_excel_mangled,
    normalize_id_number,
    parse_id_number,
)

TODAY = date(2025, 6, 1)


def test_published_female_example() -> None:
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed.number == "11010519491231002X"
    assert parsed.region_code == "110105"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex is Sex.FEMALE
    assert parsed.tail() == "002X"
    assert parsed.tail(6) == "31002X"


def test_published_male_example_born_1880() -> None:
    parsed = parse_id_number("440524188001010014", today=TODAY)
    assert parsed.birth_date == date(1880, 1, 1)
    assert parsed.sex is Sex.MALE


def test_check_char() -> None:
    assert check_char("11010519491231002") == "X"
    assert check_char("44052418800101001") == "4"
    with pytest.raises(ValueError):
        check_char("1101051949123100")


def test_lowercase_x_is_stored_upper() -> None:
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    "text",
    [
        "１１０１０５１９４９１２３１００２Ｘ",
        " 110105 19491231\u3000002ｘ\n",
        "\t11010519491231002X",
    ],
)
def test_full_width_and_spaces_are_normalised(text: str) -> None:
    assert normalize_id_number(text) == "11010519491231002X"
    assert parse_id_number(text, today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写身份证号"),
        ("   ", "请填写身份证号"),
        ("110105491231002", "15位的旧身份证号"),
        ("11010519491231002", "应为18位，现在填了17位"),
        ("1101051949123100211", "应为18位，现在填了19位"),
        ("11010519491231A02X", "第15位“A”不是数字"),
        ("1101051949-231002X", "第11位“-”不是数字"),
        ("1101051949X231002X", "第11位是X，X只能出现在最后一位"),
        ("110105194902310021", "“19490231”不是真实存在的日期"),
        ("110105194913010021", "“19491301”不是真实存在的日期"),
        ("110105203001010010", "出生日期2030-01-01还没有到"),
        ("110105184912310010", "出生日期1849-12-31早于1850年"),
        ("110105194912310021", "最后一位应是“X”，现在是“1”"),
        ("440524188001010015", "最后一位应是“4”，现在是“5”"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_id_number(text, today=TODAY)
    assert info.value.field == "id_number"
    assert message in info.value.message
    assert not is_valid_id_number(text, today=TODAY)


def test_wrong_check_char_hints_at_a_miscopied_digit() -> None:
    with pytest.raises(ValidationError) as info:
        parse_id_number("110105194912310021", today=TODAY)
    assert "抄错" in info.value.hint


def test_birth_today_is_accepted_tomorrow_is_not() -> None:
    first17 = "110105" + TODAY.strftime("%Y%m%d") + "001"
    assert parse_id_number(first17 + check_char(first17), today=TODAY).birth_date == TODAY
    tomorrow = "110105" + (TODAY + timedelta(days=1)).strftime("%Y%m%d") + "001"
    assert not is_valid_id_number(tomorrow + check_char(tomorrow), today=TODAY)


@given(
    region=st.integers(110000, 829999),
    birth=st.dates(min_value=date(1850, 1, 1), max_value=TODAY),
    sequence=st.integers(0, 999),
    position=st.integers(0, 17),
    shift=st.integers(1, 9),
)
def test_check_char_catches_every_single_digit_change(
    region: int, birth: date, sequence: int, position: int, shift: int
) -> None:
    first17 = f"{region:06d}{birth:%Y%m%d}{sequence:03d}"
    number = first17 + check_char(first17)
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.birth_date == birth
    assert parsed.sex is (Sex.MALE if sequence % 2 else Sex.FEMALE)

    original = number[position]
    if original == "X":
        replacement = str(shift)
    else:
        replacement = str((int(original) + shift) % 10)
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError):
        parse_id_number(changed, today=TODAY)


@pytest.mark.parametrize(
    "text",
    ["1.10105E+17", "1.10105e+17", "4.40524188001E+17", "110105194912310000.0"],
)
def test_excel_float_forms_are_detected(text: str) -> None:
    assert looks_like_excel_mangled(text)


def test_zero_padded_number_with_wrong_check_is_detected() -> None:
    assert check_char("11010519491231000") != "0"
    assert looks_like_excel_mangled("110105194912310000")


@pytest.mark.parametrize("text", ["11010519491231002X", "440524188001010014", "张三", ""])
def test_ordinary_text_is_not_excel_mangled(text: str) -> None:
    assert not looks_like_excel_mangled(text)
