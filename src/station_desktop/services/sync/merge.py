"""Merging a checked bundle into this station's database: one unit of work.

Per field, the newer clock wins; where both sides changed a field
concurrently, the value that lost is written to ``sync_conflict`` for a
person to review. Rows moved to another station leave, tombstones delete,
the sender's sequence numbers and gaps are recorded, and (county) the
sender's home page figures are refreshed, all in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import Any

from sqlalchemy import exc as sa_exc

from station_desktop.store import county_summary
from station_desktop.store.db import Store
from station_desktop.store.models import utc_now
from station_desktop.sync import container as c
from station_desktop.sync.build import RESTORE, chunks
from station_desktop.sync.records import (
    BOOKKEEPING,
    COUNTY_OWNED,
    NATURAL_KEYS,
    TABLES,
    follow_parents,
)
from station_desktop.sync.report import Imported
from station_desktop.sync.verify import Checked, imported_before


def _merge_intervals(peer: dict[str, Any], lo: int, hi: int) -> tuple[int, int, list[list[int]]]:
    """Add the range [lo, hi] to what we hold of the peer's log; return (contiguous, max, gaps)."""
    held: list[list[int]] = []
    if peer["received_seq"] > 0:
        held.append([1, peer["received_seq"]])
    # what lies between received_seq and received_max, minus the gaps
    start = peer["received_seq"] + 1
    for a, b in sorted(peer["gaps"]):
        if a > start:
            held.append([start, a - 1])
        start = b + 1
    if peer["received_max"] >= start:
        held.append([start, peer["received_max"]])
    if hi >= lo:
        held.append([lo, hi])
    held.sort()
    merged: list[list[int]] = []
    for a, b in held:
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    contiguous = merged[0][1] if merged and merged[0][0] <= 1 else 0
    top = merged[-1][1] if merged else 0
    gaps = []
    prev = contiguous
    for a, b in merged:
        if b <= contiguous:
            continue
        if a > prev + 1:
            gaps.append([prev + 1, a - 1])
        prev = b
    return contiguous, top, gaps


