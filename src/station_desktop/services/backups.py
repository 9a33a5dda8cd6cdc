"""Backups and restores as units of work.

The file work (a copy with the SQLite backup API, sealing a file for a USB
stick, checking a backup before it replaces anything) is
:mod:`station_desktop.store.backup`'s. What these actions change in the
database is written here: the audit record of a backup, the keep-days
setting, and, after a restore, the reopened file's search index and its
audit record.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import text

from station_desktop.domain.errors import ValidationError
from station_desktop.domain.progress import Progress, tick
from station_desktop.services.opening import open_store
from station_desktop.store import backup as files
from station_desktop.store import models as m
from station_desktop.store.db import Store
from station_desktop.store.search import reindex_all, session_dbapi


def backup(store: Store, dest: Path, *, operator_id: str | None = None) -> files.BackupSummary:
    """Back up to ``dest``, verify what was written by reading it back, note it in the audit log."""
    written = files.verified_copy(store.path, dest)
    with store.write(operator_id) as s:
        s.add(m.AuditEvent(action="backup", operator_id=operator_id, detail={"file": str(dest)}))
    return written


def usb_backup(store: Store, dest: Path, *, operator_id: str | None = None,
               progress: Progress | None = None) -> files.UsbBackup:
    """An encrypted backup at ``dest`` read back from the medium (see
    :func:`~station_desktop.store.backup.seal_usb_backup`), noted in the audit log:
    the home page's reminder counts from that record."""
    made = files.seal_usb_backup(store, dest, progress=progress)
    with store.write(operator_id) as s:
        s.add(m.AuditEvent(action=files.USB_ACTION, operator_id=operator_id,
                           detail={"file": str(made.path), "bytes": made.size,
                                   "counts": made.summary.counts}))
    return made


def set_daily_keep_days(store: Store, days: int, *, operator_id: str | None = None) -> int:
    """How many days the daily backups are kept (a station setting)."""
    low, high = files.KEEP_DAYS_RANGE
    if not low <= int(days) <= high:
        raise ValidationError("keep_days", f"自动备份保留天数须在 {low}–{high} 天之间。")
    with store.write(operator_id) as s:
        s.merge(m.Meta(key=files.KEEP_DAYS_KEY, value=str(int(days))))
    return int(days)


def restore_data_dir(
    data_dir: Path, source: Path, *, operator_id: str | None = None,
    progress: Progress | None = None, label: Path | None = None,
    also: Sequence[m.AuditEvent] = (),
) -> tuple[Store, files.BackupSummary, Path | None]:
    """Restore ``source`` into ``data_dir`` and reopen it, ready to use.

    The one restore path for the CLI and the GUI: the backup is checked, the
    current file kept aside, the copy made (``store.backup.restore``), the
    file reopened (and migrated) by ``open_store``, then its search index
    rebuilt and the restore written to the audit log in one transaction, with
    the audit records in ``also`` (a recovery's). The caller must have closed
    its Store; a refused restore changes nothing, and the caller reopens its
    own file. ``label`` names the backup in the audit log when ``source`` is
    its decrypted copy. A cancel is honoured only before the copy starts.
    """
    tick(progress, 0, 3)
    summary, kept = files.restore(data_dir, source)
    store = open_store(data_dir, daily_backup=False)
    if progress is not None:
        progress(1, 3)
    try:
        with store.write(operator_id) as s:
            reindex_all(session_dbapi(s))
            if progress is not None:
                progress(2, 3)
            # The restored file may not know the operator who restored it.
            known = s.execute(text("SELECT 1 FROM operator WHERE id = :i"),
                              {"i": operator_id}).first()
            s.add(m.AuditEvent(action="restore", operator_id=operator_id if known else None,
                               detail={"file": str(label or source),
                                       "kept": str(kept) if kept else None}))
            s.add_all(also)
    except BaseException:
        store.close()  # the caller reopens the file itself
        raise
    if progress is not None:
        progress(3, 3)
    return store, summary, kept
