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


# --- the whole due list, in plain Python ------------------------------------------
#
# The program computes the due list in SQL (store/visits.py: one pass over the
# roster). This is the same list written straight from the rules above, person
# by person; tests/store/test_due_list.py checks the SQL against it on
# generated rosters, so the SQL cannot drift from the catalogue's rules.


@dataclass(frozen=True)
class PersonFacts:
    id: str
    name: str
    categories: tuple[str, ...]
    key_focus: bool
    birth_date: date | None
    registered_on: date
    last_contact_on: date | None
    deleted: bool = False


@dataclass(frozen=True)
class VisitFacts:
    person_id: str
    visit_date: date
    deleted: bool = False


@dataclass(frozen=True)
class EventFacts:
    id: str
    person_id: str
    kind: str
    event_date: date
    closed: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class DueList:
    overdue: list[tuple[str, date, int]]  # (person, due on, days overdue), most overdue first
    events: list[tuple[str, date]]  # (open life event, visit deadline), earliest deadline first
    holidays: list[tuple[str, date, list[str]]]  # (holiday, its date, priority persons not seen)
    contacted: int  # live persons with a live visit this quarter
    persons: int  # live persons


def due_list(persons: Sequence[PersonFacts], visits: Sequence[VisitFacts],
             events: Sequence[EventFacts], cat: Catalogues, today: date) -> DueList:
    """The to-do list of ``today``: overdue contacts, 六必访 due, holiday visits, coverage."""
    live = {p.id: p for p in persons if not p.deleted}
    seen_on: dict[str, list[date]] = {}
    for v in visits:
        if not v.deleted:
            seen_on.setdefault(v.person_id, []).append(v.visit_date)
    overdue = []
    for p in live.values():
        due = contact_due(p.categories, p.key_focus, p.last_contact_on, p.registered_on, cat,
                          today)
        if due.due_on < today:
            overdue.append((due.due_on, p.name, p.id, due.overdue_days))
    open_events = sorted(
        (life_event_deadline(e.kind, e.event_date, cat), live[e.person_id].name, e.id)
        for e in events if not (e.closed or e.deleted) and e.person_id in live)
    holidays = []
    for w in active_holidays(today, cat):
        waiting = sorted(
            (p.name, p.id) for p in live.values()
            if is_priority(p.categories, p.key_focus, p.birth_date, cat, today)
            and not any(w.start <= d <= w.end for d in seen_on.get(p.id, ())))
        holidays.append((w.code, w.holiday_date, [pid for _n, pid in waiting]))
    q_start, q_end = quarter_bounds(today)
    contacted = sum(1 for pid in live if any(q_start <= d <= q_end for d in seen_on.get(pid, ())))
    return DueList(
        overdue=[(pid, due_on, days) for due_on, _n, pid, days in sorted(overdue)],
        events=[(eid, deadline) for deadline, _n, eid in open_events],
        holidays=holidays, contacted=contacted, persons=len(live),
    )
