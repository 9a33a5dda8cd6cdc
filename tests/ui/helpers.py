"""Helpers the GUI tests share: wait for the worker, click, read a list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from station_desktop.ui.ops import Op


def wait(qtbot, timeout: int = 10_000) -> None:
    """Until no operation is running on the worker."""
    qtbot.waitUntil(lambda: not Op.running, timeout=timeout)


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait(qtbot)


def model_ids(page) -> list[str]:
    """The ids of ``page.model`` in the order shown."""
    return [page.model.id_at(r) for r in range(page.model.rowCount())]


def type_chinese(widget, text: str) -> None:
    """Chinese one character at a time (keyClicks with Chinese aborts Qt)."""
    widget.setFocus()
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch,
                           Qt.KeyboardModifier.NoModifier)
