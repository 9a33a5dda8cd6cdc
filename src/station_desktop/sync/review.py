"""After the merge: the conflict list a person reviews, and the county's stations view.

A conflict row holds the value that is in the record now (``kept``) and the
value that lost (``lost``). Reading them is here; resolving one (``keep``,
``take``, ``edit``) and transferring a person are units of work in
:mod:`station_desktop.services.sync.review`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from station_desktop.store import models as m
from station_desktop.store.db import Store
from station_desktop.store.fields import FIELDS

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
