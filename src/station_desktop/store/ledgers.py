"""List queries and totals for the ledgers: aid, cases, honours, volunteers.

Each list has an ``*_ids`` query (filtered and sorted in SQL, returning only
ids, cheap even over a county's data) and a ``*_rows`` loader that reads a
block of rows by id with the names a list shows. Plain SQL in short read
transactions; no Qt. Dates arrive as ISO text, money as integer fen, service
time as integer minutes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import text

from station_desktop.domain import enums
from station_desktop.store.auth import operator_name  # noqa: F401 - re-exported
from station_desktop.store.db import Store, rows_by_id, sql_in
from station_desktop.store.stats import OPEN_IN

Row = dict[str, Any]


def hours_text(minutes: int | None) -> str:
    """Minutes as hours with one decimal, rounded half up: ``90`` -> ``"1.5 小时"``."""
    hours = (Decimal(int(minutes or 0)) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{hours} 小时"


def _order(sort: str | None, desc: bool, columns: Mapping[str, str], default: str) -> str:
    """An ORDER BY clause from a whitelist (never user text in SQL); id breaks ties."""
    expr = columns.get(sort or "", columns[default])
    direction = "DESC" if desc else "ASC"
    return f" ORDER BY {expr} {direction}, t.id {direction}"


def _ids(store: Store, sql: str, params: Mapping[str, Any]) -> list[str]:
    with store.read() as s:
        return list(s.execute(text(sql), dict(params)).scalars())


def _equal(sql: str, **filters: Any) -> tuple[str, dict[str, Any]]:
    """``sql`` narrowed by ``t.<column> = <value>`` for each filter given (a blank one
    does not filter), and the parameters that go with it."""
    given = {column: value for column, value in filters.items() if value}
    return sql + "".join(f" AND t.{c} = :{c}" for c in given), given


# --- aid (帮扶援助) ------------------------------------------------------------

AID_SORT = {
    "person_name": "p.name",
    "aid_type": "t.aid_type",
    "fund": "t.fund",
    "applied_on": "t.applied_on",
    "requested_fen": "t.requested_fen",
    "approved_fen": "t.approved_fen",
    "paid_fen": "(SELECT coalesce(sum(amount_fen), 0) FROM aid_payment y "
                "WHERE y.application_id = t.id AND y.deleted_at IS NULL)",
    "state": "t.state",
    "waiting_level": "t.state",
}


def aid_ids(store: Store, *, year: int | None = None, state: str | None = None,
            aid_type: str | None = None, person_id: str | None = None,
            sort: str | None = "applied_on", desc: bool = True) -> list[str]:
    """Live aid applications matching the filters, sorted."""
    sql, params = _equal("SELECT t.id FROM aid_application t JOIN person p "
                         "ON p.id = t.person_id WHERE t.deleted_at IS NULL",
                         state=state, aid_type=aid_type, person_id=person_id)
    if year is not None:
        sql += " AND t.applied_on BETWEEN :start AND :end"
        params |= {"start": f"{year:04d}-01-01", "end": f"{year:04d}-12-31"}
    return _ids(store, sql + _order(sort, desc, AID_SORT, "applied_on"), params)


def aid_rows(store: Store, ids: Sequence[str]) -> dict[str, Row]:
    return rows_by_id(store, (
        "SELECT t.id, t.person_id, p.name AS person_name, t.aid_type, t.fund, t.hardship_kind, "
        "t.hardship_state, t.cause, t.measures, t.helper, t.applied_on, t.requested_fen, "
        "t.approved_fen, t.state, "
        "(SELECT coalesce(sum(amount_fen), 0) FROM aid_payment y "
        " WHERE y.application_id = t.id AND y.deleted_at IS NULL) AS paid_fen "
        "FROM aid_application t JOIN person p ON p.id = t.person_id WHERE t.id IN {marks}"), ids)


def aid_years(store: Store) -> list[int]:
    """Years that have applications, newest first."""
    with store.read() as s:
        years = s.execute(text(
            "SELECT DISTINCT substr(applied_on, 1, 4) FROM aid_application "
            "WHERE deleted_at IS NULL ORDER BY 1 DESC")).scalars()
        return [int(y) for y in years if y]


def aid_totals(store: Store, year: int) -> Row:
    """A year's applications (count, requested) and payments (paid), overall and by aid type.

    Applications count by their application date, payments by their payment
    date, so money paid in January for a December application counts in the
    year it left the account.
    """
    start, end = f"{year:04d}-01-01", f"{year:04d}-12-31"
    by_type: dict[str, Row] = {}
    with store.read() as s:
        for aid_type, n, requested in s.execute(text(
                "SELECT aid_type, count(*), coalesce(sum(requested_fen), 0) "
                "FROM aid_application WHERE deleted_at IS NULL "
                "AND applied_on BETWEEN :a AND :b GROUP BY aid_type"), {"a": start, "b": end}):
            by_type[aid_type] = {"aid_type": aid_type, "count": n, "requested_fen": requested,
                                 "paid_fen": 0}
        for aid_type, paid in s.execute(text(
                "SELECT a.aid_type, coalesce(sum(y.amount_fen), 0) FROM aid_payment y "
                "JOIN aid_application a ON a.id = y.application_id "
                "WHERE y.deleted_at IS NULL AND a.deleted_at IS NULL "
                "AND y.paid_on BETWEEN :a AND :b GROUP BY a.aid_type"), {"a": start, "b": end}):
            by_type.setdefault(aid_type, {"aid_type": aid_type, "count": 0, "requested_fen": 0,
                                          "paid_fen": 0})["paid_fen"] = paid
        waiting = s.execute(text(
            "SELECT count(*) FROM aid_application WHERE deleted_at IS NULL "
            f"AND state IN {sql_in(enums.WAITING_AID_STATES)}")).scalar() or 0
    rows = sorted(by_type.values(), key=lambda r: (-r["count"], r["aid_type"]))
    return {
        "year": year,
        "count": sum(r["count"] for r in rows),
        "requested_fen": sum(r["requested_fen"] for r in rows),
        "paid_fen": sum(r["paid_fen"] for r in rows),
        "by_type": rows,
        "waiting_review": int(waiting),
    }


def aid_detail(store: Store, application_id: str) -> Row:
    """An application with its review path (oldest first) and its payments."""
    with store.read() as s:
        app = s.execute(text(
            "SELECT t.*, p.name AS person_name FROM aid_application t "
            "JOIN person p ON p.id = t.person_id WHERE t.id = :id"),
            {"id": application_id}).mappings().first()
        reviews = s.execute(text(
            "SELECT id, level, decision, reviewer, reviewed_on, opinion, amount_fen "
            "FROM aid_review WHERE application_id = :id AND deleted_at IS NULL "
            "ORDER BY created_at, id"), {"id": application_id}).mappings().all()
        payments = s.execute(text(
            "SELECT id, paid_on, amount_fen, in_kind_fen, in_kind, fund, payer, note "
            "FROM aid_payment WHERE application_id = :id AND deleted_at IS NULL "
            "ORDER BY paid_on, created_at"), {"id": application_id}).mappings().all()
    return {
        "application": dict(app) if app else None,
        "reviews": [dict(r) for r in reviews],
        "payments": [dict(p) for p in payments],
    }


# --- disputes and petitions (矛盾纠纷) -----------------------------------------

CASE_SORT = {
    "registered_on": "t.registered_on",
    "parties": "t.parties",
    "case_type": "t.case_type",
    "channel": "t.channel",
    "level": "CASE t.level WHEN 'village' THEN 0 WHEN 'town' THEN 1 ELSE 2 END",
    "state": "t.state",
    "deadline": "t.deadline",
    "repeat_petition": "t.repeat_petition",
    "urgency": "CASE t.urgency WHEN 'normal' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END",
}


def case_ids(store: Store, *, today: date, state: str | None = None, level: str | None = None,
             overdue_only: bool = False, open_only: bool = False,
             sort: str | None = "registered_on", desc: bool = True) -> list[str]:
    """Live cases matching the filters. Overdue: still open and past its deadline."""
    sql, params = _equal("SELECT t.id FROM dispute_case t WHERE t.deleted_at IS NULL",
                         state=state, level=level)
    if overdue_only or open_only:
        sql += f" AND t.state IN {OPEN_IN}"
    if overdue_only:
        sql += " AND t.deadline < :today"
        params["today"] = today.isoformat()
    return _ids(store, sql + _order(sort, desc, CASE_SORT, "registered_on"), params)


def case_rows(store: Store, ids: Sequence[str]) -> dict[str, Row]:
    return rows_by_id(store, (
        "SELECT t.id, t.person_id, p.name AS person_name, t.parties, t.registrar, t.channel, "
        "t.case_type, t.urgency, t.registered_on, t.deadline, t.content, t.repeat_petition, "
        "t.level, t.state, t.outcome, t.resolved_level, t.closed_on, t.satisfaction, "
        "(SELECT count(*) FROM case_step c WHERE c.case_id = t.id AND c.deleted_at IS NULL) "
        " AS steps FROM dispute_case t LEFT JOIN person p ON p.id = t.person_id "
        "WHERE t.id IN {marks}"), ids)


def is_case_overdue(row: Mapping[str, Any], today: date) -> bool:
    deadline = row.get("deadline")
    if deadline is None or row.get("state") not in enums.OPEN_CASE_STATES:
        return False
    return str(deadline) < today.isoformat()


def case_steps(store: Store, case_id: str) -> list[Row]:
    """A case's mediation steps, oldest first."""
    with store.read() as s:
        return [dict(r) for r in s.execute(text(
            "SELECT id, step_on, action, from_level, to_level, handler, note FROM case_step "
            "WHERE case_id = :id AND deleted_at IS NULL ORDER BY step_on, created_at, id"),
            {"id": case_id}).mappings()]


