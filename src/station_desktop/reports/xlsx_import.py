"""Import the roster a station already keeps in Excel (花名册.xlsx).

Real rosters are messy: a merged title across the top (“XX村退役军人花名册”),
a “填报单位：… 日期：…” line, two-row headers with a merged parent
(“基本信息” over 姓名/性别), headers spelled a dozen ways (公民身份号码,
手机 …), ID numbers that Excel turned into ``1.10105E+17``, serial dates,
text dates in every form, full-width digits and spaces, empty rows and
duplicates. This module reads such a sheet with openpyxl and turns it into
a per-row plan: create, update (matched by ID number, never duplicated),
unchanged, or refused with the reasons in Chinese and the Excel row number.

The pieces, in the order the GUI wizard uses them:

* :func:`read_workbook` → :class:`SheetData` (sheet chosen, merges filled,
  header row found, data rows kept with their Excel row numbers);
* :func:`guess_mapping` / :func:`load_remembered_mapping` → a
  :data:`ColumnMapping` the user may correct; :func:`remember_mapping`;
* :func:`import_file` with ``dry_run=True`` → :class:`ImportReport`; then
  without it: the same plan recomputed inside ONE write transaction, every
  create and update written together with an ``import_xlsx`` audit event.

Every value goes through :func:`station_desktop.store.fields.clean_record`
and the service's own person rules (ID number decides birth date and sex,
one live file per ID number), so an imported person is exactly what the
form would have accepted.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import NotFoundError, StationError, ValidationError
from station_desktop.domain.idnumber import (
    apply_to_record,
    looks_like_excel_mangled,
    normalize_id_number,
    parse_id_number,
)
from station_desktop.domain.validate import parse_date
from station_desktop.reports.pdf import Cancelled
from station_desktop.store import models as m
from station_desktop.store.fields import PERSON_FIELDS, clean_record, clean_value
from station_desktop.services import Service

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

#: Column index (0-based, A = 0) → person field name, or None for a column not imported.
ColumnMapping = dict[int, str | None]

#: How far down a sheet the header row is looked for.
HEADER_SEARCH_ROWS = 30
#: A header row must recognise at least this many columns.
MIN_HEADER_SCORE = 2
_CHECK_EVERY = 200

# --- header synonyms ------------------------------------------------------------

#: Field name → the headers real rosters use for it (each field's own label is added).
HEADER_SYNONYMS: dict[str, list[str]] = {
    "name": ["姓名", "名字", "人员姓名", "退役军人姓名", "军人姓名"],
    "id_number": ["身份证号", "公民身份号码", "身份证号码", "身份证", "公民身份证号码",
                  "居民身份证号码", "身份证件号码", "证件号码"],
    "sex": ["性别"],
    "birth_date": ["出生日期", "出生年月", "出生年月日", "生日"],
    "ethnicity": ["民族"],
    "political_status": ["政治面貌"],
    "marital_status": ["婚姻状况", "婚姻状态", "婚否"],
    "health": ["健康状况", "身体状况"],
    "education": ["文化程度", "学历", "文化"],
    "hukou_type": ["户籍类别", "户口性质", "户籍性质", "户口类别"],
    "hukou_place": ["户籍地", "户籍地址", "户籍所在地", "户口所在地"],
    "residence": ["常住地", "住址", "现住址", "家庭住址", "家庭地址", "居住地", "现居住地",
                  "居住地址", "常住地址", "地址"],
    "phone": ["联系电话", "手机", "电话", "手机号码", "联系方式", "手机号", "电话号码",
              "本人电话", "本人联系电话"],
    "phone2": ["备用电话", "其他电话", "固定电话", "家属电话"],
    "categories": ["人员类别", "类别", "优抚类别", "对象类别", "人员类型", "优抚对象类别",
                   "身份类别"],
    "tags": ["标签"],
    "key_focus": ["重点关注", "是否重点关注"],
    "key_focus_reason": ["重点关注原因", "关注原因"],
    "social_insurance": ["社会保险", "社保情况", "参保情况"],
    "housing": ["住房情况", "住房"],
    "registered_on": ["建档日期", "建档时间", "登记日期"],
    "enlist_date": ["入伍时间", "入伍年月", "入伍日期"],
    "enlist_place": ["入伍地", "入伍地点"],
    "unit": ["部队代号/番号", "部队番号", "部队代号", "服役部队", "原部队", "原服役部队"],
    "service_branch": ["军种"],
    "rank": ["军衔", "退役时军衔", "原军衔"],
    "post": ["职务", "部队职务", "原职务"],
    "awards": ["立功受奖", "立功受奖情况", "获奖情况"],
    "punishments": ["处分", "处分情况"],
    "special_service": ["特殊地区/岗位服役"],
    "re_enlisted": ["二次入伍", "是否二次入伍"],
    "discharge_date": ["退役时间", "退伍时间", "退役年月", "退伍年月", "退役日期", "退伍日期"],
    "service_years": ["军龄", "服役年限"],
    "discharge_cert_type": ["退役证件类型"],
    "discharge_cert_no": ["退役证件号码", "退役证号", "退伍证号", "退役证编号"],
    "discharge_mode": ["退役方式", "退出现役方式"],
    "resettlement_mode": ["安置方式", "安置类别", "安置形式"],
    "resettlement_unit": ["安置单位"],
    "employment_status": ["就业状态", "就业情况"],
    "employer": ["工作单位", "就业单位", "现工作单位"],
    "income_band": ["收入情况", "年收入"],
    "zero_employment_family": ["零就业家庭", "是否零就业家庭"],
    "business": ["创业情况"],
    "training": ["教育培训", "培训情况"],
    "benefit_kinds": ["抚恤补助", "抚恤补助类别", "享受待遇"],
    "support_mode": ["供养方式"],
    "lone_elder_or_orphan": ["孤老/孤儿", "是否孤老"],
    "disability_nature": ["残疾性质", "伤残性质"],
    "disability_grade": ["伤残等级", "残疾等级", "伤残级别"],
    "disability_cert_no": ["残疾军人证号", "残疾军人证编号", "伤残证号"],
    "disability_assessed_on": ["评残时间", "评残日期"],
    "martyr_cert_no": ["烈士证明书编号"],
    "martyr_sacrifice_date": ["牺牲日期", "牺牲时间"],
    "martyr_burial_place": ["安葬地", "安葬地点"],
    "annual_confirmed_year": ["年度确认年份"],
    "party_joined_on": ["入党时间", "入党日期"],
    "party_branch": ["所在党支部", "党组织关系所在"],
    "village_role": ["兵支书/两委职务", "村内职务"],
    "role_post": ["任职岗位"],
    "role_appointed_on": ["首次任职时间"],
    "role_term": ["任期"],
    "role_rating": ["年度考评"],
    "skills": ["技能特长", "特长"],
    "wishes": ["意愿需求", "需求"],
    "hardship": ["困难情况", "家庭困难情况"],
    "note": ["备注"],
}

#: Headers a roster has that are not fields: they count towards finding the header row.
IGNORED_HEADERS = ("序号", "编号", "序", "年龄", "周岁", "NO", "NO.")

_PAREN = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def normalize_header(text: Any) -> str:
    """A header as compared: half-width, no spaces or asterisks, no (…) suffix."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).translate(_INVISIBLE)
    s = "".join(s.split()).replace("*", "").replace("※", "")
    stripped = _PAREN.sub("", s)
    s = stripped or s.strip("()[]【】<>")
    return s.rstrip(":").upper()


