"""从备份恢复: the preview of a backup, the recovery code input, restoring under the
running program."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import text

from station_desktop.store import backup as backups
from station_desktop.store.db import Store
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import ERROR_STYLE
from station_desktop.ui.pages.reports import local_time
from station_desktop.ui.pages.settings.section import _hint, _size


@dataclass(frozen=True)
class RestoreResult:
    summary: backups.BackupSummary
    kept: Path | None  # where the database before the restore was kept
    operator_id: str | None
    store: Store  # the reopened database, swapped into the context on the GUI thread


def _usable_operator(store: Store, wanted: str | None) -> str | None:
    """``wanted`` if it is an active operator in ``store``, else the first active admin."""
    with store.read() as s:
        if wanted and s.execute(text(
                "SELECT 1 FROM operator WHERE id = :id AND active = 1 AND deleted_at IS NULL"),
                {"id": wanted}).first():
            return wanted
        return s.execute(text(
            "SELECT id FROM operator WHERE active = 1 AND deleted_at IS NULL "
            "ORDER BY is_admin DESC, created_at LIMIT 1")).scalar()


def restore_into_context(ctx: AppContext, source: Path,
                         progress: Callable[[int, int], None] | None = None, *,
                         label: Path | None = None) -> RestoreResult:
    """Replace the open database with the backup ``source`` and carry on with the new one.

    Runs on the worker. The backup is checked before anything is closed; the
    store is closed, the file restored (the old one is kept aside by
    ``store.backup.restore``), reopened through ``open_store`` (which migrates
    an older backup), swapped into ``ctx`` and the service, and the search
    index rebuilt. A failed restore still reopens the old file so the program
    keeps working.
    """
    from station_desktop.services import open_store

    source = Path(source)
    backups.summarize(source)  # refuse a bad file while the store is still open
    old = ctx.store
    data_dir = old.path.parent
    old.close()
    try:
        new, summary, kept = backups.restore_data_dir(
            data_dir, source, operator_id=ctx.service.operator_id, progress=progress,
            label=label)
    except BaseException:
        ctx.store = ctx.service.store = open_store(data_dir, daily_backup=False)
        raise
    operator = _usable_operator(new, ctx.service.operator_id)
    ctx.service.operator_id = operator
    # Swapping the store (and the signal to reload) is the GUI thread's job:
    # the caller's success callback calls ctx.replace_store(result.store).
    return RestoreResult(summary, kept, operator, new)


class RecoveryCodeInput(QDialog):
    """Asks for the recovery code of an encrypted backup this PC cannot open by itself."""

    def __init__(self, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("输入恢复码")
        self.reason = QLabel(reason)
        self.reason.setObjectName("recovery_code_reason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet(ERROR_STYLE)
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
        layout.addWidget(_hint("恢复码是第一次备份到U盘时显示、抄在纸上（或打印）放进档案柜的那 24 位"
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
    """(kind, file name, modified, size) of the backups in ``<data dir>/backups``, newest first."""
    folder = backups.backups_dir(data_dir)
    out = []
    for f in folder.glob("*.sqlite3"):
        kind = next((label for prefix, label in BACKUP_KINDS if f.name.startswith(prefix)),
                    "其他备份")
        st = f.stat()
        out.append((st.st_mtime, kind, f.name,
                    datetime.fromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M"),
                    _size(st.st_size), f))
    out.sort(reverse=True)
    return [row[1:] for row in out]


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
