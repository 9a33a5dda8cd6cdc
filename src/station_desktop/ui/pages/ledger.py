"""What the ledger pages (帮扶援助, 矛盾纠纷, 荣誉褒扬, 志愿服务) share.

:class:`LedgerPage` reloads when its kinds are written and it is on screen,
loads on the worker with the operator's name, keeps the selection across
reloads, remembers its tables' headers and its splitters, and opens the
add/edit dialogs. The small helpers build the toolbar (filters, buttons)
and the read-only detail tables under a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain import enums
from station_desktop.domain.validate import format_fen
from station_desktop.store import ledgers
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import RecordDialog, RecordForm
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.base import ShownPage
from station_desktop.ui.table import LazyTableModel, SortableTable
from station_desktop.ui.widgets import text_label

RED = "#c62828"
GREY = "#777777"
GREEN = "#2e7d32"
TOTALS_STYLE = "font-size: 15px; font-weight: bold; padding: 2px 0;"
HINT_STYLE = "color: #555; padding: 6px;"
BIG_BUTTON = "QPushButton { padding: 5px 14px; }"


def money(value: Any, _rec: Any = None) -> str:
    """Integer fen as yuan with separators; empty for no amount."""
    return "" if value is None else format_fen(int(value))


def yuan(value: Any) -> str:
    return "¥" + format_fen(int(value or 0))


def label_of(enum_cls: type[enums.LabelledEnum]) -> Callable[[Any, Any], str]:
    def fmt(value: Any, _rec: Any = None) -> str:
        if value in (None, ""):
            return ""
        try:
            return enum_cls(value).label
        except ValueError:
            return str(value)
    return fmt


def filter_combo(name: str, items: Iterable[tuple[str, Any]], *,
                 width: int = 120) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for label, data in items:
        combo.addItem(label, data)
    combo.setMinimumWidth(width)
    return combo


def action_button(text: str, name: str, slot: Callable[[], None], *,
                  tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setStyleSheet(BIG_BUTTON)
    if tip:
        button.setToolTip(tip)
    button.clicked.connect(lambda _=False: slot())
    return button


def labelled(text: str, widget: QWidget) -> QWidget:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(4)
    row.addWidget(QLabel(text))
    row.addWidget(widget)
    return box


def hint_label(name: str, *, wrap: bool = False) -> QLabel:
    """The grey line that says why a list is empty (hidden until it has something to say)."""
    label = text_label("", name, style=HINT_STYLE, wrap=wrap)
    label.hide()
    return label


def totals_label(name: str) -> QLabel:
    """The bold line of counts over a ledger (says it is counting until the first load)."""
    return text_label("正在统计…", name, style=TOTALS_STYLE)


def refill_combo(combo: QComboBox, items: Iterable[tuple[str, Any]]) -> None:
    """Replace all but the first (全部…) choice of a filter, keeping what was chosen if it
    is still there; quietly, so the page does not reload for the change."""
    current = combo.currentData()
    combo.blockSignals(True)
    while combo.count() > 1:
        combo.removeItem(1)
    for label, data in items:
        combo.addItem(label, data)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    combo.blockSignals(False)


def detail_title(name: str, text: str) -> QLabel:
    """The bold line over a record's details (says what to select while none is)."""
    return text_label(text, name, style="font-weight: bold;", wrap=True)


