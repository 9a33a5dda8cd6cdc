"""A roster cell's value as the person form would receive it.

Excel and the people who fill rosters leave full-width digits and spaces,
serial dates, “1985.03” typed as a number, “三级”, “党员” for 中共党员 and
ID numbers Excel has already turned into ``4.20303E+17``. :func:`convert`
undoes what can be undone and raises :class:`CellError` with a Chinese
sentence for what cannot; the person rules then judge the result.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from openpyxl.utils.datetime import from_excel

from station_desktop.reports.xlsx_import.headers import INVISIBLE, normalize_header
from station_desktop.store.fields import PERSON_FIELDS

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)
              if chr(code - 0xFEE0).isalnum()}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH.update(INVISIBLE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_MULTI_SEP = re.compile(r"[、,，/;；|\n]+|\s+")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9, "十": 10}
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")

#: What people write for an enum value → the enum's own label.
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "sex": {"男性": "男", "女性": "女"},
    "political_status": {"党员": "中共党员", "共产党员": "中共党员", "中国共产党党员": "中共党员",
                         "预备党员": "中共预备党员", "团员": "共青团员", "无党派": "无党派人士",
                         "无": "群众"},
    "marital_status": {"离异": "离婚", "初婚": "已婚", "再婚": "已婚", "复婚": "已婚",
                       "有配偶": "已婚"},
    "disability_nature": {"因战致残": "因战", "因公致残": "因公", "因病致残": "因病"},
    "support_mode": {"集中": "集中供养", "分散": "分散供养"},
}

MANGLED_ID = "身份证号被 Excel 存成了数字，最后几位已丢失，请把该列设为文本后重新填写"


def clean_text_value(text: str) -> str:
    """Trim (full-width and non-breaking spaces too), full-width digits/letters half-width."""
    return text.translate(_FULLWIDTH).replace("\xa0", " ").strip()


def blank(value: Any) -> bool:
    """An empty cell: nothing, or only spaces (full-width and invisible ones too)."""
    return value is None or (isinstance(value, str) and not clean_text_value(value))


def cell_text(value: Any) -> str:
    """A cell as one line of text (12.0 → “12”)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text_value(str(value))


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date_precision(text: str) -> str:
    """"day", "month" or "year": how much of a date a text gives."""
    raw = re.sub(r"[/.年月\-]", "-", text.rstrip("日号")).strip("-")
    parts = [p for p in raw.split("-") if p]
    if len(parts) >= 3 or (len(parts) == 1 and len(parts[0]) == 8):
        return "day"
    if len(parts) == 2 or (len(parts) == 1 and len(parts[0]) == 6):
        return "month"
    return "year"


class CellError(Exception):
    """A cell that cannot be read as its field (the message names the field)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def date_value(value: Any, label: str) -> tuple[Any, str]:
    """A date cell as (date or text for parse_date, precision)."""
    if isinstance(value, datetime):
        return value.date(), "day"
    if isinstance(value, date):
        return value, "day"
    if isinstance(value, time):
        raise CellError(f"{label}：单元格里只有时间，没有日期。")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 60000:  # an Excel serial date shown as a plain number
            return from_excel(value).date(), "day"
        if isinstance(value, float) and not value.is_integer():
            # 1985.03 typed into a cell is stored as a number: a year and a month.
            text = f"{value:.2f}"
            if round(value, 2) != value:
                raise CellError(f"{label}：“{value}”不是能识别的日期。")
            if text.endswith("0"):  # one decimal: 1985.3 is March, but 1985.1?
                if text.endswith(".10"):
                    y = int(value)
                    raise CellError(
                        f"{label}：“{value}”不能确定是 {y} 年 1 月还是 10 月（Excel 会把 {y}.10 "
                        f"存成 {y}.1），请改写成“{y}-10”或“{y}-01”这样的文字。"
                    )
                text = text[:-1]
            return text, "month"
        text = _number_text(value)
        return text, _date_precision(text)
    text = _TIME_SUFFIX.sub("", clean_text_value(str(value)))
    return text, _date_precision(text)


def _int_text(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        s = clean_text_value(value)
        s = re.sub(r"(级|年|周岁|岁|等)$", "", s).strip()
        if s in _CN_NUM:
            return _CN_NUM[s]
        return s
    return value


def convert(name: str, value: Any) -> Any:
    """A cell's value as clean_value takes it for the person field ``name``."""
    f = PERSON_FIELDS[name]
    label = f.label
    if f.type in ("date", "month"):
        converted, _ = date_value(value, label)
        return converted
    if isinstance(value, datetime | date):
        value = value.isoformat()[:10]
    if f.type == "bool":
        if isinstance(value, bool):
            return value
        return clean_text_value(_number_text(value) if isinstance(value, int | float) else str(value))
    if f.type == "int":
        return _int_text(value)
    if isinstance(value, bool):
        value = "是" if value else "否"
    text = clean_text_value(_number_text(value) if isinstance(value, int | float) else str(value))
    if f.type == "cats":
        return [p for p in _MULTI_SEP.split(text) if p]
    if f.type == "phone":
        return text.lstrip("'`")
    if f.type == "enum":
        key = normalize_header(text)
        return VALUE_SYNONYMS.get(name, {}).get(key, text)
    if name == "name":
        return compact_name(text)
    return text


def compact_name(text: str) -> str:
    """“王  伟” → “王伟”: spaces in a Chinese name are padding for alignment."""
    return "".join(text.split()) if _CJK.search(text) else text


def reason(name: str, message: str) -> str:
    """A refusal that names its field (unless the message already does)."""
    label = PERSON_FIELDS[name].label if name in PERSON_FIELDS else ""
    return message if not label or label in message else f"{label}：{message}"
