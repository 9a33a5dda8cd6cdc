"""Bundles: export what a peer has not acknowledged; verify and apply what arrives.

Export (``export_bundle``) reads the change log after the peer's
acknowledgement and writes the current image of every row touched, with the
clock of each field changed since (``changed``), tombstones included. The
county's bundle for a station carries that station's rows (corrections and
persons transferred in), the county's catalogues, the ids of rows that moved
away to another station, and its acknowledgement of the station's changes.

Import (``import_bundle``) first checks everything (``check_bundle``): the
container, the sender's enrolment and signature, recipient, payload hash,
format and schema versions, and every record. Only then one transaction
merges it: per field, the newer clock wins; where both sides changed a field
concurrently, the value that lost is written to ``sync_conflict`` for a
person to review. A refused bundle changes nothing in the database and is
copied into ``<data dir>/quarantine`` with a note of the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from uuid6 import uuid7

from station_desktop.domain.errors import NotFoundError, StationError
from station_desktop.store import county_summary
from station_desktop.store.db import Store
from station_desktop.store.migrate import SYNC_SCHEMA
from station_desktop.store.models import utc_now
from station_desktop.sync import container as c
from station_desktop.sync.enrol import data_keys, me
from station_desktop.sync.records import (
    BOOKKEEPING,
    CODE_PATTERN,
    COUNTY_OWNED,
    ID_PATTERN,
    NATURAL_KEYS,
    TABLES,
    BadRecord,
    TableCheck,
    follow_parents,
    sendable_columns,
)

CHANGES, RESTORE = "changes", "restore"
_CHUNK = 900

Progress = Callable[[int, int, str], None]


class Cancelled(Exception):
    pass


# --- peers ------------------------------------------------------------------


def _peer(con: sqlite3.Connection, code: str) -> dict[str, Any] | None:
    con.row_factory = sqlite3.Row
    try:
        row = con.execute("SELECT * FROM sync_peer WHERE code = ?", (code,)).fetchone()
    finally:
        con.row_factory = None
    if row is None:
        return None
    peer = dict(row)
    peer["gaps"] = json.loads(peer["gaps"] or "[]")
    return peer


def _connect(store: Store) -> sqlite3.Connection:
    from station_desktop.store.db import _on_connect  # the same pragmas as every connection

    con = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    _on_connect(con, None)
    return con


def county_peer(store: Store) -> dict[str, Any] | None:
    """The county this station is enrolled with (active), or None."""
    con = _connect(store)
    try:
        row = con.execute("SELECT code FROM sync_peer WHERE relation = 'county' "
                          "AND state = 'active'").fetchone()
        return _peer(con, row[0]) if row else None
    finally:
        con.close()


def pending_count(store: Store, peer_code: str | None = None) -> int:
    """Changes recorded here that ``peer_code`` (default: our county) has not acknowledged."""
    from station_desktop.store.stats import outbox

    return outbox(store, peer_code).pending


# --- export -----------------------------------------------------------------


@dataclass
class Exported:
    path: Path
    manifest: dict[str, Any]

    @property
    def counts(self) -> dict[str, int]:
        return self.manifest["counts"]


def _chunks(items: list[Any], n: int = _CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _collect(con: sqlite3.Connection, me_code: str, me_role: str, peer: dict[str, Any],
             restore: bool) -> tuple[dict[str, Any], dict[str, int], int, int]:
    """The payload for ``peer``: (payload, counts, from_seq, to_seq)."""
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
            for chunk in _chunks(ids):
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


def export_bundle(store: Store, to_code: str, out: Path, *, restore: bool = False,
                  operator_id: str | None = None) -> Exported:
    """Write a bundle for ``to_code`` into the folder ``out``; return its path and manifest."""
    keys = data_keys(store)
    mine = me(store, keys)
    con = _connect(store)
    try:
        peer = _peer(con, to_code)
        if peer is None or peer["state"] != "active":
            raise NotFoundError(
                f"服务站 {to_code} 没有登记，或其密钥已注销，不能给它导出数据包。",
                hint="请先完成登记（数据交换 → 登记）。", code="not_enrolled")
        if restore and peer["relation"] != "station":
            raise StationError("只有县级服务中心能为服务站导出恢复包。")
        # One read transaction: the log range and the row images agree.
        con.execute("BEGIN")
        try:
            payload, counts, from_seq, to_seq = _collect(con, mine.code, mine.role, peer, restore)
            ack = peer["received_seq"]
        finally:
            con.execute("COMMIT")
        bundle_id = str(uuid7())
        created = utc_now()
        manifest = {
            "format": c.FORMAT, "format_version": c.FORMAT_VERSION, "schema": SYNC_SCHEMA,
            "kind": RESTORE if restore else CHANGES, "bundle_id": bundle_id, "created_at": created,
            "sender": {"code": mine.code, "role": mine.role, "fingerprint": mine.fingerprint},
            "recipient": {"code": peer["code"], "fingerprint": peer["fingerprint"]},
            "seq": {"from": from_seq, "to": to_seq}, "ack": ack, "counts": counts,
        }
        plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        data = c.write_bundle(manifest, plain, keys.signing, c.encryption_key(peer["encryption_public"]))
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        name = f"{mine.code}-to-{peer['code']}-{stamp}-{to_seq}{'-restore' if restore else ''}{c.SUFFIX}"
        path = out / name
        tmp = path.with_name(name + ".part")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
        sha = hashlib.sha256(data).hexdigest()
        opened = c.open_bundle(data)  # the manifest as signed, read back from the bytes written
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE sync_peer SET last_export_at = ? WHERE code = ?", (created, peer["code"]))
        con.execute(
            "INSERT INTO sync_bundle (at, direction, sha256, sender, recipient, kind, from_seq, "
            "to_seq, created_at, file_name, operator_id, report) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (created, "out", sha, mine.code, peer["code"], manifest["kind"], from_seq, to_seq,
             created, name, operator_id, json.dumps({"counts": counts}, ensure_ascii=False)))
        con.execute("COMMIT")
        return Exported(path, opened.manifest)
    finally:
        con.close()


# --- verify -----------------------------------------------------------------


@dataclass
class Checked:
    """A bundle that passed every check and may be applied."""

    path: Path
    opened: c.Opened
    payload: dict[str, Any]
    peer: dict[str, Any]

    @property
    def manifest(self) -> dict[str, Any]:
        return self.opened.manifest

    @property
    def sender(self) -> str:
        return self.manifest["sender"]["code"]


def _schema_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 1 << 30


def check_manifest(store: Store, opened: c.Opened, con: sqlite3.Connection) -> dict[str, Any]:
    """Sender, signature, recipient, versions. Returns the sender's peer row."""
    man = opened.manifest
    keys = data_keys(store)
    my_code = store.meta("station_code")
    if man["recipient"]["code"] != my_code:
        raise c.refuse("wrong_recipient",
                       f"这个数据包是发给 {man['recipient']['code']} 的，不是发给本站（{my_code}）的。",
                       "请把它交给收件的服务站；本站的数据包文件名中间是本站代码。")
    if man["recipient"]["fingerprint"] != keys.fingerprint:
        raise c.refuse("wrong_recipient", "这个数据包是加密给本站以前的密钥的，本机无法打开。",
                       "请发送方在重新登记后再导出一次。")
    sender = man["sender"]["code"]
    peer = _peer(con, sender)
    if peer is None:
        raise c.refuse("unknown_sender", f"发送方 {sender} 没有在本站登记，不能导入它的数据包。",
                       "请先完成登记，再导入。")
    if peer["state"] != "active":
        raise c.refuse("revoked_sender", f"发送方 {sender} 的密钥已被注销，不能导入它的数据包。",
                       "如果该站换了电脑，请用新电脑重新登记后再导出。")
    if peer["fingerprint"] != man["sender"]["fingerprint"]:
        raise c.refuse("unknown_sender", f"这个数据包由 {sender} 的另一把密钥签发，与登记的不符。",
                       "请核对密钥指纹；如果该站换了电脑，请先重新登记。")
    c.verify_signature(opened, c.signing_key(peer["signing_public"]))
    if _schema_number(man["schema"]) > _schema_number(SYNC_SCHEMA):
        raise c.refuse("newer_schema", "这个数据包来自更新版本的程序（数据结构更新），本机无法导入。",
                       "请先把本机程序升级到最新版本，再导入。", schema=man["schema"])
    if man["kind"] not in (CHANGES, RESTORE) or \
            (man["kind"] == RESTORE and peer["relation"] != "county"):
        raise c.refuse("bad_manifest", "数据包类型不对，已拒绝。", "请从原服务站重新导出。")
    c.check_payload_hash(opened)
    return peer


