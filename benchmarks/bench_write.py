"""Bulk write speed: the program's captured bulk path against a plain executemany.

    python benchmarks/bench_write.py [--persons 100000] [--visits 1000000] [--out FILE]

Rows come from :func:`station_desktop.services.demo.make_persons` and
:func:`~station_desktop.services.demo.make_visits` (deterministic for ``--seed``),
generated once, outside the timings. Then, each into a fresh migrated
database in the same pragmas (WAL, ``synchronous=FULL``, foreign keys on):

* ``program``: ``Store.raw_write()`` + ``executemany`` in one transaction
  (the bulk path the demo and importers use); the capture triggers stamp
  every row's clock and log it to ``change_log``, the search trigger queues
  each person for indexing.
* ``program_sqlite_utils``: the same through ``sqlite_utils.Database(conn)``
  ``insert_all`` (multi-row INSERT statements).
* ``plain``: a bare ``sqlite3`` connection, ``executemany`` in one transaction,
  with the ``capture_*`` and ``search_*`` triggers dropped.

Each time covers BEGIN to COMMIT. The ratio is program ÷ plain rows/second;
the difference is the price of change capture.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlite_utils

from station_desktop.services.demo import insert_rows, make_persons, make_visits
from station_desktop.services import open_store

STATION = "420303100201"


def _fresh_store(root: Path, name: str):  # noqa: ANN202 - Store
    return open_store(root / name, daily_backup=False)


def run_program(root: Path, persons: list[dict], visits: list[dict]) -> dict[str, Any]:
    store = _fresh_store(root, "program")
    start = time.perf_counter()
    with store.raw_write() as conn:
        insert_rows(conn, "person", persons)
        insert_rows(conn, "visit", visits)
    seconds = time.perf_counter() - start
    logged = _count(store.path, "change_log")
    store.close()
    return {"seconds": seconds, "change_log_rows": logged, "file_bytes": _size(store.path)}


def run_program_sqlite_utils(root: Path, persons: list[dict], visits: list[dict]) -> dict[str, Any]:
    store = _fresh_store(root, "program_sqlite_utils")
    start = time.perf_counter()
    with store.raw_write() as conn:
        # Leave the pooled connection's pragmas alone (sqlite-utils would turn
        # recursive_triggers on).
        db = sqlite_utils.Database(conn, recursive_triggers=False)
        db["person"].insert_all(persons, batch_size=1000)
        db["visit"].insert_all(visits, batch_size=1000)
    seconds = time.perf_counter() - start
    logged = _count(store.path, "change_log")
    store.close()
    return {"seconds": seconds, "change_log_rows": logged, "file_bytes": _size(store.path)}


def run_plain(root: Path, persons: list[dict], visits: list[dict]) -> dict[str, Any]:
    store = _fresh_store(root, "plain")
    path = store.path
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    triggers = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' "
        "AND (name LIKE 'capture\\_%' ESCAPE '\\' OR name LIKE 'search\\_%' ESCAPE '\\')")]
    for name in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    insert_rows(conn, "person", persons)
    insert_rows(conn, "visit", visits)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return {"seconds": seconds, "dropped_triggers": len(triggers),
            "change_log_rows": _count(path, "change_log"), "file_bytes": _size(path)}


def _count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    finally:
        con.close()


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 23))
    parser.add_argument("--dir", type=Path, help="where to put the databases (default: a temp dir)")
    parser.add_argument("--skip-sqlite-utils", action="store_true",
                        help="time only the executemany program path and the plain path")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)

    t = time.perf_counter()
    rng = random.Random(args.seed)
    persons = make_persons(rng, args.persons, STATION, args.today)
    visits = make_visits(rng, persons, args.visits, args.today)
    generated = time.perf_counter() - t
    rows = len(persons) + len(visits)
    print(f"generated {len(persons):,} persons + {len(visits):,} visits in {generated:.1f} s "
          "(not timed below)")

    runs: list[tuple[str, Callable[..., dict[str, Any]]]] = [
        ("program", run_program), ("plain", run_plain)]
    if not args.skip_sqlite_utils:
        runs.insert(1, ("program_sqlite_utils", run_program_sqlite_utils))
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for name, run in runs:
            res = run(Path(tmp), persons, visits)
            res["rows"] = rows
            res["rows_per_second"] = round(rows / res["seconds"])
            results[name] = res
            print(f"{name:22s} {res['seconds']:8.2f} s  {res['rows_per_second']:>10,} rows/s  "
                  f"change_log {res['change_log_rows']:,}  file {res['file_bytes'] / 2**20:,.0f} MiB")
    for name in ("program", "program_sqlite_utils"):
        if name in results:
            assert results[name]["change_log_rows"] == rows, "capture missed rows"
            results[name]["ratio_to_plain"] = round(
                results[name]["rows_per_second"] / results["plain"]["rows_per_second"], 3)
            print(f"ratio {name} ÷ plain: {results[name]['ratio_to_plain']:.3f}")
    report = {
        "benchmark": "bench_write",
        "persons": len(persons),
        "visits": len(visits),
        "seed": args.seed,
        "generation_seconds": round(generated, 2),
        "results": results,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlite_utils": metadata.version("sqlite-utils"),
        "platform": platform.platform(),
    }
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
