"""Change capture by SQLite triggers, so no write path can bypass it.

For every synced table three AFTER triggers are installed (insert, update,
delete). Each ticks the hybrid logical clock, stamps the row's ``hlc``
(unless a bundle is being applied, when the remote clock is kept), and
appends one row to ``change_log`` in the same transaction as the write. The
ORM, sqlite-utils bulk inserts, raw SQL and the sync merge all go through
SQLite, so all of them are captured.

The triggers are generated from the live table's columns (``PRAGMA
table_info``), so a migration that changes a table calls
:func:`install_triggers` again and the triggers follow the schema.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# Columns that do not count as a change on their own: the clock is written by
# the trigger itself.
_IGNORED = {"hlc"}

# (unix ms) << 16, computed in SQL; julianday('now') is stable within a statement.
_NOW_HLC = "(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 65536)"
_APPLYING = "(SELECT applying FROM write_context WHERE id = 1)"
_CLOCK = "(SELECT value FROM hlc_clock WHERE id = 1)"
# While a bundle is applied, the merge names the clock of the fields it is
# writing (one UPDATE per remote field clock), so the log keeps each field's
# own clock rather than the row's newest. NULL otherwise.
_APPLY_HLC = "(SELECT apply_hlc FROM write_context WHERE id = 1)"


def _columns(conn: Connection, table: str) -> list[str]:
    rows = conn.exec_driver_sql(f'PRAGMA table_info("{table}")').fetchall()
    return [r[1] for r in rows]


# SQLite 3.40 allows at most 127 arguments per function call, fewer than two
# per column of a wide table; build the object in chunks with json_set.
_PAIRS_PER_CALL = 60


def _json_object(prefix: str, cols: list[str]) -> str:
    def pairs(chunk: list[str]) -> str:
        return ", ".join(f"'$.{c}', {prefix}.\"{c}\"" for c in chunk)

    expr = "json_object()"
    for i in range(0, len(cols), _PAIRS_PER_CALL):
        expr = f"json_set({expr}, {pairs(cols[i:i + _PAIRS_PER_CALL])})"
    return expr


def trigger_sql(table: str, cols: list[str], *, field_clocks: bool = True) -> list[str]:
    """The DDL of the three capture triggers for ``table`` with columns ``cols``.

    ``field_clocks`` is False only for schemas older than 0003, whose
    ``write_context`` has no ``apply_hlc`` column yet.
    """
    watched = [c for c in cols if c not in _IGNORED]
    tick = (
        f"UPDATE hlc_clock SET value = max(value + 1, {_NOW_HLC}, "
        f"coalesce(NEW.hlc, 0)) WHERE id = 1;"
    )
    stamp = (
        f'UPDATE "{table}" SET hlc = {_CLOCK} WHERE rowid = NEW.rowid AND {_APPLYING} = 0;'
    )
    log = (
        "INSERT INTO change_log (at, table_name, row_id, op, hlc, station_code, "
        "operator_id, origin, changes) VALUES ("
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '{table}', {row}.id, '{op}', {hlc}, "
        "{row}.station_code, (SELECT operator_id FROM write_context WHERE id = 1), "
        "(SELECT origin FROM write_context WHERE id = 1), {changes});"
    )
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in watched)
    diff = (
        "(SELECT json_group_object(k, json(v)) FROM ("
        + " UNION ALL ".join(
            f"SELECT '{c}' AS k, json_array(OLD.\"{c}\", NEW.\"{c}\") AS v "
            f'WHERE OLD."{c}" IS NOT NEW."{c}"'
            for c in watched
        )
        + "))"
    )
    row_hlc = f'(SELECT hlc FROM "{table}" WHERE rowid = NEW.rowid)'
    if field_clocks:
        row_hlc = f"coalesce({_APPLY_HLC}, {row_hlc})"
    return [
        f'DROP TRIGGER IF EXISTS "capture_{table}_insert"',
        f'DROP TRIGGER IF EXISTS "capture_{table}_update"',
        f'DROP TRIGGER IF EXISTS "capture_{table}_delete"',
        f'CREATE TRIGGER "capture_{table}_insert" AFTER INSERT ON "{table}" BEGIN '
        + tick
        + stamp
        # An insert logs no values: the row itself holds them, and every later
        # update logs the old values it replaced, so the image at insert time
        # can always be rebuilt. This halves the size of a large database.
        + log.format(table=table, row="NEW", op="I", hlc=row_hlc, changes="NULL")
        + " END",
        # The stamp above is an UPDATE of hlc only; the WHEN clause keeps it
        # from being logged as a second change.
        f'CREATE TRIGGER "capture_{table}_update" AFTER UPDATE ON "{table}" WHEN {changed} BEGIN '
        + tick
        + stamp
        + log.format(table=table, row="NEW", op="U", hlc=row_hlc, changes=diff)
        + " END",
        f'CREATE TRIGGER "capture_{table}_delete" AFTER DELETE ON "{table}" BEGIN '
        + f"UPDATE hlc_clock SET value = max(value + 1, {_NOW_HLC}) WHERE id = 1;"
        + log.format(
            table=table, row="OLD", op="D", hlc=_CLOCK, changes=_json_object("OLD", watched)
        )
        + " END",
    ]


def install_triggers(conn: Connection, tables: tuple[str, ...] | list[str]) -> None:
    """(Re)create the capture triggers of ``tables`` from their current columns."""
    field_clocks = "apply_hlc" in _columns(conn, "write_context")
    for table in tables:
        for stmt in trigger_sql(table, _columns(conn, table), field_clocks=field_clocks):
            conn.exec_driver_sql(stmt)


def install_guards(conn: Connection) -> None:
    """Make the change log and audit events append-only, and seed the single-row tables."""
    for table in ("change_log", "audit_event"):
        for event in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(f'DROP TRIGGER IF EXISTS "guard_{table}_{event.lower()}"')
            conn.exec_driver_sql(
                f'CREATE TRIGGER "guard_{table}_{event.lower()}" BEFORE {event} ON "{table}" '
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    conn.execute(text("INSERT OR IGNORE INTO write_context (id, applying) VALUES (1, 0)"))
    conn.execute(text("INSERT OR IGNORE INTO hlc_clock (id, value) VALUES (1, 0)"))


def row_as_of(conn: Connection, table: str, row_id: str, seq: int) -> dict | None:
    """The row as it stood right after change ``seq``, rebuilt from today's row and the log.

    Later updates are undone newest first with the old values they logged;
    None if the row did not exist then. This is how the values a record was
    created with are read back (inserts log no values of their own).
    """
    import json

    current = conn.execute(text(f'SELECT * FROM "{table}" WHERE id = :i'), {"i": row_id})
    found = current.mappings().first()
    later = conn.execute(text(
        "SELECT seq, op, changes FROM change_log WHERE table_name = :t AND row_id = :i "
        "AND seq > :s ORDER BY seq DESC"), {"t": table, "i": row_id, "s": seq}).all()
    row = dict(found) if found is not None else None
    for _seq, op, changes in later:
        values = json.loads(changes) if changes else {}
        if op == "D":
            row = dict(values)
        elif op == "U" and row is not None:
            for col, (old, _new) in values.items():
                row[col] = old
        elif op == "I":
            row = None
    if row is not None:
        row.pop("hlc", None)
    return row
