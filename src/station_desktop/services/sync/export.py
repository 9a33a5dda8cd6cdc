"""Exporting: build a bundle for a peer, write it to the stick, record that it went out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from station_desktop.domain.errors import NotFoundError, StationError
from station_desktop.domain.progress import Progress
from station_desktop.services.sync.batch import each
from station_desktop.store.db import Store
from station_desktop.sync import container as c
from station_desktop.sync.build import Exported, collect, seal, write_file
from station_desktop.sync.enrol import data_keys, me
from station_desktop.sync.peers import peer as read_peer


def export_bundle(store: Store, to_code: str, out: Path, *, restore: bool = False,
                  operator_id: str | None = None) -> Exported:
    """Write a bundle for ``to_code`` into the folder ``out``; return its path and manifest."""
    keys = data_keys(store)
    mine = me(store, keys)
    # One read transaction: the peer's acknowledgement, the log range and the
    # row images agree.
    with store.raw_read() as con:
        peer = read_peer(con, to_code)
        if peer is None or peer["state"] != "active":
            raise NotFoundError(
                f"服务站 {to_code} 没有登记，或其密钥已注销，不能给它导出数据包。",
                hint="请先完成登记（数据交换 → 登记）。", code="not_enrolled")
        if restore and peer["relation"] != "station":
            raise StationError("只有县级服务中心能为服务站导出恢复包。")
        payload, counts, from_seq, to_seq = collect(con, peer, restore)
    sealed = seal(mine, keys, peer, payload, counts, from_seq, to_seq, restore=restore)
    path = write_file(Path(out), sealed)
    opened = c.open_bundle(sealed.data)  # the manifest as signed, read back from the bytes written
    created = sealed.manifest["created_at"]
    with store.raw_write(operator_id) as con:
        con.execute("UPDATE sync_peer SET last_export_at = ? WHERE code = ?", (created, peer["code"]))
        con.execute(
            "INSERT INTO sync_bundle (at, direction, sha256, sender, recipient, kind, from_seq, "
            "to_seq, created_at, file_name, operator_id, report) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (created, "out", hashlib.sha256(sealed.data).hexdigest(), mine.code, peer["code"],
             sealed.manifest["kind"], from_seq, to_seq, created, sealed.name, operator_id,
             json.dumps({"counts": counts}, ensure_ascii=False)))
    return Exported(path, opened.manifest)


def export_many(store: Store, codes: Sequence[str], out: Path, *, restore: bool = False,
                operator_id: str | None = None,
                progress: Progress | None = None) -> list[Exported]:
    """A bundle for each of ``codes`` (the county's export day); a cancel stops before the
    next, and the bundles already written are returned."""
    return [export_bundle(store, code, out, restore=restore, operator_id=operator_id)
            for code in each(codes, progress)]
