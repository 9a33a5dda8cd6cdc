"""Encrypted, verified USB backup of the 100 000-person database (issue 6).

    python benchmarks/bench_usb_backup.py [--persons 100000] [--visits 1000000] [--out FILE]

Times the whole ``usb_backup`` (snapshot with the SQLite backup API, quick_check
and counts, zlib + AES-256-GCM to the target, flushed, read back to compare
SHA-256 and verify the GCM tag) and each of its steps, the plain verified backup for
comparison, and opening the encrypted file again (decrypting to a temporary
copy, as a restore does). The "USB stick" here is a folder on the same disk,
so the figures leave out the stick's own write speed; the sizes say how much
a real stick has to take.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from common import OUT, build_roster, write_out

from station_desktop.services import backups as sb
from station_desktop.services import open_store
from station_desktop.store import backup as b


def seconds(fn) -> tuple[float, object]:  # noqa: ANN001
    t0 = time.perf_counter()
    result = fn()
    return round(time.perf_counter() - t0, 2), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--visits", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    built = build_roster(OUT / f"roster-{args.persons}", args.persons, args.visits)
    # A copy of its own: the backup writes to the audit log, and opening migrates the file.
    data_dir = OUT / f"usb-backup-{args.persons}"
    if not (data_dir / "station.sqlite3").exists():
        b.backup_file(built / "station.sqlite3", data_dir / "station.sqlite3")
    store = open_store(data_dir, daily_backup=False)
    for old in (data_dir / "backups").glob("before-upgrade-*"):
        old.unlink()
    usb = Path(tempfile.mkdtemp(prefix="usb-"))
    try:
        db_size = store.path.stat().st_size
        totals, cpu = [], []
        made = None
        for i in range(args.repeat):
            c0 = time.process_time()
            took, made = seconds(lambda i=i: sb.usb_backup(store, usb / f"run{i}.stbak"))
            cpu.append(round(time.process_time() - c0, 2))
            totals.append(took)
        assert made is not None
        code = b.load_recovery_code(data_dir)
        snap = usb / "snapshot.sqlite3"
        steps = {}
        steps["snapshot (backup API)"], _ = seconds(lambda: b.backup_file(store.path, snap))
        steps["quick_check + counts of the snapshot"], _ = seconds(lambda: b.summarize(snap))
        steps["counts of the live file"], _ = seconds(lambda: b._counts(store.path))
        steps["compress + encrypt + fsync (quick_check runs beside it)"], _ = seconds(
            lambda: b.seal_file(snap, usb / "steps.stbak", code))
        steps["read back: SHA-256 + GCM tag"], _ = seconds(
            lambda: b.check_sealed(usb / "steps.stbak", code))
        restore_open, _ = seconds(
            lambda: b.discard_unsealed(made.path, b.unseal_for_restore(made.path, data_dir)))
        plain, _ = seconds(lambda: sb.backup(store, usb / "plain.sqlite3"))
        result = {
            "persons": args.persons, "visits": args.visits,
            "database_mb": round(db_size / 1e6, 1),
            "encrypted_file_mb": round(made.size / 1e6, 1),
            "usb_backup_s": sorted(totals),
            "usb_backup_median_s": sorted(totals)[len(totals) // 2],
            "usb_backup_cpu_s": sorted(cpu),
            "steps_s": steps,
            "open_encrypted_for_restore_s": restore_open,
            "plain_verified_backup_s": plain,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
    finally:
        store.close()
        shutil.rmtree(usb, ignore_errors=True)
    write_out(args.out, result)


if __name__ == "__main__":
    main()
