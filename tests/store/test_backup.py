"""backup / restore round trip with the SQLite backup API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from station_desktop.domain.errors import StorageError
from station_desktop.services import Service, open_store
from station_desktop.services import backups as sb
from station_desktop.services.backups import backup
from station_desktop.store.backup import restore, rotate_daily, summarize
from tests.conftest import TODAY, make_id


def test_round_trip_restores_exact_state_and_keeps_current_aside(tmp_path, data_dir, svc, store):
    a = svc.create("person", {"name": "张三", "id_number": make_id(seq=1), "categories": "退役士兵"})
    svc.create("visit", {"person_id": a["id"], "kind": "routine", "method": "电话",
                         "visit_date": "2026-11-01", "visitor": "王建国"})
    target = tmp_path / "usb" / "backup.sqlite3"
    summary = backup(store, target)
    assert summary.counts["person"] == 1 and summary.counts["visit"] == 1
    assert summary.station_code == svc.station_code
    # work goes on after the backup ...
    svc.create("person", {"name": "李四", "id_number": make_id(seq=2), "categories": "退役士兵"})
    svc.delete("person", a["id"])
    store.close()
    # ... and restoring brings back the backed-up state exactly
    restored, kept = restore(data_dir, target)
    assert kept is not None and kept.exists()
    assert summarize(kept).counts["person"] == 1  # 李四 alive, 张三 deleted
    reopened = open_store(data_dir)
    try:
        names = [p["name"] for p in Service(reopened, today=TODAY).list("person")]
        assert names == ["张三"]
    finally:
        reopened.close()


def test_restore_refuses_foreign_file(tmp_path, data_dir, svc, store):
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_bytes(b"not a database" * 500)
    store.close()
    before = (data_dir / "station.sqlite3").read_bytes()
    with pytest.raises(StorageError):
        restore(data_dir, bogus)
    assert (data_dir / "station.sqlite3").read_bytes() == before


def test_daily_rotation_keeps_configured_days(store):
    for back in range(40):
        rotate_daily(store, keep_days=30, today=date(2026, 11, 23) - timedelta(days=39 - back))
    kept = sorted(p.name for p in (store.path.parent / "backups").glob("daily-*.sqlite3"))
    assert len(kept) == 31
    assert kept[0] == "daily-20261024.sqlite3" and kept[-1] == "daily-20261123.sqlite3"


# --- encrypted USB backups ------------------------------------------------------


def test_keep_days_is_a_station_setting(store):
    from station_desktop.domain.errors import ValidationError
    from station_desktop.store.backup import daily_keep_days

    assert daily_keep_days(store) == 30
    sb.set_daily_keep_days(store, 7)
    assert daily_keep_days(store) == 7
    with pytest.raises(ValidationError):
        sb.set_daily_keep_days(store, 1)
    for back in range(12):
        rotate_daily(store, today=date(2026, 11, 23) - timedelta(days=11 - back))
    kept = sorted(p.name for p in (store.path.parent / "backups").glob("daily-*.sqlite3"))
    assert kept[0] == "daily-20261116.sqlite3" and len(kept) == 8


def _station_with_records(svc):
    a = svc.create("person", {"name": "张三丰", "id_number": make_id(seq=1),
                              "categories": "退役士兵", "phone": "13912345678"})
    svc.create("visit", {"person_id": a["id"], "kind": "routine", "method": "电话",
                         "visit_date": "2026-11-01", "visitor": "王建国"})
    return a


def test_usb_backup_is_encrypted_verified_and_restores_on_a_new_pc(tmp_path, data_dir, svc,
                                                                   store):
    from station_desktop.store import backup as b

    a = _station_with_records(svc)
    usb = tmp_path / "usb"
    usb.mkdir()
    assert b.last_usb_backup(store) is None
    made = sb.usb_backup(store, usb, operator_id=svc.operator_id)
    assert made.path.parent == usb and made.path.suffix == ".stbak"
    assert made.summary.counts["person"] == 1 and made.summary.counts["visit"] == 1
    assert made.new_code is not None and b.load_recovery_code(data_dir) == made.new_code
    assert oct(b.recovery_code_path(data_dir).stat().st_mode & 0o777) == "0o600"
    assert b.last_usb_backup(store) is not None
    assert [p.name for p in usb.iterdir()] == [made.path.name]  # no .part, no plain copy
    assert not list((data_dir / "backups").glob("*.tmp"))  # the snapshot is gone
    raw = made.path.read_bytes()
    for secret in ("张三丰", a["id_number"], "13912345678", "SQLite format 3"):
        assert secret.encode("utf-8") not in raw
    header = b.read_header(made.path)
    assert header.fields["cipher"] == "AES-256-GCM" and header.station_code == svc.station_code
    # the second backup uses the same code and says so
    again = sb.usb_backup(store, usb / "second", operator_id=svc.operator_id)
    assert again.new_code is None and again.path.name == "second.stbak"

    # a new PC: empty data dir, no keys
    new_pc = tmp_path / "new-pc"
    with pytest.raises(b.RecoveryCodeNeeded):
        b.unseal_for_restore(made.path, new_pc)
    with pytest.raises(b.RecoveryCodeNeeded) as e:
        b.unseal_for_restore(made.path, new_pc, b.new_recovery_code())
    assert e.value.code == "wrong_recovery_code"
    typed = made.new_code.lower().replace("-", " ").replace("0", "o")  # as a cadre types it
    plain = b.unseal_for_restore(made.path, new_pc, typed)
    assert summarize(plain).counts == made.summary.counts
    assert b.load_recovery_code(new_pc) == made.new_code  # kept for the next backups
    restored, _store_summary, kept = sb.restore_data_dir(new_pc, plain)
    b.discard_unsealed(made.path, plain)
    assert not plain.exists() and made.path.exists() and kept is None
    try:
        assert [p["name"] for p in Service(restored, today=TODAY).list("person")] == ["张三丰"]
    finally:
        restored.close()


@pytest.mark.parametrize("where", ["header", "body", "tag", "truncated"])
def test_altered_or_truncated_usb_backup_is_refused_and_leaves_nothing(tmp_path, data_dir,
                                                                        svc, store, where):
    from station_desktop.store import backup as b

    _station_with_records(svc)
    made = sb.usb_backup(store, tmp_path / "usb" / "x.stbak")
    raw = bytearray(made.path.read_bytes())
    if where == "header":
        raw[raw.index(b'"station_code"') + 17] ^= 1  # a digit of the station code
    elif where == "body":
        raw[len(raw) // 2] ^= 0x40
    elif where == "tag":
        raw[-1] ^= 1
    else:
        del raw[len(raw) - 100:]
    made.path.write_bytes(bytes(raw))
    out = tmp_path / "plain.sqlite3"
    with pytest.raises(StorageError) as e:
        b.unseal_file(made.path, out, made.new_code)
    assert e.value.code == "corrupt" and "损坏" in e.value.message
    assert not out.exists() and not out.with_name("plain.sqlite3.part").exists()


def test_recovery_code_format():
    from station_desktop.domain.errors import ValidationError
    from station_desktop.store import backup as b

    code = b.new_recovery_code()
    assert len(code) == 29 and code.count("-") == 5
    assert len({b.new_recovery_code() for _ in range(50)}) == 50
    assert b.normalize_code(code.lower().replace("-", "")) == code
    for bad in ("", "ABCD-EFGH", code + "X", code[:-1] + "U"):
        with pytest.raises(ValidationError):
            b.normalize_code(bad)


def test_cancelled_usb_backup_leaves_no_file_and_no_new_code(tmp_path, data_dir, svc, store):
    from station_desktop.domain.errors import StationError
    from station_desktop.store import backup as b

    _station_with_records(svc)

    class Cancelled:
        cancelled = True

        def __call__(self, done, total):
            pass

    usb = tmp_path / "usb"
    usb.mkdir()
    with pytest.raises(StationError) as e:
        sb.usb_backup(store, usb, progress=Cancelled())
    assert e.value.code == "cancelled"
    assert list(usb.iterdir()) == [] and b.load_recovery_code(data_dir) is None
    assert b.last_usb_backup(store) is None


def test_plain_backup_passes_through_unseal(tmp_path, data_dir, svc, store):
    from station_desktop.store import backup as b

    plain = backup(store, tmp_path / "plain.sqlite3").path
    assert b.read_header(plain) is None
    assert b.unseal_for_restore(plain, data_dir) == plain
    b.discard_unsealed(plain, plain)
    assert plain.exists()


def test_a_stick_that_gives_back_other_bytes_fails_the_backup(tmp_path, data_dir, svc, store,
                                                               monkeypatch):
    from station_desktop.store import backup as b

    _station_with_records(svc)
    first = sb.usb_backup(store, tmp_path / "ok.stbak")  # the code exists from now on

    def bad_medium(path):
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0x01
        path.write_bytes(bytes(raw))

    monkeypatch.setattr(b, "_drop_cache", bad_medium)
    with pytest.raises(StorageError) as e:
        sb.usb_backup(store, tmp_path / "bad.stbak")
    assert e.value.code == "backup_mismatch" and "换一个U盘" in e.value.user_text()
    assert not (tmp_path / "bad.stbak").exists() and first.path.exists()
    assert b.load_recovery_code(data_dir) == first.new_code  # an existing code is kept


def test_format_opens_with_standard_tools_as_documented(tmp_path, svc, store):
    """docs/decisions.md: scrypt → AES-256-GCM over a raw deflate stream, the header as AAD."""
    import base64
    import json
    import zlib

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    from station_desktop.store import backup as b

    _station_with_records(svc)
    made = sb.usb_backup(store, tmp_path / "doc.stbak")
    raw = made.path.read_bytes()
    assert raw[:8] == b"STNDBAK\x01"
    h = int.from_bytes(raw[8:12], "big")
    header = json.loads(raw[12:12 + h])
    kdf = header["kdf"]
    code = made.new_code.replace("-", "").encode("ascii")
    key = Scrypt(base64.b64decode(kdf["salt"]), 48, kdf["n"], kdf["r"], kdf["p"]).derive(code)
    plain = zlib.decompress(AESGCM(key[:32]).decrypt(
        base64.b64decode(header["nonce"]), raw[12 + h:], raw[:12 + h]), wbits=-15)
    assert plain[:16] == b"SQLite format 3\x00" and len(plain) == header["size"]
    assert key[32:] == base64.b64decode(header["key_check"])


def test_large_file_round_trips_through_parallel_deflate(tmp_path):
    import random
    import zlib

    from station_desktop.store import backup as b

    rng = random.Random(5)
    words = [bytes(rng.randrange(256) for _ in range(rng.randrange(3, 40))) for _ in range(500)]
    raw = b"".join(rng.choice(words) for _ in range(400_000))  # ~8 MB, 8+ blocks
    src = tmp_path / "big.bin"
    src.write_bytes(raw)
    code = b.new_recovery_code()
    plain_sha, file_sha = b.seal_file(src, tmp_path / "big.stbak", code)
    assert b.check_sealed(tmp_path / "big.stbak", code) == file_sha
    assert b.unseal_file(tmp_path / "big.stbak", tmp_path / "out.bin", code) == plain_sha
    assert (tmp_path / "out.bin").read_bytes() == raw
    # the blocks join into one stream about as small as a single-threaded one
    sealed = (tmp_path / "big.stbak").stat().st_size
    assert sealed < len(zlib.compress(raw, 1)) * 1.02
