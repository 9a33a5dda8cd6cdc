"""站点评估: the 五有 checklist and the star-rating sheet (issue 7, item 4).

* :class:`AssessmentTab` (a tab of 全县概览): how many stations at each star
  level (or meeting 五有), who is below the county's bar and which items
  they miss, every station's assessment; double-click a station to review
  and score it (:class:`ReviewDialog`).
* :class:`StarSelfDialog`: a station fills its star-sheet self-assessment
  (opened from 设置 → 服务站信息).

Scoring is :mod:`station_desktop.store.assessment`; every read and write runs
on the worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.errors import NotFoundError
from station_desktop.services import assessment as assess
from station_desktop.store import assessment as sa
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import show_error
from station_desktop.ui.ops import Op
from station_desktop.ui.table import RowsModel, make_table_view
from station_desktop.ui.widgets import STRETCH, hbox, push_button, text_label

SHEET_CHOICES = ((sa.STAR, "星级评定（示范型）"), (sa.WUYOU, "五有"))


class ScoresTable(QTableWidget):
    """One row per item: 大项, 项目, 分值, the station's score and (optionally) an editable score.

    ``editable`` is the column the spin boxes go in: the station's own score
    (self-assessment) or the county's (review).
    """

    def __init__(self, sheet: sa.Sheet, values: Mapping[str, Any], *, review: bool,
                 parent: QWidget | None = None):
        headers = ["大项", "项目", "分值", "自评得分"] + (["县里评分"] if review else []) + ["说明"]
        super().__init__(len(sheet.items), len(headers), parent)
        self.sheet = sheet
        self.review = review
        self.setHorizontalHeaderLabels(headers)
        self.verticalHeader().hide()
        self.spins: dict[str, QSpinBox] = {}
        self.notes: dict[str, QLineEdit] = {}
        spin_col = 4 if review else 3
        for r, item in enumerate(sheet.items):
            value = values.get(item.code)
            stored = value if isinstance(value, Mapping) else {}
            own = sa.item_score(value, item)
            cells = [item.group if sheet.kind == sa.STAR else "五有", item.name,
                     str(item.points), str(own)]
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.setItem(r, c, cell)
            spin = QSpinBox()
            spin.setObjectName(f"score_{item.code}")
            spin.setRange(0, item.points)
            spin.setValue(sa.item_score(value, item, county=review))
            self.setCellWidget(r, spin_col, spin)
            self.spins[item.code] = spin
            note_text = str(stored.get("note") or "")
            if review:
                cell = QTableWidgetItem(note_text)
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.setItem(r, spin_col + 1, cell)
            else:
                note = QLineEdit(note_text)
                note.setMaxLength(200)
                note.setPlaceholderText("情况说明（可不填）")
                self.setCellWidget(r, spin_col + 1, note)
                self.notes[item.code] = note
        header = self.horizontalHeader()
        for c in range(len(headers) - 1):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)

    def total(self) -> int:
        return sum(s.value() for s in self.spins.values())

    def scores(self) -> dict[str, int]:
        return {code: s.value() for code, s in self.spins.items()}

    def values(self) -> dict[str, dict[str, Any]]:
        """The self-assessment as :func:`services.assessment.save_self_assessment` takes it."""
        return {code: {"score": s.value(), "note": self.notes[code].text().strip()
                       if code in self.notes else ""} for code, s in self.spins.items()}


class StarSelfDialog(QDialog):
    """A station's star-sheet self-assessment for one year: save, or save and submit."""

    def __init__(self, ctx: AppContext, year: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.year = year
        self.setWindowTitle(f"{year} 年星级评定自评表")
        self.resize(900, 640)
        self.table: ScoresTable | None = None
        self.sheet: sa.Sheet | None = None
        self.total_label = text_label("", "star_total", style="font-size: 15px; font-weight: bold;")
        self.state_label = text_label("", "star_state", wrap=True)
        self.body = QVBoxLayout()
        hint = QLabel("逐项对照评分（0 分到该项分值）。评分项目、分值和星级标准由县服务中心统一规定；"
                      "“提交”后县里可以审核评分，审核结果随数据交换返回本站。")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.setObjectName("star_save")
        self.submit_button = buttons.addButton("保存并提交县里", QDialogButtonBox.ButtonRole.ActionRole)
        self.submit_button.setObjectName("star_submit")
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(lambda: self.save(submit=False))
        self.submit_button.clicked.connect(lambda: self.save(submit=True))
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.state_label)
        row = QHBoxLayout()
        row.addWidget(self.total_label, 1)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.load()

    def load(self) -> Op:
        ctx, year = self.ctx, self.year

        def work() -> tuple[sa.Sheet, dict[str, Any] | None]:
            svc = ctx.service
            return (sa.load_sheet(svc.catalogues(), sa.STAR),
                    sa.load_assessment(ctx.store, svc.station_code, year, sa.STAR))

        return Op(self, work).success(lambda r: self._show(*r)).run()

    def _show(self, sheet: sa.Sheet, row: dict[str, Any] | None) -> None:
        self.sheet = sheet
        if self.table is not None:
            self.table.setParent(None)  # type: ignore[call-overload]
            self.table.deleteLater()
        self.table = ScoresTable(sheet, (row or {}).get("items") or {}, review=False)
        self.table.setObjectName("star_items")
        for spin in self.table.spins.values():
            spin.valueChanged.connect(self._update_total)
        self.body.addWidget(self.table)
        self._update_total()
        if row is None:
            self.state_label.setText("今年还没有自评。")
        else:
            text = f"状态：{sa.STATE_LABELS.get(row['state'], row['state'])}"
            if row.get("state") == "reviewed":
                text += (f"；县里评分 {row.get('county_score')} 分，"
                         f"{sheet.level_name(row.get('star_level'))}（审核人：{row.get('reviewer')}）")
                if row.get("note"):
                    text += f"；审核意见：{row['note']}"
            self.state_label.setText(text)

    def _update_total(self) -> None:
        if self.table is None or self.sheet is None:
            return
        total = self.table.total()
        level = self.sheet.level_name(self.sheet.level_for(total))
        self.total_label.setText(f"自评得分：{total} / {self.sheet.max_score} 分（{level}）")

    def save(self, *, submit: bool) -> Op | None:
        if self.table is None:
            return None
        ctx, year, values = self.ctx, self.year, self.table.values()

        def work() -> dict[str, Any]:
            svc = ctx.service
            return assess.save_self_assessment(ctx.store, svc.catalogues(), svc.operator_id,
                                               svc.station_code, year, sa.STAR, values,
                                               submit=submit)

        def done(row: dict[str, Any]) -> None:
            assert self.sheet is not None
            self._show(self.sheet, row)
            self.state_label.setText(("已保存并提交县里" if submit else "已保存") +
                                     f"，自评得分 {row['self_score']} 分。")
            ctx.data_changed.emit("station_assessment")

        return Op(self, work).success(done).failure(lambda e: show_error(self, e)).run()


