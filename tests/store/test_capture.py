"""Change capture: every write path lands in change_log, in the same transaction."""

from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils
from sqlalchemy import text

from station_desktop.store import models as m
from station_desktop.store.models import new_id, utc_now
from tests.conftest import VILLAGE_CODE, make_id


def log(store) -> list[dict]:
    with store.read() as s:
        return [dict(r) for r in s.execute(text(
            "SELECT seq, table_name, row_id, op, hlc, operator_id, changes FROM change_log "
            "ORDER BY seq")).mappings()]


def person_row(n: int) -> dict:
    now = utc_now()
    return {
        "id": new_id(), "station_code": VILLAGE_CODE, "created_at": now, "updated_at": now,
        "name": f"测试{n}", "id_number": make_id(seq=n), "sex": "M" if n % 2 else "F",
        "birth_date": "1985-03-01", "categories": '["retired_soldier"]', "tags": "[]",
        "key_focus": 0, "registered_on": "2026-01-01", "re_enlisted": 0,
        "zero_employment_family": 0, "benefit_kinds": "[]", "lone_elder_or_orphan": 0,
    }


def test_every_write_path_is_captured_in_order(svc, store):
    start = log(store)[-1]["seq"]
    # 1. the service (ORM) path
    p = svc.create("person", {"name": "张三", "id_number": make_id(seq=1), "categories": "退役士兵"})
    svc.update("person", p["id"], {"phone": "13800138000"})
    svc.delete("person", p["id"])
    svc.restore("person", p["id"])
    # 2. sqlite-utils bulk insert and upsert on the store's raw connection
    rows = [person_row(n) for n in range(10, 15)]
    with store.raw_write("op-bulk") as con:
        db = sqlite_utils.Database(con)
        db["person"].insert_all(rows)
        db["person"].upsert({**rows[0], "name": "改名"}, pk="id")
    # 3. plain executemany and raw UPDATE / DELETE
    more = [person_row(n) for n in range(20, 23)]
    with store.raw_write("op-raw") as con:
        cols = list(more[0])
        con.executemany(
            f"INSERT INTO person ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [tuple(r[c] for c in cols) for r in more],
        )
        con.execute("UPDATE person SET health = '良好' WHERE id = ?", (more[0]["id"],))
        con.execute("DELETE FROM person WHERE id = ?", (more[1]["id"],))

    entries = [e for e in log(store) if e["seq"] > start]
    ops = [(e["row_id"], e["op"]) for e in entries]
    assert ops[:4] == [(p["id"], "I"), (p["id"], "U"), (p["id"], "U"), (p["id"], "U")]
    assert [o for o in ops[4:9]] == [(r["id"], "I") for r in rows]
    assert ops[9] == (rows[0]["id"], "U")
    assert ops[10:13] == [(r["id"], "I") for r in more]
    assert ops[13] == (more[0]["id"], "U") and ops[14] == (more[1]["id"], "D")
    assert len(entries) == 15
    seqs = [e["seq"] for e in entries]
    hlcs = [e["hlc"] for e in entries]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)
    # who made each change
    assert entries[0]["operator_id"] == svc.operator_id
    assert {e["operator_id"] for e in entries[4:10]} == {"op-bulk"}
    assert {e["operator_id"] for e in entries[10:]} == {"op-raw"}
    # what changed, with old and new values
    upd = json.loads(entries[1]["changes"])
    assert upd["phone"] == [None, "13800138000"]
    assert json.loads(entries[9]["changes"])["name"] == ["测试10", "改名"]
    assert json.loads(entries[14]["changes"])["name"] == "测试21"  # a hard delete keeps old values
    # every live row carries the clock of its last change
    with store.read() as s:
        row_hlc = s.execute(text("SELECT hlc FROM person WHERE id = :i"),
                            {"i": more[0]["id"]}).scalar_one()
    assert row_hlc == entries[13]["hlc"]


def test_rolled_back_write_leaves_no_change(svc, store):
    before = log(store)
    with pytest.raises(RuntimeError), store.write("op") as s:
        s.add(m.Person(**{**person_row(1), "categories": ["retired_soldier"], "tags": [],
                          "benefit_kinds": [], "birth_date": __import__("datetime").date(1985, 3, 1),
                          "registered_on": __import__("datetime").date(2026, 1, 1)}))
        s.flush()
        raise RuntimeError("power cut")
    assert log(store) == before
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM person")).scalar_one() == 0


def test_change_log_is_append_only(svc, store, person):
    con = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("DELETE FROM change_log")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("UPDATE change_log SET op = 'X'")
    finally:
        con.close()


def test_sequence_never_reused_and_clock_moves_forward(svc, store):
    a = svc.create("person", {"name": "甲", "id_number": make_id(seq=31), "categories": "退役士兵"})
    first = log(store)[-1]
    with store.write() as s:
        s.execute(text("UPDATE hlc_clock SET value = value + 1000000 WHERE id = 1"))
    svc.update("person", a["id"], {"health": "一般"})
    last = log(store)[-1]
    assert last["seq"] == first["seq"] + 1
    assert last["hlc"] > first["hlc"] + 1000000


def test_applying_remote_change_keeps_its_clock(svc, store, person):
    remote_hlc = (1 << 62)
    with store.write(None, origin="420303100202", applying=True) as s:
        s.execute(text("UPDATE person SET health = '住院', hlc = :h WHERE id = :i"),
                  {"h": remote_hlc, "i": person["id"]})
    entry = log(store)[-1]
    assert entry["hlc"] == remote_hlc
    with store.read() as s:
        assert s.execute(text("SELECT hlc FROM person WHERE id = :i"),
                         {"i": person["id"]}).scalar_one() == remote_hlc
        origin = s.execute(text("SELECT origin FROM change_log ORDER BY seq DESC LIMIT 1")).scalar()
        clock = s.execute(text("SELECT value FROM hlc_clock")).scalar_one()
    assert origin == "420303100202"
    assert clock >= remote_hlc  # the local clock never runs behind a clock it has seen


def test_insert_values_are_rebuilt_from_the_row_and_later_updates(svc, store):
    from station_desktop.store.capture import row_as_of

    p = svc.create("person", {"name": "王五", "id_number": make_id(seq=51), "categories": "退役士兵",
                              "phone": "13900001111"})
    created = log(store)[-1]
    assert created["op"] == "I" and created["changes"] is None
    svc.update("person", p["id"], {"phone": "13900002222", "residence": "二组"})
    svc.update("person", p["id"], {"name": "王武"})
    with store.engine.connect() as conn:
        original = row_as_of(conn, "person", p["id"], created["seq"])
        after_first = row_as_of(conn, "person", p["id"], created["seq"] + 1)
        before = row_as_of(conn, "person", p["id"], created["seq"] - 1)
    assert (original["name"], original["phone"], original["residence"]) == (
        "王五", "13900001111", None)
    assert (after_first["name"], after_first["phone"]) == ("王五", "13900002222")
    assert before is None
