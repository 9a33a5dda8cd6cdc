"""The database file: engine, pragmas, sessions and units of work.

One engine per file. Every user action is one ``with store.write(...)``
block: a single ``BEGIN IMMEDIATE`` transaction that names the operator for
the capture triggers and commits or rolls back as a whole. Reads use
``store.read()``. Sessions never outlive the block that opened them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from station_desktop.domain.errors import StorageError

DB_FILENAME = "station.sqlite3"
APPLICATION_ID = 0x5354_4E44  # "STND": marks the file as ours (PRAGMA application_id)


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # SQLAlchemy's documented recipe for pysqlite: let SQLAlchemy emit BEGIN
    # itself so transactional DDL and SAVEPOINT work on Python 3.11.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout = 10000")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _on_begin(conn) -> None:  # noqa: ANN001 - SQLAlchemy Connection
    # Writers take the write lock up front so two writers never deadlock on
    # a lock upgrade; readers start a deferred transaction.
    mode = "IMMEDIATE" if conn.get_execution_options().get("immediate") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class Store:
    """An open station database. Create with :func:`station_desktop.services.open_store`."""

    def __init__(self, path: Path, engine: Engine | None = None):
        self.path = Path(path)
        self.engine = engine or make_engine(self.path)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = self.engine.execution_options(immediate=True)
        self._write_sessions = sessionmaker(self._writer, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def write(
        self, operator_id: str | None = None, *, origin: str | None = None, applying: bool = False
    ) -> Iterator[Session]:
        """One transaction; the capture triggers attribute its changes to ``operator_id``."""
        with self._write_sessions() as session, session.begin():
            session.execute(
                text(
                    "UPDATE write_context SET operator_id = :op, origin = :origin, "
                    "applying = :applying WHERE id = 1"
                ),
                {"op": operator_id, "origin": origin, "applying": int(applying)},
            )
            yield session
            session.flush()
            # Leave no stale attribution behind for a later raw write.
            session.execute(
                text(
                    "UPDATE write_context SET operator_id = NULL, origin = NULL, applying = 0, "
                    "apply_hlc = NULL WHERE id = 1"
                )
            )

    @contextmanager
    def raw_read(self) -> Iterator[sqlite3.Connection]:
        """The plain sqlite3 connection of one read transaction.

        For raw-SQL reads (a bundle's payload, its checks): one consistent
        snapshot in a deferred transaction, never the write lock.
        """
        with self.read() as session:
            raw = session.connection().connection.dbapi_connection
            assert raw is not None
            yield raw  # type: ignore[misc]

    @contextmanager
    def raw_write(self, operator_id: str | None = None) -> Iterator[sqlite3.Connection]:
        """A plain sqlite3 connection inside one write transaction, for bulk work.

        sqlite-utils and ``executemany`` run on it; the capture triggers still
        fire for every row, and everything commits or rolls back together.
        """
        with self._writer.connect() as conn, conn.begin():
            conn.execute(
                text("UPDATE write_context SET operator_id = :op WHERE id = 1"),
                {"op": operator_id},
            )
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None
            yield dbapi  # type: ignore[misc]
            conn.execute(text("UPDATE write_context SET operator_id = NULL WHERE id = 1"))

    def analyze(self, *, only_if_stale: bool = False) -> bool:
        """Refresh the query planner's statistics (a few ms with a sample limit).

        Without them SQLite scans ``person WHERE deleted_at IS NULL`` through
        the partial unique index on ID numbers, fetching rows out of order:
        2-5x slower for every whole-roster query. With ``only_if_stale`` it
        runs only when the roster is large and has grown or shrunk by a tenth
        since the last run, so an open that changes nothing writes nothing.
        It writes ``sqlite_stat1``: only a services function calls it (opening
        a data dir, a bulk import), and the tests' write guard checks that.
        """
        with self.engine.begin() as conn:
            if only_if_stale:
                rows = conn.exec_driver_sql("SELECT count(*) FROM person").scalar_one()
                has_stats = conn.exec_driver_sql(
                    "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first()
                seen = conn.exec_driver_sql(
                    "SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = 'person'"
                ).scalar() if has_stats else None
                if rows < 1000 or (seen and abs(rows - seen) * 10 < rows):
                    return False
            conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
            conn.exec_driver_sql("ANALYZE")
        return True

    def meta(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": key}).first()
        return row[0] if row else default

    def close(self) -> None:
        self.engine.dispose()


def dict_rows(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    """A raw cursor's rows as dicts by column name."""
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def in_list(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``(:p0, :p1, ...)`` and its parameters, for an SQL ``IN`` list."""
    params = {f"{prefix}{i}": v for i, v in enumerate(values)}
    return "(" + ", ".join(f":{k}" for k in params) + ")", params


def rows_by_id(store: Store, sql: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Rows of ``sql`` (ending in ``IN {marks}`` over the ids) keyed by their ``id``,
    read on the plain connection (a list loads a block of rows at a time)."""
    if not ids:
        return {}
    marks, params = in_list("i", list(ids))
    with store.raw_read() as con:
        return {r["id"]: r for r in dict_rows(con.execute(sql.format(marks=marks), params))}


def sql_in(values: Iterable[str]) -> str:
    """``('a', 'b')`` for an SQL ``IN`` over the program's own constants (state codes),
    never over anything a user typed."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def quick_check(path: Path) -> None:
    """Refuse a file that is not a healthy station database, before anything writes to it."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA quick_check").fetchone()
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StorageError(
            f"数据库文件“{path}”已损坏或不是本程序的数据文件（{exc}）。",
            hint="请不要再写入这个文件；可用“恢复备份”从最近一次备份恢复，原文件会另存保留。",
            code="corrupt",
        ) from exc
    if result is None or result[0] != "ok":
        raise StorageError(
            f"数据库文件“{path}”检查未通过（{result[0] if result else '无结果'}）。",
            hint="请从最近一次备份恢复，原文件会另存保留。",
            code="corrupt",
        )
    if app_id not in (0, APPLICATION_ID):
        raise StorageError(
            f"文件“{path}”不是退役军人服务站的数据文件。",
            hint="请检查数据目录是否选错。",
            code="foreign",
        )