def _synonym_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, f in PERSON_FIELDS.items():
        for text in [f.label, *HEADER_SYNONYMS.get(name, [])]:
            key = normalize_header(text)
            if index.setdefault(key, name) != name:  # pragma: no cover - table error
                raise AssertionError(f"header {text!r} is a synonym of two fields")
    return index


_SYNONYMS = _synonym_index()
_IGNORED = frozenset(normalize_header(h) for h in IGNORED_HEADERS)


def field_for_header(text: Any) -> str | None:
    """The person field a header names, or None."""
    return _SYNONYMS.get(normalize_header(text))


def guess_mapping(header_texts: Sequence[Any]) -> ColumnMapping:
    """Each column's field by the synonym table; a field is taken by its first column.

    A second phone column becomes 备用电话 when the sheet has no column of its own for it.
    """
    mapping: ColumnMapping = {}
    taken: set[str] = set()
    fields = [field_for_header(t) for t in header_texts]
    for col, name in enumerate(fields):
        if name == "phone" and "phone" in taken and "phone2" not in fields:
            name = "phone2"
        if name is not None and name in taken:
            name = None
        if name is not None:
            taken.add(name)
        mapping[col] = name
    return mapping


def header_signature(header_texts: Sequence[Any]) -> str:
    """A short stable key of a header row (normalised texts), for remembering its mapping."""
    joined = "\x1f".join(normalize_header(t) for t in header_texts)
    # meta.key is String(40): "xlsx_mapping:" + 24 hex digits (96 bits) of the SHA-1.
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:24]


