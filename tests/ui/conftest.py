"""Fixtures the GUI tests share: an AppContext over the test store, a page on screen."""

from __future__ import annotations

import pytest

from station_desktop.ui.config import Config
from station_desktop.ui.context import AppContext
from tests.ui.helpers import wait


@pytest.fixture(autouse=True)
def _no_preview_left_open():
    """A print preview a test left open must not be the next test's preview (the order of
    tests differs between CI's workers)."""
    from station_desktop.ui.print_preview import _open_previews

    yield
    for dialog in list(_open_previews):
        _open_previews.discard(dialog)
        try:
            dialog.close()
        except RuntimeError:  # its C++ side is already gone
            pass


@pytest.fixture
def ctx(store, svc, tmp_path):
    return AppContext(store, svc, Config(tmp_path / "s.ini"))


@pytest.fixture
def show_page(ctx, qtbot):
    """``show_page(PageClass, size)``: the page built on ``ctx``, shown, and loaded."""

    def show(page_cls, size: tuple[int, int] = (1100, 700)):
        page = page_cls(ctx)
        qtbot.addWidget(page)
        page.resize(*size)
        page.show()
        wait(qtbot)
        return page

    return show

