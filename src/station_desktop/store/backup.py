"""Backups with the SQLite backup API (never a file copy under WAL), restore, and
encrypted, verified backups for a USB stick."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import contextlib
import sqlite3
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from station_desktop.domain.errors import StationError, StorageError, ValidationError
from station_desktop.domain.progress import Progress, tick
from station_desktop.store.db import DB_FILENAME, Store, quick_check
from station_desktop.store.migrate import known_revisions

DAILY_PREFIX = "daily-"
DEFAULT_KEEP_DAYS = 30


def backups_dir(data_dir: Path) -> Path:
    d = Path(data_dir) / "backups"
    d.mkdir(parents=True, exist_ok=True)
    return d


def backup_file(src: Path, dest: Path) -> Path:
    """Copy the database at ``src`` to ``dest`` consistently, even while it is in use.

    Writes to a temporary name first and renames, so a power cut never leaves
    a half-written file under the final name.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        # A backup is a single self-contained file: no WAL beside it.
        _copy_database(src, tmp, journal_mode="DELETE")
    except StorageError as exc:
        with contextlib.suppress(OSError):  # no half-written copy left behind
            tmp.unlink(missing_ok=True)
        raise StorageError(f"无法写入备份文件“{dest}”。", hint=exc.hint, code=exc.code) from exc
    tmp.replace(dest)
    return dest


def _copy_database(src: Path, dest: Path, *, journal_mode: str) -> None:
    """SQLite's online backup of ``src`` (opened read-only) into ``dest``, which is
    left in ``journal_mode``."""
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(dest)
        try:
            source.backup(target)
            target.execute(f"PRAGMA journal_mode = {journal_mode}")
        finally:
            target.close()
    except sqlite3.OperationalError as exc:
        # SQLite says "unable to open database file" or "disk is full" in English.
        raise StorageError(f"无法写入文件“{dest}”。",
                           hint="请检查磁盘或U盘是否插好、是否已满，所选位置是否可以保存文件，然后重试。",
                           code="unwritable") from exc
    finally:
        source.close()


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    station_code: str | None
    station_name: str | None
    revision: str | None
    last_change_at: str | None
    counts: dict[str, int]


_COUNTED = ("person", "visit", "aid_application", "dispute_case", "honour", "change_log")


def summarize(path: Path) -> BackupSummary:
    """What a backup holds (for the restore preview), refusing files that are not ours."""
    quick_check(path)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"meta", "alembic_version", "person"} <= tables:
            raise StorageError(
                f"文件“{path}”不是服务站数据备份。", hint="请选择以 .sqlite3 结尾的备份文件。",
                code="foreign",
            )
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        rev = con.execute("SELECT version_num FROM alembic_version").fetchone()
        counts = {}
        for t in _COUNTED:
            where = " WHERE deleted_at IS NULL" if t != "change_log" else ""
            counts[t] = con.execute(f"SELECT count(*) FROM {t}{where}").fetchone()[0]
        last = con.execute("SELECT max(at) FROM change_log").fetchone()[0]
    finally:
        con.close()
    return BackupSummary(
        path=Path(path),
        station_code=meta.get("station_code"),
        station_name=meta.get("station_name"),
        revision=rev[0] if rev else None,
        last_change_at=last,
        counts=counts,
    )


def verified_copy(src: Path, dest: Path) -> BackupSummary:
    """Copy the database at ``src`` to ``dest`` and read the copy back: it must hold what ``src`` holds.

    The file half of a backup; the services layer notes it in the audit log.
    """
    backup_file(src, dest)
    written = summarize(dest)
    live = summarize(src)
    if written.counts != live.counts:  # pragma: no cover - would mean a broken medium
        raise StorageError(
            f"备份文件“{dest}”校验不一致。", hint="请换一个U盘或文件夹再备份一次。",
            code="backup_mismatch",
        )
    return written


KEEP_DAYS_KEY = "daily_backup_keep_days"
KEEP_DAYS_RANGE = (3, 365)


