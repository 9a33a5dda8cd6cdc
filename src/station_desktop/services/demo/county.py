"""A generated county for tests, benchmarks and trying the county view (issue 7).

``generate_county`` initialises an empty data dir as a county installation and
fills it as if every village station had sent its bundles: each station's
rows are a whole demo village (:class:`~station_desktop.services.demo.village.VillageRows`:
persons of every category, visits, life events, aid, cases, honours ...),
tagged with the station's code, plus the ``station`` rows of towns and
villages and a ``sync_peer`` row per village saying when its newest bundle
arrived. Some stations are stale (their last bundle is weeks old, one never
sent one) and some have gaps in the changes received.

Written in one transaction through ``Store.raw_write`` with ``executemany``,
like the village demo; the capture triggers log every row.
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from station_desktop.domain.errors import StationError
from station_desktop.domain.progress import Progress, tick
from station_desktop.services.demo.people import _VILLAGE_NAMES, _IdNumbers
from station_desktop.services.demo.rows import DEMO_TABLES, _blank, _shift_years, insert_rows
from station_desktop.services.demo.village import VillageRows
from station_desktop.services.demo.visits import make_visits
from station_desktop.services.opening import open_store
from station_desktop.services.station import Service
from station_desktop.store.db import Store
from station_desktop.store.models import new_id, utc_now
from station_desktop.sync.keys import Keys, ensure_keys, fingerprint, public_bytes
from station_desktop.sync.keys import generate as generate_keys

_TOWN_NAMES = ("茅塔乡", "大川镇", "赛武当镇", "东城街道", "二堰街道", "武当路街道", "白浪街道",
               "五堰街道", "小川乡", "鸳鸯乡")


@dataclass
class CountyDemo:
    """What was generated: codes by town, and which stations are stale or have gaps."""

    county_code: str
    towns: dict[str, list[str]] = field(default_factory=dict)  # town code -> station codes
    stale: list[str] = field(default_factory=list)
    never_sent: list[str] = field(default_factory=list)
    with_gaps: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def stations(self) -> list[str]:
        return [s for codes in self.towns.values() for s in codes]


def _utc_iso(d: date, hour: int) -> str:
    return datetime.combine(d, time(hour, 0), UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def generate_county(
    store: Store,
    *,
    county_code: str = "420303",
    county_name: str = "演示县退役军人服务中心",
    towns: int = 3,
    stations_per_town: int = 8,
    persons_per_station: int = 40,
    visits_per_person: float | None = None,
    stale_share: float = 0.15,
    gap_share: float = 0.1,
    years: int = 2,
    seed: int = 17,
    today: date | None = None,
    progress: Progress | None = None,
) -> CountyDemo:
    """Initialise ``store`` as a county and fill it with its stations' rows.

    ``visits_per_person`` tops each station's visits up with regular contacts
    to about that many per person (the benchmark's 20); otherwise the demo
    village's own visits (~9 per person over two years) stay as they are.
    """
    if len(county_code) != 6 or not county_code.isdigit():
        raise StationError(f"县级代码“{county_code}”应为6位数字。", code="invalid")
    today = today or date.today()
    rng = random.Random(seed)
    Service(store, today=today).init_station(role="county", code=county_code + "000000",
                                             name=county_name)
    ids = _IdNumbers(county_code)
    out = CountyDemo(county_code)
    plan: list[tuple[str, str, str]] = []  # (town code, station code, village name)
    for t in range(towns):
        town = f"{county_code}{100 + t:03d}"
        out.towns[town] = []
        for i in range(stations_per_town):
            code = f"{town}{200 + i:03d}"
            out.towns[town].append(code)
            plan.append((town, code, _VILLAGE_NAMES[(t * stations_per_town + i)
                                                     % len(_VILLAGE_NAMES)]))
    stations = [code for _, code, _ in plan]
    n_stale = max(1, round(len(stations) * stale_share))
    stale = set(rng.sample(stations, min(n_stale, len(stations))))
    never = min(stale)
    gaps = set(rng.sample(stations, max(1, round(len(stations) * gap_share))))
    now = utc_now()
    counts = dict.fromkeys(("station", "sync_peer", *DEMO_TABLES), 0)
    with store.raw_write() as con:
        for t, town in enumerate(out.towns):
            town_name = _TOWN_NAMES[t % len(_TOWN_NAMES)]
            counts["station"] += insert_rows(con, "station", [_station_row(
                town + "000", town_name, "town", county_code + "000000", now)])
        for done, (town, code, village) in enumerate(plan):
            demo = VillageRows(rng, code, today, years, village)
            demo.ids = ids  # ID numbers unique across the county
            # A station that never sent a bundle: enrolled, but none of its rows are here.
            rows = demo.build(0 if code == never else persons_per_station)
            if visits_per_person and rows["person"]:
                want = int(visits_per_person * len(rows["person"])) - len(rows["visit"])
                if want > 0:
                    extra = make_visits(rng, rows["person"], want, today, years=years,
                                        operators=demo.operators, now=now)
                    rows["visit"].extend(extra)
                    _update_last_contact(rows)
            town_name = _TOWN_NAMES[list(out.towns).index(town) % len(_TOWN_NAMES)]
            counts["station"] += insert_rows(con, "station", [_station_row(
                code, f"{town_name}{village}服务站", "village", town, now)])
            peer = _peer_row(rng, code, f"{town_name}{village}服务站", town, today, rows,
                             stale=code in stale, never=code == never, gap=code in gaps)
            for table in DEMO_TABLES if code != never else ():
                # The station's records as of its newest bundle.
                for r in rows[table]:
                    r["created_at"] = r["updated_at"] = peer["last_bundle_created"]
                counts[table] += insert_rows(con, table, rows[table])
            counts["sync_peer"] += insert_rows(con, "sync_peer", [peer])
            tick(progress, done + 1, len(plan), "已取消生成演示县。")
    store.analyze()
    out.stale = sorted(stale)
    out.never_sent = [never]
    out.with_gaps = sorted(gaps)
    out.rows = counts
    return out


def _update_last_contact(rows: dict[str, list[dict[str, Any]]]) -> None:
    last: dict[str, str] = {}
    for v in rows["visit"]:
        if v["visit_date"] > last.get(v["person_id"], ""):
            last[v["person_id"]] = v["visit_date"]
    for p in rows["person"]:
        p["last_contact_on"] = last.get(p["id"])


def _station_row(code: str, name: str, role: str, parent: str, now: str) -> dict[str, Any]:
    row = _blank("station")
    row.update(id=new_id(), station_code=code, created_at=now, updated_at=now, code=code,
               name=name, role=role, parent_code=parent)
    return row


def _peer_row(rng: random.Random, code: str, name: str, town: str, today: date,
              rows: dict[str, list[dict[str, Any]]], *, stale: bool, never: bool,
              gap: bool) -> dict[str, Any]:
    """The county's sync state for one village: enrolled, last bundle some days ago."""
    age = rng.randint(35, 120) if stale else rng.randint(0, 20)
    created = today - timedelta(days=age + rng.randint(0, 3))
    received = sum(len(v) for v in rows.values())
    enrolled = _shift_years(today, -2)
    # Real public keys (their private halves are thrown away): the demo county can export
    # return bundles to its stations like a real one, though nobody can open them.
    keys: Keys = generate_keys()
    sig, enc = public_bytes(keys.signing_public), public_bytes(keys.encryption_public)
    return {
        "code": code, "name": name, "role": "village", "relation": "station",
        "parent_code": town, "signing_public": base64.b64encode(sig).decode(),
        "encryption_public": base64.b64encode(enc).decode(),
        "fingerprint": fingerprint(sig, enc), "state": "active", "key_epoch": 1,
        "enrolled_at": _utc_iso(enrolled, 2), "revoked_at": None, "acked_seq": 0,
        "received_seq": 0 if never else (received - 40 if gap else received),
        "received_max": 0 if never else received,
        "gaps": json.dumps([[received - 39, received - 20]] if gap and not never else []),
        "last_bundle_at": None if never else _utc_iso(today - timedelta(days=age), 3),
        "last_bundle_created": None if never else _utc_iso(created, 1),
        "last_export_at": None,
    }


def init_demo_county(data_dir: Path, stations_per_town: int = 5) -> dict[str, int]:
    """Make an empty ``data_dir`` a demo county: three towns of demo villages, some stale."""
    store = open_store(data_dir)
    try:
        if store.meta("station_code") is not None:
            raise StationError("这个数据目录已经初始化过，不能再生成演示县。",
                               hint="请用 --data-dir 指定一个新的空文件夹。", code="already_initialised")
        made = generate_county(store, stations_per_town=stations_per_town)
        ensure_keys(data_dir)
        return {k: v for k, v in made.rows.items() if k in ("station", "person", "visit",
                                                            "aid_application", "dispute_case")}
    finally:
        store.close()
