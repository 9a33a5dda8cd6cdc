"""Opening a data dir: check the file, back it up, migrate it, refuse what is too new.

Opening writes (the migration, the file's application id, the planner's
statistics, the daily backup's bookkeeping), so it is a services function
like every other write.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from station_desktop.store.backup import backup_file, backups_dir, rotate_daily
from station_desktop.store.db import DB_FILENAME, Store, make_engine
from station_desktop.store.migrate import SCHEMA_HEAD, check_openable, set_application_id, upgrade


def open_store(data_dir: Path, *, migrate: bool = True, daily_backup: bool = True) -> Store:
    """Open (creating if needed) the station database in ``data_dir``.

    Order matters: check the file read-only, refuse a newer schema, back up
    with the SQLite backup API, then migrate. Nothing is written before the
    checks pass.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DB_FILENAME
    existed = path.exists() and path.stat().st_size > 0
    rev = check_openable(path) if existed else None
    store = Store(path, make_engine(path))
    if migrate and rev != SCHEMA_HEAD:
        if existed:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            backup_file(path, backups_dir(data_dir) / f"before-upgrade-{rev}-{stamp}.sqlite3")
        upgrade(store)
        with store.engine.begin() as conn:
            set_application_id(conn)
    store.analyze(only_if_stale=True)
    if existed and daily_backup:
        rotate_daily(store)
    return store
