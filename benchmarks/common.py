"""Shared helpers for the benchmarks: generated county-sized databases, timing, output."""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from station_desktop.services.demo import insert_rows, make_persons, make_visits
from station_desktop.services import open_store
from station_desktop.services import Service

OUT = Path(__file__).parent / "out"
TODAY = date(2026, 11, 23)
STATION = "420303100201"


def build_roster(data_dir: Path, persons: int, visits: int, *, seed: int = 11) -> Path:
    """A migrated data dir with ``persons`` persons and ``visits`` visits, made once and reused."""
    marker = data_dir / f"built-{persons}-{visits}"
    if marker.exists():
        return data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    for old in data_dir.glob("station.sqlite3*"):
        old.unlink()
    store = open_store(data_dir)
    try:
        Service(store, today=TODAY).init_station(role="village", code=STATION, name="基准测试村")
        rng = random.Random(seed)
        rows = make_persons(rng, persons, STATION, TODAY)
        with store.raw_write() as con:
            insert_rows(con, "person", rows)
            step = 200_000
            for start in range(0, visits, step):
                insert_rows(con, "visit", make_visits(rng, rows, min(step, visits - start), TODAY))
        from station_desktop.services.search_index import rebuild_index

        rebuild_index(store)
    finally:
        store.close()
    marker.touch()
    return data_dir


def timed(fn: Callable[[], Any], repeat: int = 5) -> dict[str, float]:
    """Milliseconds: median, p95 and max over ``repeat`` runs."""
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 1),
            "max_ms": round(samples[-1], 1)}


def write_out(path: str | None, data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
