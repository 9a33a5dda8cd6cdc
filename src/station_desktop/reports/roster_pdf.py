"""The village roster (花名册): persons grouped by category, landscape A4.

One group per 人员类别 in the county catalogue's order, each with a heading
“退役士兵（共 N 人）”, a ruled table whose header row repeats on every page
it runs over, and a subtotal row (人数, 男/女, 党员). A person with several
categories is listed under each of them; the document says so under the
title and ends with a summary of every group and the 去重总人数 (each person
counted once).

Within a group persons are in pinyin order of their names, the order of the
人员档案 list (:func:`station_desktop.store.search.name_readings`: surname
aware, 曾 is zeng).

Column widths are measured in the embedded font from the widest value a
column can hold (an 18-character ID number, a date), so those never wrap;
the free-text columns (常住地, 备注/重点关注) share the rest of the width and
wrap between any characters, so nothing is cut off at any length the forms
allow (常住地 and 重点关注原因: 200 characters). The person's long 备注 text
(up to 5 000 characters) is in the booklet, not here: a table row taller
than a page cannot be laid out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, Paragraph, Spacer
from sqlalchemy import text as sql

from station_desktop.domain import enums
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import NotFoundError, ValidationError
from station_desktop.domain.progress import Progress, check
from station_desktop.reports.pdf import (
    FONT,
    PRINT_CANCELLED,
    PageInfo,
    Styles,
    build_pdf,
    frame_width,
    grid_table,
    styles,
)
from station_desktop.store.display import enum_label, month_text
from station_desktop.store.fields import PERSON_FIELDS, grade_text
from station_desktop.store.reader import StationReader, json_list
from station_desktop.store.search import compact_name, name_readings

TITLE = "花名册"
CATEGORY = "person_category"
PARTY = (enums.PoliticalStatus.CPC_MEMBER.value, enums.PoliticalStatus.CPC_PROBATIONARY.value)
BASE_SIZE = 9.0  # 8.1 pt table text: 14 columns on landscape A4, still readable
PAD = 3  # left/right cell padding of grid_table, points
# Rough rows per landscape page, only to move the progress bar while pages are laid out.
ROWS_PER_PAGE = 20

_COLUMNS = (
    "person", "name", "sex", "birth_date", "ethnicity", "political_status", "id_number",
    "enlist_date", "discharge_date", "resettlement_mode", "disability_grade", "phone",
    "residence", "note",
)

def _label(name: str) -> str:
    return PERSON_FIELDS[name].label


HEADERS: dict[str, str] = {
    "person": "序号",
    **{c: _label(c) for c in _COLUMNS if c in PERSON_FIELDS},
    "note": "备注/重点关注",
}

# The widest value each fixed column holds; the column is as wide as the
# wider of this and its header (one line of text each).
_WIDEST: dict[str, str] = {
    "person": "0000",
    "name": "欧阳建国",
    "sex": "男",
    "birth_date": "0000-00-00",
    "ethnicity": "土家族",
    "political_status": "中共预备党员",
    "id_number": "00000000000000000X",
    "enlist_date": "0000-00",
    "discharge_date": "0000-00",
    "resettlement_mode": "自主就业",
    "disability_grade": "因战十级",
    "phone": "00000000000",
}
# Share of the remaining width for the columns that wrap.
_FLEX = {"residence": 0.5, "note": 0.5}


@dataclass
class _Person:
    id: str
    name: str
    sex: str
    party: bool
    categories: list[str]
    cells: dict[str, str]
    station: str
    sort_key: tuple[str, str]


def column_widths(st: Styles, columns: Sequence[str]) -> list[float]:
    """Widths (points) of ``columns`` on landscape A4: fixed ones measured, the rest shared."""
    size_body, size_head = st.cell.fontSize, st.cell_head.fontSize
    fixed = {
        c: max(stringWidth(_WIDEST[c], FONT, size_body), stringWidth(HEADERS[c], FONT, size_head))
        + 2 * PAD + 1.5
        for c in columns if c in _WIDEST
    }
    free = frame_width(True) - sum(fixed.values())
    flex = [c for c in columns if c not in fixed]
    share = sum(_FLEX[c] for c in flex)
    return [fixed[c] if c in fixed else free * _FLEX[c] / share for c in columns]


def _disability(nature: Any, grade: Any) -> str:
    if not grade:
        return ""
    return enum_label(enums.DisabilityNature, nature) + grade_text(grade)


def _category_order(cats: Catalogues) -> list[str]:
    return [e.code for e in cats.entries(CATEGORY, active_only=False)]


def resolve_categories(cats: Catalogues, wanted: Iterable[str]) -> list[str]:
    """Category codes for codes or Chinese names (inactive categories too, for old files)."""
    out: list[str] = []
    every = cats.entries(CATEGORY, active_only=False)
    for item in wanted:
        s = str(item).strip()
        if not s:
            continue
        try:
            code = cats.resolve(CATEGORY, s)
        except ValidationError:
            found = [e.code for e in every if s in (e.code, e.name)]
            if not found:
                options = "、".join(e.name for e in cats.entries(CATEGORY))
                raise ValidationError(
                    "category", f"没有“{s}”这个人员类别。",
                    hint=f"可选：{options}。") from None
            code = found[0]
        if code not in out:
            out.append(code)
    return out


def _load(svc: StationReader, cats: Catalogues, person_ids: Sequence[str] | None) -> list[_Person]:
    with svc.store.read() as s:
        rows = s.execute(sql(
            "SELECT id, name, sex, birth_date, ethnicity, political_status, id_number, "
            "enlist_date, discharge_date, resettlement_mode, disability_nature, "
            "disability_grade, phone, phone2, residence, key_focus, key_focus_reason, "
            "categories, station_code FROM person WHERE deleted_at IS NULL")).all()
    if person_ids is not None:
        wanted = set(person_ids)
        rows = [r for r in rows if r[0] in wanted]
        missing = len(wanted) - len(rows)
        if missing:
            raise NotFoundError(
                f"所选人员中有 {missing} 人找不到（可能已被删除），未能打印花名册。",
                hint="请刷新人员列表后重新选择。", code="not_found")
    out = []
    for (pid, name, sex, birth, eth, pol, idn, enlist, discharge, resettle, dnat, dgrade,
         phone, phone2, residence, focus, reason, categories, station) in rows:
        phones = "\n".join(p for p in (phone, phone2) if p)
        focus_text = ""
        if focus:
            focus_text = "重点关注" + (f"：{reason}" if reason else "")
        out.append(_Person(
            id=pid, name=name, sex=sex or "", party=pol in PARTY,
            categories=json_list(categories), station=station,
            sort_key=(name_readings(compact_name(name))[1], name),
            cells={
                "name": name,
                "sex": enum_label(enums.Sex, sex),
                "birth_date": str(birth or ""),
                "ethnicity": cats.name("ethnicity", eth) if eth else "",
                "political_status": enum_label(enums.PoliticalStatus, pol),
                "id_number": idn,
                "enlist_date": month_text(enlist),
                "discharge_date": month_text(discharge),
                "resettlement_mode": cats.name("resettlement_mode", resettle) if resettle else "",
                "disability_grade": _disability(dnat, dgrade),
                "phone": phones,
                "residence": residence or "",
                "note": focus_text,
            }))
    return out


@dataclass(frozen=True)
class GroupCount:
    persons: int
    male: int
    female: int
    party: int


def count(persons: Sequence[_Person]) -> GroupCount:
    return GroupCount(
        len(persons), sum(p.sex == enums.Sex.MALE.value for p in persons),
        sum(p.sex == enums.Sex.FEMALE.value for p in persons), sum(p.party for p in persons))


def _subtotal(c: GroupCount) -> str:
    return (f"小计：{c.persons} 人，其中男 {c.male} 人、女 {c.female} 人；"
            f"党员 {c.party} 人（含预备党员）")


def _note(p: _Person, code: str, cats: Catalogues, stations: dict[str, str] | None) -> str:
    parts = [p.cells["note"]] if p.cells["note"] else []
    others = [cats.name(CATEGORY, c) for c in p.categories if c != code]
    if others:
        parts.append("另属：" + "、".join(others))
    if stations is not None:
        parts.append("所属站点：" + stations.get(p.station, p.station))
    return "\n".join(parts)


def _cells(code: str, members: list[_Person], columns: Sequence[str], cats: Catalogues,
           stations: dict[str, str] | None) -> list[list[str]]:
    """The text of each listed person's row in ``columns``, 序号 from 1."""
    rows = []
    for i, p in enumerate(members, 1):
        row = []
        for c in columns:
            if c == "person":
                row.append(str(i))
            elif c == "note":
                row.append(_note(p, code, cats, stations))
            else:
                row.append(p.cells[c])
        rows.append(row)
    return rows


