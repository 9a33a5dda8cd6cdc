"""Start-up recovery: damaged files are recognised, kept aside, and a good backup restored."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from station_desktop.domain.errors import StorageError
from station_desktop.services.recovery import recover
from station_desktop.store import recovery
from station_desktop.store.backup import backup_file
from station_desktop.store.db import DB_FILENAME
from station_desktop.services import open_store
from tests.reliability import worker
from tests.reliability.conftest import PERSONS
from tests.store.test_migrations import digest


def persons(data_dir: Path) -> int:
    with worker.connect(data_dir) as con:
        return con.execute("SELECT count(*) FROM person").fetchone()[0]


def page_size(db: Path) -> int:
    return int.from_bytes(db.read_bytes()[16:18], "big")


def truncate_mid_page(db: Path) -> None:
    os.truncate(db, db.stat().st_size - 3 * page_size(db) + 100)


def truncate_whole_pages(db: Path) -> None:
    os.truncate(db, db.stat().st_size - 3 * page_size(db))


def garbage_in_a_table(db: Path) -> None:
    with worker.connect(db.parent) as con:
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'person'").fetchone()[0]
    size = page_size(db)
    with db.open("r+b") as f:
        f.seek((root - 1) * size)
        f.write(bytes(range(256)) * (size // 256))


def header_overwritten(db: Path) -> None:
    with db.open("r+b") as f:
        f.write(b"\0" * 100)


def not_a_database(db: Path) -> None:
    db.write_text("这不是数据库\n" * 500, encoding="utf-8")


def emptied(db: Path) -> None:
    os.truncate(db, 0)


def deleted(db: Path) -> None:
    db.unlink()


DAMAGE = {
    "truncated mid-page": (truncate_mid_page, "truncated", True),
    "truncated whole pages": (truncate_whole_pages, "truncated", True),
    "garbage bytes": (garbage_in_a_table, "corrupt", False),
    "header overwritten": (header_overwritten, "header_damaged", True),
    "not a database": (not_a_database, "not_database", True),
    "emptied": (emptied, "empty", True),
    "deleted": (deleted, "missing", True),
}


def test_healthy_and_new_dirs_need_nothing(station: Path, tmp_path: Path) -> None:
    assert recovery.diagnose(station).ok
    assert recovery.diagnose(station, thorough=False).ok
    assert recovery.diagnose(tmp_path / "new").ok  # no file and no backups: a first run


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_is_named_then_recovered_keeping_the_damaged_file(station: Path, damage: str
                                                                 ) -> None:
    spoil, problem, seen_before_open = DAMAGE[damage]
    db = station / DB_FILENAME
    spoil(db)
    kept = digest(db) if db.exists() else None
    # The byte-level checks need no SQLite open (so they run before open_store).
    quick = recovery.diagnose(station, thorough=False)
    assert quick.problem == (problem if seen_before_open else None)
    found = recovery.diagnose(station)
    assert found.problem == problem and found.recoverable
    assert found.message  # a Chinese sentence for the dialog
    if problem not in ("empty", "missing"):
        with pytest.raises(StorageError) as err:  # open_store refuses it as well
            open_store(station)
        assert err.value.code == "corrupt"
    choice = recovery.newest_good_backup(station)
    assert choice is not None and choice.summary is not None
    assert choice.summary.counts["person"] == PERSONS
    result = recover(station, choice.path, problem=found.problem)
    try:
        assert persons(station) == PERSONS
        assert result.summary.counts["person"] == PERSONS
    finally:
        result.store.close()
    assert recovery.diagnose(station).ok
    if kept is not None:  # the damaged bytes are kept, unchanged, under damaged/<time>/
        assert result.damaged_dir is not None
        assert result.damaged_dir.parent == station / "damaged"
        assert digest(result.damaged_dir / DB_FILENAME) == kept
    with worker.connect(station) as con:
        audit = con.execute("SELECT detail FROM audit_event WHERE action = 'recover'").fetchone()
    assert problem in audit[0]


KILLED_WRITER = """
import os, signal, sys
from station_desktop.services import open_store
from station_desktop.services import Service
store = open_store(sys.argv[1], daily_backup=False)
Service(store).create("person", {"name": "最后一位", "id_number": sys.argv[2],
                                 "categories": "退役士兵"})
os.kill(os.getpid(), signal.SIGKILL)
"""


def killed_after_a_write(data_dir: Path) -> str:
    number = worker.id_number(499)
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(data_dir), number], check=False,
                   env={**os.environ, "PYTHONPATH": str(worker.REPO / "src")})
    assert (data_dir / f"{DB_FILENAME}-wal").stat().st_size > 0
    return number


def has(data_dir: Path, number: str) -> bool:
    with worker.connect(data_dir) as con:
        return con.execute("SELECT 1 FROM person WHERE id_number = ?", (number,)).fetchone() \
            is not None


def test_missing_wal_is_detected_before_sqlite_erases_the_evidence(station: Path,
                                                                   tmp_path: Path) -> None:
    number = killed_after_a_write(station)
    # With its -wal, a killed writer's committed person survives.
    intact = tmp_path / "intact"
    shutil.copytree(station, intact)
    assert recovery.diagnose(intact, thorough=False).ok
    assert has(intact, number)
    (station / f"{DB_FILENAME}-wal").unlink()
    # SQLite itself would open the rest silently, one person short, and rebuild
    # its index: then nothing shows the loss any more. So check first.
    blind = tmp_path / "blind"
    shutil.copytree(station, blind)
    assert not has(blind, number) and persons(blind) == PERSONS
    assert recovery.diagnose(blind).ok
    found = recovery.diagnose(station, thorough=False)
    assert found.problem == "wal_missing" and "-shm" in found.detail
    assert recovery.diagnose(station).problem == "wal_missing"
    # Keeping the file as it is: everything is copied aside first, then it opens.
    kept = recovery.keep_as_is(station)
    assert kept is not None and (kept / DB_FILENAME).exists() and (kept / f"{DB_FILENAME}-shm"
                                                                   ).exists()
    assert recovery.diagnose(station).ok
    open_store(station).close()
    assert persons(station) == PERSONS


def test_too_new_is_not_offered_a_restore(station: Path) -> None:
    with worker.connect(station) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    found = recovery.diagnose(station)
    assert found.problem == "too_new" and not found.recoverable


def test_a_bad_backup_is_refused_before_anything_moves(station: Path, tmp_path: Path) -> None:
    truncate_mid_page(station / DB_FILENAME)
    before = {p.name: digest(p) for p in recovery.present_files(station)}
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\0" + b"\xff" * 5000)
    with pytest.raises(StorageError) as err:
        recover(station, bad)
    assert err.value.code == "bad_backup"
    assert {p.name: digest(p) for p in recovery.present_files(station)} == before
    assert not (station / "damaged").exists()


def test_backups_newest_first_and_a_damaged_newest_is_skipped(station: Path) -> None:
    folder = station / "backups"
    daily = next(folder.glob("daily-*.sqlite3"))
    older = backup_file(daily, folder / "before-upgrade-0001-20260101-000000.sqlite3")
    newest = folder / "daily-20991231.sqlite3"
    newest.write_bytes(b"\0" * 4096)
    (folder / "half.sqlite3.part").write_bytes(b"\0")
    os.utime(older, (1, 1))
    listed = recovery.list_backups(station)
    assert listed == [newest, daily, older]
    bad = recovery.verify_backup(newest)
    assert not bad.good and bad.error
    assert recovery.newest_good_backup(station).path == daily
