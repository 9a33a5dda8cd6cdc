"""Crash-harness workloads: each one runs in a child process that the parent SIGKILLs.

    python tests/reliability/worker.py WORKLOAD DATA_DIR

The child prints ``ready`` once its imports are done, then ``C <key>`` for
every transaction right after its commit returned (flushed at once), then
``done``. Every workload is resumable: run again on the data dir a kill left
behind, it finishes the work and reaches the same end state as a run that
was never interrupted.

A workload is four functions in :data:`WORKLOADS`: ``prepare`` builds the
template data dir once (in the parent), ``run`` is the child's work,
``check`` lists what is wrong after a kill given the keys the child
reported, ``state`` is the end state two runs are compared by (no generated
ids, no timestamps). Adding one (the bundle import) is a few lines at the end.

This module imports no Qt: the child must start fast.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)
STATION = "420303100201"
DB = "station.sqlite3"

Report = Callable[[str], None]


@dataclass(frozen=True)
class Workload:
    prepare: Callable[[Path], None]
    run: Callable[[Path, Report], None]
    #: (data dir, reported keys, durable) -> problems; durable=False after a
    #: simulated lost write, when reported transactions may be missing.
    check: Callable[[Path, list[str], bool], list[str]]
    state: Callable[[Path], Any]


WORKLOADS: dict[str, Workload] = {}


# --- shared helpers ----------------------------------------------------------------


@contextmanager
def connect(data_dir: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection, committed and closed at the end (it recovers a WAL; never migrates)."""
    con = sqlite3.connect(Path(data_dir) / DB)
    try:
        con.execute("PRAGMA busy_timeout = 10000")
        yield con
        con.commit()
    finally:
        con.close()


def rows(con: sqlite3.Connection, sql: str, *params: Any) -> list[tuple]:
    return sorted(con.execute(sql, params).fetchall(), key=repr)


def id_number(i: int, birth: str = "19600101", *, female: bool = False) -> str:
    """The ``i``-th valid ID number (i < 500); its sequence digit gives the sex."""
    from station_desktop.domain.idnumber import check_char

    first17 = f"420303{birth}{2 * i + (0 if female else 1):03d}"
    return first17 + check_char(first17)


def new_station(data_dir: Path, persons: int = 0, visits: int = 0) -> None:
    """An initialised village station, with ``persons`` generated persons."""
    from station_desktop.services.demo import insert_rows, make_persons, make_visits
    from station_desktop.services import open_store
    from station_desktop.services import Service

    store = open_store(data_dir)
    try:
        Service(store, today=TODAY).init_station(role="village", code=STATION,
                                                 name="东沟村退役军人服务站", operator_name="王建国")
        if persons:
            rng = random.Random(7)
            people = make_persons(rng, persons, STATION, TODAY)
            with store.raw_write() as con:
                insert_rows(con, "person", people)
                if visits:
                    insert_rows(con, "visit", make_visits(rng, people, visits, TODAY))
    finally:
        store.close()


def service(data_dir: Path):  # noqa: ANN201 - (Store, Service)
    from station_desktop.services import open_store
    from station_desktop.services import Service

    store = open_store(data_dir, daily_backup=False)
    svc = Service(store, today=TODAY)
    with connect(data_dir) as con:
        svc.operator_id = con.execute("SELECT id FROM operator ORDER BY id LIMIT 1").fetchone()[0]
    return store, svc


def at_most_one_unreported(found: list[str], reported: list[str], durable: bool) -> list[str]:
    """Committed keys the child never reported: at most the one it was killed before printing."""
    problems = []
    if durable:
        missing = [k for k in reported if k not in found]
        if missing:
            problems.append(f"reported but missing: {missing[:5]}")
    extra = [k for k in found if k not in reported]
    if durable and len(extra) > 1:
        problems.append(f"committed but never reported (more than the last one): {extra[:5]}")
    return problems


# --- a long edit session ------------------------------------------------------------

EDITS = 40


