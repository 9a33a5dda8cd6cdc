"""The one value formatter, over every field of every record kind, with a station's catalogues."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from station_desktop.domain.catalogues import Catalogues
from station_desktop.store.display import (
    date_text,
    display_value,
    enum_label,
    mask_id_number,
    month_text,
    yuan,
)
from station_desktop.store.fields import FIELDS, PERSON_FIELDS, Field, clean_value
from tests.conftest import TODAY, make_id

EVERY_FIELD = [(kind, name, f) for kind, spec in FIELDS.items() for name, f in spec.items()]
IDS = [f"{kind}.{name}" for kind, name, _f in EVERY_FIELD]
ID_NUMBER = make_id()  # 420303198503011230 or so: region 420303, check digit last
REFS = {table: {"r1": f"{table} 的名字"} for table in
        {f.arg for _k, _n, f in EVERY_FIELD if f.type == "ref"}}


@pytest.fixture(scope="module")
def cats() -> Catalogues:
    """The catalogues a new station is seeded with (catalogues.json), as the database holds them."""
    return Catalogues.defaults()


def sample(name: str, f: Field, cats: Catalogues) -> tuple[Any, str]:
    """A stored value of ``f`` and the text a person must read for it."""
    match f.type:
        case "text":
            return "东沟村 3 组", "东沟村 3 组"
        case "phone":
            return "13800138000", "13800138000"
        case "id_number":
            return ID_NUMBER, ID_NUMBER
        case "date":
            return date(2024, 3, 5), "2024-03-05"
        case "month":
            return date(2003, 12, 1), "2003-12"
        case "bool":
            return True, "是"
        case "int":
            lo, hi = f.arg
            n = min(max(lo, 3), hi)
            return n, {"disability_grade": "三级", "service_years": "3 年"}.get(name, str(n))
        case "fen":
            return 123450, "1,234.50 元"
        case "enum":
            value, label = list(f.arg.choices())[-1]
            return value, label
        case "cat":
            entry = cats.entries(f.arg)[-1]
            return entry.code, entry.name
        case "cats":
            first, second = cats.entries(f.arg)[:2]
            return [first.code, second.code], f"{first.name}、{second.name}"
        case "ref":
            return "r1", f"{f.arg} 的名字"
    raise AssertionError(f"no sample for field type {f.type}")


@pytest.mark.parametrize(("kind", "name", "f"), EVERY_FIELD, ids=IDS)
def test_every_field_reads_as_words(kind: str, name: str, f: Field, cats: Catalogues) -> None:
    value, text = sample(name, f, cats)
    assert display_value(f, value, cats, refs=REFS) == text
    # nothing stored reads as nothing, on screen and in a spreadsheet cell
    for empty in (None, "", []):
        assert display_value(f, empty, cats) == ""
        assert display_value(f, empty, cats, cell=True) is None


@pytest.mark.parametrize(("kind", "name", "f"), EVERY_FIELD, ids=IDS)
def test_a_form_field_takes_back_what_it_shows(kind: str, name: str, f: Field,
                                               cats: Catalogues) -> None:
    """Editable text cleans to the very value it came from: opening and saving changes nothing."""
    if f.type in ("bool", "enum", "cat", "cats", "ref"):
        return  # check boxes, lists and hidden fields: the form holds the value itself
    value, _text = sample(name, f, cats)
    shown = display_value(f, value, cats, editable=True)
    assert isinstance(shown, str)
    assert clean_value(name, f, shown, cats, today=TODAY) == value


@pytest.mark.parametrize(("kind", "name", "f"), EVERY_FIELD, ids=IDS)
def test_a_spreadsheet_cell_keeps_dates_and_numbers(kind: str, name: str, f: Field,
                                                    cats: Catalogues) -> None:
    value, text = sample(name, f, cats)
    cell = display_value(f, value, cats, cell=True, refs=REFS)
    if f.type in ("date", "month"):
        assert cell == value and isinstance(cell, date)
        assert display_value(f, value.isoformat(), cats, cell=True) == value
    elif f.type in ("int", "fen"):
        assert cell == value  # fen: the export shows it in yuan with a number format
    elif f.type in ("text", "phone", "id_number"):
        assert cell == value
    else:
        assert cell == text


def test_variants_are_asked_for_by_name(cats: Catalogues) -> None:
    idn, fen, note = PERSON_FIELDS["id_number"], FIELDS["visit"]["money_fen"], PERSON_FIELDS["note"]
    assert display_value(idn, ID_NUMBER, cats, mask_id=True) == ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]
    assert display_value(fen, 0, cats) == ""  # an amount left empty is kept as 0 fen
    assert display_value(fen, 0, cats, editable=True) == "0.00"
    assert display_value(fen, 123450, cats, editable=True) == "1234.50"
    assert display_value(note, "一" * 25, cats, clip=20) == "一" * 19 + "…"
    assert display_value(note, "一" * 20, cats, clip=20) == "一" * 20
    assert display_value(PERSON_FIELDS["disability_grade"], 3, cats, editable=True) == "3"
    # values read back from the change log are text: they read the same
    assert display_value(PERSON_FIELDS["enlist_date"], "2003-12-01", cats) == "2003-12"
    assert display_value(PERSON_FIELDS["birth_date"], "1985-03-01", cats) == "1985-03-01"
    # a value a catalogue or an enum no longer knows is shown as it is, not dropped
    assert display_value(PERSON_FIELDS["sex"], "X", cats) == "X"
    assert display_value(PERSON_FIELDS["ethnicity"], "no_such_code", cats) == "no_such_code"
    assert display_value(FIELDS["visit"]["life_event_id"], "gone", cats, refs=REFS) == ""
    # a date in a text column of a spreadsheet is written as text, not as a number
    assert display_value(note, date(2024, 1, 2), cats, cell=True) == "2024-01-02"
    assert display_value(PERSON_FIELDS["registered_on"], datetime(2024, 1, 2, 8), cats,
                         cell=True) == datetime(2024, 1, 2, 8)


def test_small_helpers() -> None:
    from station_desktop.domain import enums

    assert enum_label(enums.Sex, "F") == "女" and enum_label(enums.Sex, None) == ""
    assert yuan(0) == "0.00 元" and yuan(None) == "" and yuan(-150) == "-1.50 元"
    assert mask_id_number(None) == "" and mask_id_number("12345") == "12345"
    assert date_text(None) == "" and month_text(None) == ""
