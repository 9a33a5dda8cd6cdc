"""Property: whatever is done to a real bundle, the county either refuses it cleanly or
imports it correctly. Never a crash, never half a bundle.

Three families of mutations of a real bundle (village A to the county):

- bytes of the file: flipped, truncated, inserted, deleted, with a bias to the ZIP
  headers and central directory;
- members: swapped, renamed, dropped, duplicated, deflated, replaced;
- content that gets past the cryptography: the manifest's JSON mutated and re-signed
  with the village's real key, or the decrypted payload's JSON mutated, re-encrypted
  to the county and re-signed.

A refusal must leave the database byte-for-byte unchanged and quarantine the file.
An import must give exactly the rows of an independent model: the original import
for file and member mutations; for a re-signed manifest the same rows with the peer's
sequence numbers as that manifest declares them; for a mutated payload the county's
own rows plus the payload's rows as sent.

SYNC_FUZZ=long runs 1200 examples per property instead of 100 (about 5 minutes).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from station_desktop.sync import container as c
from station_desktop.sync.records import TABLES
from station_desktop.sync.report import Imported
from tests.sync.conftest import (
    COUNTY,
    VA,
    VB,
    Site,
    _sites,
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

LONG = os.environ.get("SYNC_FUZZ") == "long"
SETTINGS = settings(max_examples=1200 if LONG else 100, deadline=None, derandomize=not LONG,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Base:
    root: Path
    county_dir: Path  # the county before any import, closed
    county_hash: dict[str, str | None]
    county_rows: dict[str, set[tuple]]
    original: bytes
    manifest: dict[str, Any]
    payload: dict[str, Any]
    expected: dict[str, set[tuple]]  # the county after importing the original
    va: Site
    county: Site

    def run(self, data: bytes) -> tuple[Imported, Site, Path]:
        work = Path(tempfile.mkdtemp(dir=self.root))
        shutil.copytree(self.county_dir, work / "county")
        site = Site("county", "county", COUNTY, work / "county")
        path = work / f"{VA}-to-{COUNTY}-mutated{c.SUFFIX}"
        path.write_bytes(data)
        return import_(site, path), site, work


@pytest.fixture(scope="module")
def base(parties_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Base:
    root = tmp_path_factory.mktemp("mutation")
    shutil.copytree(parties_template, root / "parties")
    w = _sites(root / "parties")
    original = export(w.va, w.county, root / "stick").read_bytes()
    payload = decrypt_payload(original, w.county)
    w.close()
    pristine = db_state(w.county)
    county_rows = row_sets(w.county)
    shutil.copytree(w.county.dir, root / "expected")
    done = Site("county", "county", COUNTY, root / "expected")
    assert import_(done, root / "stick" / next((root / "stick").iterdir()).name).status == "applied"
    done.close()
    b = Base(root, w.county.dir, pristine, county_rows, original,
             json.loads(parts(original)["manifest.json"]), payload, row_sets(done), w.va, w.county)
    # the models below are right about the original: the oracle checks itself
    assert payload_model(b, payload) == b.expected
    assert manifest_model(b, b.manifest) == b.expected
    return b


# --- independent models of a correct import --------------------------------------------


def peer_after(man: dict[str, Any]) -> tuple:
    """sync_peer of village A after a first bundle declaring ``seq`` and ``ack``."""
    lo, hi = man["seq"]["from"], man["seq"]["to"]
    if hi < lo:
        received, top, gaps = 0, 0, []
    elif lo <= 1:
        received, top, gaps = hi, hi, []
    else:
        received, top, gaps = 0, hi, [[1, lo - 1]]
    return (VA, "active", man["ack"], received, top, json.dumps(gaps))


def manifest_model(b: Base, man: dict[str, Any]) -> dict[str, set[tuple]]:
    out = dict(b.expected)
    out["sync_peer"] = {p for p in b.expected["sync_peer"] if p[0] != VA} | {peer_after(man)}
    return out


def payload_model(b: Base, payload: dict[str, Any]) -> dict[str, set[tuple]]:
    """The county's rows plus every row the payload carries, as sent, minus its tombstones
    (the county holds nothing of village A's yet, so every row is new)."""
    out = {t: set(rows) for t, rows in b.county_rows.items()}
    con = sqlite3.connect(f"file:{b.county_dir / 'station.sqlite3'}?mode=ro", uri=True)
    try:
        for table in TABLES:
            block = payload["tables"].get(table)
            if not block:
                continue
            db_cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            idx = {n: i for i, n in enumerate(block["columns"])}
            for row in block["rows"]:
                out[table].add(tuple(row[idx[col]] if col in idx else None for col in db_cols))
        for item in payload.get("deleted", []):
            table, rid = item[0], item[1]
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            ii, hi = cols.index("id"), cols.index("hlc")
            newer = len(item) > 2 and isinstance(item[2], int)
            out[table] = {r for r in out[table]
                          if not (r[ii] == rid and (not newer or r[hi] <= item[2]))}
    finally:
        con.close()
    out["sync_conflict"] = set()
    out["sync_peer"] = manifest_model(b, b.manifest)["sync_peer"]
    return out


def check(b: Base, data: bytes, model: Callable[[], dict[str, set[tuple]]]) -> str:
    result, site, work = b.run(data)
    try:
        assert result.status in ("applied", "refused"), result.as_dict()
        if result.status == "refused":
            assert db_state(site) == b.county_hash, f"refused ({result.reason_code}) but changed"
            assert CJK.search(result.reason) and result.reason_code
            assert Path(result.quarantined).exists()
        else:
            site.close()
            got, want = row_sets(site), model()
            diff = {t: (got[t] ^ want[t]) for t in want if got[t] != want[t]}
            assert not diff, f"applied but wrong: {str(diff)[:600]}"
        event(result.reason_code or "applied")  # --hypothesis-show-statistics
        return result.reason_code or "applied"
    finally:
        site.close()
        shutil.rmtree(work, ignore_errors=True)


# --- mutating JSON -------------------------------------------------------------------------

UUID = "01a20914-b7e5-7e56-90d8-3848fa57f65c"
values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(1 << 70), 1 << 70),
    st.floats(allow_nan=False), st.text(max_size=30), st.text(st.characters(), max_size=8),
    st.sampled_from(["", UUID, VA, VB, COUNTY, "2026-02-30", "2025-01-01", "[]", "{}", "\ud800",
                     "x" * 70_000, "0003", "9999", "changes", "restore", "*", "person", "id",
                     "station_code", "sqlite_master", "../x", "null"]),
    st.lists(st.integers(0, 5), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                             max_size=2),
)


