"""The county home page's figures: a read that first brings the summary table up to date.

The summary (:mod:`station_desktop.store.county_summary`) is refreshed
lazily: a look at a period recomputes the stations whose rows changed since,
so showing the page may write. That write is a unit of work here; the plain
read when nothing is stale takes no write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from station_desktop.domain.catalogues import Catalogues
from station_desktop.store import county as sc
from station_desktop.store import county_summary as cs
from station_desktop.store.db import Store


def county_view(store: Store, cats: Catalogues, period: sc.CountyPeriod, *, today: date,
                stale_days: int = sc.DEFAULT_STALE_DAYS, scope: str = "", summary: bool = True
                ) -> tuple[sc.CountyFigures, sc.ChartData]:
    """What the county home page shows: the figures and the charts, on the worker thread.

    Read from the summary table (stations whose rows changed recomputed first)
    unless ``summary`` is off or the database has none; the live queries
    (:func:`station_desktop.store.county.county_view`) give exactly the same figures.
    """
    if summary:
        got = summary_view(store, cats, period, today=today, stale_days=stale_days, scope=scope)
        if got is not None:
            fig, months = got
            return fig, sc.chart_data(store, fig, cats, scope, months)
    return sc.county_view(store, cats, period, today=today, stale_days=stale_days, scope=scope)


def summary_view(store: Store, cats: Catalogues, period: sc.CountyPeriod, *, today: date,
                 stale_days: int = sc.DEFAULT_STALE_DAYS, scope: str = ""
                 ) -> tuple[sc.CountyFigures, list[tuple[str, int]]] | None:
    """The county figures and the month chart from the summary (None: no summary table).

    Stations whose summary does not hold the period's day are recomputed first,
    in one write transaction that then reads, so what is read is consistent.
    """
    with store.raw_read() as con:
        if not cs.has_summary(con):
            return None
        got = cs.read_current(con, cats, period, today=today, stale_days=stale_days, scope=scope)
        if got is not None:
            return got
    with store.raw_write() as con:
        return cs.refresh_and_read(con, cats, period, today=today, stale_days=stale_days,
                                   scope=scope)


def refresh_summary(store: Store, station_codes: Sequence[str] | None = None, *,
                    today: date | None = None, cats: Catalogues | None = None) -> int:
    """Recompute stations' summary rows (None: a full rebuild) for this quarter, from today."""
    with store.raw_write() as con:
        return cs.refresh_all_in(con, station_codes, on=today or date.today(), cats=cats)