def _edit_run(data_dir: Path, report: Report) -> None:
    from station_desktop.store import models as m
    from station_desktop.store.fields import clean_record

    store, svc = service(data_dir)
    try:
        for i in range(EDITS):
            number = id_number(i)
            with connect(data_dir) as con:
                row = con.execute("SELECT id FROM person WHERE id_number = ?", (number,)).fetchone()
            if row is None:
                # A person and the family: one unit of work, as the person form saves them.
                cats = svc.catalogues()
                values = clean_record("person", {"name": f"测试{i}", "id_number": number,
                                                 "categories": "退役士兵"}, cats, today=TODAY)
                with store.write(svc.operator_id) as s:
                    values = svc._prepare(s, "person", values, None)  # sex, birth from the ID
                    p = m.Person(station_code=STATION, updated_by=svc.operator_id, **values)
                    s.add(p)
                    s.flush()
                    for relation, name in (("配偶", f"配偶{i}"), ("子女", f"子女{i}")):
                        member = clean_record("family_member", {
                            "person_id": p.id, "relation": relation, "name": name}, cats,
                            today=TODAY)
                        s.add(m.FamilyMember(station_code=STATION, updated_by=svc.operator_id,
                                             **member))
                    pid = p.id
                report(f"person:{i}")
            else:
                pid = row[0]
            svc.update("person", pid, {"phone": f"139{i:08d}", "residence": f"东沟村{i}组"})
            report(f"update:{i}")
            if i % 3 == 0:
                with connect(data_dir) as con:
                    done = con.execute("SELECT 1 FROM visit WHERE person_id = ?", (pid,)).fetchone()
                if not done:
                    svc.create("visit", {"person_id": pid, "kind": "routine", "method": "home",
                                         "visit_date": TODAY, "content": f"走访{i}",
                                         "visitor": "王建国"})
                report(f"visit:{i}")
    finally:
        store.close()


def _edit_check(data_dir: Path, reported: list[str], durable: bool) -> list[str]:
    problems = []
    found = []
    with connect(data_dir) as con:
        for i in range(EDITS):
            row = con.execute("SELECT id, phone, residence FROM person WHERE id_number = ?",
                              (id_number(i),)).fetchone()
            if row is None:
                continue
            found.append(f"person:{i}")
            family = con.execute("SELECT count(*) FROM family_member WHERE person_id = ?",
                                 (row[0],)).fetchone()[0]
            if family != 2:
                problems.append(f"person {i} has {family} of 2 family members")
            if (row[1] is None) != (row[2] is None):
                problems.append(f"update {i} half applied: {row[1:]}")
            if row[1] is not None:
                found.append(f"update:{i}")
                logged = con.execute(
                    "SELECT count(*) FROM change_log WHERE table_name = 'person' AND row_id = ? "
                    "AND op = 'U' AND json_extract(changes, '$.phone') IS NOT NULL",
                    (row[0],)).fetchone()[0]
                if logged != 1:
                    problems.append(f"update {i} has {logged} change_log entries")
            if con.execute("SELECT 1 FROM visit WHERE person_id = ?", (row[0],)).fetchone():
                found.append(f"visit:{i}")
    return problems + at_most_one_unreported(found, reported, durable)


def _edit_state(data_dir: Path) -> Any:
    with connect(data_dir) as con:
        return {
            "person": rows(con, "SELECT name, id_number, phone, residence, last_contact_on "
                                "FROM person"),
            "family": rows(con, "SELECT p.id_number, f.relation, f.name FROM family_member f "
                                "JOIN person p ON p.id = f.person_id"),
            "visit": rows(con, "SELECT p.id_number, v.kind, v.content, v.visit_date FROM visit v "
                               "JOIN person p ON p.id = v.person_id"),
            "log": rows(con, "SELECT table_name, op, count(*) FROM change_log GROUP BY 1, 2"),
        }


WORKLOADS["edit"] = Workload(lambda d: new_station(d), _edit_run, _edit_check, _edit_state)


# --- a holiday campaign writing hundreds of visits ------------------------------------

CAMPAIGNS = [("春节", "2027年春节走访慰问", None), ("八一", "2027年八一慰问", 60),
             ("重阳", "2027年重阳节慰问老兵", 70)]


