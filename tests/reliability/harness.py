"""The parent side of the crash harness.

For a workload of :mod:`tests.reliability.worker`: build its template data
dir once, run it once uninterrupted for the reference end state and its
duration, then per round copy the template, start the worker, SIGKILL it at
a random moment of its work, and check what it left:

- ``PRAGMA integrity_check`` is ok and no foreign key dangles;
- change capture is whole: every row has its change_log entry and every
  logged insert its row (nothing is hard-deleted here);
- the workload's own check (reported transactions present, the rest
  all-or-none, log entries of each reported write);
- the worker run again to completion reaches the reference end state.

With ``power_cut`` the same round also checks a copy of the killed dir
whose ``-wal`` lost a random tail (never below what a checkpoint had
already copied into the main file) and whose ``-shm`` is gone: what a power
cut could do if the disk lied about fsync. Then transactions may be lost,
but never half of one.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.reliability.worker import DB, REPO, WORKLOADS, connect

WORKER = Path(__file__).with_name("worker.py")
SPAN = 1.25


@dataclass
class Round:
    workload: str
    delay: float
    reported: list[str]
    finished: bool
    problems: list[str] = field(default_factory=list)
    power_cut: str | None = None  # what the simulated power cut removed


def _uncaptured(data_dir: Path) -> set[tuple[str, str]]:
    from station_desktop.store.models import SYNCED_TABLES

    out = set()
    with connect(data_dir) as con:
        have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for t in SYNCED_TABLES:
            if t in have:
                out |= {(t, r[0]) for r in con.execute(
                    f'SELECT id FROM "{t}" r WHERE NOT EXISTS (SELECT 1 FROM change_log c '
                    f"WHERE c.table_name = '{t}' AND c.row_id = r.id)")}
                out |= {(t, "log without row: " + r[0]) for r in con.execute(
                    "SELECT row_id FROM change_log c WHERE table_name = ? AND op = 'I' "
                    f'AND NOT EXISTS (SELECT 1 FROM "{t}" r WHERE r.id = c.row_id)', (t,))}
    return out


def common_problems(data_dir: Path, baseline: set[tuple[str, str]]) -> list[str]:
    problems = []
    try:
        with connect(data_dir) as con:
            integrity = [r[0] for r in con.execute("PRAGMA integrity_check")]
            fks = con.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [f"integrity_check: {exc}"]
    if integrity != ["ok"]:
        return [f"integrity_check: {integrity[:3]}"]
    if fks:
        problems.append(f"{len(fks)} dangling references")
    uncaptured = _uncaptured(data_dir) - baseline
    if uncaptured:
        problems.append(f"change capture broken: {sorted(uncaptured)[:3]}")
    return problems


def lose_wal_tail(data_dir: Path, rng: random.Random) -> str | None:
    """Cut the ``-wal`` at a random byte past what was checkpointed; drop the ``-shm``."""
    wal = data_dir / f"{DB}-wal"
    shm = data_dir / f"{DB}-shm"
    if not wal.exists() or wal.stat().st_size <= 32:
        return None
    size = wal.stat().st_size
    page = struct.unpack(">I", wal.read_bytes()[8:12])[0]
    backfilled = 0
    if shm.exists() and shm.stat().st_size >= 136:
        head = shm.read_bytes()[:136]
        # WalCkptInfo after the two 48-byte headers: nBackfill, aReadMark[5],
        # aLock[8], nBackfillAttempted.
        backfilled = max(struct.unpack("=I", head[96:100])[0],
                         struct.unpack("=I", head[128:132])[0])
    floor = min(size, 32 + backfilled * (page + 24))
    cut = rng.randint(floor, size)
    with wal.open("r+b") as f:
        f.truncate(cut)
    shm.unlink(missing_ok=True)
    return f"wal {size} -> {cut} bytes (floor {floor})"


class Harness:
    def __init__(self, root: Path, seed: int = 0, *, reference_runs: int = 1):
        self.root = Path(root)
        self.reference_runs = reference_runs
        self.rng = random.Random(seed)
        self._baseline: dict[str, set[tuple[str, str]]] = {}
        self._reference: dict[str, tuple[Any, float]] = {}
        self._n = 0

    def template(self, name: str) -> Path:
        d = self.root / "templates" / name
        if not (d / "ready").exists():
            shutil.rmtree(d, ignore_errors=True)
            WORKLOADS[name].prepare(d)
            # A template is a closed database: no -wal beside it.
            (d / "ready").touch()
        if name not in self._baseline:
            self._baseline[name] = _uncaptured(d)
        return d

    def fresh(self, name: str) -> Path:
        self._n += 1
        d = self.root / "rounds" / f"{name}-{self._n}"
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(self.template(name), d)
        return d

    def run_child(self, name: str, data_dir: Path, kill_after: float | None = None
                  ) -> tuple[list[str], bool, float]:
        """Lines the child printed, whether it finished, and seconds from ready to the end."""
        env = {**os.environ, "PYTHONPATH": str(REPO / "src") + os.pathsep + str(REPO)}
        proc = subprocess.Popen([sys.executable, str(WORKER), name, str(data_dir)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env)
        assert proc.stdout is not None
        first = proc.stdout.readline()
        start = time.perf_counter()
        if first.strip() != "ready":
            proc.kill()
            raise RuntimeError(f"worker did not start: {first!r} {proc.stderr.read()}")
        head: list[str] = []
        if kill_after is not None:
            try:
                proc.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
        else:  # time the work up to "done", not the interpreter's exit after it
            while (line := proc.stdout.readline()) and line.strip() != "done":
                head.append(line)
            head.append(line)
        elapsed = time.perf_counter() - start
        out, err = proc.communicate()
        lines = "".join(head + [out]).splitlines()
        finished = "done" in lines
        if kill_after is None and (proc.returncode != 0 or not finished):
            raise RuntimeError(f"worker {name} failed ({proc.returncode}): {err[-2000:]}")
        return lines, finished, elapsed

    def reference(self, name: str) -> tuple[Any, float]:
        """The uninterrupted end state and the median of ``reference_runs`` durations."""
        if name not in self._reference:
            states, durations = [], []
            for _ in range(self.reference_runs):
                d = self.fresh(name)
                _lines, _done, elapsed = self.run_child(name, d)
                states.append(WORKLOADS[name].state(d))
                durations.append(elapsed)
                shutil.rmtree(d, ignore_errors=True)
            if any(s != states[0] for s in states):
                raise AssertionError(f"{name}: two uninterrupted runs ended differently")
            self._reference[name] = (states[0], statistics.median(durations))
        return self._reference[name]

    def _check_and_redo(self, name: str, d: Path, reported: list[str], durable: bool,
                        expected: Any) -> list[str]:
        problems = common_problems(d, self._baseline[name])
        problems += WORKLOADS[name].check(d, reported, durable)
        self.run_child(name, d)
        problems += common_problems(d, self._baseline[name])
        if WORKLOADS[name].state(d) != expected:
            problems.append("redo did not reach the uninterrupted end state")
        return problems

    def kill_round(self, name: str, *, at: float | None = None, power_cut: bool = False,
                   keep: bool = False) -> Round:
        """One kill, ``at`` a fraction (0-1, random if None) of the kill window.

        The window is :data:`SPAN` times the uninterrupted run's duration: on a
        busy machine a run takes longer than its reference, and its end must
        be covered too (a kill after ``done`` checks the finished state).
        """
        expected, duration = self.reference(name)
        d = self.fresh(name)
        delay = duration * SPAN * (self.rng.random() if at is None else at)
        lines, finished, _ = self.run_child(name, d, kill_after=delay)
        reported = [ln[2:] for ln in lines if ln.startswith("C ")]
        rnd = Round(name, delay, reported, finished)
        cut_dir = None
        if power_cut:
            # Copy before anything opens the killed dir: an open recovers the WAL.
            cut_dir = d.with_name(d.name + "-cut")
            shutil.copytree(d, cut_dir)
            rnd.power_cut = lose_wal_tail(cut_dir, self.rng) or "no wal to cut"
        rnd.problems = self._check_and_redo(name, d, reported, True, expected)
        if cut_dir is not None:
            rnd.problems += [f"after power cut ({rnd.power_cut}): {p}" for p in
                             self._check_and_redo(name, cut_dir, reported, False, expected)]
        if not keep:
            shutil.rmtree(d, ignore_errors=True)
            if cut_dir is not None:
                shutil.rmtree(cut_dir, ignore_errors=True)
        return rnd
