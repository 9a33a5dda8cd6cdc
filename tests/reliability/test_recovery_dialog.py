"""The start-up recovery dialog, driven like a cadre would (offscreen, real files)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from station_desktop.store import recovery
from station_desktop.store.db import DB_FILENAME
from station_desktop.ui.recovery import RecoveryDialog, open_or_recover
from tests.reliability import worker
from tests.reliability.conftest import PERSONS
from tests.reliability.test_recovery import persons, truncate_mid_page
from tests.ui.helpers import click, wait


def dialog_for(qtbot, data_dir: Path) -> RecoveryDialog:  # noqa: ANN001
    dialog = RecoveryDialog(recovery.diagnose(data_dir))
    qtbot.addWidget(dialog)
    dialog.show()
    wait(qtbot)
    return dialog


def test_damaged_file_offers_the_newest_good_backup_and_restores_it(qtbot, station: Path
                                                                    ) -> None:
    truncate_mid_page(station / DB_FILENAME)
    dialog = dialog_for(qtbot, station)
    assert "不完整" in dialog.findChild(QLabel, "problem").text()
    assert "damaged" in dialog.advice.text()
    assert dialog.choice is not None and dialog.choice.path.name.startswith("daily-")
    assert dialog.values["人员档案"].text() == f"{PERSONS} 人"
    assert "备份时间" in dialog.backup_label.text()
    assert dialog.restore_button.isEnabled() and not dialog.keep_button.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        click(qtbot, dialog.restore_button)
    assert dialog.store is not None
    try:
        assert persons(station) == PERSONS
        assert dialog.result is not None and dialog.result.damaged_dir is not None
        assert (dialog.result.damaged_dir / DB_FILENAME).exists()
    finally:
        dialog.store.close()


def test_choosing_another_backup_verifies_it_first(qtbot, station: Path, tmp_path: Path) -> None:
    truncate_mid_page(station / DB_FILENAME)
    dialog = dialog_for(qtbot, station)
    bad = tmp_path / "u盘备份.sqlite3"
    bad.write_bytes(os.urandom(8192))
    dialog.ask_file = lambda: str(bad)  # type: ignore[method-assign]
    click(qtbot, dialog.choose_button)
    wait(qtbot)
    assert "不能使用" in dialog.backup_label.text()
    assert not dialog.restore_button.isEnabled()
    good = recovery.list_backups(station)[0]
    dialog.ask_file = lambda: str(good)  # type: ignore[method-assign]
    click(qtbot, dialog.choose_button)
    wait(qtbot)
    assert dialog.restore_button.isEnabled() and dialog.choice.path == good
    # Nothing was moved while choosing.
    assert not (station / "damaged").exists()
    with qtbot.waitSignal(dialog.rejected):
        click(qtbot, dialog.quit_button)
    assert dialog.store is None and not (station / "damaged").exists()


def test_too_new_database_only_explains(qtbot, station: Path) -> None:
    with worker.connect(station) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    dialog = dialog_for(qtbot, station)
    assert not dialog.restore_button.isVisible() and not dialog.choose_button.isVisible()
    assert "最新版本" in dialog.advice.text()
    assert dialog.quit_button.isVisible()


def test_lost_wal_can_be_accepted_as_is(qtbot, station: Path) -> None:
    from tests.reliability.test_recovery import killed_after_a_write

    killed_after_a_write(station)
    (station / f"{DB_FILENAME}-wal").unlink()
    dialog = dialog_for(qtbot, station)
    assert dialog.diagnosis.problem == "wal_missing" and dialog.keep_button.isVisible()
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog.keep_button)
    assert dialog.store is not None
    dialog.store.close()
    assert list((station / "damaged").glob(f"*/{DB_FILENAME}-shm"))


@pytest.fixture
def informed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        lambda _parent, _title, text: shown.append(text))
    return shown


def test_start_up_opens_a_healthy_dir_without_asking(qtbot, station: Path) -> None:
    store = open_or_recover(station)
    assert store is not None
    store.close()


def test_start_up_recovers_a_damaged_dir_through_the_dialog(qtbot, station: Path,
                                                            informed: list[str]) -> None:
    (station / DB_FILENAME).write_bytes(b"\0" * 100)  # emptied by a bad disk: not a new station

    def press_restore() -> None:  # what the cadre does once the backup is shown
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, RecoveryDialog) and w.isVisible()), None)
        if dialog is None or not dialog.restore_button.isEnabled():
            QTimer.singleShot(20, press_restore)
            return
        dialog.restore_button.click()

    QTimer.singleShot(0, press_restore)
    store = open_or_recover(station)
    assert store is not None
    try:
        assert persons(station) == PERSONS
    finally:
        store.close()
    assert informed and "damaged" in informed[0]


def test_an_encrypted_usb_backup_is_opened_with_this_pcs_code(qtbot, station: Path,
                                                              tmp_path: Path) -> None:
    from station_desktop.services.backups import usb_backup
    from station_desktop.services import open_store

    store = open_store(station, daily_backup=False)
    try:
        sealed = usb_backup(store, tmp_path / "usb").path
    finally:
        store.close()
    truncate_mid_page(station / DB_FILENAME)
    dialog = dialog_for(qtbot, station)
    dialog.ask_file = lambda: str(sealed)  # type: ignore[method-assign]
    click(qtbot, dialog.choose_button)
    wait(qtbot)
    assert dialog.choice is not None and dialog.choice.path == sealed
    assert dialog.values["人员档案"].text() == f"{PERSONS} 人"
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        click(qtbot, dialog.restore_button)
    assert dialog.store is not None
    dialog.store.close()
    assert persons(station) == PERSONS
    assert not list((station / "backups").glob("*.tmp"))  # the decrypted copy is gone


def test_a_backup_that_cannot_be_opened_keeps_the_earlier_choice(qtbot, station: Path,
                                                                tmp_path: Path) -> None:
    import shutil

    from station_desktop.services.backups import usb_backup
    from station_desktop.services import open_store

    other = tmp_path / "other-pc"
    shutil.copytree(station, other)
    store = open_store(other, daily_backup=False)
    try:  # sealed with the other PC's recovery code, which this PC does not have
        sealed = usb_backup(store, tmp_path / "usb").path
    finally:
        store.close()
    truncate_mid_page(station / DB_FILENAME)
    dialog = dialog_for(qtbot, station)
    before = dialog.choice
    assert before is not None and before.good
    dialog.ask_file = lambda: str(sealed)  # type: ignore[method-assign]
    click(qtbot, dialog.choose_button)
    wait(qtbot)
    shown = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()]
    assert shown and "恢复码" in shown[0].text()
    assert dialog.choice is before and dialog.restore_button.isEnabled()
    assert str(before.path) in dialog.backup_label.text()
    for box in shown:
        box.close()
