"""Opening a 100 000-person database: quick_check, revision check, migrations, daily backup.

    python benchmarks/bench_open.py [--persons 100000] [--visits 1000000] [--out FILE]

Target (issue 2): under 1 s. The first open of a day also writes the daily
backup; that is reported separately.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import OUT, build_roster, timed, write_out  # noqa: E402

from station_desktop.store.db import quick_check  # noqa: E402
from station_desktop.store.migrate import current_revision, known_revisions# noqa: E402
from station_desktop.services import open_store


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--visits", type=int, default=1_000_000)
    ap.add_argument("--out")
    args = ap.parse_args()
    data_dir = build_roster(OUT / f"roster-{args.persons}", args.persons, args.visits)
    db = data_dir / "station.sqlite3"
    size_mb = db.stat().st_size / 1e6

    def normal_open() -> None:
        open_store(data_dir).close()

    def first_open_of_day() -> None:
        shutil.rmtree(data_dir / "backups", ignore_errors=True)
        open_store(data_dir).close()

    normal_open()  # warm the page cache as a PC that has opened the file before
    result = {
        "persons": args.persons, "visits": args.visits, "db_mb": round(size_mb, 1),
        "open_ms": timed(normal_open, 7),
        "quick_check_ms": timed(lambda: quick_check(db), 5),
        "revision_check_ms": timed(lambda: (current_revision(db), known_revisions()), 5),
        "first_open_of_day_with_backup_ms": timed(first_open_of_day, 3),
        "target_ms": 1000,
    }
    write_out(args.out, result)


if __name__ == "__main__":
    main()