def check_payload(payload: Any, sender: dict[str, Any], my_code: str) -> None:
    """Every record valid and within the sender's scope. Raises BundleRefused."""
    def bad(why: str) -> c.BundleRefused:
        return c.refuse("bad_record", f"数据包里有不合规的记录（{why}），整个数据包未导入。",
                        "请联系发送方检查其数据后重新导出。")

    if not isinstance(payload, dict) or not isinstance(payload.get("tables"), dict):
        raise bad("结构")
    from_county = sender["relation"] == "county"
    for table, block in payload["tables"].items():
        if table not in TABLES:
            raise bad(f"不认识的记录种类 {str(table)[:20]}")
        if not from_county and table in COUNTY_OWNED:
            raise bad("服务站不能修改县级目录")
        if not isinstance(block, dict):
            raise bad(table)
        names, rows, clocks = block.get("columns"), block.get("rows"), block.get("changed")
        if not (isinstance(names, list) and isinstance(rows, list) and isinstance(clocks, list)
                and len(rows) == len(clocks)):
            raise bad(table)
        check = TableCheck(table)
        try:
            check.check_columns(names)
            for col in ("id", "station_code", "hlc"):
                if col not in names:
                    raise BadRecord(f"{table}: 缺少 {col}")
            si = names.index("station_code")
            for row, clock in zip(rows, clocks, strict=True):
                check.check_row(names, row)
                if not isinstance(clock, dict) or not clock or not all(
                        (k == "*" or k in names) and isinstance(v, int) and v >= 0
                        for k, v in clock.items()):
                    raise BadRecord(f"{table}: 字段时钟有误")
                if table in COUNTY_OWNED:
                    continue
                want = my_code if from_county else sender["code"]
                if row[si] != want:
                    raise BadRecord(f"{table}: 记录属于 {row[si]}，不属于 {want}")
                # station rows are matched by code: only the sender's own may travel
                if table == "station" and row[names.index("code")] != want:
                    raise BadRecord(f"station: 不能修改其他站点 {str(row[names.index('code')])[:12]}")
        except BadRecord as exc:
            raise bad(str(exc)) from exc
    for key in ("deleted", "moved_out"):
        items = payload.get(key, [])
        if not isinstance(items, list):
            raise bad(key)
        for item in items:
            if not (isinstance(item, list) and 2 <= len(item) <= 3 and item[0] in TABLES
                    and isinstance(item[1], str) and ID_PATTERN.fullmatch(item[1])):
                raise bad(key)
            if key == "moved_out" and len(item) == 3 and not (
                    isinstance(item[2], str) and CODE_PATTERN.fullmatch(item[2])):
                raise bad(key)
    if payload.get("moved_out") and not from_county:
        raise bad("服务站不能迁出记录")


