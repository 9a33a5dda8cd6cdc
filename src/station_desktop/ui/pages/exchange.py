"""数据交换: bundles to and from the USB stick, the import report, conflicts, enrolment.

A village (or town) station exports its changes for its county and imports
the county's return bundle; the county exports for the stations it chooses
(or a restore bundle for one), imports a whole stick at once, and sees
every enrolled station. Enrolment always shows the other side's key
fingerprint in large type and asks for the phone check before anything is
written. Every exchange runs on the worker with progress and cancel; the
shell's status bar (pending changes, open conflicts) refreshes afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.enums import Role
from station_desktop.domain.errors import StationError, os_error_text
from station_desktop.services.sync import enrolment
from station_desktop.services.sync import review as review_services
from station_desktop.store import stats
from station_desktop.sync import enrol, review
from station_desktop.sync.container import SUFFIX
from station_desktop.sync.keys import load_keys
from station_desktop.ui import config as cfg
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import show_error
from station_desktop.ui.exchange_dialogs import (
    ExportDialog,
    FingerprintDialog,
    ImportReportDialog,
    counts_text,
    removable_drives,
)
from station_desktop.ui.exchange_views import ConflictsPanel, StationsPanel
from station_desktop.ui.ops import Op, Progress
from station_desktop.ui.pages.base import fill_with_scrolling
from station_desktop.ui.table import local_time
from station_desktop.ui.widgets import push_button, text_label

HOW_IT_WORKS = """\
<p><b>怎样和县里交换数据</b></p>
<ol>
<li><b>本机记下每一次修改。</b>每保存、删除或恢复一条记录，程序都会按顺序记下一条“变更”，\
编上序号。“待上报变更”就是县里还没有收到并确认的变更。</li>
<li><b>导出数据包。</b>插上U盘，点“导出数据包…”，选择U盘，程序把这些变更打包成一个文件存到U盘上。\
文件经过加密，只有县退役军人服务中心能打开；文件带有本站的签名，途中被改动会被发现。</li>
<li><b>送到县里。</b>把U盘带到县服务中心（或按县里要求交给镇里转交），由县里的工作人员导入。\
县里导入时会先核对签名和内容，有问题的数据包会被整个拒收，不会弄乱数据。</li>
<li><b>带回县里的数据包。</b>县里会给本站一个回执数据包，其中有已收到的变更序号，\
也可能有县里统一更新的目录、更正和人员迁入迁出。点“导入数据包…”导入后，\
已确认的变更就不再重复发送。</li>
<li><b>没有确认的变更会自动再次发送。</b>数据包丢了、晚到了都不要紧，\
下一次导出时会把县里还没确认的变更一起带上，重复导入也不会重复记录。</li>
<li><b>两边改了同一项。</b>较新的修改生效，另一个值列在“冲突处理”里，请逐条确认。</li>
</ol>
<p><b>第一次交换前要先登记。</b>点“生成登记申请…”，把文件交给县里，\
并在电话里把上面的<b>密钥指纹</b>念给县里的工作人员核对；县里确认后会给一个“登记确认”文件，\
点“安装登记确认…”安装，核对县里的指纹后才能交换数据。换了新电脑要重新登记。</p>
"""


@dataclass(frozen=True)
class ExchangeState:
    code: str
    name: str
    role: str
    fingerprint: str | None
    pending: int
    outbox: stats.Outbox
    conflicts: int = 0
    peers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def county(self) -> dict[str, Any] | None:
        """Our county (active), for a station."""
        return next((p for p in self.peers if p["relation"] == "county" and p["state"] == "active"),
                    None)

    @property
    def stations(self) -> list[dict[str, Any]]:
        """Enrolled stations with an active key, for the county."""
        return [p for p in self.peers if p["relation"] == "station" and p["state"] == "active"]


def _load_state(ctx: AppContext) -> ExchangeState:
    store = ctx.store
    keys = load_keys(Path(store.path).parent)
    return ExchangeState(
        code=store.meta("station_code") or "", name=store.meta("station_name") or "",
        role=store.meta("role") or "", fingerprint=keys.fingerprint if keys is not None else None,
        pending=ctx.service.pending_changes(), outbox=stats.outbox(store),
        conflicts=review.open_count(store), peers=enrol.peers(store))


class ExchangePage(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.state: ExchangeState | None = None
        self.county = ctx.store.meta("role") == Role.COUNTY.value
        #: The last dialog or message opened (tests drive them).
        self.dialog: Any = None
        self.message: QMessageBox | None = None

        title = QLabel("数据交换（与县退役军人服务中心）" if not self.county
                       else "数据交换（与各服务站）")
        title.setStyleSheet("font-size: 16px; font-weight: bold;")

        self.code_label = QLabel("—")
        self.code_label.setObjectName("station_code")
        self.name_label = QLabel("—")
        self.role_label = QLabel("—")
        self.role_label.setObjectName("station_role")
        self.fingerprint_label = QLabel("—")
        self.fingerprint_label.setObjectName("key_fingerprint")
        self.fingerprint_label.setStyleSheet(
            "font-family: monospace; font-size: 18px; font-weight: bold; letter-spacing: 1px;")
        self.pending_label = text_label("—", "pending_count",
                                        style="font-size: 18px; font-weight: bold; color: #1a4f8b;")
        self.range_label = QLabel("—")
        self.range_label.setObjectName("seq_range")
        self.acked_label = QLabel("—")
        self.acked_label.setObjectName("acked_seq")
        self.peer_label = text_label("—", "enrolled_with", wrap=True)
        self.conflicts_label = QLabel("—")
        self.conflicts_label.setObjectName("open_conflicts")
        for lab in (self.code_label, self.name_label, self.fingerprint_label, self.range_label):
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        who = QGroupBox("本站")
        form = QFormLayout(who)
        form.addRow("服务站名称：", self.name_label)
        form.addRow("区划代码：", self.code_label)
        form.addRow("站点类型：", self.role_label)
        form.addRow("密钥指纹：", self.fingerprint_label)
        fp_hint = QLabel("登记时请把密钥指纹念给对方核对。")
        fp_hint.setStyleSheet("color: #666;")
        form.addRow("", fp_hint)

        out = QGroupBox("各服务站" if self.county else "待上报县里")
        form2 = QFormLayout(out)
        if self.county:
            form2.addRow("已登记服务站：", self.peer_label)
        else:
            form2.addRow("待上报变更：", self.pending_label)
            form2.addRow("变更序号范围：", self.range_label)
            form2.addRow("县里已确认到：", self.acked_label)
            form2.addRow("登记的县服务中心：", self.peer_label)
        form2.addRow("待处理冲突：", self.conflicts_label)

        self.export_button = QPushButton("导出数据包…")
        self.export_button.setObjectName("export_bundle")
        self.export_button.setToolTip("把变更写成加密的数据包，存到U盘或选择的文件夹")
        self.export_button.clicked.connect(self.export)
        self.import_button = push_button("从U盘/文件夹导入…", "import_bundle", self.import_folder,
                                         tip="导入所选文件夹（如整个U盘）中的全部数据包")
        self.import_files_button = push_button("选择数据包文件导入…", "import_files", self.import_files)
        buttons = QHBoxLayout()
        exchange = [self.export_button, self.import_button, self.import_files_button]
        if self.county:
            self.accept_button = push_button("接受登记申请…", "enrol_accept", self.enrol_accept)
            self.transfer_button = push_button("人员迁移…", "transfer_person", self.transfer_person,
                                               tip="把一个人的档案和全部记录迁到另一个服务站")
            enrolment = [self.accept_button, self.transfer_button]
        else:
            self.enrol_button = push_button("生成登记申请…", "enrol_request", self.enrol_request)
            self.apply_button = push_button("安装登记确认…", "enrol_apply", self.enrol_apply)
            enrolment = [self.enrol_button, self.apply_button]
            if ctx.store.meta("role") == Role.TOWN.value:
                self.relay_button = push_button("转交村里的数据包…", "relay_bundles", self.relay,
                                                tip="把各村发给县里的数据包原样复制到带去县里的U盘（本站看不到内容）")
                exchange.append(self.relay_button)
        for b in exchange + enrolment:
            b.setMinimumHeight(34)
        for b in exchange:
            buttons.addWidget(b)
        buttons.addSpacing(24)
        for b in enrolment:
            buttons.addWidget(b)
        buttons.addStretch(1)

        explain = text_label(HOW_IT_WORKS, "how_it_works", wrap=True)
        explain.setTextFormat(Qt.TextFormat.RichText)
        explain.setStyleSheet("QLabel { background: #f7f7f2; border: 1px solid #ddd; padding: 8px; }")

        self.conflicts = ConflictsPanel(ctx, self.party_name)
        self.conflicts.loaded.connect(self._conflicts_loaded)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("exchange_tabs")
        self.stations: StationsPanel | None = None
        if self.county:
            self.stations = StationsPanel(ctx, on_restore=self.export_restore,
                                          on_revoke=self.revoke_station,
                                          on_fingerprint=self.show_fingerprint)
            self.tabs.addTab(self.stations, "服务站")
        self.tabs.addTab(self.conflicts, "冲突处理")
        self.tabs.addTab(explain, "怎样交换数据")

        top = QHBoxLayout()
        top.addWidget(who, 3)
        top.addWidget(out, 2)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.tabs, 1)
        self.tabs.setMinimumHeight(320)
        fill_with_scrolling(self, body)

        ctx.data_changed.connect(lambda _kind: self.isVisible() and self.refresh())

    # --- loading ---------------------------------------------------------------------

    def refresh(self) -> None:
        ctx = self.ctx
        Op(self, lambda: _load_state(ctx)).success(self._show).run()
        self.conflicts.refresh()
        if self.stations is not None:
            self.stations.refresh()

    def _show(self, st: ExchangeState) -> None:
        self.state = st
        self.code_label.setText(st.code or "（未设置）")
        self.name_label.setText(st.name or "（未设置）")
        try:
            self.role_label.setText(Role(st.role).label)
        except ValueError:
            self.role_label.setText(st.role or "（未设置）")
        self.fingerprint_label.setText(st.fingerprint or "尚未生成（首次交换时自动生成）")
        self.pending_label.setText(f"{st.pending} 条")
        ob = st.outbox
        if ob.first_seq is None:
            self.range_label.setText("无（所有变更县里都已确认）")
        else:
            self.range_label.setText(
                f"第 {ob.first_seq} 号 至 第 {ob.last_seq} 号（最近一次修改：{local_time(ob.last_change_at)}）")
        self.acked_label.setText(f"第 {ob.acked_seq} 号" if ob.acked_seq else "还没有交换过")
        if self.county:
            revoked = sum(1 for p in st.peers if p["relation"] == "station" and p["state"] != "active")
            self.peer_label.setText(f"{len(st.stations)} 个" + (f"（另有 {revoked} 个已注销）"
                                                               if revoked else ""))
        else:
            c = st.county
            self.peer_label.setText(f"{c['name']}（{c['code']}）" if c else
                                    "尚未登记：请先“生成登记申请…”交给县服务中心")
        self._conflicts_loaded(st.conflicts)

    def _conflicts_loaded(self, n: int) -> None:
        self.conflicts_label.setText(f"{n} 条" if n else "无")
        self.tabs.setTabText(self.tabs.indexOf(self.conflicts),
                             f"冲突处理（{n}）" if n else "冲突处理")

    def party_name(self, code: str) -> str:
        """“本站” or a peer's name, for the conflict list."""
        st = self.state
        if st is None or not code:
            return code
        if code == st.code:
            return "本站"
        return next((p["name"] for p in st.peers if p["code"] == code), code)

    # --- small helpers ----------------------------------------------------------------------

    def inform(self, title: str, text: str) -> QMessageBox:
        """A message that does not block (tests read ``self.message``)."""
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok,
                          self)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.message = box
        return box

    def _open(self, dialog: Any) -> Any:
        """Show ``dialog`` window-modal without blocking; it is deleted when closed."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def _pick_enrol_file(self, title: str) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self, title, self._folder(),
                                              "登记文件 (*.json);;所有文件 (*)")
        return Path(path) if path else None

    def _folder(self) -> str:
        """Where to look first: a removable drive, else the last folder used, else home."""
        drives = removable_drives()
        return drives[0].path if drives else (self.ctx.config.get(cfg.LAST_BACKUP_DIR)
                                               or str(Path.home()))

    def _remember(self, folder: Path) -> None:
        self.ctx.config.set(cfg.LAST_BACKUP_DIR, str(folder))

    def _changed(self) -> None:
        """Pending count, conflicts and every list may have changed."""
        self.ctx.data_changed.emit("*")

    def _loaded(self) -> ExchangeState | None:
        if self.state is None:
            self.refresh()
        return self.state

    # --- export -------------------------------------------------------------------------------

    def export(self, *, restore_for: str | None = None) -> ExportDialog | None:
        st = self._loaded()
        if st is None:
            return None
        if self.county:
            stations = st.stations
            if restore_for is not None:
                stations = [s for s in stations if s["code"] == restore_for]
            if not stations:
                self.inform("导出数据包", "还没有已登记的服务站。请先“接受登记申请…”。")
                return None
            recipient = ""
        else:
            county = st.county
            if county is None:
                self.inform("导出数据包", "本站还没有与县服务中心登记，不能导出数据包。\n\n"
                            "请先点“生成登记申请…”，把文件交给县服务中心，再安装县里的登记确认。")
                return None
            stations, recipient = [], f"{county['name']}（{county['code']}）"
        dialog = ExportDialog(self, county=self.county, drives=removable_drives(), stations=stations,
                              recipient=recipient, folder=self.ctx.config.get(cfg.LAST_BACKUP_DIR))
        if restore_for is not None:
            dialog.setWindowTitle("导出恢复包")
            dialog.restore.setChecked(True)
            dialog.all_box.setEnabled(False)
            dialog.stations.setEnabled(False)
        codes = [] if self.county else [st.county["code"]]  # type: ignore[index]

        def go() -> None:
            folder = dialog.folder()
            if folder:
                self.run_export(Path(folder), dialog.codes() if self.county else codes,
                                restore=self.county and dialog.restore.isChecked())

        dialog.accepted.connect(go)
        return self._open(dialog)

    def export_restore(self, code: str) -> ExportDialog | None:
        return self.export(restore_for=code)

    def run_export(self, folder: Path, codes: list[str], *, restore: bool = False) -> Op:
        from station_desktop.services.sync.export import export_many

        store, op_id = self.ctx.store, self.ctx.service.operator_id

        def work(progress: Progress) -> list[Any]:
            return export_many(store, codes, folder, restore=restore, operator_id=op_id,
                               progress=progress)

        def exported(results: list[Any]) -> None:
            self._remember(folder)
            self._changed()
            if not results:
                self.inform("导出数据包", "已取消，没有写出数据包。")
                return
            names = {p["code"]: p["name"] for p in (self.state.peers if self.state else [])}
            parts = []
            for e in results:
                to = e.manifest["recipient"]["code"]
                kind = "恢复包" if e.manifest["kind"] == "restore" else "数据包"
                seq = e.manifest["seq"]
                parts.append(f"{kind}：{e.path}\n  发给：{names.get(to, to)}（{to}）\n"
                             f"  内容：{counts_text(e.counts)}\n"
                             f"  变更序号：第 {seq['from']}–{seq['to']} 号")
            text = f"已写出 {len(results)} 个文件：\n\n" + "\n\n".join(parts)
            if len(results) < len(codes):
                text += f"\n\n已取消，另有 {len(codes) - len(results)} 个服务站没有导出。"
            if not self.county:
                text += ("\n\n请把文件带到县服务中心导入。县里的回执数据包导入本站后，"
                         "“待上报变更”才会减少。")
            self.inform("导出完成", text)

        return Op(self, work).success(exported).with_progress("正在导出数据包…").run()

    # --- import -------------------------------------------------------------------------------

    def import_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "选择U盘或存放数据包的文件夹", self._folder())
        if path:
            self.run_import([Path(path)])

    def import_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择数据包", self._folder(),
                                                f"数据包 (*{SUFFIX});;所有文件 (*)")
        if paths:
            self.run_import([Path(p) for p in paths])

    def run_import(self, paths: list[Path]) -> Op:
        from station_desktop.services.sync.imports import import_many
        from station_desktop.sync.report import report_lines
        from station_desktop.sync.verify import find_bundles

        store, op_id = self.ctx.store, self.ctx.service.operator_id

        def work(progress: Progress) -> tuple[list[Any], list[str]] | None:
            found = find_bundles(paths)
            if not found:
                return None
            results = import_many(store, found, operator_id=op_id, progress=progress)
            return results, report_lines(store, results)

        def imported(out: tuple[list[Any], list[str]] | None) -> None:
            if out is None:
                self.inform("导入数据包", f"所选位置没有找到数据包（扩展名为 {SUFFIX} 的文件）。\n\n"
                            "请确认U盘已插好，并选择存放数据包的文件夹。")
                return
            self._remember(paths[0] if paths[0].is_dir() else paths[0].parent)
            results, lines = out
            names = {p["code"]: p["name"] for p in (self.state.peers if self.state else [])}
            dialog = ImportReportDialog(self, results, lines, names=names,
                                        on_print=lambda: self.print_report(results))
            self._open(dialog)
            self._changed()

        return Op(self, work).success(imported).with_progress("正在导入数据包…").run()

    # --- town relay ------------------------------------------------------------------------

    def relay(self) -> None:
        source = QFileDialog.getExistingDirectory(self, "选择各村数据包所在的U盘或文件夹", self._folder())
        if not source:
            return
        dest = QFileDialog.getExistingDirectory(self, "选择带去县里的U盘或文件夹", self._folder())
        if dest:
            self.run_relay([Path(source)], Path(dest))

    def run_relay(self, sources: list[Path], dest: Path) -> Op:
        from station_desktop.services.sync.relay import relay

        store, op_id = self.ctx.store, self.ctx.service.operator_id
        labels = {"relayed": "已转交", "skipped": "跳过", "refused": "不能转交"}

        def done(results: list[Any]) -> None:
            if not results:
                self.inform("转交数据包", f"所选位置没有找到数据包（扩展名为 {SUFFIX} 的文件）。")
                return
            lines = []
            for r in results:
                line = f"{r.file}：{labels[r.status]}"
                if r.status == "relayed":
                    line += f"（{self.party_name(r.sender) if r.sender else ''}，变更 {r.from_seq}–{r.to_seq}）"
                lines.append(line + (f"。{r.reason}" if r.reason else ""))
            n = sum(r.status == "relayed" for r in results)
            self.inform("转交数据包", f"已把 {n} 个数据包原样复制到 {dest}：\n\n" + "\n".join(lines))

        def work(progress: Progress) -> list[Any]:
            return relay(store, sources, dest, operator_id=op_id, progress=progress)

        return Op(self, work).success(done).with_progress("正在转交数据包…").run()

    def print_report(self, results: list[Any]) -> Op:
        from station_desktop.ui.print_preview import print_job

        store, today = self.ctx.store, self.ctx.today

        def make(out: Path, p: Progress) -> dict[str, Any]:
            from station_desktop.reports.sync_report import print_import_report

            return print_import_report(store, results, out, today=today, progress=p)

        return print_job(self, self.ctx.config, "数据包导入报告", make,
                         suggested_name=f"数据包导入报告-{date.today():%Y%m%d}.pdf")

    # --- enrolment: station -------------------------------------------------------------------

    def enrol_request(self) -> None:
        code = self.ctx.store.meta("station_code") or ""
        default = Path(self._folder()) / f"enrol-request-{code}.json"
        path, _ = QFileDialog.getSaveFileName(self, "保存登记申请", str(default),
                                              "登记文件 (*.json)")
        if path:
            self.write_request(Path(path))

    def write_request(self, path: Path) -> Op:
        store = self.ctx.store

        def done(written: Path) -> None:
            fp = enrol.data_keys(store).fingerprint
            self._remember(written.parent)
            self.inform("登记申请已保存",
                        f"已保存登记申请：\n{written}\n\n请把这个文件交给县服务中心，并打电话把本站的"
                        f"密钥指纹念给县里的工作人员核对：\n\n{fp}\n\n"
                        "县里确认后会给本站一个“登记确认”文件，再点“安装登记确认…”。")
            self._changed()

        return Op(self, lambda: enrol.request(store, path)).success(done).run()

    def enrol_apply(self) -> None:
        path = self._pick_enrol_file("选择县服务中心的登记确认文件")
        if path:
            self.confirm_acceptance(path)

    def _fingerprint_check(self, path: Path, party_of: Callable[[bytes], enrol.Party], *,
                           title: str, intro: str, confirm_text: str
                           ) -> tuple[bytes, enrol.Party, FingerprintDialog] | None:
        """Read an enrolment file and show the party it names for the fingerprint check
        over the phone; a file that cannot be read is said, and None returned."""
        try:
            data = _read(path)
            party = party_of(data)
        except StationError as exc:
            show_error(self, exc)
            return None
        dialog = FingerprintDialog(self, party, title=title, intro=intro,
                                   confirm_text=confirm_text)
        return data, party, dialog

    def confirm_acceptance(self, path: Path) -> FingerprintDialog | None:
        """Show the county named in an acceptance file; apply it once the fingerprint is checked."""
        from station_desktop.sync.container import read_document

        def county_of(data: bytes) -> enrol.Party:
            doc, _sig = read_document(data, enrol.ACCEPTANCE)
            return enrol.Party.from_dict(doc.get("authority"))

        checked = self._fingerprint_check(
            path, county_of, title="安装登记确认",
            intro="这是县服务中心发来的登记确认。请打电话给县服务中心，请对方念出县里的密钥指纹，"
                  "与下面逐字核对，一致后再安装：",
            confirm_text="确认并安装")
        if checked is None:
            return None
        data, _county, dialog = checked
        store, op_id = self.ctx.store, self.ctx.service.operator_id

        def applied(party: enrol.Party) -> None:
            self.inform("登记完成", f"本站已与 {party.name}（{party.code}）登记，可以交换数据了。\n\n"
                        f"县服务中心的密钥指纹：{party.fingerprint}")
            self._changed()

        dialog.accepted.connect(lambda: Op(self, lambda: enrolment.apply(store, data, operator_id=op_id))
                                .success(applied).run())
        return self._open(dialog)

    # --- enrolment: county --------------------------------------------------------------------

    def enrol_accept(self) -> None:
        path = self._pick_enrol_file("选择服务站的登记申请")
        if path:
            self.confirm_request(path)

    def confirm_request(self, path: Path) -> FingerprintDialog | None:
        """Show the requesting station; on confirmation ask where to save the acceptance."""
        checked = self._fingerprint_check(
            path, enrol.read_request, title="接受登记申请",
            intro="请打电话给这个服务站，请对方念出其“数据交换”页上的密钥指纹，与下面逐字核对，"
                  "一致后再接受：",
            confirm_text="接受登记")
        if checked is None:
            return None
        data, station, dialog = checked
        dialog.accepted.connect(lambda: self.save_acceptance(data, station, path))
        return self._open(dialog)

    def save_acceptance(self, data: bytes, station: enrol.Party, request_path: Path,
                        out: Path | None = None) -> Op | None:
        if out is None:
            default = request_path.parent / f"enrol-accept-{station.code}.json"
            chosen, _ = QFileDialog.getSaveFileName(self, "保存登记确认文件", str(default),
                                                    "登记文件 (*.json)")
            if not chosen:
                return None
            out = Path(chosen)
        store, op_id = self.ctx.store, self.ctx.service.operator_id

        def done(result: tuple[enrol.Party, Path]) -> None:
            party, written = result
            self.inform("已接受登记",
                        f"已接受 {party.name}（{party.code}）的登记。\n\n登记确认文件：\n{written}\n\n"
                        "请把这个文件交给该服务站，由其点“安装登记确认…”安装；"
                        "安装时对方会核对县里的密钥指纹：\n\n"
                        f"{enrol.data_keys(store).fingerprint}")
            self._changed()

        return Op(self, lambda: enrolment.accept(store, data, out, operator_id=op_id)) \
            .success(done).run()

    def revoke_station(self, code: str) -> QMessageBox:
        name = self.party_name(code)
        box = QMessageBox(QMessageBox.Icon.Warning, "注销密钥",
                          f"注销 {name}（{code}）的密钥后，本县不再接受这把密钥签发的数据包，"
                          "也不再给它导出。\n\n该站换了电脑或电脑丢失时才需要注销；"
                          "注销后可以接受它用新电脑发来的登记申请。\n\n确定注销吗？",
                          QMessageBox.StandardButton.NoButton, self)
        yes = box.addButton("注销", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        store, op_id = self.ctx.store, self.ctx.service.operator_id

        def clicked(button: Any) -> None:
            if button is yes:
                Op(self, lambda: enrolment.revoke(store, code, operator_id=op_id)).success(
                    lambda _r: (self.inform("已注销", f"已注销 {name}（{code}）的密钥。"),
                                self._changed())).run()

        box.buttonClicked.connect(clicked)
        box.open()
        self.message = box
        return box

    def show_fingerprint(self, code: str) -> QMessageBox:
        st = self.state
        peer = next((p for p in (st.peers if st else []) if p["code"] == code), None)
        fp = peer["fingerprint"] if peer else "—"
        return self.inform("密钥指纹", f"{self.party_name(code)}（{code}）的密钥指纹：\n\n{fp}\n\n"
                           f"登记时间：{local_time(peer['enrolled_at']) if peer else '—'}")

    # --- transfer (county) ------------------------------------------------------------------------

    def transfer_person(self) -> None:
        from station_desktop.ui.person_picker import pick_person

        self.dialog = pick_person(self.ctx, self, self.choose_target, title="人员迁移：选择人员",
                                  prompt="选择要迁到另一个服务站的人员：")

    def choose_target(self, person_id: str) -> QInputDialog | None:
        st = self._loaded()
        if st is None or not st.stations:
            self.inform("人员迁移", "还没有已登记的服务站。")
            return None
        labels = [f"{s['name']}（{s['code']}）" for s in st.stations]
        codes = [s["code"] for s in st.stations]
        box = QInputDialog(self)
        box.setWindowTitle("人员迁移")
        box.setLabelText("迁往哪个服务站？该人员的档案和全部记录会在下次交换时送到新服务站，"
                         "并从原服务站移除。")
        box.setComboBoxItems(labels)
        box.setOkButtonText("迁移")
        box.setCancelButtonText("取消")
        box.textValueSelected.connect(
            lambda text: self.run_transfer(person_id, codes[labels.index(text)]))
        return self._open(box)

    def run_transfer(self, person_id: str, code: str) -> Op:
        store, op_id = self.ctx.store, self.ctx.service.operator_id

        def done(moved: dict[str, int]) -> None:
            n = sum(v for k, v in moved.items() if k != "volunteer_member_unlinked")
            self.inform("迁移完成", f"已迁往 {self.party_name(code)}（{code}），共 {n} 条记录。\n\n"
                        "请给新、旧两个服务站各导出一次数据包。")
            self._changed()

        return Op(self, lambda: review_services.transfer_person(store, person_id, code, operator_id=op_id)) \
            .success(done).run()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise StationError(f"无法读取文件 {path.name}：{os_error_text(exc)}",
                           code="unreadable") from exc
