"""SIGKILL during real work, then check and redo (the fast version; soak.py is the long one).

Each workload is killed at stratified random moments of its run (one kill
in each of ``CRASH_ROUNDS`` equal slices of its duration, default 2), the
first with a simulated lost-write power cut as well. ``CRASH_SEED`` repeats a
failing run.
"""

from __future__ import annotations

import os
import random

import pytest

from tests.reliability import worker
from tests.reliability.harness import Harness, common_problems

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "2"))
SEED = int(os.environ.get("CRASH_SEED", random.randrange(1_000_000)))


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Harness:
    return Harness(tmp_path_factory.mktemp("crash"), seed=SEED)


@pytest.mark.parametrize("name", sorted(worker.WORKLOADS))
def test_killed_at_random_moments_loses_nothing(harness: Harness, name: str) -> None:
    rounds = [harness.kill_round(name, at=(k + harness.rng.random()) / ROUNDS, power_cut=k == 0)
              for k in range(ROUNDS)]
    failed = [(r.delay, r.reported[-3:], r.power_cut, r.problems) for r in rounds if r.problems]
    assert not failed, f"CRASH_SEED={SEED}: {failed}"


# --- the checks themselves must be able to fail ---------------------------------------------


def _killed_campaign_dir(harness: Harness):  # noqa: ANN202
    d = harness.fresh("campaign")
    harness.run_child("campaign", d)
    return d


def test_checks_catch_a_half_written_campaign(harness: Harness) -> None:
    d = _killed_campaign_dir(harness)
    with worker.connect(d) as con:
        cid = con.execute("SELECT id FROM campaign WHERE name = ?",
                          (worker.CAMPAIGNS[0][1],)).fetchone()[0]
        # Tombstone-free removal of a third of its visits, as a torn write would leave it.
        con.execute("DROP TRIGGER IF EXISTS capture_visit_delete")
        con.execute("DELETE FROM visit WHERE rowid IN (SELECT rowid FROM visit "
                    "WHERE campaign_id = ? LIMIT 100)", (cid,))
    problems = worker.WORKLOADS["campaign"].check(d, ["campaign:0", "visits:0"], True)
    assert any("not all-or-none" in p for p in problems)
    assert any("log without row" in p for p in common_problems(d, set()))


def test_checks_catch_a_reported_but_missing_transaction(harness: Harness) -> None:
    d = harness.fresh("edit")
    problems = worker.WORKLOADS["edit"].check(d, ["person:0"], True)
    assert problems == ["reported but missing: ['person:0']"]
    # Without durability (after a simulated lost write) the same is allowed.
    assert worker.WORKLOADS["edit"].check(d, ["person:0"], False) == []


def test_checks_catch_uncaptured_rows_and_damage(harness: Harness) -> None:
    d = harness.fresh("edit")
    with worker.connect(d) as con:
        con.execute("DROP TRIGGER capture_operator_insert")
        con.execute("INSERT INTO operator (id, station_code, created_at, updated_at, hlc, name, "
                    "is_admin, active) VALUES ('x', ?, '', '', 1, '李四', 0, 1)", (worker.STATION,))
    assert any("change capture broken" in p for p in common_problems(d, set()))
    db = d / worker.DB
    with worker.connect(d) as con:
        page = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'catalogue_item'"
                           ).fetchone()[0]
    raw = bytearray(db.read_bytes())
    raw[(root - 1) * page:(root - 1) * page + 200] = b"\xff" * 200
    db.write_bytes(bytes(raw))
    assert common_problems(d, set())[0].startswith("integrity_check")
