"""Town relay (乡镇): carry villages' bundles on to the county, unchanged and unread.

A town installation cannot decrypt a bundle addressed to the county; it
checks what it can without the key (the container, that the payload matches
its signed hash, that the county it serves is the recipient), copies the file
byte for byte, and keeps a record of what it carried.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from station_desktop.domain.errors import StationError
from station_desktop.store.db import Store
from station_desktop.store.models import utc_now
from station_desktop.sync import container as c
from station_desktop.sync.bundle import _connect, county_peer, find_bundles


@dataclass
class Relayed:
    file: str
    sender: str = ""
    recipient: str = ""
    from_seq: int = 0
    to_seq: int = 0
    status: str = "relayed"  # relayed / skipped / refused
    reason: str = ""


def relay(store: Store, paths: list[Path], out: Path, *, operator_id: str | None = None,
          progress: Callable[[int, int, str], None] | None = None,
          cancelled: Callable[[], bool] | None = None) -> list[Relayed]:
    if store.meta("role") != "town":
        raise StationError("只有乡镇（街道）服务站可以转交数据包。",
                           hint="村服务站请直接把数据包交县服务中心导入。")
    county = county_peer(store)
    if county is None:
        raise StationError("本站还没有在县服务中心登记，不知道该转交给谁。",
                           hint="请先完成登记（enroll request / apply）。")
    me = store.meta("station_code")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results: list[Relayed] = []
    con = _connect(store)
    try:
        files = find_bundles(paths)
        for i, path in enumerate(files):
            if cancelled is not None and cancelled():
                break
            if progress is not None:
                progress(i, len(files), path.name)
            r = Relayed(file=path.name)
            results.append(r)
            try:
                data = path.read_bytes()
                opened = c.open_bundle(data)
                c.check_payload_hash(opened)
            except (OSError, c.BundleRefused) as exc:
                r.status = "refused"
                r.reason = exc.user_text() if isinstance(exc, StationError) else str(exc)
                continue
            man = opened.manifest
            r.sender, r.recipient = man["sender"]["code"], man["recipient"]["code"]
            r.from_seq, r.to_seq = man["seq"]["from"], man["seq"]["to"]
            if r.recipient == me:
                r.status, r.reason = "skipped", "这个数据包是发给本站的，请用“导入”而不是“转交”。"
                continue
            if r.recipient != county["code"]:
                r.status, r.reason = "refused", f"收件方 {r.recipient} 不是本站所属的县服务中心。"
                continue
            dest = out / path.name
            if not (dest.exists() and dest.read_bytes() == data):
                shutil.copyfile(path, dest.with_name(dest.name + ".part"))
                dest.with_name(dest.name + ".part").replace(dest)
            con.execute("BEGIN IMMEDIATE")
            con.execute(
                "INSERT INTO sync_bundle (at, direction, sha256, sender, recipient, kind, from_seq, "
                "to_seq, created_at, file_name, operator_id, report) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (utc_now(), "relayed", hashlib.sha256(data).hexdigest(), r.sender, r.recipient,
                 man["kind"], r.from_seq, r.to_seq, man["created_at"], path.name, operator_id,
                 json.dumps({"counts": man.get("counts", {})}, ensure_ascii=False)))
            con.execute("COMMIT")
    finally:
        con.close()
    return results
