"""Export the roster and any list to .xlsx, the way a cadre expects to open it.

Chinese headers from :data:`station_desktop.store.fields.FIELDS`; ID and
phone numbers written as TEXT (``number_format = "@"``) so Excel never shows
``1.10105E+17``; dates as real dates (``yyyy-mm-dd``); money in yuan with two
decimals (integer fen / 100 through Decimal), the header saying （元）;
catalogue codes and enum values as their Chinese names; column widths from
the content (a CJK character counts double); bold header, frozen below it,
autofilter. Written in openpyxl's write-only mode (a 100 000-person roster
streams), to a temporary name that is renamed when complete.

The person export holds every field of the form, so exporting and importing
it again (:mod:`station_desktop.reports.xlsx_import`) gives the same records.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import text as sql_text

from station_desktop.domain import enums
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.progress import Progress, tick
from station_desktop.store.display import display_value
from station_desktop.store.fields import FIELDS, Field
from station_desktop.store.reader import KIND_LABELS, StationReader

#: The kinds ``export_kind`` writes, with the order of their rows.
EXPORT_KINDS: dict[str, str] = {
    "person": "name",
    "visit": "visit_date",
    "aid_application": "applied_on",
    "dispute_case": "registered_on",
    "honour": "title",
    "family_member": "person_id",
    "volunteer_member": "joined_on",
}

#: Columns a list shows that are not form fields (set by workflows): name → (label, type, arg).
_EXTRA: dict[str, list[tuple[str, str, str, Any]]] = {
    "aid_application": [
        ("approved_fen", "批准金额", "fen", None),
        ("state", "办理状态", "enum", enums.AidState),
    ],
    "dispute_case": [
        ("level", "当前层级", "enum", enums.Level),
        ("state", "办理状态", "enum", enums.CaseState),
        ("closed_on", "办结日期", "date", None),
        ("resolved_level", "化解层级", "enum", enums.Level),
        ("outcome", "处理结果", "text", None),
        ("satisfaction", "满意情况", "enum", enums.Satisfaction),
    ],
    "honour": [
        ("state", "状态", "enum", enums.HonourState),
        ("done_on", "悬挂/送达日期", "date", None),
    ],
}

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
MAX_WIDTH = 50
MIN_WIDTH = 6
_WIDTH_SAMPLE = 2000
_CHECK_EVERY = 500


def display_width(value: Any) -> int:
    """Columns a value takes in Excel: a wide (CJK, full-width) character counts double."""
    if value is None:
        return 0
    if isinstance(value, date | datetime):
        return 10
    s = str(value).split("\n")[0]
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def _safe_sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip() or "Sheet1"
    return cleaned[:31]


def _column_key(spec: int | str, headers: Sequence[str]) -> int:
    if isinstance(spec, int):
        return spec
    try:
        return list(headers).index(spec)
    except ValueError:
        raise ValueError(f"no column {spec!r} in {list(headers)!r}") from None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def export_rows(
    out: Path,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    text_columns: Iterable[int | str] = (),
    date_columns: Iterable[int | str] = (),
    money_columns: Iterable[int | str] = (),
    progress: Progress | None = None,
    total: int | None = None,
) -> dict[str, Any]:
    """Write one sheet: ``headers`` then ``rows``; returns ``{"file", "rows"}``.

    Columns are named by index or header text. ``text_columns`` are written as
    text (ID and phone numbers), ``date_columns`` as dates (date, datetime or
    ISO text), ``money_columns`` hold integer fen and are shown in yuan with
    two decimals (their header gets （元）). Everything else is written as it is.
    """
    out = Path(out)
    headers = [str(h) for h in headers]
    texts = {_column_key(c, headers) for c in text_columns}
    dates = {_column_key(c, headers) for c in date_columns}
    money = {_column_key(c, headers) for c in money_columns}
    shown = [h if i not in money or h.endswith(("（元）", "(元)")) else f"{h}（元）"
             for i, h in enumerate(headers)]
    data = [list(r) for r in rows]  # widths need the content before the first row is written
    n = len(data)
    total = total or n

    def value_of(col: int, value: Any) -> Any:
        if value is None or value == "":
            return None
        if col in texts:
            return _text(value)
        if col in dates:
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            return date.fromisoformat(str(value)[:10])
        if col in money:
            return Decimal(int(value)) / 100
        if isinstance(value, str):
            return _text(value)
        return value

    for r in data:
        for i in range(min(len(r), len(headers))):
            r[i] = value_of(i, r[i])

    widths = [display_width(h) for h in shown]
    for r in data[:_WIDTH_SAMPLE]:
        for i in range(min(len(r), len(widths))):
            v = r[i]
            w = 13 if i in money and v is not None else display_width(v)
            widths[i] = max(widths[i], w)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_safe_sheet_title(title))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(MIN_WIDTH, min(MAX_WIDTH, w + 2))
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, n + 1)}"
    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    head_cells = []
    for h in shown:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        c.alignment = centre
        head_cells.append(c)
    ws.append(head_cells)

    def cell(col: int, value: Any) -> Any:
        if value is None:
            return None
        if col in texts or col in dates or col in money:
            c = WriteOnlyCell(ws, value=value)
            c.number_format = TEXT_FORMAT if col in texts else (
                DATE_FORMAT if col in dates else MONEY_FORMAT)
            if col in texts:
                c.data_type = "s"
            return c
        if isinstance(value, str) and value.startswith("="):
            c = WriteOnlyCell(ws, value=value)
            c.data_type = "s"  # text that merely looks like a formula
            return c
        if isinstance(value, date | datetime):
            c = WriteOnlyCell(ws, value=value)
            c.number_format = DATE_FORMAT
            return c
        return value

    tmp = out.with_name(out.name + ".part")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        for k, r in enumerate(data):
            if k % _CHECK_EVERY == 0:
                tick(progress, k, total, "已取消导出。")
            ws.append([cell(i, v) for i, v in enumerate(r)])
        wb.save(tmp)
        tmp.replace(out)
    except BaseException:
        if not ws.closed:
            with contextlib.suppress(Exception):  # end the sheet's stream before dropping it
                ws.close()
        tmp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(total, total)
    return {"file": str(out), "rows": n}


# --- record kinds ----------------------------------------------------------------


def _ref_names(svc: StationReader, kind: str) -> dict[str, dict[str, str]]:
    """Names to show for the records a kind points at (person, team, campaign, operator …)."""
    wanted = {f.arg for f in FIELDS[kind].values() if f.type == "ref"}
    queries = {
        "person": "SELECT id, name FROM person",
        "operator": "SELECT id, name FROM operator",
        "campaign": "SELECT id, name FROM campaign",
        "volunteer_team": "SELECT id, name FROM volunteer_team",
        "life_event": "SELECT id, event_date FROM life_event",
    }
    out: dict[str, dict[str, str]] = {}
    with svc.store.read() as s:
        for table in wanted & set(queries):
            out[table] = {str(k): str(v or "") for k, v in s.execute(sql_text(queries[table])).all()}
        if "life_event" in out:  # a visit answers a life event: “2026-03-01 重大变故”
            out["life_event"] = {k: f"{v} 重大变故" for k, v in out["life_event"].items()}
        if "person" in wanted:
            out["person_id_number"] = {
                str(k): str(v or "") for k, v in s.execute(sql_text("SELECT id, id_number FROM person"))
            }
    return out


def export_kind(
    svc: StationReader, kind: str, out: Path, *, progress: Progress | None = None,
) -> dict[str, Any]:
    """Export every live record of ``kind`` (``person`` = the whole roster); ``{"file", "rows", "kind"}``."""
    if kind not in EXPORT_KINDS:
        options = "、".join(f"{k}（{KIND_LABELS.get(k, k)}）" for k in EXPORT_KINDS)
        raise ValidationError("kind", f"不能导出“{kind}”这类记录。", hint=f"可导出：{options}。")
    spec = FIELDS[kind]
    cats = svc.catalogues()
    refs = _ref_names(svc, kind)
    records = svc.list(kind, order_by=EXPORT_KINDS[kind])
    if kind == "family_member":  # grouped by person, in roster order
        names = refs.get("person", {})
        records.sort(key=lambda r: (names.get(r["person_id"], ""), r["person_id"], r["relation"]))
    headers: list[str] = []
    columns: list[tuple[str, Field]] = []
    text_cols: list[int] = []
    date_cols: list[int] = []
    money_cols: list[int] = []
    for name, f in spec.items():
        if name == "operator_id":
            continue  # the visitor is already named; operators are internal
        if f.type in ("phone", "id_number"):
            text_cols.append(len(headers))
        elif f.type in ("date", "month"):
            date_cols.append(len(headers))
        elif f.type == "fen":
            money_cols.append(len(headers))
        headers.append(f.label)
        columns.append((name, f))
        if name == "person_id" and kind != "person":
            text_cols.append(len(headers))
            headers.append(f"{f.label}身份证号")  # 被走访人身份证号: tells same-name persons apart
            columns.append(("__person_id_number", f))
    extra = _EXTRA.get(kind, [])
    for name, label, typ, arg in extra:
        if typ == "fen":
            money_cols.append(len(headers))
        elif typ == "date":
            date_cols.append(len(headers))
        headers.append(label)
        columns.append((name, Field(label, typ, arg=arg)))
    id_numbers = refs.get("person_id_number", {})

    def row_of(record: Mapping[str, Any]) -> list[Any]:
        row: list[Any] = []
        for name, f in columns:
            value = record.get(name)
            if name == "__person_id_number":
                row.append(id_numbers.get(record.get("person_id") or "", "") or None)
            else:
                row.append(display_value(f, value, cats, cell=True, refs=refs))
        return row

    result = export_rows(
        out, KIND_LABELS.get(kind, kind), headers, (row_of(r) for r in records),
        text_columns=text_cols, date_columns=date_cols, money_columns=money_cols,
        progress=progress,
    )
    return {**result, "kind": kind}
