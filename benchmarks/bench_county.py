"""Speed of the county view (issue 7): home page, drill-downs, printed report.

    python benchmarks/bench_county.py [--stations 100] [--persons 12000] [--visits 240000]
                                      [--dir DIR] [--repeat 5] [--out FILE] [--summary]

Generates a county with ``station_desktop.services.demo.generate_county``
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

With ``--summary`` it times the summary table instead
(``store/county_summary.py``): the live home page once for comparison, the
first build of this quarter's window (one grouped query per figure for every
station), the home page read from it (fresh: the common case), the same a
month later in the quarter (same rows, no recompute), the first look at a past
quarter (built then) and the second, the per-bundle refresh the import adds
(one station's rows, recomputed and written in its own transaction: an upper
bound, the import's transaction is already open), and the lazy recompute of
10 stations whose rows changed, followed by the read, and the first view on a
new quarter's first day when 85% of stations reported in the old quarter's
last month (their next-quarter window filled by the import).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from common import TODAY, timed, write_out  # noqa: E402

from station_desktop.domain import rules  # noqa: E402
from station_desktop.domain.catalogues import Catalogues  # noqa: E402
from station_desktop.reports.county_report import print_county_report  # noqa: E402
from station_desktop.store import county as sc  # noqa: E402
from station_desktop.store import county_summary as cs  # noqa: E402
from station_desktop.services.demo import generate_county  # noqa: E402
from station_desktop.services import open_store  # noqa: E402
from station_desktop.services.county import county_view, refresh_summary  # noqa: E402
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


def run_summary(store: Any, out: dict[str, Any], repeat: int) -> None:
    """The summary table's figures (``--summary``)."""
    period = sc.CountyPeriod.current(TODAY)
    past = sc.CountyPeriod.quarter(2026, 2, TODAY)
    view = county_view  # the home page: summary first, lazily refreshed
    out["live_home_page"] = timed(
        lambda: view(store, CATS, period, today=TODAY, summary=False), max(1, repeat // 2))
    with store.raw_write() as con:
        con.execute("DELETE FROM county_summary")
        con.execute("DELETE FROM county_summary_state")
    t0 = time.perf_counter()
    n_rows = refresh_summary(store, today=TODAY, cats=CATS)
    out["summary_build_quarter_s"] = round(time.perf_counter() - t0, 2)
    out["summary_rows"] = n_rows
    out["summary_home_page"] = timed(lambda: view(store, CATS, period, today=TODAY), repeat)
    later = TODAY.replace(month=12, day=20)
    out["summary_home_page_4_weeks_later"] = timed(
        lambda: view(store, CATS, sc.CountyPeriod.current(later), today=later), repeat)
    t0 = time.perf_counter()
    view(store, CATS, past, today=TODAY)
    out["summary_past_quarter_first_s"] = round(time.perf_counter() - t0, 2)
    out["summary_past_quarter"] = timed(lambda: view(store, CATS, past, today=TODAY), repeat)
    fig = sc.county_figures(store, CATS, period, today=TODAY)
    codes = [s.code for s in fig.stations if s.n("persons")]
    step = max(1, len(codes) // repeat)
    sample = iter(codes[::step] * 2)
    out["refresh_one_station"] = timed(
        lambda: refresh_summary(store, [next(sample)], today=TODAY, cats=CATS), repeat)

    def ten_changed_then_view() -> None:
        with store.raw_write() as con:  # what the change_log trigger does on a write
            con.executemany("DELETE FROM county_summary_state WHERE station_code = ?",
                            [(c,) for c in codes[:10]])
        view(store, CATS, period, today=TODAY)

    out["ten_stale_stations_then_view"] = timed(ten_changed_then_view, repeat)
    # A new quarter's first day, 85% of stations having reported in the last month
    # of the old one (the import then fills the next quarter's window too).
    end = rules.quarter_bounds(TODAY)[1]
    with store.raw_write() as con:
        for c in codes[:len(codes) * 85 // 100]:
            cs.refresh_after_import(con, c, today=end - timedelta(days=20))
    first = end + timedelta(days=1)
    t0 = time.perf_counter()
    view(store, CATS, sc.CountyPeriod.current(first), today=first)
    out["new_quarter_first_view_85pct_prefilled_s"] = round(time.perf_counter() - t0, 2)
    with reading(store) as con:
        out["summary_rows_quarter"] = con.execute(
            "SELECT count(*) FROM county_summary WHERE period_key = ?",
            (cs.period_key(TODAY),)).fetchone()[0]
        got = con.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'county_summary%' "
                          "OR name LIKE 'ix_county_summary%'").fetchone()[0] if con.execute(
            "SELECT 1 FROM pragma_compile_options WHERE compile_options = 'ENABLE_DBSTAT_VTAB'"
        ).fetchone() else None
        out["summary_mb"] = round(got / 1e6, 1) if got else None


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
        if args.summary:
            run_summary(store, out, args.repeat)
            return out
        period = sc.CountyPeriod.current(TODAY)
        past = sc.CountyPeriod.quarter(2026, 2, TODAY)
        out["home_page"] = timed(
            lambda: sc.county_view(store, CATS, period, today=TODAY), args.repeat)
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
    ap.add_argument("--summary", action="store_true", help="time the summary table")
    write_out(ap.parse_args(argv).out, run(ap.parse_args(argv)))


if __name__ == "__main__":
    main()