class ReviewDialog(QDialog):
    """The county scores one station's assessment: per-item scores, reviewer, opinion."""

    def __init__(self, ctx: AppContext, sheet: sa.Sheet, result: sa.StationResult,
                 parent: QWidget | None = None):
        super().__init__(parent)
        assert result.row is not None
        self.ctx = ctx
        self.sheet = sheet
        self.row = result.row
        self.saved: dict[str, Any] | None = None
        self.setWindowTitle(f"审核评分：{result.name}（{sheet.label}）")
        self.resize(960, 660)
        items = sa.stored_items(self.row.get("items"))
        self.table = ScoresTable(sheet, items, review=True)
        self.table.setObjectName("review_items")
        for spin in self.table.spins.values():
            spin.valueChanged.connect(self._update_total)
        self.reviewer = QLineEdit(self.row.get("reviewer") or "")
        self.reviewer.setObjectName("reviewer")
        self.reviewer.setMaxLength(50)
        self.note = QPlainTextEdit(self.row.get("note") or "")
        self.note.setObjectName("review_note")
        self.note.setMaximumHeight(70)
        self.total_label = text_label("", "review_total",
                                      style="font-size: 15px; font-weight: bold;")
        self.message = text_label("", "review_message", style="color: #b00;")
        form = QFormLayout()
        form.addRow("审核人：", self.reviewer)
        form.addRow("审核意见：", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存审核")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("review_save")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"站点自评 {self.row.get('self_score')} 分，"
                                f"状态：{result.state_text}。县里评分默认与自评相同，逐项调整即可。"))
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.total_label)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._update_total()

    def _update_total(self) -> None:
        total = self.table.total()
        text = f"县里评分：{total} / {self.sheet.max_score} 分"
        if self.sheet.levels:
            text += f"，{self.sheet.level_name(self.sheet.level_for(total))}"
        text += "（达标）" if self.sheet.meets_bar(total) else "（未达标）"
        self.total_label.setText(text)

    def save(self) -> Op | None:
        reviewer = self.reviewer.text().strip()
        if not reviewer:
            self.message.setText("请填写审核人。")
            return None
        ctx, row_id, scores = self.ctx, self.row["id"], self.table.scores()
        note = self.note.toPlainText().strip() or None

        def work() -> dict[str, Any]:
            svc = ctx.service
            return assess.review(ctx.store, svc.catalogues(), svc.operator_id, row_id,
                                 reviewer=reviewer, county_items=scores, note=note)

        def done(row: dict[str, Any]) -> None:
            self.saved = row
            ctx.data_changed.emit("station_assessment")
            self.accept()

        return Op(self, work).success(done).failure(lambda e: show_error(self, e)).run()


