"""Dialogs of 走访慰问: record a visit, register a life event, pick a person, holiday campaigns.

Recording a visit takes at most four actions from a person's row: select
the row, 记录走访 (Ctrl+R), perhaps change the 走访类型, 保存. Everything
else is prefilled: today's date, the operator as visitor, 入户, and the kind
the situation calls for (the life event's visit kind, 节日慰问 in a
campaign, else 常态化联系). The cursor waits in 走访内容.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain import enums, rules
from station_desktop.domain.errors import StationError
from station_desktop.domain.validate import format_fen
from station_desktop.services import campaigns
from station_desktop.store import visits as sv
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import RecordDialog, RecordForm, error_label
from station_desktop.ui.ops import Op
from station_desktop.ui.person_picker import pick_person
from station_desktop.ui.table import Column, LazyTableModel, RowsModel, read_only_rows
from station_desktop.ui.table import Column as Col  # the campaign list's columns
from station_desktop.ui.widgets import push_button, text_label

#: The fields of the visit form, in the order a cadre fills them.
VISIT_FIELDS = ["kind", "method", "visit_date", "visitor", "content", "needs", "follow_up",
                "gifts", "money_fen", "satisfaction"]
#: What a holiday campaign records for every person of its group.
CAMPAIGN_VISIT_FIELDS = ["method", "visit_date", "visitor", "content", "gifts", "money_fen"]
ROUTINE_KIND = "routine"
HINT_STYLE = "color: #555;"

Index = QModelIndex | QPersistentModelIndex


# --- small shared pieces ----------------------------------------------------------


def yuan(fen: int | None) -> str:
    return f"{format_fen(int(fen))} 元" if fen else ""


def id_tail(id_number: str | None) -> str:
    return f"{id_number[:6]}…{id_number[-4:]}" if id_number else ""


def _alive(obj: Any) -> bool:
    return obj is not None and shiboken6.isValid(obj)


_OPEN: set[QDialog] = set()


def keep_open(dialog: QDialog) -> None:
    """Hold a parentless dialog until it closes (else Python would collect it at once)."""
    if dialog.parent() is None:
        _OPEN.add(dialog)
        dialog.finished.connect(lambda _result: _OPEN.discard(dialog))


class ButtonDelegate(QStyledItemDelegate):
    """Draws a cell's text as a push button; the view's ``clicked`` does the action.

    A painted button costs nothing per row, so a list of thousands of persons
    can have a 记录 button on every row.
    """

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        text = index.data()
        if not text:
            return
        btn = QStyleOptionButton()
        btn.rect = QRect(option.rect.adjusted(4, 2, -4, -2))
        btn.text = str(text)
        btn.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Raised
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_PushButton, btn, painter, option.widget)


def make_table(model: QAbstractTableModel, *, object_name: str,
               stretch: str | None = None) -> QTableView:
    """A read-only, row-selecting table with roomy rows for older eyes."""
    view = QTableView()
    view.setObjectName(object_name)
    view.setModel(model)
    read_only_rows(view)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(max(30, view.fontMetrics().height() + 14))
    view.horizontalHeader().setHighlightSections(False)
    view.setWordWrap(False)
    columns = getattr(model, "columns", [])
    for i, col in enumerate(columns):
        if getattr(col, "button", False):
            view.setItemDelegateForColumn(i, ButtonDelegate(view))
            view.horizontalHeader().setSectionResizeMode(i, QHeaderView.ResizeMode.Fixed)
            view.setColumnWidth(i, 96)
        elif stretch is not None and col.key == stretch:
            view.horizontalHeader().setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
    return view


def info(parent: QWidget | None, text: str, title: str = "完成") -> QMessageBox:
    """A non-blocking message (tests and the worker never wait on exec())."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok,
                      parent)
    box.setObjectName("info_box")
    box.open()
    return box


def _add_save_shortcuts(dialog: RecordDialog) -> None:
    for keys in ("Ctrl+Return", "Ctrl+S"):
        QShortcut(QKeySequence(keys), dialog, activated=dialog.save_button.click)
    dialog.save_button.setToolTip("保存（Ctrl+Enter 或 Ctrl+S）")
    dialog.save_button.setDefault(True)


