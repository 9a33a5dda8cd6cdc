"""What every page shares: read only while on screen, and the buttons and rows of
controls its toolbars are built from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
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


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area that fits its width."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


def fill_with_scrolling(page: QWidget, body: QWidget) -> None:
    """Lay ``body`` over the whole of ``page``, scrolling when the window is too small."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scrolling(body))


class ShownPage(QWidget):
    """A page that reloads only while on screen; a change made meanwhile waits for the next show.

    The subclass implements :meth:`refresh` and clears ``_stale`` when it loads.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._stale = True

    def refresh_when_shown(self) -> None:
        """Reload now if the page is on screen, else the next time it is shown."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.refresh()
