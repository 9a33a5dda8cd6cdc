"""The sync verbs of the command line, as separate processes on real data dirs.

``python -m station_desktop --data-dir DIR ...`` exactly as a county IT person
would type it: enrolment with the fingerprint confirmation, bundles out and
in (exit 1 when any file is refused), the town's relay, conflicts and their
resolution, transfers and the stations view, with --json outputs parsed.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from station_desktop.services.sync.export import export_bundle
from station_desktop.services.sync.imports import import_bundle
from tests.conftest import make_id
from tests.sync.conftest import COUNTY, TOWN, VA, VB, Parties, Site

CJK = re.compile(r"[\u4e00-\u9fff]")


def run(data_dir: Path, *args: str, check: int | None = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "station_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    if check is not None:
        assert proc.returncode == check, (proc.returncode, proc.stdout, proc.stderr)
    return proc


def run_json(data_dir: Path, *args: str, check: int = 0) -> Any:
    return json.loads(run(data_dir, "--json", *args, check=check).stdout)


def peer_rows(d: Path) -> list[tuple]:
    con = sqlite3.connect(d / "station.sqlite3")
    try:
        return con.execute("SELECT code, relation, state FROM sync_peer ORDER BY code").fetchall()
    finally:
        con.close()


def test_enrolment_and_first_bundle_from_the_command_line(tmp_path: Path):
    county, village, usb = tmp_path / "county", tmp_path / "village", tmp_path / "usb"
    usb.mkdir()
    fp_county = run_json(county, "init", "--role", "county", "--code", COUNTY,
                         "--name", "测试县退役军人服务中心")["fingerprint"]
    run(village, "init", "--role", "village", "--code", VA, "--name", "东沟村服务站",
        "--parent", TOWN)
    shown = run_json(village, "keys", "show")
    assert shown["me"]["code"] == VA and shown["peers"] == []
    fp_village = shown["me"]["fingerprint"]
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", fp_village)

    req = run_json(village, "enroll", "request", str(usb))
    assert req["fingerprint"] == fp_village and Path(req["file"]).parent == usb

    # the clerk must confirm the fingerprint: no terminal and no --yes is a refusal
    refused = run(county, "enroll", "accept", req["file"], check=1)
    assert fp_village in refused.stdout  # shown for the clerk to compare
    assert CJK.search(refused.stderr) and "--yes" in refused.stderr
    assert peer_rows(county) == []

    acc = run_json(county, "enroll", "accept", req["file"], "--yes")
    assert acc["station"]["code"] == VA and acc["station"]["fingerprint"] == fp_village
    applied = run_json(village, "enroll", "apply", acc["file"])
    assert applied["code"] == COUNTY and applied["fingerprint"] == fp_county
    assert peer_rows(county) == [(VA, "station", "active")]
    assert peer_rows(village) == [(COUNTY, "county", "active")]
    human = run(county, "keys", "show").stdout
    assert fp_county in human and fp_village in human and "有效" in human

    # the village records work; the bundle goes up (the default recipient is its county)
    run(village, "person", "add", "name=张三丰", f"id_number={make_id(seq=401)}",
        "categories=退役士兵", "phone=13800138000")
    out = run_json(village, "bundle", "export", str(usb))
    bundle = Path(out["file"])
    assert bundle.exists() and out["counts"]["person"] == 1 and out["seq"]["from"] == 1
    assert "张三丰" not in bundle.name and "张三丰".encode() not in bundle.read_bytes()

    (verdict,) = run_json(county, "bundle", "verify", str(bundle))
    assert verdict["status"] == "applied" and verdict["sender"] == VA and verdict["created"] > 0
    assert run_json(county, "stations")[0]["received_seq"] == 0  # verify kept nothing
    report = run_json(county, "bundle", "import", str(usb))
    assert [(r["status"], r["created"] > 0) for r in report] == [("applied", True)]
    again = run(county, "bundle", "import", str(bundle))
    assert again.returncode == 0 and CJK.search(again.stdout)
    assert run_json(county, "search", "张三丰")[0]["name"] == "张三丰"

    # revoked: the next bundle is refused, exit 1, with the reason in Chinese
    assert run_json(county, "enroll", "revoke", VA) == {"revoked": VA}
    assert peer_rows(county) == [(VA, "station", "revoked")]
    run(village, "person", "add", "name=李四", f"id_number={make_id(seq=402)}",
        "categories=退役士兵")
    later = Path(run_json(village, "bundle", "export", str(tmp_path / "usb2"))["file"])
    bad = run(county, "bundle", "verify", str(later), check=1)
    assert "注销" in bad.stderr and "注销" not in bad.stdout  # a refusal goes to stderr
    refused_import = run_json(county, "bundle", "import", str(later), check=1)
    assert refused_import[0]["status"] == "refused"
    assert refused_import[0]["reason_code"] == "revoked_sender"
    assert Path(refused_import[0]["quarantined"]).parent == county / "quarantine"
    human = run(county, "bundle", "import", str(later), check=1)
    assert "注销" in human.stderr and "注销" not in human.stdout
    assert run_json(county, "search", "李四") == []


def test_usage_and_role_errors_are_chinese(parties: Parties, tmp_path: Path):
    w = parties
    w.close()
    # a village cannot accept enrolments, a county cannot relay, a missing file is named
    req = next((w.root / "enrolment-files").glob("enrol-request-*.json"))
    no = run(w.va.dir, "enroll", "accept", str(req), "--yes", check=1)
    assert "县级" in no.stderr
    no = run(w.county.dir, "bundle", "relay", str(tmp_path), "--out", str(tmp_path / "o"), check=1)
    assert "乡镇" in no.stderr
    empty = run(w.county.dir, "bundle", "import", str(tmp_path), check=1)
    assert "没有找到数据包" in empty.stderr
    unknown = run(w.va.dir, "bundle", "export", "--to", "420303100299", str(tmp_path), check=1)
    assert "没有登记" in unknown.stderr


def _store_close(*sites: Site) -> None:
    for s in sites:
        s.close()


def test_county_day_import_folder_report_stations_transfer(parties: Parties, tmp_path: Path):
    w = parties
    usb = tmp_path / "usb"
    for v in (w.va, w.vb):
        run_json(v.dir, "bundle", "export", str(usb))
    (usb / "坏文件.sdbundle").write_bytes(b"PK\x03\x04 not really")
    results = run_json(w.county.dir, "bundle", "import", str(usb), check=1)
    by = {r["file"]: r for r in results}
    assert sorted(r["status"] for r in results) == ["applied", "applied", "refused"]
    assert by["坏文件.sdbundle"]["reason_code"] == "damaged"
    assert {r["sender"] for r in results if r["status"] == "applied"} == {VA, VB}
    # the human report names each station (stdout) and the refusal (stderr)
    human = run(w.county.dir, "bundle", "import", str(usb), check=1)
    assert "坏文件.sdbundle" in human.stderr and "坏文件.sdbundle" not in human.stdout
    assert "已导入过" in human.stdout and CJK.search(human.stderr)

    stations = {r["code"]: r for r in run_json(w.county.dir, "stations")}
    assert set(stations) >= {VA, VB, TOWN}
    con = sqlite3.connect(w.va.db)
    n_va = con.execute("SELECT count(*) FROM person WHERE deleted_at IS NULL").fetchone()[0]
    pid, idn = con.execute("SELECT id, id_number FROM person WHERE deleted_at IS NULL "
                           "AND id_number IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    con.close()
    assert stations[VA]["persons"] == n_va and stations[VA]["received_seq"] > 0
    assert stations[VA]["gaps"] == [] and stations[VA]["state"] == "active"
    assert "人员" in run(w.county.dir, "stations").stdout

    # a transfer at the county by ID number reaches both villages with their next bundles
    moved = run_json(w.county.dir, "transfer", idn, "--to", VB)
    assert moved["person"] == 1
    for v in (w.va, w.vb):
        down = run_json(w.county.dir, "bundle", "export", "--to", v.code, str(tmp_path / v.name))
        run_json(v.dir, "bundle", "import", down["file"])
    for v, expect in ((w.va, None), (w.vb, VB)):
        con = sqlite3.connect(v.db)
        got = con.execute("SELECT station_code FROM person WHERE id = ?", (pid,)).fetchone()
        con.close()
        assert (got[0] if got else None) == expect


def test_conflicts_listed_and_resolved(parties: Parties, tmp_path: Path):
    w = parties
    usb = tmp_path / "usb"
    assert import_bundle(w.county.store, export_bundle(w.va.store, COUNTY, usb).path).status == \
        "applied"
    con = sqlite3.connect(w.va.db)
    pid = con.execute("SELECT id FROM person ORDER BY id LIMIT 1").fetchone()[0]
    con.close()
    w.va.svc.update("person", pid, {"phone": "13800000001"})
    w.county.svc.update("person", pid, {"phone": "13900000002"})
    up = export_bundle(w.va.store, COUNTY, usb).path
    _store_close(w.va, w.county)
    assert run(w.county.dir, "conflicts").stdout.strip() == "没有待处理的冲突。"
    run_json(w.county.dir, "bundle", "import", str(up))
    (item,) = run_json(w.county.dir, "conflicts")
    assert item["field"] == "phone" and {item["kept"], item["lost"]} == {"13800000001",
                                                                         "13900000002"}
    human = run(w.county.dir, "conflicts").stdout
    assert f"#{item['id']}" in human and "联系电话" in human
    bad = run(w.county.dir, "resolve", str(item["id"]), "maybe", check=2)
    assert CJK.search(bad.stderr)
    # "edit" without a value is a usage error: it would have emptied the field
    no_value = run(w.county.dir, "resolve", str(item["id"]), "edit", check=2)
    assert "--value" in no_value.stderr and CJK.search(no_value.stderr)
    assert "已处理" not in no_value.stdout + no_value.stderr
    assert [x["id"] for x in run_json(w.county.dir, "conflicts")] == [item["id"]]
    con = sqlite3.connect(w.county.db)
    assert con.execute("SELECT phone FROM person WHERE id = ?", (pid,)).fetchone()[0] == \
        item["kept"]
    con.close()
    assert run_json(w.county.dir, "resolve", str(item["id"]), "take") == {"resolved": item["id"]}
    assert run_json(w.county.dir, "conflicts") == []
    (closed,) = run_json(w.county.dir, "conflicts", "--all")
    assert closed["resolution"] and closed["resolved_at"]
    con = sqlite3.connect(w.county.db)
    phone = con.execute("SELECT phone FROM person WHERE id = ?", (pid,)).fetchone()[0]
    con.close()
    assert phone == item["lost"]
    missing = run(w.county.dir, "resolve", "99999", "keep", check=1)
    assert CJK.search(missing.stderr)


def test_town_relays_from_the_command_line(parties: Parties, tmp_path: Path):
    w = parties
    usb, onward = tmp_path / "from-villages", tmp_path / "to-county"
    sent = Path(run_json(w.va.dir, "bundle", "export", str(usb))["file"])
    (usb / "junk.sdbundle").write_bytes(b"junk")
    carried = run_json(w.town.dir, "bundle", "relay", str(usb), "--out", str(onward), check=1)
    status = {r["file"]: r["status"] for r in carried}
    assert status == {sent.name: "relayed", "junk.sdbundle": "refused"}
    assert (onward / sent.name).read_bytes() == sent.read_bytes()
    assert not (onward / "junk.sdbundle").exists()
    (ok,) = run_json(w.town.dir, "bundle", "relay", str(sent), "--out", str(onward))
    assert (ok["sender"], ok["recipient"], ok["status"]) == (VA, COUNTY, "relayed")
    # the town could not read it; the county can
    assert run_json(w.county.dir, "bundle", "import", str(onward / sent.name))[0]["status"] == \
        "applied"
    wrong = run_json(w.town.dir, "bundle", "import", str(sent), check=1)
    assert wrong[0]["reason_code"] == "wrong_recipient"


def test_unreadable_files_are_refused_in_chinese_on_stderr(parties: Parties, tmp_path: Path):
    """A file that is not there: the refusal says so in Chinese, without the system's
    English errno text, on stderr; the data is unchanged."""
    w = parties
    w.close()
    gone = tmp_path / "不在了.sdbundle"
    for verb in ("verify", "import"):
        proc = run(w.county.dir, "bundle", verb, str(gone), check=1)
        assert "找不到" in proc.stderr and "不在了.sdbundle" in proc.stderr, verb
        for english in ("No such file", "Errno", "directory"):
            assert english not in proc.stderr + proc.stdout, (verb, english)
    carried = run(w.town.dir, "bundle", "relay", str(gone), "--out", str(tmp_path / "o"), check=1)
    assert "找不到" in carried.stderr and "No such file" not in carried.stderr + carried.stdout
    assert run_json(w.county.dir, "stations")[0]["received_seq"] == 0
