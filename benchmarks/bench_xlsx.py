"""Spreadsheet speed: importing a 5 000-row roster workbook, exporting the roster.

    python benchmarks/bench_xlsx.py [--persons 5000] [--seed 5] [--out FILE]

Persons come from :func:`station_desktop.services.demo.make_persons`
(deterministic for ``--seed``) and are written with openpyxl, outside the
timings, into two workbooks:

* ``roster``: a station's own 花名册 — a merged title row, a “填报单位” row,
  a two-row header (基本信息 merged over 性别/出生年月/民族), 22 columns
  under the headers real rosters use (公民身份号码, 手机, 家庭住址 …),
  出生年月 as text “1985.03”, 入伍/退役 as dates, categories as names
  joined with 、.
* ``wide``: the program's own export format (every field of the form, 65
  columns), as ``export-xlsx person`` writes it.

Each is imported into a fresh station (the same pragmas as the program:
WAL, ``synchronous=FULL``) the way the command line does it — each call
reads the file, so a dry run followed by the real import reads it twice:

* ``read_s``: :func:`read_workbook` alone (openpyxl, merges, header search);
* ``dry_run_s``: ``import_file(dry_run=True)`` from the file;
* ``import_s``: ``import_file()`` from the file, one transaction, creates all;
* ``total_s``: dry run + real import (target, issue 5: under 10 s);
* ``wizard_total_s``: the GUI wizard's way — one read, then the dry run and
  the import on the :class:`SheetData` already read;
* ``reimport_dry_run_s``: a dry run of the same file into the now full
  station (every row matched by ID number: “unchanged”).
* ``read_cpu_s``, ``total_cpu_s``: CPU seconds of the read and of dry run +
  import (the work is single-threaded, so on a machine busy with other jobs
  this is the figure that does not depend on them; SQLite's fsync waits are
  not in it).

Then ``export_s``: ``export_kind(svc, "person", …)`` of the imported roster.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.enums import MaritalStatus, PoliticalStatus, Sex
from station_desktop.reports.xlsx_export import export_kind
from station_desktop.reports.xlsx_import import read_workbook
from station_desktop.services.demo import make_persons
from station_desktop.services import open_store
from station_desktop.services import Service
from station_desktop.services.roster_import import import_roster as import_file

TODAY = date(2026, 11, 23)
STATION = "420303100201"

#: (header, how a row's value is written) for the station's own roster.
ROSTER_COLUMNS: list[tuple[str, str]] = [
    ("序号", "seq"), ("姓名", "name"), ("性别", "sex"), ("出生年月", "birth_month"),
    ("民族", "ethnicity"), ("公民身份号码", "id_number"), ("手机", "phone"),
    ("人员类别", "categories"), ("政治面貌", "political_status"), ("婚姻状况", "marital_status"),
    ("文化程度", "education"), ("家庭住址", "residence"), ("户籍地", "hukou_place"),
    ("入伍时间", "enlist_date"), ("退役时间", "discharge_date"), ("军种", "service_branch"),
    ("军衔", "rank"), ("安置方式", "resettlement_mode"), ("就业情况", "employment_status"),
    ("工作单位", "employer"), ("伤残等级", "disability_grade"), ("备注", "note"),
]
_PARENT = {"性别", "出生年月", "民族"}


def _cell(row: dict[str, Any], how: str, seq: int, cats: Catalogues) -> Any:
    value = row.get(how)
    match how:
        case "seq":
            return seq
        case "sex":
            return Sex(value).label
        case "birth_month":
            return row["birth_date"][:7].replace("-", ".")
        case "ethnicity" | "education" | "service_branch" | "resettlement_mode" | "employment_status":
            kind = {"ethnicity": "ethnicity", "education": "education"}.get(how, how)
            return cats.name(kind, value) if value else None
        case "categories":
            return "、".join(cats.name("person_category", c) for c in json.loads(value))
        case "political_status":
            return PoliticalStatus(value).label if value else None
        case "marital_status":
            return MaritalStatus(value).label if value else None
        case "enlist_date" | "discharge_date":
            return date.fromisoformat(value) if value else None
    return value


def write_roster(path: Path, rows: list[dict[str, Any]]) -> None:
    cats = Catalogues.defaults()
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    n = len(ROSTER_COLUMNS)
    ws.cell(1, 1, "东沟村退役军人花名册")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.cell(2, 1, "填报单位：东沟村退役军人服务站            填报日期：2026年11月")
    for col, (header, _) in enumerate(ROSTER_COLUMNS, start=1):
        if header in _PARENT:
            ws.cell(4, col, header)
        else:
            ws.cell(3, col, header)
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    first = 1 + [h for h, _ in ROSTER_COLUMNS].index("性别")
    ws.cell(3, first, "基本信息")
    ws.merge_cells(start_row=3, start_column=first, end_row=3, end_column=first + 2)
    for seq, row in enumerate(rows, start=1):
        ws.append([_cell(row, how, seq, cats) for _, how in ROSTER_COLUMNS])
    wb.save(path)


def fresh_service(root: Path, name: str) -> Service:
    store = open_store(root / name, daily_backup=False)
    svc = Service(store, today=TODAY)
    svc.init_station(role="village", code=STATION, name="基准测试村退役军人服务站")
    return svc


_CPU: list[float] = []


def timed(fn: Any) -> tuple[float, Any]:
    """Wall seconds of ``fn()``; its CPU seconds are appended to ``_CPU``."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    _CPU.append(time.process_time() - c0)
    return time.perf_counter() - t0, result