def _mapping_key(header_texts: Sequence[Any]) -> str:
    return f"xlsx_mapping:{header_signature(header_texts)}"


def check_mapping(mapping: Mapping[int, str | None], ncols: int | None = None) -> ColumnMapping:
    """A mapping the importer can use, or a Chinese ValidationError."""
    out: ColumnMapping = {}
    seen: dict[str, int] = {}
    for col, name in mapping.items():
        col = int(col)
        if col < 0 or (ncols is not None and col >= ncols):
            continue
        if name in (None, ""):
            out[col] = None
            continue
        if name not in PERSON_FIELDS:
            raise ValidationError("mapping", f"列 {get_column_letter(col + 1)} 对应的字段“{name}”不存在。")
        if name in seen:
            raise ValidationError(
                "mapping",
                f"列 {get_column_letter(seen[name] + 1)} 和列 {get_column_letter(col + 1)} "
                f"都对应“{PERSON_FIELDS[name].label}”，一个字段只能对应一列。",
            )
        seen[name] = col
        out[col] = name
    for required in ("name", "id_number"):
        if required not in seen:
            raise ValidationError(
                "mapping",
                f"没有哪一列对应“{PERSON_FIELDS[required].label}”，无法导入。",
                hint="请在列对应中指定哪一列是" + PERSON_FIELDS[required].label + "。",
            )
    return out


def load_remembered_mapping(svc: Service, headers: Sequence[Any]) -> ColumnMapping | None:
    """The mapping last used for a sheet with exactly these headers, if any."""
    raw = svc.store.meta(_mapping_key(headers))
    if not raw:
        return None
    try:
        stored = json.loads(raw)
        return {int(k): (v if v in PERSON_FIELDS else None) for k, v in stored.items()}
    except (ValueError, AttributeError):
        return None


def _store_mapping(s: Session, headers: Sequence[Any], mapping: Mapping[int, str | None]) -> None:
    value = json.dumps({str(k): v for k, v in sorted(mapping.items())}, ensure_ascii=False)
    s.merge(m.Meta(key=_mapping_key(headers), value=value))


def remember_mapping(svc: Service, headers: Sequence[Any], mapping: Mapping[int, str | None]) -> None:
    """Keep ``mapping`` for the next sheet with the same headers (in the meta table)."""
    with svc.store.write(svc.operator_id) as s:
        _store_mapping(s, headers, mapping)


# --- reading the workbook --------------------------------------------------------

_CONVERT_HINT = "请用 Excel 或 WPS 打开后“另存为”.xlsx 格式（Excel 工作簿），再导入。"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class SheetData:
    """One sheet as the importer sees it: header found, merges filled, data rows kept."""

    file: str
    sheet: str
    sheet_names: list[str]
    header_row: int  # 1-based Excel row of the (lowest) header row
    headers: list[str]  # display text of each column's header ("" when none)
    rows: list[tuple[int, list[Any]]]  # (1-based Excel row, cell values), non-empty rows only

    @property
    def ncols(self) -> int:
        return len(self.headers)

    def preview(self, n: int = 20) -> list[tuple[int, list[Any]]]:
        return self.rows[:n]


