"""What every settings section shares: the base class, hints, buttons, sizes."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import ERROR_STYLE
from station_desktop.ui.widgets import push_button, text_label

HINT_STYLE = "color: #555;"
OK_STYLE = "color: #1b6e20;"


def hint(text_: str) -> QLabel:
    label = text_label(text_, style=HINT_STYLE, wrap=True)
    return label


def button(label: str, name: str, tooltip: str = "") -> QPushButton:
    return push_button(label, name, tip=tooltip, height=32)


def file_size(n: int) -> str:
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

    @staticmethod
    def _message(label: QLabel, text_: str, *, error: bool = False, hint: bool = False) -> None:
        """A result in green, a refusal in red, work under way (``hint``) in grey."""
        label.setText(text_)
        label.setStyleSheet(ERROR_STYLE if error else HINT_STYLE if hint else OK_STYLE)
