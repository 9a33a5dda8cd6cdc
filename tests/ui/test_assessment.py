"""Issue 7 items 4 and 5 in the GUI: the county's 站点评估 tab and review, a station's
star-sheet self-assessment, the county's catalogue editor, and a station's
“县里更新了目录” notice after a real return bundle."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QApplication

from station_desktop.domain.catalogues import Catalogues
from station_desktop.services import Service, open_store
from station_desktop.services import assessment as assess
from station_desktop.services import catalogues as catalogue_edits
from station_desktop.store import assessment as sa
from station_desktop.services.demo import generate_county
from station_desktop.services.sync import enrolment
from station_desktop.services.sync.export import export_bundle
from station_desktop.services.sync.imports import import_bundle
from station_desktop.sync import enrol
from station_desktop.sync.keys import ensure_keys
from station_desktop.ui.config import Config
from station_desktop.ui.context import AppContext
from station_desktop.ui.pages.county import CountyPage
from station_desktop.ui.pages.home import HomePage
from station_desktop.ui.pages.settings import SettingsPage
from tests.conftest import TODAY, VILLAGE_CODE
from tests.operators import admin_of
from tests.ui.helpers import click, type_chinese, wait

CATS = Catalogues.defaults()
SHEET = sa.load_sheet(CATS, sa.STAR)


@pytest.fixture
def county_ctx(tmp_path):
    store = open_store(tmp_path / "county", daily_backup=False)
    demo = generate_county(store, towns=1, stations_per_town=4, persons_per_station=5,
                           today=TODAY, seed=5)
    # the clerk at work: reviews are attributed to an active operator
    svc = Service(store, admin_of(store), today=TODAY)
    ctx = AppContext(store, svc, Config(tmp_path / "s.ini"))
    yield ctx, demo
    store.close()


def test_county_assessment_tab_and_review(county_ctx, qtbot, qtmodeltester):
    ctx, _demo = county_ctx
    codes = sorted(sa.distribution(ctx.store, CATS, TODAY.year, sa.STAR, today=TODAY).stations,
                   key=lambda r: r.code)
    assert len(codes) == 4
    full = {i.code: {"score": i.points} for i in SHEET.items}
    # station 0: 100 (five stars); station 1: 75 (two stars, below the 三星 bar); 2 and 3: nothing
    rows = [assess.save_self_assessment(ctx.store, CATS, None, codes[0].code, TODAY.year,
                                        sa.STAR, full, submit=True)]
    weak = {**full, **{i.code: {"score": 0} for i in SHEET.items
                       if i.group in ("文化阵地", "组织领导") or i.code == "info_report"}}
    weak["guard_funds"] = {"score": 1}
    weak["guard_equipment"] = {"score": 2}
    rows.append(assess.save_self_assessment(ctx.store, CATS, None, codes[1].code, TODAY.year,
                                            sa.STAR, weak))
    assert [r["self_score"] for r in rows] == [100, 100 - 20 - 1 - 1]

    page = CountyPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    qtbot.waitUntil(lambda: page.loads >= 1, timeout=10_000)
    page.tabs.setCurrentWidget(page.assessment)
    tab = page.assessment
    qtbot.waitUntil(lambda: tab.loads >= 1, timeout=10_000)
    wait(qtbot)
    qtmodeltester.check(tab.stations)
    qtmodeltester.check(tab.levels)
    assert dict(tab.levels.rows) == {"五星级": 1, "四星级": 0, "三星级": 0, "二星级": 1,
                                     "一星级": 0, "未达星级": 0, "未收到自评": 2}
    assert "达标 1 个" in tab.summary.text() and "三星级（80 分）及以上" in tab.summary.text()
    # below the bar first: the weak station, then the two that sent nothing
    assert tab.stations.keys[0] == codes[1].code
    first = tab.stations.rows[0]
    assert first[4] == "78" and first[5] == "二星级" and first[6] == "未达标"
    assert "统一标识挂牌，位置醒目（0/2）" in first[8]
    misses = {r[0]: r[2] for r in tab.misses.rows}
    assert "有办公电脑、电话等设备" not in misses  # full marks everywhere
    assert misses["统一标识挂牌，位置醒目"] == 1

    # review the weak station: the county gives back 2 points for 工作经费
    tab.stations_view.selectRow(0)
    dialog = tab.review_selected()
    assert dialog is not None
    dialog.table.spins["guard_funds"].setValue(2)
    dialog.table.spins["culture_sign"].setValue(2)
    assert dialog.total_label.text() == "县里评分：81 / 100 分，三星级（达标）"
    type_chinese(dialog.reviewer, "王科长")
    from PySide6.QtWidgets import QDialogButtonBox

    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        click(qtbot, save)
    qtbot.waitUntil(lambda: tab.loads >= 2, timeout=10_000)
    wait(qtbot)
    row = sa.load_assessment(ctx.store, codes[1].code, TODAY.year, sa.STAR)
    assert row is not None
    assert (row["county_score"], row["star_level"], row["reviewer"], row["state"]) == (
        81, 3, "王科长", "reviewed")
    assert row["station_code"] == codes[1].code
    assert dict(tab.levels.rows)["三星级"] == 1
    shown = dict(zip(tab.stations.keys, tab.stations.rows, strict=True))[codes[1].code]
    assert shown[1] == "县里已审核" and shown[3] == "81" and shown[6] == "达标"

    # a station that sent nothing cannot be reviewed: the clerk is told why
    no_row = tab.stations.keys.index(codes[2].code)
    tab.stations_view.selectRow(no_row)
    assert tab.review_selected() is None


@pytest.fixture
def ctx(store, svc, tmp_path):
    c = AppContext(store, svc, Config(tmp_path / "s.ini"))
    yield c


def _settings(ctx, qtbot) -> SettingsPage:
    p = SettingsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 720)
    p.show()
    wait(qtbot)
    return p


def test_station_fills_the_star_sheet(ctx, qtbot):
    page = _settings(ctx, qtbot)
    section = page.show_section("station")
    wait(qtbot)
    dialog = section.open_star_assessment()
    wait(qtbot)
    table = dialog.table
    assert table is not None and table.rowCount() == 61
    assert dialog.state_label.text() == "今年还没有自评。"
    for item in SHEET.items:
        table.spins[item.code].setValue(item.points)
    table.spins["visit_six"].setValue(0)
    table.notes["visit_six"].setText("note")
    assert dialog.total_label.text() == "自评得分：98 / 100 分（五星级）"
    click(qtbot, dialog.submit_button)
    row = sa.load_assessment(ctx.store, VILLAGE_CODE, TODAY.year, sa.STAR)
    assert row is not None and row["self_score"] == 98 and row["state"] == "submitted"
    assert row["items"]["visit_six"] == {"score": 0, "note": "note"}
    assert "已保存并提交县里" in dialog.state_label.text()
    # a village sees the catalogues but cannot edit them
    cats_section = page.show_section("catalogues")
    wait(qtbot)
    assert not cats_section.add_button.isVisible() and not cats_section.edit_button.isVisible()
    assert "本站只能查看" in cats_section.findChild(type(cats_section.changes_label),
                                                    "catalogue_note").text()


def test_county_edits_a_contact_interval(county_ctx, qtbot):
    ctx, _demo = county_ctx
    page = _settings(ctx, qtbot)
    section = page.show_section("catalogues")
    wait(qtbot)
    QApplication.processEvents()
    assert section.add_button.isVisible() and section.edit_button.isVisible()
    kinds = [section.kinds.item(i).data(256) for i in range(section.kinds.count())]
    assert "star_sheet" in kinds and "assessment_rule" in kinds
    section.kinds.setCurrentRow(kinds.index("person_category"))
    row = section.model.keys.index("retired_soldier")
    section.view.selectRow(row)
    dialog = section.edit_entry()
    assert dialog is not None
    dialog.inputs["contact_interval_days"].setValue(45)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    wait(qtbot)
    got = sqlite3.connect(ctx.store.path).execute(
        "SELECT json_extract(data, '$.contact_interval_days') FROM catalogue_item "
        "WHERE kind = 'person_category' AND code = 'retired_soldier'").fetchone()
    assert got == (45,)
    assert ctx.catalogues().get("person_category", "retired_soldier").data[
        "contact_interval_days"] == 45
    assert "每 45 天至少联系一次" in section.model.rows[row][1]

    # a new aid fund; a rule kind refuses new entries; a bad value is shown, not saved
    section.kinds.setCurrentRow(kinds.index("aid_fund"))
    dialog = section.add_entry()
    type_chinese(dialog.name, "县慈善基金")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    wait(qtbot)
    assert "县慈善基金" in [e.name for e in ctx.catalogues().entries("aid_fund")]
    section.kinds.setCurrentRow(kinds.index("star_level"))
    assert not section.add_button.isEnabled()
    section.kinds.setCurrentRow(kinds.index("aid_fund"))
    section.view.selectRow(0)
    dialog = section.edit_entry()
    dialog.name.setText("县慈善基金")  # taken by the new one
    dialog.save()
    wait(qtbot)
    assert "已有“县慈善基金”" in dialog.message.text()


@pytest.fixture
def linked(tmp_path):
    """A county and one of its villages, enrolled through the real request and acceptance."""
    county = open_store(tmp_path / "county", daily_backup=False)
    village = open_store(tmp_path / "village", daily_backup=False)
    try:
        Service(county, today=TODAY).init_station(role="county", code="420303000000", name="区")
        vsvc = Service(village, today=TODAY)
        vsvc.init_station(role="village", code=VILLAGE_CODE, name="东沟村",
                          parent_code="420303100000")
        ensure_keys(tmp_path / "county")
        ensure_keys(tmp_path / "village")
        req = enrol.request(village, tmp_path)
        _p, acc = enrolment.accept(county, req.read_bytes(), tmp_path)
        enrolment.apply(village, acc.read_bytes())
        yield county, village, vsvc
    finally:
        county.close()
        village.close()


def test_village_is_told_what_the_county_changed(linked, tmp_path, qtbot):
    county, village, vsvc = linked
    ctx = AppContext(village, vsvc, Config(tmp_path / "s.ini"))
    home = HomePage(ctx)
    qtbot.addWidget(home)
    home.show()
    qtbot.waitUntil(lambda: home.loads >= 1, timeout=10_000)
    wait(qtbot)
    assert not home.catalogue_notice.isVisible()
    assert ctx.catalogues().get("life_event", "death").data["visit_within_days"] == 3

    ccats = Service(county, today=TODAY).catalogues()
    catalogue_edits.save_entry(county, ccats, admin_of(county), "life_event", "death",
                               name="去世", data={"visit_within_days": 2})
    stick = tmp_path / "stick"
    result = import_bundle(village, export_bundle(county, VILLAGE_CODE, stick).path)
    assert result.status == "applied", result.reason
    ctx.data_changed.emit("*")  # what the exchange page announces after an import
    assert ctx.catalogues().get("life_event", "death").data["visit_within_days"] == 2
    qtbot.waitUntil(lambda: home.loads >= 2, timeout=10_000)
    wait(qtbot)
    assert home.catalogue_notice.isVisible()
    assert "县里更新了目录（1 处）" in home.catalogue_notice.text.text()
    dialog = home.catalogue_notice.show_changes()
    wait(qtbot)
    assert dialog.model.rows[0][1:] == ("重大事项", "去世", "必须走访的期限：3天 → 2天")
    assert dialog.model.rows[0][0].startswith("新 ")
    dialog.reject()
    wait(qtbot)
    assert not home.catalogue_notice.isVisible()


def test_wuyou_resaved_after_the_county_review_is_reviewed_again(linked, tmp_path, qtbot):
    """Issue 11: 设置 → 五有 saved through a second writer that kept ``state=reviewed``,
    so the county's score stood over answers the station had changed since."""
    county, village, vsvc = linked
    ctx = AppContext(village, vsvc, Config(tmp_path / "s.ini"))
    page = _settings(ctx, qtbot)
    section = page.show_section("station")
    wait(qtbot)
    QApplication.processEvents()
    for code in ("institution", "staffing", "personnel"):
        section.checks[code].setChecked(True)
    click(qtbot, section.save_assessment_button)
    first = sa.load_assessment(village, VILLAGE_CODE, TODAY.year, sa.WUYOU)
    assert first is not None and first["self_score"] == 3

    # up to the county, reviewed there (it finds every item in place), and back down
    stick = tmp_path / "stick"
    assert import_bundle(county, export_bundle(village, "420303000000", stick).path
                         ).status == "applied"
    ccats = Service(county, today=TODAY).catalogues()
    assess.review(county, ccats, admin_of(county), first["id"], reviewer="王科长",
                  county_items={c: True for c in ("institution", "staffing", "personnel",
                                                  "funding", "support")})
    back = import_bundle(village, export_bundle(county, VILLAGE_CODE, stick).path)
    assert back.status == "applied", back.reason
    reviewed = sa.load_assessment(village, VILLAGE_CODE, TODAY.year, sa.WUYOU)
    assert (reviewed["state"], reviewed["county_score"]) == ("reviewed", 5)

    # the station changes its answers on the same page and saves again
    section.refresh()
    wait(qtbot)
    assert section.checks["staffing"].isChecked()
    section.checks["staffing"].setChecked(False)
    section.checks["support"].setChecked(True)
    section.checks["funding"].setChecked(True)
    click(qtbot, section.save_assessment_button)
    again = sa.load_assessment(village, VILLAGE_CODE, TODAY.year, sa.WUYOU)
    assert again["id"] == first["id"]
    assert again["state"] != "reviewed"  # the county must look at the new answers
    assert again["self_score"] == 4
    assert not any("county" in v for v in again["items"].values())
    assert "得分 4 分" in section.assess_message.text()
