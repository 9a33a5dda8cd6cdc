"""服务站信息: the station's profile, this year's 五有 self-assessment and 星级评定."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.enums import Role
from station_desktop.domain.errors import StationError
from station_desktop.store import assessment as sa
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import show_error
from station_desktop.ui.forms import RecordForm
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.base import fill_with_scrolling
from station_desktop.ui.pages.settings.section import Section, button, hint
from station_desktop.ui.pages.settings.self_assessment import SelfAssessmentBox


class StationSection(Section, SelfAssessmentBox):
    """服务站信息 and this year's 五有 self-assessment."""

    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.station: dict[str, Any] | None = None
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
        self.save_button = button("保存服务站信息", "save_station")
        self.station_message = QLabel("")
        self.station_message.setObjectName("station_message")
        profile = QGroupBox("服务站基本信息")
        pl = QVBoxLayout(profile)
        pl.addLayout(fixed)
        pl.addWidget(hint("区划代码和站点类型在首次启动时设定，是与县里交换数据的依据，不能修改。"))
        pl.addWidget(self.form)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.station_message, 1)
        pl.addLayout(row)

        self.wuyou_box = self.self_assessment_box()

        self.star_box = QGroupBox(f"{self.year} 年星级评定自评")
        sl = QVBoxLayout(self.star_box)
        sl.addWidget(hint("按县服务中心规定的星级评定表（示范型：12 个大项、61 个小项）逐项自评打分，"
                          "提交后由县里审核评分，审核结果随数据交换返回本站。"))
        self.star_button = button("填写星级评定自评表…", "open_star_assessment")
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

    def open_star_assessment(self) -> QDialog:
        from station_desktop.ui.pages.assessment import StarSelfDialog

        dialog = StarSelfDialog(self.ctx, self.year, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.star_dialog = dialog
        return dialog