def _group_table(
    code: str, members: list[_Person], cats: Catalogues, st: Styles,
    stations: dict[str, str] | None,
) -> list[Flowable]:
    columns = [c for c in _COLUMNS
               if c != "disability_grade" or any(p.cells["disability_grade"] for p in members)]
    widths = column_widths(st, columns)
    rows: list[list[Any]] = list(_cells(code, members, columns, cats, stations))
    last = len(rows) + 1  # absolute row index of the subtotal (the header is row 0)
    rows.append([_subtotal(count(members))] + [""] * (len(columns) - 1))
    table = grid_table([HEADERS[c] for c in columns], rows, widths, st, plain_when_fits=True,
                       extra_style=[
                           ("SPAN", (0, last), (len(columns) - 1, last)),
                           ("BACKGROUND", (0, last), (len(columns) - 1, last),
                            colors.HexColor("#f2f2f2")),
                       ])
    name = cats.name(CATEGORY, code)
    return [
        # Never a heading alone at the foot of a page: it needs the header and a few rows.
        CondPageBreak(30 * mm),
        Paragraph(f"{_esc(name)}（共 {len(members)} 人）", st.heading),
        table,
    ]


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _summary(groups: list[tuple[str, list[_Person]]], everyone: list[_Person],
             cats: Catalogues, st: Styles) -> list[Flowable]:
    total = count(everyone)
    num = ParagraphStyle("num", parent=st.cell, alignment=TA_RIGHT)

    def row(label: str, *figures: int | str) -> list[Any]:
        return [label, *(Paragraph(str(f), num) for f in figures)]

    rows = [row(cats.name(CATEGORY, code), c.persons, c.male, c.female, c.party)
            for code, c in ((code, count(members)) for code, members in groups)]
    rows.append(row("各类别合计（人次）", sum(len(m) for _, m in groups), "", "", ""))
    rows.append(row("去重总人数", total.persons, total.male, total.female, total.party))
    last = len(rows)
    widths = [75 * mm] + [30 * mm] * 4
    table = grid_table(["人员类别", "人数", "男", "女", "党员（含预备党员）"], rows, widths, st,
                       extra_style=[("BACKGROUND", (0, last), (-1, last),
                                     colors.HexColor("#f2f2f2"))])
    table.hAlign = "LEFT"
    return [
        CondPageBreak(45 * mm),
        Paragraph("汇总", st.heading),
        table,
        Spacer(1, 3 * mm),
        Paragraph(
            f"去重总人数：{total.persons} 人（男 {total.male} 人，女 {total.female} 人，"
            f"党员 {total.party} 人）。一人属于多个类别时只计一次。", st.body),
    ]