def daily_keep_days(store: Store) -> int:
    """How many days daily backups are kept (a station setting in ``meta``; 30 by default)."""
    try:
        days = int(store.meta(KEEP_DAYS_KEY) or DEFAULT_KEEP_DAYS)
    except ValueError:
        return DEFAULT_KEEP_DAYS
    return min(max(days, KEEP_DAYS_RANGE[0]), KEEP_DAYS_RANGE[1])


def rotate_daily(store: Store, keep_days: int | None = None, today: date | None = None) -> Path | None:
    """Make today's backup if there is none yet, and drop daily backups older than ``keep_days``.

    Without ``keep_days`` the station's setting (:func:`daily_keep_days`) applies.
    """
    if keep_days is None:
        keep_days = daily_keep_days(store)
    today = today or date.today()
    folder = backups_dir(store.path.parent)
    target = folder / f"{DAILY_PREFIX}{today:%Y%m%d}.sqlite3"
    made = None
    if not target.exists():
        made = backup_file(store.path, target)
    cutoff = today - timedelta(days=keep_days)
    for old in folder.glob(f"{DAILY_PREFIX}*.sqlite3"):
        try:
            stamp = datetime.strptime(old.stem[len(DAILY_PREFIX):], "%Y%m%d").date()
        except ValueError:
            continue
        if stamp < cutoff:
            old.unlink()
    return made


def restore(data_dir: Path, source: Path) -> tuple[BackupSummary, Path | None]:
    """Replace the database in ``data_dir`` with the backup ``source``.

    The backup is checked first (ours, healthy, a schema this program knows);
    the current database is kept aside as ``before-restore-*.sqlite3``. The
    caller must have closed its Store. Returns the summary and the kept copy.
    """
    summary = summarize(source)
    if summary.revision not in known_revisions():
        raise StorageError(
            "这个备份来自更新版本的程序，本程序无法恢复它。", hint="请先安装最新版本的程序。",
            code="too_new",
        )
    live = Path(data_dir) / DB_FILENAME
    kept = None
    if live.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = backup_file(live, backups_dir(data_dir) / f"before-restore-{stamp}.sqlite3")
    _copy_database(source, live, journal_mode="WAL")
    return summary, kept


# --- encrypted backups for a USB stick -----------------------------------------------
#
# File format (docs/decisions.md, "Backups to USB"):
#   MAGIC (8 bytes) | header length (4 bytes, big-endian) | header (UTF-8 JSON)
#   | AES-256-GCM ciphertext of the SQLite file as one raw deflate stream | GCM tag (16 bytes)
# The key and a key check value come from scrypt over the station's recovery
# code with the header's salt; everything before the ciphertext is the GCM
# additional data, so the header cannot be changed unnoticed either.

MAGIC = b"STNDBAK\x01"
SEALED_SUFFIX = ".stbak"
SEALED_FORMAT = "station-desktop-backup"
RECOVERY_FILE = "backup-recovery-code.txt"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 24  # 120 bits
KDF_N, KDF_R, KDF_P = 2 ** 15, 8, 1
TAG_LEN = 16
CHUNK = 1 << 20
MAX_HEADER = 64 * 1024
USB_ACTION = "usb_backup"


class RecoveryCodeNeeded(StationError):
    """The backup is encrypted and this PC has no (or the wrong) recovery code for it."""

    code = "recovery_code_needed"


