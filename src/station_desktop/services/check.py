"""``check --repair``: the checks are :func:`station_desktop.store.check.check_store`'s
(they only read); a repair rewrites the search index, so it is a unit of work here."""

from __future__ import annotations

from typing import Any

from station_desktop.services.search_index import rebuild_index
from station_desktop.store import check as checks
from station_desktop.store.db import Store
from station_desktop.store.search import pending_count


def check_store(store: Store, *, repair: bool = False) -> dict[str, Any]:
    """Is the database whole and every record covered by change capture? With ``repair``,
    persons waiting for their search keys are indexed first."""
    if repair and pending_count(store):
        rebuild_index(store)
    return checks.check_store(store)
