"""The start-up recovery dialog: the database file is damaged, here is the newest good backup.

Shown by :func:`open_or_recover` instead of the program when the data file
cannot be used. It says what is wrong in Chinese, preselects the newest
backup that verifies (with its date and counts), and offers 恢复此备份,
选择其他备份… and 退出. The damaged file is moved aside, never deleted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.errors import StorageError
from station_desktop.services.recovery import RecoveryResult, recover
from station_desktop.store import backup as backups
from station_desktop.store import recovery
from station_desktop.store.db import Store
from station_desktop.ui.errors import show_error
from station_desktop.ui.ops import Op, shutdown_worker
from station_desktop.ui.pages.settings.restore import summary_lines
from station_desktop.ui.table import local_time
from station_desktop.ui.widgets import text_label


def _verify(path: Path, data_dir: Path) -> tuple[recovery.BackupChoice, Path | None]:
    """Verify a backup (on the worker); an encrypted USB backup is opened with this PC's code."""
    if backups.is_sealed(path):
        plain = backups.unseal_for_restore(path, data_dir)
        choice = recovery.verify_backup(plain)
        return recovery.BackupChoice(path, choice.made_at, choice.size, choice.summary,
                                     choice.error), plain
    return recovery.verify_backup(path), None


class RecoveryDialog(QDialog):
    """Explain the damage and restore a backup; ``store`` is the restored, open database."""

    def __init__(self, diagnosis: recovery.Diagnosis, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("数据文件需要恢复")
        self.setMinimumWidth(560)
        self.diagnosis = diagnosis
        self.data_dir = diagnosis.data_dir
        self.choice: recovery.BackupChoice | None = None
        self._plain: Path | None = None  # the decrypted copy of an encrypted backup
        self.store: Store | None = None
        self.result: RecoveryResult | None = None

        problem = text_label(diagnosis.message, "problem", style="font-weight: bold;", wrap=True)
        if diagnosis.recoverable:
            advice = ("可以从备份恢复。恢复前，当前的数据文件会原样移到数据目录下的 "
                      f"“{recovery.DAMAGED_DIR}” 文件夹保留，不会删除。")
        else:
            advice = "请安装最新版本的服务站程序后再打开；数据没有被改动。"
        self.advice = text_label(advice, "advice", wrap=True)
        detail = text_label(f"技术信息：{diagnosis.detail}（{self.data_dir}）", "detail",
                            style="color: #666;", wrap=True)

        self.box = QGroupBox("将要恢复的备份")
        self.backup_label = text_label("正在查找并核对备份…", "backup_label", wrap=True)
        self.form = QFormLayout()
        inner = QVBoxLayout(self.box)
        inner.addWidget(self.backup_label)
        inner.addLayout(self.form)
        self.values: dict[str, QLabel] = {}

        self.restore_button = QPushButton("恢复此备份")
        self.restore_button.setObjectName("restore")
        self.restore_button.setEnabled(False)
        self.restore_button.setDefault(True)
        self.choose_button = QPushButton("选择其他备份…")
        self.choose_button.setObjectName("choose")
        self.keep_button = QPushButton("按现有文件继续")
        self.keep_button.setObjectName("keep")
        self.keep_button.setToolTip("不恢复备份，使用现有文件（缺少丢失的日志中的修改）；"
                                    "所有文件会先复制保留")
        self.keep_button.setVisible(diagnosis.problem == "wal_missing")
        self.quit_button = QPushButton("退出")
        self.quit_button.setObjectName("quit")
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        for b in (self.restore_button, self.choose_button, self.quit_button):
            buttons.addWidget(b)

        layout = QVBoxLayout(self)
        layout.addWidget(problem)
        layout.addWidget(self.advice)
        layout.addWidget(detail)
        layout.addWidget(self.box)
        layout.addLayout(buttons)

        self.restore_button.clicked.connect(self.restore)
        self.choose_button.clicked.connect(self.choose)
        self.keep_button.clicked.connect(self.keep)
        self.quit_button.clicked.connect(self.reject)
        # Work for the worker thread captures plain values, never the dialog: a
        # Qt wrapper released on the worker thread crashes PySide.
        data_dir = self.data_dir
        if diagnosis.recoverable:
            Op(self, lambda: recovery.newest_good_backup(data_dir)) \
                .success(lambda c: self.show_choice(c, None)).run()
        else:
            self.box.setVisible(False)
            self.choose_button.setVisible(False)
            self.restore_button.setVisible(False)

    # --- which backup ---------------------------------------------------------------

    def show_choice(self, choice: recovery.BackupChoice | None, plain: Path | None) -> None:
        self._discard_plain()
        self.choice, self._plain = choice, plain
        self._render()

    def _render(self) -> None:
        choice = self.choice
        while self.form.rowCount():
            self.form.removeRow(0)
        self.values.clear()
        if choice is None:
            self.backup_label.setText("没有找到可用的备份。可以点“选择其他备份…”，"
                                      "选U盘上或其他文件夹里的备份文件。")
        elif not choice.good:
            self.backup_label.setText(f"备份“{choice.path.name}”不能使用：{choice.error}")
        else:
            self.backup_label.setText(f"备份文件：{choice.path}\n"
                                      f"备份时间：{local_time(choice.made_at.astimezone().isoformat())}")
            assert choice.summary is not None
            for label, value in summary_lines(choice.summary):
                v = QLabel(value)
                v.setObjectName(f"backup_{label}")
                self.values[label] = v
                self.form.addRow(label + "：", v)
        self.restore_button.setEnabled(bool(choice and choice.good))

    def ask_file(self) -> str:
        folder = self.data_dir / "backups"
        path, _filter = QFileDialog.getOpenFileName(
            self, "选择备份文件", str(folder if folder.is_dir() else self.data_dir),
            f"服务站备份 (*.sqlite3 *{backups.SEALED_SUFFIX});;所有文件 (*)")
        return path

    def choose(self) -> None:
        path = self.ask_file()
        if path:
            self.use_file(Path(path))

    def use_file(self, path: Path) -> None:
        self.backup_label.setText("正在核对备份…")
        self.restore_button.setEnabled(False)
        data_dir = self.data_dir
        Op(self, lambda: _verify(path, data_dir)) \
            .success(lambda r: self.show_choice(*r)) \
            .failure(self._failed).with_progress("正在核对备份…").run()

    # --- actions ------------------------------------------------------------------------

    def restore(self) -> None:
        if self.choice is None or not self.choice.good:
            return
        source = self._plain or self.choice.path
        problem, data_dir = self.diagnosis.problem, self.data_dir
        self.restore_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        Op(self, lambda progress: recover(data_dir, source, problem=problem,
                                          progress=progress)) \
            .success(self._recovered).failure(self._failed) \
            .with_progress("正在恢复备份…").run()

    def keep(self) -> None:
        recovery.keep_as_is(self.data_dir)
        from station_desktop.services import open_store

        try:
            self.store = open_store(self.data_dir)
        except StorageError as exc:
            show_error(self, exc)
            return
        self.accept()

    def _recovered(self, result: RecoveryResult) -> None:
        self._discard_plain()
        self.result = result
        self.store = result.store
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.choose_button.setEnabled(True)
        self._render()  # the backup chosen before stays chosen
        show_error(self, exc)

    def _discard_plain(self) -> None:
        if self._plain is not None and self.choice is not None:
            backups.discard_unsealed(self.choice.path, self._plain)
        self._plain = None

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        if self.store is None:
            self._discard_plain()
        super().done(result)


def open_or_recover(data_dir: Path) -> Store | None:
    """Open the data dir's database, or let the cadre recover it; None: the program quits.

    The byte-level checks run first: opening the file, even to check it,
    would erase the only sign of a lost ``-wal``.
    """
    from station_desktop.services import open_store

    found = recovery.diagnose(data_dir, thorough=False)
    if found.ok:
        try:
            return open_store(data_dir)
        except StorageError as exc:
            found = recovery.diagnose(data_dir)
            if found.ok:  # not a damaged file (say, a locked one): say what open_store said
                QMessageBox.critical(None, "无法打开数据", exc.user_text())
                return None
    dialog = RecoveryDialog(found)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    # Let the worker drop its last references while the dialog is still alive here.
    shutdown_worker()
    if not accepted or dialog.store is None:
        return None
    if dialog.result is not None and dialog.result.damaged_dir is not None:
        QMessageBox.information(None, "已从备份恢复",
                                f"已从备份恢复。原来的数据文件保存在：\n{dialog.result.damaged_dir}")
    return dialog.store
