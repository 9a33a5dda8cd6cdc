"""The county home page's summary table: every station's figures, kept current by the import.

At city size (1 000 000 persons, 20 000 000 visits) the live grouped queries
of :mod:`station_desktop.store.county` take tens of seconds; this table makes
the home page a read of a few hundred thousand small rows (docs/performance.md,
"Issue 7"). It is local derived data (migration 0004): not synced, never in
a bundle, rebuilt from the rows whenever it is missing or out of date.

What is stored. Every :class:`~station_desktop.store.county.FigureDef` says
from which day a row counts (``enter``) and from which day it no longer does
(``leave``). For one quarter's *window* ``[valid_from, quarter end]`` the
rows of each station and figure are grouped by ``(enter, leave)``, with an
``enter`` before the window moved to its first day and a ``leave`` after it
dropped, so a figure on any day of the window is the sum of the groups with
``enter_on <= day < leave_on``: exact, not an approximation. Overdue
figures change every day without any new data, and that is why days are
stored and not just one day's totals: a window computed at an import stays
right, day after day, until the quarter ends or the station's rows change.
The visits-by-month chart is stored the same way, as figures named
``visits_month:YYYY-MM``.

This module reads and holds the helpers that write in a given connection;
the transactions that refresh are opened in :mod:`station_desktop.services`.

When it is refreshed.

* A bundle import on the county refreshes the sender's rows in the same
  transaction (:func:`refresh_after_import`, called by
  :func:`station_desktop.services.sync.merge.apply` before COMMIT), so the
  summary is never behind the rows it summarises.
* :func:`station_desktop.services.sync.review.transfer_person` refreshes both
  stations.
* Every other write (county corrections, catalogue edits, restores, raw SQL)
  is caught by the ``county_summary_stale`` trigger on ``change_log``: it
  drops the station's state, and the next
  :func:`station_desktop.services.county.county_view` recomputes exactly the
  stations so marked (lazy; a few ms per station, :func:`refresh_and_read`)
  before reading.
  Catalogue changes that alter a figure (contact intervals) change
  :func:`defs_hash`, which makes every station's rows stale.
* A quarter nobody has looked at yet (a past quarter, or the first day of a
  new one) is built at the first look, one grouped query per figure for all
  stations (about what the live page costs, once).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from station_desktop.domain import rules
from station_desktop.domain.catalogues import CatalogueEntry, Catalogues
from station_desktop.store import county as sc
from station_desktop.store.stats import of_live_person

#: The figure name prefix of the visits-by-month chart's rows.
MONTHS = "visits_month"
#: Stations recomputed one IN list at a time (well under SQLite's variable limit).
_CHUNK = 400
#: More stale stations than this share of all makes one full rebuild instead.
_FULL_SHARE = 0.3
#: In the last this many days of a quarter an import fills the next quarter's window too.
NEXT_QUARTER_DAYS = 31
#: Tables whose rows may carry a station code no person has (discovered per view).
_OTHER_TABLES = ("life_event", "dispute_case", "aid_application", "aid_payment", "honour")

_MONTHS_SQL = (
    "SELECT v.station_code, substr(v.visit_date, 1, 7), max(v.visit_date, :lo), NULL, "
    "count(*), 0, max(v.updated_at) FROM visit v "
    "WHERE v.deleted_at IS NULL AND v.visit_date BETWEEN :m0 AND :hi "
    f"AND {of_live_person('v.person_id')}{{restrict}} GROUP BY 1, 2, 3"
)


def period_key(day: date) -> str:
    """The quarter a day belongs to: ``2026Q4``."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def defs_hash(cats: Catalogues) -> str:
    """Changes whenever a figure's definition does (code or catalogues)."""
    parts = [json.dumps([d.key, d.source, d.cond, d.enter, d.leave, d.split, d.amount,
                         d.distinct, d.current_only]) for d in sc._figure_defs(cats)]
    return hashlib.sha256("\n".join([*parts, _MONTHS_SQL]).encode()).hexdigest()[:16]


def has_summary(con: sqlite3.Connection) -> bool:
    return sc._table_exists(con, "county_summary_state")


def _select_windowed(d: sc.FigureDef, restrict: str) -> str:
    """One figure's rows grouped by station, split value, entry and leaving day."""
    split = d.split or "''"
    inner = (f"SELECT {d.alias}.station_code AS sc, {split} AS sp, "
             f"max({d.enter}, :lo) AS en, {d.leave or 'NULL'} AS lv, {d.alias}.id AS rid, "
             f"{d.amount or 0} AS amt, {d.alias}.updated_at AS upd "
             f"FROM {d.source} WHERE {d.cond}{restrict}")
    count = "count(DISTINCT rid)" if d.distinct else "count(*)"
    return (f"SELECT sc, sp, en, CASE WHEN lv > :hi THEN NULL ELSE lv END AS lv2, {count}, "
            f"coalesce(sum(amt), 0), max(upd) FROM ({inner}) "
            "WHERE en IS NOT NULL AND en <= :hi AND (lv IS NULL OR lv > en) "
            "GROUP BY sc, sp, en, lv2")


