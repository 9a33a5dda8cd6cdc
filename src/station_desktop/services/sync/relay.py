"""A town carries villages' bundles on to the county and records each one it carried."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from station_desktop.domain.progress import Progress
from station_desktop.services.sync.batch import each
from station_desktop.store.db import Store
from station_desktop.store.models import utc_now
from station_desktop.sync.relay import Relayed, carry, relay_target
from station_desktop.sync.verify import find_bundles


def relay(store: Store, paths: list[Path], out: Path, *, operator_id: str | None = None,
          progress: Progress | None = None) -> list[Relayed]:
    """Copy every bundle found that is for our county into ``out``; one result per file.

    A cancel stops before the next file; what was carried is kept and reported.
    """
    county = relay_target(store)
    me = store.meta("station_code")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results: list[Relayed] = []
    for path in each(find_bundles(paths), progress):
        r, data, man = carry(path, me, county["code"], out)
        results.append(r)
        if man is None:
            continue
        with store.raw_write(operator_id) as con:
            con.execute(
                "INSERT INTO sync_bundle (at, direction, sha256, sender, recipient, kind, from_seq, "
                "to_seq, created_at, file_name, operator_id, report) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (utc_now(), "relayed", hashlib.sha256(data).hexdigest(), r.sender, r.recipient,
                 man["kind"], r.from_seq, r.to_seq, man["created_at"], path.name, operator_id,
                 json.dumps({"counts": man.get("counts", {})}, ensure_ascii=False)))
    return results
