"""Write a saved database for every released schema revision (run when a revision is released).

    python tests/data/make_schema_fixtures.py

Each file holds one station, one operator and two persons written at that
revision, so the upgrade test proves records survive every migration.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from station_desktop.store.db import DB_FILENAME, Store, make_engine
from station_desktop.store.migrate import upgrade

HERE = Path(__file__).parent
PERSONS = [
    ("01900000-0000-7000-8000-000000000001", "张三丰", "11010519491231002X", "F", "1949-12-31"),
    ("01900000-0000-7000-8000-000000000002", "李明", "440524188001010014", "M", "1880-01-01"),
]


def make(revision: str) -> Path:
    out = HERE / f"schema_{revision}.sqlite3"
    out.unlink(missing_ok=True)
    tmp = HERE / "tmp-fixture"
    tmp.mkdir(exist_ok=True)
    path = tmp / DB_FILENAME
    for p in tmp.glob(DB_FILENAME + "*"):
        p.unlink()
    store = Store(path, make_engine(path))
    upgrade(store, revision)
    store.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA application_id = 1398033988")
    ts = "2026-01-01T00:00:00.000Z"
    con.execute("INSERT INTO meta VALUES ('station_code', '420303100201'), "
                "('station_name', '旧版服务站'), ('role', 'village')")
    for pid, name, idn, sex, birth in PERSONS:
        con.execute(
            "INSERT INTO person (id, station_code, created_at, updated_at, name, id_number, sex, "
            "birth_date, categories, tags, key_focus, registered_on, re_enlisted, "
            "zero_employment_family, benefit_kinds, lone_elder_or_orphan) "
            "VALUES (?, '420303100201', ?, ?, ?, ?, ?, ?, '[\"retired_soldier\"]', '[]', 0, "
            "'2026-01-01', 0, 0, '[]', 0)",
            (pid, ts, ts, name, idn, sex, birth),
        )
    con.commit()
    con.execute("PRAGMA journal_mode = DELETE")
    con.execute("VACUUM INTO ?", (str(out),))
    con.close()
    for p in tmp.glob("*"):
        p.unlink()
    tmp.rmdir()
    return out


if __name__ == "__main__":
    for rev in sys.argv[1:] or ["0001"]:
        print(make(rev))
