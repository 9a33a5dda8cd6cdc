"""The person's file booklet (建档立卡手册), for one person or many.

A booklet is a cover (title, station, person, a photo slot, print date),
then the sections of the file in the order of the national collection form
(基本信息 and household, 服役 and 退役安置, 就业创业, 抚恤优待 and disability,
党员/兵支书/两委, skills and wishes, honours), then every visit, life event,
aid record (with its review path and payments) and case (with its steps) in
date order. Field labels come from :data:`store.fields.FIELDS`, catalogue
codes print as names, enum values as labels, money as yuan.

Many booklets go into one PDF with a table of contents (one entry per
cover), or into one file each. For a whole roster the persons' files are
read from the database one at a time while the pages are laid out: the
story holds only a small placeholder per person, expanded by the document
just before it is laid out (see :class:`_BookletDoc`), so memory does not
grow with the visits of everyone.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents
from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.domain import enums
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import Cancelled, NotFoundError, ValidationError
from station_desktop.domain.progress import Progress, tick
from station_desktop.domain.validate import MAX_TEXT
from station_desktop.reports.pdf import (
    FONT,
    PRINT_CANCELLED,
    PageInfo,
    Styles,
    build_pdf,
    frame_width,
    grid_table,
    styles,
    text,
)
from station_desktop.store import models as m
from station_desktop.store.display import date_text, display_value, enum_label, yuan
from station_desktop.store.fields import FIELDS, PERSON_FIELDS, Field
from station_desktop.store.reader import StationReader, row_dict
from station_desktop.store.roster import RosterFilter, roster_ids, rows_by_ids

TITLE = "建档立卡手册"
SUBTITLE = "退役军人和其他优抚对象"


LABEL_W = 27 * mm
PAD = 3  # cell padding (points), as grid_table uses
GRID_COLOR = colors.black
LABEL_BG = colors.HexColor("#f0f0f0")
TITLE_BG = colors.HexColor("#dcdcdc")
# A long text taller than this (points) is laid out in a table that splits inside a row.
HUGE = 300
# A note taller than this (points) in a narrow column of a ruled table goes after the table.
NOTE_IN_GRID = 110

# Sections of the person's own record, in the order of the collection form.
# A name in a group is a PERSON_FIELDS key; "last_contact_on" is derived data.
BASIC = ("name", "id_number", "sex", "birth_date", "ethnicity", "political_status",
         "marital_status", "education", "health", "phone", "phone2", "hukou_type",
         "hukou_place", "residence", "categories", "tags", "key_focus", "key_focus_reason",
         "social_insurance", "housing", "registered_on", "last_contact_on")
SERVICE = ("enlist_date", "enlist_place", "unit", "service_branch", "rank", "post",
           "special_service", "re_enlisted", "awards", "punishments")
DISCHARGE = ("discharge_date", "service_years", "discharge_mode", "resettlement_mode",
             "discharge_cert_type", "discharge_cert_no", "resettlement_unit")
EMPLOYMENT = ("employment_status", "employer", "income_band", "zero_employment_family",
              "business", "training")
BENEFITS = ("benefit_kinds", "support_mode", "lone_elder_or_orphan", "annual_confirmed_year")
DISABILITY = ("disability_nature", "disability_grade", "disability_cert_no",
              "disability_assessed_on")
MARTYR = ("martyr_cert_no", "martyr_sacrifice_date", "martyr_burial_place")
PARTY = ("party_joined_on", "party_branch", "village_role", "role_post", "role_appointed_on",
         "role_term", "role_rating")
WISHES = ("skills", "wishes", "hardship", "note")

_EXTRA_FIELDS: dict[str, Field] = {"last_contact_on": Field("最近联系日期", "date")}


# --- values as printed ---------------------------------------------------------------


def _blank(f: Field, value: Any) -> bool:
    """Nothing to show: empty, or a "no" that only says the box was not ticked."""
    if f.type == "bool":
        return not value
    if f.type == "fen":
        return not value
    return value is None or value == "" or value == []


# --- layout helpers ------------------------------------------------------------------


class _Kit:
    """Styles and widths shared by everything one document lays out."""

    def __init__(self, st: Styles):
        self.st = st
        self.width = frame_width(False)
        self.size = st.cell.fontSize
        self.leading = st.cell.leading
        self.label = ParagraphStyle("label", parent=st.cell)
        self.title_style = ParagraphStyle("record_title", parent=st.cell,
                                           fontSize=st.body.fontSize, leading=st.body.leading)
        self.sub = ParagraphStyle("sub", parent=st.body, spaceBefore=2 * mm, spaceAfter=1 * mm,
                                  fontSize=st.body.fontSize)
        self.none = ParagraphStyle("none", parent=st.body, leftIndent=2 * mm)
        self.base_style = [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), self.size),
            ("LEADING", (0, 0), (-1, -1), self.leading),
            ("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOR),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]

    def cell(self, value: str, width: float, style: ParagraphStyle | None = None) -> Any:
        """A plain string when it fits on one line (fast), else a wrapping paragraph."""
        style = style or self.st.cell
        if "\n" not in value and stringWidth(value, FONT, style.fontSize) <= width - 2 * PAD - 1:
            return value
        return text(value, style)

    def fields(self, items: Sequence[tuple[str, str, bool]], *, per_row: int = 2,
               title: str | None = None) -> list[Flowable]:
        """A label/value table: short values ``per_row`` pairs a row, long text a row each.

        ``items`` are ``(label, value, wide)``. ``title`` is a shaded first row
        spanning the table, repeated when the table runs over a page. The table
        splits between rows; when a long text is too tall for that (up to 5000
        characters), the long rows go into a table of their own that splits
        inside a row, so no text is ever cut off.
        """
        if not items and title is None:
            return []
        label_w = LABEL_W if per_row == 2 else 20 * mm
        vw = (self.width - per_row * label_w) / per_row
        ncols = 2 * per_row
        narrow = [(label, value) for label, value, wide in items if not wide]
        wide = [(label, value) for label, value, is_wide in items if is_wide]
        wide_w = self.width - label_w
        huge = any(self._height(value, wide_w) > HUGE for _label, value in wide)
        rows: list[list[Any]] = []
        style: list[tuple] = list(self.base_style)
        if title is not None:
            rows.append([text(title, self.title_style)] + [""] * (ncols - 1))
            style += [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), TITLE_BG)]
        for i in range(0, len(narrow), per_row):
            group = narrow[i:i + per_row]
            r = len(rows)
            row: list[Any] = []
            for j, (label, value) in enumerate(group):
                row += [self.cell(label, label_w, self.label), self.cell(value, vw)]
                style.append(("BACKGROUND", (2 * j, r), (2 * j, r), LABEL_BG))
            if len(group) < per_row:  # the last value takes the rest of the row
                style.append(("SPAN", (len(row) - 1, r), (-1, r)))
            rows.append(row + [""] * (ncols - len(row)))
        out: list[Flowable] = []
        if huge:
            if rows:
                table = Table(rows, colWidths=[label_w, vw] * per_row, splitInRow=1,
                              repeatRows=1 if title is not None else 0)
                table.setStyle(TableStyle(style))
                table.keepWithNext = True
                out.append(table)
            # Labels at the top: a row split over pages shows its label where it starts.
            rows, style = [], [*self.base_style, ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
                               ("VALIGN", (0, 0), (0, -1), "TOP")]
            for label, value in wide:
                rows.append([self.cell(label, label_w, self.label), self.cell(value, wide_w)])
            table = Table(rows, colWidths=[label_w, wide_w], splitInRow=1)
            table.setStyle(TableStyle(style))
            return [*out, table]
        for label, value in wide:
            r = len(rows)
            rows.append([self.cell(label, label_w, self.label), self.cell(value, wide_w)]
                        + [""] * (ncols - 2))
            style += [("SPAN", (1, r), (-1, r)), ("BACKGROUND", (0, r), (0, r), LABEL_BG)]
        table = Table(rows, colWidths=[label_w, vw] * per_row,
                      repeatRows=1 if title is not None else 0)
        table.setStyle(TableStyle(style))
        return [table]

    def _height(self, value: str, width: float) -> float:
        """About how tall a wrapped value is (points): to choose a table that can split it."""
        usable = width - 2 * PAD
        lines = sum(max(1, math.ceil(stringWidth(part, FONT, self.size) / usable))
                    for part in value.split("\n"))
        return lines * self.leading

    def grid(self, header: Sequence[str], rows: Iterable[Sequence[Any]],
             widths: Sequence[float], *, note_col: int | None = None,
             row_label: Callable[[Sequence[Any]], str] | None = None) -> list[Flowable]:
        """A ruled table with a repeated header; cells wrap, a tall row splits over pages.

        A text in ``note_col`` too long for its narrow column (a 5000-character
        note would run over dozens of pages a few characters wide) is printed
        after the table at full width, under the column's name and the row's
        ``row_label``; its cell says so.
        """
        data = [list(r) for r in rows]
        after: list[tuple[str, str, bool]] = []
        if note_col is not None:
            for r in data:
                value = r[note_col]
                if value and self._height(str(value), widths[note_col]) > NOTE_IN_GRID:
                    label = header[note_col] + (f"（{row_label(r)}）" if row_label else "")
                    after.append((label, str(value), True))
                    r[note_col] = "见表后"
        table = grid_table(header, data, widths, self.st)
        table.splitInRow = 1
        return [table, *self.fields(after)]

    def heading(self, title: str) -> Paragraph:
        p = Paragraph(_esc(title), self.st.heading)
        p.keepWithNext = True
        return p

    def subheading(self, title: str) -> Paragraph:
        p = Paragraph(_esc(title), self.sub)
        p.keepWithNext = True
        return p

    def nothing(self) -> Paragraph:
        return Paragraph("无", self.none)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wide(f: Field) -> bool:
    return f.type == "text" and f.max_len >= MAX_TEXT


def _person_items(names: Sequence[str], p: dict[str, Any], cats: Catalogues
                  ) -> list[tuple[str, str, bool]]:
    out = []
    for name in names:
        f = PERSON_FIELDS.get(name) or _EXTRA_FIELDS[name]
        out.append((f.label, display_value(f, p.get(name), cats), _wide(f)))
    return out


def _all_blank(names: Sequence[str], p: dict[str, Any]) -> bool:
    return all(_blank(PERSON_FIELDS.get(n) or _EXTRA_FIELDS[n], p.get(n)) for n in names)


def _record_items(kind: str, names: Sequence[str], row: dict[str, Any], cats: Catalogues,
                  *, keep: Sequence[str] | None = None) -> list[tuple[str, str, bool]]:
    """Label/value items of a record's fields.

    Empty long text is left out; so are other empty fields when ``keep``
    names the only ones always shown.
    """
    spec = FIELDS[kind]
    out = []
    for name in names:
        f = spec[name]
        value = display_value(f, row.get(name), cats)
        wide = _wide(f)
        if not value and (wide or (keep is not None and name not in keep)):
            continue
        out.append((f.label, value, wide))
    return out


# --- one person's file ---------------------------------------------------------------


@dataclass
class _FileData:
    """Everything one booklet prints, read in one go for one person."""

    file: dict[str, Any]
    reviews: dict[str, list[dict[str, Any]]]
    steps: dict[str, list[dict[str, Any]]]


def _load(svc: StationReader, person_id: str) -> _FileData:
    data = svc.person_file(person_id)
    if data["person"].get("deleted_at") is not None:
        raise NotFoundError(f"人员档案 {person_id} 已被删除，不能打印。", code="not_found")
    with svc.store.read() as s:
        reviews = _children(s, m.AidReview.application_id, [a["id"] for a in data["aid"]],
                            m.AidReview.reviewed_on)
        steps = _children(s, m.CaseStep.case_id, [c["id"] for c in data["cases"]],
                          m.CaseStep.step_on)
    return _FileData(data, reviews, steps)


def _children(s: Session, parent: Any, parent_ids: list[str], on: Any
              ) -> dict[str, list[dict[str, Any]]]:
    """The live rows whose ``parent`` column is one of ``parent_ids``, grouped by it,
    oldest first (by the ``on`` date, then by creation)."""
    if not parent_ids:
        return {}
    model = parent.class_
    q = (select(model).where(parent.in_(parent_ids), model.deleted_at.is_(None))
         .order_by(on, model.created_at))
    grouped: dict[str, list[dict[str, Any]]] = {}
    for r in s.scalars(q):
        grouped.setdefault(getattr(r, parent.key), []).append(row_dict(r))
    return grouped


class _Mark(Flowable):
    """An invisible mark at the top of a cover: the table of contents lists it."""

    def __init__(self, entry: str):
        super().__init__()
        self.toc_entry = entry

    def wrap(self, _aw: float, _ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


def toc_entry(name: str, id_number: str) -> str:
    """The line of the table of contents for a person: name and the ID's last four."""
    return f"{name}（身份证号后四位 {id_number[-4:]}）"


