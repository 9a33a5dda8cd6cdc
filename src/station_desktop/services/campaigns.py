"""Holiday campaigns (春节, 八一 ...): a campaign and its visits for a whole group at once.

A run records one visit per person in ONE write transaction on the plain
sqlite3 connection (``executemany`` in blocks of :data:`CHUNK`): the capture
triggers still log every row, what follows from each visit (last contact,
the life events it answers) is :mod:`station_desktop.services.visit_rules`,
the same rules as a single visit through :class:`Service`, and a cancelled
or failed run rolls back completely. Who is in the group is read in
:mod:`station_desktop.store.visits`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from station_desktop.domain import enums
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import NotFoundError, StationError
from station_desktop.domain.progress import Progress, check, tick
from station_desktop.domain.validate import refuse_end_before_start
from station_desktop.services.station import Service
from station_desktop.services.visit_rules import WrittenVisit, visits_written
from station_desktop.store.db import dict_rows, in_list
from station_desktop.store.fields import clean_record
from station_desktop.store.models import new_id, utc_now
from station_desktop.store.visits import (
    CAMPAIGN_DAYS_AHEAD,
    HOLIDAY_VISIT_KIND,
    GroupCriteria,
    criteria_sql,
)

#: Rows written per ``executemany`` between progress reports and cancel checks.
CHUNK = 500

CANCELLED = "已取消，没有记录任何走访。"


def clean_campaign(values: Mapping[str, Any], cats: Catalogues, today: date) -> dict[str, Any]:
    """The campaign's fields, validated like every record; its dates may lie ahead."""
    clean = clean_record("campaign", values, cats,
                         today=today + timedelta(days=CAMPAIGN_DAYS_AHEAD))
    refuse_end_before_start(clean["start_on"], clean["end_on"])
    return clean


def _meta(con: sqlite3.Connection, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _station_code(con: sqlite3.Connection) -> str:
    code = _meta(con, "station_code")
    if code is None:
        raise StationError("本机还没有设置服务站。", code="not_initialised")
    return code


def _insert_campaign(con: sqlite3.Connection, operator_id: str | None,
                     clean: Mapping[str, Any], criteria: GroupCriteria, planned: int
                     ) -> dict[str, Any]:
    now = utc_now()
    row = {
        "id": new_id(), "station_code": _station_code(con), "created_at": now,
        "updated_at": now, "updated_by": operator_id, "deleted_at": None,
        "holiday": clean["holiday"], "year": clean["year"], "name": clean["name"],
        "start_on": clean["start_on"].isoformat(), "end_on": clean["end_on"].isoformat(),
        "criteria": json.dumps(criteria.to_json(), ensure_ascii=False), "planned": planned,
    }
    con.execute(f"INSERT INTO campaign ({', '.join(row)}) "
                f"VALUES ({', '.join(':' + k for k in row)})", row)
    return {**row, "criteria": criteria.to_json()}


def create_campaign(svc: Service, values: Mapping[str, Any], criteria: GroupCriteria,
                    *, planned: int | None = None) -> dict[str, Any]:
    """Create a campaign (只创建活动): ``planned`` defaults to the group's size now.

    Written beside ``Service.create`` because the campaign's criteria and
    planned count are not form fields and its dates may lie ahead.
    """
    cats = svc.catalogues()
    clean = clean_campaign(values, cats, svc.today)
    crit = criteria if criteria.age_on else _with_age_on(criteria, clean)
    with svc.store.raw_write(svc.operator_id) as con:
        if planned is None:
            cond, params = criteria_sql(crit, cats, svc.today)
            planned = con.execute(
                f"SELECT count(*) FROM person p NOT INDEXED WHERE p.deleted_at IS NULL AND {cond}",
                params).fetchone()[0]
        return _insert_campaign(con, svc.operator_id, clean, crit, int(planned or 0))


def _with_age_on(crit: GroupCriteria, clean: Mapping[str, Any]) -> GroupCriteria:
    """Ages in a campaign count on its first day unless the dialog said otherwise."""
    return GroupCriteria(crit.categories, crit.min_age, crit.key_focus, crit.priority,
                         crit.match_all, clean["start_on"])


@dataclass
class CampaignRun:
    """What a campaign recording did."""

    campaign: dict[str, Any]
    recorded: int = 0
    already: int = 0  # persons already visited in this campaign (skipped)
    missing: int = 0  # persons deleted meanwhile (skipped)
    person_ids: list[str] = field(default_factory=list)


def _clean_visit_fields(visit_fields: Mapping[str, Any], campaign_id: str,
                        operator_id: str | None, cats: Catalogues, today: date
                        ) -> dict[str, Any]:
    data = {k: v for k, v in visit_fields.items()
            if k not in ("person_id", "campaign_id", "life_event_id", "operator_id")}
    data.setdefault("kind", HOLIDAY_VISIT_KIND)
    data.setdefault("method", enums.VisitMethod.HOME.value)
    data.setdefault("visit_date", today)
    # person_id is checked per person below; a placeholder satisfies the field table here.
    values = clean_record("visit", {**data, "person_id": "-", "campaign_id": campaign_id,
                                    "operator_id": operator_id}, cats, today=today)
    del values["person_id"]
    values["life_event_id"] = None
    return values


def _record_visits(con: sqlite3.Connection, operator_id: str | None, campaign_id: str,
                   person_ids: Sequence[str], values: Mapping[str, Any], cats: Catalogues,
                   progress: Progress | None) -> CampaignRun:
    campaign = dict_rows(con.execute(
        "SELECT * FROM campaign WHERE id = ? AND deleted_at IS NULL", (campaign_id,)))
    if not campaign:
        raise NotFoundError("找不到这个慰问活动，可能已被删除。", code="not_found")
    run = CampaignRun(campaign=campaign[0])
    wanted = list(dict.fromkeys(person_ids))
    done_before = {r[0] for r in con.execute(
        "SELECT DISTINCT person_id FROM visit WHERE campaign_id = ? AND deleted_at IS NULL",
        (campaign_id,))}
    todo = [p for p in wanted if p not in done_before]
    run.already = len(wanted) - len(todo)
    station_code = _station_code(con)
    now = utc_now()
    day = values["visit_date"].isoformat()
    total = len(todo)
    tick(progress, 0, total, CANCELLED)
    for start in range(0, total, CHUNK):
        chunk = todo[start:start + CHUNK]
        marks, params = in_list("p", chunk)
        live = {r[0] for r in con.execute(
            f"SELECT id FROM person WHERE deleted_at IS NULL AND id IN {marks}", params)}
        rows = []
        for pid in chunk:
            if pid not in live:
                run.missing += 1
                continue
            rows.append({
                **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()},
                "id": new_id(), "station_code": station_code, "created_at": now,
                "updated_at": now, "updated_by": operator_id, "deleted_at": None,
                "person_id": pid,
            })
        if rows:
            cols = list(rows[0])
            con.executemany(f"INSERT INTO visit ({', '.join(cols)}) "
                            f"VALUES ({', '.join(':' + c for c in cols)})", rows)
            # What follows from a visit, by the same rules as Service's single visit.
            visits_written(con, [WrittenVisit(r["id"], r["person_id"], r["kind"], day)
                                 for r in rows], cats, operator_id=operator_id, now=now)
            run.recorded += len(rows)
            run.person_ids.extend(r["person_id"] for r in rows)
        tick(progress, min(start + CHUNK, total), total, CANCELLED)
    check(progress, CANCELLED)
    return run


