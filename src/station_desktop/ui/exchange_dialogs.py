"""The dialogs of 数据交换: where to export, the import report, and fingerprint confirmation.

Removable drives come from ``QStorageInfo.mountedVolumes()``: ready,
writable volumes other than the system's own (on Windows only those the
system calls removable, on Linux those mounted under /media, /run/media or
/mnt). The cadre may always choose any folder instead.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStorageInfo, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.store.reader import KIND_LABELS
from station_desktop.sync.enrol import Party
from station_desktop.sync.report import Imported
from station_desktop.ui.exchange_views import fit_columns
from station_desktop.ui.table import RowsModel, make_table_view
from station_desktop.ui.widgets import text_label

CHOOSE_FOLDER = "选择文件夹…"

# --- removable drives -----------------------------------------------------------

_LINUX_REMOVABLE = ("/media/", "/run/media/", "/mnt/")


@dataclass(frozen=True)
class Drive:
    label: str
    path: str


def _windows_removable(root: str) -> bool:
    try:
        import ctypes

        return ctypes.windll.kernel32.GetDriveTypeW(root) == 2  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return False


def removable_drives(volumes: list[QStorageInfo] | None = None,
                     platform: str = sys.platform) -> list[Drive]:
    """Drives a bundle can be written to: ready, writable, not the system's, removable."""
    system = QStorageInfo.root().rootPath()
    out: list[Drive] = []
    for v in QStorageInfo.mountedVolumes() if volumes is None else volumes:
        root = v.rootPath()
        if not (v.isValid() and v.isReady()) or v.isReadOnly() or root == system:
            continue
        if platform == "win32":
            if not _windows_removable(root):
                continue
        elif not root.startswith(_LINUX_REMOVABLE):
            continue
        name = v.displayName() or root
        free = v.bytesAvailable() / (1 << 30)
        out.append(Drive(f"{name}（{root}，可用 {free:.1f} GB）", root))
    return out


# --- what a bundle holds, in words --------------------------------------------------


def counts_text(counts: dict[str, int]) -> str:
    """“人员 12 条、走访记录 40 条、删除 1 条” from a manifest's counts."""
    parts = [f"{KIND_LABELS.get(k, k)} {n} 条" for k, n in counts.items() if not k.startswith("_")]
    if counts.get("_deleted"):
        parts.append(f"删除 {counts['_deleted']} 条")
    if counts.get("_moved_out"):
        parts.append(f"迁出 {counts['_moved_out']} 条")
    return "、".join(parts) or "没有新的变更（只带回执）"


# --- export ---------------------------------------------------------------------------


class ExportDialog(QDialog):
    """Where to write, and (county) for which stations, and whether a restore bundle."""

    def __init__(self, parent: QWidget | None, *, county: bool, drives: list[Drive],
                 stations: list[dict[str, Any]], recipient: str = "", folder: str = ""):
        super().__init__(parent)
        self.setWindowTitle("导出数据包")
        self.county = county
        self.chosen_folder = folder
        self.target = QComboBox()
        self.target.setObjectName("export_target")
        for d in drives:
            self.target.addItem(f"U盘：{d.label}", d.path)
        if folder:
            self.target.addItem(folder, folder)
        self.target.addItem(CHOOSE_FOLDER, None)
        self.target.activated.connect(self._target_chosen)
        self.target.currentIndexChanged.connect(self._update)
        form = QFormLayout()
        form.addRow("保存到：", self.target)
        self.all_box = QCheckBox("全部已登记的服务站")
        self.stations = QListWidget()
        self.stations.setObjectName("export_stations")
        self.restore = QCheckBox("恢复包：用县里保存的全部数据重建这个服务站（换了新电脑时使用，只能选一个站）")
        self.restore.setObjectName("export_restore")
        if county:
            for s in stations:
                item = QListWidgetItem(f"{s['name']}（{s['code']}）")
                item.setData(Qt.ItemDataRole.UserRole, s["code"])
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
                self.stations.addItem(item)
            self.all_box.setChecked(True)
            self.all_box.toggled.connect(self._check_all)
            self.stations.itemChanged.connect(self._update)
            self.restore.toggled.connect(self._update)
            form.addRow("发给：", self.all_box)
            form.addRow("", self.stations)
            form.addRow("", self.restore)
        else:
            form.addRow("发给：", QLabel(recipient))
        self.note = text_label(style="color: #666;", wrap=True)
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton("导出", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("export_ok")
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.resize(560, 420 if county else 180)
        self._update()

    def _target_chosen(self, index: int) -> None:
        if self.target.itemData(index) is not None:
            self._update()
            return
        path = QFileDialog.getExistingDirectory(self, "选择保存数据包的文件夹",
                                                self.chosen_folder or str(Path.home()))
        if path:
            self.set_folder(path)
        else:
            self.target.setCurrentIndex(0)
        self._update()

    def set_folder(self, path: str) -> None:
        """Use ``path`` (kept in the list, selected)."""
        i = self.target.findData(path)
        if i < 0:
            self.target.insertItem(self.target.count() - 1, path, path)
            i = self.target.findData(path)
        self.target.setCurrentIndex(i)
        self.chosen_folder = path

    def _check_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for i in range(self.stations.count()):
            self.stations.item(i).setCheckState(state)

    def folder(self) -> str | None:
        return self.target.currentData()

    def codes(self) -> list[str]:
        return [self.stations.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.stations.count())
                if self.stations.item(i).checkState() == Qt.CheckState.Checked]

    def _update(self, *_args: Any) -> None:
        ok = self.folder() is not None
        if self.county:
            n = len(self.codes())
            ok = ok and n > 0 and (not self.restore.isChecked() or n == 1)
            if self.restore.isChecked() and n != 1:
                self.note.setText("恢复包只能为一个服务站导出，请只勾选一个。")
            elif n == 0:
                self.note.setText("请至少勾选一个服务站。")
            else:
                self.note.setText(f"将为 {n} 个服务站各写一个数据包（已加密，只有收件的服务站能打开）。")
        else:
            self.note.setText("数据包已加密，只有县服务中心能打开；文件名中没有任何个人信息。")
        self.ok.setEnabled(ok)


