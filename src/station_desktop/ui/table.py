"""The list pieces every page shares: models and views over rows.

:class:`LazyTableModel` is a table model over the database that holds ids
and loads rows on demand. The id list for the current filter and sort is
fetched on the worker thread; the visible rows are read in blocks of
:data:`BLOCK` when the view asks for them, from a short read transaction
(WAL readers never wait for a writer). 100 000 rows cost one list of ids,
not 100 000 row objects.

:class:`SortableTable` shows one: a header click re-queries the ids sorted
in SQL, and the header's state is remembered. :class:`RowsModel` and
:func:`make_table_view` are the small read-only table of computed rows
(a report, a short list).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QMessageBox,
    QTableView,
    QWidget,
)

from station_desktop.domain.progress import Progress, tick
from station_desktop.domain.validate import local_time  # noqa: F401 - re-exported

if TYPE_CHECKING:
    from station_desktop.ui.context import AppContext

BLOCK = 200
MAX_BLOCKS = 50

Index = QModelIndex | QPersistentModelIndex
#: A row of a :class:`RowsModel` whose first cell says this is shown in bold.
TOTAL = "合计"
#: The text of a :class:`RowsModel` cell that needs attention (overdue, ended unfinished).
RED = QColor("#c62828")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    format: Callable[[Any, dict[str, Any]], str] | None = None
    sortable: bool = True
    width: int = 100
    button: bool = False  # drawn as a push button (visit_dialog.ButtonDelegate)


class ReadOnlyTable(QAbstractTableModel):
    """What every table model here shares: named columns, rows that are read, never edited."""

    columns: list[Column]

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].title
        if orientation == Qt.Orientation.Vertical and 0 <= section < self.rowCount():
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class LazyTableModel(ReadOnlyTable):
    """Rows are ids; ``load_rows(ids) -> {id: row dict}`` fills a block when it is first shown.

    ``colour(column key, row) -> "#rrggbb" | None`` colours a cell's text;
    the columns named in ``align_right`` (money, counts) are right-aligned.
    """

    reset_done = Signal()

    def __init__(
        self, columns: Sequence[Column], load_rows: Callable[[list[str]], dict[str, dict]],
        parent: Any = None, *, colour: Callable[[str, dict], str | None] | None = None,
        align_right: Iterable[str] = (), sort: tuple[str, bool] | None = None,
    ):
        super().__init__(parent)
        self.columns = list(columns)
        self.load_rows = load_rows
        self._colour = colour
        self._right = set(align_right)
        self._ids: list[str] = []
        self._blocks: OrderedDict[int, dict[str, dict]] = OrderedDict()
        #: The column the ids are sorted by and its direction (``sort``: how it starts).
        self.sort_key: str | None = sort[0] if sort else None
        self.sort_desc = sort[1] if sort else False

    # --- content -------------------------------------------------------------

    def set_ids(self, ids: list[str]) -> None:
        self.beginResetModel()
        self._ids = list(ids)
        self._blocks.clear()
        self.endResetModel()
        self.reset_done.emit()

    def invalidate(self) -> None:
        """Forget loaded rows (after an edit) without losing the position."""
        self._blocks.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._ids) - 1, len(self.columns) - 1))

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, row_id: str) -> int:
        try:
            return self._ids.index(row_id)
        except ValueError:
            return -1

    def record(self, row: int) -> dict[str, Any] | None:
        if not 0 <= row < len(self._ids):
            return None
        block_no = row // BLOCK
        block = self._blocks.get(block_no)
        if block is None:
            ids = self._ids[block_no * BLOCK:(block_no + 1) * BLOCK]
            block = self.load_rows(ids)
            self._blocks[block_no] = block
            while len(self._blocks) > MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block_no)
        return block.get(self._ids[row])

    # --- Qt model API ---------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if index.isValid() and self.columns[index.column()].key in self._right:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and self._colour is not None:
            rec = self.record(index.row())
            if rec is None:
                return None
            colour = self._colour(self.columns[index.column()].key, rec)
            return QBrush(QColor(colour)) if colour else None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        rec = self.record(index.row())
        if rec is None:  # deleted since the ids were listed
            return "（已删除）" if index.column() == 0 else ""
        col = self.columns[index.column()]
        value = rec.get(col.key)
        if col.format is not None:
            return col.format(value, rec)
        return "" if value is None else str(value)


def read_only_rows(view: QTableView) -> None:
    """Whole rows selected one at a time, never edited, every other row shaded."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)