def record_campaign_visits(
    svc: Service,
    campaign_id: str,
    person_ids: Sequence[str],
    visit_fields: Mapping[str, Any],
    progress: Progress | None = None,
) -> CampaignRun:
    """Record one visit of the campaign for each person, in ONE transaction.

    ``visit_fields`` are the visit form's values shared by all (method, date,
    visitor, content, gifts, money ...; kind defaults to 节日慰问). Persons
    already visited in this campaign are skipped, so a run can be repeated.
    ``progress`` hears after each block of :data:`CHUNK`; once it is
    cancelled the whole run rolls back and :class:`Cancelled` is raised.
    """
    cats = svc.catalogues()
    values = _clean_visit_fields(visit_fields, campaign_id, svc.operator_id, cats, svc.today)
    with svc.store.raw_write(svc.operator_id) as con:
        return _record_visits(con, svc.operator_id, campaign_id, person_ids, values, cats,
                              progress)


def create_and_record(
    svc: Service,
    values: Mapping[str, Any],
    criteria: GroupCriteria,
    visit_fields: Mapping[str, Any],
    progress: Progress | None = None,
) -> CampaignRun:
    """创建并记录: create the campaign and visit its whole group in one transaction.

    Cancelled or failed, nothing is left behind: neither the campaign nor any visit.
    """
    cats = svc.catalogues()
    clean = clean_campaign(values, cats, svc.today)
    crit = criteria if criteria.age_on else _with_age_on(criteria, clean)
    cond, params = criteria_sql(crit, cats, svc.today)
    with svc.store.raw_write(svc.operator_id) as con:
        ids = [r[0] for r in con.execute(
            f"SELECT p.id FROM person p NOT INDEXED WHERE p.deleted_at IS NULL AND {cond} "
            "ORDER BY p.name, p.id", params)]
        campaign = _insert_campaign(con, svc.operator_id, clean, crit, len(ids))
        visit_values = _clean_visit_fields(visit_fields, campaign["id"], svc.operator_id, cats,
                                           svc.today)
        run = _record_visits(con, svc.operator_id, campaign["id"], ids, visit_values, cats,
                             progress)
    run.campaign = campaign
    return run