def _b64e(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _b64d(text_: str) -> bytes:
    return base64.b64decode(text_, validate=True)


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def new_recovery_code() -> str:
    """24 characters of Crockford base32 (120 random bits), shown in dash-separated groups of four."""
    return format_code("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def normalize_code(typed: str) -> str:
    """The code as typed (any case, spaces, dashes, O for 0, I/L for 1) in canonical form."""
    raw = "".join(ch for ch in typed.upper() if ch.isalnum())
    raw = raw.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        raise ValidationError(
            "recovery_code", "恢复码应是 24 位字母和数字（如 ABCD-EFGH-…，共 6 组），请对照纸上抄写的核对。")
    return format_code(raw)


def recovery_code_path(data_dir: Path) -> Path:
    return Path(data_dir) / "keys" / RECOVERY_FILE


def load_recovery_code(data_dir: Path) -> str | None:
    path = recovery_code_path(data_dir)
    if not path.exists():
        return None
    try:
        return normalize_code(path.read_text(encoding="ascii"))
    except (ValueError, StationError):
        return None


def save_recovery_code(data_dir: Path, code: str) -> Path:
    """Keep the recovery code in ``<data dir>/keys`` (owner-only), written atomically."""
    path = recovery_code_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(normalize_code(code) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    return path


def _derive(code: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """(AES-256 key, key check value) from the recovery code."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    raw = normalize_code(code).replace("-", "").encode("ascii")
    out = Scrypt(salt=salt, length=48, n=n, r=r, p=p).derive(raw)
    return out[:32], out[32:]


@dataclass(frozen=True)
class SealedHeader:
    fields: dict[str, Any]
    prefix: bytes  # magic + length + header: the GCM additional data

    @property
    def created_at(self) -> str | None:
        return self.fields.get("created_at")

    @property
    def station_code(self) -> str | None:
        return self.fields.get("station_code")


def read_header(path: Path) -> SealedHeader | None:
    """The header of an encrypted backup, or None when ``path`` is not one (a plain SQLite file)."""
    with open(path, "rb") as fh:
        start = fh.read(len(MAGIC) + 4)
        if not start.startswith(MAGIC[:7]):
            return None
        if start[:8] != MAGIC or len(start) < 12:
            raise StorageError(f"备份文件“{Path(path).name}”来自更新版本的程序或已损坏。",
                               hint="请安装最新版本的程序后再恢复。", code="too_new")
        size = int.from_bytes(start[8:12], "big")
        raw = fh.read(size) if size <= MAX_HEADER else b""
    try:
        fields = json.loads(raw.decode("utf-8"))
        if fields.get("format") != SEALED_FORMAT or fields.get("cipher") != "AES-256-GCM":
            raise ValueError(fields.get("format"))
    except (ValueError, UnicodeDecodeError, AttributeError) as exc:
        raise StorageError(f"备份文件“{Path(path).name}”已损坏（文件头无法读取）。",
                           hint="请换一个备份文件。", code="corrupt") from exc
    return SealedHeader(fields, start + raw)


def is_sealed(path: Path) -> bool:
    return read_header(path) is not None


def _fsync_dir(folder: Path) -> None:
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_CANCELLED = "已取消备份，没有留下不完整的文件。"


def _deflate_block(block: bytes, primer: bytes) -> bytes:
    squeeze = (zlib.compressobj(1, zlib.DEFLATED, -15, zdict=primer) if primer
               else zlib.compressobj(1, zlib.DEFLATED, -15))
    return squeeze.compress(block) + squeeze.flush(zlib.Z_SYNC_FLUSH)


def _deflate(fin: Any) -> Iterator[tuple[bytes, bytes]]:
    """(chunk, its deflate output) in order: together one raw deflate stream (RFC 1951).

    Chunks are compressed on several cores as pigz does: each ends with a sync
    flush (so they join on a byte boundary) and is primed with the last 32 KiB
    before it (so the ratio stays that of one stream); an empty final block
    ends the stream. zlib releases the GIL while it compresses.
    """
    workers = max(1, min(4, os.cpu_count() or 1))
    pending: deque[tuple[bytes, Future[bytes]]] = deque()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        primer = b""
        while chunk := fin.read(CHUNK):
            pending.append((chunk, pool.submit(_deflate_block, chunk, primer)))
            primer = chunk[-32768:]
            if len(pending) > 2 * workers:
                done, packed = pending.popleft()
                yield done, packed.result()
        while pending:
            done, packed = pending.popleft()
            yield done, packed.result()
    yield b"", zlib.compressobj(1, zlib.DEFLATED, -15).flush()


def seal_file(src: Path, dest: Path, code: str, *, station_code: str | None = None,
              progress: Progress | None = None, offset: int = 0,
              total: int | None = None) -> tuple[str, str]:
    """Compress and encrypt the SQLite file ``src`` to ``dest``.

    Returns the SHA-256 of ``src`` and of the bytes written to ``dest``.
    Written to ``dest.part``, flushed to the medium and renamed, so a pulled
    USB stick never leaves a half file under the real name.
    """
    from station_desktop.store.models import utc_now

    size = Path(src).stat().st_size
    salt, nonce = os.urandom(16), os.urandom(12)
    key, check = _derive(code, salt, KDF_N, KDF_R, KDF_P)
    fields = {
        "format": SEALED_FORMAT, "version": 1,
        "created_at": utc_now(),
        "station_code": station_code, "size": size,
        "kdf": {"name": "scrypt", "n": KDF_N, "r": KDF_R, "p": KDF_P, "salt": _b64e(salt)},
        "key_check": _b64e(check), "cipher": "AES-256-GCM", "nonce": _b64e(nonce),
        "compression": "deflate",
    }
    header = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")
    prefix = MAGIC + len(header).to_bytes(4, "big") + header
    enc = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(prefix)
    digest, out_digest = hashlib.sha256(), hashlib.sha256()
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    total = total or size
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:

            def put(data: bytes) -> None:
                out_digest.update(data)
                fout.write(data)

            put(prefix)
            done = 0
            for chunk, packed in _deflate(fin):
                digest.update(chunk)
                put(enc.update(packed))
                done += len(chunk)
                tick(progress, offset + done, total, _CANCELLED)
            enc.finalize()
            put(enc.tag)
            fout.flush()
            os.fsync(fout.fileno())
        tmp.replace(dest)
        _fsync_dir(dest.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return digest.hexdigest(), out_digest.hexdigest()


def _drop_cache(path: Path) -> None:
    """Ask the OS to forget its cached copy, so reading back reads the medium (where possible)."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        advise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def unseal_file(src: Path, dest: Path | None, code: str, *,
                progress: Progress | None = None, offset: int = 0,
                total: int | None = None) -> str:
    """Decrypt the backup ``src`` (to ``dest``, or only to check it); returns SHA-256 of the content.

    Nothing is left under ``dest`` unless the whole file decrypts and its GCM
    tag verifies. A wrong recovery code raises :class:`RecoveryCodeNeeded`;
    a damaged or altered file raises StorageError.
    """
    header, dec, body, size, damaged = _opened(src, code)
    inflate = zlib.decompressobj(-15)
    digest = hashlib.sha256()
    tmp = dest.with_name(dest.name + ".part") if dest is not None else None
    written = 0
    try:
        with open(src, "rb") as fin, (open(tmp, "wb") if tmp else nullcontext()) as fout:
            fin.seek(len(header.prefix))
            for chunk in _ciphertext(fin, body, damaged, progress, offset, total):
                data = dec.update(chunk)
                while data:
                    # Bounded output: an altered file cannot fill the disk before the tag is checked.
                    plain = inflate.decompress(data, CHUNK)
                    data = inflate.unconsumed_tail
                    written += len(plain)
                    if written > size:
                        raise damaged
                    digest.update(plain)
                    if fout is not None:
                        fout.write(plain)
            dec.finalize()
            if not inflate.eof or inflate.unused_data or written != size:
                raise damaged
            if fout is not None:
                fout.flush()
                os.fsync(fout.fileno())
    except (InvalidTag, zlib.error) as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise damaged from exc
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    if tmp is not None and dest is not None:
        tmp.replace(dest)
    return digest.hexdigest()


def check_sealed(src: Path, code: str, *, progress: Progress | None = None,
                 offset: int = 0, total: int | None = None) -> str:
    """Read the whole encrypted file back and verify its GCM tag; returns SHA-256 of the file.

    Compared with what :func:`seal_file` wrote, this proves the medium gives
    back exactly those bytes, and the tag that they decrypt to what was sealed.
    """
    header, dec, body, _size, damaged = _opened(src, code)
    whole = hashlib.sha256()
    try:
        with open(src, "rb") as fin:
            whole.update(fin.read(len(header.prefix)))
            for chunk in _ciphertext(fin, body, damaged, progress, offset, total):
                whole.update(chunk)
                dec.update(chunk)
            whole.update(fin.read())
        dec.finalize()
    except InvalidTag as exc:
        raise damaged from exc
    return whole.hexdigest()


def _ciphertext(fin: Any, body: int, damaged: StorageError, progress: Progress | None,
                offset: int, total: int | None) -> Iterator[bytes]:
    """The ``body`` bytes of ciphertext from ``fin`` in chunks, reporting progress, honouring cancel."""
    left = body
    while left > 0:
        chunk = fin.read(min(CHUNK, left))
        if not chunk:
            raise damaged
        left -= len(chunk)
        yield chunk
        tick(progress, offset + body - left, total or body, _CANCELLED)


def _opened(src: Path, code: str) -> tuple[SealedHeader, Any, int, int, StorageError]:
    """(header, GCM decryptor with tag and additional data set, ciphertext length,
    plain size, the error to raise when the file is damaged)."""
    header = read_header(src)
    if header is None:
        raise StorageError(f"“{Path(src).name}”不是加密备份文件。", code="not_sealed")
    name = Path(src).name
    damaged = StorageError(f"备份文件“{name}”已损坏或被改动过，不能使用。",
                           hint="请换一个备份文件（如另一个U盘上的备份）。", code="corrupt")
    f = header.fields
    try:
        kdf = f["kdf"]
        key, check = _derive(code, _b64d(kdf["salt"]), int(kdf["n"]), int(kdf["r"]),
                             int(kdf["p"]))
        expected_check, nonce, size = _b64d(f["key_check"]), _b64d(f["nonce"]), int(f["size"])
    except (KeyError, ValueError, TypeError) as exc:
        raise damaged from exc
    if not hmac.compare_digest(check, expected_check):
        raise RecoveryCodeNeeded(
            "恢复码不对，无法打开这个加密备份。",
            hint="请找出第一次备份到U盘时抄写（打印）的恢复码，核对后重新输入。",
            code="wrong_recovery_code")
    file_size = Path(src).stat().st_size
    body = file_size - len(header.prefix) - TAG_LEN
    if body < 0:
        raise damaged
    with open(src, "rb") as fh:
        fh.seek(file_size - TAG_LEN)
        tag = fh.read(TAG_LEN)
    dec = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(header.prefix)
    return header, dec, body, size, damaged


def _counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}"
                               + (" WHERE deleted_at IS NULL" if t != "change_log" else "")
                               ).fetchone()[0] for t in _COUNTED}
    finally:
        con.close()


