"""The long crash harness: many SIGKILLs per workload, figures for docs/reliability.md.

    python tests/reliability/soak.py --rounds 50 [--workload campaign ...] [--seed 1]
                                     [--power-cut-every 2] [--out FILE] [--keep]

Kill moments are stratified over each workload's uninterrupted duration
(round k of N falls in slice k/N, at a random point in it), so the whole
run is covered evenly. Prints one line per workload and a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.reliability.harness import Harness  # noqa: E402
from tests.reliability.worker import WORKLOADS  # noqa: E402


def soak(root: Path, names: list[str], rounds: int, seed: int, power_cut_every: int,
         keep: bool) -> dict:
    # The median of three clean runs: a steadier yardstick on a busy machine.
    harness = Harness(root, seed=seed, reference_runs=3)
    out: dict = {"seed": seed, "rounds": rounds, "workloads": {}}
    for name in names:
        t0 = time.perf_counter()
        _state, duration = harness.reference(name)
        stats = {"duration_s": round(duration, 2), "kills": 0, "killed_mid_work": 0,
                 "reported_transactions": 0, "power_cuts": 0, "failures": []}
        for k in range(rounds):
            cut = power_cut_every > 0 and k % power_cut_every == 0
            r = harness.kill_round(name, at=(k + harness.rng.random()) / rounds, power_cut=cut,
                                   keep=keep)
            stats["kills"] += 1
            stats["killed_mid_work"] += not r.finished
            stats["reported_transactions"] += len(r.reported)
            stats["power_cuts"] += bool(r.power_cut and r.power_cut.startswith("wal"))
            if r.problems:
                stats["failures"].append({"delay_s": round(r.delay, 3), "power_cut": r.power_cut,
                                          "last_reported": r.reported[-3:],
                                          "problems": r.problems})
        stats["seconds"] = round(time.perf_counter() - t0, 1)
        out["workloads"][name] = stats
        print(f"{name:10s} kills {stats['kills']:4d}  mid-work {stats['killed_mid_work']:4d}  "
              f"reported {stats['reported_transactions']:6d}  wal cuts {stats['power_cuts']:4d}  "
              f"failures {len(stats['failures'])}  ({stats['seconds']} s)", flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--workload", action="append", choices=sorted(WORKLOADS))
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--power-cut-every", type=int, default=2,
                    help="also simulate a lost-write power cut every N-th round (0: never)")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--keep", action="store_true", help="keep every round's data dirs (with --dir)")
    ap.add_argument("--dir", type=Path, help="work folder (default: a temporary one)")
    args = ap.parse_args()
    names = args.workload or sorted(WORKLOADS)
    with tempfile.TemporaryDirectory(prefix="crash-soak-") as tmp:
        root = args.dir or Path(tmp)
        result = soak(root, names, args.rounds, args.seed, args.power_cut_every,
                      args.keep)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 1 if any(w["failures"] for w in result["workloads"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
