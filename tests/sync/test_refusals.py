"""Refusals: every hostile or broken bundle is refused whole and changes nothing.

Each case starts from a real bundle (village A to the county, real keys) and
damages it the way a bad USB stick, a curious person or an attacker would;
the attacks that must get past the cryptography are rebuilt with the real
keys (re-signed, re-encrypted) so the later checks are the ones tested. For
every case: the import says ``refused`` with a Chinese reason that says
what to do, ``check_bundle`` refuses it for the same reason, the database
file is byte-for-byte unchanged (hashed with every connection closed), and
the file is kept in ``<data dir>/quarantine`` with a ``.reason.txt``.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import sqlite3
import subprocess
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from station_desktop.services.sync import enrolment
from station_desktop.services.sync.imports import import_bundle
from station_desktop.store.migrate import SYNC_SCHEMA
from station_desktop.sync import container as c
from station_desktop.sync.records import MAX_STRING, sendable_columns
from station_desktop.sync.report import Imported
from station_desktop.sync.verify import check_bundle
from tests.sync.conftest import (
    COUNTY,
    VB,
    Parties,
    Site,
    db_state,
    decrypt_payload,
    export,
    import_,
    parts,
    reseal,
    resign,
    row_sets,
    zip_members,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Case:
    """A real bundle from village A to the county, and the means to forge variants of it."""

    w: Parties
    path: Path
    data: bytes

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads(parts(self.data)["manifest.json"])

    @property
    def payload(self) -> dict[str, Any]:
        return decrypt_payload(self.data, self.w.county)

    def write(self, data: bytes, name: str = "forged") -> Path:
        p = self.path.parent / f"{self.w.va.code}-to-{COUNTY}-{name}{c.SUFFIX}"
        p.write_bytes(data)
        return p

    def as_village(self, payload: Any = None, **kw: Any) -> bytes:
        """Re-encrypted to the county and re-signed with village A's real key."""
        return reseal(self.data, signer=self.w.va.keys.signing,
                      recipient_key=self.w.county.keys.encryption_public,
                      payload=payload, **kw)

    def resigned(self, **edit: Any) -> bytes:
        return resign(self.data, self.w.va.keys.signing, edit)


@pytest.fixture
def case(parties: Parties) -> Case:
    path = export(parties.va, parties.county)
    return Case(parties, path, path.read_bytes())


def assert_refused(site: Site, path: Path, code: str | set[str], *,
                   verifiable: bool = True) -> Imported:
    """``verifiable``: ``check_bundle`` (``bundle verify``) sees it too; False for what only
    the database can tell (a duplicate ID number, a missing parent row)."""
    codes = {code} if isinstance(code, str) else code
    before = db_state(site)
    # ``bundle verify`` runs the merge and rolls it back: it sees every refusal, and keeps nothing
    kept_before = sorted(site.quarantine.glob("*")) if site.quarantine.exists() else []
    trial = import_bundle(site.store, path, trial=True)
    assert trial.status == "refused" and trial.reason_code in codes, trial.as_dict()
    assert not trial.quarantined
    assert (sorted(site.quarantine.glob("*")) if site.quarantine.exists() else []) == kept_before
    result = import_(site, path)
    assert result.reason_code == trial.reason_code
    if verifiable:
        with pytest.raises(c.BundleRefused) as verified:
            check_bundle(site.store, path)
        assert verified.value.code == result.reason_code
    after = db_state(site)
    assert result.status == "refused", result.as_dict()
    assert result.reason_code in codes, result.reason
    assert after == before, "a refused bundle changed the database"
    assert result.created == result.updated == result.deleted == result.conflicts == 0
    # a Chinese sentence that says what happened and what to do
    assert CJK.search(result.reason) and "请" in result.reason, result.reason
    kept = Path(result.quarantined)
    assert kept.parent == site.quarantine and kept.read_bytes() == path.read_bytes()
    note = Path(f"{kept}.reason.txt").read_text(encoding="utf-8")
    assert result.reason in note and result.reason_code in note
    return result


