"""A stored value as a person reads it: one formatter for screen, paper and spreadsheet.

Every place that shows a record's value (the person file's sheets and its
change history, the forms, the printed booklet, the spreadsheet export, the
import's report) turns it into words here, from the field table of
:mod:`station_desktop.store.fields`: catalogue codes become their names,
enum values their labels, money in fen becomes 元, flags 是/否, dates
1985-03-01 and month-precision dates 1985-03. What a place needs that the
others do not is asked for by name, never by a copy of this function:

* ``editable``: text a form field takes back (money without 元 or
  thousands separators, plain numbers);
* ``cell``: a spreadsheet cell (real dates, numbers as numbers, None for empty);
* ``mask_id``: an ID number in a list or a report (420303********1234);
* ``clip``: long free text cut to fit one line of a report;
* ``refs``: the names of the records a ``ref`` field points at.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.validate import format_fen
from station_desktop.store.fields import Field


def enum_label(cls: Any, value: Any) -> str:
    """An enum value's Chinese label; a value the enum does not know is shown as it is."""
    if value is None or value == "":
        return ""
    try:
        return cls(value).label
    except ValueError:
        return str(value)


def yuan(fen: Any) -> str:
    """Money kept in fen, in 元 with thousands separators: 123450 → “1,234.50 元”."""
    if fen is None or fen == "":
        return ""
    return f"{format_fen(int(fen))} 元"


def mask_id_number(number: str | None) -> str:
    """An ID number for lists and reports: 420303********1234 (region and last four kept)."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) >= 15 else number


def date_text(value: Any) -> str:
    """A date as 1985-03-01 (a date already in text is left as it is)."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def month_text(value: Any) -> str:
    """A month-precision date (kept as the 1st of the month) as 1985-03."""
    if value is None or value == "":
        return ""
    return f"{value:%Y-%m}" if isinstance(value, date) else str(value)[:7]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def display_value(
    f: Field,
    value: Any,
    cats: Catalogues,
    *,
    editable: bool = False,
    cell: bool = False,
    mask_id: bool = False,
    clip: int | None = None,
    refs: Mapping[str, Mapping[str, str]] | None = None,
) -> Any:
    """``value`` of field ``f`` as a person reads it (see the module for the variants).

    Text, except with ``cell``: then dates are dates, money stays integer fen
    (the spreadsheet shows it in 元) and numbers stay numbers.
    """
    if value is None or value == "" or (isinstance(value, list) and not value):
        return None if cell else ""
    match f.type:
        case "date":
            return _as_date(value) if cell else date_text(value)
        case "month":
            return _as_date(value) if cell else month_text(value)
        case "fen":
            if cell:
                return value
            if editable:
                return format_fen(int(value)).replace(",", "")
            return yuan(value) if value else ""  # 0 fen is how an empty amount is kept
        case "int":
            if cell:
                return value
            if editable or f.display is None:
                return str(value)
            return f.display(value)
        case "bool":
            return "是" if value else "否"
        case "enum":
            return enum_label(f.arg, value)
        case "cat":
            return cats.name(f.arg, value)
        case "cats":
            return "、".join(cats.name(f.arg, c) for c in value)
        case "ref":
            return refs.get(f.arg, {}).get(value, "") if refs is not None else str(value)
        case "id_number":
            return mask_id_number(value) if mask_id else str(value)
    text = value.isoformat() if isinstance(value, date) else str(value)
    if cell and not isinstance(value, date):
        return value
    if clip is not None and len(text) > clip:
        return text[:clip - 1] + "…"
    return text
