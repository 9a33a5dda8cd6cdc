"""GUI start-up and memory: process start to the home page shown, offscreen.

    python benchmarks/bench_gui.py [--persons 100000] [--visits 1000000] [--out FILE]

Each run is a fresh process (`station-desktop --quit-when-ready`), which
exits once the window is shown and every query it started has answered;
the wall time of the process is the start-up time, its peak RSS the memory.
Targets (issue 3): demo station < 1.5 s; 100 000 persons < 2.5 s; peak
memory with 100 000 persons < 300 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import OUT, build_roster, write_out  # noqa: E402


def start_once(data_dir: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawn to exit, and the program's peak RSS in MB.

    An intermediate Python process runs the program, so its RUSAGE_CHILDREN
    figure belongs to this one start only.
    """
    probe = (
        "import resource, subprocess, sys, time\n"
        "t0 = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)\n"
        "t = time.perf_counter() - t0\n"
        "sys.stderr.write(p.stderr)\n"
        "print(t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "station_desktop",
         "--data-dir", str(data_dir), "--quit-when-ready"],
        env=env, capture_output=True, text=True, timeout=180)
    elapsed, peak_kb, code = out.stdout.split()
    if code != "0":
        raise SystemExit(out.stderr)
    return float(elapsed), int(peak_kb) / 1024


def measure(data_dir: Path, runs: int) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(OUT / "xdg-config")}
    start_once(data_dir, env)  # warm: daily backup made, files in the page cache
    times, peaks = [], []
    for _ in range(runs):
        t, rss = start_once(data_dir, env)
        times.append(t * 1000)
        peaks.append(rss)
    return {"median_ms": round(statistics.median(times)), "max_ms": round(max(times)),
            "peak_rss_mb": round(max(peaks))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--visits", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out")
    args = ap.parse_args()
    demo_dir = OUT / "gui-demo"
    if not (demo_dir / "station.sqlite3").exists():
        subprocess.run([sys.executable, "-m", "station_desktop", "--data-dir", str(demo_dir),
                        "demo"], check=True, capture_output=True)
    big = build_roster(OUT / f"roster-{args.persons}", args.persons, args.visits)
    result = {
        "demo_station": {**measure(demo_dir, args.runs), "target_ms": 1500},
        f"persons_{args.persons}": {**measure(big, args.runs), "target_ms": 2500,
                                    "target_peak_mb": 300},
    }
    write_out(args.out, result)


if __name__ == "__main__":
    main()
