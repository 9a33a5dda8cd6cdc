"""数据交换: what this station would send to the county, and how the exchange works.

The bundles themselves come with the sync module; until then the page shows
the station's identity, its key fingerprint and the changes waiting to go.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.enums import Role
from station_desktop.store import stats
from station_desktop.sync.keys import load_keys
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.base import fill_with_scrolling
from station_desktop.ui.pages.reports import local_time

SYNC_TOOLTIP = "数据交换功能将在同步模块中提供"

HOW_IT_WORKS = """\
<p><b>怎样和县里交换数据</b></p>
<ol>
<li><b>本机记下每一次修改。</b>每保存、删除或恢复一条记录，程序都会按顺序记下一条“变更”，\
编上序号。上面的“待上报变更”就是县里还没有收到并确认的变更。</li>
<li><b>导出数据包。</b>点“导出数据包”，程序把这些变更打包成一个文件，存到U盘上。\
文件经过加密，只有县退役军人服务中心能打开；文件带有本站的签名，途中被改动会被发现。</li>
<li><b>送到县里。</b>把U盘带到县服务中心（或按县里要求交给镇里转交），由县里的工作人员导入。\
县里导入时会先核对签名和内容，有问题的数据包会被整个拒收，不会弄乱数据。</li>
<li><b>带回县里的数据包。</b>县里会给本站一个回执数据包，其中有已收到的变更序号，\
也可能有县里统一更新的目录、更正和人员迁入迁出。点“导入县里数据包”导入后，\
已确认的变更就不再重复发送。</li>
<li><b>没有确认的变更会自动再次发送。</b>数据包丢了、晚到了都不要紧，\
下一次导出时会把县里还没确认的变更一起带上，重复导入也不会重复记录。</li>
</ol>
<p><b>第一次交换前要先登记。</b>点“生成登记申请”，把文件交给县里，\
并在电话里把上面的<b>密钥指纹</b>念给县里的工作人员核对，县里确认后才能交换数据。\
换了新电脑要重新登记。</p>
"""


@dataclass(frozen=True)
class ExchangeState:
    code: str
    name: str
    role: str
    fingerprint: str | None
    pending: int
    outbox: stats.Outbox


class ExchangePage(QWidget):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.state: ExchangeState | None = None

        title = QLabel("数据交换（与县退役军人服务中心）")
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
        self.pending_label = QLabel("—")
        self.pending_label.setObjectName("pending_count")
        self.pending_label.setStyleSheet("font-size: 18px; font-weight: bold; color: #1a4f8b;")
        self.range_label = QLabel("—")
        self.range_label.setObjectName("seq_range")
        self.acked_label = QLabel("—")
        self.acked_label.setObjectName("acked_seq")
        for lab in (self.code_label, self.name_label, self.fingerprint_label, self.range_label):
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        who = QGroupBox("本站")
        form = QFormLayout(who)
        form.addRow("服务站名称：", self.name_label)
        form.addRow("区划代码：", self.code_label)
        form.addRow("站点类型：", self.role_label)
        form.addRow("密钥指纹：", self.fingerprint_label)
        fp_hint = QLabel("登记时请把密钥指纹念给县里的工作人员核对。")
        fp_hint.setStyleSheet("color: #666;")
        form.addRow("", fp_hint)

        out = QGroupBox("待上报县里")
        form2 = QFormLayout(out)
        form2.addRow("待上报变更：", self.pending_label)
        form2.addRow("变更序号范围：", self.range_label)
        form2.addRow("县里已确认到：", self.acked_label)

        self.export_button = QPushButton("导出数据包…")
        self.export_button.setObjectName("export_bundle")
        self.import_button = QPushButton("导入县里数据包…")
        self.import_button.setObjectName("import_bundle")
        self.enrol_button = QPushButton("生成登记申请…")
        self.enrol_button.setObjectName("enrol_request")
        buttons = QHBoxLayout()
        for b in (self.export_button, self.import_button, self.enrol_button):
            b.setEnabled(False)
            b.setToolTip(SYNC_TOOLTIP)
            b.setMinimumHeight(34)
            buttons.addWidget(b)
        buttons.addStretch(1)
        pending_note = QLabel(f"（{SYNC_TOOLTIP}。）")
        pending_note.setStyleSheet("color: #666;")

        explain = QLabel(HOW_IT_WORKS)
        explain.setObjectName("how_it_works")
        explain.setWordWrap(True)
        explain.setTextFormat(Qt.TextFormat.RichText)
        explain.setStyleSheet("QLabel { background: #f7f7f2; border: 1px solid #ddd; "
                              "padding: 8px; }")

        top = QHBoxLayout()
        top.addWidget(who, 3)
        top.addWidget(out, 2)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(pending_note)
        layout.addWidget(explain)
        layout.addStretch(1)
        fill_with_scrolling(self, body)

        ctx.data_changed.connect(lambda _kind: self.isVisible() and self.refresh())

    def refresh(self) -> None:
        ctx = self.ctx

        def load() -> ExchangeState:
            store = ctx.store
            keys = load_keys(Path(store.path).parent)
            return ExchangeState(
                code=store.meta("station_code") or "",
                name=store.meta("station_name") or "",
                role=store.meta("role") or "",
                fingerprint=keys.fingerprint if keys is not None else None,
                pending=ctx.service.pending_changes(),
                outbox=stats.outbox(store),
            )

        Op(self, load).success(self._show).run()

    def _show(self, st: ExchangeState) -> None:
        self.state = st
        self.code_label.setText(st.code or "（未设置）")
        self.name_label.setText(st.name or "（未设置）")
        try:
            self.role_label.setText(Role(st.role).label)
        except ValueError:
            self.role_label.setText(st.role or "（未设置）")
        self.fingerprint_label.setText(
            st.fingerprint or "尚未生成（首次交换时自动生成）")
        self.pending_label.setText(f"{st.pending} 条")
        ob = st.outbox
        if ob.first_seq is None:
            self.range_label.setText("无（所有变更县里都已确认）")
        else:
            self.range_label.setText(
                f"第 {ob.first_seq} 号 至 第 {ob.last_seq} 号（最近一次修改：{local_time(ob.last_change_at)}）")
        self.acked_label.setText(f"第 {ob.acked_seq} 号" if ob.acked_seq else "还没有交换过")
