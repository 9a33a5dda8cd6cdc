"""Print preview inside the program: page images you can scroll, print, or save as PDF.

Documents are made by reports/ (reportlab) into a temporary PDF on the
worker thread, with progress and cancel; the preview shows that very file
with QtPdf, so what is previewed is what is printed and what is saved.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.ui import config as cfg
from station_desktop.ui.ops import Op, Progress

#: Makes a document: (output path, progress) -> result dict from reports/.
MakePdf = Callable[[Path, Progress], dict[str, Any]]


class PrintPreviewDialog(QDialog):
    """Scrollable pages of ``pdf``; 打印… sends them to a printer, 另存为PDF… keeps a copy."""

    def __init__(self, pdf: Path, title: str, config: cfg.Config | None = None,
                 parent: QWidget | None = None, *, suggested_name: str = "文档.pdf"):
        super().__init__(parent)
        self.setWindowTitle(f"打印预览 — {title}")
        self.pdf = Path(pdf)
        self.config = config
        self.suggested_name = suggested_name
        self.document = QPdfDocument(self)
        self.document.load(str(self.pdf))
        self.view = QPdfView(self)
        self.view.setObjectName("print_preview_pages")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pages_label = QLabel(f"共 {self.document.pageCount()} 页")
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("print_button")
        self.save_button = QPushButton("另存为 PDF…")
        self.save_button.setObjectName("save_pdf_button")
        close = QPushButton("关闭")
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        close.clicked.connect(self.accept)
        bar = QHBoxLayout()
        bar.addWidget(self.pages_label)
        bar.addStretch(1)
        for b in (self.print_button, self.save_button, close):
            bar.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.resize(900, 760)

    def page_count(self) -> int:
        return self.document.pageCount()

    def print_to(self, printer: QPrinter) -> int:
        """Paint every page at the printer's resolution; returns the number of pages sent."""
        painter = QPainter()
        if not painter.begin(printer):
            return 0
        try:
            for page in range(self.document.pageCount()):
                if page:
                    printer.newPage()
                target = painter.viewport()
                size = self.document.pagePointSize(page)
                dpi = printer.resolution()
                image = self.document.render(
                    page, QSize(int(size.width() / 72 * dpi), int(size.height() / 72 * dpi)))
                scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(target.x(), target.y(), image.scaled(
                    scaled, Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation))
        finally:
            painter.end()
        return self.document.pageCount()

    def print_document(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def save_as(self) -> Path | None:
        folder = (self.config.get(cfg.LAST_BACKUP_DIR) if self.config else "") or str(Path.home())
        path, _ = QFileDialog.getSaveFileName(self, "另存为 PDF", str(Path(folder) /
                                              self.suggested_name), "PDF 文件 (*.pdf)")
        if not path:
            return None
        return self.save_to(Path(path))

    def save_to(self, dest: Path) -> Path:
        if dest.suffix.lower() != ".pdf":
            dest = dest.with_name(dest.name + ".pdf")
        shutil.copyfile(self.pdf, dest)
        return dest


_open_previews: set[PrintPreviewDialog] = set()


def print_job(parent: QWidget | None, config: cfg.Config | None, title: str, make: MakePdf,
              *, suggested_name: str, on_ready: Callable[[PrintPreviewDialog], None] | None = None,
              ) -> Op:
    """Make a document on the worker (with progress and a cancel), then open the preview."""
    folder = Path(tempfile.mkdtemp(prefix="station-print-"))
    out = folder / suggested_name

    def work(progress: Progress) -> dict[str, Any]:
        return make(out, progress)

    def show(_result: dict[str, Any]) -> None:
        dialog = PrintPreviewDialog(out, title, config, parent, suggested_name=suggested_name)
        # Keep it alive while it is open, even without a parent window.
        _open_previews.add(dialog)
        dialog.finished.connect(lambda _code: _open_previews.discard(dialog))
        # Its parent window closing deletes it without a "finished": let go then too.
        dialog.destroyed.connect(lambda _obj=None: _open_previews.discard(dialog))
        dialog.open()
        if on_ready is not None:
            on_ready(dialog)

    return Op(parent, work).success(show).with_progress(f"正在生成{title}…").run()
