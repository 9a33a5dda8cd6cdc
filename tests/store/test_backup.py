"""backup / restore round trip with the SQLite backup API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from station_desktop.domain.errors import StorageError
from station_desktop.store.backup import backup, restore, rotate_daily, summarize
from station_desktop.store.migrate import open_store
from station_desktop.store.service import Service
from tests.conftest import TODAY, make_id


def test_round_trip_restores_exact_state_and_keeps_current_aside(tmp_path, data_dir, svc, store):
    a = svc.create("person", {"name": "张三", "id_number": make_id(seq=1), "categories": "退役士兵"})
    svc.create("visit", {"person_id": a["id"], "kind": "routine", "method": "电话",
                         "visit_date": "2026-11-01", "visitor": "王建国"})
    target = tmp_path / "usb" / "backup.sqlite3"
    summary = backup(store, target)
    assert summary.counts["person"] == 1 and summary.counts["visit"] == 1
    assert summary.station_code == svc.station_code
    # work goes on after the backup ...
    svc.create("person", {"name": "李四", "id_number": make_id(seq=2), "categories": "退役士兵"})
    svc.delete("person", a["id"])
    store.close()
    # ... and restoring brings back the backed-up state exactly
    restored, kept = restore(data_dir, target)
    assert kept is not None and kept.exists()
    assert summarize(kept).counts["person"] == 1  # 李四 alive, 张三 deleted
    reopened = open_store(data_dir)
    try:
        names = [p["name"] for p in Service(reopened, today=TODAY).list("person")]
        assert names == ["张三"]
    finally:
        reopened.close()


def test_restore_refuses_foreign_file(tmp_path, data_dir, svc, store):
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_bytes(b"not a database" * 500)
    store.close()
    before = (data_dir / "station.sqlite3").read_bytes()
    with pytest.raises(StorageError):
        restore(data_dir, bogus)
    assert (data_dir / "station.sqlite3").read_bytes() == before


def test_daily_rotation_keeps_configured_days(store):
    for back in range(40):
        rotate_daily(store, keep_days=30, today=date(2026, 11, 23) - timedelta(days=39 - back))
    kept = sorted(p.name for p in (store.path.parent / "backups").glob("daily-*.sqlite3"))
    assert len(kept) == 31
    assert kept[0] == "daily-20261024.sqlite3" and kept[-1] == "daily-20261123.sqlite3"