def member_offset(data: bytes, name: str) -> int:
    """Where the stored bytes of member ``name`` start in the file."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    start = info.header_offset
    n, extra = int.from_bytes(data[start + 26:start + 28], "little"), \
        int.from_bytes(data[start + 28:start + 30], "little")
    return start + 30 + n + extra


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


# --- the real bundle is fine ------------------------------------------------------


def test_the_untouched_bundle_imports(case: Case):
    """The control: every refusal below is about the damage, not the bundle."""
    assert import_(case.w.county, case.path).status == "applied"


# --- damaged files ------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0, 1, 100, 0.5, -22, -1])
def test_truncated_file(case: Case, keep: float):
    n = len(case.data)
    cut = int(n * keep) if isinstance(keep, float) else (keep if keep >= 0 else n + keep)
    assert_refused(case.w.county, case.write(case.data[:cut]), "damaged")


def test_not_a_zip_at_all(case: Case):
    assert_refused(case.w.county, case.write("这不是数据包".encode() * 100), "damaged")


def test_flipped_byte_in_manifest(case: Case):
    # as stored: the ZIP's CRC catches it
    at = member_offset(case.data, "manifest.json") + 40
    assert_refused(case.w.county, case.write(flip(case.data, at), "raw"), "damaged")
    # re-zipped with a valid CRC, the original signature no longer matches
    p = parts(case.data)
    man = p["manifest.json"]
    i = man.index(b'"bundle_id":"') + 14
    p["manifest.json"] = man[:i] + (b"1" if man[i:i + 1] != b"1" else b"2") + man[i + 1:]
    assert_refused(case.w.county, case.write(zip_members(p), "rezipped"), "bad_signature")


def test_flipped_byte_in_signature(case: Case):
    p = parts(case.data)
    p["manifest.sig"] = flip(p["manifest.sig"], 10)
    assert_refused(case.w.county, case.write(zip_members(p)), "bad_signature")


def test_flipped_byte_in_payload(case: Case):
    at = member_offset(case.data, "payload.hpke") + 1000
    assert_refused(case.w.county, case.write(flip(case.data, at), "raw"), "damaged")
    p = parts(case.data)
    p["payload.hpke"] = flip(p["payload.hpke"], 1000)
    assert_refused(case.w.county, case.write(zip_members(p), "rezipped"), "bad_hash")


def test_payload_flipped_and_manifest_re_signed_cannot_be_decrypted(case: Case):
    """Even with a hash that matches (a sender re-signing garbage), the AEAD tag fails."""
    p = parts(case.data)
    sealed = flip(p["payload.hpke"], 1000)
    import hashlib

    pay = {**case.manifest["payload"], "sha256": hashlib.sha256(sealed).hexdigest()}
    mbytes = c.canonical_json({**case.manifest, "payload": pay})
    data = zip_members([("manifest.json", mbytes),
                        ("manifest.sig", case.w.va.keys.signing.sign(mbytes)),
                        ("payload.hpke", sealed)])
    assert_refused(case.w.county, case.write(data), "cannot_decrypt")


# --- who sent it, to whom -------------------------------------------------------------


def test_valid_signature_by_a_key_that_is_not_enrolled(case: Case):
    """A third party with its own keys writes a well-formed bundle addressed to the county."""
    stranger = case.w.stranger
    payload = case.payload
    for block in payload["tables"].values():
        si = block["columns"].index("station_code")
        for row in block["rows"]:
            row[si] = stranger.code
    man = {**case.manifest, "sender": {"code": stranger.code, "role": "village",
                                       "fingerprint": stranger.keys.fingerprint}}
    data = reseal(case.data, signer=stranger.keys.signing, manifest=man, payload=payload,
                  recipient_key=case.w.county.keys.encryption_public)
    r = assert_refused(case.w.county, case.write(data), "unknown_sender")
    assert stranger.code in r.reason and "登记" in r.reason


def test_stranger_posing_as_an_enrolled_village(case: Case):
    stranger = case.w.stranger
    # claims village A's code and fingerprint, but signs with its own key
    data = resign(case.data, stranger.keys.signing, {})
    assert_refused(case.w.county, case.write(data, "a"), "bad_signature")
    # claims village A's code with its own fingerprint
    man = {**case.manifest, "sender": {**case.manifest["sender"],
                                       "fingerprint": stranger.keys.fingerprint}}
    data = reseal(case.data, signer=stranger.keys.signing, manifest=man, payload=case.payload,
                  recipient_key=case.w.county.keys.encryption_public)
    assert_refused(case.w.county, case.write(data, "b"), "unknown_sender")


def test_bundle_for_another_recipient(case: Case):
    r = assert_refused(case.w.vb, case.path, "wrong_recipient")
    assert COUNTY in r.reason and VB in r.reason
    assert_refused(case.w.town, case.path, "wrong_recipient")


def test_bundle_encrypted_to_an_older_key_of_the_recipient(case: Case):
    man = {**case.manifest, "recipient": {"code": COUNTY, "fingerprint": "AAAA-BBBB-CCCC-DDDD"}}
    data = case.as_village(case.payload, manifest=man)
    assert_refused(case.w.county, case.write(data), "wrong_recipient")


def test_revoked_sender(case: Case):
    enrolment.revoke(case.w.county.store, case.w.va.code)
    r = assert_refused(case.w.county, case.path, "revoked_sender")
    assert "注销" in r.reason and "重新登记" in r.reason


# --- versions and hashes -----------------------------------------------------------


def test_newer_format_version(case: Case):
    r = assert_refused(case.w.county, case.write(case.resigned(format_version=2)), "newer_format")
    assert "升级" in r.reason


def test_unknown_encryption_is_a_newer_format(case: Case):
    pay = {**case.manifest["payload"], "encryption": "HPKE-Base-X448-SHA512-AES256GCM"}
    assert_refused(case.w.county, case.write(case.resigned(payload=pay)), "newer_format")


def test_newer_schema(case: Case):
    r = assert_refused(case.w.county, case.write(case.resigned(schema=f"{int(SYNC_SCHEMA) + 1:04d}")),
                       "newer_schema")
    assert "升级" in r.reason


def test_payload_hash_does_not_match_a_validly_signed_manifest(case: Case):
    pay = {**case.manifest["payload"], "sha256": "0" * 64}
    assert_refused(case.w.county, case.write(case.resigned(payload=pay), "hash"), "bad_hash")
    pay = {**case.manifest["payload"], "size": case.manifest["payload"]["size"] - 1}
    assert_refused(case.w.county, case.write(case.resigned(payload=pay), "size"), "bad_hash")


@pytest.mark.parametrize("edit", [
    {"seq": {"from": 5, "to": 1}}, {"seq": "1-574"}, {"ack": -1}, {"sender": "420303100201"},
    {"bundle_id": 7}, {"payload": {"sha256": "x"}},
])
def test_malformed_manifest_fields_validly_signed(case: Case, edit: dict[str, Any]):
    assert_refused(case.w.county, case.write(case.resigned(**edit)), "bad_manifest")


def test_restore_bundle_from_a_village_is_refused(case: Case):
    assert_refused(case.w.county, case.write(case.resigned(kind="restore")), "bad_manifest")


def test_not_our_format(case: Case):
    data = case.resigned(format="someone-elses-bundle")
    assert_refused(case.w.county, case.write(data), "not_a_bundle")


# --- sizes and archive tricks ---------------------------------------------------------


def test_manifest_over_the_limit(case: Case):
    data = case.resigned(padding="x" * c.MAX_MANIFEST)
    assert len(parts(data)["manifest.json"]) > c.MAX_MANIFEST
    assert_refused(case.w.county, case.write(data), "oversized")


def test_declared_plain_size_over_the_limit(case: Case):
    pay = {**case.manifest["payload"], "plain_size": c.MAX_PLAIN + 1}
    assert_refused(case.w.county, case.write(case.resigned(payload=pay)), "oversized")


@pytest.mark.parametrize("member", ["manifest.json", "manifest.sig", "payload.hpke"])
def test_compressed_member(case: Case, member: str):
    data = zip_members(parts(case.data), compress=frozenset({member}))
    assert_refused(case.w.county, case.write(data), "unexpected_members")


def test_wrong_signature_size(case: Case):
    p = parts(case.data)
    p["manifest.sig"] += b"\0"
    assert_refused(case.w.county, case.write(zip_members(p)), "oversized")


def _members(case: Case, names: list[str], extra: list[tuple[str, bytes]] = ()) -> bytes:
    p = parts(case.data)
    order = list(p.values())
    return zip_members([*zip(names, order, strict=True), *extra])


@pytest.mark.parametrize("names, extra", [
    (["manifest.json", "manifest.sig", "payload.hpke"], [("notes.txt", b"hi")]),        # extra
    (["manifest.json", "manifest.sig", "payload.hpke"], [("payload.hpke", b"x" * 64)]),  # dup
    (["manifest.json", "manifest.json", "payload.hpke"], []),                            # dup
    (["manifest.json", "manifest.sig", "/etc/passwd"], []),                              # absolute
    (["manifest.json", "manifest.sig", "../payload.hpke"], []),                          # ..
    (["/manifest.json", "manifest.sig", "payload.hpke"], []),
    (["manifest.json", "manifest.sig", "x/../payload.hpke"], []),
    (["manifest.json", "payload.hpke", "manifest.sig"], []),                             # order
    (["Manifest.json", "manifest.sig", "payload.hpke"], []),
], ids=["extra", "dup-payload", "dup-manifest", "absolute", "dotdot", "abs-manifest",
        "inner-dotdot", "order", "case"])
def test_archive_tricks(case: Case, names: list[str], extra: list[tuple[str, bytes]]):
    w = case.w
    path = case.write(_members(case, names, extra))
    before = set(w.root.rglob("*"))
    r = assert_refused(w.county, path, "unexpected_members")
    # nothing was extracted anywhere: the only new files are the quarantined copy and its note
    new = set(w.root.rglob("*")) - before
    assert new <= {Path(r.quarantined), Path(f"{r.quarantined}.reason.txt"), w.county.quarantine,
                   *(w.county.dir / n for n in ("station.sqlite3-wal", "station.sqlite3-shm"))}


def test_local_header_names_a_different_member(case: Case):
    """The central directory says payload.hpke, the local header says ../../../x."""
    data = bytearray(case.data)
    with zipfile.ZipFile(io.BytesIO(case.data)) as zf:
        start = zf.getinfo("payload.hpke").header_offset
    assert data[start + 30:start + 42] == b"payload.hpke"
    data[start + 30:start + 42] = b"../../../x.a"
    assert_refused(case.w.county, case.write(bytes(data)), "damaged")


def test_decompression_bomb(case: Case):
    """Validly signed and encrypted, but inflates to 64 MiB while the manifest says ~160 kB."""
    z = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    bomb = b"".join(z.compress(chunk) for _ in range(64)) + z.flush()
    assert len(bomb) < 100_000
    data = case.as_village(compressed=bomb)
    declared = json.loads(parts(data)["manifest.json"])["payload"]["plain_size"]
    assert declared == case.manifest["payload"]["plain_size"] < 1 << 20
    path = case.write(data)
    tracemalloc.start()
    try:
        r = assert_refused(case.w.county, path, "oversized")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, f"inflating was not bounded: peak {peak >> 20} MiB"
    assert "恶意" in r.reason


@pytest.mark.parametrize("how", ["unfinished", "trailing-data", "shorter-than-declared",
                                 "longer-than-declared"])
def test_payload_stream_must_match_the_declared_size_exactly(case: Case, how: str):
    """docs/bundle-format.md: a stream longer, shorter or not finished at plain_size is refused."""
    plain = json.dumps(case.payload).encode()
    compressed, declared = {
        "unfinished": (zlib.compress(plain)[:-10], len(plain)),
        "trailing-data": (zlib.compress(plain) + b"more", len(plain)),
        "shorter-than-declared": (zlib.compress(plain), len(plain) + 10),
        "longer-than-declared": (zlib.compress(plain), len(plain) - 1),
    }[how]
    data = case.as_village(compressed=compressed, payload_fields={"plain_size": declared})
    assert_refused(case.w.county, case.write(data), "oversized")


def test_payload_that_is_not_json(case: Case):
    data = case.as_village(plain="不是JSON{".encode())
    assert_refused(case.w.county, case.write(data), "damaged")


# --- invalid records inside a validly signed bundle -------------------------------------


def _edit_person(case: Case, fn: Callable[[list[str], list[Any]], None]) -> bytes:
    payload = case.payload
    block = payload["tables"]["person"]
    fn(block["columns"], block["rows"][0])
    return case.as_village(payload)


def _set(col: str, value: Any) -> Callable[[list[str], list[Any]], None]:
    def fn(names: list[str], row: list[Any]) -> None:
        row[names.index(col)] = value
    return fn


def _unknown_column(names: list[str], row: list[Any]) -> None:
    names.append("is_admin")
    row.append(1)


@pytest.mark.parametrize("edit, words", [
    (_unknown_column, "不认识的列"),
    (_set("name", 12345), "name"),                          # wrong type
    (_set("name", None), "不能为空"),                        # required
    (_set("name", "张" * (MAX_STRING + 1)), "name"),        # too long
    (_set("birth_date", "1985-02-30"), "birth_date"),        # not a date
    (_set("id", "../../etc/passwd"), "id"),                  # not a uuid
    (_set("hlc", "12"), "hlc"),                              # number as text
    (_set("hlc", 1 << 70), "hlc"),                           # beyond SQLite's integer
    (_set("station_code", VB), "不属于"),                    # another station's row
    (_set("station_code", "4203031002'1"), "station_code"),
    (_set("name", "\ud800张"), "name"),                     # SQLite cannot store it
    (_set("id", "01234567-89ab-7def-8123-456789abcdef\n"), "id"),
    (_set("categories", '["\udfff"]'), "categories"),             # in JSON text
    (_set("sex", ["male"]), "sex"),                           # a list where a choice goes
], ids=["unknown-column", "wrong-type", "null", "too-long", "bad-date", "bad-id",
        "hlc-text", "hlc-huge", "other-station", "bad-code", "lone-surrogate", "id-newline",
        "surrogate-in-text", "choice-as-list"])
def test_invalid_record(case: Case, edit: Callable[..., None], words: str):
    r = assert_refused(case.w.county, case.write(_edit_person(case, edit)), "bad_record")
    assert words in r.reason and "整个数据包未导入" in r.reason


def test_rows_for_another_station_in_a_child_table(case: Case):
    payload = case.payload
    block = payload["tables"]["visit"]
    block["rows"][-1][block["columns"].index("station_code")] = VB
    assert_refused(case.w.county, case.write(case.as_village(payload)), "bad_record")


@pytest.mark.parametrize("target", [COUNTY, VB])
def test_station_row_of_another_station(case: Case, target: str):
    """Station rows are matched by code: a village's own row relabelled with another code
    would overwrite that station's record at the county (and take it over)."""
    county = case.w.county
    if target == VB:
        assert import_(county, export(case.w.vb, county)).status == "applied"
    payload = case.payload
    block = payload["tables"]["station"]
    names = block["columns"]
    block["rows"][0][names.index("code")] = target
    block["rows"][0][names.index("name")] = "被改掉的站名"
    block["rows"][0][names.index("hlc")] = 1 << 60
    block["changed"][0] = {"*": 1 << 60}
    assert_refused(county, case.write(case.as_village(payload)), "bad_record")
    con = sqlite3.connect(county.db)
    assert con.execute("SELECT station_code, name FROM station WHERE code = ?",
                       (target,)).fetchone() == (target, f"{'county' if target == COUNTY else 'vb'}服务站")
    con.close()


