"""The shell as a user meets it: first-run wizard, navigation, search box, status bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWizard

from station_desktop.services import open_store
from station_desktop.services import Service
from station_desktop.ui.config import Config
from station_desktop.ui.context import AppContext
from station_desktop.ui.main_window import PAGES, MainWindow
from station_desktop.ui.ops import Op
from station_desktop.ui.wizard import FirstRunWizard
from tests.conftest import TODAY, make_id


def type_text(widget, text: str) -> None:
    """Type like a person, one character at a time (Chinese included)."""
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch,
                           Qt.KeyboardModifier.NoModifier)


def test_first_run_wizard_sets_station_operator_and_keys(qtbot, tmp_path):
    data_dir = tmp_path / "new"
    store = open_store(data_dir)
    try:
        wizard = FirstRunWizard(Service(store, today=TODAY))
        qtbot.addWidget(wizard)
        wizard.show()
        page = wizard.station
        type_text(page.code, "4203031002")  # too short
        assert not page.isComplete()
        assert "12" in page.error.text()
        type_text(page.code, "01")
        assert page.error.text() == "请填写服务站名称。"
        type_text(page.name, "东沟村退役军人服务站")
        assert page.isComplete() and page.error.text() == ""
        wizard.next()
        type_text(wizard.operator.operator, "王建国")
        assert wizard.operator.isComplete()
        wizard.button(QWizard.WizardButton.FinishButton).click()
        assert wizard.result() == FirstRunWizard.DialogCode.Accepted
        assert store.meta("station_code") == "420303100201"
        svc = Service(store)
        assert [o["name"] for o in svc.list("operator")] == ["王建国"]
        assert (data_dir / "keys" / "signing-ed25519.pem").exists()
    finally:
        store.close()


def test_wizard_refuses_a_town_code_for_a_village(qtbot, tmp_path):
    store = open_store(tmp_path / "d")
    try:
        wizard = FirstRunWizard(Service(store, today=TODAY))
        qtbot.addWidget(wizard)
        type_text(wizard.station.code, "420303100000")  # a town's code, role is village
        type_text(wizard.station.name, "某站")
        assert not wizard.station.isComplete()
        assert wizard.station.error.text()
        assert store.meta("station_code") is None
    finally:
        store.close()


@pytest.fixture
def window(qtbot, store, svc, tmp_path):
    ctx = AppContext(store, svc, Config(tmp_path / "settings.ini"))
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: not Op.running)
    return w


def test_navigation_reaches_every_page(qtbot, window):
    for i, (key, label, _spec) in enumerate(PAGES):
        window.nav.setCurrentRow(i)
        qtbot.waitUntil(lambda: not Op.running)
        assert window.stack.currentWidget() is window.pages[key]
        assert window.nav.item(i).text() == label
    QTest.keySequence(window, "Ctrl+2")  # the keyboard works too
    assert window.current_page_key() == "roster"


def test_search_box_finds_by_initials_and_opens_the_file(qtbot, window, svc):
    svc.create("person", {"name": "张三丰", "id_number": make_id(seq=77), "categories": "退役士兵"})
    svc.create("person", {"name": "李明", "id_number": make_id(seq=78), "categories": "退役士兵"})
    opened: list[str] = []
    window.ctx.open_person.disconnect()
    window.ctx.open_person.connect(opened.append)
    window.search.setFocus()
    qtbot.keyClicks(window.search, "zsf")
    qtbot.waitUntil(lambda: not Op.running and window.search.popup.isVisible())
    assert [h.name for h in window.search.last_hits] == ["张三丰"]
    QTest.keyClick(window.search, Qt.Key.Key_Return)
    assert opened == [window.search.last_hits[0].person_id]


def test_status_bar_counts_changes_not_sent(qtbot, window, svc):
    before = svc.pending_changes()
    svc.create("person", {"name": "王五", "id_number": make_id(seq=79), "categories": "退役士兵"})
    window.ctx.data_changed.emit("person")
    qtbot.waitUntil(lambda: not Op.running)
    assert window.pending_label.text() == f"待上报县里：{before + 1} 条变更"
    assert "王建国" in window.operator_label.text()


def test_second_instance_is_refused_and_raises_the_first(qtbot, tmp_path):
    from station_desktop.ui.single_instance import SingleInstance

    raised: list[bool] = []
    first = SingleInstance(tmp_path / "d")
    assert first.acquire(lambda: raised.append(True))
    second = SingleInstance(tmp_path / "d")
    assert not second.acquire(lambda: None)
    qtbot.waitUntil(lambda: raised == [True])
    first.release()
    third = SingleInstance(tmp_path / "d")
    assert third.acquire(lambda: None)
    third.release()


def test_window_geometry_is_remembered(qtbot, store, svc, tmp_path):
    config = Config(tmp_path / "geo.ini")
    w = MainWindow(AppContext(store, svc, config))
    qtbot.addWidget(w)
    w.show()
    w.resize(700, 570)  # within the offscreen screen (800x600)
    w.close()
    qtbot.waitUntil(lambda: not Op.running)
    again = MainWindow(AppContext(store, svc, Config(tmp_path / "geo.ini")))
    qtbot.addWidget(again)
    # The height proves the geometry came back; the width is held to the
    # window's minimum and the 800-pixel offscreen screen.
    assert again.height() == 570
    assert isinstance(QApplication.instance(), QApplication)
    assert Path(tmp_path / "geo.ini").exists()