def _quarantine(store: Store, path: Path, error: StationError) -> Path | None:
    folder = store.path.parent / "quarantine"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        dest = folder / f"{stamp}-{path.name}"
        if path.exists():
            shutil.copyfile(path, dest)
        dest.with_name(dest.name + ".reason.txt").write_text(
            f"{error.user_text()}\n原因代码：{error.code}\n原文件：{path}\n", encoding="utf-8")
        return dest
    except OSError:
        return None


def check_bundle(store: Store, path: Path) -> Checked:
    """Every check short of applying. Raises BundleRefused (nothing is written)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > c.MAX_FILE:
            raise c.refuse("too_large", "数据包超过 1 GB，不像本程序导出的文件。", "请检查所选文件。")
        data = path.read_bytes()
    except OSError as exc:
        raise c.refuse("unreadable", f"无法读取文件 {path.name}：{exc.strerror or exc}",
                       "请检查U盘是否插好、文件是否还在。") from exc
    opened = c.open_bundle(data)
    con = _connect(store)
    try:
        peer = check_manifest(store, opened, con)
    finally:
        con.close()
    payload = c.unseal(opened, data_keys(store).encryption)
    check_payload(payload, peer, store.meta("station_code") or "")
    return Checked(path, opened, payload, peer)


# --- import -----------------------------------------------------------------


@dataclass
class Imported:
    """What one bundle did, for the import report."""

    file: str
    sender: str = ""
    sender_name: str = ""
    status: str = "applied"  # applied / duplicate / refused / skipped (for another station)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    moved_out: int = 0
    followed: int = 0  # late records re-tagged to the station their person moved to
    moved_persons: list[str] = field(default_factory=list)  # "张三（迁往 420303100202）"
    conflicts: int = 0
    from_seq: int = 0
    to_seq: int = 0
    gaps: list[list[int]] = field(default_factory=list)
    reason: str = ""
    reason_code: str = ""
    quarantined: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @property
    def gap_text(self) -> str:
        return "；".join(f"第 {a}–{b} 号变更尚未收到" for a, b in self.gaps)


def _already_imported(con: sqlite3.Connection, sha: str) -> bool:
    return con.execute("SELECT 1 FROM sync_bundle WHERE sha256 = ? AND direction = 'in'",
                       (sha,)).fetchone() is not None


def import_bundle(store: Store, path: Path, *, operator_id: str | None = None,
                  trial: bool = False) -> Imported:
    """Verify then apply one bundle, all or nothing. Never raises for a bad bundle:
    the result says ``refused`` with the reason, and the file is quarantined.

    ``trial`` runs the whole merge and rolls it back: the result says what an
    import would do (or why it would be refused), and nothing is kept or quarantined.
    """
    path = Path(path)
    result = Imported(file=path.name)
    try:
        # A replay is recognised before any work: same file bytes, same outcome.
        try:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            sha = ""
        con = _connect(store)
        try:
            if sha and _already_imported(con, sha):
                row = con.execute("SELECT sender, from_seq, to_seq FROM sync_bundle WHERE sha256 = ? "
                                  "AND direction = 'in'", (sha,)).fetchone()
                result.status, result.sender = "duplicate", row[0]
                result.from_seq, result.to_seq = row[1], row[2]
                return result
        finally:
            con.close()
        checked = check_bundle(store, path)
        result.sender, result.sender_name = checked.sender, checked.peer["name"]
        _apply(store, checked, result, operator_id, trial=trial)
    except c.BundleRefused as exc:
        result.status, result.reason, result.reason_code = "refused", exc.user_text(), exc.code
        if not trial:
            q = _quarantine(store, path, exc)
            result.quarantined = str(q) if q else ""
    return result


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


class _Merger:
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
        for chunk in _chunks(ids):
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


def _apply(store: Store, checked: Checked, result: Imported, operator_id: str | None, *,
           trial: bool = False) -> None:
    man = checked.manifest
    my_code = store.meta("station_code") or ""
    con = _connect(store)
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            # A concurrent import of the same file may have won the lock first.
            if _already_imported(con, checked.opened.sha256):
                result.status = "duplicate"
                con.execute("ROLLBACK")
                return
            con.execute("PRAGMA defer_foreign_keys = ON")
            con.execute("UPDATE write_context SET operator_id = ?, origin = ?, applying = 1 "
                        "WHERE id = 1", (operator_id, checked.sender))
            merger = _Merger(con, checked, my_code, result)
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
                con.execute("ROLLBACK")
                return
            if checked.peer["relation"] == "station":
                # County home page figures of the sender, current with its rows (issue 7).
                county_summary.refresh_after_import(con, checked.sender)
            con.execute("COMMIT")
        except sqlite3.IntegrityError as exc:
            con.execute("ROLLBACK")
            _reset_counts(result)
            if "id_number" in str(exc):
                raise c.refuse(
                    "duplicate_person", "数据包中有人员的身份证号已在本县其他服务站建档（同一人被两个服务站登记），未导入。",
                    "请核实此人实际居住的服务站，在另一服务站删除或由县里办理迁移后，再重新导出。",
                    detail=str(exc)) from exc
            raise c.refuse("bad_record", "数据包里的记录与本站数据对不上（缺少它们所属的人员等），未导入。",
                           "请先导入这个服务站更早的数据包，或请它重新导出。", detail=str(exc)) from exc
        except BaseException:
            con.execute("ROLLBACK")
            _reset_counts(result)
            raise
    finally:
        con.close()


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


# --- many bundles at once (the county's USB stick) ----------------------------


def find_bundles(paths: Iterable[Path]) -> list[Path]:
    """Bundle files among ``paths`` (files or folders, searched one level deep)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(q for q in p.iterdir() if q.is_file() and q.suffix == c.SUFFIX))
        else:
            found.append(p)
    return found


