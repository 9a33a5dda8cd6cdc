"""The command line end to end, as a separate process on a temporary data dir."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from station_desktop.app import main
from station_desktop.store.auth import hash_pin
from tests.conftest import make_id

CODE = "420303100201"


def run(data_dir: Path, *args: str, check: int | None = 0,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The program as a script runs it: no terminal to type a PIN on."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("STATION_")},
           "PYTHONIOENCODING": "utf-8", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "station_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL,
    )
    if check is not None:
        assert proc.returncode == check, proc.stderr
    return proc


def call(capsys, data_dir: Path, *args: str) -> tuple[int, str, str]:  # noqa: ANN001
    """The same, in this process: quicker, for commands that only read."""
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def db_bytes(data_dir: Path) -> bytes:
    return (data_dir / "station.sqlite3").read_bytes()


def query(data_dir: Path, sql: str, *params: object) -> list[tuple]:
    con = sqlite3.connect(data_dir / "station.sqlite3")
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def set_pin(data_dir: Path, name: str, pin: str) -> str:
    """Give an operator a PIN (as 设置→操作员 does); returns their id."""
    con = sqlite3.connect(data_dir / "station.sqlite3")
    with con:
        (op_id,) = con.execute("SELECT id FROM operator WHERE name = ?", (name,)).fetchone()
        con.execute("UPDATE operator SET pin_hash = ? WHERE id = ?", (hash_pin(pin), op_id))
    con.close()
    return op_id


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


# --- as careful as the GUI (issue 11) ------------------------------------------------

PERSON = ("person", "add", "name=张三", f"id_number={make_id(seq=77)}", "categories=退役士兵")


def test_a_read_command_where_there_is_no_station_says_so_and_creates_nothing(capsys, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    empty = tmp_path / "empty"
    empty.mkdir()
    reads = (("search", "张"), ("person", "show", make_id(seq=9)), ("due",), ("check",),
             ("keys", "show"), ("stations",), ("conflicts",),
             ("export-xlsx", "person", str(out / "p.xlsx")), ("print", "roster", str(out / "r.pdf")))
    for data_dir in (tmp_path / "mistyped", empty):
        for args in reads:
            code, stdout, err = call(capsys, data_dir, *args)
            assert code == 1 and stdout == "", args
            assert err.startswith("错误：") and "没有服务站数据" in err, (args, err)
    assert not (tmp_path / "mistyped").exists()
    assert list(empty.iterdir()) == [] and list(out.iterdir()) == []


def test_with_a_pin_set_writes_and_bulk_exports_need_the_operator_and_pin(station, tmp_path):
    admin = set_pin(station, "管理员", "2580")
    signed = {"STATION_OPERATOR": "管理员", "STATION_PIN": "2580"}
    proc = run(station, *PERSON, check=1)  # nobody named, no terminal
    assert "PIN" in proc.stderr and "STATION_PIN" in proc.stderr
    proc = run(station, "--operator", "管理员", *PERSON, check=1)  # no terminal to type it on
    assert "PIN" in proc.stderr and "无法交互" in proc.stderr
    proc = run(station, *PERSON, check=1, env={**signed, "STATION_PIN": "1357"})
    assert proc.stderr.startswith("错误：PIN 不对")
    assert "PIN" in run(station, "demo", "--persons", "5", check=1).stderr
    roster = tmp_path / "花名册.xlsx"
    run(station, "export-xlsx", "person", str(roster), check=1)
    assert not roster.exists()
    assert query(station, "SELECT count(*) FROM person") == [(0,)]
    run(station, "search", "张")  # reading needs no PIN
    run(station, *PERSON, env=signed)
    assert query(station, "SELECT operator_id FROM change_log WHERE table_name = 'person'") == [
        (admin,)]
    run(station, "export-xlsx", "person", str(roster), env=signed)
    assert roster.exists()


def test_without_pins_command_line_writes_are_attributed_to_the_first_administrator(station):
    run(station, *PERSON)
    admin = query(station, "SELECT id FROM operator WHERE is_admin = 1")
    assert query(station, "SELECT operator_id FROM change_log WHERE table_name = 'person'") == admin
    proc = run(station, "--operator", "没这个人", "person", "add", "name=李四",
               f"id_number={make_id(seq=78)}", "categories=退役士兵", check=1)
    assert "没有名为“没这个人”的操作员" in proc.stderr


def test_recover_without_yes_says_on_stderr_that_nothing_was_done(station):
    run(station, "search", "张")  # opening an existing station makes today's backup
    (station / "station.sqlite3").unlink()
    proc = run(station, "recover", check=1)
    assert "--yes" in proc.stdout  # the plan: which backup would come back
    assert proc.stderr.startswith("错误：") and "没有改动" in proc.stderr


def test_a_file_error_is_chinese_without_the_systems_english(station, tmp_path):
    too_long = tmp_path / ("花名册" * 40 + ".xlsx")  # more than 255 bytes: ENAMETOOLONG
    proc = run(station, "export-xlsx", "person", str(too_long), check=1)
    said = re.sub(r"“[^”]*”", "", proc.stderr)  # the file's name may be anything
    assert said.startswith("错误：") and not re.search(r"[A-Za-z]{3,}", said), proc.stderr
