"""Visits, the home page's to-do queries and holiday campaigns' groups: reads in SQL, no Qt.

The list queries return ids in display order (filtered and sorted in SQL)
and rows by id in blocks, for the lazy table models. Writing a campaign and
its visits is a unit of work in :mod:`station_desktop.services.campaigns`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta

from station_desktop.domain import enums, rules
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import NotFoundError
from station_desktop.store.auth import operator_name  # noqa: F401 - re-exported
from station_desktop.store.db import Store, dict_rows, in_list, rows_by_id
from station_desktop.store.models import json_list

#: The visit kind a holiday campaign records (catalogue ``visit_kind``).
HOLIDAY_VISIT_KIND = "holiday"

# A campaign is usually set up before its holiday, so its dates may lie ahead.
CAMPAIGN_DAYS_AHEAD = 400


# --- reading helpers ----------------------------------------------------------


def _iso(d: date | str | None) -> str | None:
    return d.isoformat() if isinstance(d, date) else d


def as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


# --- periods ------------------------------------------------------------------

PERIODS: dict[str, str] = {"month": "本月", "quarter": "本季度", "year": "本年", "all": "全部"}


def period_bounds(period: str, today: date) -> tuple[date | None, date | None]:
    """First and last day of 本月 / 本季度 / 本年 containing ``today``; ``all`` is open."""
    if period == "month":
        start = today.replace(day=1)
        return start, start + relativedelta(months=1, days=-1)
    if period == "quarter":
        return rules.quarter_bounds(today)
    if period == "year":
        return rules.year_bounds(today)
    return None, None


# --- the visit list -----------------------------------------------------------


@dataclass(frozen=True)
class VisitFilter:
    start: date | None = None
    end: date | None = None
    kind: str | None = None
    operator_id: str | None = None
    person_id: str | None = None
    campaign_id: str | None = None


#: Sort keys the visit list offers, as SQL. Ties break on insertion order.
VISIT_SORT: dict[str, str] = {
    "visit_date": "v.visit_date",
    "name": "p.name",
    "kind": "v.kind",
    "method": "v.method",
    "visitor": "v.visitor",
    "content": "v.content",
    "money_fen": "v.money_fen",
}


def _visits_from(join_person: bool) -> str:
    """``FROM`` and the first condition: visits of live persons.

    Joining person costs a lookup per visit (3-4x slower at a county's scale),
    so unless the name is needed the few tombstoned persons are excluded as a set.
    """
    if join_person:
        return ("FROM visit v JOIN person p ON p.id = v.person_id WHERE p.deleted_at IS NULL")
    return ("FROM visit v WHERE v.person_id NOT IN "
            "(SELECT id FROM person NOT INDEXED WHERE deleted_at IS NOT NULL)")


def _visit_where(flt: VisitFilter) -> tuple[str, dict[str, Any]]:
    conds = ["v.deleted_at IS NULL"]
    params: dict[str, Any] = {}
    if flt.start is not None:
        conds.append("v.visit_date >= :start")
        params["start"] = _iso(flt.start)
    if flt.end is not None:
        conds.append("v.visit_date <= :end")
        params["end"] = _iso(flt.end)
    for name in ("kind", "operator_id", "person_id", "campaign_id"):
        value = getattr(flt, name)
        if value:
            conds.append(f"v.{name} = :{name}")
            params[name] = value
    return " AND ".join(conds), params


def visit_ids(store: Store, flt: VisitFilter, *, sort: str = "visit_date",
              desc: bool = True) -> list[str]:
    """Ids of the visits matching ``flt`` in display order."""
    where, params = _visit_where(flt)
    direction = "DESC" if desc else "ASC"
    order = VISIT_SORT.get(sort, VISIT_SORT["visit_date"])
    with store.raw_read() as con:
        return [r[0] for r in con.execute(
            f"SELECT v.id {_visits_from(sort == 'name')} AND {where} "
            f"ORDER BY {order} {direction}, v.rowid {direction}", params)]


def visit_summary(store: Store, flt: VisitFilter) -> dict[str, int]:
    """Number of visits, persons reached and money given under ``flt``."""
    where, params = _visit_where(flt)
    with store.raw_read() as con:
        n, persons, money = con.execute(
            "SELECT count(*), count(DISTINCT v.person_id), coalesce(sum(v.money_fen), 0) "
            f"{_visits_from(False)} AND {where}", params).fetchone()
    return {"visits": n, "persons": persons, "money_fen": money}


def visit_rows(store: Store, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The visit list's rows for ``ids`` (one block), keyed by id."""
    return rows_by_id(store, (
        "SELECT v.id, v.person_id, v.visit_date, v.kind, v.method, v.visitor, v.content, "
        "v.needs, v.gifts, v.money_fen, v.campaign_id, v.life_event_id, p.name "
        "FROM visit v JOIN person p ON p.id = v.person_id WHERE v.id IN {marks}"), ids)


def operator_choices(store: Store) -> list[tuple[str, str]]:
    """``(id, name)`` of this station's operators, for the 走访人 filter."""
    with store.raw_read() as con:
        return [(r[0], r[1]) for r in con.execute(
            "SELECT id, name FROM operator WHERE deleted_at IS NULL ORDER BY created_at")]


def _live_row(store: Store, sql: str, row_id: str, missing: NotFoundError) -> dict[str, Any]:
    """The one row of ``sql`` (which selects ``deleted_at`` by ``id = ?``); ``missing``
    is raised when there is none or it is in the recycle bin."""
    with store.raw_read() as con:
        rows = dict_rows(con.execute(sql, (row_id,)))
    if not rows or rows[0]["deleted_at"] is not None:
        raise missing
    return rows[0]


def person_brief(store: Store, person_id: str) -> dict[str, Any]:
    """What a visit dialog shows about the person: name, ID tail, phone, last contact."""
    row = _live_row(store, (
        "SELECT id, name, id_number, sex, birth_date, phone, categories, key_focus, "
        "last_contact_on, deleted_at FROM person WHERE id = ?"), person_id,
        NotFoundError(f"找不到人员（{person_id}），可能已被删除。",
                      hint="可在“设置→回收站”中查看和恢复。", code="not_found"))
    row["categories"] = json_list(row["categories"])
    return row


def life_event_brief(store: Store, event_id: str) -> dict[str, Any]:
    return _live_row(store, (
        "SELECT id, person_id, kind, event_date, visit_due_on, description, closed_on, "
        "deleted_at FROM life_event WHERE id = ?"), event_id,
        NotFoundError("找不到这条重大变故记录，可能已被删除。", code="not_found"))


# --- the home page ------------------------------------------------------------

def _first_rows(store: Store, table: str, select: str, where: str, order_by: str,
                params: dict[str, Any], limit: int | None) -> tuple[list[dict[str, Any]], int]:
    """The first ``limit`` rows (all when None) of ``select`` over ``where``, and how many
    rows of ``table`` match ``where`` in all (the home page shows "n more")."""
    with store.raw_read() as con:
        total = con.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
        rows = dict_rows(con.execute(
            f"{select} WHERE {where} ORDER BY {order_by} LIMIT :limit",
            {**params, "limit": -1 if limit is None else limit}))
    return rows, total


def overdue_cases(store: Store, today: date, *, limit: int | None = None
                  ) -> tuple[list[dict[str, Any]], int]:
    """Open dispute cases past their deadline (most overdue first), and how many there are."""
    marks, params = in_list("s", enums.OPEN_CASE_STATES)
    params["today"] = today.isoformat()
    rows, total = _first_rows(
        store, "dispute_case c", (
            "SELECT c.id, c.person_id, c.parties, c.case_type, c.urgency, c.level, c.state, "
            "c.registered_on, c.deadline, c.repeat_petition, p.name AS person_name "
            "FROM dispute_case c LEFT JOIN person p ON p.id = c.person_id"),
        f"c.deleted_at IS NULL AND c.state IN {marks} AND c.deadline < :today",
        "c.deadline, c.registered_on", params, limit)
    for r in rows:
        r["overdue_days"] = (today - date.fromisoformat(r["deadline"])).days
    return rows, total


def aid_waiting(store: Store, *, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """Aid applications waiting for a review, oldest first, with the level expected next."""
    marks, params = in_list("s", enums.WAITING_AID_STATES)
    rows, total = _first_rows(
        store, "aid_application a", (
            "SELECT a.id, a.person_id, a.aid_type, a.applied_on, a.requested_fen, a.state, "
            "p.name AS person_name FROM aid_application a JOIN person p ON p.id = a.person_id"),
        f"a.deleted_at IS NULL AND a.state IN {marks}", "a.applied_on, a.rowid", params, limit)
    for r in rows:
        level = enums.expected_review_level(enums.AidState(r["state"]))
        r["waiting_for"] = f"等待{level.label}级审核" if level else ""
        r["expected_level"] = level.value if level else None
    return rows, total


def list_campaigns(store: Store, *, today: date | None = None,
                   current_only: bool = False) -> list[dict[str, Any]]:
    """Campaigns with their progress (persons visited against planned), newest first.

    ``current_only`` keeps the ones not yet ended on ``today``.
    """
    params: dict[str, Any] = {}
    where = "c.deleted_at IS NULL"
    if current_only:
        assert today is not None
        where += " AND c.end_on >= :today"
        params["today"] = today.isoformat()
    with store.raw_read() as con:
        rows = dict_rows(con.execute(
            "SELECT c.id, c.holiday, c.year, c.name, c.start_on, c.end_on, c.planned, "
            "c.criteria, (SELECT count(DISTINCT v.person_id) FROM visit v "
            "  WHERE v.campaign_id = c.id AND v.deleted_at IS NULL) AS visited "
            f"FROM campaign c WHERE {where} ORDER BY c.start_on DESC, c.rowid DESC", params))
    for r in rows:
        r["criteria"] = json.loads(r["criteria"]) if isinstance(r["criteria"], str) else (
            r["criteria"] or {})
    return rows


class ReadsStation(Protocol):
    """What :func:`home_data` reads through (a StationReader or the Service)."""

    store: Store

    @property
    def today(self) -> date: ...

    def catalogues(self) -> Catalogues: ...


def home_data(svc: ReadsStation, *, limit: int = 20) -> dict[str, Any]:
    """Everything the 首页/待办 page shows, read on the worker in one go."""
    today = svc.today
    due = due_list_sql(svc.store, svc.catalogues(), today, limit=limit)
    cases, cases_total = overdue_cases(svc.store, today, limit=limit)
    aid, aid_total = aid_waiting(svc.store, limit=limit)
    return {
        **due,
        "overdue_cases": cases,
        "overdue_cases_total": cases_total,
        "aid_waiting": aid,
        "aid_waiting_total": aid_total,
        "campaigns": list_campaigns(svc.store, today=today, current_only=True),
    }


# --- the due list in SQL --------------------------------------------------------


def _has_category(codes: Sequence[str]) -> str:
    """SQL: ``person p`` holds one of ``codes`` (a substring test on the JSON array text).

    ``instr`` on the quoted code is exact for catalogue codes and far cheaper
    than ``json_each`` per row; both JSON spellings of a non-ASCII code are tried.
    """
    patterns: list[str] = []
    for code in codes:
        for pattern in (json.dumps(code), json.dumps(code, ensure_ascii=False)):
            if pattern not in patterns:
                patterns.append(pattern)
    if not patterns:
        return "0"
    # Codes are catalogue data: bind them as literals safely by doubling quotes.
    return "(" + " OR ".join(
        "instr(p.categories, '" + pat.replace("'", "''") + "') > 0" for pat in patterns) + ")"


def contact_interval_sql(cats: Catalogues) -> str:
    """SQL: the contact interval in days of ``person p``, as ``rules.contact_interval_days``.

    The strictest interval among the person's categories (and 重点关注)
    wins: the WHEN branches go from the shortest interval up; a person with
    no category interval and no key focus gets the default.
    """
    by_days: dict[int, list[str]] = {}
    for e in cats.entries("person_category"):
        if "contact_interval_days" in e.data:
            by_days.setdefault(int(e.data["contact_interval_days"]), []).append(e.code)
    key_focus = int(rules._setting(cats, "key_focus_contact_interval_days"))
    default = int(rules._setting(cats, "default_contact_interval_days"))
    whens = []
    for days in sorted(set(by_days) | {key_focus}):
        conds = []
        if days == key_focus:
            conds.append("p.key_focus = 1")
        if by_days.get(days):
            conds.append(_has_category(by_days[days]))
        whens.append(f"WHEN {' OR '.join(conds)} THEN {days}")
    return f"(CASE {' '.join(whens)} ELSE {default} END)"


def _priority_sql(cats: Catalogues) -> str:
    """SQL: ``person p`` is in a priority group whatever the age (``rules.is_priority``)."""
    codes = [e.code for e in cats.entries("person_category") if e.data.get("priority")]
    return f"(p.key_focus = 1 OR {_has_category(codes)})"


# ``NOT INDEXED``: a filter on ``deleted_at IS NULL`` alone makes SQLite walk the
# partial index uq_person_live_id_number and fetch each row out of order, 4-10x
# slower than reading the table straight through (measured in bench_home.py).
_LIVE_PERSONS = "FROM person p NOT INDEXED WHERE p.deleted_at IS NULL"


def due_list_sql(store: Store, cats: Catalogues, today: date, *,
                 limit: int | None = None) -> dict[str, Any]:
    """``Service.due_list`` computed in SQL: the same result, without a Python loop per person.

    The service reads every person into Python (0.8 s at 100 000 persons,
    1.4 s inside a holiday window); here SQLite reads the roster once
    straight through, computing each person's interval with the catalogue's
    rules turned into one CASE expression, and sorts only the overdue ones.
    """
    holidays = rules.active_holidays(today, cats)
    q_start, q_end = rules.quarter_bounds(today)
    age_cut = today - relativedelta(years=int(rules._setting(cats, "age_priority")))
    lim = -1 if limit is None else max(limit, 1)
    days = contact_interval_sql(cats)
    with store.raw_read() as con:
        overdue = dict_rows(con.execute(
            f"SELECT p.id AS person_id, p.name, p.phone, p.last_contact_on, "
            f"date(coalesce(p.last_contact_on, p.registered_on), '+' || {days} || ' days') "
            f"AS due_on, count(*) OVER () AS total {_LIVE_PERSONS} "
            f"AND date(coalesce(p.last_contact_on, p.registered_on), '+' || {days} || ' days')"
            " < :today ORDER BY due_on, p.name LIMIT :lim",
            {"today": today.isoformat(), "lim": lim}))
        total = overdue[0]["total"] if overdue else 0
        # Counting the live persons is an index-only walk of the partial index.
        persons = con.execute("SELECT count(*) FROM person WHERE deleted_at IS NULL").fetchone()[0]
        # Persons with a live visit this quarter, less those since deleted (few).
        q = {"a": q_start.isoformat(), "b": q_end.isoformat()}
        reached = con.execute(
            "SELECT count(DISTINCT person_id) FROM visit "
            "WHERE deleted_at IS NULL AND visit_date BETWEEN :a AND :b", q).fetchone()[0]
        reached -= con.execute(
            "SELECT count(*) FROM person p NOT INDEXED WHERE p.deleted_at IS NOT NULL AND EXISTS ("
            " SELECT 1 FROM visit v WHERE v.person_id = p.id AND v.deleted_at IS NULL"
            " AND v.visit_date BETWEEN :a AND :b)", q).fetchone()[0]
        events = dict_rows(con.execute(
            "SELECT e.id AS event_id, e.person_id, p.name, p.phone, e.kind, e.event_date, "
            "e.visit_due_on FROM life_event e JOIN person p ON p.id = e.person_id "
            "WHERE e.closed_on IS NULL AND e.deleted_at IS NULL AND p.deleted_at IS NULL "
            "ORDER BY e.visit_due_on, p.name"))
        holiday_rows = []
        for w in holidays:
            h_rows = dict_rows(con.execute(
                f"SELECT p.id AS person_id, p.name, count(*) OVER () AS total {_LIVE_PERSONS} "
                f"AND ({_priority_sql(cats)} OR p.birth_date <= :born_by) "
                "AND NOT EXISTS (SELECT 1 FROM visit v WHERE v.person_id = p.id "
                " AND v.deleted_at IS NULL AND v.visit_date BETWEEN :a AND :b) "
                "ORDER BY p.name LIMIT :lim",
                {"a": w.start.isoformat(), "b": w.end.isoformat(),
                 "born_by": age_cut.isoformat(), "lim": lim}))
            h_total = h_rows[0]["total"] if h_rows else 0
            for r in h_rows:
                del r["total"]
            holiday_rows.append({
                "code": w.code, "name": w.name, "start": w.start, "end": w.end,
                "holiday_date": w.holiday_date,
                "not_yet_visited": h_rows if limit != 0 else [],
                "not_yet_visited_total": h_total})
    for r in overdue:
        del r["total"]
        r["due_on"] = as_date(r["due_on"])
        r["last_contact_on"] = as_date(r["last_contact_on"])
        r["overdue_days"] = (today - r["due_on"]).days
    if limit == 0:
        overdue = []
    # The service orders by most overdue first, then name: the same as due_on, name.
    return {
        "today": today,
        "overdue_contacts": overdue,
        "overdue_total": total,
        "life_events_due": [
            {**e, "kind_label": cats.name("life_event", e["kind"]),
             "event_date": as_date(e["event_date"]), "visit_due_on": as_date(e["visit_due_on"]),
             "overdue": as_date(e["visit_due_on"]) < today}  # type: ignore[operator]
            for e in events
        ],
        "holidays": holiday_rows,
        "coverage": {"quarter_start": q_start, "quarter_end": q_end, "contacted": reached,
                     "total": persons, "ratio": rules.coverage_ratio(reached, persons)},
    }


# --- holiday campaigns: the group ---------------------------------------------


@dataclass(frozen=True)
class GroupCriteria:
    """Who a holiday campaign visits. Empty criteria mean everybody on the roster.

    ``match_all`` False: anyone meeting one of the conditions (the usual
    春节 list: 残疾军人, 烈属 *and* everyone over 70); True: all of them.
    ``priority`` is the catalogue's priority groups (priority categories,
    重点关注, and the priority age). Ages are counted on ``age_on``.
    """

    categories: tuple[str, ...] = ()
    min_age: int | None = None
    key_focus: bool = False
    priority: bool = False
    match_all: bool = False
    age_on: date | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.categories:
            out["categories"] = list(self.categories)
        if self.min_age:
            out["min_age"] = self.min_age
        if self.key_focus:
            out["key_focus"] = True
        if self.priority:
            out["priority"] = True
        if self.match_all:
            out["match"] = "all"
        if self.age_on:
            out["age_on"] = self.age_on.isoformat()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> GroupCriteria:
        data = data or {}
        return cls(
            categories=tuple(data.get("categories") or ()),
            min_age=int(data["min_age"]) if data.get("min_age") else None,
            key_focus=bool(data.get("key_focus")),
            priority=bool(data.get("priority")),
            match_all=data.get("match") == "all",
            age_on=as_date(data.get("age_on")),
        )

    def describe(self, cats: Catalogues) -> str:
        """The group in words, e.g. “残疾军人、烈士遗属 或 年满70周岁”."""
        parts = []
        if self.categories:
            parts.append("、".join(cats.name("person_category", c) for c in self.categories))
        if self.min_age:
            parts.append(f"年满{self.min_age}周岁")
        if self.key_focus:
            parts.append("重点关注对象")
        if self.priority:
            parts.append("优抚重点对象")
        if not parts:
            return "全体人员"
        return (" 且 " if self.match_all else " 或 ").join(parts)


def _born_by(on: date, years: int) -> str:
    """Latest birth date of someone at least ``years`` old on ``on``."""
    return (on - relativedelta(years=years)).isoformat()


def criteria_sql(crit: GroupCriteria, cats: Catalogues, on: date) -> tuple[str, dict[str, Any]]:
    """An SQL condition on ``person p`` for the group, and its parameters."""
    on = crit.age_on or on
    conds: list[str] = []
    params: dict[str, Any] = {}
    if crit.categories:
        conds.append(_has_category(crit.categories))
    if crit.min_age:
        conds.append("p.birth_date <= :g_born_by")
        params["g_born_by"] = _born_by(on, crit.min_age)
    if crit.key_focus:
        conds.append("p.key_focus = 1")
    if crit.priority:
        params["g_prio_born_by"] = _born_by(on, int(rules._setting(cats, "age_priority")))
        conds.append(f"({_priority_sql(cats)} OR p.birth_date <= :g_prio_born_by)")
    if not conds:
        return "1", params
    return "(" + (" AND " if crit.match_all else " OR ").join(conds) + ")", params


def count_matching(store: Store, crit: GroupCriteria, cats: Catalogues, on: date) -> int:
    """How many live persons the group holds (the campaign dialog's live count)."""
    cond, params = criteria_sql(crit, cats, on)
    with store.raw_read() as con:
        return int(con.execute(
            f"SELECT count(*) FROM person p NOT INDEXED WHERE p.deleted_at IS NULL AND {cond}",
            params).fetchone()[0])


def matching_person_ids(store: Store, crit: GroupCriteria, cats: Catalogues, on: date
                        ) -> list[str]:
    """The group's live persons, ordered by name."""
    cond, params = criteria_sql(crit, cats, on)
    with store.raw_read() as con:
        return [r[0] for r in con.execute(
            f"SELECT p.id FROM person p NOT INDEXED WHERE p.deleted_at IS NULL AND {cond} "
            "ORDER BY p.name, p.id", params)]


def next_holiday_window(code: str, today: date, cats: Catalogues) -> rules.HolidayWindow:
    """The window of the holiday's current or next occurrence (the one not yet over)."""
    for year in range(today.year - 1, today.year + 3):
        w = rules.holiday_window(code, year, cats)
        if w.end >= today:
            return w
    raise AssertionError("a yearly holiday recurs within two years")  # pragma: no cover


# --- holiday campaigns: what is left to do -------------------------------------


def campaign_remaining_ids(store: Store, campaign_id: str, cats: Catalogues,
                           today: date) -> list[str]:
    """The campaign's group minus the persons already visited in it, ordered by name."""
    with store.raw_read() as con:
        rows = dict_rows(con.execute(
            "SELECT start_on, criteria FROM campaign WHERE id = ? AND deleted_at IS NULL",
            (campaign_id,)))
        if not rows:
            raise NotFoundError("找不到这个慰问活动，可能已被删除。", code="not_found")
        data = rows[0]["criteria"]
        crit = GroupCriteria.from_json(json.loads(data) if isinstance(data, str) else data)
        on = crit.age_on or as_date(rows[0]["start_on"]) or today
        cond, params = criteria_sql(crit, cats, on)
        return [r[0] for r in con.execute(
            f"SELECT p.id FROM person p NOT INDEXED WHERE p.deleted_at IS NULL AND {cond} "
            "AND p.id NOT IN (SELECT person_id FROM visit "
            " WHERE campaign_id = :cid AND deleted_at IS NULL) ORDER BY p.name, p.id",
            {**params, "cid": campaign_id})]


def person_rows(store: Store, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Short person rows (name, sex, birth, categories, phone, last contact) by id."""
    rows = rows_by_id(store, (
        "SELECT id, name, sex, birth_date, phone, categories, key_focus, last_contact_on "
        "FROM person WHERE id IN {marks}"), ids)
    for r in rows.values():
        r["categories"] = json_list(r["categories"])
    return rows
