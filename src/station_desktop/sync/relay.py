"""Town relay (乡镇): carry villages' bundles on to the county, unchanged and unread.

A town installation cannot decrypt a bundle addressed to the county; it
checks what it can without the key (the container, that the payload matches
its signed hash, that the county it serves is the recipient) and copies the
file byte for byte (:func:`carry`). The record of what it carried is written
by :func:`station_desktop.services.sync.relay.relay`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from station_desktop.domain.errors import StationError, os_error_text
from station_desktop.store.db import Store
from station_desktop.sync import container as c
from station_desktop.sync.peers import county_peer


@dataclass
class Relayed:
    file: str
    sender: str = ""
    recipient: str = ""
    from_seq: int = 0
    to_seq: int = 0
    status: str = "relayed"  # relayed / skipped / refused
    reason: str = ""


def relay_target(store: Store) -> dict[str, Any]:
    """The county this town relays to; refuses anything but an enrolled town."""
    if store.meta("role") != "town":
        raise StationError("只有乡镇（街道）服务站可以转交数据包。",
                           hint="村服务站请直接把数据包交县服务中心导入。")
    county = county_peer(store)
    if county is None:
        raise StationError("本站还没有在县服务中心登记，不知道该转交给谁。",
                           hint="请先完成登记（enroll request / apply）。")
    return county


def carry(path: Path, me: str | None, county_code: str, out: Path
          ) -> tuple[Relayed, bytes, dict[str, Any] | None]:
    """Check ``path`` as far as a town can and copy it into ``out``.

    Returns the outcome, the file's bytes and (when it was carried) its manifest.
    """
    r = Relayed(file=path.name)
    try:
        data = path.read_bytes()
        opened = c.open_bundle(data)
        c.check_payload_hash(opened)
    except OSError as exc:
        r.status, r.reason = "refused", os_error_text(exc)
        return r, b"", None
    except c.BundleRefused as exc:
        r.status, r.reason = "refused", exc.user_text()
        return r, b"", None
    man = opened.manifest
    r.sender, r.recipient = man["sender"]["code"], man["recipient"]["code"]
    r.from_seq, r.to_seq = man["seq"]["from"], man["seq"]["to"]
    if r.recipient == me:
        r.status, r.reason = "skipped", "这个数据包是发给本站的，请用“导入”而不是“转交”。"
        return r, data, None
    if r.recipient != county_code:
        r.status, r.reason = "refused", f"收件方 {r.recipient} 不是本站所属的县服务中心。"
        return r, data, None
    dest = out / path.name
    if not (dest.exists() and dest.read_bytes() == data):
        shutil.copyfile(path, dest.with_name(dest.name + ".part"))
        dest.with_name(dest.name + ".part").replace(dest)
    return r, data, man