# --- import report ------------------------------------------------------------------


class ImportReportDialog(QDialog):
    """Per-station counts, refusals with their reasons, gaps; 打印/另存为 PDF…"""

    def __init__(self, parent: QWidget | None, results: list[Imported], lines: list[str],
                 on_print: Any = None, names: dict[str, str] | None = None):
        from station_desktop.reports.sync_report import HEADERS, station_rows, summary_sentence

        super().__init__(parent)
        self.setWindowTitle("数据包导入报告")
        self.results = results
        self.summary = text_label(summary_sentence(results), "import_summary",
                                  style="font-size: 14px; font-weight: bold;", wrap=True)
        self.model = RowsModel(list(HEADERS), parent=self)
        self.model.set_rows(station_rows(results, names))
        self.table = make_table_view(self.model, "import_report_table")
        fit_columns(self.table)
        self.details = QPlainTextEdit("\n".join(lines))
        self.details.setObjectName("import_details")
        self.details.setReadOnly(True)
        self.print_button = QPushButton("打印 / 另存为 PDF…")
        self.print_button.setObjectName("print_import_report")
        self.print_button.setEnabled(on_print is not None)
        if on_print is not None:
            self.print_button.clicked.connect(on_print)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("各服务站："))
        layout.addWidget(self.table, 2)
        layout.addWidget(QLabel("各数据包与尚未收到的变更："))
        layout.addWidget(self.details, 1)
        layout.addLayout(bar)
        self.resize(1000, 560)


# --- fingerprint confirmation ---------------------------------------------------------


class FingerprintDialog(QDialog):
    """The other party's name, code and fingerprint in large type; the phone check is required."""

    def __init__(self, parent: QWidget | None, party: Party, *, title: str, intro: str,
                 confirm_text: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.party = party
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        name = text_label(party.name, "party_name", style="font-size: 20px; font-weight: bold;")
        code = text_label(party.code, "party_code", style="font-size: 18px;")
        self.fingerprint = QLabel(party.fingerprint)
        self.fingerprint.setObjectName("party_fingerprint")
        self.fingerprint.setStyleSheet(
            "font-family: monospace; font-size: 26px; font-weight: bold; color: #1a4f8b; "
            "letter-spacing: 2px; padding: 6px; background: #f7f7f2; border: 1px solid #ddd;")
        for w in (name, code, self.fingerprint):
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("名称：", name)
        form.addRow("区划代码：", code)
        form.addRow("密钥指纹：", self.fingerprint)
        self.checked = QCheckBox("已电话核对指纹：对方念的指纹与上面完全一致")
        self.checked.setObjectName("fingerprint_checked")
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton(confirm_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("fingerprint_ok")
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.setEnabled(False)
        self.checked.toggled.connect(self.ok.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        warn = text_label("指纹不一致时请不要确认：文件可能不是对方发出的，或已被替换。",
                          style="color: #b00;", wrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addLayout(form)
        layout.addWidget(warn)
        layout.addWidget(self.checked)
        layout.addWidget(self.buttons)
        self.resize(560, 300)
