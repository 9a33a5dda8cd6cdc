"""从备份恢复: the preview of a backup, the recovery code input, restoring under the
running program."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.errors import StationError
from station_desktop.domain.progress import Progress
from station_desktop.services.restoring import RestoreResult, open_backup, restore_running
from station_desktop.store import backup as backups
from station_desktop.store import recovery
from station_desktop.ui import config as cfg
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import show_error
from station_desktop.ui.forms import ERROR_STYLE
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.reports import local_time
from station_desktop.ui.pages.settings.section import button, file_size, hint
from station_desktop.ui.table import RowsModel, make_table_view
from station_desktop.ui.widgets import STRETCH, hbox, text_label


def restore_into_context(ctx: AppContext, source: Path, progress: Progress | None = None, *,
                         label: Path | None = None) -> RestoreResult:
    """Replace the open database with the backup ``source`` and carry on with the new one.

    Runs on the worker (:func:`~station_desktop.services.restoring.restore_running`).
    Swapping the new store in (and the signal to reload) is the GUI thread's
    job: the caller's success callback calls ``ctx.replace_store(result.store)``.
    """
    try:
        return restore_running(ctx.service, source, progress, label=label)
    except BaseException:
        ctx.store = ctx.service.store  # the old file, reopened so the program keeps working
        raise


class RecoveryCodeInput(QDialog):
    """Asks for the recovery code of an encrypted backup this PC cannot open by itself."""

    def __init__(self, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("输入恢复码")
        self.reason = text_label(reason, "recovery_code_reason", style=ERROR_STYLE, wrap=True)
        self.edit = QLineEdit()
        self.edit.setObjectName("recovery_code_input")
        self.edit.setPlaceholderText("如 ABCD-EFGH-JKMN-PQRS-TVWX-YZ23（大小写、横线都可以）")
        self.edit.setStyleSheet("font-family: monospace; font-size: 16px;")
        self.edit.setMinimumHeight(34)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addWidget(hint("恢复码是第一次备份到U盘时显示、抄在纸上（或打印）放进档案柜的那 24 位"
                              "字母和数字。"))
        layout.addWidget(self.edit)
        layout.addWidget(buttons)
        self.resize(520, 200)


BACKUP_KINDS = (
    (backups.DAILY_PREFIX, "每日自动备份"),
    ("before-upgrade-", "程序升级前的备份"),
    ("before-restore-", "恢复前留存的原数据"),
)


def list_backups(data_dir: Path) -> list[tuple[str, str, str, str, Path]]:
    """(kind, file name, modified, size, path) of the backups in ``<data dir>/backups``, newest first."""
    out = []
    for f in recovery.list_backups(data_dir):
        kind = next((label for prefix, label in BACKUP_KINDS if f.name.startswith(prefix)),
                    "其他备份")
        st = f.stat()
        out.append((kind, f.name, datetime.fromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M"),
                    file_size(st.st_size), f))
    return out


def summary_lines(summary: backups.BackupSummary) -> list[tuple[str, str]]:
    c = summary.counts
    return [
        ("服务站", f"{summary.station_name or '（未知）'}（{summary.station_code or '—'}）"),
        ("最后修改时间", local_time(summary.last_change_at)),
        ("人员档案", f"{c.get('person', 0)} 人"),
        ("走访记录", f"{c.get('visit', 0)} 条"),
        ("帮扶申请", f"{c.get('aid_application', 0)} 件"),
        ("矛盾纠纷", f"{c.get('dispute_case', 0)} 件"),
        ("荣誉", f"{c.get('honour', 0)} 项"),
        ("变更记录", f"{c.get('change_log', 0)} 条"),
    ]


class RestorePreviewDialog(QDialog):
    """What the backup holds, and a clear choice: 确认恢复 or 取消."""

    def __init__(self, summary: backups.BackupSummary, current_code: str | None,
                 parent: QWidget | None = None, *, source: Path | None = None,
                 encrypted: bool = False):
        super().__init__(parent)
        self.setWindowTitle("从备份恢复")
        self.summary = summary
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"备份文件：{source or summary.path}"))
        if encrypted:
            layout.addWidget(QLabel("这是加密的U盘备份，已用恢复码打开并核对完整。"))
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for label, value in summary_lines(summary):
            v = QLabel(value)
            v.setObjectName(f"preview_{label}")
            self.values[label] = v
            form.addRow(label + "：", v)
        layout.addLayout(form)
        if current_code and summary.station_code and summary.station_code != current_code:
            other = QLabel(f"注意：这个备份属于另一个服务站（{summary.station_code}），"
                           f"本机是 {current_code}。请确认没有选错文件。")
            other.setObjectName("other_station_warning")
            other.setWordWrap(True)
            other.setStyleSheet(ERROR_STYLE)
            layout.addWidget(other)
        warn = QLabel("恢复后，本机现在的数据将被这个备份中的数据替换，备份之后录入的内容将不再显示。"
                      "现在的数据会先另存到“backups”文件夹（名为 before-restore-…），需要时还能找回。")
        warn.setWordWrap(True)
        warn.setStyleSheet("font-weight: bold;")
        layout.addWidget(warn)
        self.buttons = QDialogButtonBox()
        self.confirm_button = self.buttons.addButton(
            "确认恢复", QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_button.setObjectName("confirm_restore")
        cancel = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        # Enter must not replace the database: 取消 is the default button.
        self.confirm_button.setAutoDefault(False)
        cancel.setAutoDefault(True)
        cancel.setDefault(True)
        cancel.setFocus()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(520, 380)


class RestoreBox:
    """The 从备份恢复 half of 备份与恢复 (mixed into BackupSection, a Section).

    Lists the backups in the data folder, shows what a chosen one holds and
    restores it after 确认恢复; an encrypted one asks for its recovery code
    when this PC does not keep it.
    """

    ctx: AppContext

    def restore_box(self) -> QGroupBox:
        self.preview_dialog: RestorePreviewDialog | None = None
        self.code_dialog: RecoveryCodeInput | None = None
        self.last_restore: RestoreResult | None = None
        self.restore_file_button = button("从备份文件恢复…", "restore_from_file")
        self.restore_selected_button = button("从所选备份恢复…", "restore_selected")
        self.restore_message = text_label("", "restore_message", wrap=True)
        self.model = RowsModel(["类型", "文件名", "时间", "大小"], parent=self)
        self.view = make_table_view(self.model, "backups_table")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.empty = hint("还没有自动备份。")
        rest = QGroupBox("从备份恢复")
        rl = QVBoxLayout(rest)
        rl.addWidget(hint("恢复前会先显示备份里有什么，确认后才恢复；现在的数据会先另存一份。"))
        rl.addLayout(hbox(self.restore_file_button, self.restore_selected_button, STRETCH))
        rl.addWidget(self.restore_message)
        rl.addWidget(QLabel("数据目录中的备份："))
        rl.addWidget(self.empty)
        rl.addWidget(self.view, 1)

        self.restore_file_button.clicked.connect(self.choose_restore_file)
        self.restore_selected_button.clicked.connect(self.restore_selected)
        self.view.doubleClicked.connect(lambda _i: self.restore_selected())
        self.view.selectionModel().selectionChanged.connect(
            lambda *_: self.restore_selected_button.setEnabled(self._selected() is not None))
        self.restore_selected_button.setEnabled(False)
        return rest

    def show_backups(self, rows: list[tuple[str, str, str, str, Path]]) -> None:
        self.model.set_rows([r[:4] for r in rows], keys=[r[4] for r in rows])
        self.empty.setVisible(not rows)
        self.restore_selected_button.setEnabled(self._selected() is not None)

    def _selected(self) -> Path | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.key_at(rows[0].row()) if rows else None

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

        def work() -> tuple[Path, backups.BackupSummary, str | None]:
            return (*open_backup(source, data_dir, code), store.meta("station_code"))

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
        self._message(self.restore_message, "正在恢复…", hint=True)

        def work(progress: Progress) -> RestoreResult:
            try:
                return restore_into_context(ctx, plain, progress, label=source)
            finally:
                backups.discard_unsealed(source, plain)

        def done(result: RestoreResult) -> None:
            self.last_restore = result
            ctx.replace_store(result.store)
            kept = f"恢复前的数据已另存为 {result.kept.name}。" if result.kept else ""
            self._message(self.restore_message,
                          f"已从 {source.name} 恢复：人员 {result.summary.counts['person']} 人。"
                          + kept)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._message(self.restore_message, "没有恢复，数据保持原样。", error=True)
            show_error(self, exc)
            ctx.data_changed.emit("*")

        Op(self, work).success(done).failure(failed).with_progress("正在恢复数据…").run()
