"""The search index as units of work, and the search box's search.

The keys and the lookups are :mod:`station_desktop.store.search`'s; keeping
the index current writes, so it happens here: before a search when persons
are queued for re-indexing (the lazy refresh), after a restore, and on
``check --repair``.
"""

from __future__ import annotations

from station_desktop.store import search as index
from station_desktop.store.db import Store
from station_desktop.store.search import SearchHit

__all__ = ["SearchHit", "rebuild_index", "refresh_index", "search"]


def refresh_index(store: Store) -> int:
    """Recompute the keys of the persons queued since the last refresh; return how many."""
    with store.raw_write() as con:
        return index.refresh_index(con)


def rebuild_index(store: Store) -> int:
    """Index every person afresh; return how many."""
    with store.raw_write() as con:
        return index.reindex_all(con)


def search(store: Store, query: str, *, limit: int = 20,
           include_deleted: bool = False) -> list[SearchHit]:
    """Persons matching ``query``, best first: at most ``limit`` hits.

    Persons changed since the last search are indexed first (one short write,
    only when something is queued), so a search always sees the roster as it is.
    """
    hits = index.find(store, query, limit=limit, include_deleted=include_deleted,
                      only_if_current=True)
    if hits is None:
        refresh_index(store)
        hits = index.find(store, query, limit=limit, include_deleted=include_deleted)
    assert hits is not None
    return hits
