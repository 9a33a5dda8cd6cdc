"""The queries behind the 人员档案 list: filtered, sorted id lists and rows in blocks.

The list page shows one row per live person over rosters of 100 000 and
more, so every query here is shaped for speed on an old PC:

* The id list for a filter and a sort is ONE pass over ``person`` with
  ``NOT INDEXED``: the partial unique index on live ID numbers would
  otherwise be chosen for ``deleted_at IS NULL`` and turn the scan into
  100 000 random row lookups (three to five times slower than reading the
  table in order).
* Membership in the JSON list columns (categories, tags) and the overdue
  rule are SQL functions backed by small caches keyed on the distinct
  column texts, so a roster with a few dozen category combinations pays
  for a few dozen Python calls, not one per row, and the JSON is decoded
  properly (non-ASCII codes may be stored escaped or not).
* Sorting by name follows pinyin order (what a 花名册 uses). There is no
  pinyin column; the order comes from the search index: the keys of kind
  :attr:`KeyKind.PINYIN` start with the name's full pinyin, so reading
  them in index order lists persons in pinyin order with no sort step
  (only the key of the name's preferred reading counts: 曾 is read zeng).
  Persons whose search keys are queued for recomputation are placed by
  keys computed here; when the index is far behind (a fresh bulk import)
  the list falls back to plain name order until the search box refreshes
  the index.
* The overdue filter is the due-list rule (:meth:`Service.due_list`): a
  person is overdue when the last contact (or, never contacted, the date
  of registration) plus the strictest contact interval of their categories
  and 重点关注 (:func:`rules.contact_interval_days`) falls before today.

No Qt here: the GUI runs these on its worker thread; tests and benchmarks
call them directly.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from station_desktop.domain import rules
from station_desktop.domain.catalogues import Catalogues
from station_desktop.store.db import Store
from station_desktop.store.search import SEP, KeyKind, person_keys

#: Sort keys the list offers, by column.
SORTS: tuple[str, ...] = (
    "name", "sex", "birth_date", "id_number", "categories", "phone", "last_contact_on",
    "key_focus",
)

#: Columns a list row holds (what the table shows, and what the overdue mark needs).
ROW_COLUMNS: tuple[str, ...] = (
    "id", "name", "sex", "birth_date", "id_number", "categories", "tags", "phone", "phone2",
    "last_contact_on", "registered_on", "key_focus", "deleted_at",
)

# Beyond this many persons waiting for their search keys, pinyin order is not
# worth computing here (pypinyin over thousands of names): sort by name.
PENDING_LIMIT = 5000

# Pinyin keys are lower-case letters (a latin name yields its letters); the
# range keeps the scan off the ID and phone keys, which start with digits.
_PINYIN_LO, _PINYIN_HI = "a", "{"


@dataclass(frozen=True)
class RosterFilter:
    """What the list is narrowed to; empty means everyone on file."""

    category: str | None = None
    tag: str | None = None
    key_focus: bool = False
    overdue: bool = False

    @property
    def empty(self) -> bool:
        return not (self.category or self.tag or self.key_focus or self.overdue)


# --- connections and SQL functions ---------------------------------------------


def _json_codes(text: str | None) -> frozenset[str]:
    if not text:
        return frozenset()
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return frozenset()
    return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()


class _Functions:
    """SQL functions for one query, each memoised on the distinct column texts it sees."""

    def __init__(self, cats: Catalogues | None, today: date | None):
        self.cats = cats
        self.today = today
        self._codes: dict[str | None, frozenset[str]] = {}
        self._cutoffs: dict[tuple[str | None, int], str] = {}
        self._ranks: dict[str | None, int] = {}
        self._order: dict[str, int] = (
            {e.code: i for i, e in enumerate(cats.entries("person_category",
                                                           active_only=False))}
            if cats else {}
        )

    def codes(self, text: str | None) -> frozenset[str]:
        found = self._codes.get(text)
        if found is None:
            found = self._codes[text] = _json_codes(text)
        return found

    def has(self, text: str | None, code: str) -> int:
        return int(code in self.codes(text))

    def cutoff(self, categories: str | None, key_focus: int | None) -> str:
        """The date before which the last contact makes this combination overdue."""
        key = (categories, int(bool(key_focus)))
        found = self._cutoffs.get(key)
        if found is None:
            assert self.cats is not None and self.today is not None
            codes = json.loads(categories) if categories else []
            days = rules.contact_interval_days(codes, bool(key_focus), self.cats)
            found = self._cutoffs[key] = (self.today - timedelta(days=days)).isoformat()
        return found

    def category_rank(self, text: str | None) -> int:
        """Catalogue position of the first category (the list sorts by it)."""
        found = self._ranks.get(text)
        if found is None:
            try:
                first = json.loads(text)[0] if text else None
            except (TypeError, ValueError, IndexError):
                first = None
            if first is None:
                found = len(self._order) + 1
            else:
                found = self._order.get(first, len(self._order))
            self._ranks[text] = found
        return found

    def install(self, con: sqlite3.Connection) -> None:
        con.create_function("roster_has", 2, self.has, deterministic=True)
        con.create_function("roster_cutoff", 2, self.cutoff, deterministic=True)
        con.create_function("roster_category_rank", 1, self.category_rank, deterministic=True)


def _where(flt: RosterFilter) -> tuple[str, dict[str, Any]]:
    clauses = ["deleted_at IS NULL"]
    params: dict[str, Any] = {}
    # Cheap column tests first: SQLite evaluates AND terms left to right.
    if flt.key_focus:
        clauses.append("key_focus = 1")
    if flt.category:
        clauses.append("roster_has(categories, :category)")
        params["category"] = flt.category
    if flt.tag:
        clauses.append("roster_has(tags, :tag)")
        params["tag"] = flt.tag
    if flt.overdue:
        clauses.append(
            "coalesce(last_contact_on, registered_on) < roster_cutoff(categories, key_focus)")
    return " AND ".join(clauses), params


# --- the id list ---------------------------------------------------------------


# A PINYIN key is ``reading SEP rank`` where rank is a length digit and the first
# 12 letters of the name's preferred reading (曾 → zeng, not ceng). A name with
# several readings has one key per reading; the list sorts by the preferred one.
_PREFERRED_SQL = (
    "substr(key, 1, min(instr(key, char(1)) - 1, 12)) = substr(key, instr(key, char(1)) + 2)"
)


def _is_preferred(key: str) -> bool:
    at = key.find(SEP)
    return at > 0 and key[:at][:12] == key[at + 2:]


def _pinyin_sort_key(name: str, id_number: str, phone: str | None,
                     phone2: str | None) -> str:
    """The key a person will have in the index's pinyin order (as the scan reads it)."""
    keys = [k for k, kind in person_keys(name, id_number, phone, phone2)
            if kind == KeyKind.PINYIN and _PINYIN_LO <= k < _PINYIN_HI and _is_preferred(k)]
    return min(keys) if keys else ""