def _cover(kit: _Kit, p: dict[str, Any], cats: Catalogues, station: str,
           print_date: date) -> list[Flowable]:
    st = kit.st
    title = ParagraphStyle("cover_title", parent=st.title, fontSize=30, leading=40,
                           spaceAfter=6 * mm)
    subtitle = ParagraphStyle("cover_sub", parent=st.body, fontSize=15, leading=22,
                              alignment=TA_CENTER)
    big = ParagraphStyle("cover_cell", parent=st.body, fontSize=13, leading=19)
    photo = Table([["一寸照片"]], colWidths=[26 * mm], rowHeights=[36 * mm], hAlign="CENTER")
    photo.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("TEXTCOLOR", (0, 0), (-1, -1), colors.grey),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    cats_text = "、".join(cats.name("person_category", c) for c in p.get("categories") or [])
    rows = [("服务站", station), ("姓名", p["name"]), ("身份证号", p["id_number"]),
            ("人员类别", cats_text), ("建档日期", date_text(p.get("registered_on"))),
            ("打印日期", f"{print_date:%Y年%m月%d日}")]
    lw, vw = 28 * mm, 92 * mm
    info = Table([[text(label, big), text(value, big)] for label, value in rows],
                 colWidths=[lw, vw], hAlign="CENTER")
    info.setStyle(TableStyle([
        ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return [
        _Mark(toc_entry(p["name"], p["id_number"])),
        Spacer(1, 28 * mm),
        Paragraph(TITLE, title),
        Paragraph(SUBTITLE, subtitle),
        Spacer(1, 22 * mm),
        photo,
        Spacer(1, 20 * mm),
        info,
        PageBreak(),
    ]


def _section(kit: _Kit, title: str, names: Sequence[str], p: dict[str, Any],
             cats: Catalogues, *, sub: bool = False) -> list[Flowable]:
    head = kit.subheading(title) if sub else kit.heading(title)
    if _all_blank(names, p):
        return [head, kit.nothing()]
    return [head, *kit.fields(_person_items(names, p, cats))]


def _family(kit: _Kit, family: list[dict[str, Any]], cats: Catalogues) -> list[Flowable]:
    out: list[Flowable] = [kit.subheading("家庭成员")]
    if not family:
        return [*out, kit.nothing()]
    spec = FIELDS["family_member"]
    cols = ("relation", "name", "phone", "id_number", "employment", "employer", "note")
    widths = [14 * mm, 20 * mm, 26 * mm, 36 * mm, 20 * mm, 28 * mm]
    widths.append(kit.width - sum(widths))
    rows = [[display_value(spec[c], fm.get(c), cats) for c in cols] for fm in family]
    return [*out, *kit.grid([spec[c].label for c in cols], rows, widths, note_col=6,
                            row_label=lambda r: f"{r[0]} {r[1]}")]


def _honours(kit: _Kit, honours: list[dict[str, Any]]) -> list[Flowable]:
    if not honours:
        return [kit.nothing()]
    widths = [18 * mm, 40 * mm, 30 * mm, 21 * mm, 16 * mm, 21 * mm]
    widths.append(kit.width - sum(widths))
    rows = []
    for h in sorted(honours, key=lambda h: (h.get("awarded_on") or h.get("applied_on")
                                            or date.min, h.get("title") or "")):
        extra = [f"{label}：{h[k]}" for k, label in
                 (("award_type", "奖励类型"), ("recipient", "接收人"), ("deliverer", "送达人"),
                  ("address", "地址"), ("deadline", "送达期限"), ("feedback", "反馈"))
                 if h.get(k)]
        rows.append([
            enum_label(enums.HonourKind, h.get("kind")), h.get("title") or "",
            h.get("award_unit") or "", date_text(h.get("awarded_on") or h.get("applied_on")),
            enum_label(enums.HonourState, h.get("state")), date_text(h.get("done_on")),
            "；".join(extra),
        ])
    header = ["类别", "名称", "授予单位", "授予/申请日期", "状态", "悬挂/送达日期", "其他"]
    return kit.grid(header, rows, widths, note_col=6, row_label=lambda r: r[1])


def _visit(kit: _Kit, v: dict[str, Any], cats: Catalogues, campaigns: dict[str, str],
           events: dict[str, dict[str, Any]]) -> list[Flowable]:
    kind = cats.name("visit_kind", v["kind"])
    title = f"{date_text(v['visit_date'])}　走访记录　{kind}"
    items = _record_items("visit", ("method", "visitor", "satisfaction", "gifts", "money_fen"),
                          v, cats, keep=("method", "visitor"))
    if v.get("campaign_id"):
        items.append(("慰问活动", campaigns.get(v["campaign_id"], ""), False))
    event = events.get(v.get("life_event_id") or "")
    if event:
        items.append(("对应变故", f"{date_text(event['event_date'])} "
                                  f"{cats.name('life_event', event['kind'])}", False))
    items += _record_items("visit", ("content", "needs", "follow_up"), v, cats)
    return kit.fields(items, per_row=3, title=title)


def _life_event(kit: _Kit, e: dict[str, Any], cats: Catalogues) -> list[Flowable]:
    title = f"{date_text(e['event_date'])}　重大变故　{cats.name('life_event', e['kind'])}"
    items = [("应走访日期", date_text(e.get("visit_due_on")), False),
             ("走访日期", date_text(e.get("closed_on")) or "尚未走访", False)]
    items += _record_items("life_event", ("description",), e, cats)
    return kit.fields(items, per_row=3, title=title)


def _aid(kit: _Kit, a: dict[str, Any], cats: Catalogues, reviews: list[dict[str, Any]],
         payments: list[dict[str, Any]]) -> list[Flowable]:
    title = f"{date_text(a['applied_on'])}　帮扶申请　{cats.name('aid_type', a['aid_type'])}"
    items = _record_items("aid_application", ("fund", "hardship_kind", "hardship_state",
                                              "helper", "requested_fen"), a, cats)
    items += [("核定金额", yuan(a.get("approved_fen")), False),
              ("办理状态", enum_label(enums.AidState, a.get("state")), False)]
    items += _record_items("aid_application", ("cause", "measures"), a, cats)
    out: list[Flowable] = kit.fields(items, per_row=3, title=title)
    out.append(kit.subheading("审核记录（村 → 镇 → 县）"))
    if reviews:
        widths = [12 * mm, 20 * mm, 24 * mm, 22 * mm, 26 * mm]
        widths.append(kit.width - sum(widths))
        rows = [[enum_label(enums.Level, r["level"]),
                 enum_label(enums.ReviewDecision, r["decision"]), r["reviewer"],
                 date_text(r["reviewed_on"]),
                 yuan(r.get("amount_fen")),
                 r.get("opinion") or ""] for r in reviews]
        out += kit.grid(["层级", "审核意见", "审核人", "审核日期", "核定金额", "意见"],
                        rows, widths, note_col=5, row_label=lambda r: f"{r[0]}级审核")
    else:
        out.append(kit.nothing())
    out.append(kit.subheading("发放记录"))
    if payments:
        spec = FIELDS["aid_payment"]
        cols = ("paid_on", "amount_fen", "in_kind", "in_kind_fen", "fund", "payer", "note")
        widths = [22 * mm, 26 * mm, 28 * mm, 24 * mm, 22 * mm, 20 * mm]
        widths.append(kit.width - sum(widths))
        rows = [[display_value(spec[c], p.get(c), cats) for c in cols] for p in payments]
        out += kit.grid([spec[c].label for c in cols], rows, widths, note_col=6,
                        row_label=lambda r: f"{r[0]} 发放")
    else:
        out.append(kit.nothing())
    return out


def _case(kit: _Kit, c: dict[str, Any], cats: Catalogues, steps: list[dict[str, Any]]
          ) -> list[Flowable]:
    title = f"{date_text(c['registered_on'])}　矛盾纠纷　{cats.name('case_type', c['case_type'])}"
    items = _record_items("dispute_case", ("parties", "registrar", "channel", "urgency",
                                           "deadline", "repeat_petition"), c, cats)
    items += [
        ("当前层级", enum_label(enums.Level, c.get("level")), False),
        ("办理状态", enum_label(enums.CaseState, c.get("state")), False),
        ("办结日期", date_text(c.get("closed_on")), False),
        ("化解层级", enum_label(enums.Level, c.get("resolved_level")), False),
        ("满意情况", enum_label(enums.Satisfaction, c.get("satisfaction")), False),
    ]
    items += _record_items("dispute_case", ("content",), c, cats)
    if c.get("outcome"):
        items.append(("处理结果", c["outcome"], True))
    out: list[Flowable] = kit.fields(items, per_row=3, title=title)
    out.append(kit.subheading("办理经过"))
    if steps:
        widths = [22 * mm, 16 * mm, 22 * mm, 22 * mm]
        widths.append(kit.width - sum(widths))
        rows = []
        for s in steps:
            lv_from = enum_label(enums.Level, s.get("from_level"))
            lv_to = enum_label(enums.Level, s.get("to_level"))
            levels = lv_to if not lv_from or lv_from == lv_to else f"{lv_from} → {lv_to}"
            rows.append([date_text(s["step_on"]), enum_label(enums.CaseAction, s["action"]), levels,
                         s.get("handler") or "", s.get("note") or ""])
        out += kit.grid(["日期", "操作", "层级", "经办人", "说明"], rows, widths, note_col=4,
                        row_label=lambda r: f"{r[0]} {r[1]}")
    else:
        out.append(kit.nothing())
    return out


def _records(kit: _Kit, fd: _FileData, cats: Catalogues, campaigns: dict[str, str]
             ) -> list[Flowable]:
    """Visits, life events, aid and cases, in date order."""
    data = fd.file
    events = {e["id"]: e for e in data["life_events"]}
    payments: dict[str, list[dict[str, Any]]] = {}
    for pay in data["payments"]:
        payments.setdefault(pay["application_id"], []).append(pay)
    dated: list[tuple[date, int, str, Callable[[], list[Flowable]]]] = []
    for v in data["visits"]:
        dated.append((v["visit_date"], 1, v["id"],
                      lambda v=v: _visit(kit, v, cats, campaigns, events)))
    for e in data["life_events"]:
        dated.append((e["event_date"], 0, e["id"], lambda e=e: _life_event(kit, e, cats)))
    for a in data["aid"]:
        dated.append((a["applied_on"], 2, a["id"],
                      lambda a=a: _aid(kit, a, cats, fd.reviews.get(a["id"], []),
                                       payments.get(a["id"], []))))
    for c in data["cases"]:
        dated.append((c["registered_on"], 3, c["id"],
                      lambda c=c: _case(kit, c, cats, fd.steps.get(c["id"], []))))
    if not dated:
        return [kit.nothing()]
    dated.sort(key=lambda t: (t[0], t[1], t[2]))
    out: list[Flowable] = []
    for i, (_d0, _k, _id, make) in enumerate(dated):
        if i:
            out.append(Spacer(1, 3 * mm))
        out += make()
    return out


def _booklet(kit: _Kit, fd: _FileData, cats: Catalogues, campaigns: dict[str, str],
             station: str, print_date: date) -> list[Flowable]:
    """Every flowable of one person's booklet, cover first."""
    p = fd.file["person"]
    out = _cover(kit, p, cats, station, print_date)
    out += _section(kit, "一、基本信息", BASIC, p, cats)
    out += _family(kit, fd.file["family"], cats)
    out += _section(kit, "二、服役信息", SERVICE, p, cats)
    out += _section(kit, "退役安置", DISCHARGE, p, cats, sub=True)
    out += _section(kit, "三、就业创业", EMPLOYMENT, p, cats)
    out.append(kit.heading("四、抚恤优待"))
    for title, names in (("优抚待遇", BENEFITS), ("伤残情况", DISABILITY), ("烈士情况", MARTYR)):
        out += _section(kit, title, names, p, cats, sub=True)
    out += _section(kit, "五、党员、兵支书与两委任职", PARTY, p, cats)
    out += _section(kit, "六、技能特长、意愿需求与困难", WISHES, p, cats)
    out.append(kit.heading("七、荣誉褒扬"))
    out += _honours(kit, fd.file["honours"])
    out.append(kit.heading("八、走访慰问、帮扶援助与矛盾纠纷记录（按日期）"))
    out += _records(kit, fd, cats, campaigns)
    return out


# --- documents -----------------------------------------------------------------------


class _Deferred(Flowable):
    """A placeholder for one person's booklet, read from the database when it is reached."""

    def __init__(self, expand: Callable[[], list[Flowable]]):
        super().__init__()
        self._expand = expand

    def expand(self) -> list[Flowable]:
        return self._expand()

    def wrap(self, _aw: float, _ah: float) -> tuple[float, float]:  # pragma: no cover
        return 0, 0

    def draw(self) -> None:  # pragma: no cover
        pass


class _Contents(TableOfContents):
    """The table of contents, laid out in ONE pass.

    Each person's booklet starts on a new page, and the contents' length is
    known before anything is laid out (one line per person, texts known), so
    only the page numbers are missing when the contents page is drawn. Each
    number is drawn as a reference to a small PDF form (``toc<i>``) that
    :meth:`define_numbers` writes once the last page is done (the PDF format
    lets a page use a form defined later). A two-pass ``multiBuild`` would lay
    out and draw every booklet twice.
    """

    def __init__(self, entries: list[str], style: ParagraphStyle):
        super().__init__(levelStyles=[style], dotsMinLevel=0)
        # What reportlab draws from is the last pass's entries; the "page" is the index.
        self._lastEntries = [(0, _esc(e), i, None) for i, e in enumerate(entries)]
        # Room kept for the number after the dots: four digits and a little air.
        self.number_width = stringWidth("0000", style.fontName, style.fontSize) + 2

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        size = super().wrap(availWidth, availHeight)
        style = self.getLevelStyle(0)

        def entry_end(canvas: Any, _kind: str, label: str) -> None:
            index = int(label.split(",")[0])
            x, y = canvas._curr_tx_info["cur_x"], canvas._curr_tx_info["cur_y"]
            dot = " . "
            dot_w = stringWidth(dot, style.fontName, style.fontSize)
            # Dots on a fixed grid, so the leaders of all lines line up.
            start = math.ceil((x + 2) / dot_w) * dot_w
            n = max(0, int((availWidth - self.number_width - start) / dot_w))
            canvas.saveState()
            canvas.setFont(style.fontName, style.fontSize)
            canvas.drawString(start, y, dot * n)
            canvas.translate(availWidth, y)
            canvas.doForm(f"toc{index}")
            canvas.restoreState()

        self.canv.setNamedCB("drawTOCEntryEnd", entry_end)
        return size

    def define_numbers(self, canvas: Any, pages: Sequence[int]) -> None:
        """Write the page number of every entry (right-aligned at the form's origin)."""
        style = self.getLevelStyle(0)
        for i in range(len(self._lastEntries)):
            canvas.beginForm(f"toc{i}", lowerx=-4 * self.number_width, lowery=-style.fontSize,
                             upperx=0, uppery=style.leading)
            canvas.setFont(style.fontName, style.fontSize)
            canvas.drawRightString(0, 0, str(pages[i]) if i < len(pages) else "")
            canvas.endForm()


def doc_class(state: dict[str, Any], contents: _Contents | None = None
               ) -> type[BaseDocTemplate]:
    """A document class that counts its pages into ``state["pages"]``.

    It also expands :class:`_Deferred` placeholders just in time, notes the
    page of every cover in ``state["covers"]`` and, with ``contents``, writes
    the table of contents' page numbers before the file is saved.
    """

    class _BookletDoc(BaseDocTemplate):

        def filterFlowables(self, flowables: list[Flowable]) -> None:  # noqa: N802
            while flowables and isinstance(flowables[0], _Deferred):
                flowables[0:1] = flowables[0].expand()

        def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802
            if getattr(flowable, "toc_entry", None) is not None:
                state.setdefault("covers", []).append(self.page)

        def afterPage(self) -> None:  # noqa: N802
            state["pages"] = self.page

        def build(self, flowables: list[Flowable], **kw: Any) -> None:
            # Save only once the contents' page numbers are known.
            self._doSave = 0
            super().build(flowables, **kw)
            if contents is not None:
                contents.define_numbers(self.canv, state.get("covers", []))
            self.canv.save()

    return _BookletDoc


def _station_name(svc: StationReader) -> str:
    return svc.store.meta("station_name") or ""


def _campaigns(svc: StationReader) -> dict[str, str]:
    return {c["id"]: c["name"] for c in svc.list("campaign")}


def print_person(svc: StationReader, person_id: str, out: Path, *,
                 progress: Progress | None = None) -> dict[str, Any]:
    """One person's booklet as a PDF: ``{"file", "pages", "persons": 1}``."""
    tick(progress, 0, 1, PRINT_CANCELLED)
    result = _person_pdf(svc, person_id, Path(out), progress)
    if progress is not None:
        progress(1, 1)
    return result


def _person_pdf(svc: StationReader, person_id: str, out: Path,
                progress: Progress | None) -> dict[str, Any]:
    """The booklet of one person; ``progress`` is only asked whether to stop."""
    fd = _load(svc, person_id)
    today = svc.today
    station = _station_name(svc)
    kit = _Kit(styles())
    story = _booklet(kit, fd, svc.catalogues(), _campaigns(svc), station, today)
    state: dict[str, int] = {}
    path = build_pdf(out, story, PageInfo(station, TITLE, today),
                     doc_class=doc_class(state), progress=progress)
    return {"file": str(path), "pages": state.get("pages", 0), "persons": 1}


def _resolve_categories(cats: Catalogues, categories: Sequence[str]) -> list[str]:
    codes = []
    for c in categories:
        try:
            codes.append(cats.resolve("person_category", c))
        except ValidationError:
            names = "、".join(e.name for e in cats.entries("person_category"))
            raise ValidationError("category", f"没有“{c}”这个人员类别。",
                                  hint=f"可选的人员类别：{names}。") from None
    return codes


def select_persons(svc: StationReader, *, categories: Sequence[str] | None = None,
                   person_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The persons to print, in roster (pinyin) order: ``[{"id", "name", "id_number"}]``."""
    cats = svc.catalogues()
    everyone = roster_ids(svc.store)
    if categories:
        wanted: set[str] = set()
        for code in _resolve_categories(cats, categories):
            wanted.update(roster_ids(svc.store, RosterFilter(category=code)))
        ids = [pid for pid in everyone if pid in wanted]
    else:
        ids = everyone
    if person_ids is not None:
        live = set(ids)
        missing = [pid for pid in person_ids if pid not in live]
        if missing and not categories:
            raise NotFoundError(f"找不到人员档案：{'、'.join(missing[:5])}"
                                + ("等" if len(missing) > 5 else "") + "，可能已被删除。",
                                code="not_found")
        chosen = set(person_ids)
        ids = [pid for pid in ids if pid in chosen]
    rows = rows_by_ids(svc.store, ids)
    return [{"id": pid, "name": rows[pid]["name"], "id_number": rows[pid]["id_number"]}
            for pid in ids]


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def safe_file_name(name: str, id_number: str) -> str:
    """``<姓名>-<ID末4位>.pdf`` with nothing from the data that a path could misread."""
    clean = _UNSAFE.sub("", unicodedata.normalize("NFKC", name or ""))
    clean = clean.replace("..", "").strip(" .") or "人员"
    last4 = _UNSAFE.sub("", id_number[-4:]) or "0000"
    return f"{clean[:40]}-{last4}.pdf"


def print_booklets(
    svc: StationReader, out: Path, *, categories: list[str] | None = None,
    person_ids: list[str] | None = None, one_file_each: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Booklets of the roster, some categories or a selection.

    One PDF with a table of contents (``{"file", "pages", "persons"}``), or with
    ``one_file_each`` one PDF per person in the folder ``out``
    (``{"folder", "files", "persons", "total_pages"}``).
    """
    persons = select_persons(svc, categories=categories, person_ids=person_ids)
    if not persons:
        raise ValidationError("persons", "没有符合条件的人员，未生成文件。",
                              hint="请检查所选人员类别或人员。")
    if one_file_each:
        return _each(svc, Path(out), persons, progress)
    return _one_pdf(svc, Path(out), persons, categories, progress)


def _each(svc: StationReader, folder: Path, persons: list[dict[str, Any]],
          progress: Progress | None) -> dict[str, Any]:
    if folder.exists() and not folder.is_dir():
        raise ValidationError("out", f"“{folder}”是一个文件，不是文件夹。",
                              hint="每人一个文件时，请指定一个文件夹。")
    created_folder = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[str] = set()
    total_pages = 0
    try:
        for i, p in enumerate(persons):
            tick(progress, i, len(persons), PRINT_CANCELLED)
            name = safe_file_name(p["name"], p["id_number"])
            stem, n = name[:-4], 2
            while name.lower() in used:
                name, n = f"{stem}-{n}.pdf", n + 1
            used.add(name.lower())
            path = folder / name
            result = _person_pdf(svc, p["id"], path, progress)
            written.append(path)
            total_pages += result["pages"]
    except Cancelled:
        for path in written:
            path.unlink(missing_ok=True)
        if created_folder and not any(folder.iterdir()):
            folder.rmdir()
        raise
    if progress is not None:
        progress(len(persons), len(persons))
    # No "pages" key: a caller tells one file from a folder by it (cli._print_done).
    return {"folder": str(folder), "files": len(written), "persons": len(persons),
            "total_pages": total_pages}


def _one_pdf(svc: StationReader, out: Path, persons: list[dict[str, Any]],
             categories: list[str] | None, progress: Progress | None) -> dict[str, Any]:
    today = svc.today
    station = _station_name(svc)
    cats = svc.catalogues()
    campaigns = _campaigns(svc)
    kit = _Kit(styles())
    st = kit.st
    n = len(persons)
    done = [0]

    def expand(pid: str) -> list[Flowable]:
        tick(progress, done[0], n, PRINT_CANCELLED)
        done[0] += 1
        return _booklet(kit, _load(svc, pid), cats, campaigns, station, today)

    toc_style = ParagraphStyle("toc0", fontName=FONT, fontSize=st.body.fontSize,
                               leading=st.body.fontSize * 1.7, wordWrap="CJK")
    toc = _Contents([toc_entry(p["name"], p["id_number"]) for p in persons], toc_style)
    scope = ("人员类别：" + "、".join(cats.name("person_category", c)
                                  for c in _resolve_categories(cats, categories))
             if categories else "全部在册人员")
    story: list[Flowable] = [
        Paragraph(f"{TITLE}（汇编）", st.title),
        Paragraph(_esc(f"{station}　{scope}　共 {n} 人"),
                  ParagraphStyle("scope", parent=st.body, alignment=TA_CENTER)),
        Spacer(1, 4 * mm),
        Paragraph("目　录", ParagraphStyle("toc_head", parent=st.heading, alignment=TA_CENTER)),
        toc,
    ]
    for p in persons:
        story += [PageBreak(), _Deferred(lambda pid=p["id"]: expand(pid))]
    state: dict[str, int] = {}
    path = build_pdf(out, story, PageInfo(station, TITLE, today),
                     doc_class=doc_class(state, toc), progress=progress)
    if progress is not None:
        progress(n, n)
    return {"file": str(path), "pages": state.get("pages", 0), "persons": n}