def _campaign_run(data_dir: Path, report: Report) -> None:
    from station_desktop.services import campaigns
    from station_desktop.store import visits as sv

    store, svc = service(data_dir)
    try:
        cats = svc.catalogues()
        for k, (holiday, name, min_age) in enumerate(CAMPAIGNS):
            with connect(data_dir) as con:
                row = con.execute("SELECT id FROM campaign WHERE name = ? AND deleted_at IS NULL",
                                  (name,)).fetchone()
            if row is None:
                values = {"holiday": holiday, "year": 2027, "name": name,
                          "start_on": date(2027, 1, 20), "end_on": date(2027, 2, 20)}
                camp = campaigns.create_campaign(svc, values, sv.GroupCriteria(min_age=min_age))
                report(f"campaign:{k}")
                cid = camp["id"]
            else:
                cid = row[0]
            todo = sv.campaign_remaining_ids(store, cid, cats, TODAY)
            campaigns.record_campaign_visits(svc, cid, todo, {"visitor": "王建国", "gifts": "米、油",
                                                              "visit_date": TODAY})
            report(f"visits:{k}")
    finally:
        store.close()


def _campaign_check(data_dir: Path, reported: list[str], durable: bool) -> list[str]:
    problems = []
    found = []
    with connect(data_dir) as con:
        for k, (_holiday, name, _age) in enumerate(CAMPAIGNS):
            row = con.execute("SELECT id, planned FROM campaign WHERE name = ?", (name,)).fetchone()
            if row is None:
                continue
            found.append(f"campaign:{k}")
            visited = con.execute("SELECT count(*) FROM visit WHERE campaign_id = ?",
                                  (row[0],)).fetchone()[0]
            if visited not in (0, row[1]):
                problems.append(f"campaign {k}: {visited} of {row[1]} visits (not all-or-none)")
            if visited:
                found.append(f"visits:{k}")
            stale = con.execute(
                "SELECT count(*) FROM visit v JOIN person p ON p.id = v.person_id "
                "WHERE v.campaign_id = ? AND (p.last_contact_on IS NULL "
                "OR p.last_contact_on < v.visit_date)", (row[0],)).fetchone()[0]
            if stale:
                problems.append(f"campaign {k}: {stale} persons' last contact not updated")
    # An empty campaign group reports visits without writing: not the case here (groups > 0).
    return problems + at_most_one_unreported(found, reported, durable)


def _campaign_state(data_dir: Path) -> Any:
    with connect(data_dir) as con:
        return {
            "campaign": rows(con, "SELECT holiday, year, name, planned, criteria FROM campaign"),
            "visit": rows(con, "SELECT v.person_id, c.name, v.kind, v.method, v.visit_date, "
                               "v.visitor, v.gifts FROM visit v "
                               "LEFT JOIN campaign c ON c.id = v.campaign_id"),
            "person": rows(con, "SELECT id, last_contact_on FROM person"),
            "log": rows(con, "SELECT table_name, op, count(*) FROM change_log GROUP BY 1, 2"),
        }


WORKLOADS["campaign"] = Workload(lambda d: new_station(d, persons=600), _campaign_run,
                                 _campaign_check, _campaign_state)


# --- an xlsx import ----------------------------------------------------------------------

XLSX_HEAD = ["序号", "姓名", "性别", "出生年月", "公民身份号码", "手机", "人员类别", "家庭住址"]
XLSX_NEW = 400  # file A: new persons; file B: updates half of them and adds 100


def _xlsx_rows(which: str) -> list[list[Any]]:
    if which == "a":
        return [[i + 1, f"导入{i}", "男", "1960.01", id_number(i, "19600101"),
                 f"137{i:08d}", "退役士兵", f"东沟村{i % 9 + 1}组"] for i in range(XLSX_NEW)]
    updates = [[i + 1, f"导入{i}", "男", "1960.01", id_number(i, "19600101"),
                f"136{i:08d}", "退役士兵", f"西沟村{i % 9 + 1}组"] for i in range(0, XLSX_NEW, 2)]
    return updates + [[XLSX_NEW + i + 1, f"新增{i}", "女", "1970.05", id_number(i, "19700501", female=True),
                       f"135{i:08d}", "烈士遗属", "南沟村"] for i in range(100)]


