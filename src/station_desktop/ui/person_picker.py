"""Choose a registered person by typing a name, pinyin initials, ID tail or phone.

    pick_person(ctx, parent, on_picked=lambda person_id: ...)

The dialog searches as you type (on the worker, like the global search box)
and calls ``on_picked`` with the chosen person's id after it has closed. With
``skip_text`` it also offers a button for "no registered person" (a dispute
with outsiders, a volunteer who is not on the roster), which calls
``on_skip`` instead.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.services.search_index import SearchHit, search
from station_desktop.store.display import mask_id_number
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.widgets import push_button, text_label

HINT = "输入姓名、拼音首字母（如 zsf）、身份证号后几位或电话号码，下面会列出找到的人。"


class SearchAsYouType:
    """The roster search for the text as typed, run on the worker: only the answer to the
    latest text is shown (a slower answer to an older keystroke is dropped)."""

    def __init__(self, owner: QObject, ctx: AppContext, *, limit: int,
                 show: Callable[[list[SearchHit]], None], cleared: Callable[[], None]):
        self.owner, self.ctx, self.limit = owner, ctx, limit
        self.show, self.cleared = show, cleared
        self._seq = 0

    def __call__(self, text: str) -> None:
        self._seq += 1
        seq = self._seq
        text = text.strip()
        if not text:
            self.cleared()
            return
        store, limit = self.ctx.store, self.limit

        def answered(hits: list[SearchHit]) -> None:
            if seq == self._seq:
                self.show(hits)

        Op(self.owner, lambda: search(store, text, limit=limit)).success(answered).run()


def step_row(results: QListWidget, key: int) -> None:
    """Move the current row of a list of hits one up or down (Up/Down in the search box)."""
    step = 1 if key == Qt.Key.Key_Down else -1
    results.setCurrentRow(max(0, min(results.count() - 1, results.currentRow() + step)))


class PersonPicker(QDialog):
    """A search box over the roster and the list of what it finds."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 title: str = "选择人员", prompt: str = "",
                 skip_text: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.picked_id: str | None = None
        self.picked_name: str | None = None
        self.skipped = False
        self.hits: list[SearchHit] = []
        self._search = SearchAsYouType(self, ctx, limit=30, show=self._show,
                                       cleared=self._cleared)

        layout = QVBoxLayout(self)
        if prompt:
            head = text_label(prompt, style="font-weight: bold;", wrap=True)
            layout.addWidget(head)
        self.query = QLineEdit()
        self.query.setObjectName("picker_query")
        self.query.setPlaceholderText("姓名 / 拼音首字母 / 身份证后几位 / 电话")
        self.query.setClearButtonEnabled(True)
        self.query.textChanged.connect(self._search)
        self.query.installEventFilter(self)
        layout.addWidget(self.query)
        self.results = QListWidget()
        self.results.setObjectName("picker_results")
        self.results.setStyleSheet("QListWidget::item { padding: 4px 2px; }")
        self.results.itemDoubleClicked.connect(lambda _item: self._choose())
        self.results.currentRowChanged.connect(self._update_buttons)
        layout.addWidget(self.results, 1)
        self.hint = text_label(HINT, "picker_hint", style="color: #555;", wrap=True)
        layout.addWidget(self.hint)

        self.buttons = QDialogButtonBox()
        self.choose_button = QPushButton("选择")
        self.choose_button.setObjectName("picker_choose")
        self.choose_button.setDefault(True)
        self.choose_button.setEnabled(False)
        self.choose_button.clicked.connect(self._choose)
        self.buttons.addButton(self.choose_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip_button: QPushButton | None = None
        if skip_text:
            self.skip_button = push_button(skip_text, "picker_skip", self._skip)
            self.buttons.addButton(self.skip_button, QDialogButtonBox.ButtonRole.ActionRole)
        cancel = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(520, 420)

    # --- searching ------------------------------------------------------------

    def _cleared(self) -> None:
        self._show([])
        self.hint.setText(HINT)

    def _show(self, hits: list[SearchHit]) -> None:
        self.hits = list(hits)
        self.results.clear()
        for h in hits:
            item = QListWidgetItem(
                f"{h.name}　　{mask_id_number(h.id_number)}　　{h.phone or ''}　（按{h.matched}找到）")
            item.setData(Qt.ItemDataRole.UserRole, h.person_id)
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)
            self.hint.setText(f"找到 {len(hits)} 人。双击或按回车选择。")
        elif self.query.text().strip():
            self.hint.setText("没有找到。可试试拼音首字母（如 zsf）或身份证号后4位；"
                              "若此人还没有建档，请先到“人员档案”建档。")
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        self.choose_button.setEnabled(self.results.currentRow() >= 0 and bool(self.hits))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.query and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results.count():
                step_row(self.results, key)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose()
                return True
        return super().eventFilter(obj, event)

    # --- the answer -------------------------------------------------------------

    def _choose(self) -> None:
        row = self.results.currentRow()
        if not 0 <= row < len(self.hits):
            return
        hit = self.hits[row]
        self.picked_id, self.picked_name = hit.person_id, hit.name
        self.accept()

    def _skip(self) -> None:
        self.skipped = True
        self.accept()


def pick_person(ctx: AppContext, parent: QWidget | None,
                on_picked: Callable[[str], None], *, title: str = "选择人员",
                prompt: str = "", skip_text: str | None = None,
                on_skip: Callable[[], None] | None = None) -> PersonPicker:
    """Open the picker (window-modal, not blocking) and call back with the chosen id.

    Returns the dialog so a caller or a test can drive it.
    """
    dialog = PersonPicker(ctx, parent, title=title, prompt=prompt,
                          skip_text=skip_text if on_skip is not None else None)

    def finished(result: int) -> None:
        if result != QDialog.DialogCode.Accepted:
            return
        if dialog.skipped:
            if on_skip is not None:
                on_skip()
        elif dialog.picked_id:
            on_picked(dialog.picked_id)

    dialog.finished.connect(finished)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    dialog.query.setFocus()
    return dialog
