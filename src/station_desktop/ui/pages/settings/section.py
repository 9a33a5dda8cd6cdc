"""What every settings section shares: the base class, hints, buttons, sizes."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from station_desktop.ui.context import AppContext

HINT_STYLE = "color: #555;"
OK_STYLE = "color: #1b6e20;"


def _hint(text_: str) -> QLabel:
    label = QLabel(text_)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


def _button(label: str, name: str, tooltip: str = "") -> QPushButton:
    b = QPushButton(label)
    b.setObjectName(name)
    b.setMinimumHeight(32)
    if tooltip:
        b.setToolTip(tooltip)
    return b


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{max(n // 1024, 1)} KB"


class Section(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx

    def refresh(self) -> None:  # pragma: no cover - overridden
        pass

    def save_state(self) -> None:
        pass
