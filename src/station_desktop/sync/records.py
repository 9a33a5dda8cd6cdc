"""What a bundle may carry, table by table, and the check of every value in it.

A row image travels as the raw SQLite values of its columns. Before a bundle
is applied, every value is checked against the column it is for (type,
length, NOT NULL, key shapes), so a validly signed bundle with a bad record
in it is still refused whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, String, Text

from station_desktop.store import models as m

# Parents before children, so inserts meet their foreign keys in order.
TABLES: tuple[str, ...] = m.SYNCED_TABLES
# Columns that never leave this installation.
LOCAL_ONLY: dict[str, frozenset[str]] = {"operator": frozenset({"pin_hash"})}
# Tables whose rows are matched by a natural key when ids differ (each
# installation seeds its own station row and catalogue at ``init``).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {"station": ("code",), "catalogue_item": ("kind", "code")}
# County-owned: flow from the county down, never up.
COUNTY_OWNED = frozenset({"catalogue_item"})
# Columns merged by clock but never worth a person's review as a conflict
# (``station_code`` differs on natural-key matches and follows transfers).
BOOKKEEPING = frozenset({"created_at", "updated_at", "updated_by", "hlc", "station_code"})

# Records that belong with a parent record, and follow it to another station
# (a transfer, or a record that arrives late for a person already transferred):
# (table, parent table, column naming the parent). Parents come first.
FOLLOWERS: tuple[tuple[str, str, str], ...] = (
    ("family_member", "person", "person_id"),
    ("life_event", "person", "person_id"),
    ("visit", "person", "person_id"),
    ("aid_application", "person", "person_id"),
    ("aid_review", "aid_application", "application_id"),
    ("aid_payment", "person", "person_id"),
    ("dispute_case", "person", "person_id"),
    ("case_step", "dispute_case", "case_id"),
    ("honour", "person", "person_id"),
)


def follow_parents(execute: Callable[[str, dict[str, Any]], int], station: str,
                   now: str) -> dict[str, int]:
    """Re-tag ``station``'s follower rows whose parent now belongs to another station.

    ``execute(sql, params)`` runs one statement and returns its rowcount, so
    this serves a SQLAlchemy session and a plain sqlite3 connection alike.
    """
    moved: dict[str, int] = {}
    for table, parent, col in FOLLOWERS:
        n = execute(
            f'UPDATE "{table}" SET station_code = (SELECT p.station_code FROM "{parent}" p '
            f'WHERE p.id = "{table}"."{col}"), updated_at = :now WHERE station_code = :s '
            f'AND "{col}" IN (SELECT id FROM "{parent}" WHERE station_code != :s)',
            {"s": station, "now": now})
        if n:
            moved[table] = n
    return moved


MAX_STRING = 64 * 1024
MAX_TEXT = 1024 * 1024
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CODE = re.compile(r"^[0-9]{12}$")
ID_PATTERN = _ID  # also for tombstone ids (verify.check_payload); always use fullmatch
CODE_PATTERN = _CODE


class BadRecord(ValueError):
    """A value in a bundle that does not fit its column."""


def columns(table: str) -> list[str]:
    return [c.name for c in m.MODEL_BY_TABLE[table].__table__.columns]


def sendable_columns(table: str) -> list[str]:
    local = LOCAL_ONLY.get(table, frozenset())
    return [c for c in columns(table) if c not in local]


def _encodable(v: str) -> bool:
    """False for text SQLite cannot store (lone surrogates from ``\\ud800`` escapes)."""
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_str(limit: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and len(v) <= limit and _encodable(v)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and -(1 << 63) <= v < (1 << 63)


def _is_bool(v: Any) -> bool:
    return v in (0, 1) and not isinstance(v, float)


def _is_date(v: Any) -> bool:
    if not isinstance(v, str) or len(v) != 10:
        return False
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _is_json(v: Any) -> bool:
    if not isinstance(v, str) or len(v) > MAX_TEXT or not _encodable(v):
        return False
    try:
        json.loads(v)
    except ValueError:
        return False
    return True


def _validator(col: Any) -> Callable[[Any], bool]:
    t = col.type
    if col.name == "id" or (col.foreign_keys and isinstance(t, String)):
        return lambda v: isinstance(v, str) and _ID.fullmatch(v) is not None
    if col.name in ("station_code", "parent_code") or (col.name == "code" and col.table.name == "station"):
        return lambda v: isinstance(v, str) and _CODE.fullmatch(v) is not None
    if isinstance(t, JSON):
        return _is_json
    if isinstance(t, Date):
        return _is_date
    if isinstance(t, Boolean):
        return _is_bool
    if isinstance(t, Integer):
        return _is_int
    if isinstance(t, Text):
        return _check_str(MAX_TEXT)
    if isinstance(t, String):
        return _check_str(MAX_STRING)
    return lambda v: isinstance(v, (str, int, float))


class TableCheck:
    """Validates row images of one table as they come out of a payload."""

    def __init__(self, table: str):
        self.table = table
        cols = m.MODEL_BY_TABLE[table].__table__.columns
        self.known = {c.name for c in cols} - LOCAL_ONLY.get(table, frozenset())
        self.required = {c.name for c in cols if not c.nullable} & self.known
        self.validators = {c.name: _validator(c) for c in cols}
        # Columns with a fixed set of values (states, methods ...) must hold one of them.
        from station_desktop.store.fields import FIELDS

        for name, spec in FIELDS.get(table, {}).items():
            if spec.type == "enum" and name in self.validators:
                allowed = frozenset(e.value for e in spec.arg)
                self.validators[name] = lambda v, ok=allowed: isinstance(v, str) and v in ok

    def check_columns(self, names: list[Any]) -> None:
        if not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
            raise BadRecord(f"{self.table}: 列名有误")
        unknown = set(names) - self.known
        if unknown:
            raise BadRecord(f"{self.table}: 不认识的列 {sorted(unknown)[:3]}")
        missing = self.required - set(names)
        if missing:
            raise BadRecord(f"{self.table}: 缺少必填列 {sorted(missing)[:3]}")

    def check_row(self, names: list[str], row: Any) -> None:
        if not isinstance(row, list) or len(row) != len(names):
            raise BadRecord(f"{self.table}: 记录的列数不对")
        for name, value in zip(names, row, strict=True):
            if value is None:
                if name in self.required:
                    raise BadRecord(f"{self.table}.{name}: 不能为空")
                continue
            if not self.validators[name](value):
                shown = str(value)[:20].encode("utf-8", "backslashreplace").decode()  # printable
                raise BadRecord(f"{self.table}.{name}: 值不合规（{shown}…）")
