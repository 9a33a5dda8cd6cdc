"""Planning a roster import: which row creates or updates which person, and why not.

:func:`plan_import` reads nothing but the sheet and the station (through a
:class:`~station_desktop.store.reader.StationReader`) and changes nothing:
it turns every data row into a :class:`RowResult` (create, update matched
by ID number and never duplicated, unchanged, or refused with the reasons
in Chinese and the Excel row number) and the creates and updates into
:class:`PersonWrite` items. Every value goes through
:func:`station_desktop.store.fields.clean_record` and the person rules (the
ID number decides birth date and sex, one live file per ID number), so an
imported person is exactly what the form would have accepted. Writing the
plan is :func:`station_desktop.services.roster_import.import_roster`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from sqlalchemy import select

from station_desktop.domain.errors import ValidationError
from station_desktop.domain.idnumber import (
    apply_to_record,
    looks_like_excel_mangled,
    normalize_id_number,
    parse_id_number,
)
from station_desktop.domain.progress import Progress, tick
from station_desktop.domain.validate import parse_date
from station_desktop.reports.xlsx_import.cells import (
    MANGLED_ID,
    CellError,
    blank,
    cell_text,
    clean_text_value,
    compact_name,
    convert,
    date_value,
    reason,
)
from station_desktop.reports.xlsx_import.headers import (
    ColumnMapping,
    check_mapping,
    guess_mapping,
    load_remembered_mapping,
)
from station_desktop.reports.xlsx_import.workbook import SheetData, read_workbook
from station_desktop.store import models as m
from station_desktop.store.display import display_value, mask_id_number
from station_desktop.store.fields import PERSON_FIELDS, clean_record, clean_value
from station_desktop.store.reader import StationReader, row_dict

#: Rows between two progress reports (and looks at the cancel button).
CHECK_EVERY = 200
CANCELLED = "已取消导入，没有写入任何数据。"


# --- the report ------------------------------------------------------------------


@dataclass
class RowResult:
    row: int  # 1-based Excel row number
    action: str  # create | update | unchanged | refused
    name: str = ""
    id_number: str = ""
    reasons: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # field labels
    #: Per changed label: (old, new) as shown to a person.
    diff: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class ImportReport:
    file: str
    sheet: str
    header_row: int
    mapping: dict[str, str]  # column letter → field label
    rows: list[RowResult]
    dry_run: bool = True
    unmapped: dict[str, str] = field(default_factory=dict)  # column letter → header text
    ignored: list[tuple[int, str]] = field(default_factory=list)  # rows with no name and no ID
    warnings: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "unchanged": 0, "refused": 0}
        for r in self.rows:
            out[r.action] += 1
        out["ignored"] = len(self.ignored)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "sheet": self.sheet, "header_row": self.header_row,
            "dry_run": self.dry_run, "mapping": dict(self.mapping), "unmapped": dict(self.unmapped),
            "counts": self.counts, "warnings": list(self.warnings),
            "ignored": [{"row": r, "text": t} for r, t in self.ignored],
            "rows": [
                {**asdict(r), "diff": {k: list(v) for k, v in r.diff.items()}} for r in self.rows
            ],
        }

    def lines(self) -> list[str]:
        c = self.counts
        verb = "将" if self.dry_run else "已"
        head = f"{verb}新建 {c['create']} 人，更新 {c['update']} 人，拒绝 {c['refused']} 行"
        if c["unchanged"]:
            head += f"，{c['unchanged']} 人无变化"
        out = [head + "。" + ("（试导入，未写入数据库）" if self.dry_run else "")]
        out.append(f"文件：{Path(self.file).name}，工作表：{self.sheet}，表头在第 {self.header_row} 行。")
        out.append("列对应：" + "，".join(f"{k} {v}" for k, v in self.mapping.items()) + "。")
        if self.unmapped:
            out.append("不导入的列：" + "，".join(
                f"{k}（{v or '无列名'}）" for k, v in self.unmapped.items()) + "。")
        out.extend(self.warnings)
        for r in self.rows:
            who = r.name or "（无姓名）"
            if r.id_number:
                who += f"（{mask_id_number(r.id_number)}）"
            if r.action == "refused":
                out.append(f"第 {r.row} 行 {who}：拒绝，" + "；".join(r.reasons))
            elif r.action == "update":
                parts = [f"{label}（{r.diff[label][0] or '空'} → {r.diff[label][1]}）"
                         if label in r.diff else label for label in r.changes]
                out.append(f"第 {r.row} 行 {who}：{'将' if self.dry_run else '已'}更新 "
                           + "、".join(parts))
        for row, text in self.ignored:
            out.append(f"第 {row} 行没有姓名和身份证号，不是人员记录，已忽略：{text}")
        return out


# --- planning --------------------------------------------------------------------


@dataclass
class PersonWrite:
    """One person the import writes: a new file (``person_id`` None) or these changes to one."""

    values: dict[str, Any]
    person_id: str | None = None


@dataclass
class ImportPlan:
    """What an import of one sheet would do, computed from the sheet and the station."""

    data: SheetData
    mapping: ColumnMapping
    #: The caller chose the mapping: it is kept for the next sheet with these headers.
    remember: bool
    report: ImportReport
    writes: list[PersonWrite]


def _same(name: str, old: Any, new: Any) -> bool:
    if PERSON_FIELDS[name].type == "cats":
        return sorted(old or []) == sorted(new or [])
    if isinstance(old, str) and isinstance(new, str):
        return old.strip() == new.strip()
    return old == new


def _on_file(reader: StationReader, data: SheetData, mapping: ColumnMapping
             ) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """The live persons by ID number, and the records of those the sheet names.

    The records are read in a few queries, not one per row.
    """
    id_col = next(c for c, n in mapping.items() if n == "id_number")
    with reader.store.read() as s:
        existing: dict[str, str] = dict(s.execute(
            select(m.Person.id_number, m.Person.id).where(m.Person.deleted_at.is_(None))).all())
        ids = []
        for _row, values in data.rows:
            value = values[id_col] if id_col < len(values) else None
            if isinstance(value, str):
                pid = existing.get(normalize_id_number(value))
                if pid:
                    ids.append(pid)
        records: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            for obj in s.scalars(select(m.Person).where(m.Person.id.in_(ids[start:start + 500]))):
                records[obj.id] = row_dict(obj)
    return existing, records


class _Planner:
    def __init__(self, reader: StationReader, data: SheetData, mapping: ColumnMapping,
                 defaults: Mapping[str, Any], progress: Progress | None):
        self.data, self.mapping = data, mapping
        self.defaults = dict(defaults)
        self.progress = progress
        self.cats = reader.catalogues()
        self.today = reader.today
        self.existing, self.records = _on_file(reader, data, mapping)
        self.seen: dict[str, int] = {}
        self.results: list[RowResult] = []
        self.writes: list[PersonWrite] = []
        self.ignored: list[tuple[int, str]] = []

    def run(self) -> None:
        total = len(self.data.rows)
        cols = [(c, n) for c, n in sorted(self.mapping.items()) if n and c < self.data.ncols]
        for i, (row_no, values) in enumerate(self.data.rows):
            if i % CHECK_EVERY == 0:
                tick(self.progress, i, total, CANCELLED)
            raw = {name: values[c] for c, name in cols if not blank(values[c])}
            if "name" not in raw and "id_number" not in raw:
                text = " ".join(cell_text(v) for v in values if not blank(v))
                if text:
                    self.ignored.append((row_no, text[:40]))
                continue
            self.results.append(self._row(row_no, raw))
        if self.progress is not None:
            self.progress(total, total)

    def _row(self, row_no: int, raw: dict[str, Any]) -> RowResult:
        reasons: list[str] = []
        name = cell_text(raw.get("name"))
        result = RowResult(row=row_no, action="refused", name=compact_name(name))
        # 1. The ID number: refused when Excel has already destroyed it.
        id_raw = raw.get("id_number")
        number: str | None = None
        info = None
        if id_raw is None:
            reasons.append("请填写“身份证号”。")
        elif isinstance(id_raw, int | float) and not isinstance(id_raw, bool):
            result.id_number = f"{id_raw:.5E}"  # as Excel shows it: 4.20303E+17
            reasons.append(MANGLED_ID)
        else:
            text = clean_text_value(str(id_raw)).lstrip("'`")
            result.id_number = text
            if looks_like_excel_mangled(text):
                reasons.append(MANGLED_ID)
            else:
                try:
                    info = parse_id_number(text, today=self.today)
                    number = info.number
                    result.id_number = number
                except ValidationError as exc:
                    reasons.append(reason("id_number", exc.message))
        if number is not None:
            first = self.seen.get(number)
            if first is not None:
                result.reasons = [f"与第 {first} 行身份证号重复"]
                return result
            self.seen[number] = row_no
        # 2. Every other cell, converted to what the form would receive.
        person_id = self.existing.get(number) if number else None
        converted: dict[str, Any] = {}
        for fname, value in raw.items():
            if fname == "id_number":
                continue
            try:
                v = convert(fname, value)
                if fname == "birth_date":
                    v = self._birth_date(value, info, reasons)
                if v is None or blank(v) or v == []:
                    continue
                converted[fname] = v
            except CellError as exc:
                reasons.append(exc.message)
        if number is not None:
            converted["id_number"] = number
        creating = person_id is None
        if creating:
            for fname, value in self.defaults.items():
                converted.setdefault(fname, value)
        # 3. The service's validator: all of the record at once, then (on failure) field
        #    by field so the report names every problem of the row, not just the first.
        values: dict[str, Any] | None = None
        try:
            values = clean_record("person", converted, self.cats, today=self.today,
                                  partial=not creating)
        except ValidationError:
            for fname, f in PERSON_FIELDS.items():
                if fname == "id_number" or (fname not in converted and (
                        not creating or fname in raw or number is None)):
                    continue
                try:
                    clean_value(fname, f, converted.get(fname), self.cats, today=self.today)
                except ValidationError as exc:
                    reasons.append(reason(fname, exc.message))
        if values is not None and info is not None:
            try:
                apply_to_record(values, info)
            except ValidationError as exc:
                reasons.append(reason(exc.field or "", exc.message))
        if reasons or values is None:
            result.reasons = reasons or ["这一行无法导入。"]
            return result
        if creating:
            if values.get("registered_on") is None:
                values["registered_on"] = self.today
            result.action = "create"
            self.writes.append(PersonWrite(values))
            return result
        assert person_id is not None
        old = self.records[person_id]
        changed = {k: v for k, v in values.items() if not _same(k, old[k], v)}
        if not changed:
            result.action = "unchanged"
            return result
        result.action = "update"
        result.changes = [PERSON_FIELDS[k].label for k in changed]
        result.diff = {PERSON_FIELDS[k].label: (self._shown(k, old[k]), self._shown(k, v))
                       for k, v in changed.items()}
        self.writes.append(PersonWrite(changed, person_id))
        return result

    def _shown(self, name: str, value: Any) -> str:
        """A value in the report: ID numbers masked, long texts cut to one line."""
        return display_value(PERSON_FIELDS[name], value, self.cats, mask_id=True, clip=20)

    def _birth_date(self, value: Any, info: Any, reasons: list[str]) -> Any:
        """A full birth date as is; “出生年月” (1985.03) only checked against the ID number."""
        v, precision = date_value(value, PERSON_FIELDS["birth_date"].label)
        if precision == "day":
            return v
        try:
            partial = parse_date(v, field="birth_date", allow_partial=True, latest=self.today)
        except ValidationError as exc:
            reasons.append(reason("birth_date", exc.message))
            return None
        if info is not None and (
            partial.year != info.birth_date.year
            or (precision == "month" and partial.month != info.birth_date.month)
        ):
            reasons.append(f"出生日期与身份证号不符：按身份证号应为 {info.birth_date.isoformat()}。")
        return None


def _report(data: SheetData, mapping: ColumnMapping, planner: _Planner, dry_run: bool) -> ImportReport:
    mapped = {get_column_letter(c + 1): PERSON_FIELDS[n].label
              for c, n in sorted(mapping.items()) if n and c < data.ncols}
    unmapped = {get_column_letter(c + 1): data.headers[c]
                for c in range(data.ncols) if not mapping.get(c)}
    warnings_: list[str] = []
    fields = set(mapping.values())
    if "categories" not in fields and "categories" not in planner.defaults:
        warnings_.append("注意：表中没有“人员类别”列，新建人员都会因缺少人员类别被拒绝；"
                         "可在导入向导中为新建人员指定一个类别。")
    return ImportReport(file=data.file, sheet=data.sheet, header_row=data.header_row,
                        mapping=mapped, rows=planner.results, dry_run=dry_run, unmapped=unmapped,
                        ignored=planner.ignored, warnings=warnings_)


def plan_import(
    reader: StationReader,
    source: Path | SheetData,
    *,
    sheet: str | None = None,
    mapping: Mapping[int, str | None] | None = None,
    defaults: Mapping[str, Any] | None = None,
    dry_run: bool = True,
    progress: Progress | None = None,
) -> ImportPlan:
    """What importing ``source`` into the station ``reader`` reads would do; writes nothing.

    ``source`` may be a :class:`SheetData` already read (the wizard reads once).
    ``mapping`` overrides the remembered or guessed column mapping; ``defaults``
    (field → value) fill empty cells of new persons, e.g. ``{"categories": "退役士兵"}``.
    ``dry_run`` only words the report (将新建 … rather than 已新建 …).
    """
    data = source if isinstance(source, SheetData) else read_workbook(Path(source), sheet=sheet)
    remember = mapping is not None
    if mapping is None:
        mapping = load_remembered_mapping(reader, data.headers) or guess_mapping(data.headers)
    mapping = check_mapping(mapping, data.ncols)
    defaults = dict(defaults or {})
    unknown = set(defaults) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError("defaults", f"不认识的字段：{'、'.join(sorted(unknown))}。")
    planner = _Planner(reader, data, mapping, defaults, progress)
    planner.run()
    return ImportPlan(data=data, mapping=mapping, remember=remember,
                      report=_report(data, mapping, planner, dry_run), writes=planner.writes)