def test_row_of_another_station_is_not_taken_over_by_id(case: Case):
    county, vb = case.w.county, case.w.vb
    assert import_(county, export(vb, county)).status == "applied"
    con = sqlite3.connect(county.db)
    vb_pid, vb_name = con.execute("SELECT id, name FROM person WHERE station_code = ? LIMIT 1",
                                  (VB,)).fetchone()
    con.close()
    block = case.payload["tables"]["person"]
    names = block["columns"]
    row = block["rows"][0]
    row[names.index("id")], row[names.index("name")] = vb_pid, "被别村改掉的名字"
    row[names.index("hlc")] = 1 << 60
    payload = {"tables": {"person": {"columns": names, "rows": [row], "changed": [{"*": 1 << 60}]}},
               "deleted": [], "moved_out": []}
    result = import_(county, case.write(case.as_village(payload)))
    con = sqlite3.connect(county.db)
    now = con.execute("SELECT station_code, name FROM person WHERE id = ?", (vb_pid,)).fetchone()
    con.close()
    assert result.status == "refused" and result.reason_code == "foreign_row"
    assert now == (VB, vb_name)


def test_tombstone_for_another_stations_row_is_refused(case: Case):
    county, vb = case.w.county, case.w.vb
    assert import_(county, export(vb, county)).status == "applied"
    con = sqlite3.connect(county.db)
    (vb_visit,) = con.execute("SELECT id FROM visit WHERE station_code = ? LIMIT 1", (VB,)).fetchone()
    con.close()
    payload = {"tables": {}, "deleted": [["visit", vb_visit, 1 << 60]], "moved_out": []}
    result = import_(county, case.write(case.as_village(payload)))
    assert result.status == "refused" and result.reason_code == "foreign_row"
    con = sqlite3.connect(county.db)
    assert con.execute("SELECT count(*) FROM visit WHERE id = ?", (vb_visit,)).fetchone() == (1,)
    con.close()


