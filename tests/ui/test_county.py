"""全县概览 in the GUI: figures, stale marks, figure → stations → records, charts, export."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from station_desktop.domain.catalogues import Catalogues
from station_desktop.store import county as sc
from station_desktop.services.demo import generate_county
from station_desktop.services import open_store
from station_desktop.services import Service
from station_desktop.ui.config import Config
from station_desktop.ui.context import AppContext
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.pages.county import CountyPage
from tests.conftest import TODAY
from tests.ui.helpers import click, type_chinese, wait

CATS = Catalogues.defaults()


@pytest.fixture
def county_ctx(tmp_path):
    store = open_store(tmp_path / "county")
    demo = generate_county(store, towns=2, stations_per_town=5, persons_per_station=25,
                           today=TODAY, seed=3)
    ctx = AppContext(store, Service(store, today=TODAY), Config(tmp_path / "s.ini"))
    yield ctx, demo
    store.close()


def make_page(ctx, qtbot) -> CountyPage:
    page = CountyPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    qtbot.waitUntil(lambda: page.loads >= 1, timeout=10_000)
    wait(qtbot)
    return page


def figure_row(page: CountyPage, key: str) -> int:
    return page.figures.keys.index(key)


def double_click(qtbot, view, row: int) -> None:
    view.scrollTo(view.model().index(row, 0))
    rect = view.visualRect(view.model().index(row, 0))
    assert rect.isValid()
    # a view needs the press before the double click, as a real mouse sends
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait(qtbot)


def test_figures_stale_marks_and_drill_down(county_ctx, qtbot, qtmodeltester):
    ctx, demo = county_ctx
    page = make_page(ctx, qtbot)
    fig = sc.county_figures(ctx.store, CATS, sc.CountyPeriod.current(TODAY), today=TODAY)
    qtmodeltester.check(page.figures)
    # Every figure row shows the county's number.
    for row, key in enumerate(page.figures.keys):
        assert page.figures.rows[row][1] == fig.county.n(key), key
    assert "覆盖率" in page.figures.rows[figure_row(page, "contacted_q")][0]
    # Stale stations are named, with "从未报送" for the one that never sent a bundle.
    assert page.stale_label.isVisible()
    assert f"{len(demo.stale)} 个站点" in page.stale_label.text()
    assert "从未报送" in page.stale_label.text()

    # figure → stations: largest first, stale ones marked
    double_click(qtbot, page.figures_view, figure_row(page, "persons"))
    assert page.drill.currentIndex() == 1
    qtmodeltester.check(page.stations)
    counts = [r[2] for r in page.stations.rows]
    assert counts == sorted(counts, reverse=True) and sum(counts) == fig.county.n("persons")
    states = dict(zip(page.stations.keys, (r[7] for r in page.stations.rows), strict=True))
    assert states[demo.never_sent[0]] == "从未报送"
    assert all("数据过期" in states[c] for c in demo.stale if c not in demo.never_sent)

    # station → its records, exactly the drill-down's rows
    double_click(qtbot, page.stations_view, 0)
    assert page.drill.currentIndex() == 2
    code = page.stations.keys[0]
    want = sc.drill_rows(ctx.store, CATS, page.selected_period(), "persons", code)
    assert page.model is not None and page.model.rowCount() == len(want)
    assert [page.model.id_at(r) for r in range(page.model.rowCount())] == [w["id"] for w in want]
    qtmodeltester.check(page.model)
    assert f"{len(want)} 条记录" in page.crumb.text()

    # the filter narrows the list to the rows showing the text
    name = want[0]["name"]
    type_chinese(page.filter, name)
    assert 1 <= page.model.rowCount() < len(want)
    assert all(name in page.model.record(r)["name"] for r in range(page.model.rowCount()))

    click(qtbot, page.back)
    assert page.drill.currentIndex() == 1
    click(qtbot, page.all_rows)  # every station's records in the scope
    assert page.model.rowCount() == fig.county.n("persons")
    click(qtbot, page.back)
    click(qtbot, page.back)
    assert page.drill.currentIndex() == 0 and not page.back.isEnabled()


def test_town_scope_past_quarter_and_export(county_ctx, qtbot, tmp_path, monkeypatch):
    ctx, demo = county_ctx
    page = make_page(ctx, qtbot)
    town = sorted(demo.towns)[1]
    page.scope.setCurrentIndex(page.scope.findData(town))
    wait(qtbot)
    page.period.setCurrentIndex(page.period.findText("2026年第2季度"))
    wait(qtbot)
    period = sc.CountyPeriod.quarter(2026, 2, TODAY)
    assert page.selected_period() == period
    fig = sc.county_figures(ctx.store, CATS, period, today=TODAY)
    assert "contacts_overdue" not in page.figures.keys  # only known for today
    row = figure_row(page, "events_overdue")
    assert page.figures.rows[row][1] == fig.unit(town).n("events_overdue")
    double_click(qtbot, page.figures_view, figure_row(page, "cases_open"))
    assert set(page.stations.keys) == set(demo.towns[town])
    click(qtbot, page.all_rows)
    want = sc.drill_rows(ctx.store, CATS, period, "cases_open", town)
    assert page.model.rowCount() == len(want) == fig.unit(town).n("cases_open") > 0

    # right-click → 导出为 Excel… writes what the list shows
    out = tmp_path / "cases.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    action = next(a for a in page.records_view.actions() if a.text() == "导出为 Excel…")
    action.trigger()
    wait(qtbot)
    sheet = load_workbook(out).active
    assert sheet.max_row - 1 == len(want)
    assert [c.value for c in sheet[1]][:2] == ["站点", "当事人"]


def test_charts_show_the_figures(county_ctx, qtbot):
    ctx, demo = county_ctx
    page = make_page(ctx, qtbot)
    page.tabs.setCurrentIndex(1)
    wait(qtbot)
    fig = page.fig
    assert fig is not None
    shares = [b.value for b in page.coverage_chart.bars]
    assert shares == sorted(shares) and len(shares) == len(demo.stations)
    never = fig.unit(demo.never_sent[0]).name
    assert any(b.label.startswith(never) and b.colour for b in page.coverage_chart.bars)
    assert len(page.months_chart.bars) == 12
    assert sum(b.value for b in page.cases_chart.bars) == sum(
        c.n for c in fig.county.split("resolved").values())
    assert sum(b.value for b in page.aid_chart.bars) == pytest.approx(
        sum(c.amount_fen for c in fig.county.split("aid_paid").values()) / 1_000_000)
    image = page.coverage_chart.grab().toImage()
    assert image.width() > 100 and image.height() > 100


def test_county_installation_opens_on_the_county_page(county_ctx, qtbot):
    ctx, _ = county_ctx
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    wait(qtbot)
    assert window.current_page_key() == "county"
    assert window.nav.item(0).text() == "全县概览"
    assert "home" in window.pages  # the village pages stay beside it


def test_village_installation_has_no_county_page(ctx, qtbot):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    wait(qtbot)
    assert "county" not in window.pages and window.current_page_key() == "home"



def test_print_button_previews_the_county_report(county_ctx, qtbot):
    from pypdf import PdfReader

    from station_desktop.ui.print_preview import PrintPreviewDialog, _open_previews

    ctx, demo = county_ctx
    page = make_page(ctx, qtbot)
    page.period.setCurrentIndex(page.period.findText("2026年第3季度"))
    wait(qtbot)
    click(qtbot, page.print_button)
    wait(qtbot, timeout=30_000)
    dialog = next(d for d in _open_previews if isinstance(d, PrintPreviewDialog)
               and d.isVisible())
    qtbot.addWidget(dialog)
    text = "".join(p.extract_text() for p in PdfReader(dialog.pdf).pages)
    assert "全县工作统计报表" in text.replace(" ", "") and "2026年第3季度" in text
    assert dialog.page_count() == len(PdfReader(dialog.pdf).pages)
    dialog.close()
