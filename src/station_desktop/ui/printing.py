"""The 打印与导出 menu: every printed document and every spreadsheet, from one place.

Documents are made by reports/ on the worker thread (progress, cancel) and
shown in the print preview; spreadsheets are written where the cadre
chooses. Pages add their own buttons by calling the same functions.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QMenu,
    QMessageBox,
    QWidget,
)

from station_desktop.domain import rules
from station_desktop.store.reader import KIND_LABELS
from station_desktop.ui import config as cfg
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.print_preview import print_job
from station_desktop.ui.widgets import qdate

EXPORTS = ("person", "visit", "aid_application", "dispute_case", "honour", "family_member",
           "volunteer_member")


# reports/ (reportlab, openpyxl, numpy through openpyxl) is imported when a
# document is made, not at start-up: it costs 0.3 s that the home page
# does not need.


def print_roster(ctx: AppContext, parent: QWidget | None) -> Op:
    from station_desktop.reports import roster_pdf

    svc = ctx.service
    return print_job(parent, ctx.config, "花名册",
                     lambda out, p: roster_pdf.print_roster(svc, out, progress=p),
                     suggested_name=f"花名册-{date.today():%Y%m%d}.pdf")


def print_person(ctx: AppContext, parent: QWidget | None, person_id: str, name: str) -> Op:
    from station_desktop.reports import booklet

    svc = ctx.service
    return print_job(parent, ctx.config, "建档立卡手册",
                     lambda out, p: booklet.print_person(svc, person_id, out, progress=p),
                     suggested_name=f"建档立卡手册-{name}.pdf")


def print_booklets(ctx: AppContext, parent: QWidget | None,
                   person_ids: list[str] | None = None) -> Op:
    from station_desktop.reports import booklet

    svc = ctx.service
    return print_job(parent, ctx.config, "建档立卡手册（多人）",
                     lambda out, p: booklet.print_booklets(svc, out, person_ids=person_ids,
                                                           progress=p),
                     suggested_name=f"建档立卡手册-{date.today():%Y%m%d}.pdf")


def print_period(ctx: AppContext, parent: QWidget | None, start: date, end: date) -> Op:
    from station_desktop.reports import period

    svc = ctx.service
    return print_job(parent, ctx.config, "工作报表",
                     lambda out, p: period.print_report(svc, out, start=start, end=end,
                                                        progress=p),
                     suggested_name=f"工作报表-{start:%Y%m%d}-{end:%Y%m%d}.pdf")


def print_form(ctx: AppContext, parent: QWidget | None, kind: str, title: str) -> Op:
    from station_desktop.reports import forms

    return print_job(parent, ctx.config, title,
                     lambda out, _p: forms.print_form(kind, out),
                     suggested_name=f"{title}.pdf")


class PeriodDialog(QDialog):
    """Choose the period of a report (this quarter by default)."""

    def __init__(self, today: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("选择报表期间")
        start, end = rules.quarter_bounds(today)
        self.start = QDateEdit(qdate(start))
        self.end = QDateEdit(qdate(end))
        for w in (self.start, self.end):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
        buttons = QDialogButtonBox()
        buttons.addButton("生成报表", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("开始日期", self.start)
        form.addRow("结束日期", self.end)
        form.addRow(buttons)

    def period(self) -> tuple[date, date]:
        return self.start.date().toPython(), self.end.date().toPython()  # type: ignore[return-value]


def export_to_excel(ctx: AppContext, parent: QWidget | None, kind: str,
                    dest: Path | None = None) -> Op | None:
    """Ask where (unless ``dest`` is given), then write the list of ``kind`` as .xlsx."""
    from station_desktop.reports import xlsx_export

    label = KIND_LABELS.get(kind, kind)
    if dest is None:
        folder = ctx.config.get(cfg.LAST_BACKUP_DIR) or str(Path.home())
        name = f"{'花名册' if kind == 'person' else label}-{date.today():%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(parent, f"导出{label}", str(Path(folder) / name),
                                              "Excel 文件 (*.xlsx)")
        if not path:
            return None
        dest = Path(path)
        ctx.config.set(cfg.LAST_BACKUP_DIR, str(dest.parent))
    if dest.suffix.lower() != ".xlsx":
        dest = dest.with_name(dest.name + ".xlsx")
    svc = ctx.service

    def done(result: dict[str, Any]) -> None:
        if parent is not None:
            QMessageBox.information(parent, "导出完成",
                                    f"已导出 {result['rows']} 行到\n{result['file']}")

    return Op(parent, lambda p: xlsx_export.export_kind(svc, kind, dest, progress=p)) \
        .success(done) \
        .with_progress(f"正在导出{label}…").run()


def build_menu(ctx: AppContext, parent: QWidget) -> QMenu:
    """The 打印与导出 menu of the main window."""
    menu = QMenu("打印与导出", parent)

    def add(text: str, slot: Any, shortcut: str | None = None, into: QMenu = menu) -> QAction:
        action = QAction(text, parent)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut:
            action.setShortcut(shortcut)
        into.addAction(action)
        return action

    def period_report() -> None:
        dialog = PeriodDialog(ctx.today, parent)
        dialog.accepted.connect(lambda: print_period(ctx, parent, *dialog.period()))
        dialog.open()

    def import_excel() -> None:
        from station_desktop.ui.import_wizard import ImportWizard

        ImportWizard(ctx, parent).open()

    add("打印花名册…", lambda: print_roster(ctx, parent), "Ctrl+P")
    add("打印全部建档立卡手册…", lambda: print_booklets(ctx, parent))
    add("打印工作报表…", period_report)
    blank = menu.addMenu("打印空白表")
    add("信息采集表", lambda: print_form(ctx, parent, "collection", "信息采集表"), into=blank)
    add("走访记录表", lambda: print_form(ctx, parent, "visit", "走访记录表"), into=blank)
    menu.addSeparator()
    add("从 Excel 导入花名册…", import_excel)
    export = menu.addMenu("导出到 Excel")
    for kind in EXPORTS:
        label = "花名册（全部人员）" if kind == "person" else KIND_LABELS.get(kind, kind)
        add(label, lambda k=kind: export_to_excel(ctx, parent, k), into=export)
    return menu
