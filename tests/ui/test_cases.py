"""矛盾纠纷 in the GUI: register, mediate, escalate 村 → 镇, close; filters; overdue in red."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from station_desktop.domain.enums import CaseAction
from station_desktop.ui.forms import RecordDialog
from station_desktop.ui.pages.cases import CaseActionDialog, CasesPage
from station_desktop.ui.person_picker import PersonPicker
from tests.ui.helpers import click, model_ids, wait


@pytest.fixture
def page(show_page):
    return show_page(CasesPage)


def enabled_actions(page) -> set[str]:
    return {a.value for a, b in page.action_buttons.items() if b.isEnabled()}


def act(qtbot, page, action: CaseAction, note: str, **extra) -> CaseActionDialog:
    click(qtbot, page.action_buttons[action])
    dialog = page.dialog
    assert isinstance(dialog, CaseActionDialog) and dialog.action is action
    dialog.note.setPlainText(note)
    if "outcome" in extra:
        dialog.outcome.setPlainText(extra["outcome"])
    if "satisfaction" in extra:
        dialog.satisfaction.setCurrentIndex(dialog.satisfaction.findData(extra["satisfaction"]))
    click(qtbot, dialog.save_button)
    return dialog


def test_register_escalate_to_town_and_close(qtbot, qtmodeltester, page, svc, person):
    click(qtbot, page.register_button)
    picker = page.dialog
    assert isinstance(picker, PersonPicker) and picker.skip_button is not None
    qtbot.keyClicks(picker.query, "zsf")
    wait(qtbot)
    click(qtbot, picker.choose_button)
    dialog = page.dialog
    assert isinstance(dialog, RecordDialog)
    form = dialog.form
    assert form.editors["parties"].widget.text() == "张三丰"
    assert form.editors["registrar"].widget.text() == "王建国"
    for name, code in (("channel", "visit"), ("case_type", "land_property")):
        combo = form.editors[name].widget
        combo.setCurrentIndex(combo.findData(code))
    form.editors["content"].widget.setPlainText("与邻居宅基地边界争议")
    click(qtbot, dialog.save_button)

    cases = svc.list("dispute_case")
    assert len(cases) == 1
    case = cases[0]
    assert (case["state"], case["level"], case["person_id"]) == ("registered", "village",
                                                                  person["id"])
    assert page.table.current_id() == case["id"]
    assert enabled_actions(page) == {"mediate", "escalate", "transfer", "close"}
    assert page.steps.rowCount() == 1  # the registration itself

    act(qtbot, page, CaseAction.MEDIATE, "村调委会组织双方协商，未达成一致")
    assert svc.get("dispute_case", case["id"])["state"] == "mediating"
    act(qtbot, page, CaseAction.ESCALATE, "涉及土地确权，村里无法处理")
    case = svc.get("dispute_case", case["id"])
    assert (case["state"], case["level"]) == ("escalated", "town")
    assert page.model.data(page.model.index(0, 5)) == "镇"
    # at the town the case may be sent down again, or returned
    assert enabled_actions(page) == {"mediate", "escalate", "assign_down", "transfer", "close",
                                     "return"}

    # 办结 needs an outcome: refused in the dialog, nothing written
    click(qtbot, page.action_buttons[CaseAction.CLOSE])
    closing = page.dialog
    click(qtbot, closing.save_button)
    assert closing.isVisible() and "化解结果" in closing.message.text()
    assert svc.get("dispute_case", case["id"])["state"] == "escalated"
    closing.outcome.setPlainText("镇国土所现场勘界，双方签订调解协议")
    closing.satisfaction.setCurrentIndex(closing.satisfaction.findData("4"))
    click(qtbot, closing.save_button)

    case = svc.get("dispute_case", case["id"])
    assert (case["state"], case["level"], case["resolved_level"]) == ("closed", "town", "town")
    assert str(case["closed_on"]) == "2026-11-23"
    assert case["outcome"] == "镇国土所现场勘界，双方签订调解协议"
    assert case["satisfaction"] == "4"
    steps = svc.list("case_step", where={"case_id": case["id"]}, order_by="created_at")
    assert [(s["action"], s["from_level"], s["to_level"], s["handler"]) for s in steps] == [
        ("register", None, "village", "王建国"),
        ("mediate", "village", "village", "王建国"),
        ("escalate", "village", "town", "王建国"),
        ("close", "town", "town", "王建国")]
    # the steps view lists registration and the three steps
    assert page.steps.rowCount() == 4
    assert [page.steps.item(r, 1).text() for r in range(4)] == ["登记", "调解", "上报", "办结"]
    assert page.steps.item(2, 2).text() == "村 → 镇"
    assert enabled_actions(page) == {"return", "revisit"}
    assert "满意" in page.detail_text.text()
    qtmodeltester.check(page.model)


def test_register_without_person(qtbot, page, svc):
    click(qtbot, page.register_button)
    click(qtbot, page.dialog.skip_button)
    dialog = page.dialog
    assert isinstance(dialog, RecordDialog) and dialog.windowTitle() == "登记矛盾纠纷"
    form = dialog.form
    form.editors["parties"].widget.setText("李某某与王某某")
    for name, code in (("channel", "screening"), ("case_type", "neighbour")):
        combo = form.editors[name].widget
        combo.setCurrentIndex(combo.findData(code))
    form.editors["content"].widget.setPlainText("排水沟堵塞引发纠纷")
    click(qtbot, dialog.save_button)
    case = svc.list("dispute_case")[0]
    assert case["person_id"] is None and case["parties"] == "李某某与王某某"
    assert not page.person_button.isEnabled()


def test_filters_and_overdue(qtbot, qtmodeltester, page, svc, person):
    def case(registered: str, deadline: str, *, repeat: bool = False) -> str:
        return svc.create("dispute_case", {
            "person_id": person["id"], "parties": "张三丰", "registrar": "王建国",
            "channel": "visit", "case_type": "policy", "registered_on": registered,
            "deadline": deadline, "content": "反映待遇问题", "repeat_petition": repeat})["id"]

    overdue = case("2026-10-01", "2026-10-16")
    due_today = case("2026-11-08", "2026-11-23")
    escalated = case("2026-09-01", "2026-09-16", repeat=True)
    svc.case_action(escalated, action="escalate", handler="王建国")
    closed = case("2026-08-01", "2026-08-16")
    svc.case_action(closed, action="close", handler="王建国", outcome="已解决")

    page.refresh()
    wait(qtbot)
    assert set(model_ids(page)) == {overdue, due_today, escalated, closed}
    assert "在办 3 件" in page.counts.text() and "超期 2 件" in page.counts.text()
    assert "重复访 1 件" in page.counts.text()

    deadline_col = [c.key for c in page.model.columns].index("deadline")
    red = {page.model.id_at(r) for r in range(page.model.rowCount())
           if page.model.data(page.model.index(r, deadline_col),
                              Qt.ItemDataRole.ForegroundRole) is not None}
    assert red == {overdue, escalated}  # a closed case is no longer overdue
    row = page.model.row_of(overdue)
    assert "超期38天" in page.model.data(page.model.index(row, deadline_col))

    page.overdue.setChecked(True)
    wait(qtbot)
    assert set(model_ids(page)) == {overdue, escalated}
    page.level.setCurrentIndex(page.level.findData("town"))
    wait(qtbot)
    assert model_ids(page) == [escalated]
    page.overdue.setChecked(False)
    page.level.setCurrentIndex(page.level.findData("village"))
    wait(qtbot)
    assert set(model_ids(page)) == {overdue, due_today, closed}
    page.level.setCurrentIndex(0)
    page.state.setCurrentIndex(page.state.findData("__open__"))
    wait(qtbot)
    assert set(model_ids(page)) == {overdue, due_today, escalated}
    page.state.setCurrentIndex(page.state.findData("closed"))
    wait(qtbot)
    assert model_ids(page) == [closed]
    page.state.setCurrentIndex(page.state.findData("revisited"))
    wait(qtbot)
    assert model_ids(page) == [] and page.hint.isVisible()
    page.state.setCurrentIndex(0)
    wait(qtbot)
    # sorted by deadline ascending through the header
    section = [c.key for c in page.model.columns].index("deadline")
    page.table.horizontalHeader().setSortIndicator(section, Qt.SortOrder.AscendingOrder)
    wait(qtbot)
    assert model_ids(page) == [closed, escalated, overdue, due_today]
    qtmodeltester.check(page.model)
