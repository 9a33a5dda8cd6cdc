"""“五有”自评: this year's self-assessment of the station, item by item, with its score."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from station_desktop.services import assessment as assess
from station_desktop.store import assessment as sa
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.reports import local_time
from station_desktop.ui.pages.settings.section import HINT_STYLE, button, hint
from station_desktop.ui.widgets import text_label


class SelfAssessmentBox:
    """The 五有 box of 服务站信息 (mixed into StationSection, which loads it with the profile)."""

    ctx: AppContext
    year: int

    def self_assessment_box(self) -> QGroupBox:
        self.assessment: dict[str, Any] | None = None
        self.wuyou_box = QGroupBox(f"{self.year} 年“五有”自评")
        wl = QVBoxLayout(self.wuyou_box)
        wl.addWidget(hint("逐项对照，做到了就打勾，并简要写明情况（如“已挂牌，办公室 30 平方米”）。"
                          "自评项目和分值由县服务中心统一规定。"))
        self.items_grid = QGridLayout()
        wl.addLayout(self.items_grid)
        self.checks: dict[str, QCheckBox] = {}
        self.notes: dict[str, QLineEdit] = {}
        self.weights: dict[str, int] = {}
        self.score_label = text_label("", "self_score", style="font-size: 15px; font-weight: bold;")
        self.assess_message = QLabel("")
        self.assess_message.setObjectName("assessment_message")
        self.save_assessment_button = button("保存自评", "save_assessment")
        row2 = QHBoxLayout()
        row2.addWidget(self.score_label)
        row2.addWidget(self.save_assessment_button)
        row2.addWidget(self.assess_message, 1)
        wl.addLayout(row2)
        self.save_assessment_button.clicked.connect(self.save_assessment)
        return self.wuyou_box

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
