"""统计报表: the period's figures (persons, visits, coverage, aid, cases, honours, volunteers).

Every figure comes from one GROUP BY query in :mod:`station_desktop.store.stats`,
run on the worker; the page only formats the numbers into small tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.validate import format_fen
from station_desktop.store import stats
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.table import TOTAL, RowsModel, make_table_view
from station_desktop.ui.table import local_time as table_local_time
from station_desktop.ui.widgets import push_button, pydate, qdate, text_label

PRINT_TOOLTIP = "生成所选期间的工作报表（PDF），先预览再打印或另存"


def yuan(fen: int) -> str:
    return f"{format_fen(int(fen))} 元"


def hours(minutes: int) -> str:
    """Service time for people: whole hours and minutes."""
    h, mins = divmod(int(minutes), 60)
    return f"{h} 小时" + (f" {mins} 分" if mins else "")


def local_time(ts: str | None) -> str:
    """Beijing time to the minute; "—" when there is none (a figure's cell is never blank)."""
    return table_local_time(ts, empty="—")


def percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


class TableSection(QGroupBox):
    """A titled table with a line that explains an empty result."""

    def __init__(self, name: str, title: str, headers: Sequence[str],
                 formats: Sequence[Callable[[Any], str] | None] | None = None,
                 empty_hint: str = "本期没有记录。", note: str = ""):
        super().__init__(title)
        self.setObjectName(f"section_{name}")
        self.model = RowsModel(headers, formats, self)
        self.view = make_table_view(self.model, f"table_{name}")
        self.empty_hint = empty_hint
        self.hint = QLabel(empty_hint)
        self.hint.setStyleSheet("color: #666;")
        self.hint.hide()
        layout = QVBoxLayout(self)
        if note:
            note_label = text_label(note, style="color: #555;", wrap=True)
            layout.addWidget(note_label)
        layout.addWidget(self.hint)
        layout.addWidget(self.view)

    def set_rows(self, rows: Sequence[Sequence[Any]], *,
                 total: Sequence[Any] | None = None) -> None:
        rows = list(rows)
        if rows and total is not None:
            rows.append(tuple(total))
        self.model.set_rows(rows)
        self.hint.setVisible(not rows)


class FigureCard(QFrame):
    """One headline figure: a big number and what it means."""

    def __init__(self, name: str, caption: str):
        super().__init__()
        self.setObjectName(f"figure_{name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"#figure_{name} {{ background: #f4f7fb; border: 1px solid #c9d6e8; "
                           "border-radius: 6px; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.value = text_label("—", f"value_{name}",
                                style="font-size: 22px; font-weight: bold; color: #1a4f8b;")
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: #444;")
        self.detail = QLabel("")
        self.detail.setStyleSheet("color: #666;")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        layout.addWidget(self.detail)

    def set(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)


class ReportsPage(QWidget):
    """统计报表 for a chosen period."""

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.report: stats.PeriodReport | None = None
        self._seq = 0

        # --- toolbar: period and actions -------------------------------------
        self.period = QComboBox()
        self.period.setObjectName("period")
        for code, label in stats.PERIODS.items():
            self.period.addItem(label, code)
        self.period.setCurrentIndex(self.period.findData("quarter"))
        self.start_edit = QDateEdit()
        self.end_edit = QDateEdit()
        for w, name in ((self.start_edit, "period_start"), (self.end_edit, "period_end")):
            w.setObjectName(name)
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
        self.refresh_button = push_button("统计", "run_report", tip="按所选期间重新统计（F5）")
        self.print_button = push_button("打印报表…", "print_report", self.print_report,
                                        tip=PRINT_TOOLTIP)
        toolbar = QHBoxLayout()
        toolbar.addWidget(QLabel("统计期间："))
        toolbar.addWidget(self.period)
        toolbar.addWidget(QLabel("从"))
        toolbar.addWidget(self.start_edit)
        toolbar.addWidget(QLabel("至"))
        toolbar.addWidget(self.end_edit)
        toolbar.addWidget(self.refresh_button)
        toolbar.addStretch(1)
        toolbar.addWidget(self.print_button)
        self.status = text_label("", "report_status", style="color: #555;")

        # --- headline figures ---------------------------------------------------
        self.cards = {
            "persons": FigureCard("persons", "在册人员（期末）"),
            "visits": FigureCard("visits", "走访慰问次数"),
            "coverage": FigureCard("coverage", "联系覆盖率"),
            "aid_paid": FigureCard("aid_paid", "帮扶发放金额"),
            "cases": FigureCard("cases", "新登记矛盾纠纷"),
            "honours": FigureCard("honours", "荣誉待办"),
        }
        cards = QGridLayout()
        for i, card in enumerate(self.cards.values()):
            cards.addWidget(card, 0, i)

        # --- tables ---------------------------------------------------------------
        count_fmt = [None, None]
        self.sections: dict[str, TableSection] = {
            "by_category": TableSection(
                "by_category", "按人员类别", ["人员类别", "人数"], count_fmt,
                empty_hint="还没有人员档案。",
                note="一人可有多个类别，各类别人数之和可能大于总人数。"),
            "by_group": TableSection(
                "by_group", "按分组", ["分组", "人数"], count_fmt,
                empty_hint="还没有人员档案。",
                note="分组来自县里的人员类别目录（退役军人、优抚对象等）。"),
            "visits_by_month": TableSection(
                "visits_by_month", "按月份", ["月份", "走访次数", "走访人数", "其中入户", "慰问金"],
                [None, None, None, None, yuan], empty_hint="本期没有走访记录。"),
            "visits_by_kind": TableSection(
                "visits_by_kind", "按走访类型",
                ["走访类型", "走访次数", "走访人数", "其中入户", "慰问金"],
                [None, None, None, None, yuan], empty_hint="本期没有走访记录。"),
            "aid_applied": TableSection(
                "aid_applied", "本期申请（按帮扶类型和资金来源）",
                ["帮扶类型", "资金来源", "申请件数", "申请金额", "县已批准件数", "批准金额"],
                [None, None, None, yuan, None, yuan], empty_hint="本期没有帮扶申请。"),
            "aid_paid": TableSection(
                "aid_paid", "本期发放（按帮扶类型和资金来源）",
                ["帮扶类型", "资金来源", "发放笔数", "受助人数", "发放金额", "实物价值"],
                [None, None, None, None, yuan, yuan], empty_hint="本期没有发放记录。"),
            "cases": TableSection(
                "cases", "矛盾纠纷（按层级）",
                ["层级", "本期登记·已化解", "本期登记·未办结", "目前全部未办结"],
                empty_hint="没有矛盾纠纷记录。",
                note="“已化解”按化解所在层级统计（小事不出村，大事不出镇）；"
                     "“未办结”按案件目前所在层级统计。"),
            "honours": TableSection(
                "honours", "荣誉褒扬待办", ["事项", "数量"], empty_hint="没有荣誉记录。"),
            "volunteers": TableSection(
                "volunteers", "志愿服务队（本期）",
                ["服务队", "队员人数", "活动次数", "参与队员", "服务时长"],
                [None, None, None, None, hours], empty_hint="还没有志愿服务队。"),
        }
        self.tabs = QTabWidget()
        self.tabs.setObjectName("report_tabs")
        for title, names in (
            ("人员", ["by_category", "by_group"]),
            ("走访慰问", ["visits_by_month", "visits_by_kind"]),
            ("帮扶援助", ["aid_applied", "aid_paid"]),
            ("矛盾纠纷", ["cases"]),
            ("荣誉褒扬", ["honours"]),
            ("志愿服务", ["volunteers"]),
        ):
            tab = QWidget()
            row = QHBoxLayout(tab) if len(names) == 2 and title != "帮扶援助" else QVBoxLayout(tab)
            for n in names:
                row.addWidget(self.sections[n])
            self.tabs.addTab(tab, title)
        self.case_extra = QLabel("")
        self.case_extra.setObjectName("case_extra")
        self.sections["cases"].layout().addWidget(self.case_extra)

        note = QLabel("说明：人员按期末在册统计；删除到回收站的人员及其记录不计入。"
                      "打印的报表与本页数字相同。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")

        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.status)
        layout.addLayout(cards)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(note)

        self.period.currentIndexChanged.connect(self._on_period)
        self.refresh_button.clicked.connect(self.refresh)
        ctx.data_changed.connect(self._on_data_changed)
        self._on_period(run=False)

    # --- period -------------------------------------------------------------------

    def _on_period(self, _index: int = 0, *, run: bool = True) -> None:
        kind = self.period.currentData()
        custom = kind == "custom"
        self.start_edit.setEnabled(custom)
        self.end_edit.setEnabled(custom)
        if not custom:
            self._show_dates(*stats.period_bounds(kind, self.ctx.today))
            if run:
                self.refresh()

    def print_report(self) -> None:
        """The printed report of the period on screen (same figures, same period)."""
        from station_desktop.ui.printing import print_period

        start, end = self.bounds()
        if end < start:
            self.status.setText("结束日期早于开始日期，请改正后再打印。")
            return
        self.last_print = print_period(self.ctx, self, start, end)

    def bounds(self) -> tuple[date, date]:
        return pydate(self.start_edit.date()), pydate(self.end_edit.date())

    def _show_dates(self, start: date, end: date) -> None:
        self.start_edit.setDate(qdate(start))
        self.end_edit.setDate(qdate(end))

    def set_custom_period(self, start: date, end: date) -> None:
        """Choose 自定义 with the given dates (what a user does with the two date boxes)."""
        self.period.setCurrentIndex(self.period.findData("custom"))
        self._show_dates(start, end)

    # --- loading ------------------------------------------------------------------

    def _on_data_changed(self, _kind: str) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        start, end = self.bounds()
        if end < start:
            self.status.setText("结束日期早于开始日期，请改正后再点“统计”。")
            return
        self._seq += 1
        seq = self._seq
        ctx = self.ctx
        today = ctx.today
        self.status.setText("正在统计…")
        self.refresh_button.setEnabled(False)

        def work() -> tuple[stats.PeriodReport, Catalogues]:
            return stats.period_report(ctx.store, start, end, today=today), ctx.catalogues()

        def failed(exc: BaseException) -> None:
            self.refresh_button.setEnabled(True)
            self.status.setText("统计没有完成。")
            from station_desktop.ui.errors import show_error

            show_error(self, exc)

        Op(self, work).success(lambda r: self._show(seq, *r)).failure(failed).run()

    def _show(self, seq: int, report: stats.PeriodReport, cats: Catalogues) -> None:
        self.refresh_button.setEnabled(True)
        if seq != self._seq:
            return
        self.report = report
        label = self.period.currentText()
        self.status.setText(f"{label}：{report.start.isoformat()} 至 {report.end.isoformat()}，"
                            f"统计于 {self.ctx.today.isoformat()}")
        self._fill_cards(report)
        self._fill_tables(report, cats)

    def _fill_cards(self, r: stats.PeriodReport) -> None:
        self.cards["persons"].set(f"{r.persons} 人")
        self.cards["visits"].set(f"{r.visits} 次", f"其中入户 {r.visit_totals.home_visits} 次")
        self.cards["coverage"].set(percent(r.contacted, r.persons),
                                   f"已联系 {r.contacted} / {r.persons} 人")
        paid = sum(p.amount_fen for p in r.aid_paid)
        self.cards["aid_paid"].set(yuan(paid), f"{sum(p.payments for p in r.aid_paid)} 笔")
        c = r.cases
        self.cards["cases"].set(f"{c.opened} 件",
                                f"已化解 {c.resolved_total}，未办结 {c.still_open_total}")
        h = r.honours
        self.cards["honours"].set(f"{h.plaques_not_hung + h.notices_not_delivered} 项",
                                  f"光荣牌未悬挂 {h.plaques_not_hung}，喜报未送达 "
                                  f"{h.notices_not_delivered}")

    def _fill_tables(self, r: stats.PeriodReport, cats: Catalogues) -> None:
        sec = self.sections
        sec["by_category"].set_rows(
            [(cats.name("person_category", code), n) for code, n in r.by_category],
            total=(TOTAL + "（总人数）", r.persons))
        sec["by_group"].set_rows(list(r.by_group), total=(TOTAL + "（总人数）", r.persons))

        def visit_rows(rows: list[stats.VisitRow], name: Callable[[str], str]) -> list[tuple]:
            return [(name(v.key), v.visits, v.persons, v.home_visits, v.money_fen) for v in rows]

        t = r.visit_totals
        total_v = (TOTAL, t.visits, t.persons, t.home_visits, t.money_fen)
        sec["visits_by_month"].set_rows(
            visit_rows(r.visits_by_month, lambda k: f"{k[:4]}年{int(k[5:7])}月"), total=total_v)
        sec["visits_by_kind"].set_rows(
            visit_rows(r.visits_by_kind, lambda k: cats.name("visit_kind", k)), total=total_v)

        def fund(code: str | None) -> str:
            return cats.name("aid_fund", code) if code else "（未填）"

        sec["aid_applied"].set_rows(
            [(cats.name("aid_type", a.aid_type), fund(a.fund), a.applications, a.requested_fen,
              a.approved, a.approved_fen) for a in r.aid_applied],
            total=(TOTAL, "", sum(a.applications for a in r.aid_applied),
                   sum(a.requested_fen for a in r.aid_applied),
                   sum(a.approved for a in r.aid_applied),
                   sum(a.approved_fen for a in r.aid_applied)))
        sec["aid_paid"].set_rows(
            [(cats.name("aid_type", p.aid_type), fund(p.fund), p.payments, p.persons,
              p.amount_fen, p.in_kind_fen) for p in r.aid_paid],
            total=(TOTAL, "", sum(p.payments for p in r.aid_paid), "",
                   sum(p.amount_fen for p in r.aid_paid),
                   sum(p.in_kind_fen for p in r.aid_paid)))

        c = r.cases
        sec["cases"].set_rows(
            c.by_level(), total=(TOTAL, c.resolved_total, c.still_open_total, c.open_all_total))
        self.case_extra.setText(
            f"本期登记 {c.opened} 件，其中重复访 {c.repeat_petitions} 件；"
            f"目前超过办理期限仍未办结 {c.overdue_all} 件。")

        h = r.honours
        sec["honours"].set_rows(h.rows())

        vol = r.volunteers
        sec["volunteers"].set_rows(
            [(v.team, v.members, v.activities, v.served, v.minutes) for v in vol],
            total=(TOTAL, sum(v.members for v in vol), sum(v.activities for v in vol),
                   sum(v.served for v in vol), sum(v.minutes for v in vol)))