@dataclass(frozen=True)
class UsbBackup:
    path: Path
    summary: BackupSummary
    size: int  # bytes written
    sha256: str  # of the SQLite file inside
    new_code: str | None  # the recovery code, when this backup created it (show it once)


def usb_file_name(station_code: str | None, when: datetime | None = None) -> str:
    when = when or datetime.now()
    code = f"{station_code}-" if station_code else ""
    return f"服务站备份-{code}{when:%Y%m%d-%H%M}{SEALED_SUFFIX}"


def seal_usb_backup(store: Store, dest: Path, *, progress: Progress | None = None) -> UsbBackup:
    """An encrypted, verified backup at ``dest`` (a file, or a folder to put one in).

    1. a snapshot with the SQLite backup API into the data dir's backups folder;
    2. the snapshot passes ``quick_check`` and its counts equal the live database's
       (checked while step 3 runs; a failure removes what step 3 wrote);
    3. it is compressed and encrypted to ``dest`` and flushed to the medium;
    4. ``dest`` is read back from the medium (its cached copy dropped first where
       the OS allows): the SHA-256 of what comes back must equal that of what
       was written, and the GCM tag must verify, so what is on the stick is
       exactly the checked snapshot, sealed.
    The recovery code is the station's (``keys/``); the first USB backup creates it.
    This is the file work; ``services.backups.usb_backup`` also notes the backup
    in the audit log (which :func:`last_usb_backup` reads).
    """
    data_dir = store.path.parent
    dest = Path(dest)
    station_code = store.meta("station_code")
    if dest.is_dir():
        dest = dest / usb_file_name(station_code)
    elif dest.suffix != SEALED_SUFFIX:
        dest = dest.with_name(dest.name + SEALED_SUFFIX)
    code = load_recovery_code(data_dir)
    new_code = None
    if code is None:
        code = new_code = new_recovery_code()
        save_recovery_code(data_dir, code)
    snapshot = backups_dir(data_dir) / f"usb-snapshot-{datetime.now():%Y%m%d-%H%M%S}.tmp"
    bad_medium = StorageError(f"写到“{dest.parent}”的备份读回来核对不一致。",
                              hint="这个U盘可能有问题，请换一个U盘再备份一次。",
                              code="backup_mismatch")
    try:
        backup_file(store.path, snapshot)
        live_counts = _counts(store.path)
        size = snapshot.stat().st_size
        # The snapshot's quick_check runs beside the compression (both release the GIL).
        with ThreadPoolExecutor(max_workers=1) as pool:
            checking = pool.submit(summarize, snapshot)
            try:
                plain_sha, written_sha = seal_file(snapshot, dest, code, station_code=station_code,
                                                progress=progress, total=size + size // 4)
            finally:
                summary = checking.result()
        if summary.counts != live_counts:  # pragma: no cover - a write slipped in
            raise StorageError("备份时数据正在变化，备份没有完成。", hint="请稍后再备份一次。",
                               code="backup_mismatch")
        _drop_cache(dest)
        try:
            read_back = check_sealed(dest, code, progress=progress, offset=size,
                                     total=size + size // 4)
        except StationError as exc:
            raise bad_medium from exc
        if read_back != written_sha:
            raise bad_medium
    except BaseException:
        dest.unlink(missing_ok=True)
        if new_code is not None:
            # Nothing was written with it: the next try makes (and shows) a fresh one.
            recovery_code_path(data_dir).unlink(missing_ok=True)
        raise
    finally:
        snapshot.unlink(missing_ok=True)
    written = dest.stat().st_size
    return UsbBackup(dest, BackupSummary(dest, summary.station_code, summary.station_name,
                                         summary.revision, summary.last_change_at,
                                         summary.counts), written, plain_sha, new_code)


def last_usb_backup(store: Store) -> str | None:
    """When the last verified USB backup was made (UTC ISO text), or None."""
    with store.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT max(at) FROM audit_event WHERE action = ?", (USB_ACTION,)).scalar()


def unseal_for_restore(source: Path, data_dir: Path, code: str | None = None, *,
                       keep_code: bool = True) -> Path:
    """The plain SQLite file behind the backup ``source``, ready for ``summarize``/``restore``.

    A plain backup is returned as it is. An encrypted one is decrypted into the
    data dir's backups folder (the caller removes it, see :func:`discard_unsealed`)
    with ``code`` or else the code kept on this PC; a code typed in that opens
    it is kept on this PC when it has none (:func:`adopt_recovery_code`; with
    ``keep_code=False`` the caller does that once the restore goes ahead).
    Raises :class:`RecoveryCodeNeeded` when no code fits.
    """
    if read_header(source) is None:
        return Path(source)
    local = load_recovery_code(data_dir)
    code = code or local
    if code is None:
        raise RecoveryCodeNeeded(
            "这是加密的U盘备份，本机没有它的恢复码。",
            hint="请输入第一次备份到U盘时抄写（打印）的恢复码。", code="recovery_code_needed")
    plain = backups_dir(data_dir) / f"unsealed-{datetime.now():%Y%m%d-%H%M%S}.tmp"
    unseal_file(source, plain, code)
    if keep_code:
        adopt_recovery_code(data_dir, code)
    return plain


def adopt_recovery_code(data_dir: Path, code: str | None) -> None:
    """Keep ``code`` (one that opened a backup) on this PC when it has none yet:
    a new PC carries on with the code on paper."""
    if code and load_recovery_code(data_dir) is None:
        save_recovery_code(data_dir, code)


def discard_unsealed(source: Path, plain: Path) -> None:
    """Remove the decrypted copy :func:`unseal_for_restore` made (never the backup itself)."""
    if Path(plain) != Path(source) and Path(plain).suffix == ".tmp":
        Path(plain).unlink(missing_ok=True)