def _header(text: str = "正在读取…") -> QLabel:
    label = text_label(text, "dialog_header", wrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(scaled_font(1.1))
    label.setStyleSheet("padding: 4px 2px 8px 2px;")
    return label


def _person_line(p: dict[str, Any], cats: Any) -> str:
    cat_names = "、".join(cats.name("person_category", c) for c in p["categories"][:3])
    last = p["last_contact_on"] or "从未联系"
    phone = f"　电话 {p['phone']}" if p.get("phone") else ""
    return (f"{p['name']}　身份证 {id_tail(p['id_number'])}{phone}\n"
            f"{cat_names}　上次联系：{last}")


# --- recording a visit ------------------------------------------------------------


def open_visit_dialog(ctx: AppContext, person_id: str, parent: QWidget | None, *,
                      life_event_id: str | None = None,
                      campaign_id: str | None = None) -> RecordDialog:
    """Open the 记录走访 dialog for a person (already shown with ``open()``).

    On save the service writes the visit (and closes the life event it
    answers) and ``ctx.data_changed("visit")`` is emitted.
    """
    cats = ctx.catalogues()
    svc = ctx.service
    form = RecordForm("visit", cats, today=ctx.today, fields=VISIT_FIELDS, hidden={
        "person_id": person_id, "life_event_id": life_event_id, "campaign_id": campaign_id,
        "operator_id": svc.operator_id,
    })
    kind = sv.HOLIDAY_VISIT_KIND if campaign_id else ROUTINE_KIND
    form.set_values({"visit_date": ctx.today, "method": enums.VisitMethod.HOME.value,
                     "kind": kind})
    dialog = RecordDialog("记录走访", form, submit=lambda values: svc.create("visit", values),
                          parent=parent)
    dialog.setObjectName("visit_dialog")
    header = _header()
    dialog.layout().insertWidget(0, header)
    _add_save_shortcuts(dialog)
    dialog.save_button.setEnabled(False)  # until the visitor's name is filled in
    dialog.accepted.connect(lambda: ctx.data_changed.emit("visit"))
    touched: set[str] = set()
    for name, editor in form.editors.items():
        editor.changed.connect(lambda name=name: touched.add(name))
    store = ctx.store

    def load() -> dict[str, Any]:
        out: dict[str, Any] = {"person": sv.person_brief(store, person_id),
                               "visitor": sv.operator_name(store, svc.operator_id)}
        if life_event_id:
            out["event"] = sv.life_event_brief(store, life_event_id)
        if campaign_id:
            out["campaign"] = next((c for c in sv.list_campaigns(store)
                                    if c["id"] == campaign_id), None)
        return out

    def loaded(data: dict[str, Any]) -> None:
        if not _alive(dialog):
            return
        p = data["person"]
        dialog.setWindowTitle(f"记录走访 — {p['name']}")
        lines = [_person_line(p, cats)]
        values: dict[str, Any] = {}
        ev = data.get("event")
        if ev:
            due = ev["visit_due_on"]
            late = date.fromisoformat(due) < ctx.today
            lines.append(f"对应重大变故：{cats.name('life_event', ev['kind'])}"
                         f"（{ev['event_date']}），应在 {due} 前走访" + ("，已逾期" if late else ""))
            values["kind"] = rules.life_event_visit_kind(ev["kind"], cats)
        camp = data.get("campaign")
        if camp:
            lines.append(f"慰问活动：{camp['name']}")
        header.setText("\n".join(lines))
        if "visitor" not in touched:
            values["visitor"] = data["visitor"]
        if "kind" in touched:
            values.pop("kind", None)
        form.set_values(values)
        dialog.save_button.setEnabled(True)

    def failed(exc: BaseException) -> None:
        if _alive(dialog):
            header.setText(exc.user_text() if isinstance(exc, StationError) else str(exc))
            header.setStyleSheet(header.styleSheet() + "color: #b00020;")

    Op(dialog, load).success(loaded).failure(failed).run()
    keep_open(dialog)
    dialog.open()
    form.editors["content"].widget.setFocus()
    return dialog


def pick_and_record_visit(ctx: AppContext, parent: QWidget) -> None:
    """Ask whom the visit was for, then open 记录走访 for them."""
    pick_person(ctx, parent, lambda pid: open_visit_dialog(ctx, pid, parent),
                title="记录走访：选择人员")


def pick_and_register_life_event(ctx: AppContext, parent: QWidget) -> None:
    """Ask whom the life event befell, then open 登记重大变故 for them."""
    pick_person(ctx, parent, lambda pid: open_life_event_dialog(ctx, pid, parent),
                title="登记重大变故：选择人员")


# --- registering a life event (六必访) ------------------------------------------------


def open_life_event_dialog(ctx: AppContext, person_id: str,
                           parent: QWidget | None) -> RecordDialog:
    """Register a major life event; the service sets the visit deadline from the catalogue.

    “保存并走访” saves, then opens the visit that answers the event.
    """
    cats = ctx.catalogues()
    svc = ctx.service
    form = RecordForm("life_event", cats, today=ctx.today,
                      fields=["kind", "event_date", "description"],
                      hidden={"person_id": person_id})
    form.set_values({"event_date": ctx.today})
    dialog = RecordDialog("登记重大变故", form,
                          submit=lambda values: svc.create("life_event", values), parent=parent)
    dialog.setObjectName("life_event_dialog")
    header = _header()
    dialog.layout().insertWidget(0, header)
    deadline = text_label("选择变故类型后，这里显示应在哪天之前走访。", "deadline_hint",
                          style=HINT_STYLE, wrap=True)
    dialog.layout().insertWidget(2, deadline)
    _add_save_shortcuts(dialog)
    visit_now = dialog.buttons.addButton("保存并记录走访", QDialogButtonBox.ButtonRole.ActionRole)
    visit_now.setObjectName("save_and_visit")
    state = {"visit": False}

    def click_visit_now() -> None:
        state["visit"] = True
        dialog.buttons.accepted.emit()  # the same checks and save as 保存

    visit_now.clicked.connect(click_visit_now)
    dialog.save_button.clicked.connect(lambda: state.update(visit=False))

    def show_deadline() -> None:
        kind = form.editors["kind"].raw()
        ok, day = form.editors["event_date"].check(ctx.today)
        if not kind or not ok:
            deadline.setText("选择变故类型后，这里显示应在哪天之前走访。")
            return
        due = rules.life_event_deadline(kind, day, cats)
        days = (due - day).days
        deadline.setText(f"应在 {due.isoformat()} 前走访（{days} 天内）。保存后，首页“重大变故待走访”"
                         "会列出这次走访，走访记录保存后自动销项。")

    form.editors["kind"].changed.connect(show_deadline)
    form.editors["event_date"].changed.connect(show_deadline)

    def accepted() -> None:
        ctx.data_changed.emit("life_event")
        if state["visit"] and dialog.result_record:
            open_visit_dialog(ctx, person_id, parent,
                              life_event_id=dialog.result_record["id"])

    dialog.accepted.connect(accepted)
    store = ctx.store

    def loaded(p: dict[str, Any]) -> None:
        if _alive(dialog):
            dialog.setWindowTitle(f"登记重大变故 — {p['name']}")
            header.setText(_person_line(p, cats))

    Op(dialog, lambda: sv.person_brief(store, person_id)).success(loaded).failure(
        lambda exc: _alive(dialog) and header.setText(str(exc))).run()
    keep_open(dialog)
    dialog.open()
    form.editors["kind"].widget.setFocus()
    return dialog


# --- holiday campaigns -----------------------------------------------------------------


def campaign_progress(c: dict[str, Any]) -> str:
    planned = int(c.get("planned") or 0)
    visited = int(c.get("visited") or 0)
    pct = f"（{visited * 100 // planned}%）" if planned else ""
    return f"{visited} / {planned} 人{pct}"


class CampaignDialog(QDialog):
    """新建节日慰问活动: holiday and dates, the group (with a live count), the visit to record.

    “创建并记录” creates the campaign and records a visit for everyone in the
    group in one transaction (with progress and cancel); “只创建活动”
    schedules it, to be recorded person by person from the campaign list.
    """

    created = Signal(str)  # campaign id

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 holiday: str | None = None):
        super().__init__(parent)
        self.setObjectName("campaign_dialog")
        self.setWindowTitle("新建节日慰问活动")
        self.ctx = ctx
        self.cats = cats = ctx.catalogues()
        today = ctx.today
        self.op: Op | None = None
        self.last_run: campaigns.CampaignRun | None = None
        # A campaign is set up before its holiday: its dates may lie ahead.
        self.campaign_form = RecordForm(
            "campaign", cats, today=today + timedelta(days=sv.CAMPAIGN_DAYS_AHEAD),
            fields=["holiday", "name", "start_on", "end_on"], hidden={"year": today.year})
        self.window_label = text_label("", "holiday_window", style=HINT_STYLE, wrap=True)

        # the group
        self.categories = QListWidget()
        self.categories.setObjectName("criteria_categories")
        for e in cats.entries("person_category"):
            item = QListWidgetItem(e.name)
            item.setData(Qt.ItemDataRole.UserRole, e.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.categories.addItem(item)
        self.categories.setMinimumHeight(150)
        self.categories.setStyleSheet("QListWidget::item { padding: 3px 2px; }")
        self.age_years = int(rules._setting(cats, "age_priority"))
        self.age = QCheckBox(f"年满{self.age_years}周岁及以上")
        self.age.setObjectName("criteria_age")
        self.key_focus = QCheckBox("重点关注对象")
        self.key_focus.setObjectName("criteria_key_focus")
        self.match = QComboBox()
        self.match.setObjectName("criteria_match")
        self.match.addItem("符合任一条件即可", False)
        self.match.addItem("同时符合全部条件", True)
        self.count_label = QLabel()
        self.count_label.setObjectName("match_count")
        self.count_label.setFont(scaled_font(1.3))
        self.count_label.setStyleSheet("color: #1565c0;")
        self.match_count: int | None = None
        group = QGroupBox("② 慰问对象")
        g = QVBoxLayout(group)
        g.addWidget(QLabel("人员类别（可多选）："))
        g.addWidget(self.categories, 1)
        g.addWidget(self.age)
        g.addWidget(self.key_focus)
        row = QHBoxLayout()
        row.addWidget(QLabel("条件关系："))
        row.addWidget(self.match, 1)
        g.addLayout(row)
        none_hint = QLabel("一个条件都不选，就是全体人员。")
        none_hint.setStyleSheet(HINT_STYLE)
        g.addWidget(none_hint)
        g.addWidget(self.count_label)

        # the visit recorded for everyone
        self.visit_form = RecordForm("visit", cats, today=today, fields=CAMPAIGN_VISIT_FIELDS)
        self.visit_form.set_values({"method": enums.VisitMethod.HOME.value, "visit_date": today})
        visit_box = QGroupBox("③ 走访记录（“创建并记录”时为每人记一条）")
        vb = QVBoxLayout(visit_box)
        vb.addWidget(self.visit_form)
        self.date_note = text_label("", "visit_date_note", style="color: #e65100;", wrap=True)
        vb.addWidget(self.date_note)
        self.visit_form.editors["visit_date"].changed.connect(self._check_visit_date)
        explain = QLabel(
            "“创建并记录”：建立活动，并为符合条件的每个人各记一条节日慰问走访；"
            "人多时显示进度，可随时取消，取消后什么都不保存。\n\n"
            "“只创建活动”：先建立活动、定下计划走访的人数，之后在“节日慰问活动”"
            "列表里逐人点“记录”，进度显示为 已走访/计划。")
        explain.setWordWrap(True)
        explain.setStyleSheet(HINT_STYLE + "padding: 8px;")

        camp_box = QGroupBox("① 活动")
        cb = QVBoxLayout(camp_box)
        cb.addWidget(self.campaign_form)
        cb.addWidget(self.window_label)

        self.message = error_label("campaign_message")
        self.buttons = QDialogButtonBox()
        self.record_button = self.buttons.addButton(
            "创建并记录", QDialogButtonBox.ButtonRole.AcceptRole)
        self.record_button.setObjectName("create_and_record")
        self.record_button.setToolTip("建立活动，并为符合条件的每个人各记一条节日慰问走访")
        self.create_button = self.buttons.addButton(
            "只创建活动", QDialogButtonBox.ButtonRole.ActionRole)
        self.create_button.setObjectName("create_only")
        self.create_button.setToolTip("先建立活动，之后在活动列表里逐人记录")
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.record_button.clicked.connect(lambda: self._submit(record=True))
        self.create_button.clicked.connect(lambda: self._submit(record=False))
        self.buttons.rejected.connect(self.reject)

        left = QVBoxLayout()
        left.addWidget(camp_box)
        left.addWidget(group, 1)
        right = QVBoxLayout()
        right.addWidget(visit_box)
        right.addWidget(explain)
        right.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(980, 700)

        self._count_seq = 0
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(150)
        self._count_timer.timeout.connect(self._count)
        for sig in (self.categories.itemChanged, self.age.toggled, self.key_focus.toggled,
                    self.match.currentIndexChanged):
            sig.connect(self._count_timer.start)
        self.campaign_form.editors["start_on"].changed.connect(self._count_timer.start)
        self.campaign_form.editors["holiday"].changed.connect(self._holiday_changed)

        self._auto_name = ""
        self.campaign_form.set_values({"holiday": holiday or self._soonest_holiday()})
        self._holiday_changed()
        self._fill_visitor()

    # --- filling in ---------------------------------------------------------------

    def _soonest_holiday(self) -> str:
        windows = [sv.next_holiday_window(e.code, self.ctx.today, self.cats)
                   for e in self.cats.entries("holiday")]
        return min(windows, key=lambda w: (w.end < self.ctx.today, w.start)).code

    def _holiday_changed(self) -> None:
        code = self.campaign_form.editors["holiday"].raw()
        if not code:
            return
        w = sv.next_holiday_window(code, self.ctx.today, self.cats)
        self.window = w
        self.campaign_form.hidden["year"] = w.holiday_date.year
        name_ed = self.campaign_form.editors["name"]
        values: dict[str, Any] = {"start_on": w.start, "end_on": w.end}
        name = f"{w.holiday_date.year}年{w.name}走访慰问"
        if not name_ed.raw() or name_ed.raw() == self._auto_name:
            values["name"] = name
            self._auto_name = name
        self.campaign_form.set_values(values)
        self.window_label.setText(
            f"{w.name}：{w.holiday_date.isoformat()}，按目录规定的慰问时间为 "
            f"{w.start.isoformat()} 至 {w.end.isoformat()}。")
        self._check_visit_date()
        content = self.visit_form.editors["content"]
        if not content.raw() or content.raw().endswith("走访慰问，送去党和政府的关怀。"):
            self.visit_form.set_values({"content": f"{w.name}走访慰问，送去党和政府的关怀。"})
        self._count_timer.start()

    def _check_visit_date(self) -> None:
        """A gentle note when the visits would be dated outside the holiday window."""
        ok, day = self.visit_form.editors["visit_date"].check(self.ctx.today)
        w = getattr(self, "window", None)
        if ok and w is not None and not w.start <= day <= w.end:
            self.date_note.setText(f"提示：走访日期 {day.isoformat()} 不在{w.name}慰问期内。"
                                   "若是提前安排，可先“只创建活动”，到时再记录。")
        else:
            self.date_note.setText("")

    def _fill_visitor(self) -> None:
        store, op_id = self.ctx.store, self.ctx.service.operator_id

        def filled(name: str) -> None:
            if _alive(self) and not self.visit_form.editors["visitor"].raw():
                self.visit_form.set_values({"visitor": name})

        Op(self, lambda: sv.operator_name(store, op_id)).success(filled).run()

    def criteria(self) -> sv.GroupCriteria:
        codes = tuple(
            self.categories.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.categories.count())
            if self.categories.item(i).checkState() == Qt.CheckState.Checked)
        ok, start = self.campaign_form.editors["start_on"].check(self.campaign_form.today)
        return sv.GroupCriteria(
            categories=codes, min_age=self.age_years if self.age.isChecked() else None,
            key_focus=self.key_focus.isChecked(), match_all=bool(self.match.currentData()),
            age_on=start if ok else self.ctx.today)

    def _count(self) -> None:
        self._count_seq += 1
        seq = self._count_seq
        crit = self.criteria()
        store, cats, today = self.ctx.store, self.cats, self.ctx.today
        self.count_label.setText("正在统计…")

        def show(n: int) -> None:
            if seq != self._count_seq or not _alive(self):
                return
            self.match_count = n
            self.count_label.setText(f"符合条件：{n} 人（{crit.describe(cats)}）")

        Op(self, lambda: sv.count_matching(store, crit, cats, today)).success(show).run()

    # --- saving ---------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _submit(self, *, record: bool) -> None:
        ok = self.campaign_form.is_valid()
        if record:
            ok = self.visit_form.is_valid() and ok
        if not ok:
            self.show_message("还有几项没有填好，请看红字提示。")
            return
        self.show_message("")
        svc = self.ctx.service
        values = self.campaign_form.values()
        crit = self.criteria()
        visit_fields = self.visit_form.values()
        for b in (self.record_button, self.create_button):
            b.setEnabled(False)
        if record:
            op = Op(self, lambda progress: campaigns.create_and_record(
                svc, values, crit, visit_fields, progress))
            op.with_progress("正在为每个人记录节日慰问走访…")
        else:
            op = Op(self, lambda: campaigns.create_campaign(svc, values, crit))
        self.op = op
        op.success(lambda result: self._done(result, record)).failure(self._failed).run()

    def _done(self, result: Any, record: bool) -> None:
        if not _alive(self):
            return
        for b in (self.record_button, self.create_button):
            b.setEnabled(True)
        if record:
            run: campaigns.CampaignRun = result
            self.last_run = run
            campaign = run.campaign
            text = f"已建立“{campaign['name']}”，为 {run.recorded} 人记录了走访慰问。"
            if run.missing:
                text += f"另有 {run.missing} 人刚被删除，已跳过。"
            self.ctx.data_changed.emit("visit")
        else:
            campaign = result
            text = (f"已建立“{campaign['name']}”，计划走访 {campaign['planned']} 人。"
                    "可在“节日慰问活动”列表中逐人记录。")
        self.created.emit(campaign["id"])
        self.ctx.data_changed.emit("campaign")
        info(self.parentWidget(), text)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not _alive(self):
            return
        for b in (self.record_button, self.create_button):
            b.setEnabled(True)
        if isinstance(exc, StationError) and exc.code == "cancelled":
            self.show_message("已取消：没有建立活动，也没有记录任何走访。")
            return
        if isinstance(exc, StationError):
            field = getattr(exc, "field", None)
            if not (self.campaign_form.show_error(field, exc.user_text())
                    or self.visit_form.show_error(field, exc.user_text())):
                self.show_message(exc.user_text())
            return
        from station_desktop.ui.errors import show_error

        show_error(self, exc)


