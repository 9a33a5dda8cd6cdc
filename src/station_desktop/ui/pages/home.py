"""首页/待办: what needs doing today, each item one click from its record.

Built from the due list (overdue contacts, visits due after life events,
holiday windows, coverage) plus open cases past their deadline, aid
applications waiting for review and the holiday campaigns under way. All of
it is read in one operation on the worker and shown in plain group boxes
with short tables; a row opens its person (or page) in one click and the
buttons on the rows record the visit straight away.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain import enums
from station_desktop.domain.catalogues import Catalogues
from station_desktop.store import visits as sv
from station_desktop.ui import config as cfg
from station_desktop.ui.catalogue_editor import CatalogueNotice
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import show_error
from station_desktop.ui.forms import error_label
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.base import ShownPage, fill_with_scrolling
from station_desktop.ui.table import Column, RowsModel
from station_desktop.ui.visit_dialog import (
    HINT_STYLE,
    CampaignDialog,
    campaign_progress,
    make_table,
    open_campaigns,
    open_visit_dialog,
    pick_and_record_visit,
    pick_and_register_life_event,
    scaled_font,
    yuan,
)
from station_desktop.ui.widgets import push_button, text_label

#: Rows shown per list; the totals are shown in the titles.
ROWS = 20
WEEKDAYS = "一二三四五六日"


def _days_text(days: int) -> str:
    return f"{days} 天"


class Section(QGroupBox):
    """A titled box holding a short table, or a friendly line when there is nothing to do."""

    def __init__(self, title: str, model: RowsModel, *, object_name: str, empty: str,
                 stretch: str | None = None):
        super().__init__(title)
        self.setObjectName(object_name)
        self.base_title = title
        self.model = model
        self.body = body = QWidget()
        self.view = make_table(model, object_name=f"{object_name}_table", stretch=stretch)
        self.view.setMinimumHeight(120)
        self.view.setMaximumHeight(290)
        self.view.setCursor(Qt.CursorShape.PointingHandCursor)
        self.empty = text_label(empty, f"{object_name}_empty",
                                style="color: #2e7d32; padding: 10px 4px;", wrap=True)
        self.footer = QHBoxLayout()
        self.layout_ = QVBoxLayout(body)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(self.view)
        self.layout_.addWidget(self.empty)
        self.layout_.addLayout(self.footer)
        self.layout_.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addWidget(body)
        self.empty.hide()
        self.apply_fonts()

    def apply_fonts(self) -> None:
        """A bold, larger title over a body in the application's own font."""
        self.setFont(scaled_font(1.15))
        self.body.setFont(scaled_font(1.0, bold=False))
        self.view.verticalHeader().setDefaultSectionSize(
            max(30, self.view.fontMetrics().height() + 14))

    def set_rows(self, rows: list[dict[str, Any]], total: int | None = None) -> None:
        self.model.set_rows(rows)
        n = len(rows) if total is None else total
        self.setTitle(f"{self.base_title}（{n}）" if n else self.base_title)
        self.view.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        if rows:
            self.view.resizeColumnsToContents()
            header = self.view.horizontalHeader()
            for i, col in enumerate(self.model.columns):
                if col.button:
                    self.view.setColumnWidth(i, 92)
                elif header.sectionResizeMode(i) != header.ResizeMode.Stretch:
                    self.view.setColumnWidth(i, max(self.view.columnWidth(i) + 8, 64))
            rows_h = self.view.verticalHeader().defaultSectionSize() * len(rows)
            self.view.setFixedHeight(min(290, rows_h + header.height() + 6))


