"""``station-desktop recover``: check, then (with --yes) keep the damaged file aside and restore."""

from __future__ import annotations

import json
import os
from pathlib import Path

from station_desktop.cli import main
from station_desktop.store.db import DB_FILENAME
from tests.reliability import worker
from tests.reliability.conftest import PERSONS
from tests.reliability.test_recovery import persons, truncate_mid_page


def run(capsys, data_dir: Path, *args: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_healthy_file_needs_no_recovery(capsys, station: Path) -> None:
    code, out, _ = run(capsys, station, "recover")
    assert code == 0 and "完好" in out


def test_recover_shows_the_plan_then_restores_with_yes(capsys, station: Path) -> None:
    truncate_mid_page(station / DB_FILENAME)
    size = (station / DB_FILENAME).stat().st_size
    code, out, _ = run(capsys, station, "recover")
    assert code == 1
    assert "不完整" in out and f"人员 {PERSONS}" in out and "--yes" in out
    assert (station / DB_FILENAME).stat().st_size == size and not (station / "damaged").exists()
    code, out, _ = run(capsys, station, "--json", "recover", "--yes")
    assert code == 0
    data = json.loads(out)
    assert data["problem"] == "truncated" and data["recovered"] is True
    assert data["counts"]["person"] == PERSONS
    kept = Path(data["damaged_dir"]) / DB_FILENAME
    assert kept.stat().st_size == size
    assert persons(station) == PERSONS
    code, out, _ = run(capsys, station, "recover")
    assert code == 0 and "完好" in out


def test_a_chosen_backup_is_verified(capsys, station: Path, tmp_path: Path) -> None:
    (station / DB_FILENAME).write_bytes(os.urandom(4096))
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(os.urandom(4096))
    code, _, err = run(capsys, station, "recover", "--backup", str(bad), "--yes")
    assert code == 1 and "不能使用" in err
    assert not (station / "damaged").exists()
    good = next((station / "backups").glob("daily-*.sqlite3"))
    code, out, _ = run(capsys, station, "recover", "--backup", str(good), "--yes")
    assert code == 0 and str(good) in out and "damaged" in out


def test_other_commands_refuse_a_damaged_file_and_leave_it(capsys, station: Path) -> None:
    db = station / DB_FILENAME
    os.truncate(db, 0)  # open_store alone would take it for a new station
    code, _, err = run(capsys, station, "search", "张")
    assert code == 1 and "recover" in err and "空的" in err
    assert db.stat().st_size == 0


def test_too_new_is_refused_without_changes(capsys, station: Path) -> None:
    with worker.connect(station) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    code, _, err = run(capsys, station, "recover", "--yes")
    assert code == 1 and "最新版本" in err
    assert not (station / "damaged").exists()