def _window(on: date) -> dict[str, str]:
    """The parameters of the window from ``on`` to the end of its quarter."""
    first = sc.month_keys(on)[0] + "-01"
    return {"lo": on.isoformat(), "hi": rules.quarter_bounds(on)[1].isoformat(),
            "qa": rules.quarter_bounds(on)[0].isoformat(),
            "ya": rules.year_bounds(on)[0].isoformat(), "m0": first}


def _catalogues(con: sqlite3.Connection) -> Catalogues:
    """The catalogues in the database (as ``Service.catalogues``), from a raw connection."""
    entries = [CatalogueEntry(kind, code, name, sort, bool(active),
                              dict(json.loads(data) if isinstance(data, str) else data or {}))
               for kind, code, name, sort, active, data in con.execute(
                   "SELECT kind, code, name, sort, active, data FROM catalogue_item "
                   "WHERE deleted_at IS NULL")]
    return Catalogues(entries) if entries else Catalogues.defaults()


def refresh_in(con: sqlite3.Connection, codes: Iterable[str], *, on: date,
               cats: Catalogues, full: bool = False, now: str | None = None) -> int:
    """Recompute the window of ``on`` for stations ``codes``, in the caller's transaction.

    ``full`` recomputes every station's rows with one grouped query per figure
    (cheaper than IN lists once many stations are stale); ``codes`` are then
    the stations marked current beside those that have rows. Returns the
    number of summary rows written.
    """
    from station_desktop.store.models import utc_now

    key, params = period_key(on), _window(on)
    defs = sc._figure_defs(cats)
    rows: list[tuple[Any, ...]] = []

    def collect(restrict: str, extra: dict[str, str]) -> None:
        p = {**params, **extra}
        for d in defs:
            for code, value, en, lv, n, amount, latest in con.execute(
                    _select_windowed(d, restrict.format(a=d.alias)), p):
                fig = f"{d.key}:{value}" if d.split else d.key
                rows.append((key, code, fig, en, lv, int(n), int(amount or 0), latest))
        for code, month, en, lv, n, amount, latest in con.execute(
                _MONTHS_SQL.format(restrict=restrict.format(a="v")), p):
            rows.append((key, code, f"{MONTHS}:{month}", en, lv, int(n), int(amount), latest))

    if full:
        con.execute("DELETE FROM county_summary WHERE period_key = ?", (key,))
        con.execute("DELETE FROM county_summary_state WHERE period_key = ?", (key,))
        collect("", {})
        done = sorted({r[1] for r in rows} | set(codes))
    else:
        done = sorted(set(codes))
        for i in range(0, len(done), _CHUNK):
            part = done[i:i + _CHUNK]
            marks = {f"c{j}": c for j, c in enumerate(part)}
            in_list = "(" + ", ".join(f":{m}" for m in marks) + ")"
            con.execute(f"DELETE FROM county_summary WHERE period_key = :k "
                        f"AND station_code IN {in_list}", {"k": key, **marks})
            collect(f" AND {{a}}.station_code IN {in_list}", marks)
    con.executemany("INSERT INTO county_summary (period_key, station_code, figure, enter_on, "
                    "leave_on, n, amount_fen, latest) VALUES (?,?,?,?,?,?,?,?)", rows)
    stamp, h = now or utc_now(), defs_hash(cats)
    con.executemany("INSERT OR REPLACE INTO county_summary_state (station_code, period_key, "
                    "valid_from, valid_to, defs_hash, computed_at) VALUES (?,?,?,?,?,?)",
                    [(c, key, params["lo"], params["hi"], h, stamp) for c in done])
    return len(rows)


def _all_codes(con: sqlite3.Connection) -> set[str]:
    """Every station code that has rows a figure may count (visits aside)."""
    codes = {c for (c,) in con.execute("SELECT DISTINCT station_code FROM person")}
    for table in _OTHER_TABLES:
        codes.update(c for (c,) in con.execute(f"SELECT DISTINCT station_code FROM {table}"))
    return codes


def _fresh(con: sqlite3.Connection, on: date, cats: Catalogues) -> set[str]:
    return {c for (c,) in con.execute(
        "SELECT station_code FROM county_summary_state WHERE period_key = ? "
        "AND valid_from <= ? AND valid_to >= ? AND defs_hash = ?",
        (period_key(on), on.isoformat(), on.isoformat(), defs_hash(cats)))}


def _wanted(con: sqlite3.Connection, stations: Iterable[str]) -> set[str]:
    """The codes the summary must hold: the stations, our own code, any code with rows."""
    want = set(stations) | _all_codes(con)
    own = sc._own(con)[0]
    if own:
        want.add(own)
    return want