class SafetyReminders(QWidget):
    """Yellow lines above the to-do lists: no recent USB backup, no sign-in PIN yet."""

    STYLE = "#safety_row { background: #fff8e1; border: 1px solid #e6c65a; }"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("home_safety")
        self.usb_text = text_label("", "home_usb_reminder", wrap=True)
        self.usb_button = push_button("备份到U盘…", "home_backup_usb", self.backup_to_usb)
        self.pin_text = QLabel("还没有人设置登录 PIN：谁打开这台电脑都能看到全部档案（身份证号、"
                               "伤残、帮扶金额）。请给自己设置一个 PIN。")
        self.pin_text.setObjectName("home_pin_hint")
        self.pin_text.setWordWrap(True)
        self.pin_button = push_button("设置 PIN…", "home_set_pin", self.set_pin)
        self.usb_row, self.pin_row = QWidget(), QWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for row, label, button in ((self.usb_row, self.usb_text, self.usb_button),
                                   (self.pin_row, self.pin_text, self.pin_button)):
            row.setObjectName("safety_row")
            row.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
            row.setStyleSheet(self.STYLE)
            line = QHBoxLayout(row)
            line.setContentsMargins(10, 6, 6, 6)
            line.addWidget(label, 1)
            line.addWidget(button)
            layout.addWidget(row)
            row.hide()
        self.dialog: QWidget | None = None
        self.hide()

    def refresh(self) -> None:
        from station_desktop.store import auth, backup

        store = self.ctx.store

        def load() -> tuple[str | None, bool]:
            return backup.last_usb_backup(store), auth.sign_in_required(store)

        Op(self, load).success(lambda r: self.show_state(*r)).run()

    def show_state(self, last_usb: str | None, has_pins: bool) -> None:
        days = self.ctx.config.get(cfg.USB_REMINDER_DAYS)
        text = ""
        if last_usb is None:
            text = ("还没有备份到U盘。电脑坏了、被盗了，只有U盘上的备份能找回全部档案："
                    f"请至少每 {days} 天备份一次。")
        else:
            when = datetime.fromisoformat(last_usb.replace("Z", "+00:00")).astimezone()
            age = (self.ctx.today - when.date()).days
            if age >= days:
                text = (f"上次备份到U盘是 {age} 天前（{when:%Y-%m-%d}）。"
                        f"请至少每 {days} 天备份一次，以防电脑损坏丢失档案。")
        self.usb_text.setText(text)
        self.usb_row.setVisible(bool(text))
        self.pin_row.setVisible(not has_pins)
        self.setVisible(bool(text) or not has_pins)

    def backup_to_usb(self) -> None:
        from station_desktop.ui.pages.settings import backup_to_usb, choose_usb_folder

        folder = choose_usb_folder(self.ctx, self)
        if folder is not None:
            self.usb_button.setEnabled(False)

            def done(made: Any) -> None:
                from station_desktop.ui.pages.settings import usb_backup_message

                self.usb_button.setEnabled(True)
                self.usb_text.setText(usb_backup_message(made))
                self.refresh()

            backup_to_usb(self.ctx, self, folder, done,
                          lambda exc: (self.usb_button.setEnabled(True), show_error(self, exc)))

    def set_pin(self) -> None:
        from station_desktop.ui.pages.settings import open_set_pin

        svc = self.ctx.service
        if svc.operator_id is None:
            self.ctx.show_page.emit("settings")
            return
        name = svc.get("operator", svc.operator_id)["name"]
        self.dialog = open_set_pin(self.ctx, self, svc.operator_id, name, needs_old=False)
        self.dialog.accepted.connect(self.refresh)


