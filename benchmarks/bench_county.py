"""Speed of the county view (issue 7): home page, drill-downs, printed report.

    python benchmarks/bench_county.py [--stations 100] [--persons 12000] [--visits 240000]
                                      [--dir DIR] [--repeat 5] [--out FILE]

Generates a county with ``station_desktop.store.county_demo.generate_county``
(10 stations per town; every station a whole demo village, topped up with
regular contacts to ``visits / persons`` visits per person; some stale, some
with gaps), written through ``store.raw_write()`` so the capture triggers
fire as for imported bundles. With ``--dir`` a database already generated
there is reused.

Then times, end to end (read transaction included; median and max of
``--repeat`` runs): ``county_view`` (every figure of every station, town
and the county plus the chart series: what the 全县概览 page computes),
each figure's grouped query on its own (where the time goes, for the
city-sized estimate), drill-downs (the county's largest list, a town's, a
station's), and the printed county report.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import TODAY, timed, write_out  # noqa: E402

from station_desktop.domain.catalogues import Catalogues  # noqa: E402
from station_desktop.reports.county_report import print_county_report  # noqa: E402
from station_desktop.store import county as sc  # noqa: E402
from station_desktop.store.county_demo import generate_county  # noqa: E402
from station_desktop.store.migrate import open_store  # noqa: E402
from station_desktop.store.visits import reading  # noqa: E402

CATS = Catalogues.defaults()
PER_TOWN = 10


def build(data_dir: Path, stations: int, persons: int, visits: int) -> dict[str, Any]:
    marker = data_dir / f"county-{stations}-{persons}-{visits}"
    if marker.exists():
        return {"reused": True}
    data_dir.mkdir(parents=True, exist_ok=True)
    for old in data_dir.glob("station.sqlite3*"):
        old.unlink()
    store = open_store(data_dir)
    t = time.perf_counter()
    try:
        towns = max(1, stations // PER_TOWN)
        demo = generate_county(store, towns=towns, stations_per_town=stations // towns,
                               persons_per_station=persons // stations,
                               visits_per_person=visits / persons, today=TODAY, seed=7)
    finally:
        store.close()
    marker.touch()
    return {"generate_s": round(time.perf_counter() - t, 1), "rows": demo.rows,
            "stale": len(demo.stale)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench-county-"))
    out: dict[str, Any] = {"stations": args.stations, "persons": args.persons,
                           "visits": args.visits, "dir": str(data_dir)}
    out["build"] = build(data_dir, args.stations, args.persons, args.visits)
    store = open_store(data_dir)
    try:
        with reading(store) as con:
            out["db_mb"] = round(Path(store.path).stat().st_size / 1e6, 1)
            out["rows"] = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                           for t in ("person", "visit", "life_event", "dispute_case",
                                     "aid_application", "aid_payment", "honour")}
        period = sc.CountyPeriod.current(TODAY)
        past = sc.CountyPeriod.quarter(2026, 2, TODAY)
        out["home_page"] = timed(lambda: sc.county_view(store, CATS, period, today=TODAY),
                                 args.repeat)
        out["home_page_past_quarter"] = timed(
            lambda: sc.county_view(store, CATS, past, today=TODAY), args.repeat)
        params = period.params()
        per: dict[str, float] = {}
        with reading(store) as con:
            for d in sc.figure_defs(CATS).values():
                sql = sc._select_grouped(d)
                per[d.key] = timed(lambda sql=sql: con.execute(sql, params).fetchall(),
                                   args.repeat)["median_ms"]
        out["per_figure_ms"] = per
        fig = sc.county_figures(store, CATS, period, today=TODAY)
        town = fig.towns[0].code
        station = max(fig.stations, key=lambda s: s.n("persons")).code
        drills = {}
        for key, scope in (("persons", ""), ("uncontacted_q", ""), ("contacted_q", town),
                           ("persons", station), ("events_overdue", ""),
                           ("aid_paid:medical", ""), ("cases_open", town)):
            rows = sc.drill_rows(store, CATS, period, key, scope)
            t = timed(lambda k=key, s=scope: sc.drill_rows(store, CATS, period, k, s),
                      args.repeat)
            drills[f"{key}@{scope or 'county'}"] = {"rows": len(rows), **t}
        out["drill_down"] = drills
        out["station_table_ms"] = timed(lambda: sc.station_table(fig, "persons"),
                                        args.repeat)["median_ms"]
        pdf = data_dir / "county-report.pdf"
        t0 = time.perf_counter()
        rep = print_county_report(store, CATS, pdf, period=period, today=TODAY)
        out["report"] = {"s": round(time.perf_counter() - t0, 2), "pages": rep["pages"],
                         "kb": round(pdf.stat().st_size / 1024)}
    finally:
        store.close()
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stations", type=int, default=100)
    ap.add_argument("--persons", type=int, default=12_000)
    ap.add_argument("--visits", type=int, default=240_000)
    ap.add_argument("--dir")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out")
    write_out(ap.parse_args(argv).out, run(ap.parse_args(argv)))


if __name__ == "__main__":
    main()
