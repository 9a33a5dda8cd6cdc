"""Restoring a backup under the running program: close the open file, restore, reopen.

The GUI restores while it runs: the service it works through is closed, the
file replaced (the old one kept aside by ``store.backup.restore``) and the
new one opened; whoever acted stays signed in if the backup knows them. A
failed restore reopens the old file into the service, so the program keeps
working.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from station_desktop.domain.progress import Progress
from station_desktop.services.backups import restore_data_dir
from station_desktop.services.opening import open_store
from station_desktop.services.station import Service
from station_desktop.store import backup as backups
from station_desktop.store.auth import usable_operator
from station_desktop.store.db import Store


@dataclass(frozen=True)
class RestoreResult:
    summary: backups.BackupSummary
    kept: Path | None  # where the database before the restore was kept
    operator_id: str | None
    store: Store  # the reopened database, swapped into the context on the GUI thread


def open_backup(source: Path, data_dir: Path,
                code: str | None = None) -> tuple[Path, backups.BackupSummary]:
    """The backup ``source`` made ready to restore, and what it holds.

    An encrypted one is decrypted into ``data_dir`` with ``code`` or the one
    this PC keeps; the plain copy is removed again if it will not read.
    """
    plain = backups.unseal_for_restore(source, data_dir, code)
    try:
        return plain, backups.summarize(plain)
    except BaseException:
        backups.discard_unsealed(source, plain)
        raise


def restore_running(service: Service, source: Path, progress: Progress | None = None, *,
                    label: Path | None = None) -> RestoreResult:
    """Replace ``service``'s open database with the backup ``source``; the new one is returned.

    The backup is checked before anything is closed; the store is closed, the
    file restored, reopened through ``open_store`` (which migrates an older
    backup), and the search index rebuilt. On success ``service.operator_id``
    is one the backup knows, and the caller swaps ``result.store`` in (in
    the GUI, on its own thread); on failure the old file is open again in
    ``service.store`` and the error raised.
    """
    source = Path(source)
    backups.summarize(source)  # refuse a bad file while the store is still open
    old = service.store
    data_dir = old.path.parent
    old.close()
    try:
        new, summary, kept = restore_data_dir(
            data_dir, source, operator_id=service.operator_id, progress=progress,
            label=label)
    except BaseException:
        service.store = open_store(data_dir, daily_backup=False)
        raise
    operator = usable_operator(new, service.operator_id)
    service.operator_id = operator
    return RestoreResult(summary, kept, operator, new)
