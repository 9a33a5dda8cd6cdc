"""荣誉褒扬: 光荣牌, 喜报 and 立功受奖 with their status flow."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain import enums
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.validate import parse_date
from station_desktop.store import ledgers
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import SaveDialog
from station_desktop.ui.pages.ledger import (
    GREEN,
    GREY,
    RED,
    LedgerPage,
    action_button,
    filter_combo,
    hint_label,
    label_of,
    labelled,
    refill_combo,
    totals_label,
)
from station_desktop.ui.person_picker import pick_person
from station_desktop.ui.table import Column, LazyTableModel
from station_desktop.ui.widgets import STRETCH, hbox, text_label, vbox

S = enums.HonourState
K = enums.HonourKind

#: What the button that moves an honour into a state says.
ADVANCE_TEXT = {
    S.HUNG: "登记悬挂",
    S.REPLACED: "登记更换",
    S.CANCELLED: "注销",
    S.TO_DELIVER: "已领取，待送达",
    S.DELIVERED: "登记送达",
}
#: The date the dialog asks for, by target state.
DATE_LABEL = {
    S.HUNG: "悬挂日期",
    S.REPLACED: "更换日期",
    S.CANCELLED: "注销日期",
    S.TO_DELIVER: "领取日期",
    S.DELIVERED: "送达日期",
}
DEFAULT_TITLE = {K.PLAQUE: "光荣之家", K.NOTICE: "立功喜报"}
ADD_FIELDS = ["kind", "title", "award_type", "award_unit", "awarded_on", "applied_on",
              "deadline", "recipient", "address"]
DONE_STATES = {S.HUNG.value, S.REPLACED.value, S.DELIVERED.value, S.RECORDED.value}


def honour_overdue(rec: dict, today_iso: str) -> bool:
    """A notice not yet delivered past its deadline."""
    return (rec["kind"] == K.NOTICE.value and rec["state"] != S.DELIVERED.value
            and bool(rec["deadline"]) and str(rec["deadline"]) < today_iso)


class AdvanceDialog(SaveDialog):
    """Move an honour to its next state: date, who did it, the family's feedback."""

    def __init__(self, ctx: AppContext, honour: dict, target: enums.HonourState,
                 operator: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.honour, self.target = ctx, honour, target
        kind = K(honour["kind"])
        self.setWindowTitle(f"{ADVANCE_TEXT[target]} — {kind.label}")
        layout = QVBoxLayout(self)
        head = QLabel(f"{honour['person_name']}　{honour['title']}\n"
                      f"{S(honour['state']).label} → {target.label}")
        head.setObjectName("advance_head")
        head.setStyleSheet("font-weight: bold;")
        layout.addWidget(head)
        form = QFormLayout()
        self.on = QLineEdit(ctx.today.isoformat())
        self.on.setObjectName("advance_date")
        self.on.setPlaceholderText("如 2024-03-01")
        self.deliverer = QLineEdit(honour.get("deliverer") or operator)
        self.deliverer.setObjectName("advance_deliverer")
        self.deliverer.setPlaceholderText("经办人姓名，可写多人")
        self.feedback = QPlainTextEdit()
        self.feedback.setObjectName("advance_feedback")
        self.feedback.setMaximumHeight(80)
        self.feedback.setPlaceholderText("家属反馈、现场情况等")
        self.date_label = QLabel(DATE_LABEL.get(target, "日期") + "＊")
        form.addRow(self.date_label, self.on)
        form.addRow("送达人" if kind is K.NOTICE else "经办人", self.deliverer)
        form.addRow("反馈", self.feedback)
        layout.addLayout(form)
        self.add_footer(layout, "advance")
        self.resize(440, 300)

    def _save(self) -> None:
        try:
            on = parse_date(self.on.text(), field="done_on", latest=self.ctx.today)
        except ValidationError as exc:
            self.show_message(exc.user_text())
            return
        svc, honour_id, target = self.ctx.service, self.honour["id"], self.target
        deliverer = self.deliverer.text().strip() or None
        feedback = self.feedback.toPlainText().strip() or None
        self.save_with(lambda: svc.advance_honour(honour_id, target.value, on=on,
                                                  deliverer=deliverer, feedback=feedback))


class HonoursPage(LedgerPage):
    """荣誉褒扬: what is to hang, to collect, to deliver."""

    kinds = ("honour", "person")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        today_iso = ctx.today.isoformat

        def deadline(value: Any, rec: dict) -> str:
            if not value:
                return ""
            return f"{value}（已超期）" if honour_overdue(rec, today_iso()) else str(value)

        columns = [
            Column("person_name", "人员", width=80),
            Column("kind", "类别", label_of(K), width=70),
            Column("title", "名称", width=200),
            Column("award_type", "奖励类型", width=80),
            Column("state", "状态", label_of(S), width=70),
            Column("applied_on", "登记/申请日期", width=120),
            Column("deadline", "送达期限", deadline, width=140),
            Column("done_on", "悬挂/送达日期", width=105),
            Column("deliverer", "送达人/经办人", width=110),
            Column("recipient", "接收人", width=80),
        ]

        def colour(key: str, rec: dict) -> str | None:
            if key == "deadline" and honour_overdue(rec, today_iso()):
                return RED
            if key == "state":
                if rec["state"] in DONE_STATES:
                    return GREEN
                if rec["state"] == S.CANCELLED.value:
                    return GREY
                return RED if honour_overdue(rec, today_iso()) else None
            return None

        store = ctx.store
        self.model = LazyTableModel(columns, lambda ids: ledgers.honour_rows(store, ids), self,
                                    colour=colour, sort=("applied_on", True))

        self.counts = totals_label("honour_counts")
        self.kind = filter_combo("filter_kind", [("全部类别", None)] + [
            (lbl, v) for v, lbl in K.choices()], width=100)
        self.state = filter_combo("filter_state", [("全部状态", None)])
        self._fill_states()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.state.currentIndexChanged.connect(self.refresh)

        self.add_button = action_button("新增", "honour_add", self.add,
                                        tip="登记光荣牌、喜报或立功受奖")
        self.edit_button = action_button("修改", "honour_edit", self.edit)
        self.person_button = action_button("查看档案", "honour_person", self.open_person)
        toolbar = hbox(labelled("类别", self.kind), labelled("状态", self.state), STRETCH,
                       self.add_button, self.edit_button, self.person_button)
        self.advance_row = QHBoxLayout()
        self.advance_label = QLabel("选中一条记录后，可在这里登记下一步。")
        self.advance_label.setStyleSheet("color: #555;")
        self.advance_row.addWidget(self.advance_label)
        self.advance_buttons: dict[enums.HonourState, QPushButton] = {}
        self.advance_row.addStretch(1)

        self.hint = hint_label("honour_hint")
        self.table = self.sortable_table(self.model, "honours/header", self.refresh,
                                         activated=self.edit, selected=self._update_buttons)
        self.detail = text_label("", "honour_detail", wrap=True)

        vbox(self, self.counts, toolbar, self.advance_row, self.hint, (self.table, 1),
             self.detail)
        self._update_buttons()

    # --- loading ------------------------------------------------------------------

    def _fill_states(self) -> None:
        kind = self.kind.currentData()
        states = enums.HONOUR_FLOW[K(kind)] if kind else list(S)
        refill_combo(self.state, [(st.label, st.value) for st in states])

    def _kind_changed(self) -> None:
        self._fill_states()
        self.refresh()

    def refresh(self) -> None:
        store = self.ctx.store
        kind, state = self.kind.currentData(), self.state.currentData()
        sort, desc = self.model.sort_key, self.model.sort_desc
        self.load(lambda: {
            "ids": ledgers.honour_ids(store, kind=kind, state=state, sort=sort, desc=desc),
            "counts": ledgers.honour_counts(store),
        }, self._loaded)

    def _loaded(self, result: dict[str, Any]) -> None:
        self.show_ids(self.table, result["ids"])
        c = result["counts"]
        self.counts.setText(
            f"光荣牌待悬挂 {c['plaque_to_hang']} 块　　喜报待领取 {c['notice_to_collect']} 份、"
            f"待送达 {c['notice_to_deliver']} 份　　"
            f"（已悬挂光荣牌 {c['plaques_hung']} 块，已送达喜报 {c['notices_delivered']} 份）")
        text = None
        if not result["ids"]:
            filtered = self.kind.currentData() or self.state.currentData()
            text = ("没有符合条件的记录。" if filtered else
                    "还没有荣誉记录。点“新增”登记光荣牌、喜报或立功受奖。")
        self.show_hint(self.hint, text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        rec = self.table.current_record()
        self.edit_button.setEnabled(rec is not None)
        self.person_button.setEnabled(rec is not None)
        for button in self.advance_buttons.values():
            self.advance_row.removeWidget(button)
            button.deleteLater()
        self.advance_buttons = {}
        if rec is None:
            self.advance_label.setText("选中一条记录后，可在这里登记下一步。")
            self.detail.clear()
            return
        kind, state = K(rec["kind"]), S(rec["state"])
        targets = enums.next_honour_states(kind, state)
        self.advance_label.setText(
            f"{rec['person_name']}的{kind.label}目前“{state.label}”，下一步："
            if targets else f"{rec['person_name']}的{kind.label}目前“{state.label}”，已办完。")
        for i, target in enumerate(targets):
            button = action_button(ADVANCE_TEXT[target], f"honour_to_{target.value}",
                                   lambda t=target: self.advance(t))
            self.advance_buttons[target] = button
            self.advance_row.insertWidget(1 + i, button)
        parts = [f"授予单位：{rec['award_unit']}" if rec["award_unit"] else "",
                 f"地址：{rec['address']}" if rec["address"] else "",
                 f"反馈：{rec['feedback']}" if rec["feedback"] else ""]
        self.detail.setText("　".join(p for p in parts if p))

    # --- actions --------------------------------------------------------------------

    def add(self) -> None:
        self.dialog = pick_person(self.ctx, self, self._add_for,
                                  title="新增荣誉：选择人员",
                                  prompt="光荣牌、喜报或立功受奖是哪位人员的？")

    def _add_for(self, person_id: str) -> None:
        def show(person: dict) -> None:
            kind = self.kind.currentData()
            form = self.record_form("honour", {
                "kind": kind, "title": DEFAULT_TITLE.get(K(kind)) if kind else None,
                "applied_on": self.ctx.today, "recipient": person["name"],
                "address": person.get("residence"),
            }, fields=ADD_FIELDS, hidden={"person_id": person_id})
            kind_box = form.editors["kind"].widget
            title_box = form.editors["title"].widget

            def kind_changed() -> None:
                # Offer the usual title, but never overwrite one the user typed.
                if title_box.text() in ("", *DEFAULT_TITLE.values()):
                    code = kind_box.currentData()
                    title_box.setText(DEFAULT_TITLE.get(K(code), "") if code else "")

            kind_box.currentIndexChanged.connect(kind_changed)
            self.new_record(f"新增荣誉 — {person['name']}", form)

        self.with_person(person_id, show)

    def advance(self, target: enums.HonourState) -> None:
        rec = self.table.current_record()
        if rec is None:
            return
        dialog = AdvanceDialog(self.ctx, rec, target, self.operator, self)
        self.open_dialog(dialog, "honour")

    def edit(self) -> None:
        rec = self.table.current_record()
        if rec is None:
            return
        fields = [n for n in ADD_FIELDS if n != "kind"] + ["deliverer", "feedback"]
        self.edit_record("honour", rec["id"], f"修改荣誉记录 — {rec['person_name']}",
                         fields=fields, hidden={"person_id": rec["person_id"]})
