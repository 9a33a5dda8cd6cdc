"""设置 driven as a cadre would: station profile, 五有 self-assessment, operators,
catalogues, backup and restore, recycle bin, data folder, large font."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

import station_desktop.ui.errors as errors
from station_desktop.services.search_index import search
from station_desktop.ui import config as cfg
from station_desktop.ui.config import Config
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import RecordDialog
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.settings import RestorePreviewDialog, SettingsPage
from tests.conftest import VILLAGE_CODE, make_id


def wait(qtbot) -> None:
    qtbot.waitUntil(lambda: not Op.running, timeout=15_000)


def click(qtbot, widget) -> None:
    assert widget.isEnabled(), getattr(widget, "text", lambda: "")()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    wait(qtbot)


@pytest.fixture
def ctx(store, svc, tmp_path):
    c = AppContext(store, svc, Config(tmp_path / "s.ini"))
    yield c
    if c.store is not store:  # swapped by a restore
        c.store.close()


@pytest.fixture
def page(ctx, qtbot):
    p = SettingsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 720)
    p.show()
    wait(qtbot)
    return p


def open_section(qtbot, page, key: str):
    section = page.show_section(key)
    wait(qtbot)
    # Widgets a load has just added are shown by a posted event: let it run
    # before the test clicks them (else a click may land on a hidden widget).
    QApplication.processEvents()
    return section


# --- 服务站信息 and 五有 -------------------------------------------------------


def test_edit_station_profile(qtbot, page, svc, store):
    section = open_section(qtbot, page, "station")
    assert section.code_label.text() == VILLAGE_CODE
    assert section.role_label.text() == "村(社区)服务站"
    form = section.form
    assert form.editors["name"].widget.text() == "东沟村退役军人服务站"
    name = form.editors["name"].widget
    name.setText("东沟村退役军人服务站（新）")
    name.textEdited.emit(name.text())
    form.editors["address"].widget.setText("茅箭区东沟村村委会一楼")
    form.editors["head_name"].widget.setText("王建国")
    qtbot.keyClicks(form.editors["phone"].widget, "13912345678")
    click(qtbot, section.save_button)
    assert section.station_message.text() == "已保存。"
    row = svc.list("station", where={"code": VILLAGE_CODE})[0]
    assert row["name"] == "东沟村退役军人服务站（新）"
    assert row["address"] == "茅箭区东沟村村委会一楼"
    assert row["phone"] == "13912345678" and row["head_name"] == "王建国"
    assert store.meta("station_name") == "东沟村退役军人服务站（新）"


def test_station_profile_refuses_bad_phone_under_the_field(qtbot, page, svc):
    section = open_section(qtbot, page, "station")
    qtbot.keyClicks(section.form.editors["phone"].widget, "12345")
    assert section.form.editors["phone"].error.isVisible()
    click(qtbot, section.save_button)
    assert "没有填好" in section.station_message.text()
    assert svc.list("station")[0]["phone"] is None


def test_self_assessment_saved_with_score(qtbot, page, svc):
    section = open_section(qtbot, page, "station")
    assert set(section.checks) == {"institution", "staffing", "personnel", "funding", "support"}
    assert "0 / 5" in section.score_label.text()
    for code in ("institution", "personnel", "support"):
        qtbot.mouseClick(section.checks[code], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(section.notes["institution"], "2019")
    section.notes["support"].setText("办公室 30 平方米，电脑一台")
    assert "3 / 5" in section.score_label.text()
    click(qtbot, section.save_assessment_button)
    rows = svc.list("station_assessment")
    assert len(rows) == 1
    saved = rows[0]
    assert saved["year"] == 2026 and saved["self_score"] == 3 and saved["sheet"] == "wuyou"
    assert saved["items"]["support"] == {"checked": True, "note": "办公室 30 平方米，电脑一台"}
    assert saved["items"]["staffing"]["checked"] is False
    assert "得分 3 分" in section.assess_message.text()
    # Unticking one and saving again updates the same record.
    qtbot.mouseClick(section.checks["personnel"], Qt.MouseButton.LeftButton)
    click(qtbot, section.save_assessment_button)
    rows = svc.list("station_assessment")
    assert len(rows) == 1 and rows[0]["self_score"] == 2


# --- 操作员 ------------------------------------------------------------------


def test_add_edit_and_deactivate_operator(qtbot, qtmodeltester, page, svc):
    section = open_section(qtbot, page, "operators")
    assert section.model.rowCount() == 1
    click(qtbot, section.add_button)
    dialog = section.dialog
    assert isinstance(dialog, RecordDialog)
    name = dialog.form.editors["name"].widget
    name.setText("李桂雪")
    name.textEdited.emit(name.text())
    dialog.form.editors["post"].widget.setText("服务站专干")
    qtbot.keyClicks(dialog.form.editors["phone"].widget, "18256126116")
    click(qtbot, dialog.save_button)
    wait(qtbot)
    ops = {o["name"]: o for o in svc.list("operator")}
    assert ops["李桂雪"]["active"] is True and ops["李桂雪"]["post"] == "服务站专干"
    assert ops["李桂雪"]["phone"] == "18256126116" and ops["李桂雪"]["is_admin"] is False
    assert section.model.rowCount() == 2
    qtmodeltester.check(section.model)

    row = section.model.row_of(ops["李桂雪"]["id"])
    section.view.selectRow(row)
    assert section.toggle_button.text() == "停用"
    click(qtbot, section.toggle_button)
    assert svc.get("operator", ops["李桂雪"]["id"])["active"] is False
    section.view.selectRow(section.model.row_of(ops["李桂雪"]["id"]))
    assert section.toggle_button.text() == "启用"
    assert section.model.data(section.model.index(section.view.currentIndex().row(), 4)) \
        == "已停用"

    # The operator at the keyboard cannot switch themself off.
    section.view.selectRow(section.model.row_of(svc.operator_id))
    click(qtbot, section.toggle_button)
    assert "不能停用自己" in section.message.text()
    assert svc.get("operator", svc.operator_id)["active"] is True


def test_operator_sorting_requeries(qtbot, page, svc):
    svc.create("operator", {"name": "阿明", "active": True})
    section = open_section(qtbot, page, "operators")
    names = [section.model.record(r)["name"] for r in range(section.model.rowCount())]
    assert names == sorted(names)
    section.view.horizontalHeader().sectionClicked.emit(0)
    wait(qtbot)
    names_desc = [section.model.record(r)["name"] for r in range(section.model.rowCount())]
    assert names_desc == sorted(names, reverse=True)


# --- 目录 -------------------------------------------------------------------


def test_catalogue_view_is_read_only_and_explains_rules(qtbot, qtmodeltester, page):
    section = open_section(qtbot, page, "catalogues")
    assert "县服务中心统一维护" in section.findChild(QLabel, "catalogue_note").text()
    labels = [section.kinds.item(i).text() for i in range(section.kinds.count())]
    assert any(t.startswith("人员类别") for t in labels) and any(t.startswith("五有") for t in labels)
    kinds = [section.kinds.item(i).data(Qt.ItemDataRole.UserRole)
             for i in range(section.kinds.count())]
    section.kinds.setCurrentRow(kinds.index("person_category"))
    rows = {r[0]: r for r in section.model.rows}
    assert "每 90 天至少联系一次" in rows["残疾军人"][1]
    assert "分组：优抚对象" in rows["残疾军人"][1]
    section.kinds.setCurrentRow(kinds.index("life_event"))
    rows = {r[0]: r for r in section.model.rows}
    assert "7 天内必须走访" in rows["重大疾病住院"][1]
    qtmodeltester.check(section.model)
    assert not section.model.flags(section.model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


# --- 回收站 -----------------------------------------------------------------


def test_recycle_bin_restore(qtbot, qtmodeltester, page, svc, person):
    visit = svc.create("visit", {"person_id": person["id"], "kind": "routine", "method": "phone",
                                 "visit_date": "2026-11-20", "visitor": "王建国"})
    svc.delete("visit", visit["id"])
    svc.delete("person", person["id"])
    section = open_section(qtbot, page, "recycle")
    assert section.model.rowCount() == 2
    qtmodeltester.check(section.model)
    shown = {r[0]: r for r in section.model.rows}
    assert shown["人员"][1] == "张三丰"
    assert shown["走访记录"][1] == "2026-11-20 常态化联系" and shown["走访记录"][2] == "张三丰"
    assert not section.restore_button.isEnabled()
    row = [k for k in section.model.keys].index(("person", person["id"]))
    section.select_row(row)
    click(qtbot, section.restore_button)
    assert svc.get("person", person["id"])["deleted_at"] is None
    assert "已恢复 1 条" in section.message.text()
    assert section.model.rowCount() == 1 and section.model.keys[0] == ("visit", visit["id"])


def test_recycle_bin_says_why_a_restore_is_refused(qtbot, page, svc, person):
    svc.delete("person", person["id"])
    svc.create("person", {"name": "张三丰", "id_number": person["id_number"],
                          "categories": "退役士兵"})
    section = open_section(qtbot, page, "recycle")
    section.select_row(0)
    click(qtbot, section.restore_button)
    assert "已登记在" in section.message.text()
    assert svc.get("person", person["id"], include_deleted=True)["deleted_at"] is not None


# --- 备份与恢复 ----------------------------------------------------------------


def test_backup_then_restore_brings_back_backed_up_state(
        qtbot, qtmodeltester, page, ctx, svc, store, tmp_path, monkeypatch):
    a = svc.create("person", {"name": "张三丰", "id_number": make_id(seq=11),
                              "categories": "退役士兵"})
    section = open_section(qtbot, page, "backup")
    assert section.last_usb_label.text() == "还没有备份到U盘。"
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *args, **kw: str(usb)))
    click(qtbot, section.backup_button)
    wait(qtbot)
    made = section.last_backup
    assert made is not None and made.summary.counts["person"] == 1
    written = made.path
    assert written.parent == usb and written.suffix == ".stbak"
    assert "张三丰".encode() not in written.read_bytes()
    assert "已加密备份到" in section.backup_message.text() and "核对无误" in section.backup_message.text()
    assert section.last_usb_label.text().startswith("上次备份到U盘：")
    # the first USB backup shows the new recovery code once, and insists it is kept
    code_dialog = section.recovery_dialog
    assert code_dialog is not None and code_dialog.isVisible()
    assert code_dialog.code_label.text() == made.new_code
    assert not code_dialog.ok_button.isEnabled()
    code_dialog.reject()
    assert code_dialog.isVisible()  # Esc does not skip it
    code_dialog.done_check.setChecked(True)
    click(qtbot, code_dialog.ok_button)
    assert not code_dialog.isVisible()
    qtmodeltester.check(section.model)

    b = svc.create("person", {"name": "李四", "id_number": make_id(seq=13),
                              "categories": "退役士兵"})
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kw: (str(written), "")))
    click(qtbot, section.restore_file_button)
    wait(qtbot)
    dialog = section.preview_dialog
    assert isinstance(dialog, RestorePreviewDialog) and dialog.isVisible()
    assert dialog.values["人员档案"].text() == "1 人"
    assert dialog.values["服务站"].text() == f"东沟村退役军人服务站（{VILLAGE_CODE}）"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", dialog.values["最后修改时间"].text())
    assert dialog.findChild(QLabel, "other_station_warning") is None
    assert svc.get("person", b["id"])  # nothing restored before 确认恢复

    changed: list[str] = []
    ctx.data_changed.connect(changed.append)
    click(qtbot, dialog.confirm_button)
    wait(qtbot)
    assert section.last_restore is not None, section.restore_message.text()
    assert "*" in changed
    assert ctx.store is not store and ctx.service.store is ctx.store
    names = [p["name"] for p in ctx.service.list("person")]
    assert names == ["张三丰"]
    assert ctx.service.get("person", a["id"])["name"] == "张三丰"
    # The page's service still works after the swap: writes, search, the kept copy.
    c = ctx.service.create("person", {"name": "王五", "id_number": make_id(seq=15),
                                      "categories": "退役士兵"})
    assert {p["id"] for p in ctx.service.list("person")} == {a["id"], c["id"]}
    assert [h.person_id for h in search(ctx.store, "zsf")] == [a["id"]]
    kept = section.last_restore.kept
    assert kept is not None and kept.exists() and kept.name.startswith("before-restore-")
    assert "恢复前的数据已另存" in section.restore_message.text()
    assert f"已从 {written.name} 恢复" in section.restore_message.text()
    assert ctx.service.operator_id == svc.operator_id
    assert not list((store.path.parent / "backups").glob("*.tmp"))  # no decrypted copy left


def test_encrypted_backup_on_a_pc_without_the_code_asks_for_it(
        qtbot, page, ctx, svc, store, tmp_path):
    from station_desktop.services.backups import usb_backup
    from station_desktop.store import backup as b

    svc.create("person", {"name": "张三丰", "id_number": make_id(seq=31), "categories": "退役士兵"})
    made = usb_backup(store, tmp_path / "usb.stbak")
    code = made.new_code
    b.recovery_code_path(store.path.parent).unlink()  # as on a new PC
    svc.create("person", {"name": "李四", "id_number": make_id(seq=33), "categories": "退役士兵"})
    section = open_section(qtbot, page, "backup")
    section.preview(made.path)
    wait(qtbot)
    asked = section.code_dialog
    assert asked is not None and asked.isVisible() and section.preview_dialog is None
    assert "没有它的恢复码" in asked.reason.text()
    asked.edit.setText("ABCD")  # not even the right shape: asked again, with the reason
    asked.accept()
    wait(qtbot)
    assert section.code_dialog is not asked and "24 位" in section.code_dialog.reason.text()
    section.code_dialog.edit.setText(b.new_recovery_code())  # well-formed but wrong
    section.code_dialog.accept()
    wait(qtbot)
    assert "恢复码不对" in section.code_dialog.reason.text()
    section.code_dialog.edit.setText(code.lower())
    section.code_dialog.accept()
    wait(qtbot)
    dialog = section.preview_dialog
    assert dialog is not None and dialog.values["人员档案"].text() == "1 人"
    assert b.load_recovery_code(store.path.parent) == code  # kept for the next backups
    # 取消 leaves nothing decrypted behind and the data as it was
    dialog.reject()
    assert not list((store.path.parent / "backups").glob("*.tmp"))
    assert len(ctx.service.list("person")) == 2


def test_daily_keep_days_and_reminder_are_settings(qtbot, page, ctx, store):
    from station_desktop.store.backup import daily_keep_days

    section = open_section(qtbot, page, "backup")
    assert section.keep_days.value() == 30
    section.keep_days.setValue(14)
    section.keep_days.editingFinished.emit()
    wait(qtbot)
    assert daily_keep_days(store) == 14
    section.reminder_days.setValue(3)
    assert ctx.config.get(cfg.USB_REMINDER_DAYS) == 3


def test_idle_lock_minutes_setting(qtbot, page, ctx):
    section = open_section(qtbot, page, "security")
    assert section.idle_minutes.value() == 10
    section.idle_minutes.setValue(0)
    assert ctx.config.get(cfg.IDLE_LOCK_MINUTES) == 0
    assert section.idle_minutes.text() == "不自动锁定"


def test_set_own_pin_then_admin_resets_a_clerks(qtbot, page, ctx, svc, store):
    from station_desktop.services import operators

    clerk = svc.create("operator", {"name": "李文书", "active": True})["id"]
    section = open_section(qtbot, page, "operators")
    names = [section.model.record(r)["name"] for r in range(section.model.rowCount())]
    assert all(section.model.record(r)["has_pin"] is not None for r in range(len(names)))
    section.view.selectRow(names.index("王建国"))
    dialog = section.set_pin()
    assert dialog.old_pin is None  # no PIN yet: nothing to confirm
    dialog.new_pin.setText("2580")
    dialog.again.setText("2581")
    click(qtbot, dialog.save_button)
    assert dialog.isVisible() and "不一样" in dialog.message.text()
    dialog.again.setText("2580")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible() and "PIN 已设置" in section.message.text()
    assert operators.sign_in(store, svc.operator_id, "2580") == svc.operator_id
    wait(qtbot)
    shown = {section.model.record(r)["name"]: section.model.data(section.model.index(r, 5))
             for r in range(section.model.rowCount())}
    assert shown == {"王建国": "已设置", "李文书": "未设置"}
    # changing one's own asks for the old PIN
    section.view.selectRow(names.index("王建国"))
    dialog = section.set_pin()
    assert dialog.old_pin is not None
    dialog.old_pin.setText("1111")
    dialog.new_pin.setText("7391")
    dialog.again.setText("7391")
    click(qtbot, dialog.save_button)
    assert dialog.isVisible() and "原 PIN 不对" in dialog.message.text()
    dialog.reject()
    # the administrator sets the clerk's without knowing any old one
    section.view.selectRow(names.index("李文书"))
    dialog = section.set_pin()
    assert dialog.old_pin is None
    dialog.new_pin.setText("4826")
    dialog.again.setText("4826")
    click(qtbot, dialog.save_button)
    assert operators.sign_in(store, clerk, "4826") == clerk


def test_restore_from_listed_daily_backup(qtbot, page, ctx, svc, store):
    from station_desktop.store.backup import rotate_daily

    svc.create("person", {"name": "张三丰", "id_number": make_id(seq=21), "categories": "退役士兵"})
    rotate_daily(store)
    svc.create("person", {"name": "李四", "id_number": make_id(seq=23), "categories": "退役士兵"})
    section = open_section(qtbot, page, "backup")
    kinds = [r[0] for r in section.model.rows]
    assert "每日自动备份" in kinds
    section.view.selectRow(kinds.index("每日自动备份"))
    click(qtbot, section.restore_selected_button)
    dialog = section.preview_dialog
    assert dialog.values["人员档案"].text() == "1 人"
    click(qtbot, dialog.confirm_button)
    wait(qtbot)
    assert [p["name"] for p in ctx.service.list("person")] == ["张三丰"]


def test_restore_refuses_a_file_that_is_not_a_backup(qtbot, page, ctx, store, tmp_path,
                                                      monkeypatch):
    bogus = tmp_path / "not-a-backup.sqlite3"
    bogus.write_bytes(b"hello, this is not sqlite" * 100)
    section = open_section(qtbot, page, "backup")
    boxes = []
    monkeypatch.setattr(errors, "show_error", lambda parent, exc: boxes.append(exc))
    section.preview(Path(bogus))
    wait(qtbot)
    assert section.preview_dialog is None
    assert boxes and "损坏" in boxes[0].user_text()
    assert ctx.store is store


# --- 数据目录, 显示 -------------------------------------------------------------


def test_data_dir_shown_and_opened(qtbot, page, store, monkeypatch):
    section = open_section(qtbot, page, "data_dir")
    assert section.path_label.text() == str(store.path.parent)
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url) or True))
    click(qtbot, section.open_button)
    assert opened and Path(opened[0].toLocalFile()) == store.path.parent


def test_large_font_toggle_applies_at_once(qtbot, page, ctx):
    app = QApplication.instance()
    before = app.font()
    try:
        section = open_section(qtbot, page, "display")
        assert not section.large_font.isChecked()
        qtbot.mouseClick(section.large_font, Qt.MouseButton.LeftButton)
        assert ctx.config.get(cfg.LARGE_FONT) is True
        assert app.font().pointSize() == ctx.config.get(cfg.LARGE_FONT_POINT_SIZE) == 14
        qtbot.mouseClick(section.large_font, Qt.MouseButton.LeftButton)
        assert ctx.config.get(cfg.LARGE_FONT) is False
        assert app.font().pointSize() == ctx.config.get(cfg.FONT_POINT_SIZE) == 11
    finally:
        app.setFont(before)


def test_recovery_code_prints_for_the_archive_cabinet(qtbot, tmp_path):
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    from station_desktop.ui.pages.settings import RecoveryCodeDialog

    dialog = RecoveryCodeDialog("QHTW-FZVR-HP06-DA8T-J3K7-8PP1", "东沟村退役军人服务站")
    qtbot.addWidget(dialog)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "code.pdf"))
    dialog.print_to(printer)
    text = PdfReader(tmp_path / "code.pdf").pages[0].extract_text()
    assert "QHTW-FZVR-HP06-DA8T-J3K7-8PP1" in text and "东沟村退役军人服务站" in text
