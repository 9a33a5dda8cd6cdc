"""Verifying a bundle: every check short of applying it, reading only.

:func:`check_bundle` checks the container, the sender's enrolment and
signature, the recipient, the payload hash, the format and schema versions,
and every record (:func:`check_payload`). A bundle that fails any check is
refused (:class:`~station_desktop.sync.container.BundleRefused`) before
anything is written. Applying a checked bundle is
:mod:`station_desktop.services.sync.imports`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from station_desktop.domain.errors import os_error_text
from station_desktop.store.db import Store
from station_desktop.store.migrate import SYNC_SCHEMA
from station_desktop.sync import container as c
from station_desktop.sync.build import CHANGES, RESTORE
from station_desktop.sync.enrol import data_keys
from station_desktop.sync.peers import peer as read_peer
from station_desktop.sync.records import (
    CODE_PATTERN,
    COUNTY_OWNED,
    ID_PATTERN,
    TABLES,
    BadRecord,
    TableCheck,
)
from station_desktop.sync.report import Imported


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


def schema_number(text: str) -> int:
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
    peer = read_peer(con, sender)
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
    if schema_number(man["schema"]) > schema_number(SYNC_SCHEMA):
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


def check_bundle(store: Store, path: Path) -> Checked:
    """Every check short of applying. Raises BundleRefused (nothing is written)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > c.MAX_FILE:
            raise c.refuse("too_large", "数据包超过 1 GB，不像本程序导出的文件。", "请检查所选文件。")
        data = path.read_bytes()
    except OSError as exc:
        # The reason in words, never the system's English errno text.
        raise c.refuse("unreadable", f"无法读取文件 {path.name}：{os_error_text(exc)}", "") from exc
    opened = c.open_bundle(data)
    with store.raw_read() as con:
        peer = check_manifest(store, opened, con)
    payload = c.unseal(opened, data_keys(store).encryption)
    check_payload(payload, peer, store.meta("station_code") or "")
    return Checked(path, opened, payload, peer)


def imported_before(con: sqlite3.Connection, sha: str) -> tuple[str, int, int] | None:
    """(sender, from_seq, to_seq) if a bundle with these bytes was imported here already."""
    return con.execute("SELECT sender, from_seq, to_seq FROM sync_bundle WHERE sha256 = ? "
                       "AND direction = 'in'", (sha,)).fetchone()


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


def order_key(path: Path) -> tuple[str, str]:
    """Import each sender's bundles oldest first (the name carries sender and time)."""
    return (path.name.split("-to-")[0], path.name)


def addressed_elsewhere(path: Path, me: str | None) -> Imported | None:
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