def _station_names(svc: StationReader) -> dict[str, str]:
    with svc.store.read() as s:
        return {str(c): str(n) for c, n in s.execute(sql(
            "SELECT code, name FROM station WHERE deleted_at IS NULL")).all()}


def page_counter() -> tuple[type[BaseDocTemplate], list[int]]:
    """A doc template class that records the number of pages it laid out."""
    pages = [0]

    class Counting(BaseDocTemplate):
        def afterPage(self) -> None:  # noqa: N802 - reportlab API
            pages[0] = self.page

    return Counting, pages


def _groups(
    svc: StationReader, cats: Catalogues, chosen: list[str] | None, person_ids: Sequence[str] | None,
) -> tuple[list[tuple[str, list[_Person]]], list[_Person]]:
    """(category code, its persons in pinyin order) per group, and every person listed."""
    everyone = _load(svc, cats, person_ids)
    order = _category_order(cats)
    present = {c for p in everyone for c in p.categories}
    codes = chosen if chosen is not None else (
        [c for c in order if c in present] + sorted(present - set(order)))
    groups = []
    for code in codes:
        members = sorted((p for p in everyone if code in p.categories), key=lambda p: p.sort_key)
        if members or chosen is not None:
            groups.append((code, members))
    listed = {p.id for _, members in groups for p in members}
    return groups, [p for p in everyone if p.id in listed]