def test_catalogue_rows_from_a_village(case: Case):
    cols = sendable_columns("catalogue_item")
    con = sqlite3.connect(case.w.va.db)
    rows = [list(r) for r in con.execute(
        f"SELECT {', '.join(cols)} FROM catalogue_item LIMIT 2")]
    con.close()
    payload = case.payload
    payload["tables"]["catalogue_item"] = {"columns": cols, "rows": rows,
                                           "changed": [{"*": 1}] * len(rows)}
    r = assert_refused(case.w.county, case.write(case.as_village(payload)), "bad_record")
    assert "目录" in r.reason


@pytest.mark.parametrize("mutate", [
    lambda p: p["tables"].__setitem__("sqlite_master", {"columns": [], "rows": [], "changed": []}),
    lambda p: p["tables"]["person"]["changed"].pop(),
    lambda p: p["tables"]["person"]["changed"].__setitem__(0, {"name": -5}),
    lambda p: p["tables"]["person"]["changed"].__setitem__(0, {"password": 5}),
    lambda p: p["tables"]["person"]["columns"].__setitem__(1, p["tables"]["person"]["columns"][0]),
    lambda p: p["tables"]["person"]["rows"][0].pop(),
    lambda p: p.__setitem__("deleted", [["person", "x"]]),
    lambda p: p.__setitem__("deleted", [["sqlite_master", "0" * 36]]),
    lambda p: p.__setitem__("deleted", "everything"),
    lambda p: p.__setitem__("deleted", [["person", "\ud800" * 36]]),
    lambda p: p.__setitem__("moved_out", [["person", p["tables"]["person"]["rows"][0][0]]]),
    lambda p: p.__setitem__("tables", []),
], ids=["unknown-table", "clocks-short", "negative-clock", "clock-unknown-field",
        "duplicate-column", "short-row", "bad-tombstone-id", "tombstone-unknown-table",
        "tombstones-not-a-list", "tombstone-surrogate", "moved-out-from-village", "tables-not-a-dict"])
