"""Placeholder main window until the GUI issue lands: shows the station and its roster size."""

from __future__ import annotations

import sys
from importlib.resources import as_file, files

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from station_desktop.store.db import Store
from station_desktop.store.service import Service


def load_font(app: QApplication) -> None:
    """Use the bundled CJK font so no system Chinese font is needed."""
    with as_file(files("station_desktop.resources") / "fonts" / "wqy-microhei.ttc") as path:
        font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        app.setFont(QFont(families[0], 11))


class MainWindow(QMainWindow):
    def __init__(self, store: Store):
        super().__init__()
        svc = Service(store)
        name = store.meta("station_name") or "未设置服务站"
        persons = svc.count("person") if store.meta("station_code") else 0
        self.setWindowTitle(f"退役军人服务站 — {name}")
        label = QLabel(f"{name}\n在册人员 {persons} 人\n\n（完整界面正在建设中）")
        label.setStyleSheet("font-size: 20px; padding: 40px;")
        self.setCentralWidget(label)
        self.resize(900, 600)


def run(store: Store) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    load_font(app)
    window = MainWindow(store)
    window.show()
    return app.exec()
