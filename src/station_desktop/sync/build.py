"""Building a bundle: the payload a peer has not acknowledged, sealed into the file's bytes.

Reads only. :func:`collect` reads the change log after the peer's
acknowledgement and takes the current image of every row touched, with the
clock of each field changed since (``changed``), tombstones included. The
county's bundle for a station carries that station's rows (corrections and
persons transferred in), the county's catalogues, the ids of rows that moved
away to another station, and its acknowledgement of the station's changes.
:func:`seal` signs and encrypts it (docs/bundle-format.md);
:func:`write_file` puts it on the stick. Recording the export is
:func:`station_desktop.services.sync.export.export_bundle`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from uuid6 import uuid7

from station_desktop.store.migrate import SYNC_SCHEMA
from station_desktop.store.models import utc_now
from station_desktop.sync import container as c
from station_desktop.sync.enrol import Party
from station_desktop.sync.keys import Keys
from station_desktop.sync.records import COUNTY_OWNED, TABLES, sendable_columns

CHANGES, RESTORE = "changes", "restore"
_CHUNK = 900


@dataclass
class Exported:
    path: Path
    manifest: dict[str, Any]

    @property
    def counts(self) -> dict[str, int]:
        return self.manifest["counts"]


def chunks(items: list[Any], n: int = _CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def collect(con: sqlite3.Connection, peer: dict[str, Any],
            restore: bool) -> tuple[dict[str, Any], dict[str, int], int, int]:
    """The payload for ``peer``: (payload, counts, from_seq, to_seq).

    Call it inside one read transaction, so the log range and the row images agree.
    """
    to_seq = con.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]
    pcode = peer["code"]
    downward = peer["relation"] == "station"  # we are the county, they are a station
    if restore:
        since = 0
    else:
        since = min(peer["acked_seq"], to_seq)
    # per (table, row id): {field: clock} of fields whose last change is not the peer's own
    changed: dict[tuple[str, str], dict[str, int]] = {}
    deleted: dict[tuple[str, str], int] = {}
    moved: set[tuple[str, str]] = set()
    if not restore:
        if downward:
            where = ("seq > ? AND (station_code = ? OR table_name IN ('catalogue_item') "
                     "OR (op = 'U' AND changes LIKE '%\"station_code\"%'))")
            params: tuple[Any, ...] = (since, pcode)
        else:
            where = "seq > ? AND table_name NOT IN ('catalogue_item')"
            params = (since,)
        cur = con.execute(
            f"SELECT table_name, row_id, op, hlc, origin, changes, station_code FROM change_log "
            f"WHERE {where} ORDER BY seq", params)
        for table, row_id, op, hlc, origin, changes, station in cur:
            key = (table, row_id)
            own = origin is None or origin != pcode
            if op == "D":
                changed.pop(key, None)
                if own:
                    deleted[key] = hlc
                continue
            if downward and op == "U" and changes and '"station_code"' in changes:
                old_new = json.loads(changes).get("station_code")
                if old_new and old_new[0] == pcode and old_new[1] != pcode:
                    moved.add(key)
            if downward and station != pcode and table not in COUNTY_OWNED:
                continue
            fields = changed.setdefault(key, {})
            if op == "I":
                fields.clear()
                fields["*"] = hlc if own else -1
            else:
                for f in json.loads(changes):
                    fields[f] = hlc if own else -1
        for fields in changed.values():
            for f in [f for f, v in fields.items() if v < 0]:
                del fields[f]
        changed = {k: v for k, v in changed.items() if v}
    tables: dict[str, Any] = {}
    counts: dict[str, int] = {}
    moved_out: list[list[str]] = []
    for table in TABLES:
        if not downward and table in COUNTY_OWNED:
            continue
        cols = sendable_columns(table)
        collist = ", ".join(f'"{col}"' for col in cols)
        rows: list[list[Any]] = []
        clocks: list[dict[str, int]] = []
        si, hi, ii = cols.index("station_code"), cols.index("hlc"), cols.index("id")
        if restore:
            if table in COUNTY_OWNED:
                cur = con.execute(f'SELECT {collist} FROM "{table}"')
            else:
                cur = con.execute(f'SELECT {collist} FROM "{table}" WHERE station_code = ?', (pcode,))
            for r in cur:
                rows.append(list(r))
                clocks.append({"*": r[hi]})
        else:
            ids = [rid for (t, rid) in changed if t == table]
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                for r in con.execute(f'SELECT {collist} FROM "{table}" WHERE id IN ({marks})', chunk):
                    if downward and table not in COUNTY_OWNED and r[si] != pcode:
                        continue
                    rows.append(list(r))
                    clocks.append(changed[(table, r[ii])])
            if downward:
                for t, rid in sorted(moved):
                    if t == table:
                        row = con.execute(f'SELECT station_code FROM "{table}" WHERE id = ?',
                                          (rid,)).fetchone()
                        if row is None or row[0] != pcode:
                            # the station it went to, so the old one can say where
                            moved_out.append([t, rid] + ([row[0]] if row else []))
        if rows:
            tables[table] = {"columns": cols, "rows": rows, "changed": clocks}
            counts[table] = len(rows)
    dels = [[t, rid, h] for (t, rid), h in deleted.items()]
    if dels:
        counts["_deleted"] = len(dels)
    if moved_out:
        counts["_moved_out"] = len(moved_out)
    payload = {"tables": tables, "deleted": dels, "moved_out": moved_out}
    return payload, counts, (1 if restore else since + 1), to_seq




@dataclass(frozen=True)
class Sealed:
    """A bundle's bytes, its manifest and the file name it goes by."""

    name: str
    data: bytes
    manifest: dict[str, Any]


def seal(mine: Party, keys: Keys, peer: dict[str, Any], payload: dict[str, Any],
         counts: dict[str, int], from_seq: int, to_seq: int, *, restore: bool) -> Sealed:
    """The signed, encrypted bundle of ``payload`` for ``peer`` (acknowledging what we hold)."""
    manifest = {
        "format": c.FORMAT, "format_version": c.FORMAT_VERSION, "schema": SYNC_SCHEMA,
        "kind": RESTORE if restore else CHANGES, "bundle_id": str(uuid7()),
        "created_at": utc_now(),
        "sender": {"code": mine.code, "role": mine.role, "fingerprint": mine.fingerprint},
        "recipient": {"code": peer["code"], "fingerprint": peer["fingerprint"]},
        "seq": {"from": from_seq, "to": to_seq}, "ack": peer["received_seq"], "counts": counts,
    }
    plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    data = c.write_bundle(manifest, plain, keys.signing, c.encryption_key(peer["encryption_public"]))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"{mine.code}-to-{peer['code']}-{stamp}-{to_seq}{'-restore' if restore else ''}{c.SUFFIX}"
    return Sealed(name, data, manifest)


def write_file(out: Path, sealed: Sealed) -> Path:
    """Write the bundle into the folder ``out`` whole or not at all (a ``.part`` renamed)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / sealed.name
    tmp = path.with_name(sealed.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(sealed.data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    return path
