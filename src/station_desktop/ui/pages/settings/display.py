"""显示: the large font."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QVBoxLayout

from station_desktop.ui import config as cfg
from station_desktop.ui.context import AppContext
from station_desktop.ui.pages.settings.section import Section, hint


class DisplaySection(Section):
    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.large_font = QCheckBox("大字体（字更大，适合年纪大、视力不好的同志）")
        self.large_font.setObjectName("large_font")
        self.large_font.setChecked(ctx.config.get(cfg.LARGE_FONT))
        layout = QVBoxLayout(self)
        layout.addWidget(self.large_font, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(hint("勾选后立即生效，下次打开程序时保持不变。"))
        layout.addStretch(1)
        self.large_font.toggled.connect(self.set_large_font)

    def refresh(self) -> None:
        self.large_font.blockSignals(True)
        self.large_font.setChecked(self.ctx.config.get(cfg.LARGE_FONT))
        self.large_font.blockSignals(False)

    def set_large_font(self, on: bool) -> None:
        from station_desktop.ui.main_window import apply_font_setting

        self.ctx.config.set(cfg.LARGE_FONT, bool(on))
        self.ctx.config.sync()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_font_setting(app, self.ctx.config)
