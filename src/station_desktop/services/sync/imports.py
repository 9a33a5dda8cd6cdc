"""Importing bundles: check, then merge in one transaction; a refused file is kept aside.

:func:`import_bundle` verifies everything first
(:func:`station_desktop.sync.verify.check_bundle`), then
:func:`station_desktop.services.sync.merge.apply` merges it all or nothing.
A refused bundle changes nothing in the database and is copied into
``<data dir>/quarantine`` with a note of the reason. ``trial`` runs the
whole merge and rolls it back (``bundle verify``).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from station_desktop.domain.errors import StationError
from station_desktop.domain.progress import Progress
from station_desktop.services.sync.batch import each
from station_desktop.services.sync.merge import apply
from station_desktop.store.db import Store
from station_desktop.sync import container as c
from station_desktop.sync.report import Imported
from station_desktop.sync.verify import (
    addressed_elsewhere,
    check_bundle,
    find_bundles,
    imported_before,
    order_key,
)


def quarantine(store: Store, path: Path, error: StationError) -> Path | None:
    """Copy a refused bundle into ``<data dir>/quarantine`` beside a note of the reason."""
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
        if sha:
            with store.raw_read() as con:
                row = imported_before(con, sha)
            if row is not None:
                result.status, result.sender = "duplicate", row[0]
                result.from_seq, result.to_seq = row[1], row[2]
                return result
        checked = check_bundle(store, path)
        result.sender, result.sender_name = checked.sender, checked.peer["name"]
        apply(store, checked, result, operator_id, trial=trial)
    except c.BundleRefused as exc:
        result.status, result.reason, result.reason_code = "refused", exc.user_text(), exc.code
        if not trial:
            q = quarantine(store, path, exc)
            result.quarantined = str(q) if q else ""
    return result


def import_many(store: Store, paths: Iterable[Path], *, operator_id: str | None = None,
                progress: Progress | None = None) -> list[Imported]:
    """Import every bundle found, each all or nothing; return one result per file.

    A cancel stops before the next file; the files already imported stay and
    are in the results.
    """
    paths = [Path(p) for p in paths]
    named = {p for p in paths if not p.is_dir()}  # chosen one by one: checked in full
    files = sorted(find_bundles(paths), key=order_key)
    results: list[Imported] = []
    me = store.meta("station_code")
    for path in each(files, progress):
        other = None if path in named else addressed_elsewhere(path, me)
        results.append(other or import_bundle(store, path, operator_id=operator_id))
    return results
