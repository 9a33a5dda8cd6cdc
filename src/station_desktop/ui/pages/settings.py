"""设置: station profile and 五有 self-assessment, operators, catalogues, backup and
restore, recycle bin, data folder, display.

Every database read and write runs on the worker (Op / ctx.run); the
operators list is a LazyTableModel whose blocks load on demand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import text

from station_desktop.domain.catalogues import KIND_LABELS as CATALOGUE_LABELS
from station_desktop.domain.catalogues import CatalogueEntry, Catalogues
from station_desktop.domain.enums import Role
from station_desktop.domain.errors import StationError
from station_desktop.services import assessment as assess
from station_desktop.store import assessment as sa
from station_desktop.store import backup as backups
from station_desktop.store.db import DB_FILENAME, Store
from station_desktop.ui import config as cfg
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import show_error
from station_desktop.ui.forms import ERROR_STYLE, RecordDialog, RecordForm
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.base import fill_with_scrolling
from station_desktop.ui.pages.reports import local_time
from station_desktop.ui.table import Column, LazyTableModel, RowsModel, make_table_view

HINT_STYLE = "color: #555;"
OK_STYLE = "color: #1b6e20;"


def _hint(text_: str) -> QLabel:
    label = QLabel(text_)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


def _button(label: str, name: str, tooltip: str = "") -> QPushButton:
    b = QPushButton(label)
    b.setObjectName(name)
    b.setMinimumHeight(32)
    if tooltip:
        b.setToolTip(tooltip)
    return b


# --- restore, with the store swapped under the running program ------------------


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


def open_set_pin(ctx: AppContext, parent: QWidget, operator_id: str, name: str, *,
                 needs_old: bool) -> QDialog:
    from station_desktop.ui.signin import SetPinDialog

    dialog = SetPinDialog(ctx.service, operator_id, name, needs_old=needs_old, parent=parent)
    dialog.accepted.connect(lambda: ctx.data_changed.emit("operator"))
    dialog.open()
    return dialog


# --- backups to a USB stick: encrypted, read back, the recovery code -----------------


class RecoveryCodeDialog(QDialog):
    """The recovery code, shown once: write it down or print it, then tick the box."""

    def __init__(self, code: str, station: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("请抄写（打印）U盘备份的恢复码")
        self.code = code
        self.station = station
        head = QLabel("U盘上的备份是加密的。换电脑或电脑损坏时，要有下面这个恢复码才能打开备份。")
        head.setWordWrap(True)
        head.setStyleSheet("font-weight: bold;")
        self.code_label = QLabel(code)
        self.code_label.setObjectName("recovery_code")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setStyleSheet("font-family: monospace; font-size: 24px; padding: 12px;"
                                      "border: 2px dashed #888; background: #fffdf0;")
        how = _hint("请现在就把它抄在纸上或打印出来，写明服务站名称和日期，由负责人签字后放进服务站"
                    "档案柜保管；不要和U盘放在一起，也不要拍照发到微信群。本机也存了一份"
                    "（数据目录的 keys 文件夹），以后的U盘备份都用这同一个恢复码。")
        self.print_button = _button("打印…", "print_recovery_code")
        self.done_check = QCheckBox("我已抄写（或打印）并妥善保管好恢复码")
        self.done_check.setObjectName("recovery_code_kept")
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("完成", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("recovery_code_done")
        self.ok_button.setEnabled(False)
        self.done_check.toggled.connect(self.ok_button.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.print_button.clicked.connect(self.print_code)
        layout = QVBoxLayout(self)
        for w in (head, self.code_label, how):
            layout.addWidget(w)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.done_check)
        layout.addWidget(self.buttons)
        self.resize(560, 340)

    def reject(self) -> None:  # Esc must not skip writing the code down
        if self.done_check.isChecked():
            super().reject()

    def document_html(self) -> str:
        return (f"<h2>退役军人服务站 U盘备份恢复码</h2><p>服务站：{self.station}</p>"
                f"<p>生成日期：{datetime.now():%Y年%m月%d日}</p>"
                f"<p style='font-size:20pt; font-family:monospace'>{self.code}</p>"
                "<p>用途：打开本站加密的U盘备份（换电脑、电脑损坏时恢复数据）。"
                "请放入档案柜妥善保管，不要与U盘放在一起。</p>"
                "<p>保管人签字：____________　　日期：____________</p>")

    def print_to(self, printer: Any) -> None:
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setHtml(self.document_html())
        doc.print_(printer)

    def print_code(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.print_to(printer)


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


def usb_backup_message(made: backups.UsbBackup) -> str:
    c = made.summary.counts
    return (f"已加密备份到 {made.path}（{_size(made.size)}），并已从U盘读回核对无误：人员 "
            f"{c['person']} 人，走访 {c['visit']} 条，帮扶 {c['aid_application']} 件。"
            "请安全弹出U盘后再拔下。")


def backup_to_usb(ctx: AppContext, parent: QWidget, folder: Path,
                  on_done: Callable[[backups.UsbBackup], None],
                  on_failed: Callable[[BaseException], None] | None = None) -> Op:
    """Encrypted, verified backup into ``folder`` on the worker; shows the code if it is new."""
    store, operator_id = ctx.store, ctx.service.operator_id

    def work(progress: Any) -> backups.UsbBackup:
        return backups.usb_backup(store, folder, operator_id=operator_id, progress=progress)

    def done(made: backups.UsbBackup) -> None:
        if made.new_code:
            name = ctx.store.meta("station_name") or ""
            dialog = RecoveryCodeDialog(made.new_code, name, parent)
            parent.recovery_dialog = dialog  # type: ignore[attr-defined]
            dialog.open()
        on_done(made)
        ctx.data_changed.emit("backup")

    op = Op(parent, work).success(done).with_progress("正在加密备份到U盘并读回核对…")
    if on_failed is not None:
        op.failure(on_failed)
    return op.run()


def choose_usb_folder(ctx: AppContext, parent: QWidget) -> Path | None:
    start = ctx.config.get(cfg.LAST_BACKUP_DIR) or str(Path.home())
    path = QFileDialog.getExistingDirectory(parent, "选择U盘（或要存放备份的文件夹）", start)
    if not path:
        return None
    ctx.config.set(cfg.LAST_BACKUP_DIR, path)
    return Path(path)


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


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{max(n // 1024, 1)} KB"


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


# --- the sections ------------------------------------------------------------


class Section(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx

    def refresh(self) -> None:  # pragma: no cover - overridden
        pass

    def save_state(self) -> None:
        pass


class StationSection(Section):
    """服务站信息 and this year's 五有 self-assessment."""

    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.station: dict[str, Any] | None = None
        self.assessment: dict[str, Any] | None = None
        self.year = ctx.today.year

        self.code_label = QLabel("—")
        self.code_label.setObjectName("station_code")
        self.role_label = QLabel("—")
        self.role_label.setObjectName("station_role")
        self.parent_label = QLabel("—")
        for lab in (self.code_label, self.parent_label):
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        fixed = QFormLayout()
        fixed.addRow("区划代码：", self.code_label)
        fixed.addRow("站点类型：", self.role_label)
        fixed.addRow("上级代码：", self.parent_label)
        # The station's fields have no catalogue lists, so the built-in catalogues
        # serve the form without a database read on the GUI thread.
        self.form = RecordForm("station", Catalogues.defaults(), today=ctx.today)
        self.save_button = _button("保存服务站信息", "save_station")
        self.station_message = QLabel("")
        self.station_message.setObjectName("station_message")
        profile = QGroupBox("服务站基本信息")
        pl = QVBoxLayout(profile)
        pl.addLayout(fixed)
        pl.addWidget(_hint("区划代码和站点类型在首次启动时设定，是与县里交换数据的依据，不能修改。"))
        pl.addWidget(self.form)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.station_message, 1)
        pl.addLayout(row)

        self.wuyou_box = QGroupBox(f"{self.year} 年“五有”自评")
        wl = QVBoxLayout(self.wuyou_box)
        wl.addWidget(_hint("逐项对照，做到了就打勾，并简要写明情况（如“已挂牌，办公室 30 平方米”）。"
                           "自评项目和分值由县服务中心统一规定。"))
        self.items_grid = QGridLayout()
        wl.addLayout(self.items_grid)
        self.checks: dict[str, QCheckBox] = {}
        self.notes: dict[str, QLineEdit] = {}
        self.weights: dict[str, int] = {}
        self.score_label = QLabel("")
        self.score_label.setObjectName("self_score")
        self.score_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.assess_message = QLabel("")
        self.assess_message.setObjectName("assessment_message")
        self.save_assessment_button = _button("保存自评", "save_assessment")
        row2 = QHBoxLayout()
        row2.addWidget(self.score_label)
        row2.addWidget(self.save_assessment_button)
        row2.addWidget(self.assess_message, 1)
        wl.addLayout(row2)

        self.star_box = QGroupBox(f"{self.year} 年星级评定自评")
        sl = QVBoxLayout(self.star_box)
        sl.addWidget(_hint("按县服务中心规定的星级评定表（示范型：12 个大项、61 个小项）逐项自评打分，"
                           "提交后由县里审核评分，审核结果随数据交换返回本站。"))
        self.star_button = _button("填写星级评定自评表…", "open_star_assessment")
        self.star_button.clicked.connect(self.open_star_assessment)
        sl.addWidget(self.star_button, 0, Qt.AlignmentFlag.AlignLeft)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(profile)
        layout.addWidget(self.wuyou_box)
        layout.addWidget(self.star_box)
        layout.addStretch(1)
        fill_with_scrolling(self, body)

        self.save_button.clicked.connect(self.save_station)
        self.save_assessment_button.clicked.connect(self.save_assessment)

    def refresh(self) -> None:
        ctx = self.ctx
        year = self.year

        def load() -> tuple[dict[str, Any] | None, dict[str, Any], str | None]:
            svc = ctx.service
            code = svc.station_code
            rows = svc.list("station", where={"code": code}, limit=1)
            return (rows[0] if rows else None,
                    sa.load_self_assessment(ctx.store, svc.catalogues(), code, year),
                    ctx.store.meta("role"))

        Op(self, load).success(lambda r: self._show(*r)).run()

    def _show(self, station: dict[str, Any] | None, assessment: dict[str, Any],
              role: str | None) -> None:
        self.station = station
        if station is not None:
            self.code_label.setText(station["code"])
            try:
                self.role_label.setText(Role(station["role"] or role).label)
            except ValueError:
                self.role_label.setText(station["role"] or "")
            self.parent_label.setText(station.get("parent_code") or "（未填）")
            self.form.set_values(station)
        self._show_assessment(assessment)

    def _show_assessment(self, assessment: dict[str, Any]) -> None:
        self.assessment = assessment
        saved = (assessment.get("saved") or {}).get("items") or {}
        if set(self.checks) != {i["code"] for i in assessment["items"]}:
            while self.items_grid.count():
                w = self.items_grid.takeAt(0).widget()
                if w is not None:
                    w.deleteLater()
            self.checks.clear()
            self.notes.clear()
            for r, item in enumerate(assessment["items"]):
                box = QCheckBox(f"{item['name']}（{item['weight']} 分）")
                box.setObjectName(f"wuyou_{item['code']}")
                box.toggled.connect(self._update_score)
                note = QLineEdit()
                note.setObjectName(f"wuyou_note_{item['code']}")
                note.setPlaceholderText("情况说明（可不填）")
                note.setMaxLength(200)
                self.items_grid.addWidget(box, r, 0)
                self.items_grid.addWidget(note, r, 1)
                self.checks[item["code"]] = box
                self.notes[item["code"]] = note
            self.items_grid.setColumnStretch(1, 1)
        self.weights = {i["code"]: int(i["weight"]) for i in assessment["items"]}
        for code, box in self.checks.items():
            value = saved.get(code) or {}
            box.blockSignals(True)
            box.setChecked(bool(value.get("checked")))
            box.blockSignals(False)
            self.notes[code].setText(str(value.get("note") or ""))
        state = assessment.get("saved")
        self.assess_message.setText(
            f"已保存（{local_time(state['updated_at'])}）" if state else "今年还没有自评。")
        self.assess_message.setStyleSheet(HINT_STYLE)
        self._update_score()

    def current_score(self) -> int:
        return sum(self.weights.get(c, 0) for c, box in self.checks.items() if box.isChecked())

    def _update_score(self) -> None:
        top = sum(self.weights.values())
        self.score_label.setText(f"自评得分：{self.current_score()} / {top} 分")

    def save_station(self) -> None:
        if self.station is None:
            return
        if not self.form.is_valid():
            self._message(self.station_message, "还有几项没有填好，请看红字提示。", error=True)
            return
        ctx, station_id, values = self.ctx, self.station["id"], self.form.values()

        def work() -> dict[str, Any]:
            return ctx.service.update("station", station_id, values)

        def done(row: dict[str, Any]) -> None:
            self.station = row
            self._message(self.station_message, "已保存。")
            self.ctx.data_changed.emit("station")

        def failed(exc: BaseException) -> None:
            field = getattr(exc, "field", None)
            text_ = exc.user_text() if isinstance(exc, StationError) else str(exc)
            if not isinstance(exc, StationError) or not self.form.show_error(field, text_):
                show_error(self, exc)
            self._message(self.station_message, "没有保存。", error=True)

        self._message(self.station_message, "正在保存…")
        Op(self, work).success(done).failure(failed).run()

    def save_assessment(self) -> None:
        ctx, year = self.ctx, self.year
        items = {code: {"checked": box.isChecked(), "note": self.notes[code].text().strip()}
                 for code, box in self.checks.items()}

        def work() -> dict[str, Any]:
            svc = ctx.service
            cats = svc.catalogues()
            assess.save_self_assessment(ctx.store, cats, svc.operator_id, svc.station_code, year,
                                        sa.WUYOU, items)
            return sa.load_self_assessment(ctx.store, cats, svc.station_code, year)

        def done(assessment: dict[str, Any]) -> None:
            self._show_assessment(assessment)
            score = assessment["saved"]["self_score"]
            self._message(self.assess_message, f"自评已保存，得分 {score} 分。")
            self.ctx.data_changed.emit("station_assessment")

        Op(self, work).success(done).run()

    def open_star_assessment(self) -> QDialog:
        from station_desktop.ui.pages.assessment import StarSelfDialog

        dialog = StarSelfDialog(self.ctx, self.year, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.star_dialog = dialog
        return dialog

    @staticmethod
    def _message(label: QLabel, text_: str, *, error: bool = False) -> None:
        label.setText(text_)
        label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)


