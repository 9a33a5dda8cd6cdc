"""Start-up recovery: say what is wrong with the database file, and restore a good backup.

:func:`diagnose` looks at the file before anything opens it (an open, even a
read-only one, rebuilds SQLite's WAL index and so erases the evidence of a
lost ``-wal`` file), then runs the same checks as ``open_store``.
:func:`set_aside` moves the damaged file and its ``-wal``/``-shm`` to
``<data>/damaged/<timestamp>/``; ``services.recovery.recover`` does that and
restores a verified backup: nothing is overwritten or deleted.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from station_desktop.domain.errors import StationError, StorageError
from station_desktop.store.backup import BackupSummary, summarize
from station_desktop.store.db import DB_FILENAME, quick_check
from station_desktop.store.migrate import SCHEMA_HEAD, current_revision, known_revisions

SIDECARS = ("-wal", "-shm", "-journal")
DAMAGED_DIR = "damaged"
SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_HEADER = 32
_WAL_FRAME_HEADER = 24

#: What each problem means for the cadre (the first sentence of the dialog).
PROBLEMS: dict[str, str] = {
    "missing": "数据文件不见了（可能被误删或被杀毒软件隔离），但找到了以前的备份。",
    "empty": "数据文件是空的（0 字节），里面的记录已经丢失，可能是写入时断电或磁盘出错。",
    "truncated": "数据文件不完整（后半部分丢失），可能是写入时断电或磁盘出错。",
    "header_damaged": "数据文件的开头被破坏了，程序无法读取。",
    "not_database": "数据文件的内容不是数据库，可能被别的文件覆盖了。",
    "corrupt": "数据文件内部已损坏（完整性检查未通过）。",
    "wal_missing": "数据文件旁边的日志文件（station.sqlite3-wal）不见了，"
                   "最近保存的一些修改在那个文件里，已无法读取。",
    "foreign": "数据目录里的文件不是退役军人服务站的数据文件。",
    "too_new": "数据库由更新版本的程序创建，本程序无法打开。",
}


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with a data dir's database (``problem`` None: nothing)."""

    data_dir: Path
    problem: str | None
    detail: str = ""
    files: tuple[Path, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def message(self) -> str:
        return PROBLEMS.get(self.problem or "", "数据文件完好。")

    @property
    def recoverable(self) -> bool:
        """Restoring a backup is the remedy (a newer program is, for ``too_new``)."""
        return self.problem is not None and self.problem != "too_new"


@dataclass(frozen=True)
class BackupChoice:
    """A backup file, verified or with the reason it cannot be used."""

    path: Path
    made_at: datetime
    size: int
    summary: BackupSummary | None = None
    error: str | None = None

    @property
    def good(self) -> bool:
        return self.summary is not None


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_FILENAME


def present_files(data_dir: Path) -> tuple[Path, ...]:
    """The database file and whichever of its sidecar files exist."""
    path = db_path(data_dir)
    candidates = [path] + [path.with_name(path.name + s) for s in SIDECARS]
    return tuple(p for p in candidates if p.exists())


def _wal_lost(path: Path) -> str | None:
    """Whether the WAL index says committed frames exist that the ``-wal`` file lacks.

    The ``-shm`` file starts with two copies of the 48-byte WAL index header
    (native byte order); ``mxFrame`` is the last committed frame. It is only
    trusted when both copies agree and it is marked initialised.
    """
    shm = path.with_name(path.name + "-shm")
    wal = path.with_name(path.name + "-wal")
    try:
        head = shm.read_bytes()[:96]
    except OSError:
        return None
    if len(head) < 96 or head[:48] != head[48:96]:
        return None
    _version, _unused, _change, is_init, _big, page, mx_frame = struct.unpack("=IIIBBHI", head[:20])
    if not is_init or mx_frame == 0:
        return None
    page_size = 65536 if page == 1 else page
    needed = _WAL_HEADER + mx_frame * (page_size + _WAL_FRAME_HEADER)
    have = wal.stat().st_size if wal.exists() else 0
    if have >= needed:
        return None
    return f"-shm 记录 {mx_frame} 个已提交的页帧，需要 {needed} 字节的 -wal，实际 {have} 字节"


def _file_problem(path: Path) -> tuple[str, str] | None:
    """Checks on the bytes alone, before SQLite opens (and so changes) anything."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(512)
    if head[:16] != SQLITE_MAGIC:
        # A b-tree page type byte right after the 100-byte header: page 1 survives.
        if len(head) >= 512 and head[100] in (0x05, 0x0D):
            return "header_damaged", f"文件头不是 SQLite 格式（{head[:16]!r}）"
        return "not_database", f"文件头不是 SQLite 格式（{head[:16]!r}），大小 {size} 字节"
    if len(head) < 100:
        return "truncated", f"文件只有 {size} 字节"
    page = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page == 1 else page
    if page_size < 512 or page_size & (page_size - 1):
        return "header_damaged", f"页大小 {page} 无效"
    pages, change, valid_for = struct.unpack(">I", head[28:32])[0], head[24:28], head[92:96]
    if size % page_size:
        return "truncated", f"大小 {size} 字节不是页大小 {page_size} 的整数倍"
    if change == valid_for and pages and size < pages * page_size:
        return "truncated", f"应有 {pages} 页（{pages * page_size} 字节），实际 {size} 字节"
    lost = _wal_lost(path)
    if lost:
        return "wal_missing", lost
    return None


def _has_backups(data_dir: Path) -> bool:
    folder = Path(data_dir) / "backups"
    return folder.is_dir() and any(folder.glob("*.sqlite3"))


def diagnose(data_dir: Path, *, thorough: bool = True) -> Diagnosis:
    """What is wrong with the database in ``data_dir``, if anything.

    ``thorough=False`` only reads bytes (no SQLite open, a few ms whatever the
    size): run it before ``open_store``. The thorough check adds SQLite's
    ``quick_check`` and the schema revision, as ``open_store`` does.
    """
    data_dir = Path(data_dir)
    path = db_path(data_dir)
    files = present_files(data_dir)
    if not path.exists() or path.stat().st_size == 0:
        if _has_backups(data_dir):
            return Diagnosis(data_dir, "empty" if path.exists() else "missing",
                             "数据文件为 0 字节" if path.exists() else "没有数据文件", files)
        return Diagnosis(data_dir, None, "新的数据目录", files)
    found = _file_problem(path)
    if found:
        return Diagnosis(data_dir, found[0], found[1], files)
    if not thorough:
        return Diagnosis(data_dir, None, "", files)
    try:
        quick_check(path)
        rev = current_revision(path)
    except StorageError as exc:
        return Diagnosis(data_dir, exc.code if exc.code in PROBLEMS else "corrupt",
                         exc.message, files)
    except sqlite3.DatabaseError as exc:
        return Diagnosis(data_dir, "corrupt", str(exc), files)
    if rev is not None and rev != SCHEMA_HEAD and rev not in known_revisions():
        return Diagnosis(data_dir, "too_new", f"版本 {rev}", files)
    return Diagnosis(data_dir, None, "", files)


def list_backups(data_dir: Path, extra: list[Path] | None = None) -> list[Path]:
    """Backup files of ``data_dir`` (and ``extra``), newest first; ``.part`` files are not backups."""
    folder = Path(data_dir) / "backups"
    found = list(folder.glob("*.sqlite3")) if folder.is_dir() else []
    found += [Path(p) for p in extra or [] if Path(p).exists()]
    return sorted(set(found), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def verify_backup(path: Path) -> BackupChoice:
    """Read a backup through: healthy, ours, a schema this program knows (else ``error``)."""
    path = Path(path)
    st = path.stat()
    made = datetime.fromtimestamp(st.st_mtime)
    try:
        summary = summarize(path)
    except StationError as exc:
        return BackupChoice(path, made, st.st_size, error=exc.message)
    except sqlite3.Error as exc:
        return BackupChoice(path, made, st.st_size, error=str(exc))
    if summary.revision not in known_revisions():
        return BackupChoice(path, made, st.st_size, error="这个备份来自更新版本的程序")
    return BackupChoice(path, made, st.st_size, summary=summary)


def newest_good_backup(data_dir: Path) -> BackupChoice | None:
    """The newest backup that verifies (older ones are read only if newer ones fail)."""
    for path in list_backups(data_dir):
        choice = verify_backup(path)
        if choice.good:
            return choice
    return None


def set_aside(data_dir: Path, *, copy_db: bool = False) -> tuple[Path | None, list[Path]]:
    """Move the database file and its sidecars to ``<data>/damaged/<timestamp>/``.

    Renames within one folder tree, so nothing is rewritten; with ``copy_db``
    the main file is copied instead of moved (it stays in use).
    """
    files = present_files(data_dir)
    if not files:
        return None, []
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = Path(data_dir) / DAMAGED_DIR / stamp
    n = 1
    while target.exists():
        n += 1
        target = Path(data_dir) / DAMAGED_DIR / f"{stamp}-{n}"
    target.mkdir(parents=True)
    moved = []
    for f in files:
        dest = target / f.name
        if copy_db and f.name == DB_FILENAME:
            shutil.copy2(f, dest)
        else:
            os.replace(f, dest)
        moved.append(dest)
    return target, moved


def keep_as_is(data_dir: Path) -> Path | None:
    """Accept a database whose ``-wal`` was lost: keep a copy of everything, then drop the stale index.

    The main file is consistent on its own (it lacks the changes the lost
    ``-wal`` held); SQLite rebuilds the ``-shm`` index on the next open.
    """
    target, _moved = set_aside(data_dir, copy_db=True)
    return target