class CampaignsDialog(QDialog):
    """节日慰问活动: every campaign with its progress, and who is still to be visited."""

    CAMPAIGN_COLUMNS = [
        Col("name", "活动名称"),
        Col("holiday", "节日"),
        Col("dates", "慰问时间"),
        Col("group", "慰问对象"),
        Col("progress", "进度（已走访/计划）"),
    ]

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 select: str | None = None):
        super().__init__(parent)
        self.setObjectName("campaigns_dialog")
        self.setWindowTitle("节日慰问活动")
        self.ctx = ctx
        self.cats = ctx.catalogues()
        self._select = select
        self.campaigns = RowsModel(self.CAMPAIGN_COLUMNS, parent=self)
        self.campaign_view = make_table(self.campaigns, object_name="campaign_table",
                                        stretch="group")
        self.campaign_view.setMaximumHeight(220)
        self.campaign_view.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self._load_remaining())
        self.empty = QLabel("还没有节日慰问活动。点“新建慰问活动”开始。")
        self.empty.setStyleSheet(HINT_STYLE)
        self.empty.hide()

        cats = self.cats
        self.remaining = LazyTableModel([
            Column("name", "姓名"),
            Column("sex", "性别", lambda v, r: enums.Sex(v).label if v else ""),
            Column("birth_date", "年龄", lambda v, r: str(rules.age_on(
                date.fromisoformat(v), ctx.today)) if v else ""),
            Column("categories", "人员类别", lambda v, r: "、".join(
                cats.name("person_category", c) for c in v or [])),
            Column("phone", "电话"),
            Column("action", "操作", lambda v, r: "记录"),
        ], load_rows=lambda ids: sv.person_rows(ctx.store, ids), parent=self)
        self.remaining_view = make_table(self.remaining, object_name="remaining_table",
                                         stretch="categories")
        last = len(self.remaining.columns) - 1
        self.remaining_view.setItemDelegateForColumn(last, ButtonDelegate(self.remaining_view))
        self.remaining_view.setColumnWidth(last, 96)
        self.remaining_view.clicked.connect(self._remaining_clicked)
        self.remaining_view.doubleClicked.connect(self._remaining_double)
        self.remaining_label = QLabel("选择上面的一个活动，这里列出尚未走访的人。")
        self.remaining_label.setObjectName("remaining_label")
        self.remaining_label.setFont(scaled_font(1.05))

        self.new_button = push_button("新建慰问活动…", "new_campaign", self.new_campaign)
        self.rest_button = QPushButton("为剩余人员全部记录…")
        self.rest_button.setObjectName("record_rest")
        self.rest_button.setEnabled(False)
        self.rest_button.clicked.connect(self.record_rest)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.remaining_label, 1)
        bottom.addWidget(self.rest_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.campaign_view)
        layout.addWidget(self.empty)
        layout.addLayout(bottom)
        layout.addWidget(self.remaining_view, 1)
        hint = QLabel("点“记录”为这个人记一条节日慰问；双击姓名打开档案。")
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(960, 640)
        self.remaining_ids: list[str] = []
        self._remaining_seq = 0
        ctx.data_changed.connect(self._changed)
        self.reload()

    def _changed(self, kind: str) -> None:
        if _alive(self) and self.isVisible() and kind in ("visit", "campaign", "person", "*"):
            self.reload()

    def current_campaign(self) -> dict[str, Any] | None:
        return self.campaigns.record(self.campaign_view.currentIndex().row())

    def reload(self) -> None:
        store = self.ctx.store
        keep = self._select or (self.current_campaign() or {}).get("id")
        self._select = None

        def show(rows: list[dict[str, Any]]) -> None:
            if not _alive(self):
                return
            for r in rows:
                r["holiday"] = self.cats.name("holiday", r["holiday"])
                r["dates"] = f"{r['start_on']} 至 {r['end_on']}"
                r["group"] = sv.GroupCriteria.from_json(r["criteria"]).describe(self.cats)
                r["progress"] = campaign_progress(r)
                r["_tip"] = r["group"]
                if r["visited"] < r["planned"] and r["end_on"] < self.ctx.today.isoformat():
                    r["_alert"] = {"progress"}
                    r["_tip"] = "活动已结束，还有人没有走访"
            self.campaigns.set_rows(rows)
            for i, col in enumerate(self.campaigns.columns):
                if col.key != "group":
                    self.campaign_view.resizeColumnToContents(i)
                    self.campaign_view.setColumnWidth(i, self.campaign_view.columnWidth(i) + 12)
            self.empty.setVisible(not rows)
            row = next((i for i, r in enumerate(rows) if r["id"] == keep), 0 if rows else -1)
            if row >= 0:
                self.campaign_view.selectRow(row)
                self.campaign_view.setCurrentIndex(self.campaigns.index(row, 0))
            self._load_remaining()

        Op(self, lambda: sv.list_campaigns(store)).success(show).run()

    def _load_remaining(self) -> None:
        camp = self.current_campaign()
        self._remaining_seq += 1
        seq = self._remaining_seq
        if camp is None:
            self.remaining.set_ids([])
            self.rest_button.setEnabled(False)
            return
        store, cats, today = self.ctx.store, self.cats, self.ctx.today

        def show(ids: list[str]) -> None:
            if seq != self._remaining_seq or not _alive(self):
                return
            self.remaining_ids = ids
            self.remaining.set_ids(ids)
            self.rest_button.setEnabled(bool(ids))
            self.remaining_label.setText(
                f"“{camp['name']}”尚未走访：{len(ids)} 人" if ids
                else f"“{camp['name']}”的对象已全部走访。")

        Op(self, lambda: sv.campaign_remaining_ids(store, camp["id"], cats, today)).success(
            show).run()

    def _remaining_clicked(self, index: QModelIndex) -> None:
        camp = self.current_campaign()
        pid = self.remaining.id_at(index.row())
        if camp and pid and index.column() == len(self.remaining.columns) - 1:
            open_visit_dialog(self.ctx, pid, self, campaign_id=camp["id"])

    def _remaining_double(self, index: QModelIndex) -> None:
        pid = self.remaining.id_at(index.row())
        if pid and index.column() != len(self.remaining.columns) - 1:
            self.ctx.open_person.emit(pid)

    def new_campaign(self) -> CampaignDialog:
        dialog = CampaignDialog(self.ctx, self)
        dialog.created.connect(lambda cid: setattr(self, "_select", cid))
        dialog.open()
        return dialog

    def record_rest(self) -> RecordDialog | None:
        """Record the same visit for everyone still to be visited (after one confirmation form)."""
        camp = self.current_campaign()
        if camp is None or not self.remaining_ids:
            return None
        ids = list(self.remaining_ids)
        form = RecordForm("visit", self.cats, today=self.ctx.today, fields=CAMPAIGN_VISIT_FIELDS)
        holiday = camp["holiday"]
        form.set_values({"method": enums.VisitMethod.HOME.value, "visit_date": self.ctx.today,
                         "content": f"{holiday}走访慰问，送去党和政府的关怀。"})
        dialog = RecordDialog(f"为剩余 {len(ids)} 人记录走访 — {camp['name']}", form,
                              parent=self)
        dialog.setObjectName("record_rest_dialog")
        dialog.save_button.setText(f"为 {len(ids)} 人记录")
        store, svc = self.ctx.store, self.ctx.service
        Op(dialog, lambda: sv.operator_name(store, svc.operator_id)).success(
            lambda name: _alive(dialog) and form.set_values({"visitor": name})).run()

        def go() -> None:
            values = form.values()
            Op(self, lambda progress: campaigns.record_campaign_visits(
                svc, camp["id"], ids, values, progress,
            )).with_progress("正在记录节日慰问走访…").success(self._rest_done).failure(
                self._rest_failed).run()

        dialog.accepted.connect(go)
        dialog.open()
        return dialog

    def _rest_done(self, run: campaigns.CampaignRun) -> None:
        self.ctx.data_changed.emit("visit")
        info(self, f"已为 {run.recorded} 人记录走访慰问。")

    def _rest_failed(self, exc: BaseException) -> None:
        if isinstance(exc, StationError) and exc.code == "cancelled":
            info(self, "已取消，没有记录任何走访。", title="已取消")
            return
        from station_desktop.ui.errors import show_error

        show_error(self, exc)


def open_campaigns(ctx: AppContext, parent: QWidget | None, *,
                   select: str | None = None) -> CampaignsDialog:
    dialog = CampaignsDialog(ctx, parent, select=select)
    keep_open(dialog)
    dialog.open()
    return dialog


def scaled_font(factor: float = 1.0, *, bold: bool = True, base: QFont | None = None) -> QFont:
    """The application font scaled (so the 大字体 setting enlarges it too), bold by default."""
    f = QFont(base or QApplication.font())
    size = f.pointSizeF() if f.pointSizeF() > 0 else 11.0
    f.setPointSizeF(size * factor)
    f.setBold(bold)
    return f