def detail_table(name: str, headers: Sequence[str], widths: Sequence[int]) -> QTableWidget:
    """A small read-only table for a record's children (review path, steps, payments)."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    for i, w in enumerate(widths):
        table.setColumnWidth(i, w)
    return table


def placeholder(table: QTableWidget, text: str) -> None:
    """One grey line across an empty detail table saying why it is empty."""
    fill_table(table, [[text] + [""] * (table.columnCount() - 1)], [GREY])
    if table.columnCount() > 1:
        table.setSpan(0, 0, 1, table.columnCount())


def fill_table(table: QTableWidget, rows: Sequence[Sequence[str]],
               colours: Sequence[str | None] | None = None) -> None:
    table.clearSpans()
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            if colours and colours[r]:
                item.setForeground(QBrush(QColor(colours[r])))
            table.setItem(r, c, item)


class LedgerPage(ShownPage):
    """A page that reloads when one of ``kinds`` is written and it is on screen."""

    kinds: tuple[str, ...] = ()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._seq = 0
        self.dialog: QDialog | None = None  # the last dialog opened (tests drive it)
        self.operator = ""
        #: An id to select after the next reload (a record just added).
        self.select_next: str | None = None
        self._tables: list[SortableTable] = []
        self._splitters: dict[str, QSplitter] = {}
        ctx.data_changed.connect(self._data_changed)

    def _data_changed(self, kind: str) -> None:
        if kind != "*" and kind not in self.kinds:
            return
        self.refresh_when_shown()

    def next_seq(self) -> int:
        self._seq += 1
        self._stale = False
        return self._seq

    def load(self, fetch: Callable[[], dict[str, Any]],
             then: Callable[[dict[str, Any]], None]) -> None:
        """Run ``fetch`` on the worker (adding the operator's name), then ``then(result)``.

        A result that a later load has overtaken is dropped.
        """
        seq = self.next_seq()
        store, svc = self.ctx.store, self.ctx.service

        def run() -> dict[str, Any]:
            result = fetch()
            result["operator"] = ledgers.operator_name(store, svc.operator_id)
            return result

        def done(result: dict[str, Any]) -> None:
            if seq != self._seq:
                return
            self.operator = result["operator"]
            then(result)

        Op(self, run).success(done).run()

    # --- building the page ------------------------------------------------------------

    def open_person(self) -> None:
        """The file of the person on the selected row of the page's list (``self.table``)."""
        rec = self.table.current_record()  # type: ignore[attr-defined]
        if rec is not None and rec.get("person_id"):
            self.ctx.open_person.emit(rec["person_id"])

    def sortable_table(self, model: LazyTableModel, state_key: str,
                       on_sort: Callable[[], None], *,
                       activated: Callable[[], None] | None = None,
                       selected: Callable[[], None] | None = None) -> SortableTable:
        """A table whose header state is saved with the page's; a double click on a row
        calls ``activated``, a change of selection ``selected``."""
        table = SortableTable(model, self.ctx, state_key, on_sort, self)
        if activated is not None:
            table.doubleClicked.connect(lambda _index: activated())
        if selected is not None:
            table.selectionModel().selectionChanged.connect(lambda *_: selected())
        self._tables.append(table)
        return table

    def make_splitter(self, state_key: str, orientation: Qt.Orientation,
                      widgets: Sequence[QWidget], stretch: Sequence[int] = (),
                      sizes: Sequence[int] | None = None) -> QSplitter:
        """A splitter whose state is restored now and saved with the page's."""
        splitter = QSplitter(orientation)
        for widget in widgets:
            splitter.addWidget(widget)
        for i, factor in enumerate(stretch):
            splitter.setStretchFactor(i, factor)
        if sizes is not None:
            splitter.setSizes(list(sizes))
        state = self.ctx.config.state(state_key)
        if state is not None:
            splitter.restoreState(state)
        self._splitters[state_key] = splitter
        return splitter

    def table_with_detail(self, state_key: str, table: QWidget, title: QLabel,
                          body: QWidget | QLayout) -> QSplitter:
        """The list above, the selected record's ``title`` and ``body`` below (3 : 2)."""
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 4, 0, 0)
        dl.addWidget(title)
        if isinstance(body, QLayout):
            dl.addLayout(body)
        else:
            dl.addWidget(body)
        return self.make_splitter(state_key, Qt.Orientation.Vertical, [table, detail],
                                  stretch=[3, 2])

    def save_state(self) -> None:
        for table in self._tables:
            table.save_state()
        for key, splitter in self._splitters.items():
            self.ctx.config.save_state(key, splitter.saveState())

    # --- showing what was loaded ------------------------------------------------------

    def show_ids(self, table: SortableTable, ids: list[str]) -> bool:
        """Fill ``table`` keeping its selection (or selecting the record just added)."""
        keep = self.select_next or table.current_id()
        self.select_next = None
        table.lazy_model.set_ids(ids)
        return table.select_id(keep)

    @staticmethod
    def show_hint(hint: QLabel, text: str | None) -> None:
        """Say why a list is empty; hide the line when ``text`` is None."""
        if text is None:
            hint.hide()
        else:
            hint.setText(text)
            hint.show()

    def open_dialog(self, dialog: QDialog, changed: str | None = None) -> QDialog:
        """Open ``dialog`` (deleted on close); once it is accepted, announce ``changed``."""
        if changed is not None:
            dialog.finished.connect(lambda result: result == QDialog.DialogCode.Accepted
                                    and self.ctx.data_changed.emit(changed))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog

    def record_dialog(self, title: str, form: RecordForm,
                      submit: Callable[[dict[str, Any]], Any], changed: str,
                      after: Callable[[Any], None] | None = None) -> RecordDialog:
        """A RecordDialog whose save announces ``changed`` so every page reloads."""
        dialog = RecordDialog(title, form, submit=submit, parent=self)

        def done(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                if after is not None:
                    after(dialog.result_record)
                self.ctx.data_changed.emit(changed)

        dialog.finished.connect(done)
        self.open_dialog(dialog)
        return dialog

    def select_after_save(self, record: Any) -> None:
        if isinstance(record, dict) and record.get("id"):
            self.select_next = record["id"]

    def record_form(self, kind: str, values: dict[str, Any], *,
                    fields: Sequence[str] | None = None,
                    hidden: dict[str, Any] | None = None) -> RecordForm:
        """A form for ``kind`` over the station's catalogues, filled with ``values``."""
        form = RecordForm(kind, self.ctx.catalogues(), today=self.ctx.today, fields=fields,
                          hidden=hidden)
        form.set_values(values)
        return form

    def new_record(self, title: str, form: RecordForm,
                   after: Callable[[Any], None] | None = None) -> RecordDialog:
        """A RecordDialog that creates ``form``'s record; ``after`` gets the new record
        (by default it is selected after the reload)."""
        svc, kind = self.ctx.service, form.kind
        return self.record_dialog(title, form, lambda v: svc.create(kind, v), kind,
                                  after=after or self.select_after_save)

    def with_person(self, person_id: str | None,
                    then: Callable[[dict[str, Any] | None], None]) -> None:
        """Load the person on the worker, then ``then(person)``; no person: ``then(None)`` now."""
        if person_id is None:
            then(None)
            return
        svc = self.ctx.service
        Op(self, lambda: svc.get("person", person_id)).success(then).run()

    def edit_record(self, kind: str, row_id: str, title: str, *,
                    fields: Sequence[str] | None = None, hidden: dict | None = None) -> None:
        """Load ``kind`` ``row_id`` on the worker, then open it in a RecordDialog."""
        svc = self.ctx.service

        def show(record: dict) -> None:
            keep = {k: record.get(k) for k in (hidden or {})}
            form = self.record_form(kind, record, fields=fields, hidden=keep)
            self.record_dialog(title, form, lambda v: svc.update(kind, row_id, v), kind)

        Op(self, lambda: svc.get(kind, row_id)).success(show).run()


