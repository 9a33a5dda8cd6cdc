"""帮扶援助: the aid ledger, the 村 → 镇 → 县 review path, payments and yearly totals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain import enums
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.validate import format_fen, parse_date, parse_yuan
from station_desktop.store import ledgers
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import SaveDialog
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.ledger import (
    GREEN,
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
    money,
    placeholder,
    refill_combo,
    totals_label,
    yuan,
)
from station_desktop.ui.person_picker import pick_person
from station_desktop.ui.table import Column, LazyTableModel
from station_desktop.ui.widgets import STRETCH, hbox, text_label, vbox

# --- the review dialog -------------------------------------------------------------

DECISION_TIPS = {
    enums.ReviewDecision.APPROVE: "同意：交下一级审核；县级同意后即可登记发放。",
    enums.ReviewDecision.REJECT: "不同意：申请到此结束，状态为“未通过”。",
    enums.ReviewDecision.RETURN: "退回补充：退回村里补充材料，补齐后从村级重新审核。",
}


class ReviewDialog(SaveDialog):
    """One step of the 村 → 镇 → 县 review: the level is fixed by the application's state."""

    def __init__(self, ctx: AppContext, app: dict, operator: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.app = ctx, app
        state = enums.AidState(app["state"])
        self.level = enums.expected_review_level(state)
        assert self.level is not None, "only applications under review open this dialog"
        self.setWindowTitle(f"帮扶申请审核 — {self.level.label}级")
        layout = QVBoxLayout(self)
        cats = ctx.catalogues()
        info = QLabel(
            f"{app['person_name']}　{cats.name('aid_type', app['aid_type'])}　"
            f"申请金额 {yuan(app['requested_fen'])}　目前：{state.label}")
        info.setWordWrap(True)
        layout.addWidget(info)
        self.level_label = text_label(f"本次由【{self.level.label}级】审核", "review_level",
                                      style="font-size: 16px; font-weight: bold; color: #1a237e;")
        layout.addWidget(self.level_label)

        form = QFormLayout()
        self.decision = QComboBox()
        self.decision.setObjectName("review_decision")
        for value, label in enums.ReviewDecision.choices():
            self.decision.addItem(label, value)
        self.decision_tip = text_label(style="color: #555;", wrap=True)
        self.reviewer = QLineEdit(operator if self.level is enums.Level.VILLAGE else "")
        self.reviewer.setObjectName("review_reviewer")
        self.reviewer.setPlaceholderText(f"{self.level.label}级审核人姓名")
        self.on = QLineEdit(ctx.today.isoformat())
        self.on.setObjectName("review_date")
        self.on.setPlaceholderText("如 2024-03-01")
        start = app.get("approved_fen") or app.get("requested_fen") or 0
        self.amount = QLineEdit(format_fen(int(start)).replace(",", ""))
        self.amount.setObjectName("review_amount")
        self.amount.setPlaceholderText("元，如 500 或 500.50")
        self.opinion = QPlainTextEdit()
        self.opinion.setObjectName("review_opinion")
        self.opinion.setPlaceholderText("审核意见，如：情况属实，同意救助。")
        self.opinion.setMaximumHeight(80)
        decision_box = QWidget()
        db = QVBoxLayout(decision_box)
        db.setContentsMargins(0, 0, 0, 0)
        db.addWidget(self.decision)
        db.addWidget(self.decision_tip)
        form.addRow("审核结论＊", decision_box)
        form.addRow("审核人＊", self.reviewer)
        form.addRow("审核日期＊", self.on)
        form.addRow("核定金额（元）", self.amount)
        form.addRow("审核意见", self.opinion)
        layout.addLayout(form)
        layout.addStretch(1)
        self.add_footer(layout, "review")
        self.decision.currentIndexChanged.connect(self._decision_changed)
        self._decision_changed()
        self.resize(480, 370)

    def _decision_changed(self) -> None:
        decision = enums.ReviewDecision(self.decision.currentData())
        self.decision_tip.setText(DECISION_TIPS[decision])
        self.amount.setEnabled(decision is enums.ReviewDecision.APPROVE)

    def _save(self) -> None:
        decision = enums.ReviewDecision(self.decision.currentData())
        reviewer = self.reviewer.text().strip()
        if not reviewer:
            self.show_message("请填写审核人。")
            self.reviewer.setFocus()
            return
        try:
            on = parse_date(self.on.text(), field="reviewed_on", latest=self.ctx.today)
            amount = (parse_yuan(self.amount.text())
                      if decision is enums.ReviewDecision.APPROVE and self.amount.text().strip()
                      else None)
        except ValidationError as exc:
            self.show_message(exc.user_text())
            return
        svc, app_id, level = self.ctx.service, self.app["id"], self.level
        opinion = self.opinion.toPlainText().strip()
        self.save_with(lambda: svc.review_aid(
            app_id, level=level.value, decision=decision.value, reviewer=reviewer,
            opinion=opinion, amount_fen=amount, on=on,
        ))


# --- the page -------------------------------------------------------------------------

LEVELS = list(enums.Level)


def waiting_text(state: Any, _rec: Any = None) -> str:
    try:
        st = enums.AidState(state)
    except ValueError:
        return ""
    level = enums.expected_review_level(st)
    if level is not None:
        return f"待{level.label}级审核"
    if enums.can_pay(st):
        return "待发放"
    return ""


class AidPage(LedgerPage):
    """帮扶援助台账."""

    kinds = ("aid_application", "aid_review", "aid_payment", "person")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        cats = ctx.catalogues()

        def cat(kind: str) -> Callable[[Any, Any], str]:
            return lambda v, _r: cats.name(kind, v) if v else ""

        columns = [
            Column("person_name", "帮扶对象", width=90),
            Column("aid_type", "类型", cat("aid_type"), width=90),
            Column("fund", "资金来源", cat("aid_fund"), width=100),
            Column("applied_on", "申请日期", width=95),
            Column("requested_fen", "申请金额（元）", money, width=110),
            Column("approved_fen", "批准金额（元）", money, width=110),
            Column("paid_fen", "已发放（元）", lambda v, _r: money(v) if v else "", width=100),
            Column("state", "状态", label_of(enums.AidState), width=80),
            Column("waiting_level", "待哪级审核", lambda _v, r: waiting_text(r["state"]),
                   width=100),
        ]

        def colour(key: str, rec: dict) -> str | None:
            if key in ("state", "waiting_level"):
                return {"rejected": RED, "paid": GREEN, "approved": GREEN,
                        "withdrawn": GREY}.get(rec["state"])
            return None

        store = ctx.store
        self.model = LazyTableModel(columns, lambda ids: ledgers.aid_rows(store, ids), self,
                                    colour=colour,
                                    align_right=("requested_fen", "approved_fen", "paid_fen"),
                                    sort=("applied_on", True))

        self.totals = totals_label("aid_totals")
        self.by_type = text_label("", "aid_by_type", style="color: #333;", wrap=True)

        this_year = ctx.today.year
        self.year = filter_combo("filter_year", [("全部年度", None), (f"{this_year}年", this_year)],
                                 width=100)
        self.year.setCurrentIndex(1)
        self.state = filter_combo("filter_state",
                                  [("全部状态", None)] + [(lbl, v) for v, lbl in
                                                        enums.AidState.choices()])
        self.type = filter_combo("filter_type", [("全部类型", None)] + [
            (e.name, e.code) for e in cats.entries("aid_type")])
        for combo in (self.year, self.state, self.type):
            combo.currentIndexChanged.connect(self.refresh)

        self.new_button = action_button("新建申请", "aid_new", self.new_application,
                                        tip="选择帮扶对象，登记一份帮扶申请")
        self.review_button = action_button("审核", "aid_review", self.review,
                                           tip="按村、镇、县的顺序逐级登记审核意见")
        self.pay_button = action_button("发放", "aid_pay", self.pay,
                                        tip="县级审批同意后登记发放")
        self.edit_button = action_button("修改", "aid_edit", self.edit)
        self.person_button = action_button("查看档案", "aid_person", self.open_person)

        toolbar = hbox(labelled("年度", self.year), labelled("状态", self.state),
                       labelled("类型", self.type), STRETCH, self.new_button,
                       self.review_button, self.pay_button, self.edit_button,
                       self.person_button)

        self.hint = hint_label("aid_hint")
        self.table = self.sortable_table(self.model, "aid/header", self.refresh,
                                         activated=self.edit, selected=self._selection_changed)

        # detail: the review path and the payments of the selected application
        self.detail_title = detail_title("aid_detail_title",
                                         "选中一条申请，这里显示它的审核流程和发放记录。")
        self.reviews = detail_table("aid_reviews", ["层级", "审核结果", "审核人", "日期",
                                                    "核定金额（元）", "意见"],
                                    [50, 80, 80, 95, 110, 200])
        self.payments = detail_table("aid_payments", ["发放日期", "金额（元）", "实物",
                                                      "资金来源", "发放人", "备注"],
                                     [95, 95, 120, 100, 80, 120])
        review_box = QGroupBox("审核流程（村 → 镇 → 县）")
        QVBoxLayout(review_box).addWidget(self.reviews)
        pay_box = QGroupBox("发放记录")
        QVBoxLayout(pay_box).addWidget(self.payments)
        boxes = QHBoxLayout()
        boxes.addWidget(review_box, 3)
        boxes.addWidget(pay_box, 2)
        self.splitter = self.table_with_detail("aid/splitter", self.table, self.detail_title,
                                               boxes)

        vbox(self, self.totals, self.by_type, toolbar, self.hint, (self.splitter, 1))
        self._detail_seq = 0
        self._update_buttons()

    # --- loading ------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        return {"year": self.year.currentData(), "state": self.state.currentData(),
                "aid_type": self.type.currentData()}

    def refresh(self) -> None:
        store = self.ctx.store
        filters = self.filters()
        sort, desc = self.model.sort_key, self.model.sort_desc
        year = filters["year"] or self.ctx.today.year
        self.load(lambda: {
            "ids": ledgers.aid_ids(store, **filters, sort=sort, desc=desc),
            "totals": ledgers.aid_totals(store, year),
            "years": ledgers.aid_years(store),
        }, self._loaded)

    def _loaded(self, result: dict[str, Any]) -> None:
        self._set_years(result["years"])
        self.show_ids(self.table, result["ids"])
        self._show_totals(result["totals"])
        text = None
        if not result["ids"]:
            year = self.year.currentData()
            if self.state.currentData() or self.type.currentData():
                text = "没有符合条件的帮扶申请，可以换一个状态或类型看看。"
            elif year is None:
                text = "还没有帮扶申请。点右上角“新建申请”登记第一份。"
            else:
                text = f"{year}年还没有帮扶申请。点右上角“新建申请”登记，或在“年度”里选其他年份。"
        self.show_hint(self.hint, text)
        self._selection_changed()

    def _set_years(self, years: list[int]) -> None:
        years = sorted(set(years) | {self.ctx.today.year}, reverse=True)
        have = [self.year.itemData(i) for i in range(1, self.year.count())]
        if have != years:
            refill_combo(self.year, [(f"{y}年", y) for y in years])

    def _show_totals(self, t: dict[str, Any]) -> None:
        cats = self.ctx.catalogues()
        self.totals.setText(
            f"{t['year']}年：申请 {t['count']} 件，申请金额 {yuan(t['requested_fen'])}，"
            f"已发放 {yuan(t['paid_fen'])}　　待审核 {t['waiting_review']} 件")
        parts = [f"{cats.name('aid_type', r['aid_type'])} {r['count']} 件 "
                 f"申请 {yuan(r['requested_fen'])} 发放 {yuan(r['paid_fen'])}"
                 for r in t["by_type"]]
        self.by_type.setText("按类型：" + "；".join(parts) if parts else "按类型：本年暂无。")

    def _selection_changed(self, *_args: Any) -> None:
        self._update_buttons()
        app_id = self.table.current_id()
        self._detail_seq += 1
        seq = self._detail_seq
        if app_id is None:
            self.detail_title.setText("选中一条申请，这里显示它的审核流程和发放记录。")
            self.reviews.setRowCount(0)
            self.payments.setRowCount(0)
            return
        store = self.ctx.store
        Op(self, lambda: ledgers.aid_detail(store, app_id)).success(
            lambda d: self._show_detail(seq, d)).run()

    def _show_detail(self, seq: int, detail: dict[str, Any]) -> None:
        if seq != self._detail_seq or detail["application"] is None:
            return
        app = detail["application"]
        cats = self.ctx.catalogues()
        state = enums.AidState(app["state"])
        self.detail_title.setText(
            f"{app['person_name']}　{cats.name('aid_type', app['aid_type'])}　"
            f"申请 {yuan(app['requested_fen'])}　状态：{state.label}　"
            f"困难原因：{app['cause']}")
        rows: list[list[str]] = []
        colours: list[str | None] = []
        for r in detail["reviews"]:
            decision = enums.ReviewDecision(r["decision"])
            rows.append([enums.Level(r["level"]).label, decision.label, r["reviewer"],
                         str(r["reviewed_on"]), money(r["amount_fen"]), r["opinion"] or ""])
            colours.append(None if decision is enums.ReviewDecision.APPROVE else RED)
        expected = enums.expected_review_level(state)
        if expected is not None:
            for level in LEVELS[LEVELS.index(expected):]:
                rows.append([level.label, "待审核", "", "", "", ""])
                colours.append(GREY)
        fill_table(self.reviews, rows, colours)
        payments = [
            [str(p["paid_on"]), money(p["amount_fen"]),
             (p["in_kind"] or "") + (f"（价值 {money(p['in_kind_fen'])} 元）"
                                     if p["in_kind_fen"] else ""),
             cats.name("aid_fund", p["fund"]) if p["fund"] else "", p["payer"] or "",
             p["note"] or ""]
            for p in detail["payments"]]
        if payments:
            fill_table(self.payments, payments)
        else:
            placeholder(self.payments, "县级已审批，可点“发放”登记。" if enums.can_pay(state)
                        else "还没有发放记录。")

    def _update_buttons(self) -> None:
        rec = self.table.current_record()
        state = enums.AidState(rec["state"]) if rec else None
        level = enums.expected_review_level(state) if state else None
        self.review_button.setEnabled(level is not None)
        self.review_button.setText(f"审核（{level.label}级）" if level else "审核")
        self.pay_button.setEnabled(state is not None and enums.can_pay(state))
        self.edit_button.setEnabled(rec is not None)
        self.person_button.setEnabled(rec is not None)

    # --- actions --------------------------------------------------------------------

    def new_application(self) -> None:
        self.dialog = pick_person(self.ctx, self, self._application_for,
                                  title="新建帮扶申请：选择帮扶对象",
                                  prompt="这份帮扶申请是为谁登记的？")

    def _application_for(self, person_id: str) -> None:
        def show(person: dict) -> None:
            form = self.record_form("aid_application", {
                "applied_on": self.ctx.today, "hardship_state": "suspected",
                "helper": self.operator or None, "aid_type": self.type.currentData(),
            }, hidden={"person_id": person_id})
            self.new_record(f"新建帮扶申请 — {person['name']}", form)

        self.with_person(person_id, show)

    def review(self) -> None:
        rec = self.table.current_record()
        if rec is None or enums.expected_review_level(enums.AidState(rec["state"])) is None:
            return
        dialog = ReviewDialog(self.ctx, rec, self.operator, self)
        self.open_dialog(dialog, "aid_review")

    def pay(self) -> None:
        rec = self.table.current_record()
        if rec is None or not enums.can_pay(enums.AidState(rec["state"])):
            return
        svc, app_id = self.ctx.service, rec["id"]
        form = self.record_form("aid_payment", {
            "paid_on": self.ctx.today, "amount_fen": rec["approved_fen"]
            if rec["approved_fen"] is not None else rec["requested_fen"],
            "fund": rec["fund"], "payer": self.operator or None,
        }, hidden={"application_id": app_id})
        self.record_dialog(f"登记发放 — {rec['person_name']}", form,
                           lambda v: svc.pay_aid(app_id, v), "aid_payment")

    def edit(self) -> None:
        rec = self.table.current_record()
        if rec is not None:
            self.edit_record("aid_application", rec["id"],
                             f"修改帮扶申请 — {rec['person_name']}",
                             hidden={"person_id": rec["person_id"]})
