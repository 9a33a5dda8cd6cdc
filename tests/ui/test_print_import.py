"""Print preview, printing and the Excel import wizard, driven as a cadre would."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWizard

from station_desktop.reports import roster_pdf
from station_desktop.ui.import_wizard import ImportWizard
from station_desktop.ui.print_preview import print_job
from tests.conftest import make_id
from tests.ui.helpers import wait


def test_preview_shows_prints_and_saves_the_same_pdf(qtbot, ctx, svc, tmp_path):
    for n in range(30):
        svc.create("person", {"name": f"人员{n}", "id_number": make_id(seq=n),
                              "categories": "退役士兵"})
    shown = []
    print_job(None, ctx.config, "花名册",
              lambda out, progress: roster_pdf.print_roster(svc, out, progress=progress),
              suggested_name="花名册.pdf", on_ready=shown.append)
    wait(qtbot, timeout=30_000)
    dialog = shown[0]
    qtbot.addWidget(dialog)
    pages = len(PdfReader(dialog.pdf).pages)
    assert dialog.page_count() == pages >= 1
    saved = dialog.save_to(tmp_path / "copy")
    assert saved.name == "copy.pdf" and saved.read_bytes() == dialog.pdf.read_bytes()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert dialog.print_to(printer) == pages
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == pages


def test_cancelled_print_job_writes_nothing(qtbot, ctx, svc, tmp_path):
    svc.create("person", {"name": "张三", "id_number": make_id(seq=1), "categories": "退役士兵"})
    shown = []

    def make(out, progress):
        progress.cancel()  # the cadre pressed 取消 in the progress dialog
        return roster_pdf.print_roster(svc, out, progress=progress)

    op = print_job(None, ctx.config, "花名册", make, suggested_name="花名册.pdf",
                   on_ready=shown.append)
    failures = []
    op.failure(failures.append)
    wait(qtbot, timeout=30_000)
    assert shown == [] and failures and "取消" in failures[0].user_text()


def messy_roster(path: Path, existing_id: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws["A1"] = "东沟村退役军人花名册"
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["序号", "名字", "公民身份号码", "手机", "类别"])
    ws.append([1, "李四", make_id(seq=201), "138 0013 8000", "退役士兵"])
    ws.append([2, "王五", 4.20303198503012e17, "", "残疾军人"])  # ID stored as a number
    ws.append([3, "张三改", existing_id, "13900001111", "退役士兵"])
    ws.append([4, "赵六", make_id(seq=203), "", ""])  # no category: the default applies
    wb.save(path)
    return path


def test_import_wizard_maps_checks_and_imports(qtbot, ctx, svc, tmp_path):
    existing = svc.create("person", {"name": "张三", "id_number": make_id(seq=200),
                                     "categories": "退役士兵"})
    path = messy_roster(tmp_path / "roster.xlsx", existing["id_number"])
    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.load(path)
    wait(qtbot, timeout=30_000)
    assert wizard.data is not None and wizard.data.header_row == 3
    assert wizard.file_page.isComplete()
    wizard.next()
    page = wizard.mapping_page
    assert page.chosen_mapping()[1] == "name" and page.chosen_mapping()[2] == "id_number"
    page.set_field(4, "categories")
    page.default_category.setCurrentIndex(page.default_category.findData("retired_soldier"))
    wizard.next()
    wait(qtbot, timeout=30_000)
    report = wizard.report
    assert [(r.row, r.action) for r in report.rows] == [
        (4, "create"), (5, "refused"), (6, "update"), (7, "create")]
    assert "数字" in report.rows[1].reasons[0]
    assert svc.count("person") == 1  # the dry run wrote nothing
    result = wizard.result_page
    assert result.table.rowCount() == 4 and result.import_button.isEnabled()
    result.import_button.click()
    wait(qtbot, timeout=30_000)
    assert wizard.final is not None and wizard.final.counts["create"] == 2
    names = sorted(p["name"] for p in svc.list("person"))
    assert names == ["张三改", "李四", "赵六"]
    zhao = [p for p in svc.list("person") if p["name"] == "赵六"][0]
    assert zhao["categories"] == ["retired_soldier"]
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()


def test_menu_offers_every_document_and_export(qtbot, store, svc, tmp_path):
    from openpyxl import load_workbook

    from station_desktop.ui.config import Config
    from station_desktop.ui.context import AppContext
    from station_desktop.ui.main_window import MainWindow
    from station_desktop.ui.printing import export_to_excel

    window = MainWindow(AppContext(store, svc, Config(tmp_path / "m.ini")))
    qtbot.addWidget(window)
    wait(qtbot)
    texts = [a.text() for a in window.print_menu.actions()]
    assert texts[:3] == ["打印花名册…", "打印全部建档立卡手册…", "打印工作报表…"]
    assert "从 Excel 导入花名册…" in texts
    svc.create("person", {"name": "张三", "id_number": make_id(seq=301), "categories": "退役士兵"})
    export_to_excel(window.ctx, None, "person", tmp_path / "roster")
    wait(qtbot, timeout=30_000)
    ws = load_workbook(tmp_path / "roster.xlsx").active
    assert [c.value for c in ws[1]][:2] == ["姓名", "身份证号"]
    assert ws["B2"].value == make_id(seq=301) and ws["B2"].number_format == "@"


def test_person_file_prints_that_persons_booklet(qtbot, ctx, svc, person):
    from PySide6.QtWidgets import QDialog

    from station_desktop.ui.person_file import PersonFileDialog

    dialog = PersonFileDialog(ctx, person["id"])
    qtbot.addWidget(dialog)
    dialog.open()
    wait(qtbot)
    dialog.print_button.click()
    wait(qtbot, timeout=30_000)
    previews = [w for w in dialog.findChildren(QDialog) if hasattr(w, "pdf")]
    assert len(previews) == 1
    text = "".join(p.extract_text() for p in PdfReader(previews[0].pdf).pages)
    assert "建档立卡手册" in text and person["id_number"] in text


def test_a_list_exports_exactly_what_it_shows(qtbot, ctx, svc, person, show_page):
    from openpyxl import load_workbook

    from station_desktop.ui.pages.visits import VisitsPage
    from station_desktop.ui.table import model_rows

    for day in ("2026-11-01", "2026-11-02", "2026-10-01"):
        svc.create("visit", {"person_id": person["id"], "kind": "routine", "method": "phone",
                             "visit_date": day, "visitor": "王建国"})
    page = show_page(VisitsPage)
    shown = [[page.model.data(page.model.index(r, c)) for c in range(page.model.columnCount())]
             for r in range(page.model.rowCount())]
    assert model_rows(page.model) == shown and len(shown) >= 1
    from station_desktop.reports.xlsx_export import export_rows

    out = export_rows(ctx.store.path.parent / "v.xlsx", "走访记录",
                      [c.title for c in page.model.columns], model_rows(page.model),
                      text_columns=range(len(page.model.columns)))
    ws = load_workbook(out["file"]).active
    assert [[c.value or "" for c in row] for row in ws.iter_rows(min_row=2)] == shown
    actions = [a.text() for a in page.view.actions()]
    assert "导出为 Excel…" in actions


def test_filtered_roster_exports_full_id_numbers(qtbot, ctx, svc, show_page):
    from station_desktop.ui.pages.roster import RosterPage
    from station_desktop.ui.table import model_rows

    a = svc.create("person", {"name": "甲", "id_number": make_id(seq=401), "categories": "残疾军人"})
    svc.create("person", {"name": "乙", "id_number": make_id(seq=402), "categories": "退役士兵"})
    page = show_page(RosterPage)
    page.category_combo.setCurrentIndex(page.category_combo.findData("disabled_soldier"))
    wait(qtbot)
    action = [x for x in page.view.actions() if x.text() == "导出为 Excel…"][0]
    assert action is not None
    shown = model_rows(page.model)
    assert len(shown) == 1 and "*" in " ".join(shown[0])  # the screen masks the ID
    full = model_rows(page.model, columns=page.export_columns)
    assert a["id_number"] in full[0]