def _xlsx_prepare(data_dir: Path) -> None:
    from openpyxl import Workbook

    new_station(data_dir)
    for which in ("a", "b"):
        wb = Workbook()
        ws = wb.active
        ws.title = "花名册"
        ws.append(XLSX_HEAD)
        for r in _xlsx_rows(which):
            ws.append(r)
        wb.save(data_dir / f"import-{which}.xlsx")


def _xlsx_run(data_dir: Path, report: Report) -> None:
    from station_desktop.services.roster_import import import_roster as import_file

    store, svc = service(data_dir)
    try:
        for which in ("a", "b"):
            name = f"import-{which}.xlsx"
            with connect(data_dir) as con:
                done = con.execute(
                    "SELECT 1 FROM audit_event WHERE action = 'import_xlsx' "
                    "AND json_extract(detail, '$.file') LIKE ?", (f"%{name}",)).fetchone()
            if not done:  # the audit event commits with the rows: present means imported
                result = import_file(svc, data_dir / name)
                assert result.counts["refused"] == 0, result.lines()
            report(f"import:{which}")
    finally:
        store.close()


def _xlsx_check(data_dir: Path, reported: list[str], durable: bool) -> list[str]:
    problems = []
    found = []
    with connect(data_dir) as con:
        phones = dict(con.execute("SELECT id_number, phone FROM person").fetchall())
        audits = con.execute("SELECT count(*) FROM audit_event WHERE action = 'import_xlsx'"
                             ).fetchone()[0]
    a = _xlsx_rows("a")
    b = _xlsx_rows("b")
    in_a = sum(1 for r in a if r[4] in phones)
    if in_a not in (0, len(a)):
        problems.append(f"import a: {in_a} of {len(a)} persons (not all-or-none)")
    elif in_a:
        found.append("import:a")
    b_new = sum(1 for r in b if r[1].startswith("新增") and r[4] in phones)
    b_upd = sum(1 for r in b if r[1].startswith("导入") and phones.get(r[4]) == r[5])
    n_new = sum(1 for r in b if r[1].startswith("新增"))
    if {b_new, b_upd} != {0} and (b_new, b_upd) != (n_new, len(b) - n_new):
        problems.append(f"import b half applied: {b_new} new, {b_upd} updated")
    elif b_new:
        found.append("import:b")
    if audits != len(found):
        problems.append(f"{audits} import audit events for {len(found)} imports")
    return problems + at_most_one_unreported(found, reported, durable)


def _xlsx_state(data_dir: Path) -> Any:
    with connect(data_dir) as con:
        return {
            "person": rows(con, "SELECT name, sex, birth_date, id_number, phone, categories, "
                                "residence FROM person"),
            "audit": rows(con, "SELECT action, count(*) FROM audit_event GROUP BY 1"),
            "log": rows(con, "SELECT table_name, op, count(*) FROM change_log GROUP BY 1, 2"),
        }


WORKLOADS["xlsx"] = Workload(_xlsx_prepare, _xlsx_run, _xlsx_check, _xlsx_state)


# --- a migration of a saved older database -----------------------------------------------


def _migration_prepare(data_dir: Path) -> None:
    import shutil

    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "tests" / "data" / "schema_0001.sqlite3", data_dir / DB)


def _migration_run(data_dir: Path, report: Report) -> None:
    from station_desktop.services import open_store

    open_store(data_dir).close()
    report("migrated")


def backup_problems(folder: Path, pattern: str = "*.sqlite3") -> list[str]:
    """Every backup under its final name must be complete and verifiable (.part files may not)."""
    from station_desktop.store.backup import summarize

    problems = []
    for f in sorted(folder.glob(pattern)) if folder.is_dir() else []:
        try:
            summarize(f)
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            problems.append(f"backup {f.name} unusable: {exc}")
    return problems


def _migration_check(data_dir: Path, reported: list[str], durable: bool) -> list[str]:
    from station_desktop.store.migrate import SCHEMA_HEAD, current_revision, known_revisions

    # One transaction per migration step: a kill may leave any step between.
    rev = current_revision(data_dir / DB)
    problems = [] if rev in known_revisions() else [f"revision {rev}"]
    if durable and reported and rev != SCHEMA_HEAD:
        problems.append(f"reported migrated, but revision is {rev}")
    for f in (data_dir / "backups").glob("before-upgrade-*.sqlite3"):
        if current_revision(f) != "0001":
            problems.append(f"{f.name} is not the 0001 database")
    return problems + backup_problems(data_dir / "backups")


