"""A table model over the database that holds ids and loads rows on demand.

The id list for the current filter and sort is fetched on the worker
thread; the visible rows are read in blocks of :data:`BLOCK` when the view
asks for them, from a short read transaction (WAL readers never wait for a
writer). 100 000 rows cost one list of ids, not 100 000 row objects.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

BLOCK = 200
MAX_BLOCKS = 50

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    format: Callable[[Any, dict[str, Any]], str] | None = None
    sortable: bool = True
    width: int = 100


class LazyTableModel(QAbstractTableModel):
    """Rows are ids; ``load_rows(ids) -> {id: row dict}`` fills a block when it is first shown."""

    reset_done = Signal()

    def __init__(
        self, columns: Sequence[Column], load_rows: Callable[[list[str]], dict[str, dict]],
        parent: Any = None,
    ):
        super().__init__(parent)
        self.columns = list(columns)
        self._load_rows = load_rows
        self._ids: list[str] = []
        self._blocks: OrderedDict[int, dict[str, dict]] = OrderedDict()
        self.sort_key: str | None = None
        self.sort_desc = False

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
            block = self._load_rows(ids)
            self._blocks[block_no] = block
            while len(self._blocks) > MAX_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block_no)
        return block.get(self._ids[row])

    # --- Qt model API ---------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]
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

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].title
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
