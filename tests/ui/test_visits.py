"""走访慰问 in the GUI: a visit in four actions, life events, holiday campaigns, the visit list."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QListWidget, QTableView

from station_desktop.store import visits as sv
from station_desktop.ui.forms import RecordDialog
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.visits import VisitsPage
from station_desktop.ui.person_picker import PersonPicker
from station_desktop.ui.visit_dialog import (
    CampaignDialog,
    CampaignsDialog,
    open_life_event_dialog,
    open_visit_dialog,
)
from tests.conftest import TODAY, make_id
from tests.ui.helpers import click, model_ids, type_chinese, wait


def click_cell(qtbot, view: QTableView, row: int, col: int, *, double: bool = False) -> None:
    rect = view.visualRect(view.model().index(row, col))
    assert rect.isValid()
    if double:  # a view needs the press before the double click, as a real mouse sends
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    else:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait(qtbot)


def check_item(widget: QListWidget, label: str) -> None:
    item = next(widget.item(i) for i in range(widget.count()) if widget.item(i).text() == label)
    item.setCheckState(Qt.CheckState.Checked)


def child_dialog(parent, name: str, cls=RecordDialog):
    found = [d for d in parent.findChildren(cls) if d.objectName() == name and d.isVisible()]
    assert found, f"no open {name}"
    return found[-1]


def close_info_boxes() -> None:
    for w in QApplication.topLevelWidgets():
        if w.objectName() == "info_box":
            w.close()


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@pytest.fixture
def group(svc) -> dict[str, dict]:
    """Persons a 残疾军人 + 70岁以上 campaign must tell apart."""
    specs = {
        "disabled_young": ("残疾军人", "19850301"),
        "disabled_old": ("残疾军人", "19400101"),
        "soldier_old": ("退役士兵", "19500615"),
        "soldier_young": ("退役士兵", "19900101"),
        "martyr_family": ("烈士遗属", "19650101"),
        "soldier_69": ("退役士兵", "19570301"),
    }
    out = {key: svc.create("person", {
        "name": f"人员{i}", "id_number": make_id(birth=birth, seq=301 + 2 * i),
        "categories": cats}) for i, (key, (cats, birth)) in enumerate(specs.items())}
    gone = svc.create("person", {"name": "已删", "id_number": make_id(birth="19300101", seq=9),
                                 "categories": "残疾军人"})
    svc.delete("person", gone["id"])
    return out


def expected_group(svc, on: date) -> set[str]:
    """残疾军人 or aged 70+ on ``on``, computed from the roster without the code under test."""
    return {p["id"] for p in svc.list("person")
            if "disabled_soldier" in p["categories"] or _age(p["birth_date"], on) >= 70}


# --- recording a visit -----------------------------------------------------------------


def test_record_a_visit_in_four_actions(ctx, svc, person, qtbot):
    """(1) the row, (2) 记录走访, (3) kind already 常态化联系, (4) 保存: nothing else to fill."""
    dialog = open_visit_dialog(ctx, person["id"], None)
    qtbot.addWidget(dialog)
    wait(qtbot)
    eds = dialog.form.editors
    assert dialog.isVisible() and dialog.objectName() == "visit_dialog"
    assert eds["visit_date"].widget.text() == TODAY.isoformat()
    assert eds["visitor"].widget.text() == "王建国"
    assert eds["method"].widget.currentText() == "入户"
    assert eds["kind"].widget.currentText() == "常态化联系"
    assert "张三丰" in dialog.windowTitle()
    assert dialog.focusWidget() is eds["content"].widget
    with qtbot.waitSignal(ctx.data_changed, check_params_cb=lambda kind: kind == "visit"):
        click(qtbot, dialog.save_button)
    wait(qtbot)
    assert not dialog.isVisible()
    [visit] = svc.list("visit", where={"person_id": person["id"]})
    assert (visit["kind"], visit["method"], visit["visit_date"], visit["visitor"],
            visit["operator_id"], visit["money_fen"]) == (
        "routine", "home", TODAY, "王建国", svc.operator_id, 0)
    assert svc.get("person", person["id"])["last_contact_on"] == TODAY


def test_choose_the_kind_and_write_what_was_done(ctx, svc, person, qtbot):
    dialog = open_visit_dialog(ctx, person["id"], None)
    qtbot.addWidget(dialog)
    wait(qtbot)
    eds = dialog.form.editors
    kind = eds["kind"].widget
    kind.setCurrentIndex(kind.findText("困难帮扶走访"))
    type_chinese(eds["content"].widget, "送米面油")
    eds["money_fen"].widget.setFocus()
    qtbot.keyClicks(eds["money_fen"].widget, "200")
    QTest.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait(qtbot)
    [visit] = svc.list("visit")
    assert (visit["kind"], visit["content"], visit["money_fen"]) == ("hardship", "送米面油",
                                                                     20000)


def test_a_refused_visit_stays_open_with_the_reason(ctx, svc, person, qtbot):
    dialog = open_visit_dialog(ctx, person["id"], None)
    qtbot.addWidget(dialog)
    wait(qtbot)
    date_edit = dialog.form.editors["visit_date"].widget
    date_edit.clear()
    qtbot.keyClicks(date_edit, (TODAY + timedelta(days=3)).isoformat())
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait(qtbot)
    assert dialog.isVisible()
    error = dialog.form.editors["visit_date"].error
    assert error.isVisible() and "将来" in error.text()
    assert svc.list("visit") == []


def test_life_event_then_visit_at_once(ctx, svc, person, qtbot):
    """登记重大变故 → 保存并记录走访: the visit dialog opens on the event and closes it."""
    dialog = open_life_event_dialog(ctx, person["id"], None)
    qtbot.addWidget(dialog)
    wait(qtbot)
    kind = dialog.form.editors["kind"].widget
    kind.setCurrentIndex(kind.findText("去世"))
    hint = dialog.findChild(type(dialog.message), "deadline_hint")
    assert (TODAY + timedelta(days=3)).isoformat() in hint.text()
    click(qtbot, dialog.findChild(type(dialog.save_button), "save_and_visit"))
    [event] = svc.list("life_event")
    assert event["visit_due_on"] == TODAY + timedelta(days=3) and event["closed_on"] is None
    visit_dialog = next(w for w in QApplication.topLevelWidgets()
                        if isinstance(w, RecordDialog) and w.objectName() == "visit_dialog"
                        and w.isVisible())
    qtbot.addWidget(visit_dialog)
    wait(qtbot)
    assert visit_dialog.form.editors["kind"].widget.currentText() == "六必访(重大变故)"
    assert "去世" in visit_dialog.findChild(type(dialog.message), "dialog_header").text()
    click(qtbot, visit_dialog.save_button)
    assert svc.get("life_event", event["id"])["closed_on"] == TODAY
    [visit] = svc.list("visit")
    assert visit["life_event_id"] == event["id"] and visit["kind"] == "major_event"


# --- holiday campaigns ---------------------------------------------------------------


def open_campaign_dialog(ctx, qtbot) -> CampaignDialog:
    dialog = CampaignDialog(ctx, None)
    qtbot.addWidget(dialog)
    dialog.show()
    wait(qtbot)
    return dialog


def choose_group(dialog: CampaignDialog, qtbot) -> None:
    check_item(dialog.categories, "残疾军人")
    qtbot.mouseClick(dialog.age, Qt.MouseButton.LeftButton,
                     pos=QPoint(8, dialog.age.height() // 2))  # on the box itself
    assert dialog.age.isChecked()
    qtbot.waitUntil(lambda: "残疾军人" in dialog.count_label.text() and not Op.running)


def test_holiday_campaign_records_visits_for_exactly_the_group(ctx, svc, group, qtbot):
    dialog = open_campaign_dialog(ctx, qtbot)
    form = dialog.campaign_form.editors
    assert form["holiday"].widget.currentText() == "春节"  # the next holiday on 11-23
    start = date.fromisoformat(form["start_on"].widget.text())
    assert start == sv.next_holiday_window("spring_festival", TODAY, ctx.catalogues()).start
    assert form["name"].widget.text() == "2027年春节走访慰问"
    choose_group(dialog, qtbot)
    expected = expected_group(svc, start)
    assert dialog.match_count == len(expected) == 3
    assert f"符合条件：{len(expected)} 人" in dialog.count_label.text()
    dialog.visit_form.editors["gifts"].widget.setText("大米一袋、食用油一桶")
    qtbot.keyClicks(dialog.visit_form.editors["money_fen"].widget, "500")
    click(qtbot, dialog.record_button)
    wait(qtbot)
    assert not dialog.isVisible()
    [camp] = svc.list("campaign")
    assert camp["planned"] == len(expected) and camp["holiday"] == "spring_festival"
    visits = svc.list("visit", where={"campaign_id": camp["id"]})
    assert {v["person_id"] for v in visits} == expected
    assert all(v["kind"] == "holiday" and v["money_fen"] == 50000 and v["visitor"] == "王建国"
               and v["gifts"] == "大米一袋、食用油一桶" for v in visits)
    close_info_boxes()


def test_cancelled_campaign_run_leaves_no_visits(ctx, svc, group, qtbot):
    dialog = open_campaign_dialog(ctx, qtbot)
    choose_group(dialog, qtbot)
    gate = threading.Event()
    Op(None, lambda: gate.wait(10)).run()  # hold the single worker so the cancel comes first
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    dialog.op.progress.cancel()  # what the progress dialog's 取消 does
    gate.set()
    wait(qtbot)
    assert dialog.isVisible()
    assert "已取消" in dialog.message.text() and dialog.message.isVisible()
    assert svc.list("visit") == [] and svc.list("campaign") == []
    assert dialog.record_button.isEnabled()


def test_schedule_then_record_person_by_person(ctx, svc, group, qtbot, qtmodeltester):
    dialog = open_campaign_dialog(ctx, qtbot)
    choose_group(dialog, qtbot)
    click(qtbot, dialog.create_button)
    [camp] = svc.list("campaign")
    expected = expected_group(svc, camp["start_on"])
    assert camp["planned"] == len(expected) and svc.list("visit") == []
    close_info_boxes()

    campaigns = CampaignsDialog(ctx, None)
    qtbot.addWidget(campaigns)
    campaigns.resize(960, 640)
    campaigns.show()
    wait(qtbot)
    assert campaigns.campaigns.rowCount() == 1
    assert campaigns.campaigns.record(0)["progress"] == f"0 / {len(expected)} 人（0%）"
    assert set(campaigns.remaining_ids) == expected
    qtmodeltester.check(campaigns.campaigns)
    qtmodeltester.check(campaigns.remaining)
    first = campaigns.remaining.id_at(0)
    click_cell(qtbot, campaigns.remaining_view, 0, len(campaigns.remaining.columns) - 1)
    visit_dialog = child_dialog(campaigns, "visit_dialog")
    wait(qtbot)
    assert visit_dialog.form.editors["kind"].widget.currentText() == "节日慰问"
    click(qtbot, visit_dialog.save_button)
    qtbot.waitUntil(lambda: len(campaigns.remaining_ids) == len(expected) - 1)
    assert first not in campaigns.remaining_ids
    wait(qtbot)
    assert campaigns.campaigns.record(0)["progress"].startswith(f"1 / {len(expected)} 人")
    [visit] = svc.list("visit")
    assert visit["campaign_id"] == camp["id"] and visit["person_id"] == first

    # the rest in one go
    click(qtbot, campaigns.rest_button)
    rest = child_dialog(campaigns, "record_rest_dialog")
    wait(qtbot)
    assert rest.form.editors["visitor"].widget.text() == "王建国"
    click(qtbot, rest.save_button)
    wait(qtbot)
    qtbot.waitUntil(lambda: campaigns.remaining_ids == [])
    assert {v["person_id"] for v in svc.list("visit", where={"campaign_id": camp["id"]})} \
        == expected
    close_info_boxes()


# --- the visit list --------------------------------------------------------------------


@pytest.fixture
def visits(svc, person):
    other = svc.create("person", {"name": "李四", "id_number": make_id(seq=41),
                                  "categories": "烈士遗属"})
    second_op = svc.create("operator", {"name": "李桂雪"})

    def visit(pid, day, kind="常态化联系", op=None, **kw):
        return svc.create("visit", {"person_id": pid, "kind": kind, "method": "电话",
                                    "visit_date": day, "visitor": "王建国",
                                    "operator_id": op or svc.operator_id, **kw})

    return {
        "nov": visit(person["id"], date(2026, 11, 20), content="电话询问近况"),
        "oct": visit(other["id"], date(2026, 10, 8), kind="节日慰问", op=second_op["id"],
                     money_fen="500"),
        "jul": visit(person["id"], date(2026, 7, 1)),
        "old": visit(other["id"], date(2025, 12, 30)),
        "other": other, "op2": second_op,
    }


@pytest.fixture
def page(show_page):
    return show_page(VisitsPage)


def test_visit_list_filters_and_sorts(page, visits, svc, qtbot, qtmodeltester):
    page.refresh()
    wait(qtbot)
    assert model_ids(page) == [visits["nov"]["id"], visits["oct"]["id"]]  # 本季度, newest first
    assert "共 2 条走访，涉及 2 人，慰问金 500.00 元" in page.summary.text()
    qtmodeltester.check(page.model)
    row = page.model.record(0)
    assert row["name"] == "张三丰"
    assert page.model.data(page.model.index(1, 2)) == "节日慰问"
    assert page.model.data(page.model.index(1, 6)) == "500.00 元"

    page.period.setCurrentIndex(page.period.findText("全部"))
    wait(qtbot)
    assert model_ids(page) == [visits[k]["id"] for k in ("nov", "oct", "jul", "old")]
    page.period.setCurrentIndex(page.period.findText("本月"))
    wait(qtbot)
    assert model_ids(page) == [visits["nov"]["id"]]
    page.period.setCurrentIndex(page.period.findText("本年"))
    wait(qtbot)
    assert len(model_ids(page)) == 3

    page.kind.setCurrentIndex(page.kind.findText("节日慰问"))
    wait(qtbot)
    assert model_ids(page) == [visits["oct"]["id"]]
    page.kind.setCurrentIndex(0)
    wait(qtbot)
    page.operator.setCurrentIndex(page.operator.findText("李桂雪"))
    wait(qtbot)
    assert model_ids(page) == [visits["oct"]["id"]]
    page.operator.setCurrentIndex(0)
    wait(qtbot)

    page.period.setCurrentIndex(page.period.findText("指定日期…"))
    wait(qtbot)
    assert page.date_from.isEnabled()
    page.date_from.setDate(QDate(2026, 6, 1))
    page.date_to.setDate(QDate(2026, 10, 31))
    wait(qtbot)
    assert model_ids(page) == [visits["oct"]["id"], visits["jul"]["id"]]

    # sort by name (click the header): ties keep their order
    header = page.view.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(1) + 20, header.height() // 2))
    wait(qtbot)
    assert page.sort()[0] == "name"
    names = [page.model.record(r)["name"] for r in range(page.model.rowCount())]
    assert names == sorted(names) or names == sorted(names, reverse=True)

    # nothing in the range: the hint says so
    page.date_from.setDate(QDate(2020, 1, 1))
    page.date_to.setDate(QDate(2020, 2, 1))
    wait(qtbot)
    assert page.model.rowCount() == 0 and page.empty.isVisible()


def test_double_click_opens_the_person(page, visits, ctx, qtbot):
    page.refresh()
    wait(qtbot)
    with qtbot.waitSignal(ctx.open_person) as opened:
        click_cell(qtbot, page.view, 0, 1, double=True)
    assert opened.args == [page.model.record(0)["person_id"]]


def test_record_a_visit_from_the_page_with_the_search(page, person, svc, qtbot):
    click(qtbot, page.record_button)
    picker = next(d for d in page.findChildren(PersonPicker) if d.isVisible())
    qtbot.keyClicks(picker.query, "zsf")
    wait(qtbot)
    assert picker.results.count() == 1
    qtbot.keyClick(picker.query, Qt.Key.Key_Return)
    wait(qtbot)
    dialog = child_dialog(page, "visit_dialog")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.record(0)["person_id"] == person["id"]
    assert len(svc.list("visit")) == 1


def test_header_state_is_saved(page, ctx):
    page.view.setColumnWidth(1, 222)
    page.save_state()
    assert ctx.config.state("visits/header") is not None
