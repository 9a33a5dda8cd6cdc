"""居民身份证号 (GB 11643-1999): normalising, checking, and what a number tells.

Layout: 6-digit address code, 8-digit birth date, 3-digit sequence (odd for
men, even for women), 1 check character.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from station_desktop.domain.enums import Sex
from station_desktop.domain.errors import ValidationError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = date(1850, 1, 1)
_FIELD = "id_number"


def normalize_id_number(text: str) -> str:
    """Remove every kind of space, turn full-width characters half-width, upper-case x."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def check_char(first17: str) -> str:
    """The check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"check_char needs 17 digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class IdNumber:
    number: str
    region_code: str
    birth_date: date
    sex: Sex

    def tail(self, n: int = 4) -> str:
        """The last ``n`` characters, for lists that must not show the whole number."""
        return self.number[-n:]


def _invalid(message: str, hint: str = "") -> ValidationError:
    return ValidationError(_FIELD, message, hint=hint)


def parse_id_number(text: str, *, today: date | None = None) -> IdNumber:
    """Check an 18-character ID number and read birth date and sex from it."""
    number = normalize_id_number(text)
    if not number:
        raise _invalid("请填写身份证号。")
    for position, char in enumerate(number, start=1):
        if char != "X" and not ("0" <= char <= "9"):
            raise _invalid(
                f"身份证号第{position}位“{char}”不是数字。",
                hint="身份证号由数字组成，只有最后一位可能是X。",
            )
    if len(number) == 15 and "X" not in number:
        raise _invalid(
            "这是15位的旧身份证号，现在需要18位的新号码。",
            hint="请照第二代身份证或户口簿上的18位号码填写。",
        )
    if len(number) != 18:
        raise _invalid(
            f"身份证号应为18位，现在填了{len(number)}位。",
            hint="请对照证件核对是否漏填或多填了数字。",
        )
    if "X" in number[:17]:
        raise _invalid(
            f"身份证号第{number.index('X') + 1}位是X，X只能出现在最后一位。",
            hint="请对照证件核对。",
        )
    digits = number[6:14]
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise _invalid(
            f"身份证号第7–14位是出生日期，“{digits}”不是真实存在的日期。",
            hint="请核对出生年月日是否抄错。",
        ) from None
    if birth > (today or date.today()):
        raise _invalid(
            f"身份证号中的出生日期{birth.isoformat()}还没有到，不可能是真实的出生日期。",
            hint="请核对出生年月日是否抄错。",
        )
    if birth < EARLIEST_BIRTH:
        raise _invalid(
            f"身份证号中的出生日期{birth.isoformat()}早于1850年，不可能是真实的出生日期。",
            hint="请核对出生年份是否抄错。",
        )
    expected = check_char(number[:17])
    if number[17] != expected:
        raise _invalid(
            f"身份证号校验位不对：按前17位计算，最后一位应是“{expected}”，现在是“{number[17]}”。",
            hint="多半是某一位数字抄错了，请对照证件逐位核对。",
        )
    return IdNumber(
        number=number,
        region_code=number[:6],
        birth_date=birth,
        sex=Sex.MALE if int(number[16]) % 2 else Sex.FEMALE,
    )


def is_valid_id_number(text: str, *, today: date | None = None) -> bool:
    try:
        parse_id_number(text, today=today)
    except ValidationError:
        return False
    return True


_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?E[+-]?\d+", re.ASCII)
_FLOAT_REPR = re.compile(r"\d{15,18}\.0+", re.ASCII)


def looks_like_excel_mangled(text: str) -> bool:
    """True when a spreadsheet turned an ID number into a float and lost digits.

    Excel shows such cells as ``1.10105E+17``, writes ``110105194912310000.0``
    or keeps 15 significant digits and pads with zeros (``...000``).
    """
    value = normalize_id_number(text)
    if _SCIENTIFIC.fullmatch(value) or _FLOAT_REPR.fullmatch(value):
        return True
    return (
        len(value) == 18
        and value.isascii()
        and value.isdigit()
        and value.endswith("000")
        and check_char(value[:17]) != "0"
    )


def apply_to_record(values: dict, info: IdNumber) -> None:
    """Birth date and sex come from the ID number; a different value already given is refused.

    Flags a mismatch (never silently fixes it), in the words a cadre reads
    under the field. Shared by the service and the spreadsheet importer.
    """
    for fname, derived, label in (
        ("birth_date", info.birth_date, "出生日期"),
        ("sex", info.sex.value, "性别"),
    ):
        given = values.get(fname)
        if given is not None and given != derived:
            shown = Sex(derived).label if fname == "sex" else derived.isoformat()
            raise ValidationError(fname, f"{label}与身份证号不符：按身份证号应为 {shown}。",
                                  hint="请核对身份证号或改正这一项。")
        values[fname] = derived
