"""人员档案 in the GUI: add with ID checks, duplicates, filters, sort, delete and restore."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QListWidget

from station_desktop.store.display import mask_id_number
from station_desktop.ui.pages.roster import RosterPage
from station_desktop.ui.person_file import PersonFileDialog
from tests.conftest import make_id
from tests.ui.helpers import click, model_ids, type_chinese, wait


def check_item(widget: QListWidget, label: str) -> None:
    item = next(widget.item(i) for i in range(widget.count()) if widget.item(i).text() == label)
    item.setCheckState(Qt.CheckState.Checked)


@pytest.fixture
def page(show_page, qtbot):
    yield show_page(RosterPage)
    for d in list(PersonFileDialog.opened.values()):
        d.close()
    wait(qtbot)


@pytest.fixture
def roster(svc, ctx, qtbot) -> dict[str, dict]:
    def make(name, seq, cats, **kw):
        return svc.create("person", {"name": name, "id_number": make_id(seq=seq),
                                     "categories": cats, **kw})

    made = {
        "zhang": make("张三丰", 11, "退役士兵", phone="13800138000"),
        "an": make("安小军", 13, "残疾军人", key_focus=True,
                   id_number=make_id(birth="19500101", seq=13)),
        "li": make("李四", 15, ["退役士兵", "残疾军人"], tags=["party_member"],
                   id_number=make_id(birth="19900101", seq=15)),
        "wang": make("王五", 17, "烈士遗属", key_focus=True,
                     id_number=make_id(birth="19700615", seq=17)),
    }
    ctx.data_changed.emit("person")  # as every write in the program announces
    wait(qtbot)
    return made


def test_empty_roster_says_how_to_start(page):
    assert page.model.rowCount() == 0
    assert page.body.currentWidget() is page.empty
    assert "新建档案" in page.empty.text()
    assert page.count_label.text() == "共 0 人"


def test_list_shows_everyone_in_pinyin_order_with_masked_id(page, roster, qtbot, qtmodeltester):
    r = roster
    assert model_ids(page) == [r["an"]["id"], r["li"]["id"], r["wang"]["id"], r["zhang"]["id"]]
    assert page.count_label.text() == "共 4 人"
    m = page.model
    row = m.row_of(r["zhang"]["id"])
    texts = [m.data(m.index(row, c)) for c in range(m.columnCount())]
    number = r["zhang"]["id_number"]
    assert texts[0] == "张三丰"
    assert texts[1] == "男"
    assert texts[2].startswith("1985-03-01（41岁")
    assert texts[3] == mask_id_number(number) == number[:6] + "********" + number[-4:]
    assert texts[4] == "退役士兵"
    assert texts[5] == "13800138000"
    assert "未联系" in texts[6]
    li = m.row_of(r["li"]["id"])
    assert m.data(m.index(li, 4)) == "退役士兵、残疾军人"
    qtmodeltester.check(m)


def test_filter_by_category_and_key_focus(page, roster, qtbot):
    r = roster
    combo = page.category_combo
    combo.setCurrentIndex(combo.findData("disabled_soldier"))
    wait(qtbot)
    assert model_ids(page) == [r["an"]["id"], r["li"]["id"]]
    assert page.count_label.text() == "共 2 人（已筛选）"
    qtbot.mouseClick(page.key_focus_check, Qt.MouseButton.LeftButton)
    wait(qtbot)
    assert page.key_focus_check.isChecked()
    assert model_ids(page) == [r["an"]["id"]]
    combo.setCurrentIndex(0)
    wait(qtbot)
    assert model_ids(page) == [r["an"]["id"], r["wang"]["id"]]
    tags = page.tag_combo
    tags.setCurrentIndex(tags.findData("party_member"))
    wait(qtbot)
    assert model_ids(page) == []
    assert page.body.currentWidget() is page.empty
    assert "清除筛选" in page.empty.text()
    click(qtbot, page.clear_button)
    assert len(model_ids(page)) == 4


def test_overdue_filter_matches_the_due_list(page, roster, svc, store, qtbot):
    # Everyone registered today is not due yet; backdate two registrations.
    with store.raw_write() as con:
        con.execute("UPDATE person SET registered_on = '2026-01-01' WHERE id IN (?, ?)",
                    (roster["zhang"]["id"], roster["an"]["id"]))
    qtbot.mouseClick(page.overdue_check, Qt.MouseButton.LeftButton)
    wait(qtbot)
    got = model_ids(page)
    assert set(got) == {roster["zhang"]["id"], roster["an"]["id"]}
    assert set(got) == {r["person_id"] for r in svc.due_list()["overdue_contacts"]}
    m = page.model
    assert "逾期" in m.data(m.index(0, 6))
    assert m.data(m.index(0, 6), Qt.ItemDataRole.ForegroundRole) is not None


def header_click(qtbot, page, column: int) -> None:
    header = page.view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, header.height() // 2))
    wait(qtbot)


def test_sort_by_clicking_headers(page, roster, qtbot):
    r = roster
    header_click(qtbot, page, 2)  # 出生日期/年龄
    assert (page.sort_key, page.descending) == ("birth_date", False)
    by_birth = [r["an"]["id"], r["wang"]["id"], r["zhang"]["id"], r["li"]["id"]]
    assert model_ids(page) == by_birth
    header_click(qtbot, page, 2)
    assert page.descending
    assert model_ids(page) == by_birth[::-1]
    header_click(qtbot, page, 0)  # back to 姓名 (pinyin)
    assert model_ids(page) == [r["an"]["id"], r["li"]["id"], r["wang"]["id"], r["zhang"]["id"]]
    page.save_state()
    # A new page comes back with the remembered sort.
    header_click(qtbot, page, 0)
    page.save_state()
    again = RosterPage(page.ctx)
    qtbot.addWidget(again)
    assert not again.loaded  # nothing is read before the page is shown
    again.show()
    wait(qtbot)
    assert (again.sort_key, again.descending) == ("name", True)
    assert model_ids(again) == model_ids(page)


def test_add_person_invalid_then_valid_id(page, svc, qtbot):
    page.add_person()
    wait(qtbot)
    dialog = page.add_dialog
    assert dialog is not None and dialog.isVisible()
    eds = dialog.form.editors
    type_chinese(eds["name"].widget, "赵红梅")
    ident = eds["id_number"].widget
    qtbot.keyClicks(ident, make_id(birth="19880512", seq=124)[:-1] + "0")  # wrong check digit
    wait(qtbot)
    error = dialog.findChild(type(eds["id_number"].error), "error_id_number")
    assert error.isVisible() and "校验位不对" in error.text()
    assert eds["birth_date"].widget.text() == ""
    # Saving now is refused in the dialog, the database untouched.
    check_item(eds["categories"].widget, "现役军人家属")
    click(qtbot, dialog.save_button)
    assert dialog.isVisible() and svc.count("person") == 0
    ident.clear()
    qtbot.keyClicks(ident, make_id(birth="19880512", seq=124))
    wait(qtbot)
    assert not error.isVisible()
    assert eds["birth_date"].widget.text() == "1988-05-12"
    assert eds["sex"].widget.currentData() == "F"  # even sequence: a woman
    qtbot.keyClicks(eds["phone"].widget, "13912345678")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    wait(qtbot)
    [p] = svc.list("person")
    assert (p["name"], p["birth_date"].isoformat(), p["sex"], p["categories"], p["phone"]) == (
        "赵红梅", "1988-05-12", "F", ["serving_family"], "13912345678")
    assert model_ids(page) == [p["id"]]
    assert page.selected_id() == p["id"]
    assert "赵红梅" in page.banner_text.text()


def test_birth_date_typed_by_hand_that_contradicts_the_id_is_flagged(page, svc, qtbot):
    page.add_person()
    wait(qtbot)
    dialog = page.add_dialog
    eds = dialog.form.editors
    qtbot.keyClicks(eds["birth_date"].widget, "1985-03-02")
    qtbot.keyClicks(eds["id_number"].widget, make_id(birth="19850301", seq=123))
    wait(qtbot)
    assert eds["birth_date"].widget.text() == "1985-03-02"  # never fixed silently
    assert eds["sex"].widget.currentData() == "M"
    assert "出生日期与身份证号不符" in eds["birth_date"].error.text()
    assert "1985-03-01" in eds["birth_date"].error.text()
    type_chinese(eds["name"].widget, "钱七")
    check_item(eds["categories"].widget, "退役士兵")
    click(qtbot, dialog.save_button)
    assert dialog.isVisible()
    assert "不符" in eds["birth_date"].error.text()
    assert svc.count("person") == 0
    eds["birth_date"].widget.setText("1985-03-01")
    assert not eds["birth_date"].error.isVisible()
    click(qtbot, dialog.save_button)
    assert svc.count("person") == 1


def test_duplicate_id_is_caught_while_typing_and_on_save(page, roster, svc, qtbot):
    before = svc.list("person")
    page.add_person()
    wait(qtbot)
    dialog = page.add_dialog
    eds = dialog.form.editors
    type_chinese(eds["name"].widget, "张三")
    check_item(eds["categories"].widget, "退役士兵")
    qtbot.keyClicks(eds["id_number"].widget, roster["zhang"]["id_number"])
    wait(qtbot)
    assert "此身份证号已登记在“张三丰”的档案中" in eds["id_number"].error.text()
    assert dialog.open_existing.isVisible()
    click(qtbot, dialog.save_button)
    assert dialog.isVisible()
    assert "张三丰" in eds["id_number"].error.text() and eds["id_number"].error.isVisible()
    assert svc.list("person") == before
    # The button offers the file that already exists.
    click(qtbot, dialog.open_existing)
    assert not dialog.isVisible()
    assert roster["zhang"]["id"] in PersonFileDialog.opened


def test_delete_to_recycle_bin_and_undo(page, roster, svc, qtbot):
    pid = roster["li"]["id"]
    page.select_person(pid)
    assert page.selected_id() == pid
    click(qtbot, page.delete_button)
    box = page.confirm_box
    assert "李四" in box.text()
    click(qtbot, box.findChild(type(page.delete_button), "confirm_yes"))
    wait(qtbot)
    assert svc.get("person", pid, include_deleted=True)["deleted_at"] is not None
    assert pid not in model_ids(page) and page.count_label.text() == "共 3 人"
    assert page.banner.isVisible() and page.banner_action.text() == "撤销"
    click(qtbot, page.banner_action)
    wait(qtbot)
    assert svc.get("person", pid)["deleted_at"] is None
    assert pid in model_ids(page) and page.selected_id() == pid


def test_delete_can_be_cancelled(page, roster, svc, qtbot):
    pid = roster["wang"]["id"]
    page.select_person(pid)
    click(qtbot, page.delete_button)
    click(qtbot, page.confirm_box.findChild(type(page.delete_button), "confirm_no"))
    assert svc.get("person", pid)["deleted_at"] is None


def test_double_click_and_enter_open_the_file(page, roster, qtbot):
    row = page.model.row_of(roster["wang"]["id"])
    rect = page.view.visualRect(page.model.index(row, 0))
    # QTest's double click alone skips the first press the view needs to see.
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait(qtbot)
    dialog = page.file_dialog
    assert dialog.person_id == roster["wang"]["id"] and dialog.isVisible()
    assert not dialog.isModal()
    assert dialog.title.text().startswith("王五")
    dialog.close()
    wait(qtbot)
    page.select_person(roster["an"]["id"])
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    wait(qtbot)
    assert page.file_dialog.person_id == roster["an"]["id"]


def test_record_a_visit_from_the_row(page, roster, svc, qtbot):
    """Select the row, 记录走访, type what was done, 保存: the visit is on file."""
    pid = roster["zhang"]["id"]
    page.select_person(pid)
    qtbot.keyClick(page.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    wait(qtbot)
    from station_desktop.ui.forms import RecordDialog

    dialog = next(d for d in page.findChildren(RecordDialog) if d.objectName() == "visit_dialog")
    assert dialog.isVisible()
    content = dialog.form.editors["content"].widget
    content.setPlainText("电话询问近况，身体健康。")
    if not dialog.save_button.isEnabled():  # visitor still to be filled
        type_chinese(dialog.form.editors["visitor"].widget, "王建国")
    click(qtbot, dialog.save_button)
    wait(qtbot)
    [visit] = svc.list("visit")
    assert visit["person_id"] == pid
    assert svc.get("person", pid)["last_contact_on"] == visit["visit_date"]
    row = page.model.row_of(pid)
    assert page.model.data(page.model.index(row, 6)) == visit["visit_date"].isoformat()


def test_buttons_need_a_selection(page, roster, qtbot):
    page.view.clearSelection()
    page._update_buttons()
    assert not page.open_button.isEnabled() and not page.delete_button.isEnabled()
    page.select_person(roster["an"]["id"])
    assert page.open_button.isEnabled() and page.visit_button.isEnabled()


def test_reloads_when_a_person_is_added_elsewhere(page, svc, qtbot, ctx):
    svc.create("person", {"name": "孙八", "id_number": make_id(seq=31), "categories": "退役士兵"})
    ctx.data_changed.emit("person")
    wait(qtbot)
    assert page.model.rowCount() == 1
