"""The command line end to end, as a separate process on a temporary data dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_id

CODE = "420303100201"


def run(data_dir: Path, *args: str, check: int | None = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "station_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL,
    )
    if check is not None:
        assert proc.returncode == check, proc.stderr
    return proc


def db_bytes(data_dir: Path) -> bytes:
    return (data_dir / "station.sqlite3").read_bytes()


@pytest.fixture
def station(tmp_path: Path) -> Path:
    d = tmp_path / "d"
    out = run(d, "--json", "init", "--role", "village", "--code", CODE, "--name", "东沟村服务站")
    info = json.loads(out.stdout)
    assert info["code"] == CODE and len(info["fingerprint"]) == 19
    return d


def test_full_session(station, tmp_path):
    idn = make_id(seq=321)
    run(station, "person", "add", "name=张三丰", f"id_number={idn}", "categories=退役士兵,残疾军人",
        "phone=13800138000")
    hits = json.loads(run(station, "--json", "search", "zsf").stdout)
    assert [h["name"] for h in hits] == ["张三丰"]
    assert json.loads(run(station, "search", idn[-4:], "--json").stdout)[0]["id_number"] == idn
    shown = json.loads(run(station, "--json", "person", "show", idn).stdout)
    assert shown["person"]["categories"] == ["retired_soldier", "disabled_soldier"]
    human = run(station, "person", "show", shown["person"]["id"]).stdout
    assert "张三丰" in human and "退役士兵、残疾军人" in human
    report = json.loads(run(station, "--json", "check").stdout)
    assert report["ok"] is True
    backup = tmp_path / "usb" / "b.sqlite3"
    run(station, "backup", str(backup))
    run(station, "person", "add", "name=李四", f"id_number={make_id(seq=322)}", "categories=退役士兵")
    run(station, "restore", str(backup), "--yes")
    names = [h["name"] for h in json.loads(run(station, "--json", "search", "李四").stdout)]
    assert names == []
    version = json.loads(run(station, "--json", "version").stdout)
    assert version["schema"]


def test_refusals_exit_1_in_chinese_and_change_nothing(station):
    idn = make_id(seq=5)
    run(station, "person", "add", "name=张三", f"id_number={idn}", "categories=退役士兵")
    before = db_bytes(station)
    for args in (
        ("person", "add", "name=李四", "id_number=110105194912310021", "categories=退役士兵"),
        ("person", "add", "name=李四", f"id_number={idn}", "categories=退役士兵"),
        ("person", "add", "name=李四", f"id_number={make_id(seq=6)}", "categories=外星人"),
        ("person", "add", "name=李四", f"id_number={make_id(seq=6)}", "categories=退役士兵",
         "enlist_date=2099-01-01"),
        ("person", "show", "440524188001010014"),
        ("init", "--role", "village", "--code", CODE, "--name", "再来一次"),
    ):
        proc = run(station, *args, check=1)
        assert proc.stderr.startswith("错误："), proc.stderr
        assert any("\u4e00" <= ch <= "\u9fff" for ch in proc.stderr[3:])
    assert db_bytes(station) == before


def test_usage_errors_exit_2(tmp_path):
    assert run(tmp_path / "x", "no-such-command", check=2).stderr
    assert run(tmp_path / "x", "init", "--role", "village", check=2).stderr


def test_bad_station_code_is_refused(tmp_path):
    proc = run(tmp_path / "y", "init", "--role", "village", "--code", "4203031002", "--name", "x",
               check=1)
    assert "12" in proc.stderr


def test_newer_database_is_refused_by_every_command(station):
    import sqlite3

    con = sqlite3.connect(station / "station.sqlite3")
    con.execute("UPDATE alembic_version SET version_num = 'ffff'")
    con.commit()
    con.close()
    before = db_bytes(station)
    proc = run(station, "search", "张", check=1)
    assert "更新版本" in proc.stderr
    assert db_bytes(station) == before


def test_demo_creates_a_realistic_station(tmp_path):
    d = tmp_path / "demo"
    counts = json.loads(run(d, "--json", "demo", "--persons", "60").stdout)
    assert counts["person"] == 60 and counts["visit"] > 60
    again = json.loads(run(d, "--json", "demo").stdout)
    assert again == {"person": 60}  # idempotent: a second run adds nothing
    assert json.loads(run(d, "--json", "check").stdout)["ok"] is True


def test_demo_county_is_a_county_with_stale_stations(tmp_path):
    d = tmp_path / "county"
    counts = json.loads(run(d, "--json", "demo", "--county").stdout)
    assert counts["station"] == 18 and counts["person"] > 100
    stations = json.loads(run(d, "--json", "stations").stdout)
    assert len(stations) == 15 and sum(s["last_bundle_at"] is None for s in stations) == 1
    assert sum(s["persons"] for s in stations) == counts["person"]
    again = run(d, "demo", "--county", check=1)
    assert "已经初始化" in again.stderr
    # the demo county's stations have real keys: it can write return bundles like a real county
    out = json.loads(run(d, "--json", "bundle", "export", "--to", stations[0]["code"],
                         str(tmp_path / "stick")).stdout)
    assert Path(out["file"]).exists() and out["counts"]["person"] > 0


def test_a_missing_file_is_a_chinese_sentence_not_a_traceback(tmp_path):
    d = tmp_path / "st"
    run(d, "init", "--role", "county", "--code", "420303000000", "--name", "县中心")
    for args in (("enroll", "accept", "--yes", str(tmp_path / "没有这个文件.json")),
                 ("enroll", "apply", str(tmp_path / "没有这个文件.json"))):
        proc = run(d, *args, check=1)
        assert "找不到" in proc.stderr and "Traceback" not in proc.stderr
