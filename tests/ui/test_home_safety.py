"""首页 reminders: an old or missing USB backup, and no sign-in PIN yet."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from station_desktop.store import auth
from station_desktop.store.models import AuditEvent
from station_desktop.ui import config as cfg
from tests.ui.helpers import click, wait
from tests.ui.test_home import make_page


def test_never_backed_up_then_backup_from_the_home_page(ctx, svc, store, qtbot, tmp_path,
                                                         monkeypatch):
    page = make_page(ctx, qtbot)
    safety = page.safety
    assert safety.isVisible() and safety.usb_row.isVisible()
    assert "还没有备份到U盘" in safety.usb_text.text()
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *args, **kw: str(usb)))
    click(qtbot, safety.usb_button)
    wait(qtbot)
    assert [p.suffix for p in usb.iterdir()] == [".stbak"]
    assert safety.recovery_dialog.isVisible()  # the new code is shown once
    safety.recovery_dialog.done_check.setChecked(True)
    safety.recovery_dialog.accept()
    qtbot.waitUntil(lambda: not safety.usb_row.isVisible(), timeout=5000)


def test_old_usb_backup_is_reminded_after_the_configured_days(ctx, svc, store, qtbot):
    with store.write(None) as s:
        s.add(AuditEvent(action="usb_backup", at="2026-11-13T02:00:00.000Z", detail={}))
    ctx.config.set(cfg.USB_REMINDER_DAYS, 7)
    page = make_page(ctx, qtbot)
    text = page.safety.usb_text.text()
    assert page.safety.usb_row.isVisible() and "10 天前（2026-11-13）" in text
    ctx.config.set(cfg.USB_REMINDER_DAYS, 14)
    page.safety.refresh()
    wait(qtbot)
    assert not page.safety.usb_row.isVisible()


def test_pin_hint_until_someone_sets_a_pin(ctx, svc, store, qtbot):
    page = make_page(ctx, qtbot)
    safety = page.safety
    assert safety.pin_row.isVisible() and "PIN" in safety.pin_text.text()
    click(qtbot, safety.pin_button)
    dialog = safety.dialog
    assert dialog is not None and dialog.old_pin is None
    dialog.new_pin.setText("2580")
    dialog.again.setText("2580")
    click(qtbot, dialog.save_button)
    wait(qtbot)
    assert auth.has_pin(store, svc.operator_id)
    assert not safety.pin_row.isVisible()