class OperatorsSection(Section):
    """Who works the program here: add, edit, deactivate (never delete: the log names them)."""

    SORTABLE = {"name": "name", "post": "post", "phone": "phone", "is_admin": "is_admin",
                "active": "active"}

    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.dialog: RecordDialog | None = None
        self.add_button = _button("添加操作员", "add_operator")
        self.edit_button = _button("修改", "edit_operator")
        self.toggle_button = _button("停用", "toggle_operator",
                                     "停用后不能再以此人身份操作；以前的记录仍保留其姓名。")
        self.pin_button = _button("设置 PIN…", "set_operator_pin",
                                  "登录和解锁用的数字密码；管理员可为忘记 PIN 的同志重设")
        self.pin_dialog: QDialog | None = None
        bar = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.toggle_button, self.pin_button):
            bar.addWidget(b)
        bar.addStretch(1)
        self.model = LazyTableModel([
            Column("name", "姓名"),
            Column("post", "职务"),
            Column("phone", "电话"),
            Column("is_admin", "管理员", lambda v, _r: "是" if v else ""),
            Column("active", "状态", lambda v, _r: "启用" if v else "已停用"),
            Column("has_pin", "PIN", lambda v, _r: "已设置" if v else "未设置", sortable=False),
            Column("current", "当前", lambda v, _r: "正在使用" if v else "", sortable=False),
        ], self._load_rows, self)
        self.sort_key = "name"
        self.sort_desc = False
        self.view = make_table_view(self.model, "operators_table")
        self.view.setSortingEnabled(False)
        header = self.view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sectionClicked.connect(self._sort_by)
        state = ctx.config.state("settings_operators_header")
        if state is not None:
            header.restoreState(state)
        self.message = QLabel("")
        self.message.setObjectName("operators_message")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(_hint("操作员是在本机录入和修改记录的人，每条修改都会记下是谁做的。"
                               "不再负责的同志请“停用”，不要删除。双击一行可修改。"
                               "每人设置自己的登录 PIN 后，打开程序和离开后解锁都要输入 PIN。"))
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        self.add_button.clicked.connect(self.add_operator)
        self.edit_button.clicked.connect(self.edit_operator)
        self.toggle_button.clicked.connect(self.toggle_active)
        self.pin_button.clicked.connect(self.set_pin)
        self.view.doubleClicked.connect(lambda _i: self.edit_operator())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    def _load_rows(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        marks = ", ".join(f":i{n}" for n in range(len(ids)))
        current = self.ctx.service.operator_id
        with self.ctx.store.read() as s:
            rows = s.execute(text(
                "SELECT id, name, post, phone, is_admin, active, "
                "coalesce(pin_hash, '') != '' AS has_pin FROM operator "
                f"WHERE id IN ({marks})"),
                {f"i{n}": i for n, i in enumerate(ids)}).mappings().all()
        return {r["id"]: {**r, "current": r["id"] == current} for r in rows}

    def _sort_by(self, section: int) -> None:
        col = self.model.columns[section]
        if col.key not in self.SORTABLE:
            return
        self.sort_desc = not self.sort_desc if col.key == self.sort_key else False
        self.sort_key = col.key
        order = Qt.SortOrder.DescendingOrder if self.sort_desc else Qt.SortOrder.AscendingOrder
        self.view.horizontalHeader().setSortIndicator(section, order)
        self.refresh()

    def refresh(self) -> None:
        ctx = self.ctx
        order = f"{self.SORTABLE[self.sort_key]} {'DESC' if self.sort_desc else 'ASC'}"

        def ids() -> list[str]:
            with ctx.store.read() as s:
                return list(s.execute(text(
                    f"SELECT id FROM operator WHERE deleted_at IS NULL ORDER BY {order}, id")
                ).scalars())

        Op(self, ids).success(self._set_ids).run()

    def _set_ids(self, ids: list[str]) -> None:
        selected = self.selected_id()
        self.model.set_ids(ids)
        if selected:
            row = self.model.row_of(selected)
            if row >= 0:
                self.view.selectRow(row)
        self._update_buttons()

    def selected_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.id_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        row = self.view.selectionModel().selectedRows()
        rec = self.model.record(row[0].row()) if row else None
        self.edit_button.setEnabled(rec is not None)
        self.toggle_button.setEnabled(rec is not None)
        self.toggle_button.setText("启用" if rec is not None and not rec["active"] else "停用")
        self.pin_button.setEnabled(rec is not None and bool(rec["active"]))

    def _form(self) -> RecordForm:
        return RecordForm("operator", Catalogues.defaults(), today=self.ctx.today,
                          fields=["name", "post", "phone", "is_admin"])

    def add_operator(self) -> None:
        svc = self.ctx.service
        form = self._form()
        self.dialog = RecordDialog("添加操作员", form,
                                   lambda v: svc.create("operator", {**v, "active": True}), self)
        self.dialog.accepted.connect(self._saved)
        self.dialog.resize(480, 280)
        self.dialog.open()

    def edit_operator(self) -> None:
        row = self.view.selectionModel().selectedRows()
        rec = self.model.record(row[0].row()) if row else None
        if rec is None:
            return
        svc, op_id = self.ctx.service, rec["id"]
        form = self._form()
        form.set_values(rec)
        self.dialog = RecordDialog(f"修改操作员：{rec['name']}", form,
                                   lambda v: svc.update("operator", op_id, v), self)
        self.dialog.accepted.connect(self._saved)
        self.dialog.resize(480, 280)
        self.dialog.open()

    def _saved(self) -> None:
        rec = self.dialog.result_record if self.dialog is not None else None
        if rec:
            self.message.setText(f"已保存操作员“{rec['name']}”。")
            self.message.setStyleSheet(OK_STYLE)
        self.model.invalidate()
        self.refresh()
        self.ctx.data_changed.emit("operator")

    def set_pin(self) -> QDialog | None:
        """设置 PIN for the selected operator (one's own needs the old PIN)."""
        row = self.view.selectionModel().selectedRows()
        rec = self.model.record(row[0].row()) if row else None
        if rec is None:
            return None
        own = rec["id"] == self.ctx.service.operator_id
        self.pin_dialog = open_set_pin(self.ctx, self, rec["id"], rec["name"],
                                       needs_old=own and bool(rec["has_pin"]))
        self.pin_dialog.accepted.connect(self._pin_saved)
        return self.pin_dialog

    def _pin_saved(self) -> None:
        self.message.setText("PIN 已设置。下次打开程序或解锁时请输入新 PIN。")
        self.message.setStyleSheet(OK_STYLE)
        self.model.invalidate()
        self.refresh()

    def toggle_active(self) -> None:
        row = self.view.selectionModel().selectedRows()
        rec = self.model.record(row[0].row()) if row else None
        if rec is None:
            return
        if rec["active"] and rec["id"] == self.ctx.service.operator_id:
            self.message.setText(f"“{rec['name']}”正在使用本程序，不能停用自己。"
                                 "请换其他操作员登录后再停用。")
            self.message.setStyleSheet(ERROR_STYLE)
            return
        svc, op_id, active = self.ctx.service, rec["id"], not rec["active"]

        def done(_row: Any) -> None:
            self.message.setText(f"已{'启用' if active else '停用'}“{rec['name']}”。")
            self.message.setStyleSheet(OK_STYLE)
            self.model.invalidate()
            self.refresh()

        self.ctx.run(self, lambda: svc.update("operator", op_id, {"active": active}), done,
                     changed="operator")

    def save_state(self) -> None:
        self.ctx.config.save_state("settings_operators_header",
                                   self.view.horizontalHeader().saveState())


#: How the assessment catalogues' rule values read (issue 7).
ASSESSMENT_RULE_TEXTS = {"points": "分值 {}", "min_score": "得分不低于 {} 分",
                         "pass_score": "五有得分不低于 {} 分为达标",
                         "pass_level": "{} 星级及以上为达标"}


def describe_entry(entry: CatalogueEntry, cats: Catalogues) -> str:
    """An entry's rule data in words a cadre reads (联系间隔 180 天, 7 天内必须走访 ...)."""
    d: Mapping[str, Any] = entry.data
    parts: list[str] = []
    if "group" in d:
        parts.append(f"分组：{d['group']}")
    if "contact_interval_days" in d:
        parts.append(f"每 {d['contact_interval_days']} 天至少联系一次")
    if "home_visit_interval_days" in d:
        parts.append(f"每 {d['home_visit_interval_days']} 天至少入户走访一次")
    if d.get("priority"):
        parts.append("重点对象（节日优先走访）")
    if "visit_within_days" in d:
        parts.append(f"发生后 {d['visit_within_days']} 天内必须走访（六必访）")
    if "visit_kind" in d:
        parts.append(f"走访类型：{cats.name('visit_kind', d['visit_kind'])}")
    if "counts_as_home_visit" in d:
        parts.append("算作入户走访" if d["counts_as_home_visit"] else "不算入户走访")
    if "default_fund" in d:
        parts.append(f"默认资金：{cats.name('aid_fund', d['default_fund'])}")
    if "month" in d and "day" in d:
        cal = "农历" if d.get("calendar") == "lunar" else "公历"
        parts.append(f"{cal}{d['month']}月{d['day']}日")
    if "window_before_days" in d or "window_after_days" in d:
        parts.append(f"节前 {d.get('window_before_days', 0)} 天至节后 "
                     f"{d.get('window_after_days', 0)} 天为慰问期")
    if "weight" in d:
        parts.append(f"分值 {d['weight']}")
    parts.extend(text_.format(d[key]) for key, text_ in ASSESSMENT_RULE_TEXTS.items() if key in d)
    if "age_priority" in d:
        parts.append(f"年满 {d['age_priority']} 岁为重点对象")
    if "key_focus_contact_interval_days" in d:
        parts.append(f"重点关注人员每 {d['key_focus_contact_interval_days']} 天联系一次")
    if "default_contact_interval_days" in d:
        parts.append(f"其他人员默认每 {d['default_contact_interval_days']} 天联系一次")
    known = {"group", "contact_interval_days", "home_visit_interval_days", "priority",
             "visit_within_days", "visit_kind", "counts_as_home_visit", "default_fund",
             "calendar", "month", "day", "window_before_days", "window_after_days", "weight",
             "age_priority", "key_focus_contact_interval_days", "default_contact_interval_days",
             "aliases", *ASSESSMENT_RULE_TEXTS}
    for key, value in d.items():
        if key not in known:
            parts.append(f"{key}：{json.dumps(value, ensure_ascii=False)}")
    if d.get("aliases"):
        parts.append("也叫：" + "、".join(d["aliases"]))
    return "；".join(parts)


class CataloguesSection(Section):
    """Every catalogue kind and its entries: read-only on a station, which can list what
    the county changed; editable on the county (issue 7)."""

    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.cats: Catalogues | None = None
        self.county = ctx.store.meta("role") == "county"
        self.dialog: QDialog | None = None
        self.kinds = QListWidget()
        self.kinds.setObjectName("catalogue_kinds")
        self.kinds.setFixedWidth(190)
        self.kinds.setStyleSheet("QListWidget::item { padding: 4px 4px; }")
        self.model = RowsModel(["名称", "规则和说明", "状态", "代码"], parent=self)
        self.view = make_table_view(self.model, "catalogue_entries")
        self.view.setWordWrap(True)
        header = self.view.horizontalHeader()
        for col in (0, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        # Rules wrap over several lines: rows follow their text (the lists are short).
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        split = QHBoxLayout()
        split.addWidget(self.kinds)
        split.addWidget(self.view, 1)
        note = QLabel(
            "本机是县服务中心：在这里修改的目录（走访类型、各类人员联系间隔、六必访期限、帮扶类型和"
            "资金渠道、节日、评估表等），会随下一次发给各站点的数据包自动下发，站点的规则随之生效。"
            "条目不能删除，只能停用。" if self.county else
            "目录由县服务中心统一维护，本站只能查看，不能修改。县里更新目录后，"
            "会随数据交换自动下发到本站，各项规则（如联系间隔、六必访期限）随之生效。")
        note.setObjectName("catalogue_note")
        note.setWordWrap(True)
        note.setStyleSheet("background: #fff8e1; border: 1px solid #e6d28a; padding: 6px;")
        self.add_button = _button("新增条目…", "catalogue_add")
        self.edit_button = _button("修改…", "catalogue_edit")
        self.changes_label = QLabel("")
        self.changes_label.setObjectName("catalogue_changes")
        self.changes_button = _button("查看县里的更新…", "catalogue_changes_button")
        buttons = QHBoxLayout()
        if self.county:
            buttons.addWidget(self.add_button)
            buttons.addWidget(self.edit_button)
            self.add_button.clicked.connect(self.add_entry)
            self.edit_button.clicked.connect(self.edit_entry)
            self.view.doubleClicked.connect(lambda _i: self.edit_entry())
        else:
            buttons.addWidget(self.changes_label, 1)
            buttons.addWidget(self.changes_button)
            self.changes_button.clicked.connect(self.show_county_changes)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(buttons)
        layout.addLayout(split, 1)
        self.kinds.currentRowChanged.connect(self._show_kind)

    def refresh(self) -> None:
        from station_desktop.store import catalogue_admin as ca

        ctx, county = self.ctx, self.county

        def load() -> tuple[Catalogues, int]:
            cats = ctx.catalogues()
            return ca.full_catalogues(cats), (0 if county else ca.unseen_count(ctx.store, cats))

        Op(self, load).success(lambda r: self._loaded(*r)).run()

    def _loaded(self, cats: Catalogues, unseen: int = 0) -> None:
        self.cats = cats
        self.changes_label.setText(f"县里更新了目录：{unseen} 处新的更改，请查看。" if unseen else "")
        self.changes_label.setStyleSheet("color: #b35900; font-weight: bold;" if unseen else "")
        current = self.kinds.currentItem().data(Qt.ItemDataRole.UserRole) \
            if self.kinds.currentItem() else None
        self.kinds.blockSignals(True)
        self.kinds.clear()
        for kind in cats.kinds():
            n = len(cats.entries(kind, active_only=False))
            item = QListWidgetItem(f"{CATALOGUE_LABELS.get(kind, kind)}（{n}）")
            item.setData(Qt.ItemDataRole.UserRole, kind)
            self.kinds.addItem(item)
        self.kinds.blockSignals(False)
        kinds = cats.kinds()
        self.kinds.setCurrentRow(kinds.index(current) if current in kinds else 0)
        self._show_kind(self.kinds.currentRow())

    def current_kind(self) -> str | None:
        item = self.kinds.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _show_kind(self, row: int) -> None:
        from station_desktop.store.catalogue_admin import FIXED_KINDS

        item = self.kinds.item(row)
        if item is None or self.cats is None:
            self.model.set_rows([])
            return
        kind = item.data(Qt.ItemDataRole.UserRole)
        self.add_button.setEnabled(kind not in FIXED_KINDS)
        entries = self.cats.entries(kind, active_only=False)
        self.model.set_rows(
            [(e.name, describe_entry(e, self.cats), "使用中" if e.active else "已停用", e.code)
             for e in entries], keys=[e.code for e in entries])

    def _open_editor(self, entry: CatalogueEntry | None) -> QDialog | None:
        from station_desktop.ui.catalogue_editor import EntryDialog

        kind = self.current_kind()
        if kind is None or self.cats is None:
            return None
        dialog = EntryDialog(self.ctx, self.cats, kind, entry, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        self.dialog = dialog
        return dialog

    def add_entry(self) -> QDialog | None:
        return self._open_editor(None)

    def edit_entry(self) -> QDialog | None:
        kind, rows = self.current_kind(), self.view.selectionModel().selectedRows()
        if kind is None or not rows or self.cats is None:
            return None
        code = self.model.key_at(rows[0].row())
        return self._open_editor(self.cats.get(kind, code, active_only=False))

    def show_county_changes(self) -> QDialog:
        from station_desktop.ui.catalogue_editor import open_county_changes

        self.dialog = open_county_changes(self.ctx, self, self.refresh)
        return self.dialog


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


class RecycleSection(Section):
    """Deleted records, with 恢复."""

    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.entries: list[dict[str, Any]] = []
        self.restore_button = _button("恢复所选记录", "restore_records")
        self.refresh_button = _button("刷新", "refresh_recycle")
        bar = QHBoxLayout()
        bar.addWidget(self.restore_button)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        self.message = QLabel("")
        self.message.setObjectName("recycle_message")
        self.message.setWordWrap(True)
        self.model = RowsModel(["类别", "内容", "涉及人员", "删除时间"], parent=self)
        self.view: QTableView = make_table_view(self.model, "recycle_table")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        state = ctx.config.state("settings_recycle_header")
        if state is not None:
            self.view.horizontalHeader().restoreState(state)
        self.empty = _hint("回收站是空的。")
        layout = QVBoxLayout(self)
        layout.addWidget(_hint("删除的记录先放在这里，没有真正删掉。选中一条或多条（按住 Ctrl 可多选），"
                               "点“恢复所选记录”就放回原处。"))
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        self.restore_button.clicked.connect(self.restore_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self._update()

    def refresh(self) -> None:
        ctx = self.ctx

        def load() -> tuple[list[dict[str, Any]], Catalogues]:
            return ctx.service.recycle_bin(), ctx.catalogues()

        Op(self, load).success(lambda r: self._show(*r)).run()

    def _show(self, entries: list[dict[str, Any]], cats: Catalogues) -> None:
        self.entries = entries
        rows = []
        for e in entries:
            rows.append((e["kind_label"], e["label"], e["person_name"],
                         local_time(e["deleted_at"])))
        self.model.set_rows(rows, keys=[(e["kind"], e["id"]) for e in entries])
        self.empty.setVisible(not entries)
        self._update()

    def _update(self) -> None:
        n = len(self.view.selectionModel().selectedRows())
        self.restore_button.setEnabled(n > 0)
        self.restore_button.setText(f"恢复所选记录（{n} 条）" if n > 1 else "恢复所选记录")

    def select_row(self, row: int) -> None:
        self.view.selectRow(row)

    def restore_selected(self) -> None:
        keys = [self.model.key_at(i.row()) for i in self.view.selectionModel().selectedRows()]
        keys = [k for k in keys if k]
        if not keys:
            return
        svc = self.ctx.service

        def work() -> tuple[list[str], list[tuple[str, BaseException]]]:
            restored: list[str] = []
            refused: list[tuple[str, BaseException]] = []
            for kind, row_id in keys:
                try:
                    svc.restore(kind, row_id)
                    restored.append(kind)
                except StationError as exc:
                    refused.append((kind, exc))
            return restored, refused

        def done(result: tuple[list[str], list[tuple[str, BaseException]]]) -> None:
            restored, refused = result
            text_ = f"已恢复 {len(restored)} 条记录。" if restored else ""
            if refused:
                text_ += "有 {} 条没有恢复：{}".format(
                    len(refused), "；".join(exc.user_text() for _k, exc in refused
                                           if isinstance(exc, StationError)))
            self.message.setText(text_)
            self.message.setStyleSheet(ERROR_STYLE if refused else OK_STYLE)
            for kind in sorted(set(restored)):
                self.ctx.data_changed.emit(kind)
            self.refresh()

        Op(self, work).success(done).run()

    def save_state(self) -> None:
        self.ctx.config.save_state("settings_recycle_header",
                                   self.view.horizontalHeader().saveState())


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
        self.open_button = _button("打开数据目录", "open_data_dir", "在文件管理器中打开")
        form = QFormLayout()
        form.addRow("数据目录：", self.path_label)
        form.addRow("数据库文件：", self.size_label)
        form.addRow("备份文件夹：", self.backups_label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(_hint(
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
        self.size_label.setText(f"{DB_FILENAME}（{_size(db.stat().st_size)}）"
                                if db.exists() else DB_FILENAME)
        self.backups_label.setText(str(d / "backups"))

    def open_folder(self) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir())))


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
        layout.addWidget(_hint(
            "锁定后要输入 PIN 才能继续，防止离开座位时别人看到或改动档案；正在进行的备份、导入"
            "不会中断。随时可按 Ctrl+L 立即锁定。PIN 在“操作员”中设置；有人设置了 PIN 后，"
            "打开程序时也要选择操作员并输入 PIN，每条修改都记在登录的人名下。"))
        layout.addWidget(_hint(
            "PIN 只管谁能使用本程序，不给电脑上的数据加密：请给电脑设置开机密码，"
            "并只把数据备份到加密的U盘备份中。"))
        layout.addStretch(1)
        self.idle_minutes.valueChanged.connect(
            lambda v: self.ctx.config.set(cfg.IDLE_LOCK_MINUTES, int(v)))

    def refresh(self) -> None:
        self.idle_minutes.blockSignals(True)
        self.idle_minutes.setValue(self.ctx.config.get(cfg.IDLE_LOCK_MINUTES))
        self.idle_minutes.blockSignals(False)


class DisplaySection(Section):
    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.large_font = QCheckBox("大字体（字更大，适合年纪大、视力不好的同志）")
        self.large_font.setObjectName("large_font")
        self.large_font.setChecked(ctx.config.get(cfg.LARGE_FONT))
        layout = QVBoxLayout(self)
        layout.addWidget(self.large_font, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(_hint("勾选后立即生效，下次打开程序时保持不变。"))
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


# --- the page ------------------------------------------------------------------


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