def _open_workbook(path: Path):  # noqa: ANN202 - openpyxl Workbook
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise NotFoundError(f"找不到文件“{path}”。", hint="请检查文件名和所在文件夹。")
    if path.is_dir():
        raise StationError(f"“{path}”是一个文件夹，不是 Excel 文件。", code="invalid_file")
    if suffix in (".xls", ".et", ".ett"):
        raise StationError(
            f"“{path.name}”是旧版 Excel（.xls）或 WPS 表格格式，本程序只能读取 .xlsx 文件。",
            hint=_CONVERT_HINT, code="old_excel",
        )
    if suffix in (".csv", ".txt"):
        raise StationError(f"“{path.name}”是文本表格（{suffix}），不是 Excel 工作簿。",
                           hint=_CONVERT_HINT, code="invalid_file")
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic == _OLE_MAGIC:
        raise StationError(
            f"“{path.name}”实际上是旧版 Excel（.xls）文件，或者设置了打开密码。",
            hint="如设置了密码，请先取消密码；否则" + _CONVERT_HINT, code="old_excel",
        )
    if suffix not in (".xlsx", ".xlsm"):
        raise StationError(f"“{path.name}”不是 Excel 工作簿（.xlsx）。", hint=_CONVERT_HINT,
                           code="invalid_file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions (data validation lists ...)
            # read_only mode would hide the merged cells; data_only gives formulas' values.
            return load_workbook(path, read_only=False, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise StationError(
            f"无法读取“{path.name}”：文件已损坏，或不是 Excel 工作簿。",
            hint="请用 Excel 或 WPS 打开检查，另存为 .xlsx 后再试。", code="invalid_file",
            detail=str(exc),
        ) from exc


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text_value(str(value))


def _row_score(values: Sequence[Any]) -> int:
    score = 0
    for value in values:
        if isinstance(value, str):
            key = normalize_header(value)
            if key in _SYNONYMS or key in _IGNORED:
                score += 1
    return score


def _header_width(top: list[list[Any]], merges: list[tuple[int, int, int, int]], header: int) -> int:
    """Columns up to the last one with a header text (in the header row or the one above)."""
    width = 0
    for r in (header - 1, header):
        if 0 <= r < len(top):
            filled = [i for i, v in enumerate(top[r]) if not _blank(v)]
            width = max([width, *(i + 1 for i in filled)])
    for r1, _c1, r2, c2 in merges:
        if r1 <= header <= r2 or r1 <= header - 1 <= r2:
            width = max(width, c2 + 1)
    return width


def _find_header(grid: list[list[Any]], merges: list[tuple[int, int, int, int]]) -> int | None:
    """0-based index of the (lowest) header row, or None."""
    top = [list(r) for r in grid[:HEADER_SEARCH_ROWS]]
    for r1, c1, r2, c2 in merges:  # fill every merge in the search area, for scoring
        if r1 >= len(top):
            continue
        value = top[r1][c1] if c1 < len(top[r1]) else None
        for r in range(r1, min(r2, len(top) - 1) + 1):
            for c in range(c1, min(c2, len(top[r]) - 1) + 1):
                top[r][c] = value
    scores = [_row_score(r) for r in top]
    if not scores or max(scores) < MIN_HEADER_SCORE:
        return None
    best = scores.index(max(scores))
    below = best + 1
    if below < len(top) and scores[below] >= 1:
        spans_both = any(r1 <= best < below <= r2 for r1, _c1, r2, _c2 in merges)
        parent_over_child = any(
            r1 <= best <= r2 < below and c2 > c1
            and any(field_for_header(top[below][c]) for c in range(c1, min(c2, len(top[below]) - 1) + 1))
            for r1, c1, r2, c2 in merges
        )
        if spans_both or parent_over_child:
            return below
    return best


def read_workbook(path: Path, *, sheet: str | None = None, header_row: int | None = None) -> SheetData:
    """Open an .xlsx roster and find its header row (``header_row`` 1-based overrides)."""
    path = Path(path)
    wb = _open_workbook(path)
    try:
        names = list(wb.sheetnames)
        if sheet is not None:
            wanted = sheet.strip()
            match = [n for n in names if n == wanted] or [n for n in names if n.strip() == wanted]
            if not match:
                raise StationError(
                    f"工作簿中没有名为“{sheet}”的工作表。",
                    hint=f"现有工作表：{'、'.join(names)}。", code="no_sheet",
                )
            candidates = [wb[match[0]]]
        else:
            visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
            candidates = visible + [ws for ws in wb.worksheets if ws not in visible]
        first_with_data = None
        for ws in candidates:
            top = [list(r) for r in ws.iter_rows(
                max_row=max(HEADER_SEARCH_ROWS, header_row or 0), values_only=True)]
            if not any(not _blank(v) for row in top for v in row):
                continue
            merges = [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1)
                      for r in ws.merged_cells.ranges]
            found = header_row - 1 if header_row else _find_header(top, merges)
            if found is not None:
                # Only the header's columns are read (a sheet may carry styled empty
                # cells far to the right).
                width = _header_width(top, merges, found)
                grid = [list(r) for r in ws.iter_rows(max_col=max(width, 1), values_only=True)]
                return _sheet_data(path, ws.title, names, grid, merges, found)
            first_with_data = first_with_data or ws.title
        if sheet is not None or first_with_data is not None:
            title = sheet or first_with_data
            raise StationError(
                f"在工作表“{title}”的前 {HEADER_SEARCH_ROWS} 行中没有找到表头。",
                hint="表头应包含“姓名”“身份证号”等列名；请检查工作表，或在导入向导中指定表头所在的行。",
                code="no_header",
            )
        raise StationError(f"“{path.name}”中没有任何数据。", hint="请检查是否选错了文件。",
                           code="empty_file")
    finally:
        wb.close()


def _sheet_data(path: Path, title: str, names: list[str], grid: list[list[Any]],
                merges: list[tuple[int, int, int, int]], header: int) -> SheetData:
    # Fill merged cells: everything in the header area (parents over children, vertical
    # 序号/姓名 merges); below it only single-column merges (a category merged down a
    # group of rows), never a label merged across the width of the table.
    for r1, c1, r2, c2 in merges:
        if r1 >= len(grid) or c1 >= len(grid[r1]):
            continue
        value = grid[r1][c1]
        if r1 > header and c1 != c2:
            continue
        for r in range(r1, min(r2, len(grid) - 1) + 1):
            if r1 <= header < r and c1 != c2:
                break
            for c in range(c1, min(c2, len(grid[r]) - 1) + 1):
                grid[r][c] = value
    low = [_cell_text(v) for v in grid[header]] if header < len(grid) else []
    above = [_cell_text(v) for v in grid[header - 1]] if header >= 1 else []
    use_above = header >= 1 and _row_score(grid[header - 1]) >= 1
    headers = [
        t or (above[i] if use_above and i < len(above) else "") for i, t in enumerate(low)
    ]
    while headers and not headers[-1]:
        headers.pop()
    ncols = len(headers)
    rows: list[tuple[int, list[Any]]] = []
    for idx in range(header + 1, len(grid)):
        values = list(grid[idx][:ncols]) + [None] * max(0, ncols - len(grid[idx]))
        if all(_blank(v) for v in values):
            continue
        if _is_numbering_row(values):
            continue
        rows.append((idx + 1, values))
    return SheetData(file=str(path), sheet=title, sheet_names=names, header_row=header + 1,
                     headers=headers, rows=rows)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not clean_text_value(value))