def case_counts(store: Store, today: date) -> Row:
    """Open, overdue and repeat-petition counts for the page header."""
    with store.read() as s:
        row = s.execute(text(
            "SELECT count(*), "
            "coalesce(sum(deadline < :today), 0), "
            "coalesce(sum(repeat_petition), 0), "
            "coalesce(sum(level != 'village'), 0) "
            "FROM dispute_case WHERE deleted_at IS NULL "
            f"AND state IN {OPEN_IN}"),
            {"today": today.isoformat()}).one()
        year = s.execute(text(
            "SELECT count(*), coalesce(sum(state IN ('closed', 'revisited') "
            "AND coalesce(resolved_level, level) = 'village'), 0), "
            "coalesce(sum(state IN ('closed', 'revisited')), 0) "
            "FROM dispute_case WHERE deleted_at IS NULL AND registered_on >= :start"),
            {"start": f"{today.year:04d}-01-01"}).one()
    return {"open": row[0], "overdue": row[1], "repeat": row[2], "above_village": row[3],
            "year_total": year[0], "year_closed_in_village": year[1], "year_closed": year[2]}


# --- honours (荣誉褒扬) --------------------------------------------------------

HONOUR_SORT = {
    "person_name": "p.name",
    "kind": "t.kind",
    "title": "t.title",
    "award_type": "t.award_type",
    "state": "t.state",
    "applied_on": "t.applied_on",
    "deadline": "t.deadline",
    "done_on": "t.done_on",
    "deliverer": "t.deliverer",
}


