"""Search a cadre can use: name fragments, pinyin, ID-number and phone fragments."""

from __future__ import annotations

from sqlalchemy import Connection

# Columns whose change makes a person's search keys stale.
_SEARCHED_COLUMNS = ("name", "id_number", "phone", "phone2", "deleted_at")


# Not "INSERT OR IGNORE": an outer statement's conflict policy (an upsert,
# INSERT OR REPLACE) overrides the one inside a trigger, so test explicitly.
_QUEUE = (
    "INSERT INTO search_pending (person_id) SELECT NEW.id WHERE NOT EXISTS "
    "(SELECT 1 FROM search_pending WHERE person_id = NEW.id); END"
)


def install_search_triggers(conn: Connection) -> None:
    """Queue a person for re-indexing whenever a searched column changes, on any write path."""
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS search_person_insert")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS search_person_update")
    conn.exec_driver_sql(
        "CREATE TRIGGER search_person_insert AFTER INSERT ON person BEGIN "
        + _QUEUE
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER search_person_update AFTER UPDATE OF "
        + ", ".join(_SEARCHED_COLUMNS)
        + " ON person BEGIN "
        + _QUEUE
    )
