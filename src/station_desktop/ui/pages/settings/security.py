"""登录与锁定: when the program locks itself."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QSpinBox, QVBoxLayout

from station_desktop.ui import config as cfg
from station_desktop.ui.context import AppContext
from station_desktop.ui.pages.settings.section import Section, hint


class SecuritySection(Section):
    """登录与锁定: how long without input before the program locks itself."""

    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("idle_lock_minutes")
        self.idle_minutes.setRange(0, 240)
        self.idle_minutes.setSuffix(" 分钟")
        self.idle_minutes.setSpecialValueText("不自动锁定")
        self.idle_minutes.setValue(ctx.config.get(cfg.IDLE_LOCK_MINUTES))
        self.idle_minutes.setMaximumWidth(140)
        form = QFormLayout()
        form.addRow("多久没有操作就自动锁定：", self.idle_minutes)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint(
            "锁定后要输入 PIN 才能继续，防止离开座位时别人看到或改动档案；正在进行的备份、导入"
            "不会中断。随时可按 Ctrl+L 立即锁定。PIN 在“操作员”中设置；有人设置了 PIN 后，"
            "打开程序时也要选择操作员并输入 PIN，每条修改都记在登录的人名下。"))
        layout.addWidget(hint(
            "PIN 只管谁能使用本程序，不给电脑上的数据加密：请给电脑设置开机密码，"
            "并只把数据备份到加密的U盘备份中。"))
        layout.addStretch(1)
        self.idle_minutes.valueChanged.connect(
            lambda v: self.ctx.config.set(cfg.IDLE_LOCK_MINUTES, int(v)))

    def refresh(self) -> None:
        self.idle_minutes.blockSignals(True)
        self.idle_minutes.setValue(self.ctx.config.get(cfg.IDLE_LOCK_MINUTES))
        self.idle_minutes.blockSignals(False)
