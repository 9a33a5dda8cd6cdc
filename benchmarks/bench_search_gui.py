"""Search-as-you-type in the real window: keystroke to results shown, offscreen.

    python benchmarks/bench_search_gui.py [--persons 100000] [--out FILE]

Types each query one key at a time into the shell's search box and measures,
for every keystroke, the time until the popup shows that keystroke's
results (the search runs on the worker thread). Target (issue 3): 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

from common import OUT, build_roster, write_out  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import station_desktop.ui  # noqa: E402,F401 - PySide6 workarounds
from station_desktop.services import open_store  # noqa: E402
from station_desktop.services import Service
from station_desktop.ui.config import Config  # noqa: E402
from station_desktop.ui.context import AppContext  # noqa: E402
from station_desktop.ui.main_window import MainWindow  # noqa: E402
from station_desktop.ui.ops import Op  # noqa: E402

QUERIES = ["王", "张三", "zs", "zhang", "lm", "0635", "3857", "1388"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--visits", type=int, default=1_000_000)
    ap.add_argument("--out")
    args = ap.parse_args()
    data_dir = build_roster(OUT / f"roster-{args.persons}", args.persons, args.visits)
    app = QApplication.instance() or QApplication([])
    store = open_store(data_dir, daily_backup=False)
    svc = Service(store)
    svc.operator_id = svc.list("operator")[0]["id"]
    window = MainWindow(AppContext(store, svc, Config(OUT / "bench-settings.ini")))
    window.show()
    while Op.running:
        app.processEvents()
    box = window.search
    samples: list[float] = []
    for _round in range(5):
        for q in QUERIES:
            box.clear()
            box.popup.hide()
            for ch in q:
                seq_before = box._seq  # noqa: SLF001 - the box numbers its queries
                t0 = time.perf_counter()
                QTest.sendKeyEvent(QTest.KeyAction.Click, box, Qt.Key.Key_unknown, ch,
                                   Qt.KeyboardModifier.NoModifier)
                while Op.running or box._seq == seq_before:  # noqa: SLF001
                    app.processEvents()
                samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    write_out(args.out, {
        "persons": args.persons, "keystrokes": len(samples),
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(len(samples) * 0.95)], 1),
        "max_ms": round(samples[-1], 1), "target_ms": 50,
    })
    window.close()
    store.close()


if __name__ == "__main__":
    main()