def test_invalid_structure(case: Case, mutate: Callable[[dict[str, Any]], None]):
    payload = case.payload
    mutate(payload)
    assert_refused(case.w.county, case.write(case.as_village(payload)), "bad_record")


def test_record_whose_parent_is_missing_is_refused_whole(case: Case):
    """Passes every per-value check but breaks a foreign key: the transaction rolls back."""
    payload = case.payload
    block = payload["tables"]["visit"]
    block["rows"][0][block["columns"].index("person_id")] = "01234567-89ab-7def-8123-456789abcdef"
    r = assert_refused(case.w.county, case.write(case.as_village(payload)), "bad_record",
                       verifiable=False)
    assert "更早的数据包" in r.reason
    assert row_sets(case.w.county)["person"] == set()


def test_person_already_registered_by_another_village(parties: Parties):
    """The same ID number from village B, after village A's bundle: refused whole."""
    w = parties
    first = export(w.va, w.county)
    assert import_(w.county, first).status == "applied"
    con = sqlite3.connect(w.va.db)
    idn = con.execute("SELECT id_number FROM person WHERE id_number IS NOT NULL LIMIT 1").fetchone()[0]
    con.close()
    data = export(w.vb, w.county).read_bytes()
    payload = decrypt_payload(data, w.county)
    block = payload["tables"]["person"]
    block["rows"][0][block["columns"].index("id_number")] = idn
    forged = reseal(data, signer=w.vb.keys.signing, payload=payload,
                    recipient_key=w.county.keys.encryption_public)
    path = first.with_name("vb-dup.sdbundle")
    path.write_bytes(forged)
    r = assert_refused(w.county, path, "duplicate_person", verifiable=False)
    assert "身份证号" in r.reason


