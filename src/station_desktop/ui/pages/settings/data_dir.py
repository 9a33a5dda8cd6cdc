"""数据目录: where the data lives."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout

from station_desktop.store.db import DB_FILENAME
from station_desktop.ui.context import AppContext
from station_desktop.ui.pages.settings.section import Section, button, file_size, hint
from station_desktop.ui.widgets import STRETCH, hbox


class DataDirSection(Section):
    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.path_label = QLabel("")
        self.path_label.setObjectName("data_dir_path")
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label.setStyleSheet("font-family: monospace; font-size: 14px;")
        self.size_label = QLabel("")
        self.backups_label = QLabel("")
        self.backups_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = button("打开数据目录", "open_data_dir", "在文件管理器中打开")
        form = QFormLayout()
        form.addRow("数据目录：", self.path_label)
        form.addRow("数据库文件：", self.size_label)
        form.addRow("备份文件夹：", self.backups_label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(hbox(self.open_button, STRETCH))
        layout.addWidget(hint(
            "数据目录里保存着本站全部档案（station.sqlite3）、自动备份（backups）和本站密钥（keys）。"
            "里面有身份证号等个人信息，请不要随意拷给他人，也不要手动删除或修改其中的文件。"
            "换电脑时，请用“备份与恢复”。"))
        layout.addStretch(1)
        self.open_button.clicked.connect(self.open_folder)

    def data_dir(self) -> Path:
        return Path(self.ctx.store.path).parent

    def refresh(self) -> None:
        d = self.data_dir()
        self.path_label.setText(str(d))
        db = d / DB_FILENAME
        self.size_label.setText(f"{DB_FILENAME}（{file_size(db.stat().st_size)}）"
                                if db.exists() else DB_FILENAME)
        self.backups_label.setText(str(d / "backups"))

    def open_folder(self) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir())))