def _is_numbering_row(values: Sequence[Any]) -> bool:
    """The “1 2 3 4 …” row some forms put under the header."""
    filled = [v for v in values if not _blank(v)]
    if len(filled) < 3:
        return False
    try:
        numbers = [int(str(v).strip()) for v in filled]
    except ValueError:
        return False
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


# --- cleaning cell values --------------------------------------------------------

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)
              if chr(code - 0xFEE0).isalnum()}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH.update(_INVISIBLE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_MULTI_SEP = re.compile(r"[、,，/;；|\n]+|\s+")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9, "十": 10}
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")

#: What people write for an enum value → the enum's own label.
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "sex": {"男性": "男", "女性": "女"},
    "political_status": {"党员": "中共党员", "共产党员": "中共党员", "中国共产党党员": "中共党员",
                         "预备党员": "中共预备党员", "团员": "共青团员", "无党派": "无党派人士",
                         "无": "群众"},
    "marital_status": {"离异": "离婚", "初婚": "已婚", "再婚": "已婚", "复婚": "已婚",
                       "有配偶": "已婚"},
    "disability_nature": {"因战致残": "因战", "因公致残": "因公", "因病致残": "因病"},
    "support_mode": {"集中": "集中供养", "分散": "分散供养"},
}

MANGLED_ID = "身份证号被 Excel 存成了数字，最后几位已丢失，请把该列设为文本后重新填写"