def run_import(root: Path, name: str, path: Path) -> dict[str, Any]:
    svc = fresh_service(root, name)
    _CPU.clear()
    read_s, data = timed(lambda: read_workbook(path))
    dry_s, dry = timed(lambda: import_file(svc, path, dry_run=True))
    imp_s, real = timed(lambda: import_file(svc, path))
    cpu = {"read_cpu_s": round(_CPU[0], 2), "total_cpu_s": round(_CPU[1] + _CPU[2], 2)}
    assert real.to_dict() == {**dry.to_dict(), "dry_run": False}
    assert real.counts["refused"] == 0, real.lines()[:10]
    re_s, again = timed(lambda: import_file(svc, path, dry_run=True))
    assert again.counts["unchanged"] == real.counts["create"]
    wizard = fresh_service(root, name + "-wizard")
    t0 = time.perf_counter()
    data = read_workbook(path)
    import_file(wizard, data, dry_run=True)
    import_file(wizard, data)
    wizard_s = time.perf_counter() - t0
    wizard.store.close()
    out = {
        "rows": len(data.rows), "columns": data.ncols, "header_row": data.header_row,
        "file_bytes": path.stat().st_size, "counts": real.counts,
        "read_s": round(read_s, 2), "dry_run_s": round(dry_s, 2), "import_s": round(imp_s, 2),
        "total_s": round(dry_s + imp_s, 2), "wizard_total_s": round(wizard_s, 2),
        "reimport_dry_run_s": round(re_s, 2),
        "rows_per_s": round(len(data.rows) / imp_s), **cpu,
    }
    export_path = root / f"{name}-export.xlsx"
    out["export_s"] = round(timed(lambda: export_kind(svc, "person", export_path))[0], 2)
    out["export_bytes"] = export_path.stat().st_size
    svc.store.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--persons", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_xlsx_") as tmp:
        root = Path(tmp)
        rows = make_persons(random.Random(args.seed), args.persons, STATION, TODAY)
        roster = root / "花名册.xlsx"
        write_roster(roster, rows)
        # The wide workbook is the program's own export of the same persons.
        source = fresh_service(root, "source")
        from station_desktop.services.demo import insert_rows

        with source.store.raw_write() as con:
            insert_rows(con, "person", rows)
        wide = root / "导出.xlsx"
        export_kind(source, "person", wide)
        source.store.close()
        result = {
            "persons": args.persons,
            "roster": run_import(root, "roster", roster),
            "wide": run_import(root, "wide", wide),
            "target_total_s": 10,
            "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                        "openpyxl": metadata.version("openpyxl")},
        }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
