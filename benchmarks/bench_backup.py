"""Backing up a 100 000-person database: the copy, and the verified backup as the program makes it.

    python benchmarks/bench_backup.py [--persons 100000] [--visits 1000000] [--out FILE]

Target (issue 6): under 5 s. ``backup_file`` is the SQLite backup-API copy
to a ``.part`` name and the rename (what the daily backup and a migration do);
``backup`` adds reading both files back (quick_check and counts) and the
audit entry (what 备份 and ``station-desktop backup`` do). Runs on a copy of
the cached roster so the audit entries do not change it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import OUT, build_roster, timed, write_out  # noqa: E402

from station_desktop.services.backups import backup  # noqa: E402
from station_desktop.store.backup import backup_file, summarize  # noqa: E402
from station_desktop.store.db import DB_FILENAME  # noqa: E402
from station_desktop.services import open_store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--visits", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out")
    args = ap.parse_args()
    source = build_roster(OUT / f"roster-{args.persons}", args.persons, args.visits)
    work = OUT / "backup-bench"
    shutil.rmtree(work, ignore_errors=True)
    (work / "data").mkdir(parents=True)
    db = work / "data" / DB_FILENAME
    shutil.copy(source / DB_FILENAME, db)
    dest = work / "usb" / "backup.sqlite3"
    # The cached roster may predate the newest migration: bring the copy up to date.
    store = open_store(work / "data", daily_backup=False)
    shutil.rmtree(work / "data" / "backups", ignore_errors=True)
    try:
        result = {
            "persons": args.persons, "visits": args.visits,
            "db_mb": round(db.stat().st_size / 1e6, 1),
            "backup_file_ms": timed(lambda: backup_file(db, dest), args.repeat),
            "summarize_ms": timed(lambda: summarize(dest), args.repeat),
            "verified_backup_ms": timed(lambda: backup(store, dest), args.repeat),
            "backup_mb": round(dest.stat().st_size / 1e6, 1),
            "target_ms": 5000,
        }
    finally:
        store.close()
        shutil.rmtree(work, ignore_errors=True)
    write_out(args.out, result)


if __name__ == "__main__":
    main()
