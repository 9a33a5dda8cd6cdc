"""Sync at county size (issue 4 targets).

    python benchmarks/bench_sync.py [--villages 100] [--out benchmarks/out/sync.json]

Builds (once, cached in benchmarks/out/county-sync/) a county and 100 enrolled
villages with 120 persons, 2 400 visits and 200 aid applications each
(12 000 / 240 000 / 20 000 in all), then measures:

- export of a 500-person village's full history (separate village);
- the county import of all 100 villages' first bundles, beside a plain
  ``executemany`` of the same rows into the same tables of a fresh county
  database (same schema and capture triggers, one transaction per village);
- the re-import of the same 100 bundles (all duplicates);
- peak memory (VmHWM) of a separate process doing the county import.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import OUT, TODAY, write_out  # noqa: E402

from station_desktop.services.demo import insert_rows, make_persons, make_visits  # noqa: E402
from station_desktop.services.demo.people import _IdNumbers  # noqa: E402
from station_desktop.services.demo.rows import _blank  # noqa: E402
from station_desktop.services import open_store  # noqa: E402
from station_desktop.store.models import new_id  # noqa: E402
from station_desktop.services import Service
from station_desktop.services.sync import enrolment  # noqa: E402
from station_desktop.services.sync.export import export_bundle  # noqa: E402
from station_desktop.services.sync.imports import import_many  # noqa: E402
from station_desktop.sync import enrol  # noqa: E402
from station_desktop.sync.container import open_bundle, unseal  # noqa: E402
from station_desktop.sync.keys import ensure_keys, load_keys  # noqa: E402

COUNTY = "420303000000"
ROOT = OUT / "county-sync"


def village_code(i: int) -> str:
    return f"420303{100 + i // 10:03d}{201 + i % 10:03d}"


def aid_rows(rng: random.Random, persons: list[dict], n: int, station: str) -> list[dict]:
    rows = []
    for _ in range(n):
        p = persons[rng.randrange(len(persons))]
        row = _blank("aid_application")
        row.update(id=new_id(), station_code=station, created_at="2026-01-01T00:00:00.000Z",
                   updated_at="2026-01-01T00:00:00.000Z", person_id=p["id"],
                   aid_type=rng.choice(("living", "medical", "education", "housing")),
                   fund="county_fund", hardship_kind="general", hardship_state="suspected",
                   cause="生活困难", measures="临时救助", helper="专干",
                   applied_on=date(2026, rng.randint(1, 10), rng.randint(1, 28)).isoformat(),
                   requested_fen=rng.randint(5, 50) * 10000, state="applied")
        rows.append(row)
    return rows


def make_village(root: Path, county_store, code: str, persons: int, visits: int, aid: int,
                 ids: _IdNumbers, seed: int) -> Path:
    d = root / code
    store = open_store(d, daily_backup=False)
    try:
        Service(store, today=TODAY).init_station(role="village", code=code, name=f"村{code[-3:]}",
                                                 parent_code=code[:9] + "000")
        ensure_keys(d)
        req = enrol.request(store, root)
        _p, acc = enrolment.accept(county_store, req.read_bytes(), root)
        enrolment.apply(store, acc.read_bytes())
        rng = random.Random(seed)
        rows = make_persons(rng, persons, code, TODAY, ids=ids)
        with store.raw_write() as con:
            insert_rows(con, "person", rows)
            insert_rows(con, "visit", make_visits(rng, rows, visits, TODAY))
            insert_rows(con, "aid_application", aid_rows(rng, rows, aid, code))
    finally:
        store.close()
    return d


def build(villages: int) -> Path:
    marker = ROOT / f"built-{villages}"
    if marker.exists():
        return ROOT
    shutil.rmtree(ROOT, ignore_errors=True)
    ROOT.mkdir(parents=True)
    county = open_store(ROOT / "county", daily_backup=False)
    Service(county, today=TODAY).init_station(role="county", code=COUNTY, name="基准县服务中心")
    ensure_keys(ROOT / "county")
    ids = _IdNumbers(COUNTY[:6])
    for i in range(villages):
        make_village(ROOT / "villages", county, village_code(i), 120, 2400, 200, ids, seed=i)
    make_village(ROOT / "big", county, "420303199201", 500, 10_000, 800, ids, seed=999)
    county.close()
    marker.touch()
    return ROOT


def fresh_county(dest: Path) -> None:
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(ROOT / "county", dest)


def baseline(bundles: list[Path], county_dir: Path) -> tuple[float, int]:
    """Plain executemany of the bundles' rows into a fresh county database."""
    keys = load_keys(county_dir)
    payloads = [unseal(open_bundle(p.read_bytes()), keys.encryption) for p in bundles]
    con = sqlite3.connect(county_dir / "station.sqlite3", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    n = 0
    t0 = time.perf_counter()
    for payload in payloads:
        con.execute("BEGIN IMMEDIATE")
        for table, block in payload["tables"].items():
            cols = ", ".join(f'"{c}"' for c in block["columns"])
            marks = ", ".join("?" * len(block["columns"]))
            con.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', block["rows"])
            n += len(block["rows"])
        con.execute("COMMIT")
    took = time.perf_counter() - t0
    con.close()
    return took, n


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM: unlike ru_maxrss, reset by exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_import(county_dir: str, stick: str) -> None:
    """Run in a subprocess: import the stick, print JSON with time and peak memory."""
    store = open_store(Path(county_dir), daily_backup=False)
    t0 = time.perf_counter()
    results = import_many(store, [Path(stick)])
    took = time.perf_counter() - t0
    t1 = time.perf_counter()
    again = import_many(store, [Path(stick)])
    took_again = time.perf_counter() - t1
    store.close()
    print(json.dumps({
        "seconds": took, "rows": sum(r.created + r.updated + r.unchanged for r in results),
        "applied": sum(r.status == "applied" for r in results),
        "refused": [r.reason for r in results if r.status == "refused"][:3],
        "reimport_seconds": took_again,
        "reimport_duplicates": sum(r.status == "duplicate" for r in again),
        "peak_rss_mb": peak_rss_mb(),
    }))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=100)
    ap.add_argument("--out")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_import(*args.child)
        return
    t0 = time.perf_counter()
    build(args.villages)
    built = time.perf_counter() - t0
    stick = OUT / "county-sync-stick"
    shutil.rmtree(stick, ignore_errors=True)
    # export: each village's first bundle, and the 500-person village (median of 5)
    export_times = []
    for d in sorted((ROOT / "villages").iterdir()):
        if not d.is_dir():
            continue
        store = open_store(d, daily_backup=False)
        t = time.perf_counter()
        export_bundle(store, COUNTY, stick)
        export_times.append(time.perf_counter() - t)
        store.close()
    big = open_store(ROOT / "big" / "420303199201", daily_backup=False)
    big_times = []
    scratch = OUT / "county-sync-big"
    for _ in range(5):
        shutil.rmtree(scratch, ignore_errors=True)
        t = time.perf_counter()
        done = export_bundle(big, COUNTY, scratch)
        big_times.append(time.perf_counter() - t)
    big_rows = sum(v for k, v in done.counts.items() if not k.startswith("_"))
    big.close()
    bundles = sorted(stick.glob("*.sdbundle"))
    # baseline in-process on a fresh copy of the county
    base_dir = OUT / "county-sync-baseline"
    fresh_county(base_dir)
    base_s, base_rows = baseline(bundles, base_dir)
    # the real import in a child process (clean peak-memory reading)
    imp_dir = OUT / "county-sync-import"
    fresh_county(imp_dir)
    proc = subprocess.run([sys.executable, __file__, "--child", str(imp_dir), str(stick)],
                          capture_output=True, text=True, check=True)
    imp = json.loads(proc.stdout.strip().splitlines()[-1])
    export_times.sort()
    big_times.sort()
    data = {
        "villages": len(bundles), "build_seconds": round(built, 1),
        "bundle_bytes_total": sum(p.stat().st_size for p in bundles),
        "export_village_median_ms": round(export_times[len(export_times) // 2] * 1000, 1),
        "export_500_person_village_median_ms": round(big_times[2] * 1000, 1),
        "export_500_person_village_rows": big_rows,
        "import_seconds": round(imp["seconds"], 2), "import_rows": imp["rows"],
        "import_rows_per_s": round(imp["rows"] / imp["seconds"]),
        "baseline_seconds": round(base_s, 2), "baseline_rows": base_rows,
        "baseline_rows_per_s": round(base_rows / base_s),
        "ratio": round((imp["rows"] / imp["seconds"]) / (base_rows / base_s), 2),
        "applied": imp["applied"], "refused": imp["refused"],
        "reimport_seconds": round(imp["reimport_seconds"], 2),
        "reimport_duplicates": imp["reimport_duplicates"],
        "peak_rss_mb": round(imp["peak_rss_mb"]),
    }
    write_out(args.out, data)


if __name__ == "__main__":
    main()
