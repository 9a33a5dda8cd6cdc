"""What is due when: contact intervals, 六必访 deadlines, holiday windows, priority.

Pure functions over catalogue data; ``today`` is always passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from lunardate import LunarDate

from station_desktop.domain.catalogues import Catalogues


def _setting(cat: Catalogues, key: str) -> Any:
    """A rule parameter from the ``settings/rules`` entry, falling back to the default."""
    for source in (cat, Catalogues.defaults()):
        entries = {e.code: e for e in source.entries("settings")}
        if "rules" in entries and key in entries["rules"].data:
            return entries["rules"].data[key]
    raise KeyError(key)


def age_on(birth: date, on: date) -> int:
    """Age in whole years on the day ``on``."""
    return relativedelta(on, birth).years


def contact_interval_days(categories: Sequence[str], key_focus: bool, cat: Catalogues) -> int:
    """Days allowed between contacts: the strictest of the person's active categories."""
    active = {e.code: e for e in cat.entries("person_category")}
    intervals = [
        int(active[code].data["contact_interval_days"])
        for code in categories
        if code in active and "contact_interval_days" in active[code].data
    ]
    if key_focus:
        intervals.append(int(_setting(cat, "key_focus_contact_interval_days")))
    return min(intervals, default=int(_setting(cat, "default_contact_interval_days")))


@dataclass(frozen=True)
class ContactDue:
    interval_days: int
    last_contact: date | None
    due_on: date
    overdue_days: int


def contact_due(
    categories: Sequence[str],
    key_focus: bool,
    last_contact: date | None,
    registered_on: date,
    cat: Catalogues,
    today: date,
) -> ContactDue:
    """When the next contact is due, counted from the last one (or from registration)."""
    interval = contact_interval_days(categories, key_focus, cat)
    due_on = (last_contact or registered_on) + timedelta(days=interval)
    return ContactDue(
        interval_days=interval,
        last_contact=last_contact,
        due_on=due_on,
        overdue_days=max(0, (today - due_on).days),
    )


def life_event_deadline(event_kind: str, event_date: date, cat: Catalogues) -> date:
    """The last day for the visit a life event (六必访) requires."""
    entry = cat.get("life_event", event_kind, active_only=False)
    return event_date + timedelta(days=int(entry.data["visit_within_days"]))


def life_event_visit_kind(event_kind: str, cat: Catalogues) -> str:
    """The visit-kind code the visit due after this life event is recorded as."""
    return str(cat.get("life_event", event_kind, active_only=False).data["visit_kind"])


@dataclass(frozen=True)
class HolidayWindow:
    code: str
    name: str
    holiday_date: date
    start: date
    end: date


def holiday_window(code: str, year: int, cat: Catalogues) -> HolidayWindow:
    """The visiting window of a holiday; for lunar holidays ``year`` is the lunar year."""
    entry = cat.get("holiday", code)
    month, day = int(entry.data["month"]), int(entry.data["day"])
    if entry.data["calendar"] == "lunar":
        try:
            holiday = LunarDate(year, month, day).to_solar_date()
        except ValueError:
            # Day 30 of a 29-day lunar month: the month's last day (除夕 on 腊月廿九).
            if day != 30:
                raise
            holiday = LunarDate(year, month, 29).to_solar_date()
    else:
        holiday = date(year, month, day)
    return HolidayWindow(
        code=entry.code,
        name=entry.name,
        holiday_date=holiday,
        start=holiday - timedelta(days=int(entry.data["window_before_days"])),
        end=holiday + timedelta(days=int(entry.data["window_after_days"])),
    )


def active_holidays(today: date, cat: Catalogues) -> list[HolidayWindow]:
    """Holiday windows containing ``today``, earliest holiday first.

    Last, this and next year's holidays are tried, because a window can cross
    the new year: a long window before an early 春节 opens in December, and a
    late-December holiday's window runs into January.
    """
    found = {
        (window.code, window.holiday_date): window
        for entry in cat.entries("holiday")
        for year in (today.year - 1, today.year, today.year + 1)
        if (window := holiday_window(entry.code, year, cat)).start <= today <= window.end
    }
    return sorted(found.values(), key=lambda w: (w.holiday_date, w.code))


def is_priority(
    categories: Sequence[str],
    key_focus: bool,
    birth_date: date | None,
    cat: Catalogues,
    today: date,
) -> bool:
    """A priority person: a priority category, marked key focus, or old enough."""
    if key_focus:
        return True
    active = {e.code: e for e in cat.entries("person_category")}
    if any(code in active and active[code].data.get("priority") for code in categories):
        return True
    return birth_date is not None and age_on(birth_date, today) >= int(
        _setting(cat, "age_priority")
    )


def quarter_bounds(d: date) -> tuple[date, date]:
    """First and last day of the quarter containing ``d``."""
    start = date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    return start, start + relativedelta(months=3, days=-1)


def year_bounds(d: date) -> tuple[date, date]:
    """First and last day of the year containing ``d``."""
    return date(d.year, 1, 1), date(d.year, 12, 31)


def coverage_ratio(contacted: int, total: int) -> float:
    """Share of persons contacted, 0.0 when there is nobody."""
    return contacted / total if total else 0.0
