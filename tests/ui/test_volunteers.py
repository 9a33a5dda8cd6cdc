"""志愿服务 in the GUI: a team, two members, activities with hours; cumulative hours shown."""

from __future__ import annotations

from collections import Counter

import pytest

from station_desktop.ui.forms import RecordDialog
from station_desktop.ui.pages.volunteers import HoursDialog, VolunteersPage
from tests.ui.helpers import click, wait


def shown_hours(minutes: int) -> str:
    """Hours with one decimal, half up, in integer arithmetic (independent of the program)."""
    tenths = (2 * minutes + 6) // 12
    return f"{tenths // 10}.{tenths % 10} 小时"


def cell(model, row_id: str, key: str) -> str:
    row = model.row_of(row_id)
    col = [c.key for c in model.columns].index(key)
    return model.data(model.index(row, col))


@pytest.fixture
def page(show_page):
    return show_page(VolunteersPage, (1200, 760))


def add_activity(qtbot, page, title: str, held_on: str | None = None) -> None:
    click(qtbot, page.add_activity_button)
    dialog = page.dialog
    assert isinstance(dialog, RecordDialog)
    dialog.form.editors["title"].widget.setText(title)
    if held_on:
        dialog.form.editors["held_on"].widget.clear()
        qtbot.keyClicks(dialog.form.editors["held_on"].widget, held_on)
    click(qtbot, dialog.save_button)


def test_team_members_activities_and_hours(qtbot, qtmodeltester, page, svc, person):
    assert page.team_hint.isVisible() and not page.add_member_button.isEnabled()

    click(qtbot, page.new_team_button)
    dialog = page.dialog
    dialog.form.editors["name"].widget.setText("张富清老兵志愿服务队")
    dialog.form.editors["leader"].widget.setText("张三丰")
    click(qtbot, dialog.save_button)
    team = svc.list("volunteer_team")[0]
    assert page.team_id == team["id"] and page.member_hint.isVisible()

    # a member from the roster, found by pinyin initials
    click(qtbot, page.add_member_button)
    qtbot.keyClicks(page.dialog.query, "zsf")
    wait(qtbot)
    click(qtbot, page.dialog.choose_button)
    dialog = page.dialog
    assert dialog.form.editors["name"].widget.text() == "张三丰"
    assert dialog.form.editors["phone"].widget.text() == "13800138000"
    click(qtbot, dialog.save_button)
    # and one who is not on the roster, by name
    click(qtbot, page.add_member_button)
    click(qtbot, page.dialog.skip_button)
    dialog = page.dialog
    dialog.form.editors["name"].widget.setText("刘志愿")
    click(qtbot, dialog.save_button)

    members = svc.list("volunteer_member", where={"team_id": team["id"]}, order_by="name")
    assert {(m["name"], m["person_id"]) for m in members} == {
        ("张三丰", person["id"]), ("刘志愿", None)}
    zhang = next(m["id"] for m in members if m["person_id"])
    liu = next(m["id"] for m in members if not m["person_id"])
    assert page.members.rowCount() == 2
    assert cell(page.teams, team["id"], "members") == "2 人"

    add_activity(qtbot, page, "重阳节敬老院慰问")
    first = page.activity_table.current_id()
    click(qtbot, page.hours_button)
    hours = page.dialog
    assert isinstance(hours, HoursDialog) and set(hours.spins) == {zhang, liu}
    hours.spins[zhang].setValue(90)
    hours.spins[liu].setValue(150)
    click(qtbot, hours.save_button)

    add_activity(qtbot, page, "清理村道积雪", "2026-11-01")
    second = page.activity_table.current_id()
    assert second != first
    click(qtbot, page.hours_button)
    hours = page.dialog
    hours.all_minutes.setValue(45)
    click(qtbot, hours.findChild(type(hours.save_button), "hours_fill_all"))
    assert hours.spins[liu].value() == 45
    hours.spins[liu].setValue(0)  # did not come
    click(qtbot, hours.save_button)

    rows = svc.list("volunteer_hours")
    assert sorted((r["member_id"], r["minutes"]) for r in rows) == sorted(
        [(zhang, 90), (liu, 150), (zhang, 45)])
    per_member = Counter()
    for r in rows:
        per_member[r["member_id"]] += r["minutes"]
    total = sum(per_member.values())
    assert cell(page.members, zhang, "minutes") == shown_hours(per_member[zhang]) == "2.3 小时"
    assert cell(page.members, liu, "minutes") == shown_hours(per_member[liu]) == "2.5 小时"
    assert cell(page.members, zhang, "activities") == "2 次"
    assert cell(page.teams, team["id"], "minutes") == shown_hours(total) == "4.8 小时"
    assert cell(page.activities, first, "minutes") == shown_hours(240)
    assert cell(page.activities, second, "participants") == "1 人"
    assert f"累计服务 {shown_hours(total)}" in page.totals.text()

    # correct the first activity: 张三丰 was not there after all (0 removes the entry)
    page.activity_table.select_id(first)
    click(qtbot, page.hours_button)
    hours = page.dialog
    assert (hours.spins[zhang].value(), hours.spins[liu].value()) == (90, 150)
    hours.spins[zhang].setValue(0)
    click(qtbot, hours.save_button)
    assert sorted((r["member_id"], r["minutes"]) for r in svc.list("volunteer_hours")) == sorted(
        [(liu, 150), (zhang, 45)])
    assert cell(page.members, zhang, "minutes") == shown_hours(45)
    assert cell(page.teams, team["id"], "minutes") == shown_hours(195)

    for model in (page.teams, page.members, page.activities):
        qtmodeltester.check(model)