def clean_text_value(text: str) -> str:
    """Trim (full-width and non-breaking spaces too), full-width digits/letters half-width."""
    return text.translate(_FULLWIDTH).replace("\xa0", " ").strip()


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date_precision(text: str) -> str:
    """"day", "month" or "year": how much of a date a text gives."""
    raw = re.sub(r"[/.年月\-]", "-", text.rstrip("日号")).strip("-")
    parts = [p for p in raw.split("-") if p]
    if len(parts) >= 3 or (len(parts) == 1 and len(parts[0]) == 8):
        return "day"
    if len(parts) == 2 or (len(parts) == 1 and len(parts[0]) == 6):
        return "month"
    return "year"


class _CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _date_value(value: Any, label: str) -> tuple[Any, str]:
    """A date cell as (date or text for parse_date, precision)."""
    if isinstance(value, datetime):
        return value.date(), "day"
    if isinstance(value, date):
        return value, "day"
    if isinstance(value, time):
        raise _CellError(f"{label}：单元格里只有时间，没有日期。")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 60000:  # an Excel serial date shown as a plain number
            return from_excel(value).date(), "day"
        if isinstance(value, float) and not value.is_integer():
            # 1985.03 typed into a cell is stored as a number: a year and a month.
            text = f"{value:.2f}"
            if round(value, 2) != value:
                raise _CellError(f"{label}：“{value}”不是能识别的日期。")
            if text.endswith("0"):  # one decimal: 1985.3 is March, but 1985.1?
                if text.endswith(".10"):
                    y = int(value)
                    raise _CellError(
                        f"{label}：“{value}”不能确定是 {y} 年 1 月还是 10 月（Excel 会把 {y}.10 "
                        f"存成 {y}.1），请改写成“{y}-10”或“{y}-01”这样的文字。"
                    )
                text = text[:-1]
            return text, "month"
        text = _number_text(value)
        return text, _date_precision(text)
    text = _TIME_SUFFIX.sub("", clean_text_value(str(value)))
    return text, _date_precision(text)


