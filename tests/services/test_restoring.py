"""Restoring a backup under the running program (services.restoring), headless."""

from __future__ import annotations

import sqlite3

import pytest

from station_desktop.domain.errors import StationError
from station_desktop.domain.progress import Counter
from station_desktop.services.restoring import open_backup, restore_running
from station_desktop.store.backup import backup_file
from tests.conftest import make_id


def test_restore_swaps_in_the_backup_and_keeps_the_operator(svc, person, tmp_path):
    saved = backup_file(svc.store.path, tmp_path / "saved.sqlite3")
    svc.create("person", {"name": "后来的人", "id_number": make_id(seq=2),
                          "categories": "退役士兵"})
    operator = svc.operator_id
    progress = Counter()
    result = restore_running(svc, saved, progress, label=saved)
    try:
        assert progress.snapshot() == (3, 3)
        assert result.operator_id == operator == svc.operator_id
        assert result.kept is not None and result.kept.exists()
        assert result.summary.counts["person"] == 1
        svc.store = result.store  # what the GUI thread does (ctx.replace_store)
        assert [p["name"] for p in svc.list("person")] == [person["name"]]
    finally:
        result.store.close()


def test_a_refused_restore_reopens_the_old_file(svc, person, tmp_path):
    too_new = backup_file(svc.store.path, tmp_path / "too_new.sqlite3")
    con = sqlite3.connect(too_new)
    con.execute("UPDATE alembic_version SET version_num = 'from_a_newer_program'")
    con.commit()
    con.close()
    old = svc.store
    with pytest.raises(StationError):
        restore_running(svc, too_new)
    assert svc.store is not old  # closed, then opened again on the same file
    try:
        assert svc.store.path == old.path
        assert [p["name"] for p in svc.list("person")] == [person["name"]]
    finally:
        svc.store.close()


def test_open_backup_summarizes_a_plain_file(svc, person, tmp_path):
    saved = backup_file(svc.store.path, tmp_path / "saved.sqlite3")
    plain, summary = open_backup(saved, svc.store.path.parent)
    assert plain == saved and summary.counts["person"] == 1