def pinyin_order(con: sqlite3.Connection) -> tuple[list[str], int] | None:
    """Every live person in pinyin order of the name, and how many were placed.

    Returns None when too many persons wait for their search keys (the caller
    falls back to name order). Persons without any pinyin key (a name of
    symbols only) are not in the list; the caller appends them.
    """
    pending = [r[0] for r in con.execute("SELECT person_id FROM search_pending")]
    if len(pending) > PENDING_LIMIT:
        return None
    scan = ("SELECT {} FROM search_key WHERE key >= ? AND key < ? AND kind = ? AND "
            + _PREFERRED_SQL, (_PINYIN_LO, _PINYIN_HI, int(KeyKind.PINYIN)))
    if not pending:
        # Readings that share their first 12 letters give twin keys: keep the first.
        cur = con.execute(scan[0].format("person_id"), scan[1])
        return list(dict.fromkeys(pid for (pid,) in cur)), 0
    rows = con.execute(scan[0].format("key, person_id"), scan[1]).fetchall()
    stale = set(pending)
    first: dict[str, str] = {}
    for key, pid in rows:
        if pid not in stale and pid not in first:
            first[pid] = key
    keys, ids = list(first.values()), list(first)
    marks = ", ".join("?" * len(pending))
    late = [
        (_pinyin_sort_key(name, idn, p1, p2), pid)
        for pid, name, idn, p1, p2 in con.execute(
            "SELECT id, name, id_number, phone, phone2 FROM person "
            f"WHERE id IN ({marks}) AND deleted_at IS NULL", pending)
    ]
    for key, pid in sorted(late):
        if not key:
            continue
        at = bisect.bisect_right(keys, key)
        keys.insert(at, key)
        ids.insert(at, pid)
    return ids, len(late)