def honour_ids(store: Store, *, kind: str | None = None, state: str | None = None,
               sort: str | None = "applied_on", desc: bool = True) -> list[str]:
    sql, params = _equal("SELECT t.id FROM honour t JOIN person p ON p.id = t.person_id "
                         "WHERE t.deleted_at IS NULL", kind=kind, state=state)
    return _ids(store, sql + _order(sort, desc, HONOUR_SORT, "applied_on"), params)


def honour_rows(store: Store, ids: Sequence[str]) -> dict[str, Row]:
    return rows_by_id(store, (
        "SELECT t.id, t.person_id, p.name AS person_name, t.kind, t.title, t.award_unit, "
        "t.award_type, t.awarded_on, t.state, t.applied_on, t.done_on, t.deadline, t.address, "
        "t.recipient, t.deliverer, t.feedback "
        "FROM honour t JOIN person p ON p.id = t.person_id WHERE t.id IN {marks}"), ids)


def honour_counts(store: Store) -> Row:
    """What is still to do: plaques to hang, notices to collect or deliver."""
    with store.read() as s:
        counts = {(k, st): n for k, st, n in s.execute(text(
            "SELECT kind, state, count(*) FROM honour WHERE deleted_at IS NULL "
            "GROUP BY kind, state"))}
    plaque, notice = enums.HonourKind.PLAQUE.value, enums.HonourKind.NOTICE.value
    S = enums.HonourState
    return {
        "plaque_to_hang": counts.get((plaque, S.APPLIED.value), 0),
        "notice_to_collect": counts.get((notice, S.TO_COLLECT.value), 0),
        "notice_to_deliver": counts.get((notice, S.TO_DELIVER.value), 0),
        "plaques_hung": counts.get((plaque, S.HUNG.value), 0)
        + counts.get((plaque, S.REPLACED.value), 0),
        "notices_delivered": counts.get((notice, S.DELIVERED.value), 0),
    }