def _order_key(path: Path) -> tuple[str, str]:
    """Import each sender's bundles oldest first (the name carries sender and time)."""
    return (path.name.split("-to-")[0], path.name)


def _addressed_elsewhere(path: Path, me: str | None) -> Imported | None:
    """A sound bundle in a shared folder that is for another station: skipped, not refused.

    One stick often carries the county's return bundles for several villages;
    each village imports the folder and takes only its own. Anything that is
    not a sound bundle goes on to the full check (and its refusal)."""
    try:
        if path.stat().st_size > c.MAX_FILE:
            return None
        man = c.open_bundle(path.read_bytes()).manifest
    except (OSError, c.BundleRefused):
        return None
    if man["recipient"]["code"] == me:
        return None
    to = man["recipient"]["code"]
    return Imported(file=path.name, sender=man["sender"]["code"], status="skipped",
                    reason=f"这个数据包是发给 {to} 的，不是本站的，已跳过（没有导入，也没有改动）。",
                    reason_code="not_for_us")


def import_many(store: Store, paths: Iterable[Path], *, operator_id: str | None = None,
                progress: Progress | None = None,
                cancelled: Callable[[], bool] | None = None) -> list[Imported]:
    """Import every bundle found, each all or nothing; return one result per file."""
    paths = [Path(p) for p in paths]
    named = {p for p in paths if not p.is_dir()}  # chosen one by one: checked in full
    files = sorted(find_bundles(paths), key=_order_key)
    results: list[Imported] = []
    me = store.meta("station_code")
    for i, path in enumerate(files):
        if cancelled is not None and cancelled():
            break
        if progress is not None:
            progress(i, len(files), path.name)
        other = None if path in named else _addressed_elsewhere(path, me)
        results.append(other or import_bundle(store, path, operator_id=operator_id))
    if progress is not None:
        progress(len(files), len(files), "")
    return results


def gap_messages(store: Store) -> list[str]:
    """“村A：第 120–180 号变更尚未收到” for every peer with a gap."""
    con = _connect(store)
    try:
        out = []
        for code, name, gaps in con.execute("SELECT code, name, gaps FROM sync_peer "
                                            "WHERE gaps != '[]' ORDER BY code"):
            for a, b in json.loads(gaps):
                out.append(f"{name}（{code}）：第 {a}–{b} 号变更尚未收到")
        return out
    finally:
        con.close()