#: File and sheet names of exported lists, by the table's settings key.
EXPORT_TITLES = {
    "aid/header": "帮扶台账", "cases/header": "矛盾纠纷", "honours/header": "荣誉褒扬",
    "volunteers/teams": "志愿服务队", "volunteers/members": "志愿者",
    "volunteers/activities": "志愿活动", "visits/header": "走访记录",
}


def model_rows(model: LazyTableModel, progress: Progress | None = None,
               columns: Sequence[Column] | None = None) -> list[list[str]]:
    """Every row of ``model`` (in its current order) as the cells show it; safe on the worker.

    ``columns`` may replace the model's own (an export that shows more than
    the screen, e.g. full ID numbers). A cancel raises
    :class:`~station_desktop.domain.errors.Cancelled`: no half list is exported.
    """
    columns = list(columns or model.columns)
    ids = [model.id_at(r) for r in range(model.rowCount())]
    out: list[list[str]] = []
    for start in range(0, len(ids), BLOCK):
        block = [i for i in ids[start:start + BLOCK] if i is not None]
        rows = model.load_rows(block)
        for row_id in block:
            rec = rows.get(row_id)
            if rec is None:
                continue
            out.append([c.format(rec.get(c.key), rec) if c.format
                        else ("" if rec.get(c.key) is None else str(rec.get(c.key)))
                        for c in columns])
        tick(progress, min(start + BLOCK, len(ids)), len(ids), "已取消，没有导出。")
    return out


def add_export_action(view: QTableView, model: LazyTableModel, title: str,
                      columns: Sequence[Column] | None = None) -> QAction:
    """Right-click → 导出为 Excel…: the list as shown (filter, order, columns).

    ``columns`` may replace the shown ones for the file (e.g. unmasked ID numbers).
    """
    action = QAction("导出为 Excel…", view)

    def export() -> None:
        from station_desktop.reports.xlsx_export import export_rows
        from station_desktop.ui.ops import Op

        path, _ = QFileDialog.getSaveFileName(view, "导出为 Excel", str(Path.home() /
                                              f"{title}.xlsx"), "Excel 文件 (*.xlsx)")
        if not path:
            return
        out = Path(path) if path.lower().endswith(".xlsx") else Path(path + ".xlsx")
        cols = list(columns or model.columns)
        headers = [c.title for c in cols]

        def work(progress: Progress) -> dict[str, Any]:
            rows = model_rows(model, progress, cols)
            return export_rows(out, title, headers, rows, text_columns=range(len(headers)))

        Op(view, work).success(lambda r: QMessageBox.information(
            view, "导出完成", f"已导出 {r['rows']} 行到\n{r['file']}")) \
            .with_progress("正在导出…").run()

    action.triggered.connect(export)
    view.addAction(action)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return action


def setup_list_view(view: QTableView, model: LazyTableModel, title: str = "列表") -> None:
    """Read-only rows selected one at a time, 28 px high; the columns at their widths."""
    view.setModel(model)
    add_export_action(view, model, title)
    read_only_rows(view)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(28)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for i, col in enumerate(model.columns):
        header.resizeSection(i, col.width)


