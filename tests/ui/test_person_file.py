"""A person's file in the GUI: tabs, editing a section, family, records, history, delete/restore."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QPushButton

from station_desktop.store.fields import PERSON_FIELDS
from station_desktop.ui.person_file import (
    SECTIONS,
    PersonFileDialog,
    history_rows,
    local_time,
)
from tests.conftest import make_id
from tests.ui.helpers import click, type_chinese, wait

TAB_TITLES = ["基本信息", "服役", "退役安置", "就业创业", "抚恤优待", "家庭成员", "走访记录",
              "帮扶记录", "矛盾纠纷", "荣誉", "变更历史"]


def button(parent, name: str) -> QPushButton:
    found = parent.findChild(QPushButton, name)
    assert found is not None, name
    return found


@pytest.fixture
def open_file(ctx, qtbot):
    opened = []

    def open_(person_id: str) -> PersonFileDialog:
        dialog = PersonFileDialog(ctx, person_id)
        qtbot.addWidget(dialog)
        dialog.open()
        wait(qtbot)
        assert dialog.loaded
        opened.append(dialog)
        return dialog

    yield open_
    for d in opened:
        try:
            d._close_now()
        except RuntimeError:
            pass
    wait(qtbot)


def table_texts(tab) -> list[list[str]]:
    m = tab.model
    return [[m.data(m.index(r, c)) for c in range(m.columnCount())] for r in range(m.rowCount())]


def test_sections_cover_every_person_field_once():
    names = [n for _key, _title, fields in SECTIONS for n in fields]
    assert sorted(names) == sorted(PERSON_FIELDS)


def test_every_tab_is_there_and_shows_the_person(open_file, person, svc, qtmodeltester):
    svc.update("person", person["id"], {"enlist_date": "2003-12", "rank": "上士",
                                        "resettlement_mode": "自主就业", "employer": "东沟村合作社",
                                        "disability_grade": "6"})
    dialog = open_file(person["id"])
    tabs = dialog.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == TAB_TITLES
    assert not dialog.isModal()
    basic = dialog.sections["basic"]
    assert basic.values["name"].text() == "张三丰"
    assert basic.values["id_number"].text() == person["id_number"]  # in full in the file
    assert basic.values["birth_date"].text() == "1985-03-01（41岁）"
    assert basic.values["sex"].text() == "男"
    assert basic.values["categories"].text() == "退役士兵"
    assert basic.values["ethnicity"].text() == "未填写"
    # the screen reads as the printed booklet does: a month as typed, a grade in words
    assert dialog.sections["service"].values["enlist_date"].text() == "2003-12"
    assert dialog.sections["service"].values["rank"].text() == "上士"
    assert dialog.sections["discharge"].values["resettlement_mode"].text() == "自主就业"
    assert dialog.sections["employment"].values["employer"].text() == "东沟村合作社"
    assert dialog.sections["benefits"].values["disability_grade"].text() == "六级"
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        assert tabs.currentWidget().isVisible()
    for tab in (dialog.family, dialog.visits, dialog.aid, dialog.cases, dialog.honours,
                dialog.history):
        qtmodeltester.check(tab.model)
    assert "张三丰" in dialog.windowTitle()
    assert "13800138000" in dialog.summary.text()


def test_edit_basic_info_and_see_it_in_history(open_file, person, svc, qtbot):
    dialog = open_file(person["id"])
    basic = dialog.sections["basic"]
    click(qtbot, button(basic, "edit_basic"))
    assert basic.editing and basic.save_button.isVisible()
    phone = basic.form.editors["phone"].widget
    assert phone.text() == "13800138000"
    phone.clear()
    qtbot.keyClicks(phone, "1390000")  # too short: said under the field, nothing saved
    assert "格式不对" in basic.form.editors["phone"].error.text()
    click(qtbot, basic.save_button)
    assert basic.editing and svc.get("person", person["id"])["phone"] == "13800138000"
    phone.clear()
    qtbot.keyClicks(phone, "13911112222")
    residence = basic.form.editors["residence"].widget
    type_chinese(residence, "东沟村三组")
    click(qtbot, basic.save_button)
    wait(qtbot)
    saved = svc.get("person", person["id"])
    assert (saved["phone"], saved["residence"]) == ("13911112222", "东沟村三组")
    assert not basic.editing
    assert basic.values["phone"].text() == "13911112222"
    assert "已保存" in dialog.notice.text()
    rows = table_texts(dialog.history)
    # newest first: 时间, 操作员, 操作, 项目, 原来, 改为
    changed = {r[3]: r for r in rows if r[2] == "修改"}
    assert changed["联系电话"][4:] == ["13800138000", "13911112222"]
    assert changed["常住地"][4:] == ["（空）", "东沟村三组"]
    assert changed["联系电话"][1] == "王建国"
    assert rows[-1][2] == "建档"
    assert rows[0][0] == changed["联系电话"][0] and len(rows[0][0]) == len("2026-11-23 13:09")


def test_editing_the_id_number_follows_birth_date_and_sex(open_file, person, svc, qtbot):
    dialog = open_file(person["id"])
    basic = dialog.sections["basic"]
    click(qtbot, button(basic, "edit_basic"))
    eds = basic.form.editors
    eds["id_number"].widget.clear()
    qtbot.keyClicks(eds["id_number"].widget, make_id(birth="19860704", seq=222))
    wait(qtbot)
    assert eds["birth_date"].widget.text() == "1986-07-04"
    assert eds["sex"].widget.currentData() == "F"
    click(qtbot, basic.save_button)
    saved = svc.get("person", person["id"])
    assert (saved["birth_date"], saved["sex"]) == (date(1986, 7, 4), "F")


def test_duplicate_id_refused_under_the_field_when_editing(open_file, person, svc, qtbot):
    other = svc.create("person", {"name": "李四", "id_number": make_id(seq=555),
                                  "categories": "退役士兵"})
    dialog = open_file(other["id"])
    basic = dialog.sections["basic"]
    click(qtbot, button(basic, "edit_basic"))
    ident = basic.form.editors["id_number"]
    ident.widget.clear()
    qtbot.keyClicks(ident.widget, person["id_number"])
    wait(qtbot)
    assert "此身份证号已登记在“张三丰”的档案中" in ident.error.text()
    click(qtbot, basic.save_button)
    assert basic.editing and "张三丰" in ident.error.text()
    assert svc.get("person", other["id"])["id_number"] == make_id(seq=555)
    click(qtbot, basic.cancel_button)
    assert not basic.editing


def test_cancel_and_unsaved_changes_ask_before_closing(open_file, person, qtbot):
    dialog = open_file(person["id"])
    service = dialog.sections["service"]
    click(qtbot, button(service, "edit_service"))
    qtbot.keyClicks(service.form.editors["enlist_date"].widget, "2001-12")
    dialog.reject()
    assert dialog.isVisible() and dialog.confirm_box is not None
    click(qtbot, dialog.confirm_box.findChild(QPushButton, "confirm_no"))
    assert dialog.isVisible() and service.editing
    click(qtbot, service.cancel_button)
    assert service.values["enlist_date"].text() == "未填写"


def test_family_members_add_edit_delete(open_file, person, svc, qtbot, qtmodeltester):
    dialog = open_file(person["id"])
    family = dialog.family
    dialog.tabs.setCurrentWidget(family)
    assert family.empty.isVisible()
    click(qtbot, family.add)
    form = family.dialog.form
    type_chinese(form.editors["relation"].widget, "配偶")
    type_chinese(form.editors["name"].widget, "李秀兰")
    qtbot.keyClicks(form.editors["phone"].widget, "13700001111")
    click(qtbot, family.dialog.save_button)
    wait(qtbot)
    [member] = svc.list("family_member")
    assert (member["person_id"], member["relation"], member["name"]) == (
        person["id"], "配偶", "李秀兰")
    assert table_texts(family)[0][:3] == ["配偶", "李秀兰", "13700001111"]
    qtmodeltester.check(family.model)
    family.view.selectRow(0)
    click(qtbot, family.edit)
    phone = family.dialog.form.editors["phone"].widget
    assert phone.text() == "13700001111"
    phone.clear()
    qtbot.keyClicks(phone, "13700002222")
    click(qtbot, family.dialog.save_button)
    wait(qtbot)
    assert svc.get("family_member", member["id"])["phone"] == "13700002222"
    family.view.selectRow(0)
    click(qtbot, family.delete)
    click(qtbot, family.confirm_box.findChild(QPushButton, "confirm_yes"))
    wait(qtbot)
    assert svc.list("family_member") == []
    assert family.model.rowCount() == 0


def test_record_lists_show_the_persons_work(open_file, person, svc, qtbot):
    pid = person["id"]
    svc.create("visit", {"person_id": pid, "kind": "routine", "method": "phone",
                         "visit_date": "2026-10-01", "visitor": "王建国", "content": "电话问候"})
    svc.create("visit", {"person_id": pid, "kind": "routine", "method": "home",
                         "visit_date": "2026-11-01", "visitor": "王建国", "content": "入户走访",
                         "money_fen": 50000})
    svc.create("aid_application", {"person_id": pid, "aid_type": "temporary",
                                   "cause": "住院治疗", "applied_on": "2026-09-01",
                                   "requested_fen": 300000})
    svc.create("dispute_case", {"person_id": pid, "parties": "张三丰与邻居", "registrar": "王建国",
                                "channel": "visit", "case_type": "neighbour",
                                "registered_on": "2026-10-10", "deadline": "2026-11-10",
                                "content": "宅基地界址争议"})
    svc.create("honour", {"person_id": pid, "kind": "plaque", "title": "光荣之家"})
    dialog = open_file(pid)
    visits = table_texts(dialog.visits)
    assert [r[0] for r in visits] == ["2026-11-01", "2026-10-01"]  # newest first
    assert visits[0][2] == "入户" and visits[0][4] == "500.00 元" and visits[0][6] == "入户走访"
    aid = table_texts(dialog.aid)
    assert aid[0][2] == "3,000.00 元" and aid[0][4] == "已申请"
    cases = table_texts(dialog.cases)
    assert cases[0][2] == "村" and cases[0][5] == "宅基地界址争议"
    honours = table_texts(dialog.honours)
    assert honours[0][:2] == ["光荣牌", "光荣之家"]
    assert "最近联系 2026-11-01" in dialog.summary.text()


def test_record_a_visit_from_the_file(open_file, person, svc, qtbot):
    dialog = open_file(person["id"])
    dialog.tabs.setCurrentWidget(dialog.visits)
    click(qtbot, dialog.visit_tab_button)
    from station_desktop.ui.forms import RecordDialog

    visit = next(d for d in dialog.findChildren(RecordDialog) if d.objectName() == "visit_dialog")
    visit.form.editors["content"].widget.setPlainText("入户走访，了解生活情况。")
    if not visit.save_button.isEnabled():
        type_chinese(visit.form.editors["visitor"].widget, "王建国")
    click(qtbot, visit.save_button)
    wait(qtbot)
    assert len(svc.list("visit")) == 1
    assert dialog.visits.model.rowCount() == 1  # the open file reloaded


def test_delete_and_restore_from_the_file(open_file, person, svc, qtbot):
    dialog = open_file(person["id"])
    click(qtbot, dialog.delete_button)
    click(qtbot, dialog.confirm_box.findChild(QPushButton, "confirm_yes"))
    wait(qtbot)
    assert svc.get("person", person["id"], include_deleted=True)["deleted_at"] is not None
    assert dialog.banner.isVisible() and "回收站" in dialog.banner.text()
    assert dialog.restore_button.isVisible() and not dialog.delete_button.isVisible()
    assert not dialog.sections["basic"].edit_button.isEnabled()
    assert not dialog.visit_button.isEnabled() and not dialog.family.add.isEnabled()
    history = table_texts(dialog.history)
    assert history[0][2] == "删除" and history[0][5] == "移入回收站"
    click(qtbot, dialog.restore_button)
    wait(qtbot)
    assert svc.get("person", person["id"])["deleted_at"] is None
    assert not dialog.banner.isVisible() and dialog.delete_button.isVisible()
    assert table_texts(dialog.history)[0][5] == "从回收站恢复"


def test_a_deleted_person_opened_from_the_recycle_bin_can_be_restored(open_file, person, svc,
                                                                     qtbot):
    svc.delete("person", person["id"])
    dialog = open_file(person["id"])
    assert dialog.restore_button.isVisible()
    click(qtbot, dialog.restore_button)
    assert svc.get("person", person["id"])["deleted_at"] is None


def test_opening_the_same_person_twice_raises_the_open_file(ctx, open_file, person, qtbot):
    first = open_file(person["id"])
    second = PersonFileDialog(ctx, person["id"])
    second.open()
    wait(qtbot)
    assert PersonFileDialog.opened[person["id"]] is first


def test_history_rows_and_local_time(svc):
    assert local_time("2026-11-23T05:09:00.123Z") == "2026-11-23 13:09"
    assert local_time("2026-12-31T20:30:00.000Z") == "2027-01-01 04:30"
    cats = svc.catalogues()
    rows = history_rows([
        {"seq": 1, "at": "2026-11-23T01:00:00.000Z", "op": "I", "operator_id": "a",
         "changes": {"name": "张三"}},
        {"seq": 2, "at": "2026-11-23T02:00:00.000Z", "op": "U", "operator_id": "a",
         "changes": '{"categories": ["[\\"retired_soldier\\"]", "[\\"retired_soldier\\", '
                    '\\"disabled_soldier\\"]"], "key_focus": [0, 1], "hlc": [1, 2], '
                    '"updated_at": ["x", "y"]}'},
    ], {"a": "王建国"}, cats)
    assert [(r["op"], r["field"], r["old"], r["new"]) for r in rows] == [
        ("修改", "人员类别", "退役士兵", "退役士兵、残疾军人"),
        ("修改", "重点关注", "否", "是"),
        ("建档", "", "", "建立档案"),
    ]
    assert rows[0]["at"] == "2026-11-23 10:00" and rows[0]["operator"] == "王建国"
