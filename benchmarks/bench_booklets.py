"""Booklets (建档立卡手册) for a whole village in one PDF: time, peak memory, pages.

    python benchmarks/bench_booklets.py [--persons 500] [--repeat 1] [--out FILE]

Fills a data dir once with :func:`station_desktop.services.demo.generate_demo`
(``persons`` persons with two years of visits, aid, cases and honours, as a
village station has them), then prints every person's booklet into ONE PDF
with a table of contents (:func:`booklet.print_booklets`) in a fresh child
process, so its peak resident memory (``ru_maxrss``) is the printing run's
own: imports, the open database and the whole layout. The child also reports
its memory before printing, so the growth caused by printing shows.

Targets (issue 5): under 30 s, peak memory under 400 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import OUT, STATION, TODAY, write_out  # noqa: E402

TARGET_S = 30
TARGET_MB = 400


def build(data_dir: Path, persons: int) -> Path:
    """A demo village of ``persons`` persons, made once and reused."""
    from station_desktop.services.demo import generate_demo
    from station_desktop.services import open_store
    from station_desktop.services.search_index import rebuild_index
    from station_desktop.services import Service

    marker = data_dir / f"built-{persons}"
    if marker.exists():
        return data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    for old in data_dir.glob("station.sqlite3*"):
        old.unlink()
    store = open_store(data_dir)
    try:
        Service(store, today=TODAY).init_station(role="village", code=STATION,
                                                 name="东沟村退役军人服务站")
        generate_demo(store, station_code=STATION, persons=persons, today=TODAY)
        rebuild_index(store)
    finally:
        store.close()
    marker.touch()
    return data_dir


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(data_dir: Path, pdf: Path) -> None:
    """Runs in its own process: print, then report time, pages and peak memory."""
    from station_desktop.reports import booklet
    from station_desktop.services import open_store
    from station_desktop.services import Service

    store = open_store(data_dir)
    try:
        svc = Service(store, today=TODAY)
        svc.catalogues()
        before = _rss_mb()
        t0 = time.perf_counter()
        result = booklet.print_booklets(svc, pdf)
        seconds = time.perf_counter() - t0
    finally:
        store.close()
    print(json.dumps({"seconds": round(seconds, 2), "pages": result["pages"],
                      "persons": result["persons"], "rss_before_mb": round(before, 1),
                      "peak_rss_mb": round(_rss_mb(), 1)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=1, help="child runs; the slowest is reported")
    ap.add_argument("--out")
    ap.add_argument("--child", nargs=2, metavar=("DATA_DIR", "PDF"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return
    data_dir = build(OUT / f"booklets-{args.persons}", args.persons)
    pdf = OUT / f"booklets-{args.persons}.pdf"
    runs = []
    for _ in range(args.repeat):
        proc = subprocess.run([sys.executable, __file__, "--child", str(data_dir), str(pdf)],
                              capture_output=True, text=True, check=True)
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    worst = max(runs, key=lambda r: r["seconds"])
    result = {
        "persons": worst["persons"], "pages": worst["pages"],
        "seconds": worst["seconds"], "seconds_all_runs": [r["seconds"] for r in runs],
        "pages_per_second": round(worst["pages"] / worst["seconds"], 1),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "rss_before_printing_mb": worst["rss_before_mb"],
        "pdf_mb": round(pdf.stat().st_size / 1e6, 1),
        "target_seconds": TARGET_S, "target_peak_mb": TARGET_MB,
        "within_targets": worst["seconds"] < TARGET_S
        and max(r["peak_rss_mb"] for r in runs) < TARGET_MB,
    }
    write_out(args.out, result)


if __name__ == "__main__":
    main()
