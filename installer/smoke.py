"""Smoke test of the frozen program on this machine: build, self-test, start-up time, sizes.

    python installer/smoke.py [--no-build] [--runs 5] [--out FILE]

1. Builds with installer/build.py (folder + .zip), unless --no-build.
2. Runs the frozen binary with ``--self-test --json`` offscreen: a station, demo
   data, a roster PDF read back, a backup, enrolment and a bundle imported by a
   county, and the main window up to its home page (exit 0 or the smoke fails).
3. Times the frozen program from process start to the home page shown
   (``--quit-when-ready`` on a demo data dir the frozen program made itself),
   median of --runs after one warm-up run, beside the same for
   ``python -m station_desktop`` on the same data.
4. Prints folder and archive sizes against the targets of issue 6 (folder
   < 150 MB, archive < 70 MB, start-up < 3 s) and writes the figures as JSON.

Everything runs in a temporary folder with its own XDG config/data/state
dirs, so the user's own settings and records are never touched. Exits 1 when
the self-test fails; targets are reported, not asserted (they are figures for
docs/performance.md, measured on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build  # noqa: E402

TARGETS = {"folder_mb": 150, "archive_mb": 70, "startup_s": 3.0}


def isolated_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):
        env[var] = str(home / sub)
    return env


def self_test(exe: Path, env: dict[str, str]) -> dict:
    proc = subprocess.run([str(exe), "--self-test", "--json"], env=env, capture_output=True,
                          text=True, timeout=300)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        report = {"ok": False, "steps": []}
    report["exit_code"] = proc.returncode
    report["stderr"] = proc.stderr[-2000:]
    return report


def time_startup(cmd: list[str], data_dir: Path, env: dict[str, str], runs: int) -> dict:
    """Seconds from spawn to exit of ``cmd --data-dir D --quit-when-ready`` (home page shown)."""

    def once() -> float:
        t0 = time.perf_counter()
        proc = subprocess.run([*cmd, "--data-dir", str(data_dir), "--quit-when-ready"],
                              env=env, capture_output=True, text=True, timeout=120)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"start-up run failed ({proc.returncode}): {proc.stderr[-1000:]}")
        return elapsed

    once()  # warm: today's daily backup is made, files are in the page cache
    times = [once() for _ in range(runs)]
    return {"median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2),
            "runs": runs}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-build", action="store_true", help="use the folder already in dist/")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", help="write the figures as JSON to this file")
    args = ap.parse_args()

    name, app_version = build.project()
    if args.no_build:
        folder = build.DIST / name
        size, files = build.folder_size(folder)
        archives = sorted(build.DIST.glob(f"{name}-{app_version}-*.zip"))
        result = build.BuildResult(
            name=name, version=app_version, folder=str(folder),
            executable=str(folder / (name + (".exe" if sys.platform == "win32" else ""))),
            archive=str(archives[-1]) if archives else None, folder_mb=round(size / build.MB, 1),
            archive_mb=round(archives[-1].stat().st_size / build.MB, 1) if archives else None,
            files=files, build_seconds=0.0)
    else:
        result = build.build(quiet=True)
    exe = Path(result.executable)

    with tempfile.TemporaryDirectory(prefix="station-smoke-") as tmp:
        home = Path(tmp)
        env = isolated_env(home)
        report = self_test(exe, env)
        for step in report.get("steps", []):
            mark = "skipped" if step["skipped"] else ("ok" if step["ok"] else "FAILED")
            print(f"  self-test {mark:7} {step['label']} ({step['seconds']:.2f} s): {step['detail']}")
        if not report.get("ok") or report["exit_code"] != 0:
            print(f"self-test FAILED (exit {report['exit_code']}):\n{report['stderr']}")
            return 1
        demo = home / "demo-data"
        subprocess.run([str(exe), "--data-dir", str(demo), "demo"], env=env, check=True,
                       capture_output=True, timeout=300)
        frozen = time_startup([str(exe)], demo, env, args.runs)
        source = time_startup([sys.executable, "-m", "station_desktop"], demo, env, args.runs)

    figures = {
        "version": result.version, "platform": build.platform_tag(),
        "build": asdict(result), "self_test_seconds": report["total_seconds"],
        "startup_frozen": frozen, "startup_source": source, "targets": TARGETS,
    }

    def verdict(value: float | None, target: float) -> str:
        return "n/a" if value is None else ("within target" if value < target else "OVER target")

    print(f"folder   {result.folder_mb} MB ({result.files} files)  target < "
          f"{TARGETS['folder_mb']} MB: {verdict(result.folder_mb, TARGETS['folder_mb'])}")
    print(f"archive  {result.archive_mb} MB  target < {TARGETS['archive_mb']} MB: "
          f"{verdict(result.archive_mb, TARGETS['archive_mb'])}")
    print(f"start-up to home page, frozen: median {frozen['median_s']} s, max {frozen['max_s']} s "
          f"(from source: median {source['median_s']} s)  target < {TARGETS['startup_s']} s: "
          f"{verdict(frozen['median_s'], TARGETS['startup_s'])}")
    print(f"self-test {report['total_seconds']:.1f} s, build {result.build_seconds} s")
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
