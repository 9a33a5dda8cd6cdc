"""志愿服务: teams, their members, activities and the hours each member served.

Hours are stored as integer minutes (volunteer_hours.minutes) and shown as
hours with one decimal.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from station_desktop.services import Service
from station_desktop.store import ledgers
from station_desktop.store.ledgers import hours_text
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import SaveDialog
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.ledger import (
    GREY,
    LedgerPage,
    action_button,
    hint_label,
    totals_label,
)
from station_desktop.ui.person_picker import pick_person
from station_desktop.ui.table import Column, LazyTableModel
from station_desktop.ui.widgets import STRETCH, hbox, push_button, text_label, vbox

MAX_MINUTES = 24 * 60


def hours(value: Any, _rec: Any = None) -> str:
    return hours_text(value)


def save_hours(svc: Service, activity_id: str, rows: list[dict], minutes: dict[str, int]) -> int:
    """Bring the activity's hours to ``minutes`` (member id -> minutes; 0 removes). Changes made.

    One unit of work for the whole dialog: a member that cannot take the
    hours (removed meanwhile) leaves every member's hours as they were.
    """
    changed = {row["member_id"]: minutes[row["member_id"]] for row in rows
               if minutes.get(row["member_id"], row["minutes"]) != row["minutes"]}
    return svc.set_volunteer_hours(activity_id, changed) if changed else 0


class HoursDialog(SaveDialog):
    """Minutes per member at one activity; each line shows the hours it makes."""

    def __init__(self, ctx: AppContext, activity: dict, rows: list[dict],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.activity, self.rows = ctx, activity, rows
        self.setWindowTitle(f"登记服务时长 — {activity['title']}")
        layout = QVBoxLayout(self)
        head = QLabel(f"{activity['held_on']}　{activity['title']}"
                      + (f"　{activity['place']}" if activity.get("place") else ""))
        head.setStyleSheet("font-weight: bold;")
        layout.addWidget(head)
        tip = text_label("按分钟填写每位队员这次服务的时长（如 2 小时填 120），没参加的填 0。",
                         style="color: #555;", wrap=True)
        layout.addWidget(tip)

        fill = QHBoxLayout()
        self.all_minutes = QSpinBox()
        self.all_minutes.setObjectName("hours_all")
        self.all_minutes.setRange(0, MAX_MINUTES)
        self.all_minutes.setSingleStep(30)
        self.all_minutes.setSuffix(" 分钟")
        self.all_minutes.setValue(120)
        fill_button = push_button("填给所有人", "hours_fill_all", self._fill_all)
        fill.addWidget(QLabel("统一时长"))
        fill.addWidget(self.all_minutes)
        fill.addWidget(fill_button)
        fill.addStretch(1)
        layout.addLayout(fill)

        grid_box = QWidget()
        grid = QGridLayout(grid_box)
        self.spins: dict[str, QSpinBox] = {}
        self._shown: dict[str, QLabel] = {}
        for i, row in enumerate(rows):
            name = row["name"] + ("（已退出）" if row.get("left_on") else "")
            spin = QSpinBox()
            spin.setObjectName(f"minutes_{row['member_id']}")
            spin.setRange(0, MAX_MINUTES)
            spin.setSingleStep(30)
            spin.setSuffix(" 分钟")
            spin.setValue(int(row["minutes"]))
            shown = QLabel(f"= {hours_text(row['minutes'])}")
            shown.setMinimumWidth(90)
            spin.valueChanged.connect(lambda v, lbl=shown: lbl.setText(f"= {hours_text(v)}"))
            grid.addWidget(QLabel(name), i, 0)
            grid.addWidget(spin, i, 1)
            grid.addWidget(shown, i, 2)
            self.spins[row["member_id"]] = spin
            self._shown[row["member_id"]] = shown
        if not rows:
            grid.addWidget(QLabel("这支队伍还没有队员，请先在“队员”里添加。"), 0, 0)
        grid.setColumnStretch(3, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_box)
        layout.addWidget(scroll, 1)

        self.add_footer(layout, "hours")
        self.save_button.setEnabled(bool(rows))
        self.resize(460, min(640, 220 + 36 * max(len(rows), 1)))

    def _fill_all(self) -> None:
        for spin in self.spins.values():
            spin.setValue(self.all_minutes.value())

    def _save(self) -> None:
        svc, activity_id, rows = self.ctx.service, self.activity["id"], self.rows
        minutes = {mid: spin.value() for mid, spin in self.spins.items()}
        self.save_with(lambda: save_hours(svc, activity_id, rows, minutes))


def _group(title: str, buttons: list[QPushButton], table: QWidget, hint: QLabel) -> QGroupBox:
    box = QGroupBox(title)
    vbox(box, hbox(*buttons, STRETCH), hint, (table, 1))
    return box


class VolunteersPage(LedgerPage):
    """志愿服务队, 队员, 活动 and 服务时长."""

    kinds = ("volunteer_team", "volunteer_member", "volunteer_activity", "volunteer_hours",
             "person")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        store = ctx.store
        self._child_seq = 0
        self.team_id: str | None = None
        self.select_member: str | None = None
        self.select_activity: str | None = None

        self.totals = totals_label("volunteer_totals")

        # teams
        self.teams = LazyTableModel([
            Column("name", "队伍名称", width=170),
            Column("leader", "负责人", width=65),
            Column("members", "队员数", lambda v, _r: f"{v} 人", width=60),
            Column("minutes", "累计时长", hours, width=95),
        ], lambda ids: ledgers.team_rows(store, ids), self, align_right=("members", "minutes"),
            sort=("name", False))
        self.team_table = self.sortable_table(self.teams, "volunteers/teams", self.refresh,
                                              activated=self.edit_team,
                                              selected=self._team_changed)
        self.new_team_button = action_button("新建队伍", "team_new", self.new_team)
        self.edit_team_button = action_button("修改", "team_edit", self.edit_team)
        self.team_hint = hint_label("team_hint", wrap=True)

        # members of the selected team
        def member_colour(key: str, rec: dict) -> str | None:
            return GREY if rec["left_on"] else None

        self.members = LazyTableModel([
            Column("name", "姓名", lambda v, r: v + ("" if r["person_id"] else "（非在册）"),
                   width=110),
            Column("phone", "电话", width=105),
            Column("joined_on", "加入日期", width=95),
            Column("left_on", "退出日期", width=95),
            Column("activities", "参加活动", lambda v, _r: f"{v} 次", width=70),
            Column("minutes", "累计时长", hours, width=90),
        ], lambda ids: ledgers.member_rows(store, ids), self, colour=member_colour,
            align_right=("activities", "minutes"), sort=("joined_on", False))
        self.member_table = self.sortable_table(self.members, "volunteers/members",
                                                self.load_team, activated=self.edit_member,
                                                selected=self._update_buttons)
        self.add_member_button = action_button("添加队员", "member_add", self.add_member)
        self.edit_member_button = action_button("修改/登记退出", "member_edit", self.edit_member)
        self.delete_member_button = action_button("删除", "member_delete", self.delete_member,
                                                  tip="录错了才删除；队员离开请用“登记退出”")
        self.member_hint = hint_label("member_hint", wrap=True)

        # activities of the selected team
        self.activities = LazyTableModel([
            Column("held_on", "活动日期", width=95),
            Column("title", "活动名称", width=200),
            Column("place", "地点", width=120),
            Column("participants", "参加人数", lambda v, _r: f"{v} 人", width=70),
            Column("minutes", "服务时长合计", hours, width=100),
        ], lambda ids: ledgers.activity_rows(store, ids), self,
            align_right=("participants", "minutes"), sort=("held_on", True))
        self.activity_table = self.sortable_table(self.activities, "volunteers/activities",
                                                  self.load_team, activated=self.record_hours,
                                                  selected=self._update_buttons)
        self.add_activity_button = action_button("新增活动", "activity_add", self.add_activity)
        self.hours_button = action_button("登记时长", "activity_hours", self.record_hours,
                                          tip="登记每位队员这次活动的服务时长")
        self.edit_activity_button = action_button("修改", "activity_edit", self.edit_activity)
        self.activity_hint = hint_label("activity_hint", wrap=True)

        team_box = _group("志愿服务队", [self.new_team_button, self.edit_team_button],
                          self.team_table, self.team_hint)
        self.team_detail = text_label("", "team_detail", wrap=True)
        self.team_detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.team_detail.setStyleSheet("padding: 4px;")
        team_box.layout().addWidget(self.team_detail)
        self.member_box = _group("队员", [self.add_member_button, self.edit_member_button,
                                          self.delete_member_button],
                                 self.member_table, self.member_hint)
        self.activity_box = _group("服务活动", [self.add_activity_button, self.hours_button,
                                               self.edit_activity_button],
                                   self.activity_table, self.activity_hint)
        self.right_splitter = self.make_splitter("volunteers/right", Qt.Orientation.Vertical,
                                                 [self.member_box, self.activity_box])
        self.splitter = self.make_splitter("volunteers/splitter", Qt.Orientation.Horizontal,
                                           [team_box, self.right_splitter], stretch=[2, 3],
                                           sizes=[430, 670])

        vbox(self, self.totals, (self.splitter, 1))
        self._update_buttons()

    # --- loading ------------------------------------------------------------------

    def refresh(self) -> None:
        store = self.ctx.store
        sort, desc = self.teams.sort_key, self.teams.sort_desc
        self.load(lambda: {"ids": ledgers.team_ids(store, sort=sort, desc=desc),
                           "totals": ledgers.volunteer_totals(store)}, self._loaded)

    def _loaded(self, result: dict[str, Any]) -> None:
        keep = self.select_next or self.team_id
        self.select_next = None
        t = result["totals"]
        self.totals.setText(f"共 {t['teams']} 支志愿服务队，在队队员 {t['members']} 人，"
                            f"累计服务 {hours_text(t['minutes'])}")
        sm = self.team_table.selectionModel()
        sm.blockSignals(True)
        self.teams.set_ids(result["ids"])
        if not self.team_table.select_id(keep) and result["ids"]:
            self.team_table.selectRow(0)
        sm.blockSignals(False)
        self.team_hint.setText("还没有志愿服务队。点“新建队伍”建立第一支，"
                               "如“老兵志愿服务队”。")
        self.team_hint.setVisible(not result["ids"])
        self._team_changed()

    def _team_changed(self, *_args: Any) -> None:
        self.team_id = self.team_table.current_id()
        self.load_team()

    def load_team(self) -> None:
        """Reload the selected team's members and activities."""
        self._child_seq += 1
        seq = self._child_seq
        team = self.team_id
        rec = self.team_table.current_record()
        name = rec["name"] if rec else ""
        self.team_detail.setText("\n".join(line for line in (
            f"队伍：{rec['name']}",
            f"组织单位：{rec['organisation']}" if rec["organisation"] else "",
            f"负责人：{rec['leader']}" if rec["leader"] else "",
            f"成立日期：{rec['founded_on']}" if rec["founded_on"] else "",
            f"在队队员 {rec['members']} 人，服务活动 {rec['activities']} 次，"
            f"累计服务 {hours_text(rec['minutes'])}",
            f"备注：{rec['note']}" if rec["note"] else "",
        ) if line) if rec else "")
        self.member_box.setTitle(f"队员 — {name}" if name else "队员")
        self.activity_box.setTitle(f"服务活动 — {name}" if name else "服务活动")
        if team is None:
            self.members.set_ids([])
            self.activities.set_ids([])
            self.member_hint.hide()
            self.activity_hint.hide()
            self._update_buttons()
            return
        store = self.ctx.store
        msort = (self.members.sort_key, self.members.sort_desc)
        asort = (self.activities.sort_key, self.activities.sort_desc)

        def load() -> tuple[list[str], list[str]]:
            return (ledgers.member_ids(store, team, sort=msort[0], desc=msort[1]),
                    ledgers.activity_ids(store, team, sort=asort[0], desc=asort[1]))

        Op(self, load).success(lambda r: self._team_loaded(seq, *r)).run()

    def _team_loaded(self, seq: int, member_ids: list[str], activity_ids: list[str]) -> None:
        if seq != self._child_seq:
            return
        keep_m = self.select_member or self.member_table.current_id()
        keep_a = self.select_activity or self.activity_table.current_id()
        self.select_member = self.select_activity = None
        self.members.set_ids(member_ids)
        self.member_table.select_id(keep_m)
        self.activities.set_ids(activity_ids)
        if not self.activity_table.select_id(keep_a) and activity_ids:
            self.activity_table.selectRow(0)
        self.member_hint.setText("这支队伍还没有队员。点“添加队员”，可从人员档案里选，"
                                 "也可直接填写姓名。")
        self.member_hint.setVisible(not member_ids)
        self.activity_hint.setText("还没有服务活动。点“新增活动”登记，再点“登记时长”记下每人服务了多久。")
        self.activity_hint.setVisible(not activity_ids)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_team = self.team_id is not None
        self.edit_team_button.setEnabled(has_team)
        self.add_member_button.setEnabled(has_team)
        self.add_activity_button.setEnabled(has_team)
        has_member = self.member_table.current_id() is not None
        self.edit_member_button.setEnabled(has_member)
        self.delete_member_button.setEnabled(has_member)
        has_activity = self.activity_table.current_id() is not None
        self.hours_button.setEnabled(has_activity)
        self.edit_activity_button.setEnabled(has_activity)

    # --- teams --------------------------------------------------------------------

    def new_team(self) -> None:
        self.new_record("新建志愿服务队",
                        self.record_form("volunteer_team", {"founded_on": self.ctx.today}))

    def edit_team(self) -> None:
        rec = self.team_table.current_record()
        if rec is not None:
            self.edit_record("volunteer_team", rec["id"], f"修改队伍 — {rec['name']}")

    # --- members ------------------------------------------------------------------

    def add_member(self) -> None:
        if self.team_id is None:
            return
        self.dialog = pick_person(
            self.ctx, self, self._add_member, title="添加队员：选择人员",
            prompt="从人员档案里找到这位队员；不是在册人员也可以直接填写姓名。",
            skip_text="不是在册人员，直接填写姓名", on_skip=lambda: self._add_member(None))

    def _add_member(self, person_id: str | None) -> None:
        team = self.team_id
        if team is None:
            return

        def show(person: dict | None) -> None:
            hidden: dict[str, Any] = {"team_id": team}
            if person_id:
                hidden["person_id"] = person_id
            form = self.record_form("volunteer_member", {
                "joined_on": self.ctx.today, "name": person["name"] if person else None,
                "phone": person.get("phone") if person else None,
            }, fields=["name", "phone", "joined_on"], hidden=hidden)
            self.new_record("添加队员" + (f" — {person['name']}" if person else ""), form,
                            after=self._member_saved)

        self.with_person(person_id, show)

    def _member_saved(self, record: Any) -> None:
        if isinstance(record, dict):
            self.select_member = record.get("id")

    def edit_member(self) -> None:
        rec = self.member_table.current_record()
        if rec is None:
            return
        hidden = {"team_id": rec["team_id"]}
        if rec["person_id"]:
            hidden["person_id"] = rec["person_id"]
        self.edit_record("volunteer_member", rec["id"], f"修改队员 — {rec['name']}",
                         fields=["name", "phone", "joined_on", "left_on"], hidden=hidden)

    def delete_member(self) -> None:
        rec = self.member_table.current_record()
        if rec is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "删除队员",
                          f"确定删除队员“{rec['name']}”吗？他的服务时长不再计入队伍合计。\n"
                          "队员离开队伍请用“修改/登记退出”填写退出日期，时长会保留。",
                          parent=self)
        yes = box.addButton("删除", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        svc, member_id = self.ctx.service, rec["id"]

        def answered(_result: int) -> None:
            if box.clickedButton() is yes:
                self.ctx.run(self, lambda: svc.delete("volunteer_member", member_id),
                             changed="volunteer_member")

        box.finished.connect(answered)
        self.dialog = box  # type: ignore[assignment]
        box.open()

    # --- activities and hours -------------------------------------------------------

    def add_activity(self) -> None:
        team = self.team_id
        if team is None:
            return
        form = self.record_form("volunteer_activity", {"held_on": self.ctx.today},
                                hidden={"team_id": team})
        self.new_record("新增服务活动", form, after=self._activity_saved)

    def _activity_saved(self, record: Any) -> None:
        if isinstance(record, dict):
            self.select_activity = record.get("id")

    def edit_activity(self) -> None:
        rec = self.activity_table.current_record()
        if rec is not None:
            self.edit_record("volunteer_activity", rec["id"], f"修改活动 — {rec['title']}",
                             hidden={"team_id": rec["team_id"]})

    def record_hours(self) -> None:
        activity = self.activity_table.current_record()
        if activity is None:
            return
        store, activity_id = self.ctx.store, activity["id"]

        def show(rows: list[dict]) -> None:
            dialog = HoursDialog(self.ctx, activity, rows, self)
            self.open_dialog(dialog, "volunteer_hours")

        Op(self, lambda: ledgers.activity_hours(store, activity_id)).success(show).run()
