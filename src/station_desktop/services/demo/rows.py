"""Row plumbing of the demo generators: the tables, blank rows, bulk insert, small draws.

Every generator returns plain row dicts holding every column of the table
(except ``hlc``, which the capture triggers set), ready for ``executemany``.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from station_desktop.store.models import MODEL_BY_TABLE

Row = dict[str, Any]

#: Tables written by the demo, parents before children.
DEMO_TABLES: tuple[str, ...] = (
    "operator",
    "person",
    "family_member",
    "campaign",
    "life_event",
    "visit",
    "aid_application",
    "aid_review",
    "aid_payment",
    "dispute_case",
    "case_step",
    "honour",
    "volunteer_team",
    "volunteer_member",
    "volunteer_activity",
    "volunteer_hours",
)



def _columns(table: str) -> list[str]:
    """Every column of a synced table except ``hlc`` (set by the capture trigger)."""
    model = MODEL_BY_TABLE[table]
    return [c.name for c in model.__table__.columns if c.name != "hlc"]  # type: ignore[attr-defined]


def _blank(table: str) -> Row:
    return dict.fromkeys(_columns(table))


def insert_rows(conn: sqlite3.Connection, table: str, rows: Sequence[Row]) -> int:
    """Insert row dicts (all with the same keys) with one prepared ``executemany``."""
    if not rows:
        return 0
    cols = list(rows[0])
    sql = (f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in cols)}) '
           f'VALUES ({", ".join(":" + c for c in cols)})')
    conn.executemany(sql, rows)
    return len(rows)


# --- dates and money -------------------------------------------------------------


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _days(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random day in [start, end] (``start`` if the range is empty)."""
    span = (end - start).days
    return start + timedelta(days=rng.randint(0, span)) if span > 0 else start


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _shift_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _yuan(rng: random.Random, low: int, high: int, step: int = 100) -> int:
    """A round amount of money in fen: ``low``..``high`` yuan in steps of ``step`` yuan."""
    return rng.randrange(low // step, high // step + 1) * step * 100
