"""A small bar chart painted with QPainter (no QtCharts: see docs/decisions.md, issue 7).

:class:`BarChart` draws labelled bars, vertical (months) or horizontal
(stations sorted by coverage), with the value at the end of each bar. Bars
may carry their own colour (a stale station in grey) and the chart may
draw a target line (the coverage the county expects). It holds plain
``(label, value)`` pairs, so tests read back exactly what is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR = QColor("#3b7dd8")
MUTED = QColor("#a0a0a0")
ALERT = QColor("#d9534f")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    colour: str | None = None  # "#rrggbb"; default BAR


class BarChart(QWidget):
    """Labelled bars; ``horizontal`` puts labels on the left (long station names)."""

    def __init__(self, title: str, *, horizontal: bool = False,
                 fmt: Callable[[float], str] = lambda v: f"{v:g}",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.horizontal = horizontal
        self.fmt = fmt
        self.bars: list[Bar] = []
        self.target: float | None = None
        self.maximum: float | None = None  # fixed scale (e.g. 1.0 for a share)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_bars(self, bars: Sequence[Bar], *, target: float | None = None,
                 maximum: float | None = None) -> None:
        self.bars = list(bars)
        self.target = target
        self.maximum = maximum
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        if self.horizontal:
            return QSize(480, 40 + 22 * max(len(self.bars), 3))
        return QSize(480, 240)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint() if self.horizontal else QSize(240, 200)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        fm = p.fontMetrics()
        p.setPen(QColor("#222"))
        p.drawText(QRectF(8, 4, self.width() - 16, fm.height() + 4),
                   int(Qt.AlignmentFlag.AlignLeft), self.title)
        top = fm.height() + 12
        if not self.bars:
            p.setPen(MUTED)
            p.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), "（无数据）")
            p.end()
            return
        top_value = self.maximum or max(max(b.value for b in self.bars), 1e-9)
        if self.horizontal:
            self._paint_horizontal(p, top, top_value)
        else:
            self._paint_vertical(p, top, top_value)
        p.end()

    def _colour(self, bar: Bar) -> QColor:
        return QColor(bar.colour) if bar.colour else BAR

    def _paint_horizontal(self, p: QPainter, top: int, top_value: float) -> None:
        fm = p.fontMetrics()
        label_w = min(max(fm.horizontalAdvance(b.label) for b in self.bars) + 12,
                      self.width() // 2)
        value_w = max(fm.horizontalAdvance(self.fmt(b.value)) for b in self.bars) + 10
        span = max(self.width() - label_w - value_w - 16, 10)
        row_h = max(min((self.height() - top - 8) / len(self.bars), 26.0), 8.0)
        for i, b in enumerate(self.bars):
            y = top + i * row_h
            p.setPen(QColor("#222"))
            p.drawText(QRectF(4, y, label_w - 8, row_h),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                       fm.elidedText(b.label, Qt.TextElideMode.ElideMiddle, label_w - 8))
            w = span * max(b.value, 0) / top_value
            p.fillRect(QRectF(label_w, y + row_h * 0.15, w, row_h * 0.7), self._colour(b))
            p.drawText(QRectF(label_w + w + 4, y, value_w, row_h),
                       int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                       self.fmt(b.value))
        if self.target is not None:
            x = label_w + span * self.target / top_value
            p.setPen(QPen(ALERT, 1, Qt.PenStyle.DashLine))
            p.drawLine(int(x), top, int(x), int(top + row_h * len(self.bars)))

    def _paint_vertical(self, p: QPainter, top: int, top_value: float) -> None:
        fm = p.fontMetrics()
        bottom = self.height() - fm.height() - 8
        height = max(bottom - top - fm.height() - 4, 10)
        slot = (self.width() - 16) / len(self.bars)
        for i, b in enumerate(self.bars):
            x = 8 + i * slot
            h = height * max(b.value, 0) / top_value
            p.fillRect(QRectF(x + slot * 0.15, bottom - h, slot * 0.7, h), self._colour(b))
            p.setPen(QColor("#222"))
            p.drawText(QRectF(x, bottom - h - fm.height() - 2, slot, fm.height()),
                       int(Qt.AlignmentFlag.AlignHCenter), self.fmt(b.value))
            p.drawText(QRectF(x, bottom + 4, slot, fm.height()),
                       int(Qt.AlignmentFlag.AlignHCenter),
                       fm.elidedText(b.label, Qt.TextElideMode.ElideRight, int(slot)))
        p.setPen(QColor("#888"))
        p.drawLine(8, int(bottom), self.width() - 8, int(bottom))
