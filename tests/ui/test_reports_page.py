"""统计报表 and 数据交换 pages: every figure shown equals the one counted from raw rows."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import text

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.validate import format_fen
from station_desktop.sync.keys import ensure_keys
from station_desktop.ui.pages.exchange import ExchangePage
from station_desktop.ui.pages.reports import PRINT_TOOLTIP, TOTAL, ReportsPage
from station_desktop.ui.table import RowsModel
from tests.conftest import VILLAGE_CODE
from tests.store.test_stats import H1, Q4, build_sample, expected
from tests.ui.helpers import wait


@pytest.fixture
def page(ctx, qtbot, svc):
    build_sample(svc)
    p = ReportsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 760)
    p.show()
    p.refresh()
    wait(qtbot)
    return p


def rows(page, name: str) -> dict:
    """A report table as {first cell: the other cells}, without the 合计 row."""
    return {r[0]: r[1:] for r in page.sections[name].model.rows if not str(r[0]).startswith(TOTAL)}


def total(page, name: str) -> tuple:
    last = page.sections[name].model.rows[-1]
    assert str(last[0]).startswith(TOTAL)
    return last[1:]


def check_page_against_raw(page, store, start: date, end: date) -> None:
    cats = Catalogues.defaults()
    exp = expected(store.path, start, end)
    assert page.bounds() == (start, end)

    # 人员
    assert rows(page, "by_category") == {
        cats.name("person_category", c): (n,) for c, n in exp["by_category"].items()}
    assert total(page, "by_category") == (exp["persons"],)
    assert rows(page, "by_group") == {g: (n,) for g, n in exp["by_group"].items()}
    # 走访
    assert rows(page, "visits_by_month") == {
        f"{k[:4]}年{int(k[5:7])}月": v for k, v in exp["visits_by_month"].items()}
    assert rows(page, "visits_by_kind") == {
        cats.name("visit_kind", k): v for k, v in exp["visits_by_kind"].items()}
    if exp["visit_totals"][0]:
        assert total(page, "visits_by_kind") == exp["visit_totals"]
        assert total(page, "visits_by_month") == exp["visit_totals"]
    else:
        assert page.sections["visits_by_kind"].model.rowCount() == 0
    # 帮扶
    shown_applied = {(r[0], r[1]): r[2:] for r in page.sections["aid_applied"].model.rows
                     if r[0] != TOTAL}
    assert shown_applied == {
        (cats.name("aid_type", t), cats.name("aid_fund", f) if f else "（未填）"): v
        for (t, f), v in exp["aid_applied"].items()}
    shown_paid = {(r[0], r[1]): r[2:] for r in page.sections["aid_paid"].model.rows
                  if r[0] != TOTAL}
    assert shown_paid == {
        (cats.name("aid_type", t), cats.name("aid_fund", f) if f else "（未填）"): v
        for (t, f), v in exp["aid_paid"].items()}
    # 矛盾纠纷: one row per level
    c = exp["cases"]
    assert rows(page, "cases") == {
        f"{label}级": (c["resolved"].get(code, 0), c["still_open"].get(code, 0),
                      c["open_all"].get(code, 0))
        for code, label in (("village", "村"), ("town", "镇"), ("county", "县"))}
    assert f"目前超过办理期限仍未办结 {c['overdue']} 件" in page.case_extra.text()
    # 荣誉
    h = exp["honours"]
    assert rows(page, "honours") == {
        "光荣牌：已申请、未悬挂": (h["plaques_not_hung"],),
        "喜报：待领取": (h["notices_to_collect"],),
        "喜报：待送达": (h["notices_to_deliver"],),
        "喜报：超过期限仍未送达": (h["notices_overdue"],),
        "本期悬挂光荣牌": (h["plaques_hung_in_period"],),
        "本期送达喜报": (h["notices_delivered_in_period"],),
    }
    # 志愿服务
    assert rows(page, "volunteers") == exp["volunteers"]
    # headline figures
    card = {k: c.value.text() for k, c in page.cards.items()}
    assert card["persons"] == f"{exp['persons']} 人"
    assert card["visits"] == f"{exp['visit_totals'][0]} 次"
    assert card["coverage"] == f"{exp['contacted'] / exp['persons'] * 100:.1f}%"
    assert page.cards["coverage"].detail.text() == \
        f"已联系 {exp['contacted']} / {exp['persons']} 人"
    paid = sum(v[2] for v in exp["aid_paid"].values())
    assert card["aid_paid"] == f"{format_fen(paid)} 元"
    assert card["cases"] == f"{c['opened']} 件"
    assert card["honours"] == \
        f"{h['plaques_not_hung'] + h['notices_to_collect'] + h['notices_to_deliver']} 项"


def test_quarter_figures_match_raw_rows(qtbot, qtmodeltester, page, store):
    assert page.period.currentData() == "quarter"
    check_page_against_raw(page, store, *Q4)
    for section in page.sections.values():
        qtmodeltester.check(section.model)
    # The money columns are formatted in yuan from integer fen.
    model = page.sections["aid_paid"].model
    cell = model.data(model.index(model.rowCount() - 1, 4))
    assert cell == f"{format_fen(780000)} 元"
    assert model.data(model.index(0, 2), Qt.ItemDataRole.TextAlignmentRole) & int(
        Qt.AlignmentFlag.AlignRight)


def test_other_periods_match_raw_rows(qtbot, page, store):
    page.period.setCurrentIndex(page.period.findData("year"))
    wait(qtbot)
    check_page_against_raw(page, store, date(2026, 1, 1), date(2026, 12, 31))
    page.period.setCurrentIndex(page.period.findData("month"))
    wait(qtbot)
    check_page_against_raw(page, store, date(2026, 11, 1), date(2026, 11, 30))
    page.set_custom_period(*H1)
    assert page.start_edit.isEnabled() and page.end_edit.isEnabled()
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    wait(qtbot)
    check_page_against_raw(page, store, *H1)


def test_figures_follow_new_records(qtbot, page, ctx, svc, store):
    person = svc.list("person", where={"name": "测试e"})[0]
    svc.create("visit", {"person_id": person["id"], "kind": "routine", "method": "home",
                         "visit_date": "2026-11-20", "visitor": "王建国"})
    ctx.data_changed.emit("visit")
    wait(qtbot)
    check_page_against_raw(page, store, *Q4)
    assert page.cards["coverage"].detail.text() == "已联系 4 / 5 人"


def test_custom_period_end_before_start_is_explained(qtbot, page):
    before = page.report
    page.set_custom_period(date(2026, 11, 1), date(2026, 10, 1))
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    wait(qtbot)
    assert "结束日期早于开始日期" in page.status.text()
    assert page.report is before


def test_print_makes_the_report_of_the_period_on_screen(qtbot, page):
    from pypdf import PdfReader

    assert page.print_button.isEnabled() and page.print_button.toolTip() == PRINT_TOOLTIP
    page.set_custom_period(date(2026, 1, 1), date(2026, 11, 23))
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    wait(qtbot, timeout=30_000)
    shown = [w for w in page.findChildren(QDialog) if hasattr(w, "pdf")]
    assert len(shown) == 1
    text = "".join(p.extract_text() for p in PdfReader(shown[0].pdf).pages)
    assert "统计期间：2026年1月1日至2026年11月23日" in text


def test_empty_station_shows_hints(qtbot, ctx, store, svc):
    p = ReportsPage(ctx)
    qtbot.addWidget(p)
    p.show()
    p.refresh()
    wait(qtbot)
    assert p.cards["persons"].value.text() == "0 人"
    assert p.cards["coverage"].value.text() == "—"
    assert p.sections["visits_by_month"].model.rowCount() == 0
    section = p.sections["visits_by_month"]
    assert section.hint.isVisibleTo(section) and section.hint.text() == "本期没有走访记录。"
    assert p.sections["volunteers"].hint.text() == "还没有志愿服务队。"


def test_rows_model(qtmodeltester):
    model = RowsModel(["名称", "数量"], [None, lambda v: f"{v} 人"])
    model.set_rows([("甲", 3), ("乙", 4), (TOTAL, 7)], keys=["a", "b", None])
    qtmodeltester.check(model)
    assert model.data(model.index(1, 1)) == "4 人"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole) == "a"
    assert model.data(model.index(2, 0), Qt.ItemDataRole.FontRole).bold()
    assert model.headerData(1, Qt.Orientation.Horizontal) == "数量"


# --- 数据交换 ------------------------------------------------------------------


def test_exchange_page_shows_identity_and_pending_changes(qtbot, ctx, store, svc, person):
    keys = ensure_keys(store.path.parent)
    p = ExchangePage(ctx)
    qtbot.addWidget(p)
    p.show()
    p.refresh()
    wait(qtbot)
    assert p.code_label.text() == VILLAGE_CODE
    assert p.role_label.text() == "村(社区)服务站"
    assert p.fingerprint_label.text() == keys.fingerprint
    pending = svc.pending_changes()
    assert p.pending_label.text() == f"{pending} 条"
    # the county's catalogues never go up, so the range starts after their seeding
    with store.read() as s:
        first, last = s.execute(text(
            "SELECT min(seq), max(seq) FROM change_log WHERE table_name != 'catalogue_item'")).one()
    assert p.range_label.text().startswith(f"第 {first} 号 至 第 {last} 号")
    assert p.acked_label.text() == "还没有交换过"
    assert "尚未登记" in p.peer_label.text()  # the bundles themselves: tests/ui/test_exchange.py
    assert "密钥指纹" in p.findChild(type(p.code_label), "how_it_works").text()
    # A new record is one more change waiting for the county.
    svc.create("visit", {"person_id": person["id"], "kind": "routine", "method": "phone",
                         "visit_date": "2026-11-20", "visitor": "王建国"})
    ctx.data_changed.emit("visit")
    wait(qtbot)
    assert p.pending_label.text() == f"{svc.pending_changes()} 条"
    assert svc.pending_changes() > pending


def test_exchange_page_without_keys(qtbot, ctx, svc):
    p = ExchangePage(ctx)
    qtbot.addWidget(p)
    p.show()
    p.refresh()
    wait(qtbot)
    assert "尚未生成" in p.fingerprint_label.text()
