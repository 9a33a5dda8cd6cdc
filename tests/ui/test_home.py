"""首页/待办 in the GUI: due visits appear and vanish, coverage, one click to every record."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from station_desktop.domain import rules
from station_desktop.services import Service, campaigns
from station_desktop.store import visits as sv
from station_desktop.ui.config import Config
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import RecordDialog
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.home import HomePage
from station_desktop.ui.visit_dialog import CampaignsDialog, open_life_event_dialog
from tests.conftest import TODAY, make_id
from tests.ui.helpers import click, wait


def click_cell(qtbot, view: QTableView, row: int, col: int) -> None:
    rect = view.visualRect(view.model().index(row, col))
    assert rect.isValid()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait(qtbot)


def visit_dialog_of(parent) -> RecordDialog:
    return next(d for d in parent.findChildren(RecordDialog)
                if d.objectName() == "visit_dialog" and d.isVisible())


def make_page(ctx, qtbot) -> HomePage:
    page = HomePage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 900)
    page.show()
    qtbot.waitUntil(lambda: page.loads >= 1 and not Op.running, timeout=10_000)
    return page


def test_life_event_due_visit_appears_and_vanishes(ctx, svc, person, qtbot, qtmodeltester):
    page = make_page(ctx, qtbot)
    assert page.events.model.rowCount() == 0 and page.events.empty.isVisible()

    dialog = open_life_event_dialog(ctx, person["id"], page)
    wait(qtbot)
    kind = dialog.form.editors["kind"].widget
    kind.setCurrentIndex(kind.findText("重大疾病住院"))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: page.events.model.rowCount() == 1)
    row = page.events.model.record(0)
    assert (row["name"], row["kind_label"], row["visit_due_on"], row["state"]) == (
        "张三丰", "重大疾病住院", TODAY + timedelta(days=7), "还剩 7 天")
    assert "（1）" in page.events.title()
    qtmodeltester.check(page.events.model)

    # 走访 on the row: the visit dialog comes up on the event; 保存 closes it
    click_cell(qtbot, page.events.view, 0, page.events.model.column_of("action"))
    visit = visit_dialog_of(page)
    wait(qtbot)
    assert visit.form.editors["kind"].widget.currentText() == "六必访(重大变故)"
    assert visit.form.hidden["life_event_id"] == row["event_id"]
    click(qtbot, visit.save_button)
    qtbot.waitUntil(lambda: page.events.model.rowCount() == 0)
    assert page.events.empty.isVisible()
    event = svc.get("life_event", row["event_id"])
    assert event["closed_on"] == TODAY and event["closed_by_visit_id"]


def test_overdue_life_event_is_red(ctx, svc, person, qtbot):
    svc.create("life_event", {"person_id": person["id"], "kind": "去世",
                              "event_date": TODAY - timedelta(days=10)})
    page = make_page(ctx, qtbot)
    model = page.events.model
    assert model.record(0)["state"] == "已逾期 7 天"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole).name() == "#c62828"


def test_coverage_is_contacted_over_total(ctx, svc, qtbot):
    persons = [svc.create("person", {"name": f"覆盖{i}", "id_number": make_id(seq=401 + 2 * i),
                                     "categories": "退役士兵"}) for i in range(7)]

    def visit(pid: str, day: date) -> dict:
        return svc.create("visit", {"person_id": pid, "kind": "常态化联系", "method": "电话",
                                    "visit_date": day, "visitor": "王建国"})

    visit(persons[0]["id"], date(2026, 10, 1))
    visit(persons[0]["id"], date(2026, 11, 2))  # twice: still one person
    visit(persons[1]["id"], TODAY)
    visit(persons[2]["id"], date(2026, 9, 30))  # last quarter
    gone = visit(persons[3]["id"], date(2026, 11, 5))
    svc.delete("visit", gone["id"])
    visit(persons[4]["id"], date(2026, 11, 6))
    svc.delete("person", persons[4]["id"])  # a deleted person counts nowhere
    q_start, q_end = rules.quarter_bounds(TODAY)
    live = [p["id"] for p in svc.list("person")]
    contacted = {v["person_id"] for v in svc.list("visit")
                 if q_start <= v["visit_date"] <= q_end and v["person_id"] in live}
    assert len(contacted) == 2 and len(live) == 6

    page = make_page(ctx, qtbot)
    assert page.coverage_figure.text() == f"{len(contacted) / len(live) * 100:.1f}%" == "33.3%"
    assert page.coverage_bar.maximum() == len(live)
    assert page.coverage_bar.value() == len(contacted)
    assert f"已联系 {len(contacted)} 人，共 {len(live)} 人" in page.coverage_text.text()


def test_overdue_row_opens_the_person_or_records_a_visit(ctx, svc, qtbot, qtmodeltester):
    late = svc.create("person", {"name": "逾期者", "id_number": make_id(seq=501),
                                 "categories": "残疾军人", "registered_on": "2025-01-01",
                                 "phone": "13900001111"})
    page = make_page(ctx, qtbot)
    model = page.overdue.model
    assert model.rowCount() == 1 and model.record(0)["person_id"] == late["id"]
    assert model.data(model.index(0, 2)) == "从未联系"
    interval = rules.contact_interval_days(["disabled_soldier"], False, ctx.catalogues())
    assert model.record(0)["overdue_days"] == (
        TODAY - (date(2025, 1, 1) + timedelta(days=interval))).days
    qtmodeltester.check(model)
    with qtbot.waitSignal(ctx.open_person) as opened:
        click_cell(qtbot, page.overdue.view, 0, 0)
    assert opened.args == [late["id"]]

    click_cell(qtbot, page.overdue.view, 0, model.column_of("action"))
    dialog = visit_dialog_of(page)
    wait(qtbot)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: model.rowCount() == 0)
    assert page.overdue.empty.isVisible()
    assert page.coverage_bar.value() == 1


def test_cases_and_aid_open_their_pages(ctx, svc, person, qtbot, qtmodeltester):
    svc.create("dispute_case", {
        "person_id": person["id"], "parties": "张三丰与邻居", "registrar": "王建国",
        "channel": "来访", "case_type": "邻里纠纷", "registered_on": date(2026, 10, 1),
        "deadline": date(2026, 11, 1), "content": "宅基地边界"})
    app = svc.create("aid_application", {
        "person_id": person["id"], "aid_type": "临时救助", "cause": "住院",
        "applied_on": date(2026, 11, 10), "requested_fen": "2000"})
    svc.review_aid(app["id"], level="村", decision="同意", reviewer="王建国")
    page = make_page(ctx, qtbot)
    assert page.cases.model.rowCount() == 1
    assert page.cases.model.record(0)["overdue_days"] == 22
    assert page.cases.model.data(page.cases.model.index(0, 2)) == "村级"
    assert page.aid.model.record(0)["waiting_for"] == "等待镇级审核"
    assert page.aid.model.data(page.aid.model.index(0, 3)) == "2,000.00 元"
    qtmodeltester.check(page.cases.model)
    qtmodeltester.check(page.aid.model)
    with qtbot.waitSignal(ctx.show_page) as shown:
        click_cell(qtbot, page.cases.view, 0, 0)
    assert shown.args == ["cases"]
    with qtbot.waitSignal(ctx.show_page) as shown:
        click_cell(qtbot, page.aid.view, 0, 1)
    assert shown.args == ["aid"]


def test_holiday_window_and_campaign_progress(store, svc, tmp_path, qtbot, qtmodeltester):
    in_window = date(2027, 1, 25)  # 春节 2027-02-06: its window opened on 01-17
    service = Service(store, svc.operator_id, today=in_window)
    ctx = AppContext(store, service, Config(tmp_path / "s.ini"))
    old = [svc.create("person", {"name": f"老兵{i}", "id_number": make_id(birth="19400101",
                                                                       seq=601 + 2 * i),
                                 "categories": "退役士兵"}) for i in range(3)]
    svc.create("person", {"name": "年轻", "id_number": make_id(birth="19900101", seq=701),
                          "categories": "退役士兵"})
    w = sv.next_holiday_window("spring_festival", in_window, service.catalogues())
    camp = campaigns.create_campaign(service, {"holiday": "春节", "year": 2027,
                                               "name": "2027年春节走访慰问",
                                               "start_on": w.start, "end_on": w.end},
                                     sv.GroupCriteria(min_age=70))
    campaigns.record_campaign_visits(service, camp["id"], [old[0]["id"]], {"visitor": "王建国"})
    page = make_page(ctx, qtbot)
    assert "春节慰问期" in page.holiday_lines.text()
    assert "重点对象还有 2 人没有走访" in page.holiday_lines.text()
    model = page.holidays.model
    assert model.rowCount() == 1 and model.record(0)["progress"] == "1 / 3 人（33%）"
    qtmodeltester.check(model)
    click_cell(qtbot, page.holidays.view, 0, model.column_of("action"))
    dialog = next(d for d in page.findChildren(CampaignsDialog) if d.isVisible())
    wait(qtbot)
    assert dialog.campaigns.record(0)["id"] == camp["id"]
    assert set(dialog.remaining_ids) == {old[1]["id"], old[2]["id"]}
    dialog.close()


def test_reload_only_when_shown(ctx, svc, person, qtbot):
    page = make_page(ctx, qtbot)
    loads = page.loads
    page.hide()
    ctx.data_changed.emit("visit")
    wait(qtbot)
    assert page.loads == loads  # hidden: marked stale, no query
    page.show()
    qtbot.waitUntil(lambda: page.loads == loads + 1)
