"""What the parts of a person's file share: styles, value text, small widgets, the owner.

The tabs of the file depend on :class:`FileOwner` (what they need of the
dialog that holds them), not on the dialog class, so the dialog shell,
the section tabs and the record lists stay separate modules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QPushButton, QTableView, QWidget
from shiboken6 import isValid

from station_desktop.domain import rules
from station_desktop.domain.catalogues import Catalogues
from station_desktop.store.display import display_value
from station_desktop.store.fields import PERSON_FIELDS, Field
from station_desktop.ui.context import AppContext
from station_desktop.ui.table import Column, LazyTableModel, setup_list_view

MUTED_STYLE = "color: #666;"
BANNER_STYLE = ("background: #fff3cd; color: #7a4d00; padding: 6px 10px; "
                "border: 1px solid #f0d58c; border-radius: 4px;")


class FileOwner(Protocol):
    """The open file as its tabs see it."""

    ctx: AppContext
    cats: Catalogues
    person_id: str

    def flash(self, text: str) -> None: ...

    def reload(self) -> None: ...


# --- formatting --------------------------------------------------------------------


def birth_and_age(birth: date | str | None, today: date) -> str:
    if not birth:
        return ""
    d = birth if isinstance(birth, date) else date.fromisoformat(str(birth))
    return f"{d.isoformat()}（{rules.age_on(d, today)}岁）"


def _typed(f: Field, value: Any) -> Any:
    """A value as read from the change log (JSON text, 0/1) in the field's own type."""
    if value is None:
        return None
    if f.type == "cats" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return [value]
    if f.type == "bool":
        return bool(value)
    return value


def field_text(name: str, value: Any, cats: Catalogues) -> str:
    """A person field's value in words (for the sheets and the history)."""
    f = PERSON_FIELDS.get(name)
    if f is None:
        return "" if value is None else str(value)
    return display_value(f, _typed(f, value), cats)

def alive(obj: QObject) -> bool:
    """The Qt object behind a wrapper still exists (a closed dialog may be deleted)."""
    return isValid(obj)

# --- small building blocks ----------------------------------------------------------


def button(text: str, name: str, tip: str = "") -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setMinimumHeight(30)
    b.setMinimumWidth(80)
    # Enter in a form field must not press 关闭 or 删除: only 保存 is ever the default.
    b.setAutoDefault(False)
    if tip:
        b.setToolTip(tip)
    return b


def confirm(parent: QWidget, title: str, text: str, yes: str,
            on_yes: Callable[[], None]) -> QMessageBox:
    """A question box opened with open() (never blocks); ``on_yes`` runs on the yes button."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    ok.setObjectName("confirm_yes")
    cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    cancel.setObjectName("confirm_no")
    box.setDefaultButton(cancel)

    def done() -> None:
        if box.clickedButton() is ok:
            on_yes()

    box.finished.connect(done)
    box.open()
    return box


class ListModel(LazyTableModel):
    """A LazyTableModel over rows already in memory (a person's visits, family ...)."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None):
        self._rows: dict[str, dict[str, Any]] = {}
        super().__init__(columns, lambda ids: {i: self._rows[i] for i in ids if i in self._rows},
                         parent)

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self._rows = {r["id"]: r for r in rows}
        self.set_ids([r["id"] for r in rows])

    def row(self, row_id: str) -> dict[str, Any]:
        return self._rows[row_id]


def table(model: LazyTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    setup_list_view(view, model)
    return view
