"""What every page shares: read only while on screen, and scrolling when the window is
too small. The buttons, labels and rows pages are built from are in ui/widgets.py."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QScrollArea,
    QVBoxLayout,
    QWidget,
)


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
