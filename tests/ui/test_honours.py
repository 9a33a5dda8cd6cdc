"""荣誉褒扬 in the GUI: a 喜报 through 待领取 → 待送达 → 已送达; filters; counts."""

from __future__ import annotations

import pytest

from station_desktop.domain.enums import HonourState
from station_desktop.ui.forms import RecordDialog
from station_desktop.ui.pages.honours import AdvanceDialog, HonoursPage
from tests.conftest import make_id
from tests.ui.helpers import click, model_ids, wait


@pytest.fixture
def page(show_page):
    return show_page(HonoursPage)


def test_notice_collected_then_delivered(qtbot, qtmodeltester, page, svc, person):
    assert page.hint.isVisible()
    click(qtbot, page.add_button)
    qtbot.keyClicks(page.dialog.query, "zsf")
    wait(qtbot)
    click(qtbot, page.dialog.choose_button)
    dialog = page.dialog
    assert isinstance(dialog, RecordDialog)
    form = dialog.form
    kind = form.editors["kind"].widget
    kind.setCurrentIndex(kind.findData("notice"))
    assert form.editors["title"].widget.text() == "立功喜报"  # offered with the kind
    assert form.editors["recipient"].widget.text() == "张三丰"
    form.editors["award_type"].widget.setText("三等功")
    qtbot.keyClicks(form.editors["awarded_on"].widget, "2026-10-01")
    click(qtbot, dialog.save_button)

    honours = svc.list("honour")
    assert len(honours) == 1
    h = honours[0]
    assert (h["kind"], h["state"], h["title"], h["award_type"]) == (
        "notice", "to_collect", "立功喜报", "三等功")
    assert page.table.current_id() == h["id"]
    assert "喜报待领取 1 份" in page.counts.text()
    assert set(page.advance_buttons) == {HonourState.TO_DELIVER}

    click(qtbot, page.advance_buttons[HonourState.TO_DELIVER])
    step = page.dialog
    assert isinstance(step, AdvanceDialog)
    step.deliverer.setText("王建国、李民兵")
    click(qtbot, step.save_button)
    assert svc.get("honour", h["id"])["state"] == "to_deliver"
    assert "待送达 1 份" in page.counts.text() and "待领取 0 份" in page.counts.text()
    assert set(page.advance_buttons) == {HonourState.DELIVERED}

    click(qtbot, page.advance_buttons[HonourState.DELIVERED])
    step = page.dialog
    assert step.date_label.text() == "送达日期＊"
    step.on.clear()
    qtbot.keyClicks(step.on, "2026-11-20")
    step.feedback.setPlainText("家属非常激动，表示支持孩子在部队建功立业")
    click(qtbot, step.save_button)

    h = svc.get("honour", h["id"])
    assert (h["state"], str(h["done_on"]), h["deliverer"]) == (
        "delivered", "2026-11-20", "王建国、李民兵")
    assert h["feedback"] == "家属非常激动，表示支持孩子在部队建功立业"
    assert page.advance_buttons == {}
    assert "已办完" in page.advance_label.text()
    assert "已送达喜报 1 份" in page.counts.text()
    state_col = [c.key for c in page.model.columns].index("state")
    assert page.model.data(page.model.index(0, state_col)) == "已送达"
    qtmodeltester.check(page.model)


def test_refuses_a_future_delivery_date(qtbot, page, svc, person):
    h = svc.create("honour", {"person_id": person["id"], "kind": "notice", "title": "喜报"})
    svc.advance_honour(h["id"], "to_deliver")
    page.refresh()
    wait(qtbot)
    page.table.select_id(h["id"])
    click(qtbot, page.advance_buttons[HonourState.DELIVERED])
    step = page.dialog
    step.on.setText("2030-01-01")
    click(qtbot, step.save_button)
    assert step.isVisible() and "将来" in step.message.text()
    assert svc.get("honour", h["id"])["state"] == "to_deliver"
    step.reject()


def test_plaque_flow_filters_and_counts(qtbot, qtmodeltester, page, svc, person):
    other = svc.create("person", {"name": "李四", "id_number": make_id(seq=125),
                                  "categories": "退役士兵"})

    def honour(pid: str, kind: str, title: str, applied: str) -> str:
        return svc.create("honour", {"person_id": pid, "kind": kind, "title": title,
                                     "applied_on": applied})["id"]

    plaque = honour(person["id"], "plaque", "光荣之家", "2026-01-10")
    hung = honour(other["id"], "plaque", "光荣之家", "2026-02-10")
    svc.advance_honour(hung, "hung")
    merit = honour(person["id"], "merit", "服役期间荣立个人三等功", "2026-03-10")
    notice = honour(other["id"], "notice", "喜报", "2026-04-10")

    page.refresh()
    wait(qtbot)
    assert model_ids(page) == [notice, merit, hung, plaque]  # newest first
    assert "光荣牌待悬挂 1 块" in page.counts.text()
    assert "喜报待领取 1 份" in page.counts.text()

    page.kind.setCurrentIndex(page.kind.findData("plaque"))
    wait(qtbot)
    assert set(model_ids(page)) == {plaque, hung}
    # the state filter offers only the plaque's states
    assert [page.state.itemData(i) for i in range(1, page.state.count())] == [
        "applied", "hung", "replaced", "cancelled"]
    page.state.setCurrentIndex(page.state.findData("hung"))
    wait(qtbot)
    assert model_ids(page) == [hung]
    page.kind.setCurrentIndex(page.kind.findData("notice"))  # 已悬挂 is not a notice state
    wait(qtbot)
    assert page.state.currentData() is None and model_ids(page) == [notice]
    page.kind.setCurrentIndex(page.kind.findData("merit"))
    wait(qtbot)
    assert model_ids(page) == [merit]
    page.table.select_id(merit)
    assert page.advance_buttons == {}  # recorded merits have no further step
    page.kind.setCurrentIndex(0)
    wait(qtbot)

    # hang the plaque from the list
    page.table.select_id(plaque)
    assert set(page.advance_buttons) == {HonourState.HUNG}
    click(qtbot, page.advance_buttons[HonourState.HUNG])
    click(qtbot, page.dialog.save_button)
    p = svc.get("honour", plaque)
    assert (p["state"], str(p["done_on"]), p["deliverer"]) == ("hung", "2026-11-23", "王建国")
    assert "光荣牌待悬挂 0 块" in page.counts.text()
    assert set(page.advance_buttons) == {HonourState.REPLACED, HonourState.CANCELLED}
    qtmodeltester.check(page.model)
