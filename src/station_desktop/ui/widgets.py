"""The small widgets pages and dialogs are built from: a named button, a named label,
and rows and columns of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def push_button(text: str, name: str, slot: Callable[[], Any] | None = None, *, tip: str = "",
                height: int = 0, width: int = 0) -> QPushButton:
    """A button named for the tests and the user guide, with its tooltip and its action."""
    button = QPushButton(text)
    button.setObjectName(name)
    if height:
        button.setMinimumHeight(height)
    if width:
        button.setMinimumWidth(width)
    if tip:
        button.setToolTip(tip)
    if slot is not None:
        button.clicked.connect(lambda _checked=False: slot())
    return button


#: In :func:`hbox`: the rest of the row's width goes here.
STRETCH = None


def hbox(*items: QWidget | QLayout | str | int | None) -> QHBoxLayout:
    """A toolbar or filter row, left to right: a widget or layout as is, a str as its
    label, an int as that much space, :data:`STRETCH` (None) as the free width."""
    row = QHBoxLayout()
    for item in items:
        if item is None:
            row.addStretch(1)
        elif isinstance(item, str):
            row.addWidget(QLabel(item))
        elif isinstance(item, int):
            row.addSpacing(item)
        elif isinstance(item, QLayout):
            row.addLayout(item)
        else:
            row.addWidget(item)
    return row


def vbox(owner: QWidget | None, *items: QWidget | QLayout | tuple[QWidget | QLayout, int]
         ) -> QVBoxLayout:
    """A page or box laid out top to bottom (on ``owner`` when given): a widget or layout
    as is, an ``(item, n)`` pair taking n shares of the spare height."""
    column = QVBoxLayout(owner) if owner is not None else QVBoxLayout()
    for item in items:
        item, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(item, QLayout):
            column.addLayout(item, stretch)
        else:
            column.addWidget(item, stretch)
    return column


def text_label(text: str = "", name: str = "", *, style: str = "",
               wrap: bool = False) -> QLabel:
    """A label named for the tests and the user guide, with its style; ``wrap`` for a
    text that may run longer than the window is wide."""
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    if style:
        label.setStyleSheet(style)
    if wrap:
        label.setWordWrap(True)
    return label


def qdate(d: date) -> QDate:
    """A date for a QDateEdit."""
    return QDate(d.year, d.month, d.day)


def pydate(q: QDate) -> date:
    """The date a QDateEdit shows."""
    return date(q.year(), q.month(), q.day())