# --- volunteers (志愿服务) -----------------------------------------------------

# Minutes count only where the hours row, its activity and its member are all live.
_LIVE_HOURS = ("FROM volunteer_hours h "
               "JOIN volunteer_activity a ON a.id = h.activity_id AND a.deleted_at IS NULL "
               "JOIN volunteer_member m ON m.id = h.member_id AND m.deleted_at IS NULL "
               "WHERE h.deleted_at IS NULL")

TEAM_SORT = {
    "name": "t.name",
    "leader": "t.leader",
    "organisation": "t.organisation",
    "founded_on": "t.founded_on",
    "members": "(SELECT count(*) FROM volunteer_member m WHERE m.team_id = t.id "
               "AND m.deleted_at IS NULL AND m.left_on IS NULL)",
    "minutes": f"(SELECT coalesce(sum(h.minutes), 0) {_LIVE_HOURS} AND a.team_id = t.id)",
}


def team_ids(store: Store, *, sort: str | None = "name", desc: bool = False) -> list[str]:
    return _ids(store, "SELECT t.id FROM volunteer_team t WHERE t.deleted_at IS NULL"
                + _order(sort, desc, TEAM_SORT, "name"), {})


def team_rows(store: Store, ids: Sequence[str]) -> dict[str, Row]:
    return rows_by_id(store, (
        "SELECT t.id, t.name, t.organisation, t.leader, t.founded_on, t.note, "
        f"{TEAM_SORT['members']} AS members, {TEAM_SORT['minutes']} AS minutes, "
        "(SELECT count(*) FROM volunteer_activity a WHERE a.team_id = t.id "
        " AND a.deleted_at IS NULL) AS activities "
        "FROM volunteer_team t WHERE t.id IN {marks}"), ids)


MEMBER_SORT = {
    "name": "t.name",
    "phone": "t.phone",
    "joined_on": "t.joined_on",
    "left_on": "t.left_on",
    "minutes": f"(SELECT coalesce(sum(h.minutes), 0) {_LIVE_HOURS} AND h.member_id = t.id)",
    "activities": f"(SELECT count(DISTINCT h.activity_id) {_LIVE_HOURS} AND h.member_id = t.id)",
}