def refresh_after_import(con: sqlite3.Connection, sender: str, *,
                         today: date | None = None) -> None:
    """The bundle import's hook (county only): bring the sender's summary up to date.

    Runs inside the import's transaction, after the merge and before COMMIT.
    Nothing to do when the bundle changed none of the sender's rows (its state
    is still current: the ``change_log`` trigger drops it on any change).
    In a quarter's last month the next quarter's window is filled too, so the
    first look at a new quarter finds every station that reported lately
    ready (the rest are recomputed then, a few ms each).
    """
    role = con.execute("SELECT value FROM meta WHERE key = 'role'").fetchone()
    if not role or role[0] != "county" or not has_summary(con):
        return
    today = today or date.today()
    cats = _catalogues(con)
    end = rules.quarter_bounds(today)[1]
    days = [today] if (end - today).days >= NEXT_QUARTER_DAYS else [today,
                                                                   end + timedelta(days=1)]
    for day in days:
        if sender not in _fresh(con, day, cats):
            refresh_in(con, [sender], on=day, cats=cats)


def refresh_session(s: Session, codes: Sequence[str]) -> None:
    """Refresh stations' summary inside an ORM write transaction (a transfer)."""
    s.flush()
    raw = s.connection().connection.dbapi_connection
    assert raw is not None
    con: sqlite3.Connection = raw  # type: ignore[assignment]
    if has_summary(con):
        refresh_in(con, codes, on=date.today(), cats=_catalogues(con))


# --- reading -------------------------------------------------------------------------


def _read(con: sqlite3.Connection, cats: Catalogues, period: sc.CountyPeriod, today: date,
          stale_days: int, stations: dict[str, sc.Unit], scope: str
          ) -> tuple[sc.CountyFigures, list[tuple[str, int]]]:
    on = period.on
    current = on >= today
    months = sc.month_keys(on)
    wanted = set(months)
    chart: dict[str, int] = defaultdict(int)
    cells = []
    for code, fig, n, amount, latest in con.execute(
            "SELECT s.station_code, s.figure, sum(s.n), sum(s.amount_fen), max(s.latest) "
            "FROM county_summary s JOIN county_summary_state st "
            "ON st.station_code = s.station_code AND st.period_key = s.period_key "
            "WHERE s.period_key = :k AND s.enter_on <= :on "
            "AND (s.leave_on IS NULL OR s.leave_on > :on) "
            "AND st.valid_from <= :on AND st.valid_to >= :on AND st.defs_hash = :h "
            "GROUP BY s.station_code, s.figure",
            {"k": period_key(on), "on": on.isoformat(), "h": defs_hash(cats)}):
        if fig.startswith(MONTHS + ":"):
            month = fig[len(MONTHS) + 1:]
            if month in wanted and code.startswith(scope):
                chart[month] += n
        elif current or fig != "contacts_overdue":
            cells.append((code, fig, sc.Cell(int(n), int(amount), latest)))
    figures = sc._assemble(con, period, today, stale_days, stations, cells)
    return figures, [(m, chart[m]) for m in months]


def read_current(con: sqlite3.Connection, cats: Catalogues, period: sc.CountyPeriod, *,
                 today: date, stale_days: int = sc.DEFAULT_STALE_DAYS, scope: str = ""
                 ) -> tuple[sc.CountyFigures, list[tuple[str, int]]] | None:
    """The figures and the month chart if every station's summary holds the period's day
    (a plain read); None when some station must be recomputed first."""
    stations = sc._stations(con, sc._own(con)[0], today, stale_days)
    if _wanted(con, stations) - _fresh(con, period.on, cats):
        return None
    return _read(con, cats, period, today, stale_days, stations, scope)


def refresh_and_read(con: sqlite3.Connection, cats: Catalogues, period: sc.CountyPeriod, *,
                     today: date, stale_days: int = sc.DEFAULT_STALE_DAYS, scope: str = ""
                     ) -> tuple[sc.CountyFigures, list[tuple[str, int]]]:
    """Recompute the stations whose summary does not hold the period's day, then read,
    in the caller's write transaction (so what is read is consistent)."""
    stations = sc._stations(con, sc._own(con)[0], today, stale_days)
    want = _wanted(con, stations)
    stale = sorted(want - _fresh(con, period.on, cats))
    if len(stale) > _FULL_SHARE * len(want):
        refresh_in(con, want, on=period.on, cats=cats, full=True)
    elif stale:
        refresh_in(con, stale, on=period.on, cats=cats)
    return _read(con, cats, period, today, stale_days, stations, scope)


def refresh_all_in(con: sqlite3.Connection, station_codes: Sequence[str] | None, *, on: date,
                   cats: Catalogues | None = None) -> int:
    """Recompute stations' summary rows (None: a full rebuild) for the quarter of ``on``,
    in the caller's write transaction."""
    if not has_summary(con):
        return 0
    if station_codes is not None:
        return refresh_in(con, station_codes, on=on, cats=cats or _catalogues(con))
    every = _wanted(con, sc._stations(con, sc._own(con)[0], on, sc.DEFAULT_STALE_DAYS))
    return refresh_in(con, every, on=on, cats=cats or _catalogues(con), full=True)
