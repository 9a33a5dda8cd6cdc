"""Reading a roster workbook: the sheet, its merged cells, its header row, its data rows.

Real rosters are messy: a merged title across the top (“XX村退役军人花名册”),
a “填报单位：… 日期：…” line, two-row headers with a merged parent
(“基本信息” over 姓名/性别), a “1 2 3 …” numbering row, empty rows.
:func:`read_workbook` opens an .xlsx with openpyxl (a Chinese sentence for an
old .xls, a CSV, a damaged or password-protected file), picks the sheet,
finds the header row, fills merged cells and keeps the data rows with their
Excel row numbers.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from station_desktop.domain.errors import NotFoundError, StationError
from station_desktop.reports.xlsx_import.cells import blank, cell_text
from station_desktop.reports.xlsx_import.headers import field_for_header, is_known_header

#: How far down a sheet the header row is looked for.
HEADER_SEARCH_ROWS = 30
#: A header row must recognise at least this many columns.
MIN_HEADER_SCORE = 2

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


def _row_score(values: Sequence[Any]) -> int:
    score = 0
    for value in values:
        if isinstance(value, str) and is_known_header(value):
            score += 1
    return score


def _header_width(top: list[list[Any]], merges: list[tuple[int, int, int, int]], header: int) -> int:
    """Columns up to the last one with a header text (in the header row or the one above)."""
    width = 0
    for r in (header - 1, header):
        if 0 <= r < len(top):
            filled = [i for i, v in enumerate(top[r]) if not blank(v)]
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
            if not any(not blank(v) for row in top for v in row):
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
    low = [cell_text(v) for v in grid[header]] if header < len(grid) else []
    above = [cell_text(v) for v in grid[header - 1]] if header >= 1 else []
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
        if all(blank(v) for v in values):
            continue
        if _is_numbering_row(values):
            continue
        rows.append((idx + 1, values))
    return SheetData(file=str(path), sheet=title, sheet_names=names, header_row=header + 1,
                     headers=headers, rows=rows)


def _is_numbering_row(values: Sequence[Any]) -> bool:
    """The “1 2 3 4 …” row some forms put under the header."""
    filled = [v for v in values if not blank(v)]
    if len(filled) < 3:
        return False
    try:
        numbers = [int(str(v).strip()) for v in filled]
    except ValueError:
        return False
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))

