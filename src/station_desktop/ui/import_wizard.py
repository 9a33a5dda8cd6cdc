"""导入 Excel 花名册: choose the file, check the column mapping, see the dry run, import.

Every step that reads the file or the database runs on the worker. The
mapping the user corrects is remembered for the next file with the same
headers. The real import is one transaction that writes exactly what the
dry run showed; a cancelled import writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from station_desktop.domain.errors import StationError
from station_desktop.reports import xlsx_import as xi
from station_desktop.services.roster_import import import_roster
from station_desktop.store.display import mask_id_number
from station_desktop.store.fields import PERSON_FIELDS
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import user_message
from station_desktop.ui.forms import ERROR_STYLE
from station_desktop.ui.ops import Op
from station_desktop.ui.widgets import push_button, text_label
from station_desktop.ui.wizard import chinese_buttons

ACTION_LABELS = {"create": "新建", "update": "更新", "unchanged": "无变化", "refused": "拒绝"}


class ImportWizard(QWizard):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("导入 Excel 花名册")
        chinese_buttons(self)
        self.data: xi.SheetData | None = None
        self.mapping: dict[int, str | None] = {}
        self.report: xi.ImportReport | None = None
        self.final: xi.ImportReport | None = None
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.result_page = ResultPage(self)
        for page in (self.file_page, self.mapping_page, self.result_page):
            self.addPage(page)
        self.resize(900, 640)


class FilePage(QWizardPage):
    """第一步: the file and the sheet."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第一步：选择 Excel 文件")
        self.setSubTitle("支持 .xlsx 文件。标题行、合并单元格都可以，程序会自动找到表头。"
                         "旧的 .xls 文件请先用 Excel 或 WPS 打开，“另存为” .xlsx。")
        self.path_label = QLabel("尚未选择文件")
        self.choose = QPushButton("选择文件…")
        self.choose.clicked.connect(self.pick)
        self.sheet = QComboBox()
        self.sheet.setObjectName("import_sheet")
        self.sheet.activated.connect(lambda _i: self.load(self.path, self.sheet.currentText()))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.path: Path | None = None
        row = QHBoxLayout()
        row.addWidget(self.choose)
        row.addWidget(self.path_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(QLabel("工作表"))
        sheet_row.addWidget(self.sheet, 1)
        layout.addLayout(sheet_row)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def pick(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择 Excel 文件", str(Path.home()),
                                              "Excel 文件 (*.xlsx *.xlsm *.xls);;所有文件 (*)")
        if path:
            self.load(Path(path))

    def load(self, path: Path | None, sheet: str | None = None) -> Op | None:
        if path is None:
            return None
        self.path = Path(path)
        self.path_label.setText(str(path))
        self.status.setStyleSheet("")
        self.status.setText("正在读取…")
        self.w.data = None
        self.completeChanged.emit()
        svc = self.w.ctx.service

        def read() -> tuple[xi.SheetData, dict[int, str | None]]:
            data = xi.read_workbook(self.path, sheet=sheet)  # type: ignore[arg-type]
            mapping = xi.load_remembered_mapping(svc, data.headers) or xi.guess_mapping(
                data.headers)
            return data, dict(mapping)

        def done(result: tuple[xi.SheetData, dict[int, str | None]]) -> None:
            data, mapping = result
            self.w.data, self.w.mapping = data, mapping
            self.sheet.blockSignals(True)
            self.sheet.clear()
            self.sheet.addItems(data.sheet_names)
            self.sheet.setCurrentText(data.sheet)
            self.sheet.blockSignals(False)
            self.status.setText(f"工作表“{data.sheet}”：表头在第 {data.header_row} 行，"
                                f"共 {len(data.rows)} 行数据，{data.ncols} 列。")
            self.completeChanged.emit()

        def failed(exc: BaseException) -> None:
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(user_message(exc))

        return Op(self, read).success(done).failure(failed).with_progress("正在读取文件…").run()

    def isComplete(self) -> bool:  # noqa: N802
        return self.w.data is not None


class MappingPage(QWizardPage):
    """第二步: which column is which field (corrections are remembered)."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第二步：核对列的对应关系")
        self.setSubTitle("程序已按列名自动对应；如有不对，请在右边改选。改过的对应关系会记住，"
                         "下次导入同样格式的表格时自动使用。")
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("import_mapping")
        self.table.setHorizontalHeaderLabels(["列", "表格中的列名", "示例", "导入为"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.default_category = QComboBox()
        self.default_category.setObjectName("import_default_category")
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("表格没有“人员类别”列时，新建人员的类别"))
        row.addWidget(self.default_category, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self._combos: list[QComboBox] = []
        self._changed = False

    def initializePage(self) -> None:  # noqa: N802
        data = self.w.data
        assert data is not None
        self.table.setRowCount(data.ncols)
        self._combos = []
        samples = data.preview(3)
        for col in range(data.ncols):
            self.table.setItem(col, 0, QTableWidgetItem(get_column_letter(col + 1)))
            self.table.setItem(col, 1, QTableWidgetItem(data.headers[col]))
            sample = "、".join(str(v[col]) for _r, v in samples if col < len(v) and v[col])
            self.table.setItem(col, 2, QTableWidgetItem(sample))
            combo = QComboBox()
            combo.addItem("（不导入）", None)
            for name, f in PERSON_FIELDS.items():
                combo.addItem(f.label, name)
            combo.setCurrentIndex(max(0, combo.findData(self.w.mapping.get(col))))
            combo.currentIndexChanged.connect(self._mark_changed)
            self.table.setCellWidget(col, 3, combo)
            self._combos.append(combo)
        self.table.resizeColumnsToContents()
        self.default_category.clear()
        self.default_category.addItem("（不指定，缺类别的行将被拒绝）", None)
        for e in self.w.ctx.catalogues().entries("person_category"):
            self.default_category.addItem(e.name, e.code)
        self._changed = False

    def _mark_changed(self) -> None:
        self._changed = True

    def chosen_mapping(self) -> dict[int, str | None]:
        return {col: combo.currentData() for col, combo in enumerate(self._combos)}

    def set_field(self, col: int, field: str | None) -> None:
        """Choose the field of a column (as a person would in the combo)."""
        combo = self._combos[col]
        combo.setCurrentIndex(max(0, combo.findData(field)))

    def validatePage(self) -> bool:  # noqa: N802
        mapping = self.chosen_mapping()
        try:
            xi.check_mapping(mapping, len(mapping))
        except StationError as exc:
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(user_message(exc))
            return False
        self.w.mapping = mapping
        self.w.remember = self._changed  # type: ignore[attr-defined]
        return True


class ResultPage(QWizardPage):
    """第三步: the dry run, row by row; 开始导入 writes it in one transaction."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.w = wizard
        self.setTitle("第三步：检查结果并导入")
        self.summary = text_label("", "import_summary", wrap=True)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("import_rows")
        self.table.setHorizontalHeaderLabels(["行号", "姓名", "身份证号", "结果", "原因 / 变化"])
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.import_button = push_button("开始导入", "import_start", self.run_import)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.import_button)
        layout.addLayout(row)

    def _defaults(self) -> dict[str, Any]:
        code = self.w.mapping_page.default_category.currentData()
        return {"categories": code} if code else {}

    def initializePage(self) -> None:  # noqa: N802
        self.w.final = None
        self.import_button.setEnabled(False)
        self.summary.setText("正在检查每一行…")
        self.table.setRowCount(0)
        svc, data, mapping = self.w.ctx.service, self.w.data, self.w.mapping
        defaults = self._defaults()

        def dry(progress: Any) -> xi.ImportReport:
            return import_roster(svc, data, mapping=mapping, dry_run=True, defaults=defaults,  # type: ignore[arg-type]
                                 progress=progress)

        Op(self, dry).success(self.show_report).with_progress("正在检查…").run()

    def show_report(self, report: xi.ImportReport) -> None:
        self.w.report = report
        lines = report.lines()
        self.summary.setText("\n".join(lines[:2] + report.warnings))
        rows = [r for r in report.rows if r.action != "unchanged"]
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            detail = "；".join(r.reasons) if r.action == "refused" else "、".join(r.changes)
            for col, value in enumerate((str(r.row), r.name, mask_id_number(r.id_number),
                                         ACTION_LABELS[r.action], detail)):
                item = QTableWidgetItem(value)
                if r.action == "refused":
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(i, col, item)
        self.table.resizeColumnsToContents()
        counts = report.counts
        self.import_button.setEnabled(bool(counts["create"] or counts["update"]))

    def run_import(self) -> Op:
        ctx, data = self.w.ctx, self.w.data
        # Passing a mapping remembers it: only when the user corrected the guess.
        mapping = self.w.mapping if getattr(self.w, "remember", False) else None
        defaults = self._defaults()
        self.import_button.setEnabled(False)

        def work(progress: Any) -> xi.ImportReport:
            return import_roster(ctx.service, data, mapping=mapping, dry_run=False,  # type: ignore[arg-type]
                                 defaults=defaults, progress=progress)

        def done(report: xi.ImportReport) -> None:
            self.w.final = report
            c = report.counts
            self.summary.setText(f"导入完成：新建 {c['create']} 人，更新 {c['update']} 人，"
                                 f"拒绝 {c['refused']} 行（被拒绝的行没有写入，可改正后再导入）。")
            self.completeChanged.emit()
            ctx.data_changed.emit("person")

        def failed(exc: BaseException) -> None:
            self.import_button.setEnabled(True)
            self.summary.setStyleSheet(ERROR_STYLE)
            self.summary.setText("没有导入，数据保持原样。"
                                 + user_message(exc))

        return Op(self, work).success(done).failure(failed).with_progress("正在导入…").run()

    def isComplete(self) -> bool:  # noqa: N802
        return self.w.final is not None
