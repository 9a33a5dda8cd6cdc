"""备份与恢复: USB backup, the automatic backups, restoring one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout

from station_desktop.services import backups as backing_up
from station_desktop.store import backup as backups
from station_desktop.ui import config as cfg
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import show_error
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.reports import local_time
from station_desktop.ui.pages.settings.restore import RestoreBox, list_backups
from station_desktop.ui.pages.settings.section import Section, button, hint
from station_desktop.ui.pages.settings.usb_backup import (
    RecoveryCodeDialog,
    backup_to_usb,
    choose_usb_folder,
    usb_backup_message,
)
from station_desktop.ui.widgets import text_label


class BackupSection(Section, RestoreBox):
    """备份到…, 从备份恢复, and the automatic backups in the data folder."""

    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.recovery_dialog: RecoveryCodeDialog | None = None
        self.last_backup: backups.UsbBackup | None = None
        self.station_code = ""  # read on the worker with the list of backups

        self.backup_button = button("备份到U盘（加密）…", "backup_usb",
                                    "把全部数据加密备份到U盘，写完后读回核对")
        self.backup_message = text_label("", "backup_message", wrap=True)
        self.last_usb_label = QLabel("")
        self.last_usb_label.setObjectName("last_usb_backup")
        self.keep_days = QSpinBox()
        self.keep_days.setObjectName("daily_keep_days")
        self.keep_days.setRange(*backups.KEEP_DAYS_RANGE)
        self.keep_days.setSuffix(" 天")
        self.reminder_days = QSpinBox()
        self.reminder_days.setObjectName("usb_reminder_days")
        self.reminder_days.setRange(1, 90)
        self.reminder_days.setSuffix(" 天")
        self.reminder_days.setValue(ctx.config.get(cfg.USB_REMINDER_DAYS))
        for spin in (self.keep_days, self.reminder_days):
            spin.setMaximumWidth(110)
        now = QGroupBox("备份到U盘")
        nl = QVBoxLayout(now)
        nl.addWidget(hint("为防电脑损坏、被盗，请定期备份到U盘，U盘不要放在电脑旁边。U盘上的备份是加密的："
                          "捡到U盘的人看不到里面的内容。第一次备份时会显示一个恢复码，请抄写或打印后"
                          "放进档案柜：换电脑时要凭它打开备份。"))
        r1 = QHBoxLayout()
        r1.addWidget(self.backup_button)
        r1.addWidget(self.last_usb_label, 1)
        nl.addLayout(r1)
        nl.addWidget(self.backup_message)
        auto = QFormLayout()
        auto.addRow("自动备份保留：", self.keep_days)
        auto.addRow("多久没备份到U盘就在首页提醒：", self.reminder_days)
        nl.addLayout(auto)
        nl.addWidget(hint("程序每天第一次打开时会自动备份到数据目录的“backups”文件夹。注意：这些自动备份"
                          "没有加密，和本机数据放在同一块硬盘上，电脑坏了会一起丢失，不能代替U盘备份。"))

        layout = QVBoxLayout(self)
        layout.addWidget(now)
        layout.addWidget(self.restore_box(), 1)
        self.backup_button.clicked.connect(self.choose_backup_file)
        self.keep_days.editingFinished.connect(self.save_keep_days)
        self.reminder_days.valueChanged.connect(
            lambda v: self.ctx.config.set(cfg.USB_REMINDER_DAYS, int(v)))
    def data_dir(self) -> Path:
        return Path(self.ctx.store.path).parent

    def refresh(self) -> None:
        store = self.ctx.store

        def load() -> tuple[list[tuple[str, str, str, str, Path]], str, int, str | None]:
            return (list_backups(store.path.parent), store.meta("station_code") or "",
                    backups.daily_keep_days(store), backups.last_usb_backup(store))

        Op(self, load).success(lambda r: self._listed(*r)).run()

    def _listed(self, rows: list[tuple[str, str, str, str, Path]], code: str, keep: int,
                last_usb: str | None) -> None:
        self.station_code = code
        self.keep_days.blockSignals(True)
        self.keep_days.setValue(keep)
        self.keep_days.blockSignals(False)
        self.last_usb_label.setText(f"上次备份到U盘：{local_time(last_usb)}" if last_usb
                                    else "还没有备份到U盘。")
        self.show_backups(rows)

    # --- backup -------------------------------------------------------------------

    def save_keep_days(self) -> None:
        store, days, operator_id = self.ctx.store, self.keep_days.value(), self.ctx.service.operator_id
        Op(self, lambda: backing_up.set_daily_keep_days(store, days, operator_id=operator_id)).run()

    def choose_backup_file(self) -> None:
        folder = choose_usb_folder(self.ctx, self)
        if folder is not None:
            self.backup_to(folder)

    def backup_to(self, folder: Path) -> None:
        self.backup_button.setEnabled(False)
        self._message(self.backup_message, "正在备份…", hint=True)

        def done(made: backups.UsbBackup) -> None:
            self.last_backup = made
            self.backup_button.setEnabled(True)
            self._message(self.backup_message, usb_backup_message(made))
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.backup_button.setEnabled(True)
            self._message(self.backup_message, "备份没有完成，U盘上没有留下不完整的文件。",
                          error=True)
            show_error(self, exc)

        backup_to_usb(self.ctx, self, folder, done, failed)
