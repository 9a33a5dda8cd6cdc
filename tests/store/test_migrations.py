"""Opening data dirs: new, from an older saved schema, too new, foreign, damaged."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from station_desktop.domain.errors import StorageError
from station_desktop.store.db import DB_FILENAME
from station_desktop.store.migrate import current_revision, head_revision
from station_desktop.services import open_store
from station_desktop.services.search_index import search

DATA = Path(__file__).parent.parent / "data"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_empty_dir_is_created_at_head_with_pragmas(tmp_path):
    store = open_store(tmp_path)
    try:
        assert current_revision(store.path) == head_revision()
        with store.engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1
    finally:
        store.close()


@pytest.mark.parametrize("revision", ["0001", "0002", "0003"])
def test_saved_older_database_upgrades_and_keeps_records(tmp_path, revision):
    shutil.copy(DATA / f"schema_{revision}.sqlite3", tmp_path / DB_FILENAME)
    store = open_store(tmp_path)
    try:
        assert current_revision(store.path) == head_revision()
        names = {h.name for h in search(store, "zsf")} | {h.name for h in search(store, "李明")}
        assert names == {"张三丰", "李明"}
    finally:
        store.close()
    # the pre-upgrade backup was taken with the backup API and is the old revision
    backups = list((tmp_path / "backups").glob(f"before-upgrade-{revision}-*.sqlite3"))
    assert len(backups) == 1
    assert current_revision(backups[0]) == revision


def _bump_to_unknown_revision(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()


def test_newer_database_is_refused_and_untouched(tmp_path):
    open_store(tmp_path).close()
    path = tmp_path / DB_FILENAME
    _bump_to_unknown_revision(path)
    before = digest(path)
    with pytest.raises(StorageError) as err:
        open_store(tmp_path)
    assert err.value.code == "too_new"
    assert "更新版本" in err.value.user_text()
    assert digest(path) == before


@pytest.mark.parametrize("content,code", [
    (b"this is not a database at all" * 100, "corrupt"),
    (b"", None),  # an empty file is simply a new database
])
def test_garbage_file(tmp_path, content, code):
    path = tmp_path / DB_FILENAME
    path.write_bytes(content)
    if code is None:
        open_store(tmp_path).close()
        return
    with pytest.raises(StorageError) as err:
        open_store(tmp_path)
    assert err.value.code == code
    assert path.read_bytes() == content


def test_truncated_database_is_refused(tmp_path, svc, store):
    from tests.conftest import make_id

    for n in range(50):
        svc.create("person", {"name": f"人{n}", "id_number": make_id(seq=n), "categories": "退役士兵"})
    store.close()
    path = tmp_path / "data" / DB_FILENAME
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = digest(path)
    with pytest.raises(StorageError) as err:
        open_store(tmp_path / "data")
    assert err.value.code == "corrupt"
    assert digest(path) == before


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / DB_FILENAME
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    con.commit()
    con.close()
    before = digest(path)
    with pytest.raises(StorageError) as err:
        open_store(tmp_path)
    assert err.value.code == "foreign"
    assert digest(path) == before


def test_daily_backup_is_made_once_per_day(tmp_path):
    open_store(tmp_path).close()
    open_store(tmp_path).close()
    open_store(tmp_path).close()
    assert len(list((tmp_path / "backups").glob("daily-*.sqlite3"))) == 1


def test_schema_head_constant_matches_the_migration_scripts():
    from station_desktop.store.migrate import SCHEMA_HEAD

    assert SCHEMA_HEAD == head_revision()


def test_opening_a_current_database_does_not_import_alembic(tmp_path):
    import subprocess
    import sys

    open_store(tmp_path).close()
    code = ("import sys\nfrom pathlib import Path\n"
            "from station_desktop.services import open_store\n"
            f"open_store(Path({str(tmp_path)!r})).close()\n"
            "sys.exit(1 if 'alembic' in sys.modules else 0)\n")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_planner_statistics_are_refreshed_when_the_roster_grows(tmp_path):
    import random
    from datetime import date

    from station_desktop.services.demo import insert_rows, make_persons

    store = open_store(tmp_path)
    try:
        with store.raw_write() as con:
            insert_rows(con, "person",
                        make_persons(random.Random(3), 1500, "420303100201", date(2026, 11, 23)))
    finally:
        store.close()
    store = open_store(tmp_path)  # stale (no statistics): analysed
    try:
        with store.engine.connect() as conn:
            plan = conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM person WHERE deleted_at IS NULL").all()
        assert "uq_person_live_id_number" not in str(plan)
        assert store.analyze(only_if_stale=True) is False  # fresh: nothing written
    finally:
        store.close()