class Merger:
    """Applies one checked payload on an open write transaction."""

    def __init__(self, con: sqlite3.Connection, checked: Checked, my_code: str,
                 result: Imported):
        self.con = con
        self.checked = checked
        self.peer = checked.peer
        self.sender = checked.sender
        self.my_code = my_code
        self.result = result
        self.ack_in = checked.manifest["ack"]  # how far the sender had our log
        self.acked_before = self.peer["acked_seq"]
        self.now = utc_now()

    def set_clock(self, hlc: int | None) -> None:
        self.con.execute("UPDATE write_context SET apply_hlc = ? WHERE id = 1", (hlc,))

    def local_rows(self, table: str, names: list[str], ids: list[str]) -> dict[str, tuple]:
        """The local rows among ``ids``, as tuples in the order of ``names``."""
        collist = ", ".join(f'"{n}"' for n in names)
        ii = names.index("id")
        out: dict[str, tuple] = {}
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            for r in self.con.execute(f'SELECT {collist} FROM "{table}" WHERE id IN ({marks})', chunk):
                out[r[ii]] = r
        return out

    def natural_match(self, table: str, names: list[str], row: list[Any]) -> tuple | None:
        cols = NATURAL_KEYS.get(table)
        if not cols:
            return None
        where = " AND ".join(f'"{col}" = ?' for col in cols)
        collist = ", ".join(f'"{n}"' for n in names)
        return self.con.execute(f'SELECT {collist} FROM "{table}" WHERE {where}',
                                [row[names.index(col)] for col in cols]).fetchone()

    def local_state(self, table: str, row_id: str) -> tuple[dict[str, tuple[int, str]],
                                                             dict[str, int], tuple[int, str]]:
        """Per-field (clock, writer) of the local value, and the fields changed here
        since the sender last acknowledged us (field -> seq of that change)."""
        clocks: dict[str, tuple[int, str]] = {}
        fresh: dict[str, int] = {}
        base = (0, "")
        for seq, op, hlc, origin, changes in self.con.execute(
                "SELECT seq, op, hlc, origin, changes FROM change_log WHERE table_name = ? "
                "AND row_id = ? ORDER BY seq", (table, row_id)):
            writer = origin or self.my_code
            is_fresh = seq > self.acked_before and origin != self.sender
            if op == "I":
                clocks.clear()
                fresh = {"*": seq} if is_fresh else {}
                base = (hlc, writer)
            elif op == "U" and changes:
                for f in json.loads(changes):
                    clocks[f] = (hlc, writer)
                    if is_fresh:
                        fresh[f] = seq
                    else:
                        fresh.pop(f, None)
        return clocks, fresh, base

    def apply_table(self, table: str, block: dict[str, Any]) -> None:
        names: list[str] = block["columns"]
        rows: list[list[Any]] = block["rows"]
        changed: list[dict[str, int]] = block["changed"]
        ii = names.index("id")
        same = [i for i, n in enumerate(names) if n != "hlc"]
        local = self.local_rows(table, names, [r[ii] for r in rows])
        inserts: list[list[Any]] = []
        for row, clock in zip(rows, changed, strict=True):
            current = local.get(row[ii]) or self.natural_match(table, names, row)
            if current is None:
                inserts.append(row)
                continue
            if current[ii] == row[ii] and all(current[i] == row[i] for i in same):
                self.result.unchanged += 1
                continue
            self.merge_row(table, names, row, clock, current)
        if inserts:
            cols = ", ".join(f'"{n}"' for n in names)
            marks = ", ".join("?" * len(names))
            self.set_clock(None)
            self.con.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', inserts)
            self.result.created += len(inserts)

    def merge_row(self, table: str, names: list[str], row: list[Any], clock: dict[str, int],
                  current: tuple) -> None:
        con = self.con
        target = current[names.index("id")]
        from_station = self.peer["relation"] == "station"
        if from_station and current[names.index("station_code")] != self.sender \
                and not self.belonged(table, target):
            raise c.refuse(
                "foreign_row", f"数据包试图修改不属于 {self.sender} 的记录，整个数据包未导入。",
                "请勿使用这个文件，并联系该服务站核实其数据。")
        local_clocks, fresh, base = self.local_state(table, target)
        star = clock.get("*")
        county_owned = table in COUNTY_OWNED and self.peer["relation"] == "county"
        groups: dict[int, dict[str, Any]] = defaultdict(dict)
        for i, name in enumerate(names):
            if name in ("id", "hlc") or name in NATURAL_KEYS.get(table, ()):
                continue
            if from_station and name == "station_code":
                continue  # only the county moves a record between stations
            rc = clock.get(name, star)
            if rc is None:
                continue
            remote, mine = row[i], current[i]
            if remote == mine:
                continue
            lc = local_clocks.get(name, base)
            if county_owned:  # the county's catalogue is the catalogue
                groups[rc][name] = remote
                continue
            remote_wins = (rc, self.sender) > lc
            fresh_seq = fresh.get(name, fresh.get("*"))
            concurrent = fresh_seq is not None and fresh_seq > self.ack_in
            if concurrent and name not in BOOKKEEPING:
                kept, lost = (remote, mine) if remote_wins else (mine, remote)
                self.conflict(table, target, name, kept, lost,
                              (rc, self.sender) if remote_wins else lc,
                              lc if remote_wins else (rc, self.sender))
            if remote_wins:
                groups[rc][name] = remote
                self.supersede(table, target, name, rc)
        deleted_i = names.index("deleted_at") if "deleted_at" in names else None
        if deleted_i is not None and row[deleted_i] and current[deleted_i] is None:
            others = [f for f, s in fresh.items() if s > self.ack_in and f not in BOOKKEEPING
                      and f != "deleted_at"]
            if others:
                self.conflict(table, target, "deleted_at", row[deleted_i], None,
                              (clock.get("deleted_at", star or 0), self.sender), base)
        if not groups:
            self.result.unchanged += 1
            return
        for rc in sorted(groups):
            values = groups[rc]
            sets = ", ".join(f'"{n}" = ?' for n in values)
            self.set_clock(rc)
            con.execute(f'UPDATE "{table}" SET {sets}, hlc = max(hlc, ?) WHERE id = ?',
                        [*values.values(), rc, target])
        self.result.updated += 1

    def conflict(self, table: str, row_id: str, name: str, kept: Any, lost: Any,
                 kept_clock: tuple[int, str], lost_clock: tuple[int, str]) -> None:
        self.con.execute(
            "INSERT INTO sync_conflict (at, peer_code, table_name, row_id, field, kept_value, "
            "lost_value, kept_hlc, lost_hlc, kept_from, lost_from) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (self.now, self.sender, table, row_id, name, json.dumps(kept, ensure_ascii=False),
             json.dumps(lost, ensure_ascii=False), kept_clock[0], lost_clock[0],
             kept_clock[1] or self.my_code, lost_clock[1] or self.my_code))
        self.result.conflicts += 1

    def supersede(self, table: str, row_id: str, name: str, rc: int) -> None:
        """A newer change to a field settles the open conflicts about it."""
        self.con.execute(
            "UPDATE sync_conflict SET resolved_at = ?, resolution = 'superseded' WHERE "
            "resolved_at IS NULL AND table_name = ? AND row_id = ? AND field = ? "
            "AND kept_hlc < ? AND lost_hlc < ?", (self.now, table, row_id, name, rc, rc))

    def belonged(self, table: str, row_id: str) -> bool:
        """Whether the row was ever the sender's (it may since have been transferred away)."""
        return self.con.execute(
            "SELECT 1 FROM change_log WHERE table_name = ? AND row_id = ? AND station_code = ? "
            "LIMIT 1", (table, row_id, self.sender)).fetchone() is not None

    def settle_moved_children(self) -> None:
        """After rows moved away: local records still pointing at them go too, if the
        county already has them; a record not yet sent stops the import instead."""
        while True:
            orphans = self.con.execute("PRAGMA foreign_key_check").fetchall()
            if not orphans:
                return
            for table, rowid, _parent, _fk in orphans:
                rid = self.con.execute(f'SELECT id FROM "{table}" WHERE rowid = ?',
                                       (rowid,)).fetchone()[0]
                unsent = self.con.execute(
                    "SELECT 1 FROM change_log WHERE table_name = ? AND row_id = ? AND seq > ? "
                    "AND (origin IS NULL OR origin != ?) LIMIT 1",
                    (table, rid, self.acked_before, self.sender)).fetchone()
                if unsent:
                    raise c.refuse(
                        "unsent_for_moved", "县里已把一位人员迁往其他服务站，但本站还有他的新记录没有报送县里。",
                        "请先在“数据交换”中导出数据包交给县里，等县里发回新的数据包后再导入。")
                self.con.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
                self.result.moved_out += 1

    def remove(self, items: list[list[Any]], *, tombstones: bool) -> None:
        """Rows deleted at the sender (tombstones of hard deletes) or moved to another station."""
        order = {t: i for i, t in enumerate(TABLES)}
        self.set_clock(None)
        for item in sorted(items, key=lambda it: -order[it[0]]):
            table, rid = item[0], item[1]
            if tombstones:
                row = self.con.execute(f'SELECT hlc, station_code FROM "{table}" WHERE id = ?',
                                       (rid,)).fetchone()
                if row is None or (len(item) > 2 and isinstance(item[2], int) and row[0] > item[2]):
                    continue
                if self.peer["relation"] == "station" and row[1] != self.sender:
                    raise c.refuse(
                        "foreign_row", f"数据包试图删除不属于 {self.sender} 的记录，整个数据包未导入。",
                        "请勿使用这个文件，并联系该服务站核实其数据。")
            if not tombstones and table == "person":
                name = self.con.execute("SELECT name FROM person WHERE id = ?", (rid,)).fetchone()
                if name is not None:
                    self.result.moved_persons.append(
                        f"{name[0]}（迁往 {item[2]}）" if len(item) > 2 else name[0])
            n = self.con.execute(f'DELETE FROM "{table}" WHERE id = ?', (rid,)).rowcount
            if tombstones:
                self.result.deleted += n
            else:
                self.result.moved_out += n