class HomePage(ShownPage):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.data: dict[str, Any] | None = None
        self._loading = False
        self._again = False
        self._stale = True
        self.loads = 0  # completed loads (tests wait on this)

        # header: the date and the day's common actions
        self.today_label = QLabel()
        self.today_label.setObjectName("home_today")
        self.record_button = push_button("记录走访…", "home_record_visit", self.record_visit,
                                         tip="先找到人员，再记录一次走访或联系", height=34)
        self.event_button = push_button("登记重大变故…", "home_life_event",
                                        self.register_life_event, height=34)
        self.campaign_button = push_button("节日慰问活动", "home_campaigns",
                                           lambda: open_campaigns(self.ctx, self), height=34)
        self.refresh_button = push_button("刷新", "", self.refresh, tip="重新统计（F5）",
                                          height=34)
        head = QHBoxLayout()
        head.addWidget(self.today_label)
        head.addStretch(1)
        for b in (self.record_button, self.event_button, self.campaign_button,
                  self.refresh_button):
            head.addWidget(b)

        # coverage
        self.coverage_box = QGroupBox("本季度联系覆盖率")
        self.coverage_box.setObjectName("home_coverage")
        self.coverage_figure = text_label("—", "coverage_figure", style="color: #1565c0;")
        self.coverage_text = text_label("", "coverage_text", wrap=True)
        self.coverage_bar = QProgressBar()
        self.coverage_bar.setObjectName("coverage_bar")
        self.coverage_bar.setTextVisible(True)
        self.coverage_bar.setMinimumHeight(26)
        cov = QVBoxLayout(self.coverage_box)
        row = QHBoxLayout()
        row.addWidget(self.coverage_figure)
        row.addWidget(self.coverage_text, 1)
        cov.addLayout(row)
        cov.addWidget(self.coverage_bar)

        # overdue contacts
        self.overdue = Section("逾期未联系", RowsModel([
            Column("name", "姓名"),
            Column("phone", "电话"),
            Column("last_contact_on", "上次联系", lambda v, r: str(v) if v else "从未联系"),
            Column("overdue_days", "已逾期", lambda v, r: _days_text(v)),
            Column("action", "操作", lambda v, r: "记录走访", button=True),
        ], parent=self), object_name="home_overdue", stretch="last_contact_on",
            empty="很好：所有人都在规定时间内联系过。")
        self.overdue.view.setToolTip("点姓名打开档案；点“记录走访”直接记录")
        self.overdue.view.clicked.connect(self._overdue_clicked)
        self.all_overdue = push_button("到“人员档案”查看全部…", "home_all_overdue",
                                       lambda: self.ctx.show_page.emit("roster"))
        self.overdue.footer.addStretch(1)
        self.overdue.footer.addWidget(self.all_overdue)

        # life events (六必访)
        self.events = Section("重大变故待走访（六必访）", RowsModel([
            Column("name", "姓名"),
            Column("kind_label", "变故"),
            Column("visit_due_on", "走访期限"),
            Column("state", "状态"),
            Column("action", "操作", lambda v, r: "走访", button=True),
        ], parent=self), object_name="home_events", stretch="kind_label",
            empty="没有待走访的重大变故。家中有变故的，点上方“登记重大变故”。")
        self.events.view.clicked.connect(self._event_clicked)

        # holidays and campaigns
        self.holidays = Section("节日慰问", RowsModel([
            Column("name", "活动"),
            Column("dates", "慰问时间"),
            Column("progress", "进度（已走访/计划）"),
            Column("action", "", lambda v, r: "查看", button=True),
        ], parent=self), object_name="home_holidays", stretch="name", empty="")
        self.holiday_lines = text_label("", "holiday_windows", wrap=True)
        self.holiday_lines.setTextFormat(Qt.TextFormat.PlainText)
        self.holidays.layout_.insertWidget(0, self.holiday_lines)
        self.holidays.empty.setStyleSheet(HINT_STYLE + "padding: 6px 4px;")
        self.holidays.view.clicked.connect(self._campaign_clicked)
        self.new_campaign = push_button("发起节日慰问…", "home_new_campaign", self.start_campaign)
        self.holidays.footer.addStretch(1)
        self.holidays.footer.addWidget(self.new_campaign)

        # cases past their deadline
        self.cases = Section("超期未办结的矛盾纠纷", RowsModel([
            Column("parties", "当事人"),
            Column("case_type", "类型"),
            Column("level", "层级", lambda v, r: enums.Level(v).label + "级" if v else ""),
            Column("deadline", "办理期限"),
            Column("overdue_days", "已超期", lambda v, r: _days_text(v)),
        ], parent=self), object_name="home_cases", stretch="parties",
            empty="没有超期的矛盾纠纷。")
        self.cases.view.setToolTip("点一行，到“矛盾纠纷”办理")
        self.cases.view.clicked.connect(lambda _i: self.ctx.show_page.emit("cases"))

        # aid waiting for review
        self.aid = Section("待审核的帮扶申请", RowsModel([
            Column("person_name", "姓名"),
            Column("aid_type", "帮扶类型"),
            Column("applied_on", "申请日期"),
            Column("requested_fen", "申请金额", lambda v, r: yuan(v)),
            Column("waiting_for", "进度"),
        ], parent=self), object_name="home_aid", stretch="aid_type",
            empty="没有等待审核的帮扶申请。")
        self.aid.view.setToolTip("点一行，到“帮扶援助”审核")
        self.aid.view.clicked.connect(lambda _i: self.ctx.show_page.emit("aid"))

        self.error = error_label("home_error")
        self.safety = SafetyReminders(ctx, self)
        self.catalogue_notice = CatalogueNotice(ctx, self)  # issue 7: 县里更新了目录

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(14)
        grid.addWidget(self.coverage_box, 0, 0)
        grid.addWidget(self.holidays, 0, 1)
        grid.addWidget(self.overdue, 1, 0)
        grid.addWidget(self.events, 1, 1)
        grid.addWidget(self.cases, 2, 0)
        grid.addWidget(self.aid, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.addLayout(head)
        inner.addWidget(self.error)
        inner.addWidget(self.safety)
        inner.addWidget(self.catalogue_notice)
        inner.addLayout(grid)
        inner.addStretch(1)
        fill_with_scrolling(self, content)

        shortcut = QShortcut(QKeySequence("Ctrl+R"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self._record_selected)
        ctx.data_changed.connect(self._on_changed)
        self.apply_fonts()
        self._show_today()

    # --- loading ------------------------------------------------------------------

    def apply_fonts(self) -> None:
        """Sizes relative to the application font, so the 大字体 setting enlarges them too."""
        self.today_label.setFont(scaled_font(1.5))
        self.coverage_box.setFont(scaled_font(1.15))
        for w in (self.coverage_text, self.coverage_bar):
            w.setFont(scaled_font(1.0, bold=False))
        self.coverage_figure.setFont(scaled_font(3.2))
        for section in (self.overdue, self.events, self.holidays, self.cases, self.aid):
            section.apply_fonts()

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ApplicationFontChange:
            self.apply_fonts()
        return super().event(e)

    def _show_today(self) -> None:
        t = self.ctx.today
        self.today_label.setText(f"今天：{t.year}年{t.month}月{t.day}日　星期{WEEKDAYS[t.weekday()]}")

    def refresh(self) -> None:
        """Reload everything (on the worker); a request while loading runs once more after."""
        self._stale = False
        if self._loading:
            self._again = True
            return
        self._loading = True
        svc = self.ctx.service
        self.safety.refresh()
        self.catalogue_notice.refresh()
        Op(self, lambda: sv.home_data(svc, limit=ROWS)).success(self._loaded).failure(
            self._failed).run()

    def _on_changed(self, _kind: str) -> None:
        self.refresh_when_shown()

    def _finish_load(self) -> None:
        self._loading = False
        self.loads += 1
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(f"首页统计没有完成：{getattr(exc, 'user_text', lambda: str(exc))()}"
                           "。可点“刷新”再试。")
        self.error.show()
        self._finish_load()

    def _loaded(self, data: dict[str, Any]) -> None:
        self.data = data
        self.error.hide()
        cats = self.ctx.catalogues()
        today: date = data["today"]
        self._show_today()
        self._show_coverage(data["coverage"])
        self.overdue.set_rows(
            [{**r, "id": r["person_id"]} for r in data["overdue_contacts"]],
            data["overdue_total"])
        self.all_overdue.setVisible(data["overdue_total"] > len(data["overdue_contacts"]))
        self.all_overdue.setText(f"全部 {data['overdue_total']} 人：到“人员档案”查看…")
        events = []
        for e in data["life_events_due"]:
            due: date = e["visit_due_on"]
            left = (due - today).days
            state = f"已逾期 {-left} 天" if left < 0 else ("今天到期" if left == 0
                                                         else f"还剩 {left} 天")
            events.append({**e, "id": e["event_id"], "state": state,
                           "_alert": True if left < 0 else None,
                           "_tip": f"{e['kind_label']}，发生于 {e['event_date']}"})
        self.events.set_rows(events)
        self._show_holidays(data, cats, today)
        self.cases.set_rows([
            {**c, "case_type": cats.name("case_type", c["case_type"]),
             "_alert": {"overdue_days"}} for c in data["overdue_cases"]],
            data["overdue_cases_total"])
        self.aid.set_rows([
            {**a, "aid_type": cats.name("aid_type", a["aid_type"])} for a in data["aid_waiting"]],
            data["aid_waiting_total"])
        self._finish_load()

    def _show_coverage(self, cov: dict[str, Any]) -> None:
        contacted, total = cov["contacted"], cov["total"]
        self.coverage_figure.setText(f"{cov['ratio'] * 100:.1f}%")
        self.coverage_text.setText(
            f"{cov['quarter_start'].isoformat()} 至 {cov['quarter_end'].isoformat()}\n"
            f"已联系 {contacted} 人，共 {total} 人\n还有 {total - contacted} 人本季度未联系")
        self.coverage_bar.setRange(0, max(total, 1))
        self.coverage_bar.setValue(contacted)
        self.coverage_bar.setFormat(f"{contacted} / {total}")

    def _show_holidays(self, data: dict[str, Any], cats: Catalogues, today: date) -> None:
        lines = []
        for w in data["holidays"]:
            lines.append(f"● {w['name']}慰问期（{w['start'].isoformat()} 至 "
                         f"{w['end'].isoformat()}）：重点对象还有 {w['not_yet_visited_total']} "
                         "人没有走访。")
        campaigns = [{**c, "dates": f"{c['start_on']} 至 {c['end_on']}",
                      "progress": campaign_progress(c)} for c in data["campaigns"]]
        if not lines:
            upcoming = min((sv.next_holiday_window(e.code, today, cats)
                            for e in cats.entries("holiday")), key=lambda w: w.start)
            lines.append(f"现在不在节日慰问期。下一个：{upcoming.name}，慰问期从 "
                         f"{upcoming.start.isoformat()} 开始。")
        self.holiday_lines.setText("\n".join(lines))
        self.holidays.set_rows(campaigns)
        self.holidays.setTitle("节日慰问")
        self.holidays.empty.setText("没有进行中的慰问活动。")

    # --- actions ------------------------------------------------------------------

    def _overdue_clicked(self, index: QModelIndex) -> None:
        row = self.overdue.model.record(index.row())
        if row is None:
            return
        if self.overdue.model.columns[index.column()].button:
            open_visit_dialog(self.ctx, row["person_id"], self)
        else:
            self.ctx.open_person.emit(row["person_id"])

    def _event_clicked(self, index: QModelIndex) -> None:
        row = self.events.model.record(index.row())
        if row is None:
            return
        if self.events.model.columns[index.column()].button:
            open_visit_dialog(self.ctx, row["person_id"], self, life_event_id=row["event_id"])
        else:
            self.ctx.open_person.emit(row["person_id"])

    def _campaign_clicked(self, index: QModelIndex) -> None:
        row = self.holidays.model.record(index.row())
        if row is not None:
            open_campaigns(self.ctx, self, select=row["id"])

    def _record_selected(self) -> None:
        """Ctrl+R: record a visit for the selected overdue person or life event."""
        for section in (self.overdue, self.events):
            view: QTableView = section.view
            if view.hasFocus() and view.currentIndex().isValid():
                row = section.model.record(view.currentIndex().row())
                if row is not None:
                    open_visit_dialog(self.ctx, row["person_id"], self,
                                      life_event_id=row.get("event_id"))
                return
        self.record_visit()

    def record_visit(self) -> None:
        pick_and_record_visit(self.ctx, self)

    def register_life_event(self) -> None:
        pick_and_register_life_event(self.ctx, self)

    def start_campaign(self) -> CampaignDialog:
        holidays = (self.data or {}).get("holidays") or []
        dialog = CampaignDialog(self.ctx, self,
                                holiday=holidays[0]["code"] if holidays else None)
        dialog.open()
        return dialog
