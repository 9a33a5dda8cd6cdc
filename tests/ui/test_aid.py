"""帮扶援助 in the GUI: an application through 村 → 镇 → 县 review, then paid; filters; totals."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from station_desktop.ui.forms import RecordDialog
from station_desktop.ui.pages.aid import AidPage, ReviewDialog
from station_desktop.ui.person_picker import PersonPicker
from tests.conftest import make_id
from tests.ui.helpers import click, model_ids, wait


@pytest.fixture
def page(show_page):
    return show_page(AidPage)


def review(qtbot, page, level_label: str, reviewer: str, *, amount: str | None = None,
           decision: str = "approve") -> None:
    click(qtbot, page.review_button)
    dialog = page.dialog
    assert isinstance(dialog, ReviewDialog)
    assert f"{level_label}级" in dialog.level_label.text()
    dialog.decision.setCurrentIndex(dialog.decision.findData(decision))
    dialog.reviewer.setText(reviewer)
    dialog.opinion.setPlainText(f"{level_label}级审核：情况属实。")
    if amount is not None:
        dialog.amount.clear()
        qtbot.keyClicks(dialog.amount, amount)
    click(qtbot, dialog.save_button)
    assert dialog.result_record is not None, dialog.message.text()


def test_application_through_review_path_then_paid(qtbot, qtmodeltester, page, svc, person):
    # 新建申请: find the person by pinyin initials, then fill the form
    click(qtbot, page.new_button)
    picker = page.dialog
    assert isinstance(picker, PersonPicker)
    qtbot.keyClicks(picker.query, "zsf")
    wait(qtbot)
    assert picker.results.count() == 1 and picker.hits[0].person_id == person["id"]
    click(qtbot, picker.choose_button)
    dialog = page.dialog
    assert isinstance(dialog, RecordDialog) and "张三丰" in dialog.windowTitle()
    form = dialog.form
    aid_type = form.editors["aid_type"].widget
    aid_type.setCurrentIndex(aid_type.findData("medical"))
    fund = form.editors["fund"].widget
    fund.setCurrentIndex(fund.findData("temporary"))
    form.editors["cause"].widget.setPlainText("因病住院，医疗费用负担重")
    qtbot.keyClicks(form.editors["requested_fen"].widget, "2000")
    click(qtbot, dialog.save_button)

    apps = svc.list("aid_application")
    assert len(apps) == 1
    app = apps[0]
    assert (app["state"], app["requested_fen"], app["aid_type"]) == ("applied", 200000, "medical")
    assert app["person_id"] == person["id"]
    assert str(app["applied_on"]) == "2026-11-23"

    # the new application is selected; it waits for the village, and cannot be paid yet
    assert page.table.current_id() == app["id"]
    assert page.model.data(page.model.index(0, 8)) == "待村级审核"
    assert not page.pay_button.isEnabled()
    assert page.review_button.text() == "审核（村级）"

    review(qtbot, page, "村", "王建国")
    assert svc.get("aid_application", app["id"])["state"] == "village_reviewed"
    assert not page.pay_button.isEnabled()
    review(qtbot, page, "镇", "李镇长")
    assert svc.get("aid_application", app["id"])["state"] == "town_reviewed"
    assert not page.pay_button.isEnabled()
    # the review path shows the two done levels and the county still waiting
    assert page.reviews.rowCount() == 3
    assert page.reviews.item(2, 1).text() == "待审核"
    review(qtbot, page, "县", "赵科长", amount="1500")

    app = svc.get("aid_application", app["id"])
    assert (app["state"], app["approved_fen"]) == ("approved", 150000)
    reviews = svc.list("aid_review", where={"application_id": app["id"]},
                       order_by="created_at")
    assert [(r["level"], r["decision"], r["reviewer"]) for r in reviews] == [
        ("village", "approve", "王建国"), ("town", "approve", "李镇长"),
        ("county", "approve", "赵科长")]
    assert reviews[2]["amount_fen"] == 150000
    assert [page.reviews.item(r, 2).text() for r in range(3)] == ["王建国", "李镇长", "赵科长"]

    # 发放: enabled only now, prefilled with the approved amount
    assert not page.review_button.isEnabled()
    click(qtbot, page.pay_button)
    pay = page.dialog
    assert isinstance(pay, RecordDialog)
    assert pay.form.editors["amount_fen"].widget.text() == "1500.00"
    click(qtbot, pay.save_button)

    app = svc.get("aid_application", app["id"])
    assert app["state"] == "paid"
    payments = svc.list("aid_payment", where={"application_id": app["id"]})
    assert [(p["amount_fen"], p["person_id"], p["fund"]) for p in payments] == [
        (150000, person["id"], "temporary")]
    assert not page.pay_button.isEnabled() and not page.review_button.isEnabled()
    assert page.payments.rowCount() == 1 and page.payments.item(0, 1).text() == "1,500.00"
    assert page.model.data(page.model.index(0, 7)) == "已发放"
    assert "申请 1 件" in page.totals.text() and "¥2,000.00" in page.totals.text()
    assert "已发放 ¥1,500.00" in page.totals.text()
    assert "医疗救助 1 件" in page.by_type.text()
    qtmodeltester.check(page.model)


def test_reject_and_return(qtbot, page, svc, person):
    app = svc.create("aid_application", {"person_id": person["id"], "aid_type": "living",
                                         "cause": "失业", "applied_on": "2026-10-01",
                                         "requested_fen": "800"})
    page.refresh()
    wait(qtbot)
    page.table.select_id(app["id"])
    wait(qtbot)
    review(qtbot, page, "村", "王建国")
    # 退回补充 at the town goes back to the village
    review(qtbot, page, "镇", "李镇长", decision="return")
    assert svc.get("aid_application", app["id"])["state"] == "applied"
    assert page.review_button.text() == "审核（村级）"
    review(qtbot, page, "村", "王建国", decision="reject")
    assert svc.get("aid_application", app["id"])["state"] == "rejected"
    assert not page.review_button.isEnabled() and not page.pay_button.isEnabled()
    assert page.reviews.rowCount() == 3  # the whole history, no waiting rows


def test_review_dialog_refuses_missing_reviewer(qtbot, page, svc, person):
    app = svc.create("aid_application", {"person_id": person["id"], "aid_type": "living",
                                         "cause": "失业", "applied_on": "2026-10-01"})
    page.refresh()
    wait(qtbot)
    page.table.select_id(app["id"])
    click(qtbot, page.review_button)
    dialog = page.dialog
    dialog.reviewer.clear()
    click(qtbot, dialog.save_button)
    assert dialog.isVisible() and "审核人" in dialog.message.text()
    assert svc.list("aid_review") == []
    dialog.reject()


def test_filters_and_totals(qtbot, qtmodeltester, page, svc, person):
    other = svc.create("person", {"name": "李四", "id_number": make_id(seq=125),
                                  "categories": "退役士兵"})

    def app(pid: str, aid_type: str, on: str, fen: str) -> str:
        return svc.create("aid_application", {"person_id": pid, "aid_type": aid_type,
                                               "cause": "困难", "applied_on": on,
                                               "requested_fen": fen})["id"]

    old = app(person["id"], "living", "2025-12-20", "1000")
    medical = app(person["id"], "medical", "2026-03-01", "3000")
    living = app(other["id"], "living", "2026-05-01", "500")
    rejected = app(other["id"], "education", "2026-06-01", "700")
    svc.review_aid(rejected, level="village", decision="reject", reviewer="王建国")
    for level in ("village", "town", "county"):
        svc.review_aid(old, level=level, decision="approve", reviewer="某人")
    svc.pay_aid(old, {"paid_on": "2026-01-05", "amount_fen": "900"})

    page.refresh()
    wait(qtbot)
    assert set(model_ids(page)) == {medical, living, rejected}  # this year by default
    assert "2026年：申请 3 件" in page.totals.text()
    assert "¥4,200.00" in page.totals.text()
    # paid in January 2026 for a 2025 application: counts in 2026's payments
    assert "已发放 ¥900.00" in page.totals.text()

    page.year.setCurrentIndex(page.year.findData(2025))
    wait(qtbot)
    assert model_ids(page) == [old]
    assert "2025年：申请 1 件" in page.totals.text()

    page.year.setCurrentIndex(0)  # 全部年度
    wait(qtbot)
    assert set(model_ids(page)) == {old, medical, living, rejected}
    page.type.setCurrentIndex(page.type.findData("living"))
    wait(qtbot)
    assert set(model_ids(page)) == {old, living}
    page.state.setCurrentIndex(page.state.findData("paid"))
    wait(qtbot)
    assert model_ids(page) == [old]
    page.type.setCurrentIndex(0)
    page.state.setCurrentIndex(page.state.findData("rejected"))
    wait(qtbot)
    assert model_ids(page) == [rejected]
    page.state.setCurrentIndex(page.state.findData("approved"))
    wait(qtbot)
    assert model_ids(page) == [] and page.hint.isVisible()
    page.state.setCurrentIndex(0)
    wait(qtbot)

    # sorting by a header re-queries in SQL: 申请金额 ascending
    section = [c.key for c in page.model.columns].index("requested_fen")
    page.table.horizontalHeader().setSortIndicator(section, Qt.SortOrder.AscendingOrder)
    wait(qtbot)
    assert model_ids(page) == [living, rejected, old, medical]
    page.table.horizontalHeader().setSortIndicator(section, Qt.SortOrder.DescendingOrder)
    wait(qtbot)
    assert model_ids(page) == [medical, old, rejected, living]
    qtmodeltester.check(page.model)

    # header state is remembered
    page.save_state()
    again = AidPage(page.ctx)
    qtbot.addWidget(again)
    assert (again.model.sort_key, again.model.sort_desc) == ("requested_fen", True)


def test_person_picker_hint_keyboard_and_cancel(qtbot, page, svc, person):
    click(qtbot, page.new_button)
    picker = page.dialog
    qtbot.keyClicks(picker.query, "zzzz")
    wait(qtbot)
    assert picker.results.count() == 0 and "没有找到" in picker.hint.text()
    assert not picker.choose_button.isEnabled()
    picker.reject()  # cancelled: nothing opens, nothing is written
    wait(qtbot)
    assert page.dialog is picker and svc.list("aid_application") == []

    click(qtbot, page.new_button)
    picker = page.dialog
    qtbot.keyClicks(picker.query, "8000")  # phone tail
    wait(qtbot)
    assert picker.hits and picker.hits[0].person_id == person["id"]
    qtbot.keyClick(picker.query, Qt.Key.Key_Return)
    wait(qtbot)
    assert isinstance(page.dialog, RecordDialog) and "张三丰" in page.dialog.windowTitle()
    page.dialog.reject()
