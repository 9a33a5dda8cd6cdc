"""The printed page: embedded CJK font, A4 with a binding margin, header and page numbers.

Every document goes through :func:`build_pdf`, so each page carries the
station name, the document title, the print date and “第 X 页 共 Y 页”, and
the WenQuanYi Micro Hei TrueType font from resources/ is embedded as a
subset: the PDF prints the same on a PC with no Chinese font, and its text
can be searched and copied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from station_desktop.domain.progress import Progress, check, tick

FONT = "WQYMicroHei"

#: What a cancelled print says: the document is not written.
PRINT_CANCELLED = "已取消打印。"

# A4 with room to bind on the left (portrait) or the top (landscape).
BINDING = 25 * mm
MARGIN = 15 * mm
HEADER_GAP = 10 * mm


def register_font() -> str:
    """Register the bundled CJK TrueType font once; returns its name."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        with as_file(files("station_desktop.resources") / "fonts" / "wqy-microhei.ttc") as path:
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
    return FONT


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    small: ParagraphStyle


def styles(base_size: float = 10.5) -> Styles:
    """Paragraph styles in the CJK font; ``wordWrap='CJK'`` breaks lines between any characters."""
    register_font()

    def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=size * 1.45,
                              wordWrap="CJK", **kw)

    return Styles(
        title=style("title", base_size * 1.9, alignment=TA_CENTER, spaceAfter=4 * mm),
        heading=style("heading", base_size * 1.3, spaceBefore=4 * mm, spaceAfter=2 * mm),
        body=style("body", base_size),
        cell=style("cell", base_size * 0.9),
        cell_head=style("cell_head", base_size * 0.9, alignment=TA_CENTER),
        small=style("small", base_size * 0.8, textColor=colors.grey),
    )


def text(value: Any, style: ParagraphStyle) -> Paragraph:
    """A wrapping paragraph for any value; None prints as empty. Markup is escaped."""
    s = "" if value is None else str(value)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    return Paragraph(s, style)


_CELL_PAD = 3  # left and right padding of a table cell, points


def grid_table(
    header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[float],
    st: Styles, *, repeat_header: bool = True, extra_style: Sequence[tuple] = (),
    plain_when_fits: bool = False,
) -> Table:
    """A ruled table whose cells wrap; the header row repeats on every page it runs over.

    With ``plain_when_fits`` a cell whose text fits on one line of its column
    is drawn as a plain string in the cell font (the same on paper, about
    three times faster to lay out in long tables); the others wrap as before.
    """
    data = [[text(h, st.cell_head) for h in header]]
    if plain_when_fits:
        room = [w - 2 * _CELL_PAD for w in widths]
        font, size = st.cell.fontName, st.cell.fontSize

        def cell(c: Any, i: int) -> Any:
            if isinstance(c, Flowable):
                return c
            s = "" if c is None else str(c)
            if "\n" not in s and pdfmetrics.stringWidth(s, font, size) <= room[i]:
                return s
            return text(s, st.cell)

        data += [[cell(c, i) for i, c in enumerate(row)] for row in rows]
    else:
        data += [[c if isinstance(c, Flowable) else text(c, st.cell) for c in row]
                 for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1 if repeat_header else 0,
                  splitByRow=True)
    plain_font = [("FONT", (0, 1), (-1, -1), st.cell.fontName, st.cell.fontSize,
                   st.cell.leading)] if plain_when_fits else []
    table.setStyle(TableStyle([
        *plain_font,
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
        *extra_style,
    ]))
    return table


@dataclass(frozen=True)
class PageInfo:
    station_name: str
    title: str
    print_date: date
    landscape: bool = False


def _numbered_canvas(info: PageInfo) -> type[rl_canvas.Canvas]:
    """A canvas that writes each page's header and footer once the page count is known."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab API
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = self._pagesize
            left, right, top, bottom = _margins(info.landscape)
            self.saveState()
            self.setFont(FONT, 9)
            self.setStrokeColor(colors.grey)
            y = height - top + 4 * mm
            self.drawString(left, y, info.station_name)
            self.drawRightString(width - right, y, info.title)
            self.line(left, y - 1.5 * mm, width - right, y - 1.5 * mm)
            y = bottom - 7 * mm
            self.line(left, y + 4 * mm, width - right, y + 4 * mm)
            self.drawString(left, y, f"打印日期：{info.print_date:%Y年%m月%d日}")
            self.drawRightString(width - right, y, f"第 {self._pageNumber} 页 共 {total} 页")
            self.restoreState()

    return NumberedCanvas


def _margins(is_landscape: bool) -> tuple[float, float, float, float]:
    """left, right, top, bottom: the binding edge is the left of a portrait page, top of landscape."""
    if is_landscape:
        return MARGIN, MARGIN, BINDING + HEADER_GAP, MARGIN + HEADER_GAP
    return BINDING, MARGIN, MARGIN + HEADER_GAP, MARGIN + HEADER_GAP


def page_size(is_landscape: bool) -> tuple[float, float]:
    return landscape(A4) if is_landscape else A4


def frame_width(is_landscape: bool = False) -> float:
    """The usable width for tables on the page."""
    left, right, _top, _bottom = _margins(is_landscape)
    return page_size(is_landscape)[0] - left - right


def stepper(steps: int, progress: Progress | None = None) -> Callable[[int], None]:
    """``step(i)`` for a document made in ``steps`` steps: reports ``i`` of ``steps``,
    or raises :class:`~station_desktop.domain.errors.Cancelled` once the person asked to stop."""

    def step(i: int) -> None:
        tick(progress, i, steps, PRINT_CANCELLED)

    return step


def build_pdf(
    out: Path, story: list[Flowable], info: PageInfo, *,
    doc_class: type[BaseDocTemplate] = BaseDocTemplate, multi_pass: bool = False,
    progress: Progress | None = None, on_page: Callable[[int], None] | None = None,
) -> Path:
    """Lay out ``story`` on A4 pages and write ``out`` (via a temporary name, then renamed).

    ``multi_pass`` runs reportlab's multiBuild, needed by a table of contents.
    At every new page ``on_page`` hears how many pages are begun so far (to
    move a progress bar), then ``progress`` is asked whether to stop: if so
    the file is not written and :class:`~station_desktop.domain.errors.Cancelled`
    is raised. The counts themselves are the caller's to report.
    """
    register_font()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    left, right, top, bottom = _margins(info.landscape)
    size = page_size(info.landscape)
    frame = Frame(left, bottom, size[0] - left - right, size[1] - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    laid = [0]

    def page_done(_canvas: rl_canvas.Canvas, _doc: BaseDocTemplate) -> None:
        laid[0] += 1
        if on_page is not None:
            on_page(laid[0])
        check(progress, PRINT_CANCELLED)

    doc = doc_class(str(tmp), pagesize=size, title=info.title, author=info.station_name,
                    leftMargin=left, rightMargin=right, topMargin=top, bottomMargin=bottom)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=page_done)])
    try:
        if multi_pass:
            doc.multiBuild(story, canvasmaker=_numbered_canvas(info))
        else:
            doc.build(story, canvasmaker=_numbered_canvas(info))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(out)
    return out
