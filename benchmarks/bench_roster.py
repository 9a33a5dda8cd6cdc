"""人员档案 speed on a generated county-sized roster, measured offscreen.

    python benchmarks/bench_roster.py [--persons 100000] [--dir DIR] [--repeat 5] [--out FILE]

Generates N persons with :func:`station_desktop.services.demo.make_persons`
(every column filled as the demo does, 80 % with a last contact in the past
400 days), inserts them in one ``store.raw_write()`` with ``executemany``
(capture and search triggers fire as for any import) and builds the search
index. With ``--dir`` an existing database there is reused.

Then, with a real ``RosterPage`` on the offscreen platform:

* **first rows**: from ``RosterPage(ctx)`` and ``show()`` to the first
  screenful painted (the id query on the worker, the model reset, the first
  block of rows read and drawn). The first run is cold: the first page of a
  freshly started process (its first CJK text drawn, catalogues read, a new
  SQLite connection); the median of the following runs is reported too.
* **last row**: ``view.scrollToBottom()``, the last row's data and the
  repaint of the bottom screenful.
* **ids query** per filter and per sort: :func:`roster_ids` alone.

Targets (issue 3): first rows ≤ 200 ms, last row ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from station_desktop.store.db import DB_FILENAME  # noqa: E402
from station_desktop.services.demo import insert_rows, make_persons  # noqa: E402
from station_desktop.services import open_store  # noqa: E402
from station_desktop.store.roster import SORTS, RosterFilter, roster_ids  # noqa: E402
from station_desktop.store.search import refresh_index  # noqa: E402
from station_desktop.services import Service
from station_desktop.ui.config import Config  # noqa: E402
from station_desktop.ui.context import AppContext  # noqa: E402
from station_desktop.ui.ops import Op, shutdown_worker  # noqa: E402
from station_desktop.ui.pages.roster import RosterPage  # noqa: E402

STATION = "420303100201"
TODAY = date(2026, 11, 23)
SEED = 20261123
TARGET_FIRST_MS = 200
TARGET_LAST_MS = 100

FILTERS: dict[str, RosterFilter] = {
    "none": RosterFilter(),
    "category=retired_soldier (common)": RosterFilter(category="retired_soldier"),
    "category=disabled_soldier (rare)": RosterFilter(category="disabled_soldier"),
    "tag=party_member": RosterFilter(tag="party_member"),
    "key_focus": RosterFilter(key_focus=True),
    "overdue": RosterFilter(overdue=True),
    "category+key_focus+overdue": RosterFilter(category="retired_soldier", key_focus=True,
                                               overdue=True),
}


def build(data_dir: Path, n: int) -> dict[str, float]:
    """A fresh station with ``n`` persons; returns the build timings in seconds."""
    store = open_store(data_dir)
    svc = Service(store, today=TODAY)
    svc.init_station(role="village", code=STATION, name="东沟村退役军人服务站",
                     operator_name="王建国")
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    rows = make_persons(rng, n, STATION, TODAY)
    for row in rows:
        if rng.random() < 0.8:
            row["last_contact_on"] = (TODAY - timedelta(days=rng.randint(0, 400))).isoformat()
    t1 = time.perf_counter()
    with store.raw_write() as con:
        for start in range(0, n, 5000):
            insert_rows(con, "person", rows[start:start + 5000])
    t2 = time.perf_counter()
    with store.raw_write() as con:
        refresh_index(con)
    t3 = time.perf_counter()
    store.close()
    return {"generate_s": t1 - t0, "insert_s": t2 - t1, "index_s": t3 - t2}


def pump(app: QApplication, until: Callable[[], bool], timeout: float = 60.0) -> None:
    end = time.perf_counter() + timeout
    while not until():
        app.processEvents()
        if time.perf_counter() > end:
            raise TimeoutError("the page did not finish loading")
        time.sleep(0.0002)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def measure_page(app: QApplication, ctx: AppContext) -> tuple[float, float, RosterPage]:
    """(first rows shown, last row shown) in seconds, for a new page."""
    t0 = time.perf_counter()
    page = RosterPage(ctx)
    page.resize(1050, 700)
    page.show()
    pump(app, lambda: page.loaded and not Op.running)
    model, view = page.model, page.view
    first = model.data(model.index(0, 0))
    view.viewport().repaint()  # paints the first screenful (block load included)
    t1 = time.perf_counter()
    assert first, "no first row"
    t2 = time.perf_counter()
    view.scrollToBottom()
    last = model.rowCount() - 1
    value = model.data(model.index(last, 0))
    view.viewport().repaint()
    t3 = time.perf_counter()
    assert value, "no last row"
    return t1 - t0, t3 - t2, page


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, help="data dir to (re)use")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path, help="write the figures as JSON here")
    ap.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build_only:
        print(json.dumps(build(args.dir, args.persons)))
        return 0

    tmp = None
    data_dir = args.dir
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench_roster_")
        data_dir = Path(tmp.name)
    built: dict[str, float] = {}
    if not (data_dir / DB_FILENAME).exists():
        # In a child process: the page is then measured as a freshly started
        # program meets it (no indexing leftovers such as pypinyin's tables).
        print(f"building {args.persons} persons in {data_dir} …", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--build-only", "--dir", str(data_dir),
             "--persons", str(args.persons)], check=True, capture_output=True, text=True)
        built = json.loads(out.stdout.strip().splitlines()[-1])
        print("  " + ", ".join(f"{k} {v:.1f}" for k, v in built.items()), flush=True)

    app = QApplication.instance() or QApplication(sys.argv)
    store = open_store(data_dir)
    svc = Service(store, today=TODAY)
    svc.operator_id = svc.list("operator")[0]["id"]
    cfg_dir = tempfile.TemporaryDirectory(prefix="bench_roster_cfg_")
    ctx = AppContext(store, svc, Config(Path(cfg_dir.name) / "s.ini"))
    persons = svc.count("person")

    firsts, lasts = [], []
    for _ in range(1 + args.repeat):
        first, last, page = measure_page(app, ctx)
        firsts.append(first)
        lasts.append(last)
        page.close()
        page.deleteLater()
        app.processEvents()
    rows_shown = page.model.rowCount()

    cats = svc.catalogues()
    filters: dict[str, dict[str, float]] = {}
    for label, flt in FILTERS.items():
        times, count = [], 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            count = len(roster_ids(store, flt, cats=cats, today=TODAY))
            times.append(time.perf_counter() - t0)
        filters[label] = {"median_ms": ms(statistics.median(times)), "max_ms": ms(max(times)),
                          "rows": count}
    sorts: dict[str, dict[str, float]] = {}
    for sort in SORTS:
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            roster_ids(store, RosterFilter(), cats=cats, today=TODAY, sort=sort)
            times.append(time.perf_counter() - t0)
        sorts[sort] = {"median_ms": ms(statistics.median(times)), "max_ms": ms(max(times))}

    result = {
        "persons": persons,
        "rows_listed": rows_shown,
        "build_s": {k: round(v, 1) for k, v in built.items()},
        "first_rows_ms": {"cold": ms(firsts[0]), "median": ms(statistics.median(firsts[1:])),
                          "max": ms(max(firsts[1:])), "target": TARGET_FIRST_MS},
        "last_row_ms": {"cold": ms(lasts[0]), "median": ms(statistics.median(lasts[1:])),
                        "max": ms(max(lasts[1:])), "target": TARGET_LAST_MS},
        "ids_query_by_filter": filters,
        "ids_query_by_sort": sorts,
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
    }
    print(f"\n人员档案 over {persons} persons ({rows_shown} listed)")
    for key, label in (("first_rows_ms", "first rows shown"), ("last_row_ms", "jump to last row")):
        r = result[key]
        print(f"  {label:20s} cold {r['cold']:7.1f} ms   median {r['median']:7.1f} ms   "
              f"max {r['max']:7.1f} ms   (target ≤ {r['target']} ms)")
    print("  ids query by filter (median / max ms, rows):")
    for label, r in filters.items():
        print(f"    {label:34s} {r['median_ms']:7.1f} {r['max_ms']:7.1f}  {r['rows']}")
    print("  ids query by sort (median / max ms):")
    for label, r in sorts.items():
        print(f"    {label:34s} {r['median_ms']:7.1f} {r['max_ms']:7.1f}")
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
    store.close()
    shutdown_worker()
    if tmp is not None:
        tmp.cleanup()
    cfg_dir.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
