"""备份到U盘: encrypted, read back, the recovery code shown once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from station_desktop.services import backups as backing_up
from station_desktop.store import backup as backups
from station_desktop.ui import config as cfg
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.settings.section import button, file_size, hint
from station_desktop.ui.widgets import STRETCH, hbox, text_label


class RecoveryCodeDialog(QDialog):
    """The recovery code, shown once: write it down or print it, then tick the box."""

    def __init__(self, code: str, station: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("请抄写（打印）U盘备份的恢复码")
        self.code = code
        self.station = station
        head = text_label("U盘上的备份是加密的。换电脑或电脑损坏时，要有下面这个恢复码才能打开备份。",
                          style="font-weight: bold;", wrap=True)
        self.code_label = QLabel(code)
        self.code_label.setObjectName("recovery_code")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setStyleSheet("font-family: monospace; font-size: 24px; padding: 12px;"
                                      "border: 2px dashed #888; background: #fffdf0;")
        how = hint("请现在就把它抄在纸上或打印出来，写明服务站名称和日期，由负责人签字后放进服务站"
                   "档案柜保管；不要和U盘放在一起，也不要拍照发到微信群。本机也存了一份"
                   "（数据目录的 keys 文件夹），以后的U盘备份都用这同一个恢复码。")
        self.print_button = button("打印…", "print_recovery_code")
        self.done_check = QCheckBox("我已抄写（或打印）并妥善保管好恢复码")
        self.done_check.setObjectName("recovery_code_kept")
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("完成", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("recovery_code_done")
        self.ok_button.setEnabled(False)
        self.done_check.toggled.connect(self.ok_button.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.print_button.clicked.connect(self.print_code)
        layout = QVBoxLayout(self)
        for w in (head, self.code_label, how):
            layout.addWidget(w)
        layout.addLayout(hbox(self.print_button, STRETCH))
        layout.addWidget(self.done_check)
        layout.addWidget(self.buttons)
        self.resize(560, 340)

    def reject(self) -> None:  # Esc must not skip writing the code down
        if self.done_check.isChecked():
            super().reject()

    def document_html(self) -> str:
        return (f"<h2>退役军人服务站 U盘备份恢复码</h2><p>服务站：{self.station}</p>"
                f"<p>生成日期：{datetime.now():%Y年%m月%d日}</p>"
                f"<p style='font-size:20pt; font-family:monospace'>{self.code}</p>"
                "<p>用途：打开本站加密的U盘备份（换电脑、电脑损坏时恢复数据）。"
                "请放入档案柜妥善保管，不要与U盘放在一起。</p>"
                "<p>保管人签字：____________　　日期：____________</p>")

    def print_to(self, printer: Any) -> None:
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setHtml(self.document_html())
        doc.print_(printer)

    def print_code(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.print_to(printer)


def usb_backup_message(made: backups.UsbBackup) -> str:
    c = made.summary.counts
    return (f"已加密备份到 {made.path}（{file_size(made.size)}），并已从U盘读回核对无误：人员 "
            f"{c['person']} 人，走访 {c['visit']} 条，帮扶 {c['aid_application']} 件。"
            "请安全弹出U盘后再拔下。")


def backup_to_usb(ctx: AppContext, parent: QWidget, folder: Path,
                  on_done: Callable[[backups.UsbBackup], None],
                  on_failed: Callable[[BaseException], None] | None = None) -> Op:
    """Encrypted, verified backup into ``folder`` on the worker; shows the code if it is new."""
    store, operator_id = ctx.store, ctx.service.operator_id

    def work(progress: Any) -> backups.UsbBackup:
        return backing_up.usb_backup(store, folder, operator_id=operator_id, progress=progress)

    def done(made: backups.UsbBackup) -> None:
        if made.new_code:
            name = ctx.store.meta("station_name") or ""
            dialog = RecoveryCodeDialog(made.new_code, name, parent)
            parent.recovery_dialog = dialog  # type: ignore[attr-defined]
            dialog.open()
        on_done(made)
        ctx.data_changed.emit("backup")

    op = Op(parent, work).success(done).with_progress("正在加密备份到U盘并读回核对…")
    if on_failed is not None:
        op.failure(on_failed)
    return op.run()


def choose_usb_folder(ctx: AppContext, parent: QWidget) -> Path | None:
    start = ctx.config.get(cfg.LAST_BACKUP_DIR) or str(Path.home())
    path = QFileDialog.getExistingDirectory(parent, "选择U盘（或要存放备份的文件夹）", start)
    if not path:
        return None
    ctx.config.set(cfg.LAST_BACKUP_DIR, path)
    return Path(path)
