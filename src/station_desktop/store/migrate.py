"""Schema revisions and Alembic: what a file's schema is, whether this program can open it,
and the upgrade step. Opening a data dir (check, back up, migrate) is
``station_desktop.services.opening.open_store``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from station_desktop.domain.errors import StorageError
from station_desktop.store.db import APPLICATION_ID, Store, quick_check

#: The newest schema revision this program writes. Opening a database that is
#: already at this revision needs no Alembic at all (its import costs 0.2 s of
#: start-up); a test keeps it equal to the head of the migration scripts.
SCHEMA_HEAD = "0004"
# The newest revision that changed a synced table. Bundles carry this, not the
# head: a revision that only adds local tables (0004: the county summary) must
# not make older installations refuse bundles they can read perfectly well.
SYNC_SCHEMA = "0003"


def alembic_config():  # noqa: ANN201 - alembic.config.Config, imported lazily
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "station_desktop.store:migrations")
    return cfg


def _scripts():  # noqa: ANN202
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in _scripts().walk_revisions()}


def current_revision(path: Path) -> str | None:
    """The schema revision stored in ``path``, or None for an empty file."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        has = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if not has:
            tables = con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()
            if tables[0]:
                raise StorageError(
                    f"文件“{path}”不是退役军人服务站的数据文件（缺少版本信息）。",
                    hint="请检查数据目录是否选错。",
                    code="foreign",
                )
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        con.close()


def upgrade(store: Store, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config()
    with store.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()


def check_openable(path: Path) -> str | None:
    """Refuse a file that is damaged, foreign or newer than this program; return its revision.

    Reads only: nothing is written before these checks pass.
    """
    quick_check(path)
    rev = current_revision(path)
    if rev is not None and rev != SCHEMA_HEAD and rev not in known_revisions():
        raise StorageError(
            f"数据库由更新版本的程序创建（版本 {rev}），本程序无法打开。",
            hint="请安装最新版本的服务站程序后再打开；数据没有被改动。",
            code="too_new",
            revision=rev,
        )
    return rev


def set_application_id(conn) -> None:  # noqa: ANN001 - SQLAlchemy Connection in the caller's transaction
    """Mark the file as ours, so another program's SQLite file is never mistaken for one."""
    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
