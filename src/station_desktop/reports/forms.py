"""Blank forms to fill in by hand in the field: 信息采集表 and 走访记录表.

The collection form has a ruled box for every field of a person's file
(labels from :data:`store.fields.PERSON_FIELDS`, in the booklet's section
order), tick boxes for the fields that take one of a few values (the 17
person categories and the other short lists come from the catalogues, enum
fields from their labels), 18 boxes for the ID number and tall boxes for the
long texts. The visit form holds two blank visit records a page.

No station is needed: the station name line is left blank for hand-filling.
The tick box is □ (U+25A1): the bundled font has no ☐ (U+2610).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from station_desktop.domain import enums
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.validate import MAX_TEXT
from station_desktop.reports import booklet
from station_desktop.reports.pdf import FONT, PageInfo, Styles, build_pdf, frame_width, styles
from station_desktop.store.fields import FIELDS, PERSON_FIELDS, Field

BOX = "□"
BLANK_STATION = "______服务站"

KINDS: dict[str, str] = {"collection": "信息采集表", "visit": "走访记录表"}

LABEL_W = 24 * mm
ROW_H = 9 * mm
LONG_H = 22 * mm
# Catalogues longer than this get a blank box instead of tick boxes (民族: 56 entries).
MAX_OPTIONS = 17
LABEL_BG = colors.HexColor("#f0f0f0")
TITLE_BG = colors.HexColor("#dcdcdc")

# Fields whose value the form asks for with a unit or a pattern to complete.
_SUFFIX = {"service_years": "年", "disability_grade": "级", "annual_confirmed_year": "年"}
DATE_HINT = "　　　　年　　月　　日"
MONTH_HINT = "　　　　年　　月"


def _keep_spaces(s: str) -> str:
    """Paragraph markup in which blank runs keep their width (reportlab collapses spaces)."""
    return s.replace("　", "&nbsp;" * 4).replace(" ", "&nbsp;")


class _Options(Flowable):
    """Tick boxes drawn as squares, each with its label, in aligned columns."""

    def __init__(self, labels: Sequence[str], width: float, size: float):
        super().__init__()
        self.labels = list(labels)
        self.size = size
        self.box = size * 0.95
        self.gap = 1.5 * mm
        self.line = size * 1.75
        item_w = max(stringWidth(s, FONT, size) for s in self.labels) + self.box + self.gap
        self.per_row = max(1, min(len(self.labels), int(width // (item_w + 3 * mm))))
        self.col_w = width / self.per_row
        self.rows = math.ceil(len(self.labels) / self.per_row)
        self.width = width

    def wrap(self, _aw: float, _ah: float) -> tuple[float, float]:
        return self.width, self.rows * self.line

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setFont(FONT, self.size)
        c.setLineWidth(0.6)
        for i, label in enumerate(self.labels):
            row, col = divmod(i, self.per_row)
            x = col * self.col_w
            y = (self.rows - row - 1) * self.line + (self.line - self.box) / 2
            c.rect(x, y, self.box, self.box, stroke=1, fill=0)
            c.drawString(x + self.box + self.gap, y + self.box * 0.12, label)
        c.restoreState()


class _Form:
    """Styles, widths and the table builders the two forms share."""

    def __init__(self, st: Styles):
        self.st = st
        self.width = frame_width(False)
        self.size = st.cell.fontSize
        self.hint_style = ParagraphStyle("hint", parent=st.cell, textColor=colors.grey)
        self.hint_right = ParagraphStyle("hint_right", parent=self.hint_style, alignment=TA_RIGHT)
        self.base = [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), self.size),
            ("LEADING", (0, 0), (-1, -1), st.cell.leading),
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]

    def hint(self, s: str, *, right: bool = False) -> Paragraph:
        """Grey printed guidance in a box to fill (年 月 日, units)."""
        style = self.hint_right if right else self.hint_style
        return Paragraph(_keep_spaces(s), style)

    def label(self, s: str, width: float) -> Any:
        if stringWidth(s, FONT, self.size) <= width - 7:
            return s
        return Paragraph(s, self.st.cell)

    def options(self, labels: Sequence[str], width: float) -> _Options:
        return _Options(labels, width - 6, self.size)

    def fits_line(self, labels: Sequence[str], width: float) -> bool:
        """Whether the tick boxes fit on one line of a cell ``width`` wide."""
        return _Options(labels, width - 6, self.size).rows == 1

    def id_boxes(self, width: float) -> Table:
        """Eighteen boxes for the ID number, one character each."""
        w = min(6.5 * mm, (width - 6) / 18)
        table = Table([[""] * 18], colWidths=[w] * 18, rowHeights=[6.5 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        return table

    def grid(self, rows: list[list[Any]], widths: Sequence[float], heights: Sequence[float],
             extra: Sequence[tuple] = ()) -> Table:
        table = Table(rows, colWidths=list(widths), minRowHeights=list(heights))
        table.setStyle(TableStyle([*self.base, *extra]))
        return table

    def heading(self, title: str) -> Paragraph:
        p = Paragraph(title, self.st.heading)
        p.keepWithNext = True
        return p


def _option_labels(name: str, f: Field, cats: Catalogues) -> list[str] | None:
    """The tick-box choices of a field, or None when it is written by hand."""
    match f.type:
        case "bool":
            return ["是", "否"]
        case "enum":
            return [label for _value, label in f.arg.choices()]
        case "cat" | "cats":
            entries = cats.entries(f.arg)
            if len(entries) <= MAX_OPTIONS:
                return [e.name for e in entries]
    return None


def _field_table(form: _Form, names: Sequence[str], cats: Catalogues) -> list[Flowable]:
    """Fields in order: short ones two a row, tick-box lists and tall boxes a row each.

    A full-width row that comes while a short field waits for its partner is
    put after the pair, so no half row stays empty.
    """
    half_v = form.width / 2 - LABEL_W
    wide_v = form.width - LABEL_W
    rows: list[list[Any]] = []
    heights: list[float] = []
    extra: list[tuple] = []
    pending: list[tuple[str, Any]] = []
    deferred: list[tuple[str, Any, float]] = []

    def add_pair(pair: list[tuple[str, Any]]) -> None:
        r = len(rows)
        row: list[Any] = []
        for j, (label, value) in enumerate(pair):
            row += [form.label(label, LABEL_W), value]
            extra.append(("BACKGROUND", (2 * j, r), (2 * j, r), LABEL_BG))
        if len(pair) == 1:
            row += ["", ""]
            extra.append(("SPAN", (1, r), (3, r)))
        rows.append(row)
        heights.append(ROW_H)

    def add_wide(label: str, value: Any, height: float) -> None:
        r = len(rows)
        rows.append([form.label(label, LABEL_W), value, "", ""])
        heights.append(height)
        extra.extend([("SPAN", (1, r), (3, r)), ("BACKGROUND", (0, r), (0, r), LABEL_BG)])
        if height > ROW_H:
            extra.append(("VALIGN", (0, r), (0, r), "TOP"))

    for name in names:
        f = PERSON_FIELDS[name]
        opts = _option_labels(name, f, cats)
        value: Any = ""
        height = 0.0  # 0: a short field
        if opts is not None:
            if form.fits_line(opts, half_v):
                value = form.options(opts, half_v)
            else:
                value, height = form.options(opts, wide_v), ROW_H
        elif f.type == "id_number":
            value, height = form.id_boxes(wide_v), ROW_H
        elif f.type == "text" and f.max_len >= MAX_TEXT:
            height = LONG_H
        elif f.type in ("date", "month"):
            value = form.hint(DATE_HINT if f.type == "date" else MONTH_HINT)
        elif name in _SUFFIX:
            value = form.hint(_SUFFIX[name], right=True)
        if height:
            if pending:
                deferred.append((f.label, value, height))
            else:
                add_wide(f.label, value, height)
            continue
        pending.append((f.label, value))
        if len(pending) == 2:
            add_pair(pending)
            pending = []
            for item in deferred:
                add_wide(*item)
            deferred = []
    if pending:
        add_pair(pending)
    for item in deferred:
        add_wide(*item)
    return [form.grid(rows, [LABEL_W, half_v, LABEL_W, half_v], heights, extra)]


def _family(form: _Form, blank_rows: int = 5) -> list[Flowable]:
    spec = FIELDS["family_member"]
    cols = ("relation", "name", "phone", "id_number", "employment", "employer")
    widths = [16 * mm, 22 * mm, 30 * mm, 46 * mm, 24 * mm]
    widths.append(form.width - sum(widths))
    rows: list[list[Any]] = [[spec[c].label for c in cols]]
    rows += [[""] * len(cols) for _ in range(blank_rows)]
    return [form.grid(rows, widths, [7 * mm] + [ROW_H] * blank_rows,
                      [("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
                       ("ALIGN", (0, 0), (-1, 0), "CENTER")])]


def _collection_story(form: _Form, cats: Catalogues) -> list[Flowable]:
    st = form.st
    basic = [n for n in booklet.BASIC if n in PERSON_FIELDS]
    sections: list[tuple[str, Sequence[str]]] = [
        ("二、服役信息", booklet.SERVICE),
        ("三、退役安置", booklet.DISCHARGE),
        ("四、就业创业", booklet.EMPLOYMENT),
        ("五、抚恤优待", (*booklet.BENEFITS, *booklet.DISABILITY, *booklet.MARTYR)),
        ("六、党员、兵支书与两委任职", booklet.PARTY),
        ("七、技能特长、意愿需求与困难", booklet.WISHES),
    ]
    head = ParagraphStyle("form_head", parent=st.body, alignment=TA_CENTER)
    story: list[Flowable] = [
        Paragraph("退役军人和其他优抚对象信息采集表", st.title),
        Paragraph(_keep_spaces("服务站：____________________　　采集日期：______年____月____日"
                               "　　编号：__________"), head),
        Spacer(1, 2 * mm),
        form.heading("一、基本信息"),
        *_field_table(form, basic, cats),
        Paragraph("家庭成员", ParagraphStyle("sub", parent=st.body, spaceBefore=2 * mm,
                                          spaceAfter=1 * mm, keepWithNext=True)),
        *_family(form),
    ]
    for title, names in sections:
        story += [form.heading(title), *_field_table(form, names, cats)]
    story += [
        Spacer(1, 8 * mm),
        Paragraph(_keep_spaces("本人（或家属）签字：______________　　采集人签字：______________"
                               "　　日期：______年____月____日"), st.body),
    ]
    return story


def _visit_record(form: _Form, cats: Catalogues) -> Table:
    """One blank visit record (被走访人 … 被走访人签字) as a ruled table."""
    spec = FIELDS["visit"]
    lw = 24 * mm
    vw = form.width / 2 - lw
    wide = form.width - lw
    kinds = form.options([e.name for e in cats.entries("visit_kind")], wide)
    methods = form.options([label for _v, label in enums.VisitMethod.choices()], wide)
    satisfaction = form.options([label for _v, label in enums.Satisfaction.choices()], wide)
    rows: list[list[Any]] = [
        [Paragraph(_keep_spaces("走访记录　　　　编号："), form.st.cell), "", "", ""],
        [spec["person_id"].label, "", spec["visit_date"].label, form.hint(DATE_HINT)],
        [spec["kind"].label, kinds, "", ""],
        [spec["method"].label, methods, "", ""],
        [spec["content"].label, "", "", ""],
        [spec["needs"].label, "", "", ""],
        [spec["money_fen"].label, form.hint("元", right=True), spec["gifts"].label, ""],
        [spec["satisfaction"].label, satisfaction, "", ""],
        ["走访人签字", "", "被走访人签字", ""],
    ]
    heights = [7 * mm, ROW_H, ROW_H, ROW_H, 25 * mm, 15 * mm, ROW_H, ROW_H, 11 * mm]
    extra: list[tuple] = [
        ("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), TITLE_BG),
        ("BACKGROUND", (0, 1), (0, -1), LABEL_BG),
        *[("BACKGROUND", (2, r), (2, r), LABEL_BG) for r in (1, 6, 8)],
        ("VALIGN", (0, 4), (0, 5), "TOP"),
        *[("SPAN", (1, r), (-1, r)) for r in (2, 3, 4, 5, 7)],
    ]
    return form.grid(rows, [lw, vw, lw, vw], heights, extra)


def _visit_story(form: _Form, cats: Catalogues, per_page: int = 2) -> list[Flowable]:
    title = ParagraphStyle("visit_title", parent=form.st.title, spaceAfter=2 * mm)
    story: list[Flowable] = [Paragraph("走访慰问记录表", title)]
    for i in range(per_page):
        if i:
            story.append(Spacer(1, 5 * mm))
        story.append(_visit_record(form, cats))
    return story


def resolve_kind(kind: str) -> str:
    """``collection`` or ``visit`` from either the code or the Chinese name."""
    k = (kind or "").strip()
    for code, name in KINDS.items():
        if k.lower() == code or k == name:
            return code
    options = "、".join(f"{code}（{name}）" for code, name in KINDS.items())
    raise ValidationError("kind", f"没有“{kind}”这种空白表，可选：{options}。")


def print_form(kind: str, out: Path) -> dict[str, Any]:
    """A blank form as a PDF: ``{"file", "pages", "kind"}``."""
    code = resolve_kind(kind)
    cats = Catalogues.defaults()
    form = _Form(styles())
    story = _collection_story(form, cats) if code == "collection" else _visit_story(form, cats)
    state: dict[str, Any] = {}
    info = PageInfo(BLANK_STATION, KINDS[code], date.today())
    path = build_pdf(Path(out), story, info, doc_class=booklet.doc_class(state))
    return {"file": str(path), "pages": state.get("pages", 0), "kind": code,
            "title": KINDS[code]}


__all__ = ["KINDS", "print_form", "resolve_kind"]
