"""Speed of the 首页/待办 page's queries and the visit list on a county-sized database.

    python benchmarks/bench_home.py [--persons 100000] [--visits 1000000] [--dir DIR]
                                    [--repeat 5] [--out FILE]

Generates N persons and M visits with ``station_desktop.services.demo``'s row
factories (``make_persons``, ``make_visits``; visits inserted in date order,
as a station enters them), plus open life events, dispute cases, aid
applications and two holiday campaigns (one recorded with
``create_and_record``, timed), all inserted through ``store.raw_write()``
with ``executemany`` (the capture triggers fire as for any import). With
``--dir`` an already generated database is reused.

Then times, each the best and median of ``--repeat`` runs, end to end (read
transaction included): ``Service.due_list()`` (the service's Python version),
``due_list_sql()`` (the SQL version in store/visits.py), on an ordinary day
and on a day inside the 春节 visiting window (when the holiday list is
computed too); the home page's other queries; the whole ``home_data()``;
and the 走访慰问 list's id queries and a block of rows.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from station_desktop.domain.catalogues import Catalogues
from station_desktop.services import campaigns
from station_desktop.store import visits as sv
from station_desktop.services.demo import insert_rows, make_persons, make_visits
from station_desktop.services import open_store
from station_desktop.store.models import new_id, utc_now
from station_desktop.services import Service

SEED = 20261123
STATION = "420303100201"
TODAY = date(2026, 11, 23)
IN_SPRING_WINDOW = date(2027, 1, 25)  # 春节 2027-02-06, window from 2027-01-17
CHUNK = 20_000


def _rows(table_cols: dict[str, Any], n: int, make: Callable[[int], dict[str, Any]]
          ) -> list[dict[str, Any]]:
    return [{**table_cols, **make(i)} for i in range(n)]


def generate(store: Any, svc: Service, persons_n: int, visits_n: int) -> dict[str, float]:
    rng = random.Random(SEED)
    op_id = svc.operator_id
    times: dict[str, float] = {}
    t = time.perf_counter()
    persons = make_persons(rng, persons_n, STATION, TODAY)
    visits = make_visits(rng, persons, visits_n, TODAY, operators=((op_id, "王建国"),))
    # Visits are entered as they happen, so the table is roughly in date order.
    visits.sort(key=lambda v: v["visit_date"])
    times["make_rows_s"] = time.perf_counter() - t
    now = utc_now()
    base = {"station_code": STATION, "created_at": now, "updated_at": now, "updated_by": op_id,
            "deleted_at": None}
    pids = [p["id"] for p in persons]

    def life_event(i: int) -> dict[str, Any]:
        day = TODAY - timedelta(days=rng.randint(0, 40))
        return {"id": new_id(), "person_id": rng.choice(pids), "kind": "serious_illness",
                "event_date": day.isoformat(),
                "visit_due_on": (day + timedelta(days=7)).isoformat(),
                "description": "住院", "closed_by_visit_id": None, "closed_on": None}

    def case(i: int) -> dict[str, Any]:
        reg = TODAY - timedelta(days=rng.randint(0, 400))
        return {"id": new_id(), "person_id": rng.choice(pids), "parties": "甲、乙",
                "registrar": "王建国", "channel": "visit", "case_type": "other",
                "urgency": "normal", "registered_on": reg.isoformat(),
                "deadline": (reg + timedelta(days=30)).isoformat(), "content": "纠纷",
                "repeat_petition": 0, "level": "village",
                "state": rng.choice(("registered", "mediating", "closed", "closed", "revisited")),
                "outcome": None, "resolved_level": None, "closed_on": None,
                "satisfaction": None}

    def aid(i: int) -> dict[str, Any]:
        return {"id": new_id(), "person_id": rng.choice(pids), "aid_type": "temporary",
                "fund": None, "hardship_kind": None, "hardship_state": "suspected",
                "cause": "生活困难", "measures": None, "helper": None,
                "applied_on": (TODAY - timedelta(days=rng.randint(0, 700))).isoformat(),
                "requested_fen": 100_000, "approved_fen": None,
                "state": rng.choice(("applied", "village_reviewed", "town_reviewed", "approved",
                                     "paid", "paid", "rejected"))}

    extra = {
        "life_event": _rows(base, max(1, persons_n // 50), life_event),
        "dispute_case": _rows(base, max(1, persons_n // 30), case),
        "aid_application": _rows(base, max(1, persons_n // 20), aid),
    }
    t = time.perf_counter()
    with store.raw_write(op_id) as con:
        for start in range(0, len(persons), CHUNK):
            insert_rows(con, "person", persons[start:start + CHUNK])
        for start in range(0, len(visits), CHUNK):
            insert_rows(con, "visit", visits[start:start + CHUNK])
        for table, rows in extra.items():
            insert_rows(con, table, rows)
        con.execute("UPDATE person SET last_contact_on = (SELECT max(visit_date) FROM visit "
                    "WHERE visit.person_id = person.id)")
    times["insert_s"] = time.perf_counter() - t
    # Two holiday campaigns, one recorded (the campaign workflow itself is timed).
    for code, name in (("double_ninth", "2026年重阳节走访慰问"), ("spring_festival", "2027年春节走访慰问")):
        w = sv.next_holiday_window(code, date(2026, 10, 1), svc.catalogues())
        crit = sv.GroupCriteria(categories=("disabled_soldier",), min_age=70)
        values = {"holiday": code, "year": w.holiday_date.year, "name": name,
                  "start_on": w.start, "end_on": w.end}
        if code == "double_ninth":
            t = time.perf_counter()
            run = campaigns.create_and_record(svc, values, crit, {"visitor": "王建国",
                                                                  "visit_date": w.holiday_date})
            times["campaign_record_s"] = time.perf_counter() - t
            times["campaign_recorded"] = run.recorded
        else:
            campaigns.create_campaign(svc, values, crit)
    return times


def timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    fn()  # warm the page cache and Python caches
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return {"best_ms": round(min(runs), 1), "median_ms": round(statistics.median(runs), 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--visits", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dir", type=Path, help="data dir to create or reuse (default: temporary)")
    ap.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.dir or Path(tmp) / "data"
        store = open_store(data_dir, daily_backup=False)
        svc = Service(store, today=TODAY)
        gen: dict[str, float] = {}
        try:
            if store.meta("station_code") is None:
                svc.init_station(role="village", code=STATION, name="东沟村退役军人服务站",
                                 operator_name="王建国")
                gen = generate(store, svc, args.persons, args.visits)
                print("generated: " + ", ".join(f"{k} {v:.1f}" for k, v in gen.items()))
            else:
                svc.operator_id = svc.list("operator")[0]["id"]
            with sv.reading(store) as con:
                counts = {t: con.execute(f"SELECT count(*) FROM {t} WHERE deleted_at IS NULL")
                          .fetchone()[0]
                          for t in ("person", "visit", "life_event", "dispute_case",
                                    "aid_application", "campaign")}
            print("rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
            cats: Catalogues = svc.catalogues()
            holiday_svc = Service(store, svc.operator_id, today=IN_SPRING_WINDOW)
            q_start, q_end = sv.period_bounds("quarter", TODAY)
            y_start, y_end = sv.period_bounds("year", TODAY)
            quarter_ids = sv.visit_ids(store, sv.VisitFilter(q_start, q_end))
            crit = sv.GroupCriteria(categories=("disabled_soldier", "martyr_family"), min_age=70)
            camp = sv.list_campaigns(store)[0]["id"]
            bench: dict[str, Callable[[], Any]] = {
                "service.due_list": lambda: svc.due_list(limit=20),
                "due_list_sql": lambda: sv.due_list_sql(store, cats, TODAY, limit=20),
                "service.due_list (in 春节 window)": lambda: holiday_svc.due_list(limit=20),
                "due_list_sql (in 春节 window)":
                    lambda: sv.due_list_sql(store, cats, IN_SPRING_WINDOW, limit=20),
                "overdue_cases": lambda: sv.overdue_cases(store, TODAY, limit=20),
                "aid_waiting": lambda: sv.aid_waiting(store, limit=20),
                "list_campaigns (current)":
                    lambda: sv.list_campaigns(store, today=TODAY, current_only=True),
                "home_data (whole page)": lambda: sv.home_data(svc, limit=20),
                "visit_ids 本季度 by date": lambda: sv.visit_ids(
                    store, sv.VisitFilter(q_start, q_end)),
                "visit_ids 本年 by date": lambda: sv.visit_ids(
                    store, sv.VisitFilter(y_start, y_end)),
                "visit_ids 本季度 by name": lambda: sv.visit_ids(
                    store, sv.VisitFilter(q_start, q_end), sort="name", desc=False),
                "visit_ids 全部 by date": lambda: sv.visit_ids(store, sv.VisitFilter()),
                "visit_rows (block of 200)": lambda: sv.visit_rows(store, quarter_ids[:200]),
                "visit_summary 本季度": lambda: sv.visit_summary(
                    store, sv.VisitFilter(q_start, q_end)),
                "count_matching (残疾军人/烈属/70+)":
                    lambda: sv.count_matching(store, crit, cats, TODAY),
                "campaign_remaining_ids": lambda: sv.campaign_remaining_ids(
                    store, camp, cats, TODAY),
            }
            results: dict[str, dict[str, float]] = {}
            print(f"{'query':40} {'best ms':>9} {'median ms':>10}")
            for name, fn in bench.items():
                results[name] = timed(fn, args.repeat)
                r = results[name]
                print(f"{name:40} {r['best_ms']:>9.1f} {r['median_ms']:>10.1f}")
            same = _same_due(svc.due_list(limit=20), sv.due_list_sql(store, cats, TODAY,
                                                                       limit=20))
            print(f"due_list_sql agrees with service.due_list: {same}")
        finally:
            store.close()

    if args.out:
        args.out.write_text(json.dumps({
            "persons": counts["person"], "visits": counts["visit"], "rows": counts,
            "generation": {k: round(v, 2) for k, v in gen.items()}, "queries": results,
            "due_list_sql_agrees": same, "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
        }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


def _same_due(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The two due lists agree on totals, coverage, events and the overdue persons shown."""
    def overdue(d: dict[str, Any]) -> list[tuple[Any, ...]]:
        return sorted((r["person_id"], r["due_on"], r["overdue_days"])
                      for r in d["overdue_contacts"])
    return (a["overdue_total"] == b["overdue_total"] and a["coverage"] == b["coverage"]
            and sorted(e["event_id"] for e in a["life_events_due"])
            == sorted(e["event_id"] for e in b["life_events_due"])
            and overdue(a) == overdue(b))


if __name__ == "__main__":
    raise SystemExit(main())
