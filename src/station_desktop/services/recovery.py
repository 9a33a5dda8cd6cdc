"""Start-up recovery as a unit of work: keep the damaged file aside and restore a good backup.

What is wrong with the file, which backups verify and how the damaged
files are moved aside is :mod:`station_desktop.store.recovery`'s (files
only, nothing written to a database); here the backup is restored into the
data dir and the recovery written to its audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from station_desktop.domain.errors import StorageError
from station_desktop.domain.progress import Progress
from station_desktop.services.backups import restore_data_dir
from station_desktop.store import models as m
from station_desktop.store.backup import BackupSummary
from station_desktop.store.db import Store
from station_desktop.store.recovery import set_aside, verify_backup


@dataclass
class RecoveryResult:
    store: Store
    summary: BackupSummary
    damaged_dir: Path | None
    moved: list[Path] = field(default_factory=list)


def recover(
    data_dir: Path, backup: Path, *, problem: str | None = None,
    operator_id: str | None = None, progress: Progress | None = None,
) -> RecoveryResult:
    """Keep the damaged file aside and restore ``backup`` into ``data_dir``, ready to use.

    The backup is verified before anything is moved, so a refused backup
    changes nothing. The caller must not hold the database open.
    """
    choice = verify_backup(backup)
    if not choice.good:
        raise StorageError(f"备份文件“{backup}”不能使用：{choice.error}。",
                           hint="请选择另一个备份。", code="bad_backup")
    damaged_dir, moved = set_aside(data_dir)
    recovered = m.AuditEvent(action="recover", operator_id=None, detail={
        "file": str(backup), "problem": problem,
        "damaged": str(damaged_dir) if damaged_dir else None})
    store, summary, _kept = restore_data_dir(data_dir, Path(backup), operator_id=operator_id,
                                             progress=progress, also=[recovered])
    return RecoveryResult(store, summary, damaged_dir, moved)