def roster_ids(
    store: Store, flt: RosterFilter = RosterFilter(), *, cats: Catalogues | None = None,  # noqa: B008
    today: date | None = None, sort: str = "name", descending: bool = False,
) -> list[str]:
    """Ids of the live persons matching ``flt``, in the order of ``sort``.

    ``cats`` and ``today`` are needed by the overdue filter and by the sort on
    categories (which follows the catalogue order of the first category).
    """
    if sort not in SORTS:
        raise ValueError(f"unknown roster sort {sort!r}")
    if flt.overdue and (cats is None or today is None):
        raise ValueError("the overdue filter needs the catalogues and today")
    funcs = _Functions(cats, today)
    where, params = _where(flt)
    with store.raw_read() as con:
        funcs.install(con)
        if sort == "name":
            ids = _ids_by_name(con, flt, where, params)
        else:
            column = "roster_category_rank(categories)" if sort == "categories" else sort
            direction = "DESC" if descending else "ASC"
            ids = [r[0] for r in con.execute(
                f"SELECT id FROM person NOT INDEXED WHERE {where} "
                f"ORDER BY {column} {direction}, name, id", params)]
            return ids
    if descending:
        ids.reverse()
    return ids


def _ids_by_name(con: sqlite3.Connection, flt: RosterFilter, where: str,
                 params: dict[str, Any]) -> list[str]:
    order = pinyin_order(con)
    if order is None:
        return [r[0] for r in con.execute(
            f"SELECT id FROM person NOT INDEXED WHERE {where} ORDER BY name, id", params)]
    ordered, _late = order
    if flt.empty:
        live = con.execute("SELECT count(*) FROM person WHERE deleted_at IS NULL").fetchone()[0]
        if len(ordered) == live:
            return ordered
        # Someone has no pinyin key (or the index is inconsistent): find who.
        matches = dict(con.execute(
            f"SELECT id, name FROM person NOT INDEXED WHERE {where}", params).fetchall())
    else:
        matches = dict(con.execute(
            f"SELECT id, name FROM person NOT INDEXED WHERE {where}", params).fetchall())
    out = [pid for pid in ordered if pid in matches]
    if len(out) < len(matches):
        placed = set(out)
        out.extend(sorted((pid for pid in matches if pid not in placed),
                          key=lambda pid: (matches[pid] or "", pid)))
    return out


# --- rows ----------------------------------------------------------------------


def rows_by_ids(
    store: Store, ids: Sequence[str], *, cats: Catalogues | None = None,
    today: date | None = None,
) -> dict[str, dict[str, Any]]:
    """The list rows of these persons (deleted ones included, marked by ``deleted_at``).

    JSON lists come back as Python lists. With ``cats`` and ``today`` each row
    also says whether the person is overdue for contact (``overdue``) and when
    the next contact is or was due (``due_on``), by the same rule as the filter.
    """
    if not ids:
        return {}
    funcs = _Functions(cats, today)
    out: dict[str, dict[str, Any]] = {}
    cols = ", ".join(ROW_COLUMNS)
    with store.raw_read() as con:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ", ".join("?" * len(chunk))
            cur = con.execute(f"SELECT {cols} FROM person WHERE id IN ({marks})", chunk)
            for values in cur:
                row = dict(zip(ROW_COLUMNS, values, strict=True))
                row["key_focus"] = bool(row["key_focus"])
                categories_text = row["categories"]
                row["categories"] = json.loads(categories_text) if categories_text else []
                row["tags"] = json.loads(row["tags"]) if row["tags"] else []
                if cats is not None and today is not None:
                    cutoff = funcs.cutoff(categories_text, row["key_focus"])
                    ref = row["last_contact_on"] or row["registered_on"]
                    row["overdue"] = bool(ref) and ref < cutoff
                    if ref:
                        days = (today - date.fromisoformat(cutoff)).days
                        row["due_on"] = date.fromisoformat(ref) + timedelta(days=days)
                out[row["id"]] = row
    return out


# --- small look-ups the person forms need --------------------------------------------


def person_with_id_number(
    store: Store, id_number: str, *, exclude: str | None = None
) -> dict[str, Any] | None:
    """The live person already registered under this (normalised) ID number, if any."""
    with store.raw_read() as con:
        row = con.execute(
            "SELECT id, name FROM person WHERE id_number = ? AND deleted_at IS NULL "
            "AND id IS NOT ?", (id_number, exclude)).fetchone()
    return {"id": row[0], "name": row[1]} if row else None


def operator_names(store: Store) -> dict[str, str]:
    """Operator id → name, including inactive and deleted operators (for history)."""
    with store.raw_read() as con:
        return dict(con.execute("SELECT id, name FROM operator").fetchall())
