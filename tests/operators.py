"""Who acts in a test: the first active administrator of a station's database."""

from __future__ import annotations

from sqlalchemy import text

from station_desktop.store.db import Store


def admin_of(store: Store) -> str:
    """The id of the station's first active administrator (init_station makes one)."""
    with store.read() as s:
        return s.execute(text(
            "SELECT id FROM operator WHERE is_admin = 1 AND active = 1 AND deleted_at IS NULL "
            "ORDER BY created_at, id LIMIT 1")).scalar_one()
