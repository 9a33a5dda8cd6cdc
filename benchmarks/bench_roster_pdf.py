"""花名册 PDF speed: our roster against a plain reportlab table of the same rows and font.

    python benchmarks/bench_roster_pdf.py [--persons 1000] [--repeat 3] [--dir DIR] [--out FILE]

Fills a fresh data dir with :func:`station_desktop.services.demo.generate_demo`
(``persons`` persons, two years of visits, aid and cases) and then times:

* **ours**: :func:`station_desktop.reports.roster_pdf.print_roster`, the whole
  document: reading the roster, pinyin order, grouping by category (a person
  with several categories is listed in each), wrapping cells (CJK line
  breaks between any characters), repeated header rows, subtotals, the
  summary, header/footer with “第 X 页 共 Y 页” (two passes over the pages)
  and the embedded font subset. The first run in the process is reported
  apart (it registers the font and loads pypinyin's dictionary).
* **plain**: the same cell strings (:func:`roster_pdf.roster_cells`: every
  group's rows, one after the other) in ONE bare ``SimpleDocTemplate`` +
  ``Table`` on landscape A4 in the same registered font and size, with a
  repeated header row: no grouping, no Paragraph wrapping (long cells
  overflow), no page decoration. The floor of what reportlab can do with
  these rows.

Pages per second of both and their ratio (ours ÷ plain) are reported: the
figure says what the inspector-ready layout costs over the bare minimum.
Target (issue 5): roster of 1 000 persons under 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_out  # noqa: E402

from station_desktop.reports import roster_pdf  # noqa: E402
from station_desktop.reports.pdf import FONT, MARGIN, register_font  # noqa: E402
from station_desktop.services.demo import generate_demo  # noqa: E402
from station_desktop.services import open_store  # noqa: E402
from station_desktop.services import Service

TODAY = date(2026, 11, 23)
STATION = "420303100201"
TARGET_S = 5.0


def plain_document(out: Path, header: list[str], rows: list[list[str]],
                   widths: list[float], size: float) -> int:
    """The same cells as a bare reportlab table; returns its page count."""
    register_font()
    pages = [0]

    def count(canvas, _doc) -> None:  # noqa: ANN001 - reportlab callback
        pages[0] = canvas.getPageNumber()

    doc = SimpleDocTemplate(str(out), pagesize=landscape(A4), leftMargin=MARGIN,
                            rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN)
    table = Table([header, *rows], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, size),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
    ]))
    doc.build([table], onFirstPage=count, onLaterPages=count)
    return pages[0]


def run(persons: int, repeat: int, data_dir: Path) -> dict:
    store = open_store(data_dir)
    try:
        svc = Service(store, today=TODAY)
        svc.init_station(role="village", code=STATION, name="东沟村退役军人服务站")
        t0 = time.perf_counter()
        generate_demo(store, station_code=STATION, persons=persons, today=TODAY)
        svc.reload_catalogues()
        generated_s = time.perf_counter() - t0

        out = data_dir / "roster.pdf"
        t0 = time.perf_counter()
        result = roster_pdf.print_roster(svc, out)
        first_s = time.perf_counter() - t0
        ours = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = roster_pdf.print_roster(svc, out)
            ours.append(time.perf_counter() - t0)
        pages = result["pages"]
        size_bytes = out.stat().st_size

        header, rows, widths = roster_pdf.roster_cells(svc)
        size = roster_pdf.styles(roster_pdf.BASE_SIZE).cell.fontSize
        plain_out = data_dir / "plain.pdf"
        plain = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            plain_pages = plain_document(plain_out, header, rows, widths, size)
            plain.append(time.perf_counter() - t0)
    finally:
        store.close()

    ours_s, plain_s = statistics.median(ours), statistics.median(plain)
    ours_pps, plain_pps = pages / ours_s, plain_pages / plain_s
    return {
        "persons": persons,
        "rows_listed": len(rows),
        "generate_demo_s": round(generated_s, 2),
        "ours": {
            "pages": pages,
            "first_run_s": round(first_s, 3),
            "median_s": round(ours_s, 3),
            "pages_per_s": round(ours_pps, 1),
            "pdf_bytes": size_bytes,
            "target_s": TARGET_S,
            "within_target": max(first_s, ours_s) < TARGET_S,
        },
        "plain": {
            "pages": plain_pages,
            "median_s": round(plain_s, 3),
            "pages_per_s": round(plain_pps, 1),
            "pdf_bytes": plain_out.stat().st_size,
        },
        "ratio_pages_per_s_ours_to_plain": round(ours_pps / plain_pps, 2),
        "ratio_time_ours_to_plain": round(ours_s / plain_s, 2),
        "repeat": repeat,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", help="data dir to use (default: a temporary one)")
    ap.add_argument("--out", help="write the figures as JSON here")
    args = ap.parse_args()
    if args.dir:
        data_dir = Path(args.dir)
        if data_dir.exists() and any(data_dir.iterdir()):
            sys.exit(f"{data_dir} is not empty: give a new folder")
        write_out(args.out, run(args.persons, args.repeat, data_dir))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            write_out(args.out, run(args.persons, args.repeat, Path(tmp)))


if __name__ == "__main__":
    main()
