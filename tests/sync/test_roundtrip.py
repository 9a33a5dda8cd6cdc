"""Round trips across real data dirs with real keys: villages, a town and the county.

Each test builds its parties from scratch (init, keys, enrolment through the
signed request and acceptance files), records work through the same service
the GUI uses, carries bundles between folders as a USB stick would, and
compares the rows both sides end with.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from station_desktop.domain.errors import ValidationError
from station_desktop.domain.progress import Counter
from station_desktop.services import Service, open_store
from station_desktop.services.sync import enrolment
from station_desktop.services.sync import review as review_services
from station_desktop.services.sync.export import export_bundle
from station_desktop.services.sync.imports import import_bundle, import_many
from station_desktop.services.sync.relay import relay
from station_desktop.store.backup import backup_file
from station_desktop.store.db import DB_FILENAME, Store
from station_desktop.services.demo import generate_demo
from station_desktop.services import open_store
from station_desktop.services import Service
from station_desktop.sync import enrol, review
from station_desktop.sync.keys import ensure_keys
from station_desktop.sync.peers import gap_messages, pending_count
from station_desktop.sync.records import TABLES, sendable_columns

COUNTY, TOWN, VA, VB = "420303000000", "420303100000", "420303100201", "420303100202"
TODAY = date(2026, 11, 23)


@dataclass
class Party:
    dir: Path
    store: Store
    svc: Service
    code: str

    def reopen(self) -> None:
        self.store.close()
        self.store = open_store(self.dir, daily_backup=False)
        self.svc = Service(self.store, today=TODAY)


def make_party(root: Path, name: str, role: str, code: str, parent: str | None = None) -> Party:
    d = root / name
    store = open_store(d, daily_backup=False)
    svc = Service(store, today=TODAY)
    svc.init_station(role=role, code=code, name=name, parent_code=parent)
    ensure_keys(d)
    return Party(d, store, svc, code)


def enrol_with(county: Party, station: Party, tmp: Path) -> None:
    req = enrol.request(station.store, tmp)
    _party, acc = enrolment.accept(county.store, req.read_bytes(), tmp)
    enrolment.apply(station.store, acc.read_bytes())


@pytest.fixture
def world(tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    county = make_party(tmp_path, "county", "county", COUNTY)
    va = make_party(tmp_path, "村A", "village", VA, TOWN)
    vb = make_party(tmp_path, "村B", "village", VB, TOWN)
    for v in (va, vb):
        enrol_with(county, v, files)
    generate_demo(va.store, station_code=VA, persons=40, seed=1)
    generate_demo(vb.store, station_code=VB, persons=30, seed=2)
    yield county, va, vb, tmp_path
    for p in (county, va, vb):
        p.store.close()


def carry(sender: Party, to: Party, stick: Path, **kw) -> Path:
    """Export from ``sender`` to ``to`` onto the stick; return the file."""
    return export_bundle(sender.store, to.code, stick, **kw).path


def deliver(sender: Party, to: Party, stick: Path, **kw):
    result = import_bundle(to.store, carry(sender, to, stick, **kw))
    assert result.status == "applied", result.reason
    return result


def rows_of(store: Store, station: str) -> dict[str, dict[str, tuple]]:
    """Every synced row of ``station`` (all columns a bundle carries except the clock)."""
    con = sqlite3.connect(store.path)
    try:
        out = {}
        for table in TABLES:
            if table in ("catalogue_item", "operator", "station"):
                continue
            cols = [c for c in sendable_columns(table) if c != "hlc"]
            collist = ", ".join(f'"{c}"' for c in cols)
            out[table] = {r[0]: r for r in con.execute(
                f'SELECT id, {collist} FROM "{table}" WHERE station_code = ?', (station,))}
        return out
    finally:
        con.close()


def file_hash(store: Store) -> str:
    """The database content as the next reader sees it (main file + WAL)."""
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        p = Path(str(store.path) + suffix)
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


def person_id(store: Store, n: int = 0) -> str:
    con = sqlite3.connect(store.path)
    try:
        return con.execute("SELECT id FROM person WHERE deleted_at IS NULL ORDER BY id "
                           "LIMIT 1 OFFSET ?", (n,)).fetchone()[0]
    finally:
        con.close()


def value(store: Store, table: str, row_id: str, col: str):
    con = sqlite3.connect(store.path)
    try:
        row = con.execute(f'SELECT "{col}" FROM "{table}" WHERE id = ?', (row_id,)).fetchone()
        return row[0] if row else None
    finally:
        con.close()


# --- the full round trip --------------------------------------------------------


def test_full_round_trip_with_a_conflict_that_appears_once_and_resolves(world):
    county, va, vb, root = world
    stick = root / "stick"
    # villages' work goes up
    r_a = deliver(va, county, stick)
    r_b = deliver(vb, county, stick)
    assert r_a.created > 40 and r_b.created > 30 and r_a.conflicts == r_b.conflicts == 0
    assert rows_of(county.store, VA) == rows_of(va.store, VA)
    assert rows_of(county.store, VB) == rows_of(vb.store, VB)
    # acknowledgements come back: nothing pending at the villages
    deliver(county, va, stick)
    deliver(county, vb, stick)
    assert pending_count(va.store) == pending_count(vb.store) == 0

    # the county corrects a record the village is also editing, before either sees the other
    pid = person_id(va.store)
    va.svc.update("person", pid, {"phone": "13800000001", "residence": "村里填的地址"})
    county.svc.update("person", pid, {"phone": "13900000002"})
    up = carry(va, county, stick)
    down = carry(county, va, stick)
    assert import_bundle(county.store, up).status == "applied"
    assert import_bundle(va.store, down).status == "applied"

    # the newer clock (the county's) wins on both sides; the untouched field merges
    for p in (county, va):
        assert value(p.store, "person", pid, "phone") == "13900000002"
        assert value(p.store, "person", pid, "residence") == "村里填的地址"
    # the village's losing value is kept for review, once per side, never dropped
    for p in (county, va):
        items = review.conflicts(p.store)
        assert [(c.field, c.kept, c.lost) for c in items] == [
            ("phone", "13900000002", "13800000001")]
        assert items[0].field_label == "联系电话"

    # more rounds bring no new conflicts
    deliver(va, county, stick)
    deliver(county, va, stick)
    assert len(review.conflicts(va.store)) == len(review.conflicts(county.store)) == 1

    # the clerk takes the village's value; the next bundle settles the village's entry too
    (c,) = review.conflicts(county.store)
    review_services.resolve(county.store, c.id, review.TAKE)
    assert value(county.store, "person", pid, "phone") == "13800000001"
    deliver(county, va, stick)
    assert value(va.store, "person", pid, "phone") == "13800000001"
    assert review.conflicts(va.store) == [] and review.conflicts(county.store) == []
    closed = review.conflicts(va.store, open_only=False)
    assert [x.resolution for x in closed] == ["superseded"]
    deliver(va, county, stick)
    assert rows_of(county.store, VA) == rows_of(va.store, VA)
    assert rows_of(county.store, VB) == rows_of(vb.store, VB)
    assert pending_count(va.store) == 0 or deliver(county, va, stick) and pending_count(va.store) == 0


def test_keep_and_edit_resolutions(world):
    county, va, _vb, root = world
    stick = root / "stick"
    deliver(va, county, stick)
    deliver(county, va, stick)
    a, b = person_id(va.store, 0), person_id(va.store, 1)
    for pid, phone in ((a, "13800000011"), (b, "13800000012")):
        va.svc.update("person", pid, {"phone": phone})
    for pid, phone in ((a, "13900000021"), (b, "13900000022")):
        county.svc.update("person", pid, {"phone": phone})
    up, down = carry(va, county, stick), carry(county, va, stick)
    import_bundle(county.store, up)
    import_bundle(va.store, down)
    by_row = {c.row_id: c for c in review.conflicts(va.store)}
    review_services.resolve(va.store, by_row[a].id, review.KEEP)
    with pytest.raises(ValidationError):  # "edit" with no value would empty the field
        review_services.resolve(va.store, by_row[b].id, review.EDIT)
    assert value(va.store, "person", b, "phone") is not None
    review_services.resolve(va.store, by_row[b].id, review.EDIT, "139 0000 0099")
    assert value(va.store, "person", a, "phone") == "13900000021"
    assert value(va.store, "person", b, "phone") == "13900000099"  # cleaned like a form entry
    deliver(va, county, stick)
    assert value(county.store, "person", b, "phone") == "13900000099"
    assert rows_of(county.store, VA) == rows_of(va.store, VA)


def test_deletion_travels_as_a_tombstone_and_concurrent_edits_are_kept_for_review(world):
    county, va, _vb, root = world
    stick = root / "stick"
    deliver(va, county, stick)
    deliver(county, va, stick)
    visit = value(va.store, "visit", None, "id") or sqlite3.connect(va.store.path).execute(
        "SELECT id FROM visit WHERE deleted_at IS NULL LIMIT 1").fetchone()[0]
    va.svc.delete("visit", visit)
    county.svc.update("visit", visit, {"content": "县里补充的走访内容"})
    up, down = carry(va, county, stick), carry(county, va, stick)
    import_bundle(county.store, up)
    import_bundle(va.store, down)
    assert value(county.store, "visit", visit, "deleted_at") is not None
    assert value(va.store, "visit", visit, "content") == "县里补充的走访内容"
    fields = {c.field for c in review.conflicts(county.store)}
    assert "deleted_at" in fields  # the county's edit of a record the village deleted


# --- replays, order, gaps -------------------------------------------------------


def test_replay_changes_nothing(world):
    county, va, _vb, root = world
    path = carry(va, county, root / "stick")
    assert import_bundle(county.store, path).status == "applied"
    before = file_hash(county.store)
    again = import_bundle(county.store, path)
    assert again.status == "duplicate" and again.created == 0
    assert file_hash(county.store) == before


def test_out_of_order_delivery_keeps_the_newest_values(world):
    county, va, _vb, root = world
    pid = person_id(va.store)
    first = carry(va, county, root / "s1")
    va.svc.update("person", pid, {"phone": "13700000001"})
    second = carry(va, county, root / "s2")  # carries everything again: nothing acknowledged yet
    assert import_bundle(county.store, second).status == "applied"
    older = import_bundle(county.store, first)
    assert older.status == "applied" and older.created == 0 and older.conflicts == 0
    assert value(county.store, "person", pid, "phone") == "13700000001"
    assert rows_of(county.store, VA) == rows_of(va.store, VA)


def test_missing_changes_are_reported_and_ride_again(world):
    county, va, _vb, root = world
    stick = root / "stick"
    deliver(va, county, stick)
    saved = root / "county-backup.sqlite3"
    backup_file(county.store.path, saved)  # the county's state after the first bundle
    pid = person_id(va.store)
    va.svc.update("person", pid, {"phone": "13700000002"})
    deliver(va, county, stick)
    deliver(county, va, stick)  # the village learns these changes were received ...
    # ... but the county's PC is rolled back to the earlier backup and loses them
    county.store.close()
    for suffix in ("-wal", "-shm"):
        Path(str(county.store.path) + suffix).unlink(missing_ok=True)
    shutil.copyfile(saved, county.dir / DB_FILENAME)
    county.reopen()
    va.svc.update("person", pid, {"residence": "新地址"})
    later = deliver(va, county, stick)
    assert later.gaps, "the county must notice what it lacks"
    a, b = later.gaps[0]
    assert f"第 {a}–{b} 号变更尚未收到" in "\n".join(gap_messages(county.store))
    assert value(county.store, "person", pid, "phone") != "13700000002"
    # the county's acknowledgement goes down; the village sends the missing range again
    deliver(county, va, stick)
    assert pending_count(va.store) > 0
    refill = deliver(va, county, stick)
    assert refill.gaps == [] and gap_messages(county.store) == []
    assert value(county.store, "person", pid, "phone") == "13700000002"
    assert rows_of(county.store, VA) == rows_of(va.store, VA)


# --- transfers, revocation, restore, relay, catalogues ---------------------------


def test_person_transferred_between_villages_moves_without_duplicating(world):
    county, va, vb, root = world
    stick = root / "stick"
    deliver(va, county, stick)
    deliver(vb, county, stick)
    pid = person_id(va.store, 3)
    n_visits = sqlite3.connect(va.store.path).execute(
        "SELECT count(*) FROM visit WHERE person_id = ?", (pid,)).fetchone()[0]
    moved = review_services.transfer_person(county.store, pid, VB)
    assert moved["person"] == 1
    name = value(va.store, "person", pid, "name")
    to_a, to_b = deliver(county, va, stick), deliver(county, vb, stick)
    assert to_a.moved_out >= 1 + n_visits
    assert to_a.moved_persons == [f"{name}（迁往 {VB}）"]
    from station_desktop.sync.report import report_lines

    assert any(f"{name}（迁往 {VB}）" in line for line in report_lines(va.store, [to_a]))
    assert value(va.store, "person", pid, "id") is None
    assert value(vb.store, "person", pid, "station_code") == VB
    assert sqlite3.connect(vb.store.path).execute(
        "SELECT count(*) FROM visit WHERE person_id = ?", (pid,)).fetchone()[0] == n_visits
    assert to_b.created >= 1 + n_visits
    # one file at the county, now under the new village; both villages agree with it
    con = sqlite3.connect(county.store.path)
    assert con.execute("SELECT count(*), max(station_code) FROM person WHERE id = ?",
                       (pid,)).fetchone() == (1, VB)
    deliver(va, county, stick)
    deliver(vb, county, stick)
    assert rows_of(county.store, VA) == rows_of(va.store, VA)
    assert rows_of(county.store, VB) == rows_of(vb.store, VB)


def test_revoked_key_is_refused(world):
    county, va, _vb, root = world
    stick = root / "stick"
    deliver(va, county, stick)
    enrolment.revoke(county.store, VA)
    refused = import_bundle(county.store, carry(va, county, stick))
    assert refused.status == "refused" and refused.reason_code == "revoked_sender"
    assert "注销" in refused.reason


def test_restore_rebuilds_a_village_that_lost_its_pc(world):
    county, va, _vb, root = world
    stick = root / "stick"
    deliver(va, county, stick)
    deliver(county, va, stick)
    before = rows_of(va.store, VA)
    # the village PC dies; a new one is installed with the same code
    va.store.close()
    shutil.rmtree(va.dir)
    new = make_party(root, "村A-新电脑", "village", VA, TOWN)
    enrolment.revoke(county.store, VA)
    enrol_with(county, new, root / "files")
    restored = deliver(county, new, stick, restore=True)
    assert restored.created > 40
    assert rows_of(new.store, VA) == before
    # the new PC carries on: its changes reach the county (its log started again at 1)
    pid = person_id(new.store)
    new.svc.update("person", pid, {"phone": "13600000003"})
    back = deliver(new, county, stick)
    assert back.gaps == [] and value(county.store, "person", pid, "phone") == "13600000003"
    assert rows_of(county.store, VA) == rows_of(new.store, VA)
    new.store.close()


def test_town_relays_bundles_unread_and_unchanged(world, tmp_path):
    county, va, _vb, root = world
    town = make_party(tmp_path, "乡镇", "town", TOWN, COUNTY)
    enrol_with(county, town, root / "files")
    original = carry(va, county, root / "village-stick")
    carried = relay(town.store, [original.parent], root / "town-stick")
    assert [(r.status, r.sender, r.recipient) for r in carried] == [("relayed", VA, COUNTY)]
    copy = root / "town-stick" / original.name
    assert copy.read_bytes() == original.read_bytes()
    assert import_bundle(county.store, copy).status == "applied"
    log = sqlite3.connect(town.store.path).execute(
        "SELECT direction, sender, recipient FROM sync_bundle").fetchall()
    assert log == [("relayed", VA, COUNTY)]
    # nothing was applied at the town
    assert sqlite3.connect(town.store.path).execute("SELECT count(*) FROM person").fetchone() == (0,)
    town.store.close()


def test_catalogue_change_at_the_county_reaches_the_village(world):
    county, va, _vb, root = world
    stick = root / "stick"
    con = sqlite3.connect(county.store.path)
    kind, code, data = con.execute(
        "SELECT kind, code, data FROM catalogue_item WHERE kind = 'visit_kind' LIMIT 1").fetchone()
    con.close()
    with county.store.write(None) as s:
        from sqlalchemy import text

        s.execute(text("UPDATE catalogue_item SET name = '县定的名称' WHERE kind = :k AND code = :c"),
                  {"k": kind, "c": code})
    deliver(va, county, stick)
    deliver(county, va, stick)
    got = sqlite3.connect(va.store.path).execute(
        "SELECT name, data FROM catalogue_item WHERE kind = ? AND code = ?", (kind, code)).fetchone()
    assert got == ("县定的名称", data)
    # and catalogues never go up from a village
    up = export_bundle(va.store, COUNTY, stick)
    assert "catalogue_item" not in up.counts


def test_import_many_reports_each_station(world):
    county, va, vb, root = world
    stick = root / "stick"
    carry(va, county, stick)
    carry(vb, county, stick)
    (stick / "junk.sdbundle").write_bytes(b"not a bundle")
    stopped = Counter()
    stopped.cancel()  # a cancel before the first file: nothing is imported, nothing refused
    assert import_many(county.store, [stick], progress=stopped) == []
    assert not list(county.dir.glob("quarantine/*"))
    progress = Counter()
    results = import_many(county.store, [stick], progress=progress)
    statuses = sorted(r.status for r in results)
    assert statuses == ["applied", "applied", "refused"]
    assert progress.snapshot() == (3, 3)
    refused = next(r for r in results if r.status == "refused")
    assert refused.reason_code == "damaged" and Path(refused.quarantined).exists()
    reason = Path(refused.quarantined + ".reason.txt").read_text(encoding="utf-8")
    assert "损坏" in reason
    summary = json.loads(sqlite3.connect(county.store.path).execute(
        "SELECT report FROM sync_bundle WHERE direction = 'in' AND sender = ?", (VA,)).fetchone()[0])
    assert summary["created"] > 0


def test_a_record_made_after_a_transfer_follows_the_person(world):
    county, va, vb, root = world
    stick = root / "stick"
    deliver(va, county, stick)
    deliver(vb, county, stick)
    pid = person_id(va.store, 5)
    review_services.transfer_person(county.store, pid, VB)
    # the old village records one more visit before it hears of the transfer
    late = va.svc.create("visit", {"person_id": pid, "kind": "routine", "method": "home",
                                   "visit_date": "2026-11-20", "visitor": "专干"})["id"]
    before = file_hash(va.store)
    refused = import_bundle(va.store, carry(county, va, stick))
    assert refused.status == "refused" and refused.reason_code == "unsent_for_moved"
    assert "先" in refused.reason and file_hash(va.store) == before
    # the village sends its work first; the late visit follows the person to 村B
    up = deliver(va, county, stick)
    assert up.followed == 1
    assert value(county.store, "visit", late, "station_code") == VB
    down = deliver(county, va, stick)
    assert down.moved_out >= 2
    assert value(va.store, "person", pid, "id") is None and value(va.store, "visit", late, "id") is None
    deliver(county, vb, stick)
    assert value(vb.store, "visit", late, "person_id") == pid
    deliver(va, county, stick)
    deliver(vb, county, stick)
    assert rows_of(county.store, VA) == rows_of(va.store, VA)
    assert rows_of(county.store, VB) == rows_of(vb.store, VB)


def test_bundles_carry_the_synced_schema_not_the_head(world):
    """A revision that adds only local tables must not make older programs refuse our bundles;
    a change to any synced column must raise SYNC_SCHEMA (this fingerprint then fails)."""
    import hashlib

    from station_desktop.store import models as m
    from station_desktop.store.migrate import SCHEMA_HEAD, SYNC_SCHEMA

    county, va, _vb, root = world
    done = export_bundle(va.store, COUNTY, root / "stick")
    assert done.manifest["schema"] == SYNC_SCHEMA and int(SYNC_SCHEMA) <= int(SCHEMA_HEAD)
    spec = sorted((t, c.name, str(c.type), c.nullable)
                  for t in TABLES for c in m.MODEL_BY_TABLE[t].__table__.columns)
    synced = hashlib.sha256(repr(spec).encode()).hexdigest()[:16]
    assert (SYNC_SCHEMA, synced) == ("0003", "5fd7853a04064123"), \
        "synced columns changed: raise SYNC_SCHEMA to the new revision and record its fingerprint"


def test_a_shared_stick_carries_bundles_for_several_villages(world):
    county, va, vb, root = world
    up = root / "up"
    deliver(va, county, up)
    deliver(vb, county, up)
    stick = root / "return-stick"
    carry(county, va, stick)
    carry(county, vb, stick)
    for village, other in ((va, VB), (vb, VA)):
        results = import_many(village.store, [stick])
        by = {r.status: r for r in results}
        assert sorted(by) == ["applied", "skipped"]
        assert other in by["skipped"].reason and "跳过" in by["skipped"].reason
        assert not (village.dir / "quarantine").exists()
        assert pending_count(village.store) == 0
    from station_desktop.sync.report import report_lines, summary_rows

    results = import_many(va.store, [stick])
    assert sorted(r.status for r in results) == ["duplicate", "skipped"]
    assert [row["station"] for row in summary_rows(results)] == [COUNTY]
    assert any("不是本站的" in line for line in report_lines(va.store, results))
