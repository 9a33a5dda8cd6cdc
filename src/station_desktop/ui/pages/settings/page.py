"""The 设置 page: a list of sections on the left, the chosen one on the right."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QListWidget, QStackedWidget, QWidget

from station_desktop.ui.context import AppContext
from station_desktop.ui.pages.settings.backup import BackupSection
from station_desktop.ui.pages.settings.catalogues import CataloguesSection
from station_desktop.ui.pages.settings.data_dir import DataDirSection
from station_desktop.ui.pages.settings.display import DisplaySection
from station_desktop.ui.pages.settings.operators import OperatorsSection
from station_desktop.ui.pages.settings.recycle import RecycleSection
from station_desktop.ui.pages.settings.section import Section
from station_desktop.ui.pages.settings.security import SecuritySection
from station_desktop.ui.pages.settings.station import StationSection

SECTIONS: list[tuple[str, str, type[Section]]] = [
    ("station", "服务站信息", StationSection),
    ("operators", "操作员", OperatorsSection),
    ("security", "登录与锁定", SecuritySection),
    ("catalogues", "目录", CataloguesSection),
    ("backup", "备份与恢复", BackupSection),
    ("recycle", "回收站", RecycleSection),
    ("data_dir", "数据目录", DataDirSection),
    ("display", "显示", DisplaySection),
]


class SettingsPage(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.nav = QListWidget()
        self.nav.setObjectName("settings_nav")
        self.nav.setFixedWidth(130)
        self.nav.setStyleSheet("QListWidget::item { padding: 8px 6px; }")
        self.stack = QStackedWidget()
        self.sections: dict[str, Section] = {}
        self._keys: list[str] = []
        for key, label, cls in SECTIONS:
            section = cls(ctx)
            section.setObjectName(f"settings_{key}")
            self.sections[key] = section
            self._keys.append(key)
            self.stack.addWidget(section)
            self.nav.addItem(label)
        layout = QHBoxLayout(self)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.nav.currentRowChanged.connect(self._on_nav)
        ctx.data_changed.connect(self._on_data_changed)
        self.nav.setCurrentRow(0)

    @property
    def station(self) -> StationSection:
        return self.sections["station"]  # type: ignore[return-value]

    @property
    def operators(self) -> OperatorsSection:
        return self.sections["operators"]  # type: ignore[return-value]

    @property
    def backup(self) -> BackupSection:
        return self.sections["backup"]  # type: ignore[return-value]

    @property
    def recycle(self) -> RecycleSection:
        return self.sections["recycle"]  # type: ignore[return-value]

    def _on_nav(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentIndex(row)
            if self.isVisible():
                self.sections[self._keys[row]].refresh()

    def show_section(self, key: str) -> Section:
        self.nav.setCurrentRow(self._keys.index(key))
        section = self.sections[key]
        section.refresh()
        return section

    def current_section(self) -> Section:
        return self.sections[self._keys[self.nav.currentRow()]]

    def refresh(self) -> None:
        self.current_section().refresh()

    def _on_data_changed(self, kind: str) -> None:
        # Sections reload themselves after their own writes; a deletion made on
        # another page shows in the recycle bin, and "*" (a restore, F5) reloads all.
        section = self.current_section()
        if self.isVisible() and (kind == "*" or isinstance(section, RecycleSection)):
            section.refresh()

    def save_state(self) -> None:
        for section in self.sections.values():
            section.save_state()