class _Rollback(Exception):
    """Leave the unit of work keeping nothing: a trial run, or the bundle was imported meanwhile."""


def apply(store: Store, checked: Checked, result: Imported, operator_id: str | None, *,
          trial: bool = False) -> None:
    """Merge a checked bundle in one write transaction; ``trial`` rolls it back at the end.

    The foreign keys are checked at COMMIT (``defer_foreign_keys``): rows of
    one bundle arrive parents and children in any order, and rows moved away
    take their local children with them (:meth:`Merger.settle_moved_children`).
    """
    man = checked.manifest
    my_code = store.meta("station_code") or ""
    try:
        with store.raw_write(operator_id) as con:
            # A concurrent import of the same file may have won the lock first.
            if imported_before(con, checked.opened.sha256) is not None:
                result.status = "duplicate"
                raise _Rollback
            con.execute("PRAGMA defer_foreign_keys = ON")
            con.execute("UPDATE write_context SET operator_id = ?, origin = ?, applying = 1 "
                        "WHERE id = 1", (operator_id, checked.sender))
            merger = Merger(con, checked, my_code, result)
            payload = checked.payload
            if payload.get("moved_out"):
                merger.remove(payload["moved_out"], tombstones=False)
            for table in TABLES:
                block = payload["tables"].get(table)
                if block and block["rows"]:
                    merger.apply_table(table, block)
            if payload.get("deleted"):
                merger.remove(payload["deleted"], tombstones=True)
            if payload.get("moved_out"):
                merger.settle_moved_children()
            con.execute("UPDATE write_context SET operator_id = ?, origin = NULL, applying = 0, "
                        "apply_hlc = NULL WHERE id = 1", (operator_id,))
            if checked.peer["relation"] == "station":
                # Records that arrive late for a person the county has already
                # transferred follow that person (a county change, sent on as usual).
                late = follow_parents(lambda sql, p: con.execute(sql, p).rowcount,
                                      checked.sender, utc_now())
                result.followed = sum(late.values())
            con.execute("UPDATE write_context SET operator_id = NULL WHERE id = 1")
            _update_peer(con, checked, result)
            con.execute(
                "INSERT INTO sync_bundle (at, direction, sha256, sender, recipient, kind, "
                "from_seq, to_seq, created_at, file_name, operator_id, report) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (utc_now(), "in", checked.opened.sha256, checked.sender, my_code, man["kind"],
                 man["seq"]["from"], man["seq"]["to"], man["created_at"], checked.path.name,
                 operator_id, json.dumps(result.as_dict(), ensure_ascii=False)))
            con.execute("INSERT INTO audit_event (at, operator_id, action, detail) VALUES (?,?,?,?)",
                        (utc_now(), operator_id, "bundle_import", json.dumps(
                            {"sender": checked.sender, "file": checked.path.name,
                             "created": result.created, "updated": result.updated,
                             "conflicts": result.conflicts}, ensure_ascii=False)))
            if trial:
                if con.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise sqlite3.IntegrityError("FOREIGN KEY constraint failed")
                raise _Rollback
            if checked.peer["relation"] == "station":
                # County home page figures of the sender, current with its rows (issue 7).
                county_summary.refresh_after_import(con, checked.sender)
    except _Rollback:
        return
    except (sqlite3.IntegrityError, sa_exc.IntegrityError) as exc:
        # Raised by a statement, or (deferred foreign keys) by the COMMIT, which
        # SQLAlchemy wraps: the refusal names the database's own words either way.
        _reset_counts(result)
        why = str(getattr(exc, "orig", None) or exc)
        if "id_number" in why:
            raise c.refuse(
                "duplicate_person", "数据包中有人员的身份证号已在本县其他服务站建档（同一人被两个服务站登记），未导入。",
                "请核实此人实际居住的服务站，在另一服务站删除或由县里办理迁移后，再重新导出。",
                detail=why) from exc
        raise c.refuse("bad_record", "数据包里的记录与本站数据对不上（缺少它们所属的人员等），未导入。",
                       "请先导入这个服务站更早的数据包，或请它重新导出。", detail=why) from exc
    except BaseException:
        _reset_counts(result)
        raise


