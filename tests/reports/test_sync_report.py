"""The printed report of one bundle import (数据包导入报告): its title block and summary."""

from __future__ import annotations

from datetime import date

from station_desktop.reports import sync_report
from tests.reports.test_period import read
from tests.reports.test_roster_pdf import flat


def test_an_import_report_prints_its_title_block_and_summary(svc, tmp_path):
    out = tmp_path / "import.pdf"
    done = sync_report.print_import_report(svc.store, [], out, today=date(2026, 5, 4))
    texts, whole = read(out)
    assert done["pages"] == len(texts) >= 1
    assert sync_report.TITLE in whole
    assert "东沟村退役军人服务站" in whole and "导入日期：2026年5月4日" in whole
    assert flat(sync_report.summary_sentence([])) in whole