# --- replays ---------------------------------------------------------------------------


def test_replay_is_a_duplicate_and_changes_nothing(case: Case):
    county = case.w.county
    assert import_(county, case.path).status == "applied"
    before = db_state(county)
    again = import_(county, case.path)
    copy = case.write(case.data, "copy")  # the same bytes under another name
    third = import_(county, copy)
    assert db_state(county) == before
    assert again.status == third.status == "duplicate"
    assert again.created == again.updated == 0 and again.reason == ""
    assert not county.quarantine.exists()


# --- the signature as a third party checks it ------------------------------------------


def test_openssl_verifies_a_real_signature_and_rejects_a_flipped_byte(case: Case, tmp_path: Path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    p = parts(case.data)
    pem = case.w.va.keys.signing_public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "pub.pem").write_bytes(pem)
    (tmp_path / "manifest.json").write_bytes(p["manifest.json"])
    (tmp_path / "manifest.sig").write_bytes(p["manifest.sig"])
    (tmp_path / "flipped.json").write_bytes(flip(p["manifest.json"], 20))

    def verify(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin",
             "-in", name, "-sigfile", "manifest.sig"],
            cwd=tmp_path, capture_output=True, text=True, timeout=30)

    good, bad = verify("manifest.json"), verify("flipped.json")
    assert good.returncode == 0 and "Signature Verified Successfully" in good.stdout, good.stderr
    assert bad.returncode != 0 and "Successfully" not in bad.stdout
    # the public key in the PEM is the one the county enrolled (base64 of the raw key)
    con = sqlite3.connect(case.w.county.db)
    enrolled = con.execute("SELECT signing_public FROM sync_peer WHERE code = ?",
                           (case.w.va.code,)).fetchone()[0]
    con.close()
    raw = case.w.va.keys.signing_public.public_bytes(serialization.Encoding.Raw,
                                                     serialization.PublicFormat.Raw)
    assert base64.b64decode(enrolled) == raw