def _reset_counts(result: Imported) -> None:
    result.created = result.updated = result.unchanged = result.deleted = 0
    result.moved_out = result.conflicts = 0
    result.moved_persons = []


def _update_peer(con: sqlite3.Connection, checked: Checked, result: Imported) -> None:
    man = checked.manifest
    peer = checked.peer
    lo, hi = man["seq"]["from"], man["seq"]["to"]
    if man["kind"] == RESTORE:
        contiguous, top, gaps = hi, hi, []
    else:
        contiguous, top, gaps = _merge_intervals(peer, lo, hi)
    result.from_seq, result.to_seq, result.gaps = lo, hi, gaps
    newest = peer["last_bundle_created"] is None or man["created_at"] >= peer["last_bundle_created"]
    # The newest bundle's acknowledgement is the truth (it may go down if the
    # peer lost data and needs ours again); an older one only ever raises it.
    acked = man["ack"] if newest else max(peer["acked_seq"], man["ack"])
    con.execute(
        "UPDATE sync_peer SET received_seq = ?, received_max = ?, gaps = ?, acked_seq = ?, "
        "last_bundle_at = ?, last_bundle_created = ? WHERE code = ?",
        (contiguous, top, json.dumps(gaps), acked, utc_now(),
         man["created_at"] if newest else peer["last_bundle_created"], peer["code"]))