def _migration_state(data_dir: Path) -> Any:
    with connect(data_dir) as con:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {
            "schema": rows(con, "SELECT type, name, sql FROM sqlite_master "
                                "WHERE name NOT LIKE 'sqlite_%'"),
            **{t: rows(con, f'SELECT * FROM "{t}"') for t in tables},
        }


WORKLOADS["migration"] = Workload(_migration_prepare, _migration_run, _migration_check,
                                  _migration_state)


# --- a backup ------------------------------------------------------------------------------

BACKUPS = 3


def _backup_run(data_dir: Path, report: Report) -> None:
    from station_desktop.services.backups import backup
    from station_desktop.services import open_store

    store = open_store(data_dir)  # also the daily rotating backup
    try:
        for k in range(BACKUPS):
            dest = data_dir / "usb" / f"backup-{k}.sqlite3"
            with connect(data_dir) as con:  # by name: the harness copies data dirs about
                done = con.execute(
                    "SELECT 1 FROM audit_event WHERE action = 'backup' "
                    "AND json_extract(detail, '$.file') LIKE ?", (f"%{dest.name}",)).fetchone()
            if not done:
                backup(store, dest)
            report(f"backup:{k}")
    finally:
        store.close()


def _backup_check(data_dir: Path, reported: list[str], durable: bool) -> list[str]:
    from station_desktop.store.backup import summarize

    problems = backup_problems(data_dir / "usb") + backup_problems(data_dir / "backups")
    with connect(data_dir) as con:
        logged = [Path(json.loads(r[0])["file"]).name for r in con.execute(
            "SELECT detail FROM audit_event WHERE action = 'backup'")]
        live = con.execute("SELECT count(*) FROM person").fetchone()[0]
    found = []
    for k in range(BACKUPS):
        dest = data_dir / "usb" / f"backup-{k}.sqlite3"
        if dest.name in logged:
            found.append(f"backup:{k}")
            if not dest.exists():
                problems.append(f"backup {k} logged but its file is missing")
        if dest.exists() and summarize(dest).counts["person"] != live:
            problems.append(f"backup {k} holds other counts than the live database")
    return problems + at_most_one_unreported(found, reported, durable)


def _backup_state(data_dir: Path) -> Any:
    from station_desktop.store.backup import summarize

    with connect(data_dir) as con:
        logged = rows(con, "SELECT json_extract(detail, '$.file') FROM audit_event "
                           "WHERE action = 'backup'")
    usb = sorted((f.name, summarize(f).counts["person"])
                 for f in (data_dir / "usb").glob("*.sqlite3"))
    daily = sorted(f.name for f in (data_dir / "backups").glob("daily-*.sqlite3"))
    return {"logged": sorted(Path(r[0]).name for r in logged), "usb": usb, "daily": daily}


WORKLOADS["backup"] = Workload(lambda d: new_station(d, persons=3000, visits=6000), _backup_run,
                               _backup_check, _backup_state)


# --- a bundle import (the county's USB stick) -------------------------------------------------

COUNTY = "420303000000"
BUNDLE_VILLAGES = (("420303100201", 11), ("420303100202", 12))


def _bundle_prepare(data_dir: Path) -> None:
    """A county data dir, and on its stick two bundles from each of two enrolled villages."""
    from station_desktop.services.demo import generate_demo
    from station_desktop.services import open_store
    from station_desktop.services import Service
    from station_desktop.services.sync import enrolment
    from station_desktop.services.sync.export import export_bundle
    from station_desktop.sync import enrol
    from station_desktop.sync.keys import ensure_keys

    county = open_store(data_dir, daily_backup=False)
    Service(county, today=TODAY).init_station(role="county", code=COUNTY, name="县服务中心")
    ensure_keys(data_dir)
    stick = data_dir / "stick"
    for code, seed in BUNDLE_VILLAGES:
        vdir = data_dir.parent / f"{data_dir.name}-village-{code}"
        village = open_store(vdir, daily_backup=False)
        svc = Service(village, today=TODAY)
        svc.init_station(role="village", code=code, name=f"村{code[-3:]}", parent_code=code[:9] + "000")
        ensure_keys(vdir)
        req = enrol.request(village, vdir)
        _p, acc = enrolment.accept(county, req.read_bytes(), vdir)
        enrolment.apply(village, acc.read_bytes())
        generate_demo(village, station_code=code, persons=150, seed=seed)
        export_bundle(village, COUNTY, stick)
        for pid in [p["id"] for p in svc.list("person")[:20]]:
            svc.update("person", pid, {"phone": f"1390000{seed:02d}{len(pid) % 10}0"})
        export_bundle(village, COUNTY, stick)
        village.close()
    county.close()