def _paths(obj: Any, at: tuple = ()) -> list[tuple]:
    out = [at]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.extend(_paths(v, (*at, k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:40]):  # rows beyond 40 add nothing new
            out.extend(_paths(v, (*at, i)))
    return out


def _get(obj: Any, path: tuple) -> Any:
    for k in path:
        obj = obj[k]
    return obj


@st.composite
def json_mutation(draw: st.DrawFn, doc: Any, focus: tuple = ()) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p[:len(focus)] == focus or len(p) < len(focus)]
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["set", "set", "set", "delete", "insert", "dup", "swap"]))
        if not path:
            continue
        parent, key = _get(doc, path[:-1]), path[-1]
        if op == "set":
            parent[key] = draw(values)
        elif op == "delete":
            del parent[key]
        elif op == "insert":
            if isinstance(parent, dict):
                parent[draw(st.text(max_size=12) | st.sampled_from(["is_admin", "hlc", "x"]))] = \
                    draw(values)
            else:
                parent.insert(key, draw(values))
        elif op == "dup" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "swap" and isinstance(parent, list) and len(parent) > 1:
            other = draw(st.integers(0, len(parent) - 1))
            parent[key], parent[other] = parent[other], parent[key]
    return doc


# --- the properties ----------------------------------------------------------------------


@st.composite
def file_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        n = len(data)
        near_headers = st.integers(0, min(n, 400)) | st.integers(max(0, n - 300), n)
        at = draw(near_headers | st.integers(0, n))
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "overwrite"]))
        if op == "flip" and at < n:
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
        elif op == "truncate":
            data = data[:at]
        elif op == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 64)):]
        elif op == "overwrite":
            blob = draw(st.binary(min_size=1, max_size=8))
            data = data[:at] + blob + data[at + len(blob):]
    return data


NAMES = ["manifest.json", "manifest.sig", "payload.hpke", "/etc/passwd", "../payload.hpke",
         "payload.hpke/", "MANIFEST.JSON", "manifest.json\0", "清单.json", ""]


@st.composite
def member_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    members = list(parts(data).items())
    compress: set[str] = set()
    for _ in range(draw(st.integers(1, 2))):
        op = draw(st.sampled_from(["swap", "rename", "drop", "dup", "deflate", "replace"]))
        i = draw(st.integers(0, len(members) - 1)) if members else 0
        if not members:
            members.append((draw(st.sampled_from(NAMES)), b""))
        elif op == "swap":
            j = draw(st.integers(0, len(members) - 1))
            members[i], members[j] = members[j], members[i]
        elif op == "rename":
            members[i] = (draw(st.sampled_from(NAMES) | st.text(min_size=1, max_size=20)),
                          members[i][1])
        elif op == "drop":
            members.pop(i)
        elif op == "dup":
            members.insert(i, members[i])
        elif op == "deflate":
            compress.add(members[i][0])
        else:
            members[i] = (members[i][0], draw(st.binary(max_size=100)))
    try:
        return zip_members(members, compress=frozenset(compress))
    except (ValueError, UnicodeEncodeError):
        return data[:-1]  # a name zipfile itself will not write (NUL in the name)


@SETTINGS
@given(st.data())
def test_mutated_file_is_refused_or_imported_as_the_original(base: Base, data: st.DataObject):
    mutated = data.draw(st.one_of(file_mutation(base.original), member_mutation(base.original)))
    check(base, mutated, lambda: base.expected)


@SETTINGS
@given(st.data())
def test_re_signed_manifest_mutation(base: Base, data: st.DataObject):
    man = data.draw(json_mutation(base.manifest))
    if not isinstance(man, dict):
        man = {"format": man}
    forged = resign(base.original, base.va.keys.signing, {})
    mbytes = json.dumps(man, ensure_ascii=True).encode()
    sig = base.va.keys.signing.sign(mbytes)
    p = parts(forged)
    forged = zip_members([("manifest.json", mbytes), ("manifest.sig", sig),
                          ("payload.hpke", p["payload.hpke"])])
    check(base, forged, lambda: manifest_model(base, man))


@SETTINGS
@given(st.data())
def test_mutated_payload_with_valid_crypto(base: Base, data: st.DataObject):
    focus = data.draw(st.sampled_from([(), ("tables",), ("tables", "person"), ("tables", "visit"),
                                       ("tables", "station"), ("deleted",)]))
    payload = data.draw(json_mutation(base.payload, focus))
    forged = reseal(base.original, signer=base.va.keys.signing,
                    recipient_key=base.county.keys.encryption_public, payload=payload)
    check(base, forged, lambda: payload_model(base, payload))