def roster_cells(svc: StationReader, *, categories: list[str] | None = None
                 ) -> tuple[list[str], list[list[str]], list[float]]:
    """Header, rows (every group, every column) and widths of the roster as plain strings.

    What the benchmark lays out as a bare reportlab table to compare with.
    """
    cats = svc.catalogues()
    chosen = resolve_categories(cats, categories) if categories else None
    groups, everyone = _groups(svc, cats, chosen, None)
    stations = _station_names(svc) if len({p.station for p in everyone}) > 1 else None
    rows = [r for code, members in groups for r in _cells(code, members, _COLUMNS, cats, stations)]
    return [HEADERS[c] for c in _COLUMNS], rows, column_widths(styles(BASE_SIZE), _COLUMNS)


def print_roster(
    svc: StationReader, out: Path, *, categories: list[str] | None = None,
    person_ids: list[str] | None = None, progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the roster PDF to ``out``; returns ``{"file", "pages", "persons"}``.

    ``categories`` (codes or Chinese names) limits the groups printed;
    ``person_ids`` limits the persons (a selection in the list). Raises
    :class:`~station_desktop.domain.errors.Cancelled` (and writes nothing)
    once the person asks ``progress`` to stop.
    """
    cats = svc.catalogues()
    chosen = resolve_categories(cats, categories) if categories else None
    check(progress, PRINT_CANCELLED)
    groups, everyone = _groups(svc, cats, chosen, person_ids)
    station_names = _station_names(svc)
    own_name = svc.store.meta("station_name") or station_names.get(svc.station_code, "")
    several = len({p.station for p in everyone}) > 1
    st = styles(BASE_SIZE)

    rows_total = sum(len(m) for _, m in groups)
    est_pages = max(1, rows_total // ROWS_PER_PAGE + len(groups) // 3 + 1)
    total_steps = rows_total + est_pages
    done = 0
    if progress is not None:
        progress(0, total_steps)

    story: list[Flowable] = [Paragraph("退役军人和其他优抚对象花名册", st.title)]
    scope = ("人员类别：" + "、".join(cats.name(CATEGORY, c) for c in chosen)) if chosen \
        else "人员类别：全部"
    if person_ids is not None:
        scope += f"；所选人员 {len(person_ids)} 人"
    story.append(Paragraph(
        f"{_esc(own_name)}　　{scope}　　截至{svc.today.year}年{svc.today.month}月"
        f"{svc.today.day}日",
        ParagraphStyle("subtitle", parent=st.body, alignment=TA_CENTER, spaceAfter=1.5 * mm)))
    story.append(Paragraph(
        "说明：一人属于多个人员类别时，在每个类别下各列一次（备注栏注明“另属”的类别），"
        "各类别人数之和可能大于去重总人数；去重总人数见末页汇总。", st.small))
    story.append(Spacer(1, 2 * mm))
    if not groups:
        story.append(Paragraph("无：没有符合条件的人员。", st.body))
    for code, members in groups:
        check(progress, PRINT_CANCELLED)
        if members:
            story += _group_table(code, members, cats, st, station_names if several else None)
        else:
            story += [Paragraph(f"{_esc(cats.name(CATEGORY, code))}（共 0 人）", st.heading),
                      Paragraph("无。", st.body)]
        done += len(members)
        if progress is not None:
            progress(done, total_steps)
    if groups:
        story += _summary(groups, everyone, cats, st)

    def page_begun(laid: int) -> None:
        if progress is not None:
            progress(rows_total + min(laid, est_pages - 1), total_steps)

    doc_class, pages = page_counter()
    info = PageInfo(station_name=own_name, title=TITLE, print_date=svc.today, landscape=True)
    path = build_pdf(out, story, info, doc_class=doc_class, progress=progress,
                     on_page=page_begun)
    if progress is not None:
        progress(total_steps, total_steps)
    return {"file": str(path), "pages": pages[0], "persons": len(everyone)}
