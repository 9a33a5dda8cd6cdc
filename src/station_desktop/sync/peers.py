"""What this station knows of its peers (``sync_peer``): read only.

The bundle's export and checks and the import report read a peer's keys,
sequence numbers and gaps here; what changes them (enrolment, imports,
exports) is in :mod:`station_desktop.services.sync`.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from station_desktop.store.db import Store
from station_desktop.store.stats import outbox


def peer(con: sqlite3.Connection, code: str) -> dict[str, Any] | None:
    """The peer ``code`` as a dict (``gaps`` decoded), or None."""
    con.row_factory = sqlite3.Row
    try:
        row = con.execute("SELECT * FROM sync_peer WHERE code = ?", (code,)).fetchone()
    finally:
        con.row_factory = None
    if row is None:
        return None
    found = dict(row)
    found["gaps"] = json.loads(found["gaps"] or "[]")
    return found


def county_peer(store: Store) -> dict[str, Any] | None:
    """The county this station is enrolled with (active), or None."""
    with store.raw_read() as con:
        row = con.execute("SELECT code FROM sync_peer WHERE relation = 'county' "
                          "AND state = 'active'").fetchone()
        return peer(con, row[0]) if row else None


def pending_count(store: Store, peer_code: str | None = None) -> int:
    """Changes recorded here that ``peer_code`` (default: our county) has not acknowledged."""
    return outbox(store, peer_code).pending


def gap_messages(store: Store) -> list[str]:
    """“村A：第 120–180 号变更尚未收到” for every peer with a gap."""
    with store.raw_read() as con:
        out = []
        for code, name, gaps in con.execute("SELECT code, name, gaps FROM sync_peer "
                                            "WHERE gaps != '[]' ORDER BY code"):
            for a, b in json.loads(gaps):
                out.append(f"{name}（{code}）：第 {a}–{b} 号变更尚未收到")
        return out
