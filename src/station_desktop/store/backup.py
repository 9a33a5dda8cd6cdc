"""Backups with the SQLite backup API (never a file copy under WAL), and restore."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from station_desktop.domain.errors import StorageError

if TYPE_CHECKING:
    from station_desktop.store.db import Store

DAILY_PREFIX = "daily-"
DEFAULT_KEEP_DAYS = 30


def backups_dir(data_dir: Path) -> Path:
    d = Path(data_dir) / "backups"
    d.mkdir(parents=True, exist_ok=True)
    return d


def backup_file(src: Path, dest: Path) -> Path:
    """Copy the database at ``src`` to ``dest`` consistently, even while it is in use.

    Writes to a temporary name first and renames, so a power cut never leaves
    a half-written file under the final name.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(tmp)
    try:
        source.backup(target)
        # A backup is a single self-contained file: no WAL beside it.
        target.execute("PRAGMA journal_mode = DELETE")
    finally:
        target.close()
        source.close()
    tmp.replace(dest)
    return dest


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    station_code: str | None
    station_name: str | None
    revision: str | None
    last_change_at: str | None
    counts: dict[str, int]


_COUNTED = ("person", "visit", "aid_application", "dispute_case", "honour", "change_log")


def summarize(path: Path) -> BackupSummary:
    """What a backup holds (for the restore preview), refusing files that are not ours."""
    from station_desktop.store.db import quick_check

    quick_check(path)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"meta", "alembic_version", "person"} <= tables:
            raise StorageError(
                f"文件“{path}”不是服务站数据备份。", hint="请选择以 .sqlite3 结尾的备份文件。",
                code="foreign",
            )
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        rev = con.execute("SELECT version_num FROM alembic_version").fetchone()
        counts = {}
        for t in _COUNTED:
            where = " WHERE deleted_at IS NULL" if t != "change_log" else ""
            counts[t] = con.execute(f"SELECT count(*) FROM {t}{where}").fetchone()[0]
        last = con.execute("SELECT max(at) FROM change_log").fetchone()[0]
    finally:
        con.close()
    return BackupSummary(
        path=Path(path),
        station_code=meta.get("station_code"),
        station_name=meta.get("station_name"),
        revision=rev[0] if rev else None,
        last_change_at=last,
        counts=counts,
    )


def backup(store: Store, dest: Path, *, operator_id: str | None = None) -> BackupSummary:
    """Back up to ``dest``, verify what was written by reading it back, note it in the audit log."""
    from station_desktop.store.models import AuditEvent

    backup_file(store.path, dest)
    written = summarize(dest)
    live = summarize(store.path)
    if written.counts != live.counts:  # pragma: no cover - would mean a broken medium
        raise StorageError(
            f"备份文件“{dest}”校验不一致。", hint="请换一个U盘或文件夹再备份一次。",
            code="backup_mismatch",
        )
    with store.write(operator_id) as s:
        s.add(AuditEvent(action="backup", operator_id=operator_id, detail={"file": str(dest)}))
    return written


def rotate_daily(store: Store, keep_days: int = DEFAULT_KEEP_DAYS, today: date | None = None) -> Path | None:
    """Make today's backup if there is none yet, and drop daily backups older than ``keep_days``."""
    today = today or date.today()
    folder = backups_dir(store.path.parent)
    target = folder / f"{DAILY_PREFIX}{today:%Y%m%d}.sqlite3"
    made = None
    if not target.exists():
        made = backup_file(store.path, target)
    cutoff = today - timedelta(days=keep_days)
    for old in folder.glob(f"{DAILY_PREFIX}*.sqlite3"):
        try:
            stamp = datetime.strptime(old.stem[len(DAILY_PREFIX):], "%Y%m%d").date()
        except ValueError:
            continue
        if stamp < cutoff:
            old.unlink()
    return made


def restore(data_dir: Path, source: Path) -> tuple[BackupSummary, Path | None]:
    """Replace the database in ``data_dir`` with the backup ``source``.

    The backup is checked first (ours, healthy, a schema this program knows);
    the current database is kept aside as ``before-restore-*.sqlite3``. The
    caller must have closed its Store. Returns the summary and the kept copy.
    """
    from station_desktop.store.db import DB_FILENAME
    from station_desktop.store.migrate import known_revisions

    summary = summarize(source)
    if summary.revision not in known_revisions():
        raise StorageError(
            "这个备份来自更新版本的程序，本程序无法恢复它。", hint="请先安装最新版本的程序。",
            code="too_new",
        )
    live = Path(data_dir) / DB_FILENAME
    kept = None
    if live.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = backup_file(live, backups_dir(data_dir) / f"before-restore-{stamp}.sqlite3")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(live)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
    finally:
        dst.close()
        src.close()
    return summary, kept


def restore_data_dir(
    data_dir: Path, source: Path, *, operator_id: str | None = None, progress=None,  # noqa: ANN001
) -> tuple[Store, BackupSummary, Path | None]:
    """Restore ``source`` into ``data_dir`` and reopen it, ready to use.

    The one restore path for the CLI and the GUI: the backup is checked, the
    current file kept aside, the copy made, the search index rebuilt and the
    restore written to the audit log. The caller must have closed its Store;
    a refused restore changes nothing, and the caller reopens its own file.
    """
    from station_desktop.store.migrate import open_store
    from station_desktop.store.models import AuditEvent
    from station_desktop.store.search import rebuild_index

    step = progress or (lambda _done, _total: None)
    step(0, 3)
    summary, kept = restore(data_dir, source)
    store = open_store(data_dir, daily_backup=False)
    step(1, 3)
    rebuild_index(store)
    step(2, 3)
    with store.write(operator_id) as s:
        from sqlalchemy import text

        known = s.execute(text("SELECT 1 FROM operator WHERE id = :i"), {"i": operator_id}).first()
        operator_id = operator_id if known else None
        s.add(AuditEvent(action="restore", operator_id=operator_id,
                         detail={"file": str(source), "kept": str(kept) if kept else None}))
    step(3, 3)
    return store, summary, kept
