"""The one table model of computed rows (ui.table.RowsModel): title columns over
sequences (reports, settings lists) and Column specs over dicts (the home page's
lists, holiday campaigns) alike."""

from __future__ import annotations

from PySide6.QtCore import Qt

from station_desktop.ui.table import RED, TOTAL, Column, RowsModel

ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ALIGN_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def test_title_columns_over_sequences(qtmodeltester):
    model = RowsModel(["名称", "数量", "备注"], [None, lambda v: f"{v} 人", None])
    model.set_rows([("甲", 3, None), ("乙", 4, "x"), (TOTAL, 7)], keys=["a", "b", None])
    qtmodeltester.check(model)
    assert model.headers == ["名称", "数量", "备注"]
    assert model.data(model.index(1, 1)) == "4 人"
    assert model.data(model.index(1, 1), Qt.ItemDataRole.ToolTipRole) == "4 人"
    assert model.data(model.index(0, 2)) == ""
    assert model.data(model.index(2, 2)) is None  # a short row has no third cell
    assert model.data(model.index(1, 1), Qt.ItemDataRole.TextAlignmentRole) == ALIGN_RIGHT
    assert model.data(model.index(1, 0), Qt.ItemDataRole.TextAlignmentRole) == ALIGN_LEFT
    assert model.data(model.index(2, 0), Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole) is None
    assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole) == "a"
    assert model.key_at(1) == "b" and model.key_at(9) is None


def test_column_specs_over_dicts(qtmodeltester):
    model = RowsModel([
        Column("name", "姓名"),
        Column("days", "已逾期", lambda v, r: f"{v} 天"),
        Column("action", "操作", lambda v, r: "记录走访", button=True),
    ])
    model.set_rows([
        {"id": "p1", "name": "张三", "days": 12, "_alert": {"days"}, "_tip": "住院"},
        {"id": "p2", "name": "李四", "days": 3, "_alert": True},
        {"id": "p3", "name": None, "days": 0},
    ])
    qtmodeltester.check(model)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "已逾期"
    assert model.data(model.index(0, 1)) == "12 天"
    assert model.data(model.index(0, 2)) == "记录走访"
    assert model.data(model.index(2, 0)) == ""
    # A number put into words by its column stays where text goes.
    assert model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) == ALIGN_LEFT
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ForegroundRole) == RED
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ForegroundRole) == RED
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) == "住院"
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) is None
    assert model.data(model.index(1, 0), Qt.ItemDataRole.UserRole) == "p2"
    assert model.record(0)["name"] == "张三" and model.record(5) is None
    assert model.column_of("action") == 2 and model.columns[2].button


def test_model_rows_reports_progress_and_a_cancel_exports_nothing():
    """Export of a list (右键 → 导出为 Excel…): a cancel used to hand back the rows read so
    far, and a half list went into the file; now it stops with Cancelled, writing nothing."""
    import pytest

    from station_desktop.domain.errors import Cancelled
    from station_desktop.domain.progress import Counter
    from station_desktop.ui.table import BLOCK, LazyTableModel, model_rows

    rows = {str(n): {"name": f"人员{n}"} for n in range(BLOCK * 2 + 5)}
    model = LazyTableModel([Column("name", "姓名")], lambda ids: {i: rows[i] for i in ids})
    model.set_ids(list(rows))
    progress = Counter()
    assert len(model_rows(model, progress)) == len(rows)
    assert progress.snapshot() == (len(rows), len(rows))

    class CancelAfterFirstBlock(Counter):
        def __call__(self, done: int, total: int) -> None:
            super().__call__(done, total)
            self.cancel()

    with pytest.raises(Cancelled):
        model_rows(model, CancelAfterFirstBlock())
