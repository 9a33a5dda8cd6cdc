"""备份与恢复: USB backup, the automatic backups, restoring one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
)

from station_desktop.domain.errors import StationError
from station_desktop.store import backup as backups
from station_desktop.ui import config as cfg
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import show_error
from station_desktop.ui.forms import ERROR_STYLE
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.reports import local_time
from station_desktop.ui.pages.settings.restore import (
    RecoveryCodeInput,
    RestorePreviewDialog,
    RestoreResult,
    list_backups,
    restore_into_context,
)
from station_desktop.ui.pages.settings.section import HINT_STYLE, OK_STYLE, Section, _button, _hint
from station_desktop.ui.pages.settings.usb_backup import (
    RecoveryCodeDialog,
    backup_to_usb,
    choose_usb_folder,
    usb_backup_message,
)
from station_desktop.ui.table import RowsModel, make_table_view


class BackupSection(Section):
    """备份到…, 从备份恢复, and the automatic backups in the data folder."""

    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.preview_dialog: RestorePreviewDialog | None = None
        self.code_dialog: RecoveryCodeInput | None = None
        self.recovery_dialog: RecoveryCodeDialog | None = None
        self.last_backup: backups.UsbBackup | None = None
        self.last_restore: RestoreResult | None = None
        self.station_code = ""  # read on the worker with the list of backups

        self.backup_button = _button("备份到U盘（加密）…", "backup_usb",
                                     "把全部数据加密备份到U盘，写完后读回核对")
        self.backup_message = QLabel("")
        self.backup_message.setObjectName("backup_message")
        self.backup_message.setWordWrap(True)
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
        nl.addWidget(_hint("为防电脑损坏、被盗，请定期备份到U盘，U盘不要放在电脑旁边。U盘上的备份是加密的："
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
        nl.addWidget(_hint("程序每天第一次打开时会自动备份到数据目录的“backups”文件夹。注意：这些自动备份"
                           "没有加密，和本机数据放在同一块硬盘上，电脑坏了会一起丢失，不能代替U盘备份。"))

        self.restore_file_button = _button("从备份文件恢复…", "restore_from_file")
        self.restore_selected_button = _button("从所选备份恢复…", "restore_selected")
        self.restore_message = QLabel("")
        self.restore_message.setObjectName("restore_message")
        self.restore_message.setWordWrap(True)
        self.model = RowsModel(["类型", "文件名", "时间", "大小"], parent=self)
        self.view = make_table_view(self.model, "backups_table")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.empty = _hint("还没有自动备份。")
        rest = QGroupBox("从备份恢复")
        rl = QVBoxLayout(rest)
        rl.addWidget(_hint("恢复前会先显示备份里有什么，确认后才恢复；现在的数据会先另存一份。"))
        r2 = QHBoxLayout()
        r2.addWidget(self.restore_file_button)
        r2.addWidget(self.restore_selected_button)
        r2.addStretch(1)
        rl.addLayout(r2)
        rl.addWidget(self.restore_message)
        rl.addWidget(QLabel("数据目录中的备份："))
        rl.addWidget(self.empty)
        rl.addWidget(self.view, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(now)
        layout.addWidget(rest, 1)
        self.backup_button.clicked.connect(self.choose_backup_file)
        self.restore_file_button.clicked.connect(self.choose_restore_file)
        self.restore_selected_button.clicked.connect(self.restore_selected)
        self.keep_days.editingFinished.connect(self.save_keep_days)
        self.reminder_days.valueChanged.connect(
            lambda v: self.ctx.config.set(cfg.USB_REMINDER_DAYS, int(v)))
        self.view.doubleClicked.connect(lambda _i: self.restore_selected())
        self.view.selectionModel().selectionChanged.connect(
            lambda *_: self.restore_selected_button.setEnabled(self._selected() is not None))
        self.restore_selected_button.setEnabled(False)

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
        self.model.set_rows([r[:4] for r in rows], keys=[r[4] for r in rows])
        self.empty.setVisible(not rows)
        self.restore_selected_button.setEnabled(self._selected() is not None)

    def _selected(self) -> Path | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.key_at(rows[0].row()) if rows else None

    # --- backup -------------------------------------------------------------------

    def save_keep_days(self) -> None:
        store, days = self.ctx.store, self.keep_days.value()
        Op(self, lambda: backups.set_daily_keep_days(store, days)).run()

    def choose_backup_file(self) -> None:
        folder = choose_usb_folder(self.ctx, self)
        if folder is not None:
            self.backup_to(folder)

    def backup_to(self, folder: Path) -> None:
        self.backup_button.setEnabled(False)
        self.backup_message.setText("正在备份…")
        self.backup_message.setStyleSheet(HINT_STYLE)

        def done(made: backups.UsbBackup) -> None:
            self.last_backup = made
            self.backup_button.setEnabled(True)
            self.backup_message.setText(usb_backup_message(made))
            self.backup_message.setStyleSheet(OK_STYLE)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.backup_button.setEnabled(True)
            self.backup_message.setText("备份没有完成，U盘上没有留下不完整的文件。")
            self.backup_message.setStyleSheet(ERROR_STYLE)
            show_error(self, exc)

        backup_to_usb(self.ctx, self, folder, done, failed)

    # --- restore ------------------------------------------------------------------

    def choose_restore_file(self) -> None:
        folder = self.ctx.config.get(cfg.LAST_BACKUP_DIR) or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "选择备份文件", folder,
            f"服务站备份 (*{backups.SEALED_SUFFIX} *.sqlite3);;所有文件 (*)")
        if path:
            self.preview(Path(path))

    def restore_selected(self) -> None:
        path = self._selected()
        if path is not None:
            self.preview(path)

    def preview(self, source: Path, code: str | None = None) -> None:
        """Show what the backup holds; restoring waits for 确认恢复.

        An encrypted backup is first decrypted into the data dir with the code
        kept on this PC, or one the user types in when this PC has none.
        """
        store = self.ctx.store
        data_dir = store.path.parent

        def work(progress: Any) -> tuple[Path, backups.BackupSummary, str | None]:
            plain = backups.unseal_for_restore(source, data_dir, code)
            try:
                return plain, backups.summarize(plain), store.meta("station_code")
            except BaseException:
                backups.discard_unsealed(source, plain)
                raise

        def failed(exc: BaseException) -> None:
            from station_desktop.ui import errors

            if isinstance(exc, backups.RecoveryCodeNeeded):
                self.ask_code(source, exc.user_text())
            else:
                errors.show_error(self, exc)

        Op(self, work).success(lambda r: self._preview(source, *r)).failure(failed) \
            .with_progress("正在打开备份…").run()

    def ask_code(self, source: Path, reason: str) -> RecoveryCodeInput:
        self.code_dialog = dialog = RecoveryCodeInput(reason, self)

        def typed() -> None:
            try:
                code = backups.normalize_code(dialog.edit.text())
            except StationError as exc:
                self.ask_code(source, exc.user_text())
                return
            self.preview(source, code)

        dialog.accepted.connect(typed)
        dialog.open()
        return dialog

    def _preview(self, source: Path, plain: Path, summary: backups.BackupSummary,
                 current_code: str | None) -> None:
        self.preview_dialog = RestorePreviewDialog(summary, current_code, self, source=source,
                                                   encrypted=plain != source)
        self.preview_dialog.accepted.connect(lambda: self.restore(plain, source))
        self.preview_dialog.rejected.connect(lambda: backups.discard_unsealed(source, plain))
        self.preview_dialog.open()

    def restore(self, plain: Path, source: Path | None = None) -> None:
        ctx = self.ctx
        source = source or plain
        self.restore_message.setText("正在恢复…")
        self.restore_message.setStyleSheet(HINT_STYLE)

        def work(progress: Any) -> RestoreResult:
            try:
                return restore_into_context(ctx, plain, progress, label=source)
            finally:
                backups.discard_unsealed(source, plain)

        def done(result: RestoreResult) -> None:
            self.last_restore = result
            ctx.replace_store(result.store)
            kept = f"恢复前的数据已另存为 {result.kept.name}。" if result.kept else ""
            self.restore_message.setText(
                f"已从 {source.name} 恢复：人员 {result.summary.counts['person']} 人。" + kept)
            self.restore_message.setStyleSheet(OK_STYLE)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.restore_message.setText("没有恢复，数据保持原样。")
            self.restore_message.setStyleSheet(ERROR_STYLE)
            show_error(self, exc)
            ctx.data_changed.emit("*")

        Op(self, work).success(done).failure(failed).with_progress("正在恢复数据…").run()
