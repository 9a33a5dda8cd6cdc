from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from station_desktop.domain.catalogues import CatalogueEntry, Catalogues
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.rules import (
    ContactDue,
    active_holidays,
    age_on,
    contact_due,
    contact_interval_days,
    coverage_ratio,
    holiday_window,
    is_priority,
    life_event_deadline,
    life_event_visit_kind,
    quarter_bounds,
    year_bounds,
)

CAT = Catalogues.defaults()


def _changed(kind: str, code: str, **data: object) -> Catalogues:
    """The default catalogues with one entry's data updated."""
    entries = []
    for entry in CAT.all_entries():
        if (entry.kind, entry.code) == (kind, code):
            entry = replace(entry, data={**entry.data, **data})
        entries.append(entry)
    return Catalogues(entries)


def test_age_on_birthday_boundary() -> None:
    birth = date(1955, 3, 10)
    assert age_on(birth, date(2025, 3, 9)) == 69
    assert age_on(birth, date(2025, 3, 10)) == 70


@pytest.mark.parametrize(
    ("categories", "key_focus", "days"),
    [
        (["retired_soldier"], False, 180),
        (["retired_soldier", "disabled_soldier"], False, 90),
        ([], False, 180),
        (["retired_soldier"], True, 30),
        (["no_longer_exists"], False, 180),
    ],
)
def test_contact_interval(categories: list[str], key_focus: bool, days: int) -> None:
    assert contact_interval_days(categories, key_focus, CAT) == days


def test_inactive_category_no_longer_sets_the_interval() -> None:
    cat = Catalogues(
        replace(e, active=False) if e.code == "disabled_soldier" else e for e in CAT.all_entries()
    )
    assert contact_interval_days(["disabled_soldier", "retired_soldier"], False, cat) == 180


def test_county_settings_override_defaults() -> None:
    cat = _changed("settings", "rules", default_contact_interval_days=120)
    assert contact_interval_days([], False, cat) == 120
    without_settings = Catalogues(e for e in CAT.all_entries() if e.kind != "settings")
    assert contact_interval_days([], True, without_settings) == 30


def test_contact_due_across_month_ends() -> None:
    due = contact_due(
        ["disabled_soldier"], False, date(2024, 11, 30), date(2020, 1, 1), CAT, date(2025, 2, 28)
    )
    assert due == ContactDue(90, date(2024, 11, 30), date(2025, 2, 28), 0)
    later = contact_due(
        ["disabled_soldier"], False, date(2024, 11, 30), date(2020, 1, 1), CAT, date(2025, 3, 1)
    )
    assert later.overdue_days == 1


def test_contact_due_counts_from_registration_without_contact() -> None:
    due = contact_due(["retired_soldier"], False, None, date(2024, 1, 31), CAT, date(2024, 9, 1))
    assert due.last_contact is None
    assert due.due_on == date(2024, 7, 29)
    assert due.overdue_days == 34


def test_life_event_deadlines() -> None:
    assert life_event_deadline("death", date(2025, 1, 30), CAT) == date(2025, 2, 2)
    assert life_event_deadline("serious_illness", date(2024, 2, 25), CAT) == date(2024, 3, 3)
    assert life_event_visit_kind("enlisted", CAT) == "enlistment"
    with pytest.raises(ValidationError, match="未知的重大事项"):
        life_event_deadline("alien_abduction", date(2025, 1, 1), CAT)


@pytest.mark.parametrize(
    ("code", "year", "holiday"),
    [
        ("spring_festival", 2027, date(2027, 2, 6)),
        ("spring_festival", 2025, date(2025, 1, 29)),
        ("double_ninth", 2026, date(2026, 10, 18)),
        ("mid_autumn", 2026, date(2026, 9, 25)),
        ("lantern", 2026, date(2026, 3, 3)),
        ("army_day", 2026, date(2026, 8, 1)),
    ],
)
def test_holiday_dates(code: str, year: int, holiday: date) -> None:
    assert holiday_window(code, year, CAT).holiday_date == holiday


def test_holiday_window_bounds() -> None:
    window = holiday_window("army_day", 2025, CAT)
    assert (window.name, window.start, window.end) == (
        "八一建军节",
        date(2025, 7, 17),
        date(2025, 8, 8),
    )


def test_lunar_day_30_falls_back_to_the_months_last_day() -> None:
    eve = CatalogueEntry(
        "holiday",
        "new_year_eve",
        "除夕",
        data={
            "calendar": "lunar",
            "month": 12,
            "day": 30,
            "window_before_days": 0,
            "window_after_days": 0,
        },
    )
    cat = Catalogues([*CAT.all_entries(), eve])
    assert holiday_window("new_year_eve", 2023, cat).holiday_date == date(2024, 2, 9)
    assert holiday_window("new_year_eve", 2024, cat).holiday_date == date(2025, 1, 28)


def test_late_january_is_in_the_spring_festival_window() -> None:
    (window,) = active_holidays(date(2027, 1, 20), CAT)
    assert (window.code, window.holiday_date) == ("spring_festival", date(2027, 2, 6))


def test_overlapping_holidays_are_listed_in_date_order() -> None:
    found = active_holidays(date(2025, 10, 1), CAT)
    assert [(w.name, w.holiday_date) for w in found] == [
        ("国庆节", date(2025, 10, 1)),
        ("中秋节", date(2025, 10, 6)),
    ]


def test_no_holiday_in_june() -> None:
    assert active_holidays(date(2025, 6, 1), CAT) == []


def test_window_opening_in_december_finds_next_years_holiday() -> None:
    cat = _changed("holiday", "spring_festival", window_before_days=40)
    (window,) = active_holidays(date(2022, 12, 20), cat)
    assert (window.code, window.holiday_date) == ("spring_festival", date(2023, 1, 22))


def test_priority_by_age_on_the_birthday() -> None:
    birth = date(1955, 3, 10)
    assert not is_priority(["retired_soldier"], False, birth, CAT, date(2025, 3, 9))
    assert is_priority(["retired_soldier"], False, birth, CAT, date(2025, 3, 10))


def test_priority_by_category_or_key_focus() -> None:
    young = date(1990, 1, 1)
    today = date(2025, 1, 1)
    assert is_priority(["martyr_family"], False, young, CAT, today)
    assert is_priority([], True, None, CAT, today)
    assert not is_priority(["retired_soldier"], False, None, CAT, today)


@pytest.mark.parametrize(
    ("day", "bounds"),
    [
        (date(2025, 2, 15), (date(2025, 1, 1), date(2025, 3, 31))),
        (date(2024, 5, 31), (date(2024, 4, 1), date(2024, 6, 30))),
        (date(2025, 7, 1), (date(2025, 7, 1), date(2025, 9, 30))),
        (date(2025, 12, 31), (date(2025, 10, 1), date(2025, 12, 31))),
    ],
)
def test_quarter_bounds(day: date, bounds: tuple[date, date]) -> None:
    assert quarter_bounds(day) == bounds


def test_year_bounds() -> None:
    assert year_bounds(date(2024, 2, 29)) == (date(2024, 1, 1), date(2024, 12, 31))


def test_coverage_ratio() -> None:
    assert coverage_ratio(0, 0) == 0.0
    assert coverage_ratio(3, 4) == 0.75