class SortableTable(QTableView):
    """A table over a LazyTableModel: header clicks re-query the ids sorted in SQL.

    ``on_sort()`` reloads with the model's new ``sort_key``/``sort_desc``; the
    header's state (widths, order, sort) is kept in the settings under ``state_key``.
    """

    def __init__(self, model: LazyTableModel, ctx: AppContext, state_key: str,
                 on_sort: Callable[[], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.state_key, self._on_sort = ctx, state_key, on_sort
        self.setWordWrap(False)
        setup_list_view(self, model, EXPORT_TITLES.get(state_key, "列表"))
        header = self.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        state = ctx.config.state(state_key)
        if state is not None:
            header.restoreState(state)
            section = header.sortIndicatorSection()
            if 0 <= section < len(model.columns) and model.columns[section].sortable:
                model.sort_key = model.columns[section].key
                model.sort_desc = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        self._show_sort()
        header.sortIndicatorChanged.connect(self._sort)

    @property
    def lazy_model(self) -> LazyTableModel:
        return self.model()  # type: ignore[return-value]

    def _show_sort(self) -> None:
        m = self.lazy_model
        keys = [c.key for c in m.columns]
        header = self.horizontalHeader()
        header.blockSignals(True)
        if m.sort_key in keys:
            header.setSortIndicator(keys.index(m.sort_key), Qt.SortOrder.DescendingOrder
                                    if m.sort_desc else Qt.SortOrder.AscendingOrder)
        else:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)

    def _sort(self, section: int, order: Qt.SortOrder) -> None:
        m = self.lazy_model
        if not 0 <= section < len(m.columns) or not m.columns[section].sortable:
            self._show_sort()
            return
        m.sort_key = m.columns[section].key
        m.sort_desc = order == Qt.SortOrder.DescendingOrder
        self._on_sort()

    def current_id(self) -> str | None:
        rows = self.selectionModel().selectedRows()
        return self.lazy_model.id_at(rows[0].row()) if rows else None

    def current_record(self) -> dict | None:
        rows = self.selectionModel().selectedRows()
        return self.lazy_model.record(rows[0].row()) if rows else None

    def select_id(self, row_id: str | None) -> bool:
        row = self.lazy_model.row_of(row_id) if row_id else -1
        if row < 0:
            self.clearSelection()
            return False
        self.selectRow(row)
        self.scrollTo(self.lazy_model.index(row, 0))
        return True

    def save_state(self) -> None:
        self.ctx.config.save_state(self.state_key, self.horizontalHeader().saveState())


class RowsModel(ReadOnlyTable):
    """A small read-only table of computed rows (a report, a short list, the home page's lists).

    ``columns`` are titles, over rows that are sequences read by position,
    or :class:`Column` objects, over dicts read by ``key``. A cell
    reads ``Column.format(value, row)``, else ``formats[i](value)``, else
    ``str(value)``. A raw number is right-aligned (one a Column.format puts
    into words is text); a row whose first cell is “合计” is bold. ``keys``
    (one per row; a dict row's ``id`` when not given) come back for
    ``Qt.UserRole``. A dict row may carry ``_alert`` (a set of column keys,
    or True for the whole row) shown in red, and ``_tip``, its tooltip; a
    sequence row's tooltip is the cell's text.
    """

    def __init__(self, columns: Sequence[str | Column],
                 formats: Sequence[Callable[[Any], str] | None] | None = None,
                 parent: Any = None):
        super().__init__(parent)
        self.columns = [c if isinstance(c, Column) else Column("", c) for c in columns]
        self.formats = list(formats or [None] * len(self.columns))
        self.rows: list[Any] = []
        self.keys: list[Any] = []

    @property
    def headers(self) -> list[str]:
        return [c.title for c in self.columns]

    def set_rows(self, rows: Sequence[Sequence[Any] | Mapping[str, Any]],
                 keys: Sequence[Any] | None = None) -> None:
        self.beginResetModel()
        self.rows = [r if isinstance(r, Mapping) else tuple(r) for r in rows]
        self.keys = list(keys) if keys is not None else [
            r.get("id") if isinstance(r, Mapping) else None for r in self.rows]
        self.endResetModel()

    def key_at(self, row: int) -> Any:
        return self.keys[row] if 0 <= row < len(self.keys) else None

    def record(self, row: int) -> Any:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def column_of(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def _cell(self, row: Any, column: int) -> Any:
        if isinstance(row, Mapping):
            return row.get(self.columns[column].key)
        return row[column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, i = self.rows[index.row()], index.column()
        by_key = isinstance(row, Mapping)
        if not 0 <= i < (len(self.columns) if by_key else min(len(row), len(self.columns))):
            return None
        col, value = self.columns[i], self._cell(row, i)
        if role == Qt.ItemDataRole.ToolTipRole and by_key:
            return row.get("_tip")
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col.format is not None:
                return col.format(value, row)
            if value is None:
                return ""
            fmt = self.formats[i] if i < len(self.formats) else None
            return fmt(value) if fmt else str(value)
        if role == Qt.ItemDataRole.UserRole:
            return self.keys[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if (col.format is None and isinstance(value, int | float)
                    and not isinstance(value, bool)):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and by_key:
            alert = row.get("_alert")
            return RED if alert is True or (alert and col.key in alert) else None
        if role == Qt.ItemDataRole.FontRole and row and self._cell(row, 0) == TOTAL:
            font = QFont()
            font.setBold(True)
            return font
        return None


def make_table_view(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(28)
    header = view.horizontalHeader()
    # Spread the few columns of a report over the width, so numbers sit near
    # their labels instead of at the far end of one wide last column.
    header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    if model.columnCount() > 1:  # the label column is never cut short
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setMinimumSectionSize(80)
    return view