def _int_text(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        s = clean_text_value(value)
        s = re.sub(r"(级|年|周岁|岁|等)$", "", s).strip()
        if s in _CN_NUM:
            return _CN_NUM[s]
        return s
    return value


def _convert(name: str, value: Any) -> Any:
    """A cell's value as clean_value takes it for the person field ``name``."""
    f = PERSON_FIELDS[name]
    label = f.label
    if f.type in ("date", "month"):
        converted, _ = _date_value(value, label)
        return converted
    if isinstance(value, datetime | date):
        value = value.isoformat()[:10]
    if f.type == "bool":
        if isinstance(value, bool):
            return value
        return clean_text_value(_number_text(value) if isinstance(value, int | float) else str(value))
    if f.type == "int":
        return _int_text(value)
    if isinstance(value, bool):
        value = "是" if value else "否"
    text = clean_text_value(_number_text(value) if isinstance(value, int | float) else str(value))
    if f.type == "cats":
        return [p for p in _MULTI_SEP.split(text) if p]
    if f.type == "phone":
        return text.lstrip("'`")
    if f.type == "enum":
        key = normalize_header(text)
        return VALUE_SYNONYMS.get(name, {}).get(key, text)
    if name == "name" and _CJK.search(text):
        return "".join(text.split())  # “王  伟”: padding for alignment
    return text


def _reason(name: str, message: str) -> str:
    label = PERSON_FIELDS[name].label if name in PERSON_FIELDS else ""
    return message if not label or label in message else f"{label}：{message}"


# --- the report ------------------------------------------------------------------


def mask_id(number: str | None) -> str:
    """An ID number for printed lists: 420303********1234."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) >= 15 else number


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
                who += f"（{mask_id(r.id_number)}）"
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
class _Op:
    action: str  # create | update
    values: dict[str, Any]
    person_id: str | None = None


def _show(name: str, value: Any, cats: Catalogues) -> str:
    f = PERSON_FIELDS[name]
    if value is None or value == []:
        return ""
    if f.type == "cats":
        return "、".join(cats.name(f.arg, c) for c in value)
    if f.type == "cat":
        return cats.name(f.arg, value)
    if f.type == "enum":
        try:
            return f.arg(value).label
        except ValueError:
            return str(value)
    if f.type == "bool":
        return "是" if value else "否"
    if f.type == "id_number":
        return mask_id(value)
    if isinstance(value, date):
        return value.isoformat()
    s = str(value)
    return s if len(s) <= 20 else s[:19] + "…"


def _same(name: str, old: Any, new: Any) -> bool:
    if PERSON_FIELDS[name].type == "cats":
        return sorted(old or []) == sorted(new or [])
    if isinstance(old, str) and isinstance(new, str):
        return old.strip() == new.strip()
    return old == new


class _Planner:
    def __init__(self, svc: Service, s: Session, data: SheetData, mapping: ColumnMapping,
                 defaults: Mapping[str, Any], cancel: Cancel | None, progress: Progress | None):
        self.svc, self.s, self.data, self.mapping = svc, s, data, mapping
        self.defaults = dict(defaults)
        self.cancel, self.progress = cancel, progress
        self.cats = svc.catalogues()
        self.today = svc.today
        self.existing: dict[str, str] = dict(s.execute(
            select(m.Person.id_number, m.Person.id).where(m.Person.deleted_at.is_(None))).all())
        self.seen: dict[str, int] = {}
        self.results: list[RowResult] = []
        self.ops: list[_Op] = []
        self.ignored: list[tuple[int, str]] = []

    def _load_matches(self) -> None:
        """Load the persons the file will update in a few queries, not one per row."""
        id_col = next(c for c, n in self.mapping.items() if n == "id_number")
        ids = []
        for _row, values in self.data.rows:
            value = values[id_col] if id_col < len(values) else None
            if isinstance(value, str):
                pid = self.existing.get(normalize_id_number(value))
                if pid:
                    ids.append(pid)
        self._loaded: list[m.Person] = []  # strong references: the identity map is weak
        for start in range(0, len(ids), 500):
            self._loaded += self.s.scalars(
                select(m.Person).where(m.Person.id.in_(ids[start:start + 500]))).all()

    def run(self) -> None:
        total = len(self.data.rows)
        cols = [(c, n) for c, n in sorted(self.mapping.items()) if n and c < self.data.ncols]
        self._load_matches()
        for i, (row_no, values) in enumerate(self.data.rows):
            if i % _CHECK_EVERY == 0:
                if self.cancel is not None and self.cancel():
                    raise Cancelled("已取消导入，没有写入任何数据。")
                if self.progress is not None:
                    self.progress(i, total)
            raw = {name: values[c] for c, name in cols if not _blank(values[c])}
            if "name" not in raw and "id_number" not in raw:
                text = " ".join(_cell_text(v) for v in values if not _blank(v))
                if text:
                    self.ignored.append((row_no, text[:40]))
                continue
            self.results.append(self._row(row_no, raw))
        if self.progress is not None:
            self.progress(total, total)

    def _row(self, row_no: int, raw: dict[str, Any]) -> RowResult:
        reasons: list[str] = []
        name = _cell_text(raw.get("name"))
        result = RowResult(row=row_no, action="refused", name="".join(name.split())
                           if _CJK.search(name) else name)
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
                    reasons.append(_reason("id_number", exc.message))
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
                v = _convert(fname, value)
                if fname == "birth_date":
                    v = self._birth_date(value, info, reasons)
                if v is None or _blank(v) or v == []:
                    continue
                converted[fname] = v
            except _CellError as exc:
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
                    reasons.append(_reason(fname, exc.message))
        if values is not None and info is not None:
            try:
                apply_to_record(values, info)
            except ValidationError as exc:
                reasons.append(_reason(exc.field or "", exc.message))
        if reasons or values is None:
            result.reasons = reasons or ["这一行无法导入。"]
            return result
        if creating:
            if values.get("registered_on") is None:
                values["registered_on"] = self.today
            result.action = "create"
            self.ops.append(_Op("create", values))
            return result
        obj = self.s.get(m.Person, person_id)
        assert obj is not None
        changed = {k: v for k, v in values.items() if not _same(k, getattr(obj, k), v)}
        if not changed:
            result.action = "unchanged"
            return result
        result.action = "update"
        result.changes = [PERSON_FIELDS[k].label for k in changed]
        result.diff = {PERSON_FIELDS[k].label: (_show(k, getattr(obj, k), self.cats),
                                                _show(k, v, self.cats)) for k, v in changed.items()}
        self.ops.append(_Op("update", changed, person_id=obj.id))
        return result

    def _birth_date(self, value: Any, info: Any, reasons: list[str]) -> Any:
        """A full birth date as is; “出生年月” (1985.03) only checked against the ID number."""
        v, precision = _date_value(value, PERSON_FIELDS["birth_date"].label)
        if precision == "day":
            return v
        try:
            partial = parse_date(v, field="birth_date", allow_partial=True, latest=self.today)
        except ValidationError as exc:
            reasons.append(_reason("birth_date", exc.message))
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


def _audit(s: Session, svc: Service, report: ImportReport) -> None:
    c = report.counts
    s.add(m.AuditEvent(action="import_xlsx", operator_id=svc.operator_id, detail={
        "file": report.file, "sheet": report.sheet, "created": c["create"],
        "updated": c["update"], "refused": c["refused"],
    }))


def _apply(s: Session, svc: Service, station_code: str, ops: list[_Op],
           cancel: Cancel | None, progress: Progress | None) -> None:
    """Write the plan the way Service.create/update would, in the caller's transaction."""
    total = len(ops)
    for i, op in enumerate(ops):
        if i % _CHECK_EVERY == 0:
            if cancel is not None and cancel():
                raise Cancelled("已取消导入，没有写入任何数据。")
            if progress is not None:
                progress(i, total)
        if op.action == "create":
            s.add(m.Person(station_code=station_code, updated_by=svc.operator_id, **op.values))
        else:
            obj = s.get(m.Person, op.person_id)
            assert obj is not None
            for key, value in op.values.items():
                setattr(obj, key, value)
            obj.updated_by = svc.operator_id
    s.flush()
    if progress is not None:
        progress(total, total)


def import_file(
    svc: Service,
    path: Path | SheetData,
    *,
    sheet: str | None = None,
    mapping: Mapping[int, str | None] | None = None,
    dry_run: bool = False,
    defaults: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportReport:
    """Import a roster: ``dry_run`` reports only; otherwise one transaction writes it all.

    ``path`` may be a :class:`SheetData` already read (the wizard reads once).
    ``mapping`` overrides the remembered or guessed column mapping; ``defaults``
    (field → value) fill empty cells of new persons, e.g. ``{"categories": "退役士兵"}``.
    The real import recomputes the plan inside its write transaction, so what
    it writes is exactly what a dry run over the same database reports.
    """
    data = path if isinstance(path, SheetData) else read_workbook(Path(path), sheet=sheet)
    chosen = mapping is not None
    if mapping is None:
        mapping = load_remembered_mapping(svc, data.headers) or guess_mapping(data.headers)
    mapping = check_mapping(mapping, data.ncols)
    defaults = dict(defaults or {})
    unknown = set(defaults) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError("defaults", f"不认识的字段：{'、'.join(sorted(unknown))}。")
    if dry_run:
        with svc.store.read() as s:
            planner = _Planner(svc, s, data, mapping, defaults, cancel, progress)
            planner.run()
        return _report(data, mapping, planner, True)
    station_code = svc.station_code
    with svc.store.write(svc.operator_id) as s:
        planner = _Planner(svc, s, data, mapping, defaults, cancel, progress)
        planner.run()
        report = _report(data, mapping, planner, False)
        _apply(s, svc, station_code, planner.ops, cancel, progress)
        if chosen:  # the user's corrections are kept for the next file with these headers
            _store_mapping(s, data.headers, mapping)
        _audit(s, svc, report)
    svc.store.analyze(only_if_stale=True)
    return report