def member_ids(store: Store, team_id: str, *, sort: str | None = "joined_on",
               desc: bool = False) -> list[str]:
    return _team_ids(store, "volunteer_member", team_id,
                     _order(sort, desc, MEMBER_SORT, "joined_on"))


def _team_ids(store: Store, table: str, team_id: str, order_by: str) -> list[str]:
    """Live rows of ``table`` (members or activities) that belong to the team."""
    return _ids(store, f"SELECT t.id FROM {table} t WHERE t.deleted_at IS NULL "
                "AND t.team_id = :team" + order_by, {"team": team_id})


def member_rows(store: Store, ids: Sequence[str]) -> dict[str, Row]:
    return rows_by_id(store, (
        "SELECT t.id, t.team_id, t.person_id, t.name, t.phone, t.joined_on, t.left_on, "
        f"{MEMBER_SORT['minutes']} AS minutes, {MEMBER_SORT['activities']} AS activities "
        "FROM volunteer_member t WHERE t.id IN {marks}"), ids)


ACTIVITY_SORT = {
    "held_on": "t.held_on",
    "title": "t.title",
    "place": "t.place",
    "participants": f"(SELECT count(*) {_LIVE_HOURS} AND h.activity_id = t.id)",
    "minutes": f"(SELECT coalesce(sum(h.minutes), 0) {_LIVE_HOURS} AND h.activity_id = t.id)",
}


def activity_ids(store: Store, team_id: str, *, sort: str | None = "held_on",
                 desc: bool = True) -> list[str]:
    return _team_ids(store, "volunteer_activity", team_id,
                     _order(sort, desc, ACTIVITY_SORT, "held_on"))


def activity_rows(store: Store, ids: Sequence[str]) -> dict[str, Row]:
    return rows_by_id(store, (
        "SELECT t.id, t.team_id, t.title, t.held_on, t.place, t.description, "
        f"{ACTIVITY_SORT['participants']} AS participants, "
        f"{ACTIVITY_SORT['minutes']} AS minutes "
        "FROM volunteer_activity t WHERE t.id IN {marks}"), ids)


def activity_hours(store: Store, activity_id: str) -> list[Row]:
    """Every member of the activity's team (current ones, and past ones with hours here),
    with the minutes already recorded for this activity (0 when none)."""
    with store.read() as s:
        team_id = s.execute(text("SELECT team_id FROM volunteer_activity WHERE id = :id"),
                            {"id": activity_id}).scalar()
        return [dict(r) for r in s.execute(text(
            "SELECT m.id AS member_id, m.name, m.left_on, h.id AS hours_id, "
            "coalesce(h.minutes, 0) AS minutes FROM volunteer_member m "
            "LEFT JOIN volunteer_hours h ON h.member_id = m.id AND h.activity_id = :act "
            " AND h.deleted_at IS NULL "
            "WHERE m.team_id = :team AND m.deleted_at IS NULL "
            "AND (m.left_on IS NULL OR h.id IS NOT NULL) ORDER BY m.joined_on, m.name"),
            {"act": activity_id, "team": team_id}).mappings()]


def volunteer_totals(store: Store) -> Row:
    with store.read() as s:
        teams, members = s.execute(text(
            "SELECT (SELECT count(*) FROM volunteer_team WHERE deleted_at IS NULL), "
            "(SELECT count(*) FROM volunteer_member m JOIN volunteer_team t ON t.id = m.team_id "
            " WHERE m.deleted_at IS NULL AND t.deleted_at IS NULL AND m.left_on IS NULL)")).one()
        minutes = s.execute(text(
            f"SELECT coalesce(sum(h.minutes), 0) {_LIVE_HOURS} AND a.team_id IN "
            "(SELECT id FROM volunteer_team WHERE deleted_at IS NULL)")).scalar() or 0
    return {"teams": teams, "members": members, "minutes": int(minutes)}
