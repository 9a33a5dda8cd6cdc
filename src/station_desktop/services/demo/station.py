"""The demo village written: one unit of work, and a data dir made a demo station.

:func:`generate_demo` fills a station's database with a plausible roster
and two years of work (:class:`~station_desktop.services.demo.village.VillageRows`):
persons of every category, family members, visits (regular contacts,
holiday campaigns, 六必访 after life events), aid applications through the
村 → 镇 → 县 review path, dispute cases with their steps, honours, a
volunteer team and two operators. It is meant for training, screenshots and
trying the program out; it does not create the station row or the
catalogues (station set-up does).

Everything is written in ONE transaction through :meth:`Store.raw_write` with
``executemany`` (the bulk path), parents before children; the capture
triggers still log every row into ``change_log``. The same seed gives the
same data (names, dates, amounts); only the row keys and timestamps differ.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date
from pathlib import Path

from sqlalchemy import text

from station_desktop.domain.errors import StationError
from station_desktop.domain.progress import Progress, check, tick
from station_desktop.services.demo.people import _VILLAGE_NAMES
from station_desktop.services.demo.rows import DEMO_TABLES, insert_rows
from station_desktop.services.demo.village import VillageRows
from station_desktop.services.opening import open_store
from station_desktop.services.station import Service
from station_desktop.store.db import Store
from station_desktop.sync.keys import ensure_keys

#: The demo village: code, name, parent (its town).
DEMO_STATION = ("420303100201", "茅塔乡东沟村退役军人服务站", "420303100000")

_CHUNK = 5000
_CANCELLED = "已取消生成演示数据。"


def _village_name(conn: sqlite3.Connection, station_code: str, rng: random.Random) -> str:
    row = conn.execute(
        "SELECT name FROM station WHERE code = ? AND deleted_at IS NULL", (station_code,)
    ).fetchone()
    if row and row[0]:
        name: str = row[0]
        for end in ("社区", "村"):
            if end in name:
                return name[: name.index(end) + len(end)]
    return rng.choice(_VILLAGE_NAMES)


def generate_demo(
    store: Store,
    *,
    station_code: str,
    persons: int = 300,
    years: int = 2,
    seed: int = 7,
    today: date | None = None,
    operator_id: str | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill the store with a demo village: returns the number of rows written per table.

    The changes are attributed to ``operator_id`` (the one who asked for the
    demo), or else to the demo's own first operator. One transaction: on
    error or cancellation (:class:`~station_desktop.domain.errors.Cancelled`)
    nothing is written.
    """
    if len(station_code) != 12 or not station_code.isdigit():
        raise StationError(f"站点代码“{station_code}”应为12位数字。", code="invalid")
    today = today or date.today()
    rng = random.Random(seed)
    name_rng = random.Random(seed + 1)

    counts: dict[str, int] = {}
    with store.raw_write() as conn:
        village = _village_name(conn, station_code, name_rng)
        check(progress, _CANCELLED)
        demo = VillageRows(rng, station_code, today, years, village)
        rows = demo.build(persons)
        total = sum(len(r) for r in rows.values())
        done = 0
        tick(progress, done, total, _CANCELLED)
        conn.execute("UPDATE write_context SET operator_id = ? WHERE id = 1",
                     (operator_id or demo.op_id,))
        for table in DEMO_TABLES:
            table_rows = rows[table]
            for start in range(0, len(table_rows), _CHUNK):
                done += insert_rows(conn, table, table_rows[start:start + _CHUNK])
                tick(progress, done, total, _CANCELLED)
            counts[table] = len(table_rows)
    store.analyze()
    return counts


def init_demo(data_dir: Path, persons: int = 300, *, operator_id: str | None = None,
              progress: Progress | None = None) -> dict[str, int]:
    """Make ``data_dir`` a demo village station with realistic records (idempotent).

    A data dir that already holds records is left as it is: the counts say
    how many persons it has.
    """
    store = open_store(data_dir)
    try:
        svc = Service(store)
        if store.meta("station_code") is None:
            code, name, parent = DEMO_STATION
            svc.init_station(role="village", code=code, name=name, parent_code=parent,
                             operator_name="王建国")
            ensure_keys(data_dir)
        with store.read() as s:
            existing = s.execute(text("SELECT count(*) FROM person")).scalar_one()
        if existing:
            return {"person": existing}
        return generate_demo(store, station_code=svc.station_code, persons=persons,
                             operator_id=operator_id, progress=progress)
    finally:
        store.close()
