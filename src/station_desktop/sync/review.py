"""After the merge: the conflict list a person reviews, transfers, and the stations view.

A conflict row holds the value that is in the record now (``kept``) and the
value that lost (``lost``). Resolving it is an ordinary local change, so it
travels on in the next bundle and settles the other side's list too:

- ``keep``: the current value stays; the entry is closed.
- ``take``: the losing value is written back (a new change with a new clock).
- ``edit``: a value typed by the person is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from station_desktop.domain.errors import NotFoundError, StationError, ValidationError
from station_desktop.store import county_summary
from station_desktop.store import models as m
from station_desktop.store.db import Store
from station_desktop.store.fields import FIELDS, clean_record
from station_desktop.store.models import utc_now
from station_desktop.sync.records import follow_parents

KEEP, TAKE, EDIT = "keep", "take", "edit"

_DESCRIBE = {
    "person": "name", "family_member": "name", "visit": "visit_date", "life_event": "event_on",
    "aid_application": "applied_on", "dispute_case": "title", "honour": "kind",
    "station": "name", "operator": "name", "catalogue_item": "name",
}


@dataclass(frozen=True)
class Conflict:
    id: int
    at: str
    peer_code: str
    table_name: str
    row_id: str
    field: str
    kept: Any
    lost: Any
    kept_from: str
    lost_from: str
    record: str  # what the record is, in words
    field_label: str
    resolved_at: str | None
    resolution: str | None


def field_label(table: str, name: str) -> str:
    if name == "deleted_at":
        return "删除"
    spec = FIELDS.get(table, {}).get(name)
    return spec.label if spec is not None else name


def _record_text(s: Any, table: str, row_id: str) -> str:
    col = _DESCRIBE.get(table)
    label = m.MODEL_BY_TABLE[table].__doc__ or table
    if col is None:
        return label.split("\n")[0].rstrip(".")
    try:
        value = s.execute(text(f'SELECT "{col}" FROM "{table}" WHERE id = :i'), {"i": row_id}).scalar()
    except Exception:  # noqa: BLE001 - a description never breaks the list
        value = None
    if table in ("visit", "life_event", "aid_application", "honour", "family_member"):
        name = s.execute(text(f'SELECT p.name FROM person p JOIN "{table}" t ON t.person_id = p.id '
                              "WHERE t.id = :i"), {"i": row_id}).scalar()
        return f"{name or ''} {value or ''}".strip()
    return str(value or row_id[:8])


def conflicts(store: Store, *, open_only: bool = True) -> list[Conflict]:
    with store.read() as s:
        q = "SELECT * FROM sync_conflict"
        if open_only:
            q += " WHERE resolved_at IS NULL"
        rows = s.execute(text(q + " ORDER BY id")).mappings().all()
        return [
            Conflict(id=r["id"], at=r["at"], peer_code=r["peer_code"], table_name=r["table_name"],
                     row_id=r["row_id"], field=r["field"], kept=json.loads(r["kept_value"]),
                     lost=json.loads(r["lost_value"]), kept_from=r["kept_from"],
                     lost_from=r["lost_from"], record=_record_text(s, r["table_name"], r["row_id"]),
                     field_label=field_label(r["table_name"], r["field"]),
                     resolved_at=r["resolved_at"], resolution=r["resolution"])
            for r in rows
        ]


def open_count(store: Store) -> int:
    with store.read() as s:
        return int(s.execute(text("SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL"))
                   .scalar_one())


def resolve(store: Store, conflict_id: int, action: str, value: Any = None, *,
            operator_id: str | None = None) -> None:
    """Close a conflict: keep the current value, take the losing one, or write ``value``."""
    if action not in (KEEP, TAKE, EDIT):
        raise ValidationError("action", f"不认识的处理方式“{action}”。", hint="请选择保留、采用或修改。")
    with store.write(operator_id) as s:
        row = s.execute(text("SELECT * FROM sync_conflict WHERE id = :i"),
                        {"i": conflict_id}).mappings().first()
        if row is None:
            raise NotFoundError("找不到这条冲突记录。", hint="列表可能已更新，请刷新后再试。")
        if row["resolved_at"] is not None:
            raise StationError("这条冲突已经处理过了。", hint="请刷新列表。", code="already_resolved")
        table, field, rid = row["table_name"], row["field"], row["row_id"]
        if action != KEEP:
            new = json.loads(row["lost_value"]) if action == TAKE else value
            if action == EDIT and field != "deleted_at":
                kind = table
                if kind in FIELDS and field in FIELDS[kind]:
                    from datetime import date

                    from station_desktop.domain.catalogues import Catalogues

                    new = clean_record(kind, {field: value}, Catalogues.defaults(),
                                       today=date.today(), partial=True)[field]
                    new = _to_db(new)
            exists = s.execute(text(f'SELECT 1 FROM "{table}" WHERE id = :i'), {"i": rid}).first()
            if exists is None:
                raise NotFoundError("这条记录已不在本站（可能已迁出）。", hint="请选择“保留现值”关闭此冲突。")
            s.execute(text(f'UPDATE "{table}" SET "{field}" = :v, updated_at = :now, '
                           f"updated_by = :op WHERE id = :i"),
                      {"v": new, "now": utc_now(), "op": operator_id, "i": rid})
        s.execute(text("UPDATE sync_conflict SET resolved_at = :now, resolution = :a, "
                       "resolved_by = :op WHERE id = :i"),
                  {"now": utc_now(), "a": action, "op": operator_id, "i": conflict_id})


def _to_db(value: Any) -> Any:
    """A cleaned Python value as SQLite stores it (dates as ISO text, lists as JSON)."""
    from datetime import date

    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "value"):
        return value.value
    return value


# --- transfers (county) ---------------------------------------------------------

def transfer_person(store: Store, person_id: str, to_code: str, *,
                    operator_id: str | None = None) -> dict[str, int]:
    """Move a person's file and history to station ``to_code`` (county only).

    The rows keep their ids, so nothing is duplicated: the new station gets
    them in its next return bundle, the old one is told they moved out.
    Volunteer memberships stay with the old station's team, unlinked from the
    person, so that team's history of hours is kept.
    """
    from station_desktop.domain.validate import parse_station_code

    if store.meta("role") != "county":
        raise StationError("只有县级服务中心可以办理人员迁移。",
                           hint="请向县退役军人服务中心申请迁移。")
    to_code = parse_station_code(to_code).code
    moved: dict[str, int] = {}
    with store.write(operator_id) as s:
        person = s.get(m.Person, person_id)
        if person is None:
            raise NotFoundError("找不到这个人员。", hint="请刷新后再试。")
        if person.station_code == to_code:
            raise StationError(f"{person.name} 已在服务站 {to_code}。", hint="无需迁移。")
        peer = s.get(m.SyncPeer, to_code)
        if peer is None or peer.state != "active":
            raise NotFoundError(f"服务站 {to_code} 尚未登记。", hint="请先接受该站的登记申请。")
        from_code = person.station_code
        now = utc_now()
        s.execute(text("UPDATE person SET station_code = :to, updated_at = :now, updated_by = :op "
                       "WHERE id = :p"), {"to": to_code, "now": now, "op": operator_id,
                                          "p": person_id})
        moved["person"] = 1
        moved.update(follow_parents(lambda sql, params: s.execute(text(sql), params).rowcount,
                                    from_code, now))
        n = s.execute(text("UPDATE volunteer_member SET person_id = NULL, "
                           "left_on = coalesce(left_on, :today), updated_at = :now WHERE person_id = :p"),
                      {"today": now[:10], "now": now, "p": person_id}).rowcount
        if n:
            moved["volunteer_member_unlinked"] = n
        s.add(m.AuditEvent(operator_id=operator_id, action="transfer",
                           detail={"person": person_id, "from": from_code, "to": to_code,
                                   "rows": moved}))
        # The rows left the old station without a change logged under its code.
        county_summary.refresh_session(s, [from_code, to_code])
    return moved


# --- stations view (county) -----------------------------------------------------


def stations_overview(store: Store) -> list[dict[str, Any]]:
    """Every enrolled station: fingerprint, last bundle, sequence held, gaps, record counts."""
    with store.read() as s:
        peers = s.execute(text("SELECT * FROM sync_peer WHERE relation = 'station' "
                               "ORDER BY code")).mappings().all()
        counts: dict[str, dict[str, int]] = {}
        for table in ("person", "visit", "aid_application", "dispute_case"):
            for code, n in s.execute(text(f'SELECT station_code, count(*) FROM "{table}" '
                                          "WHERE deleted_at IS NULL GROUP BY station_code")):
                counts.setdefault(code, {})[table] = n
        conflicts_by_peer = dict(s.execute(text(
            "SELECT peer_code, count(*) FROM sync_conflict WHERE resolved_at IS NULL "
            "GROUP BY peer_code")).all())
        out = []
        for p in peers:
            c = counts.get(p["code"], {})
            out.append({
                "code": p["code"], "name": p["name"], "role": p["role"], "state": p["state"],
                "fingerprint": p["fingerprint"], "enrolled_at": p["enrolled_at"],
                "last_bundle_at": p["last_bundle_at"],
                "last_bundle_created": p["last_bundle_created"],
                "received_seq": p["received_seq"], "acked_seq": p["acked_seq"],
                "gaps": json.loads(p["gaps"] or "[]"),
                "persons": c.get("person", 0), "visits": c.get("visit", 0),
                "aid": c.get("aid_application", 0), "cases": c.get("dispute_case", 0),
                "conflicts": conflicts_by_peer.get(p["code"], 0),
            })
        return out