def test_two_teams_keep_their_own_members(qtbot, page, svc):
    a = svc.create("volunteer_team", {"name": "甲队"})["id"]
    b = svc.create("volunteer_team", {"name": "乙队"})["id"]
    for team, name in ((a, "张一"), (a, "张二"), (b, "李一")):
        svc.create("volunteer_member", {"team_id": team, "name": name, "joined_on": "2026-01-01"})
    act = svc.create("volunteer_activity", {"team_id": b, "title": "植树",
                                            "held_on": "2026-03-12"})["id"]
    member = svc.list("volunteer_member", where={"team_id": b})[0]["id"]
    svc.create("volunteer_hours", {"activity_id": act, "member_id": member, "minutes": 200})
    page.refresh()
    wait(qtbot)
    assert {page.teams.id_at(r) for r in range(page.teams.rowCount())} == {a, b}
    page.team_table.select_id(a)
    wait(qtbot)
    assert page.members.rowCount() == 2 and page.activities.rowCount() == 0
    assert page.activity_hint.isVisible() and not page.hours_button.isEnabled()
    page.team_table.select_id(b)
    wait(qtbot)
    assert page.members.rowCount() == 1 and page.activities.rowCount() == 1
    assert cell(page.teams, b, "minutes") == shown_hours(200) == "3.3 小时"
    assert cell(page.teams, a, "minutes") == "0.0 小时"
    # a member who left keeps the hours served
    svc.update("volunteer_member", member, {"left_on": "2026-06-01"})
    page.refresh()
    wait(qtbot)
    assert cell(page.teams, b, "members") == "0 人"
    assert cell(page.teams, b, "minutes") == "3.3 小时"


def test_hours_of_one_activity_are_saved_together_or_not_at_all(qtbot, page, svc):
    """Issue 11: the dialog saved one transaction per member, so a member that could not
    take the hours (removed on another PC meanwhile) left the others' hours written."""
    team = svc.create("volunteer_team", {"name": "甲队"})["id"]
    first = svc.create("volunteer_member", {"team_id": team, "name": "张一",
                                            "joined_on": "2026-01-01"})["id"]
    second = svc.create("volunteer_member", {"team_id": team, "name": "张二",
                                             "joined_on": "2026-02-01"})["id"]
    act = svc.create("volunteer_activity", {"team_id": team, "title": "植树",
                                            "held_on": "2026-03-12"})["id"]
    page.refresh()
    wait(qtbot)
    page.team_table.select_id(team)
    wait(qtbot)
    page.activity_table.select_id(act)
    click(qtbot, page.hours_button)
    hours = page.dialog
    assert isinstance(hours, HoursDialog) and list(hours.spins) == [first, second]
    hours.spins[first].setValue(120)
    hours.spins[second].setValue(90)
    svc.delete("volunteer_member", second)  # the second one is gone before 保存
    click(qtbot, hours.save_button)
    assert hours.isVisible() and "找不到" in hours.message.text()
    assert svc.list("volunteer_hours") == []  # not even the first member's 120 minutes
    # with the removed member at 0 the same dialog saves the rest
    hours.spins[second].setValue(0)
    with qtbot.waitSignal(hours.accepted, timeout=10_000):
        click(qtbot, hours.save_button)
    assert [(r["member_id"], r["minutes"]) for r in svc.list("volunteer_hours")] == [
        (first, 120)]
