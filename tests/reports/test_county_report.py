"""The printed county report, read back: the screen's figures, every station, stale marks, charts."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import Cancelled
from station_desktop.reports.county_report import print_county_report
from station_desktop.services import open_store
from station_desktop.store import county as sc
from station_desktop.services.demo import generate_county
from tests.conftest import TODAY
from tests.reports.progress import Seen, StopAfter
from tests.reports.test_roster_pdf import embedded_subset_fonts, squeezed

CATS = Catalogues.defaults()


@pytest.fixture(scope="module")
def county_store(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("county"))
    demo = generate_county(store, towns=3, stations_per_town=6, persons_per_station=30,
                           today=TODAY, seed=9)
    yield store, demo
    store.close()


def test_report_prints_the_county_figures_and_every_station(county_store, tmp_path):
    store, demo = county_store
    period = sc.CountyPeriod.quarter(2026, 3, TODAY)
    progress = Seen()
    result = print_county_report(store, CATS, tmp_path / "county.pdf", period=period,
                                 today=TODAY, progress=progress)
    assert result["stations"] == len(demo.stations) and result["pages"] >= 3
    assert progress.seen[-1] == (3, 3)
    reader = PdfReader(result["file"])
    assert len(reader.pages) == result["pages"]
    text = squeezed("".join(p.extract_text() for p in reader.pages))
    fig = sc.county_figures(store, CATS, period, today=TODAY)
    assert "全县工作统计报表" in text and "2026年第3季度" in text
    # every station by name and code, the figures row by row (label, county, towns)
    for s in fig.stations:
        assert s.name in text and s.code in text
    for key in ("persons", "events_overdue", "cases_open", "plaques_outstanding"):
        cells = [fig.county.n(key), *(t.n(key) for t in fig.towns)]
        assert sc.figure_label(key, CATS) + "".join(map(str, cells)) in text, key
    for t in fig.towns:
        assert t.name in text
    # stale stations are named in the note, the one that never sent a bundle too
    assert f"以下{len(demo.stale)}个站点超过30天没有新数据" in text
    assert "从未报送" in text
    # the charts, with the station coverage in the 灰色 legend
    assert "各月走访次数" in text and "本年纠纷办结层级" in text and "本季度联系覆盖率" in text
    assert embedded_subset_fonts(result["file"])


def test_report_can_be_cancelled(county_store, tmp_path):
    store, _ = county_store
    out = tmp_path / "county.pdf"
    with pytest.raises(Cancelled):
        print_county_report(store, CATS, out, period=sc.CountyPeriod.current(TODAY),
                            today=TODAY, progress=StopAfter(0))
    assert not out.exists()
