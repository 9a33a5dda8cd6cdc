"""矛盾纠纷: cases with their level (村/镇/县), deadline, mediation steps and outcome."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain import enums
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.validate import parse_date
from station_desktop.store import ledgers
from station_desktop.store.fields import FIELDS, clean_value
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import SaveDialog
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.ledger import (
    GREY,
    RED,
    LedgerPage,
    action_button,
    detail_table,
    detail_title,
    fill_table,
    filter_combo,
    hint_label,
    label_of,
    labelled,
    totals_label,
)
from station_desktop.ui.person_picker import pick_person
from station_desktop.ui.table import Column, LazyTableModel
from station_desktop.ui.widgets import STRETCH, hbox, text_label, vbox

A = enums.CaseAction
LEVELS = list(enums.Level)
#: The actions offered on a registered case, in the order of the toolbar.
ACTIONS = [A.MEDIATE, A.ESCALATE, A.ASSIGN_DOWN, A.TRANSFER, A.CLOSE, A.RETURN, A.REVISIT]
DEFAULT_DEADLINE_DAYS = 15
OPEN_ONLY = "__open__"


def level_change(from_level: str | None, to_level: str | None) -> str:
    if not from_level or not to_level:
        return ""
    a, b = enums.Level(from_level).label, enums.Level(to_level).label
    return a if a == b else f"{a} → {b}"


def action_explanation(action: enums.CaseAction, level: enums.Level) -> str:
    idx = LEVELS.index(level)
    above = LEVELS[idx + 1].label if idx + 1 < len(LEVELS) else ""
    below = LEVELS[idx - 1].label if idx > 0 else ""
    return {
        A.MEDIATE: "记录一次调解、化解工作（谈话、协调、现场查看等）。",
        A.ESCALATE: f"本级化解不了的，上报到上一级：{level.label}级 → {above}级。",
        A.ASSIGN_DOWN: f"交由下一级办理：{level.label}级 → {below}级。",
        A.TRANSFER: "转交有关部门或人员办理，级别不变。请在说明里写明转交给谁。",
        A.CLOSE: "矛盾已化解，案件办结。请写明化解结果，可同时记录当事人满意程度。",
        A.RETURN: "退回重新办理：上级不受理退回本级，或办结后问题没有解决。",
        A.REVISIT: "办结后回访当事人，记录回访情况和满意程度。",
    }[action]


def allowed_actions(case: dict) -> list[enums.CaseAction]:
    """What the toolbar offers for a case: the state machine, and no step off the ladder."""
    allowed = enums.allowed_case_actions(enums.CaseState(case["state"]))
    level = enums.Level(case["level"])
    if level is enums.Level.COUNTY:
        allowed = [a for a in allowed if a is not A.ESCALATE]
    if level is enums.Level.VILLAGE:
        allowed = [a for a in allowed if a is not A.ASSIGN_DOWN]
    return allowed


class CaseActionDialog(SaveDialog):
    """调解/上报/下派/转交/办结/退回/回访: who, when, what was done → service.case_action."""

    def __init__(self, ctx: AppContext, case: dict, action: enums.CaseAction, operator: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.case, self.action = ctx, case, action
        level = enums.Level(case["level"])
        self.setWindowTitle(f"{action.label} — {case['parties']}")
        layout = QVBoxLayout(self)
        head = QLabel(f"{case['parties']}　目前：{level.label}级，"
                      f"{enums.CaseState(case['state']).label}")
        head.setStyleSheet("font-weight: bold;")
        layout.addWidget(head)
        self.explanation = text_label(action_explanation(action, level), "action_explanation",
                                      style="color: #1a237e;", wrap=True)
        layout.addWidget(self.explanation)

        form = QFormLayout()
        self.handler = QLineEdit(operator)
        self.handler.setObjectName("action_handler")
        self.handler.setPlaceholderText("经办人姓名")
        self.on = QLineEdit(ctx.today.isoformat())
        self.on.setObjectName("action_date")
        self.on.setPlaceholderText("如 2024-03-01")
        self.note = QPlainTextEdit()
        self.note.setObjectName("action_note")
        self.note.setMaximumHeight(80)
        self.note.setPlaceholderText({
            A.TRANSFER: "转交给哪个部门或谁，为什么",
            A.ESCALATE: "上报原因、已做的工作",
            A.RETURN: "退回原因",
        }.get(action, "做了什么、当事人怎么说"))
        form.addRow("经办人＊", self.handler)
        form.addRow("日期＊", self.on)
        form.addRow("说明", self.note)
        self.outcome: QPlainTextEdit | None = None
        self.satisfaction: QComboBox | None = None
        if action is A.CLOSE:
            self.outcome = QPlainTextEdit()
            self.outcome.setObjectName("action_outcome")
            self.outcome.setMaximumHeight(80)
            self.outcome.setPlaceholderText("化解结果，如：双方达成协议，已签调解书。")
            form.addRow("化解结果＊", self.outcome)
        if action in (A.CLOSE, A.REVISIT):
            self.satisfaction = QComboBox()
            self.satisfaction.setObjectName("action_satisfaction")
            self.satisfaction.addItem("（未评价）", None)
            for value, label in reversed(enums.Satisfaction.choices()):
                self.satisfaction.addItem(label, value)
            form.addRow("满意程度", self.satisfaction)
        layout.addLayout(form)
        self.add_footer(layout, "action")
        self.resize(480, 380 if self.outcome else 300)

    def _save(self) -> None:
        handler = self.handler.text().strip()
        if not handler:
            self.show_message("请填写经办人。")
            self.handler.setFocus()
            return
        try:
            on = parse_date(self.on.text(), field="step_on", latest=self.ctx.today)
        except ValidationError as exc:
            self.show_message(exc.user_text())
            return
        outcome = self.outcome.toPlainText().strip() if self.outcome is not None else None
        if self.outcome is not None and not outcome:
            self.show_message("请填写化解结果。")
            self.outcome.setFocus()
            return
        satisfaction = self.satisfaction.currentData() if self.satisfaction is not None else None
        note = self.note.toPlainText().strip()
        svc, case_id, action = self.ctx.service, self.case["id"], self.action
        self.save_with(lambda: svc.case_action(
            case_id, action=action.value, handler=handler, note=note, on=on,
            outcome=outcome, satisfaction=satisfaction,
        ))


class CasesPage(LedgerPage):
    """矛盾纠纷排查化解台账."""

    kinds = ("dispute_case", "case_step", "person")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        cats = ctx.catalogues()

        def deadline(value: Any, rec: dict) -> str:
            if value is None:
                return ""
            if ledgers.is_case_overdue(rec, self.ctx.today):
                days = (self.ctx.today - date.fromisoformat(str(value))).days
                return f"{value}（超期{days}天）"
            return str(value)

        columns = [
            Column("registered_on", "登记日期", width=95),
            Column("parties", "当事人", lambda v, r: v if not r["person_name"] or
                   r["person_name"] in v else f"{v}（{r['person_name']}）", width=150),
            Column("case_type", "类型", lambda v, _r: cats.name("case_type", v), width=80),
            Column("channel", "渠道", lambda v, _r: cats.name("case_channel", v), width=80),
            Column("urgency", "紧急程度", label_of(enums.Urgency), width=70),
            Column("level", "级别", label_of(enums.Level), width=50),
            Column("state", "状态", label_of(enums.CaseState), width=70),
            Column("deadline", "办理期限", deadline, width=180),
            Column("repeat_petition", "重复访", lambda v, _r: "重复访" if v else "", width=60),
            Column("steps", "步骤", lambda v, _r: f"{v} 步", sortable=False, width=50),
            Column("content", "诉求内容", sortable=False, width=200),
        ]

        def colour(key: str, rec: dict) -> str | None:
            if key == "deadline" and ledgers.is_case_overdue(rec, self.ctx.today):
                return RED
            if key == "repeat_petition" and rec["repeat_petition"]:
                return RED
            if key == "urgency" and rec["urgency"] != "normal":
                return RED
            if key == "state" and rec["state"] in ("closed", "revisited"):
                return GREY
            return None

        store = ctx.store
        self.model = LazyTableModel(columns, lambda ids: ledgers.case_rows(store, ids), self,
                                    colour=colour, sort=("registered_on", True))

        self.counts = totals_label("case_counts")
        self.year_counts = QLabel()
        self.year_counts.setObjectName("case_year_counts")

        self.state = filter_combo("filter_state", [("全部状态", None), ("在办（未办结）", OPEN_ONLY)]
                                  + [(lbl, v) for v, lbl in enums.CaseState.choices()])
        self.level = filter_combo("filter_level", [("全部级别", None)] + [
            (f"{lbl}级", v) for v, lbl in enums.Level.choices()], width=90)
        self.overdue = QCheckBox("只看超期")
        self.overdue.setObjectName("filter_overdue")
        self.state.currentIndexChanged.connect(self.refresh)
        self.level.currentIndexChanged.connect(self.refresh)
        self.overdue.toggled.connect(self.refresh)

        self.register_button = action_button("登记", "case_register", self.register,
                                             tip="登记一件新的矛盾纠纷或信访事项")
        self.action_buttons = {
            a: action_button(a.label, f"case_{a.value}",
                             lambda a=a: self.act(a)) for a in ACTIONS}
        self.edit_button = action_button("修改", "case_edit", self.edit)
        self.person_button = action_button("查看档案", "case_person", self.open_person)

        filters = hbox(labelled("状态", self.state), labelled("级别", self.level), self.overdue,
                       STRETCH, self.register_button, self.edit_button, self.person_button)
        actions = hbox("对选中的案件：", *self.action_buttons.values(), STRETCH)

        self.hint = hint_label("case_hint")
        self.table = self.sortable_table(self.model, "cases/header", self.refresh,
                                         activated=self.edit, selected=self._selection_changed)

        self.detail_title = detail_title("case_detail_title",
                                         "选中一件案件，这里显示诉求内容和化解步骤。")
        self.detail_text = text_label("", "case_detail_text", wrap=True)
        self.steps = detail_table("case_steps", ["日期", "操作", "级别", "经办人", "说明"],
                                  [95, 60, 80, 80, 300])
        steps_box = QGroupBox("化解步骤")
        sl = QVBoxLayout(steps_box)
        sl.addWidget(self.detail_text)
        sl.addWidget(self.steps)
        self.splitter = self.table_with_detail("cases/splitter", self.table, self.detail_title,
                                               steps_box)

        vbox(self, self.counts, self.year_counts, filters, actions, self.hint,
             (self.splitter, 1))
        self._detail_seq = 0
        self._update_buttons()

    # --- loading ------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        state = self.state.currentData()
        return {"state": None if state == OPEN_ONLY else state,
                "open_only": state == OPEN_ONLY,
                "level": self.level.currentData(),
                "overdue_only": self.overdue.isChecked()}

    def refresh(self) -> None:
        store, today = self.ctx.store, self.ctx.today
        filters = self.filters()
        sort, desc = self.model.sort_key, self.model.sort_desc
        self.load(lambda: {
            "ids": ledgers.case_ids(store, today=today, **filters, sort=sort, desc=desc),
            "counts": ledgers.case_counts(store, today),
        }, self._loaded)

    def _loaded(self, result: dict[str, Any]) -> None:
        self.show_ids(self.table, result["ids"])
        c = result["counts"]
        overdue = (f"<span style='color:{RED}'>其中超期 {c['overdue']} 件</span>"
                   if c["overdue"] else "没有超期")
        self.counts.setText(
            f"在办 {c['open']} 件，{overdue}；已上报镇、县 {c['above_village']} 件；"
            f"重复访 {c['repeat']} 件")
        village = (f"，其中村内化解 {c['year_closed_in_village']} 件"
                   if c["year_closed"] else "")
        self.year_counts.setText(
            f"{self.ctx.today.year}年登记 {c['year_total']} 件，已办结 {c['year_closed']} 件"
            f"{village}。小事不出村，大事不出镇，矛盾不上交。")
        text = None
        if not result["ids"]:
            f = self.filters()
            filtered = f["state"] or f["open_only"] or f["level"] or f["overdue_only"]
            text = ("没有符合条件的案件。" if filtered
                    else "还没有登记矛盾纠纷。点“登记”记下第一件。")
        self.show_hint(self.hint, text)
        self._selection_changed()

    def _selection_changed(self, *_args: Any) -> None:
        self._update_buttons()
        case = self.table.current_record()
        self._detail_seq += 1
        seq = self._detail_seq
        if case is None:
            self.detail_title.setText("选中一件案件，这里显示诉求内容和化解步骤。")
            self.detail_text.clear()
            self.steps.setRowCount(0)
            return
        store, case_id = self.ctx.store, case["id"]
        Op(self, lambda: ledgers.case_steps(store, case_id)).success(
            lambda steps: self._show_steps(seq, case, steps)).run()

    def _show_steps(self, seq: int, case: dict, steps: list[dict]) -> None:
        if seq != self._detail_seq:
            return
        state = enums.CaseState(case["state"])
        level = enums.Level(case["level"])
        self.detail_title.setText(
            f"{case['parties']}　{level.label}级　{state.label}　办理期限 {case['deadline']}"
            + ("　重复访" if case["repeat_petition"] else ""))
        text = f"诉求内容：{case['content']}"
        if case["outcome"]:
            text += f"\n化解结果：{case['outcome']}"
        if case["satisfaction"]:
            text += f"　满意程度：{enums.Satisfaction(case['satisfaction']).label}"
        self.detail_text.setText(text)
        rows = []
        if not any(s["action"] == A.REGISTER.value for s in steps):
            # Registration is the case record itself; show it as the first step.
            rows.append([str(case["registered_on"]), A.REGISTER.label, enums.Level.VILLAGE.label,
                         case["registrar"], case["content"]])
        for s in steps:
            rows.append([str(s["step_on"]), enums.CaseAction(s["action"]).label,
                         level_change(s["from_level"], s["to_level"]), s["handler"],
                         s["note"] or ""])
        fill_table(self.steps, rows)

    def _update_buttons(self) -> None:
        case = self.table.current_record()
        allowed = allowed_actions(case) if case else []
        for action, button in self.action_buttons.items():
            button.setEnabled(action in allowed)
        self.edit_button.setEnabled(case is not None)
        self.person_button.setEnabled(bool(case and case["person_id"]))

    # --- actions --------------------------------------------------------------------

    def register(self) -> None:
        self.dialog = pick_person(
            self.ctx, self, self._register, title="登记矛盾纠纷：涉及哪位人员",
            prompt="这件事涉及哪位在册人员？不涉及在册人员也可以直接登记。",
            skip_text="不涉及在册人员，直接登记", on_skip=lambda: self._register(None))

    def default_deadline(self) -> date:
        """Registration plus the usual time limit, if the field table accepts a future date."""
        due = self.ctx.today + timedelta(days=DEFAULT_DEADLINE_DAYS)
        try:
            clean_value("deadline", FIELDS["dispute_case"]["deadline"], due.isoformat(),
                        self.ctx.catalogues(), today=self.ctx.today)
        except ValidationError:
            return self.ctx.today
        return due

    def _register(self, person_id: str | None) -> None:
        fields = [n for n in FIELDS["dispute_case"] if n != "person_id"]

        def show(person: dict | None) -> None:
            form = self.record_form("dispute_case", {
                "registered_on": self.ctx.today, "deadline": self.default_deadline(),
                "registrar": self.operator or None, "urgency": "normal",
                "parties": person["name"] if person else None,
            }, fields=fields, hidden={"person_id": person_id} if person_id else None)
            self.new_record("登记矛盾纠纷" + (f" — {person['name']}" if person else ""), form)

        self.with_person(person_id, show)

    def act(self, action: enums.CaseAction) -> None:
        case = self.table.current_record()
        if case is None or action not in allowed_actions(case):
            return
        dialog = CaseActionDialog(self.ctx, case, action, self.operator, self)
        self.open_dialog(dialog, "case_step")

    def edit(self) -> None:
        case = self.table.current_record()
        if case is None:
            return
        fields = [n for n in FIELDS["dispute_case"] if n != "person_id"]
        self.edit_record("dispute_case", case["id"], f"修改案件 — {case['parties']}",
                         fields=fields,
                         hidden={"person_id": case["person_id"]} if case["person_id"] else None)