def _bundle_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "stick").glob("*.sdbundle"))


def _bundle_run(data_dir: Path, report: Report) -> None:
    from station_desktop.services import open_store
    from station_desktop.services.sync.imports import import_bundle

    store = open_store(data_dir, daily_backup=False)
    try:
        for f in _bundle_files(data_dir):
            result = import_bundle(store, f)
            if result.status == "refused":
                raise SystemExit(f"refused: {result.reason}")
            report(f"bundle:{f.name}")
    finally:
        store.close()


def _bundle_rows(path: Path, data_dir: Path) -> dict[str, list[str]]:
    from station_desktop.sync.container import open_bundle, unseal
    from station_desktop.sync.keys import load_keys

    payload = unseal(open_bundle(path.read_bytes()), load_keys(data_dir).encryption)
    return {t: [r[b["columns"].index("id")] for r in b["rows"]] for t, b in payload["tables"].items()}


def _bundle_check(data_dir: Path, reported: list[str], durable: bool) -> list[str]:
    import hashlib

    problems: list[str] = []
    with connect(data_dir) as con:
        applied = {r[0] for r in con.execute("SELECT sha256 FROM sync_bundle WHERE direction = 'in'")}
        found = []
        for f in _bundle_files(data_dir):
            if hashlib.sha256(f.read_bytes()).hexdigest() in applied:
                found.append(f"bundle:{f.name}")
                for table, ids in _bundle_rows(f, data_dir).items():
                    have = sum(con.execute(
                        f'SELECT count(*) FROM "{table}" WHERE id IN ({",".join("?" * len(chunk))})',
                        chunk).fetchone()[0] for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)))
                    if have != len(ids):
                        problems.append(f"{f.name}: {len(ids) - have} {table} rows missing")
        for code, _seed in BUNDLE_VILLAGES:
            if not any(code in k for k in found):
                n = con.execute("SELECT count(*) FROM person WHERE station_code = ?", (code,)).fetchone()[0]
                if n:
                    problems.append(f"{n} persons of {code} present though no bundle of it applied")
    return problems + at_most_one_unreported(found, reported, durable)


def _bundle_state(data_dir: Path) -> Any:
    from station_desktop.sync.records import TABLES

    with connect(data_dir) as con:
        return {
            **{t: rows(con, f'SELECT * FROM "{t}" WHERE station_code != ? ORDER BY id', COUNTY)
               for t in TABLES},
            "peers": rows(con, "SELECT code, received_seq, received_max, gaps, acked_seq "
                               "FROM sync_peer ORDER BY code"),
            "bundles": rows(con, "SELECT sha256, sender, from_seq, to_seq FROM sync_bundle "
                                 "ORDER BY sha256"),
        }


WORKLOADS["bundle"] = Workload(_bundle_prepare, _bundle_run, _bundle_check, _bundle_state)


# --- the child -------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    name, data_dir = argv[0], Path(argv[1])
    workload = WORKLOADS[name]
    # Import what the workloads need before "ready", so kill times fall on the work.
    import station_desktop.reports.xlsx_import  # noqa: F401
    import station_desktop.services.backups  # noqa: F401
    import station_desktop.store.backup  # noqa: F401
    import station_desktop.store.migrate  # noqa: F401
    import station_desktop.services  # noqa: F401
    import station_desktop.store.visits  # noqa: F401

    def report(key: str) -> None:
        sys.stdout.write(f"C {key}\n")
        sys.stdout.flush()

    sys.stdout.write("ready\n")
    sys.stdout.flush()
    workload.run(data_dir, report)
    sys.stdout.write("done\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main(sys.argv[1:]))
