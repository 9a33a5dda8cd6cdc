"""``restore`` asks first: what the backup holds against what it would replace.

Without ``--yes`` the command shows both (station, last change, counts) and
asks on the terminal; with nobody to ask (stdin is not a terminal: a script,
a pipe, a scheduled task) it refuses and changes nothing, so a mistyped file
name in a script never replaces a station's records.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import TextIO

from station_desktop.domain.errors import StationError
from station_desktop.domain.validate import local_time
from station_desktop.store.backup import BackupSummary, summarize
from station_desktop.store.db import DB_FILENAME

#: (count key, label, unit) in the order a cadre reads them.
_COUNTS = (("person", "人员档案", "人"), ("visit", "走访记录", "条"),
           ("aid_application", "帮扶申请", "件"), ("dispute_case", "矛盾纠纷", "件"),
           ("honour", "荣誉", "项"))
_YES = {"y", "yes", "是", "确认"}


def _current(data_dir: Path) -> BackupSummary | str:
    """What the data dir holds now, or why that cannot be read."""
    live = Path(data_dir) / DB_FILENAME
    if not live.exists() or live.stat().st_size == 0:
        return "（没有数据）"
    try:
        return summarize(live)
    except (StationError, sqlite3.Error):
        return "（无法读取：数据文件可能已损坏）"


def _station(s: BackupSummary) -> str:
    return f"{s.station_name or '（未知）'}（{s.station_code or '—'}）"


def comparison(backup: BackupSummary, source: Path, data_dir: Path) -> str:
    """The backup's station, last change and counts beside the current database's."""
    now = _current(data_dir)
    if isinstance(now, BackupSummary):
        current = [_station(now), local_time(now.last_change_at, empty="无")] + [
            f"{now.counts.get(key, 0)} {unit}" for key, _label, unit in _COUNTS]
    else:
        current = [now] * (2 + len(_COUNTS))
    rows = zip(["服务站", "最后修改"] + [label for _key, label, _unit in _COUNTS],
               [_station(backup), local_time(backup.last_change_at, empty="无")]
               + [f"{backup.counts.get(key, 0)} {unit}" for key, _label, unit in _COUNTS],
               current, strict=True)
    return "\n".join(
        [f"将用备份 {source} 替换 {Path(data_dir) / DB_FILENAME} 中的数据："]
        + [f"  {label}：备份 {was}；当前 {now_}" for label, was, now_ in rows]
        + ["当前数据会先另存到数据目录的 backups 文件夹（before-restore-…），不会删除。"])


def confirm_restore(backup: BackupSummary, source: Path, data_dir: Path, *,
                    stdin: TextIO | None = None, out: TextIO | None = None) -> bool:
    """Show what the restore replaces and ask; True when the person says yes.

    Raises StationError (the command exits 1) when there is no terminal to ask.
    """
    stdin = sys.stdin if stdin is None else stdin
    out = sys.stdout if out is None else out
    out.write(comparison(backup, source, data_dir) + "\n")
    if stdin is None or not stdin.isatty():
        raise StationError(
            "没有终端可以确认，没有恢复，数据没有改动。",
            hint="核对上面的内容后，加 --yes 再运行一次即可恢复。", code="confirmation_needed")
    out.write("确认恢复吗？输入 y 回车确认，直接回车取消：")
    out.flush()
    if stdin.readline().strip().lower() in _YES:
        return True
    sys.stderr.write("已取消，没有恢复，数据没有改动。\n")
    return False