class AssessmentTab(QWidget):
    """The county's view of every station's assessment."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.dist: sa.Distribution | None = None
        self.loads = 0
        self.dialog: ReviewDialog | None = None
        self.year = QComboBox()
        self.year.setObjectName("assessment_year")
        for y in range(ctx.today.year, ctx.today.year - 4, -1):
            self.year.addItem(f"{y} 年", y)
        self.sheet_box = QComboBox()
        self.sheet_box.setObjectName("assessment_sheet")
        for kind, label in SHEET_CHOICES:
            self.sheet_box.addItem(label, kind)
        self.review_button = push_button("审核评分…", "assessment_review", self.review_selected)
        bar = hbox("年度：", self.year, "评估表：", self.sheet_box, STRETCH,
                   push_button("刷新", "", self.refresh), self.review_button)
        self.summary = text_label("", "assessment_summary", wrap=True)
        self.summary.setMinimumHeight(self.summary.fontMetrics().height() * 2 + 8)
        self.levels = RowsModel(["等级", "站点数"], parent=self)
        self.levels_view = make_table_view(self.levels, "assessment_levels")
        self.misses = RowsModel(["未得满分的项目", "大项", "站点数"], parent=self)
        self.misses_view = make_table_view(self.misses, "assessment_misses")
        self.stations = RowsModel(["站点", "状态", "自评得分", "县里评分", "计分", "等级", "达标",
                                   "审核人", "失分项目"], parent=self)
        self.stations_view = make_table_view(self.stations, "assessment_stations")
        self.stations_view.doubleClicked.connect(self._open)
        header = self.stations_view.horizontalHeader()
        for col in range(8):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(8, QHeaderView.ResizeMode.Stretch)
        self.misses_view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.levels_view)
        top.addWidget(self.misses_view)
        top.setSizes([300, 700])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.stations_view)
        split.setSizes([220, 480])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.year.currentIndexChanged.connect(lambda _i: self.refresh())
        self.sheet_box.currentIndexChanged.connect(lambda _i: self.refresh())

    @property
    def sheet_kind(self) -> str:
        return self.sheet_box.currentData() or sa.STAR

    def refresh(self, stale_days: int | None = None) -> Op:
        store, cats, today = self.ctx.store, self.ctx.catalogues(), self.ctx.today
        year, kind = self.year.currentData() or today.year, self.sheet_kind

        def work() -> sa.Distribution:
            return sa.distribution(store, cats, year, kind, today=today, stale_days=stale_days)

        return self.ctx.run(self, work, self._loaded, progress="正在统计站点评估…")

    def _loaded(self, dist: sa.Distribution) -> None:
        self.dist = dist
        self.loads += 1
        sheet = dist.sheet
        below = dist.below
        self.summary.setText(
            f"{dist.year} 年{sheet.label}：共 {len(dist.stations)} 个站点，收到自评 {dist.assessed} 个，"
            f"达标 {dist.meeting} 个（达标标准：{sheet.bar_text()}），未达标或未自评 {len(below)} 个"
            "，列在下表最前面。双击站点审核评分。")
        self.levels.set_rows(sa.level_rows(dist))
        self.misses.set_rows([(i.name, i.group if sheet.kind == sa.STAR else "", n)
                              for i, n in sa.missed_items(dist)])
        # below the bar first, then by station code
        order = {r.code: k for k, r in enumerate(below)}
        rows = sorted(sa.station_rows(dist), key=lambda r: (r["code"] not in order,
                                                            order.get(r["code"], 0), r["code"]))
        self.stations.set_rows(
            [(r["name"] + ("（数据过期）" if r["stale"] else ""), r["state"], _n(r["self_score"]),
              _n(r["county_score"]), _n(r["score"]), r["level"],
              "" if r["meets_bar"] is None else ("达标" if r["meets_bar"] else "未达标"),
              r["reviewer"], r["missing"]) for r in rows],
            keys=[r["code"] for r in rows])

    def result(self, code: str) -> sa.StationResult | None:
        if self.dist is None:
            return None
        return next((r for r in self.dist.stations if r.code == code), None)

    def _open(self, index: QModelIndex) -> None:
        code = self.stations.key_at(index.row())
        if code:
            self.review(code)

    def review_selected(self) -> ReviewDialog | None:
        rows = self.stations_view.selectionModel().selectedRows()
        code = self.stations.key_at(rows[0].row()) if rows else None
        return self.review(code) if code else None

    def review(self, code: str) -> ReviewDialog | None:
        res = self.result(code)
        if res is None or self.dist is None:
            return None
        if res.row is None:
            show_error(self, NotFoundError(f"还没有收到“{res.name}”的自评。",
                                           hint="站点填写自评并通过数据交换报送后，才能审核评分。"))
            return None
        dialog = ReviewDialog(self.ctx, self.dist.sheet, res, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        self.dialog = dialog
        return dialog


def _n(value: Any) -> str:
    return "" if value is None else str(value)

