"""Shared sync fixtures: a county, a town and two villages with real keys, enrolled.

The parties are built once per test session into a template folder (init,
keys, demo data, enrolment through the real signed request and acceptance
files), their databases closed so the WAL is checkpointed away, and then
copied with ``shutil.copytree`` for every test that asks for ``parties``.
Each test therefore owns four real data dirs for the price of a copy.

Fixtures
    ``parties_template`` (session): the template root folder (read-only).
    ``parties`` (function): a :class:`Parties` copy in ``tmp_path``: ``.county``,
    ``.town``, ``.va``, ``.vb`` (enrolled with the county) and ``.stranger``
    (a village of the same county with its own keys, enrolled nowhere).

Helpers (plain functions, ``from tests.sync.conftest import ...``)
    ``export(site, to, out=None, **kw) -> Path``, ``import_(site, path) -> Imported``,
    ``db_state(site)`` (hashes of the database files after closing every
    connection), ``row_sets(site)`` (every synced row, as sets), and the
    bundle-crafting tools ``parts``/``zip_members``/``reseal`` used to build
    hostile bundles that still carry valid signatures and encryption.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from station_desktop.services import Service, open_store
from station_desktop.services.sync import enrolment
from station_desktop.services.sync.export import export_bundle
from station_desktop.services.sync.imports import import_bundle
from station_desktop.store.db import DB_FILENAME, Store
from station_desktop.services.demo import generate_demo
from station_desktop.services import open_store
from station_desktop.services import Service
from station_desktop.sync import container as c
from station_desktop.sync import enrol
from station_desktop.sync.keys import Keys, ensure_keys, load_keys
from station_desktop.sync.records import TABLES
from station_desktop.sync.report import Imported

COUNTY, TOWN, VA, VB, STRANGER = (
    "420303000000", "420303100000", "420303100201", "420303100202", "420303100203")
TODAY = date(2026, 11, 23)

# name, role, code, parent, (demo persons, demo seed) or None
_LAYOUT = (
    ("county", "county", COUNTY, None, None),
    ("town", "town", TOWN, COUNTY, None),
    ("va", "village", VA, TOWN, (12, 11)),
    ("vb", "village", VB, TOWN, (8, 22)),
    ("stranger", "village", STRANGER, TOWN, (5, 33)),
)
_ENROLLED = ("town", "va", "vb")


@dataclass
class Site:
    """One installation's data dir. ``store`` opens lazily; ``close`` releases every connection."""

    name: str
    role: str
    code: str
    dir: Path
    _store: Store | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.dir / DB_FILENAME)
        return self._store

    @property
    def svc(self) -> Service:
        return Service(self.store, today=TODAY)

    @property
    def keys(self) -> Keys:
        keys = load_keys(self.dir)
        assert keys is not None
        return keys

    @property
    def db(self) -> Path:
        return self.dir / DB_FILENAME

    @property
    def quarantine(self) -> Path:
        return self.dir / "quarantine"

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


@dataclass
class Parties:
    root: Path
    county: Site
    town: Site
    va: Site
    vb: Site
    stranger: Site

    def all(self) -> list[Site]:
        return [self.county, self.town, self.va, self.vb, self.stranger]

    def close(self) -> None:
        for s in self.all():
            s.close()


def _sites(root: Path) -> Parties:
    return Parties(root, *(Site(name, role, code, root / name)
                           for name, role, code, _parent, _demo in _LAYOUT))


@pytest.fixture(scope="session")
def parties_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sync-template")
    files = root / "enrolment-files"
    files.mkdir()
    stores: dict[str, Store] = {}
    for name, role, code, parent, demo in _LAYOUT:
        store = open_store(root / name, daily_backup=False)
        Service(store, today=TODAY).init_station(role=role, code=code, name=f"{name}服务站",
                                                 parent_code=parent)
        ensure_keys(root / name)
        if demo:
            generate_demo(store, station_code=code, persons=demo[0], seed=demo[1], today=TODAY)
        stores[name] = store
    for name in _ENROLLED:
        req = enrol.request(stores[name], files)
        _party, acc = enrolment.accept(stores["county"], req.read_bytes(), files)
        enrolment.apply(stores[name], acc.read_bytes())
    for store in stores.values():
        store.close()
    for name, *_ in _LAYOUT:  # closed cleanly: no WAL left to copy
        assert not (root / name / (DB_FILENAME + "-wal")).exists()
    return root


@pytest.fixture
def parties(parties_template: Path, tmp_path: Path):
    root = tmp_path / "parties"
    shutil.copytree(parties_template, root)
    world = _sites(root)
    yield world
    world.close()


# --- moving bundles ----------------------------------------------------------------


def export(site: Site, to: Site | str, out: Path | None = None, **kw: Any) -> Path:
    """Export from ``site`` to ``to`` into ``out`` (default: ``<root>/stick``); return the file."""
    code = to if isinstance(to, str) else to.code
    out = out if out is not None else site.dir.parent / "stick"
    return export_bundle(site.store, code, out, **kw).path


def import_(site: Site, path: Path) -> Imported:
    return import_bundle(site.store, path)


# --- looking at databases ----------------------------------------------------------


def db_state(site: Site) -> dict[str, str | None]:
    """SHA-256 of the database file and its WAL, taken with every connection closed
    (the last close checkpoints the WAL away, so equal hashes mean equal bytes)."""
    site.close()
    out: dict[str, str | None] = {}
    for suffix in ("", "-wal"):
        p = Path(str(site.db) + suffix)
        out[DB_FILENAME + suffix] = hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
    return out


def row_sets(site: Site, tables: tuple[str, ...] = TABLES) -> dict[str, set[tuple]]:
    """Every row of the synced tables plus the merge's own state (conflicts, peers'
    sequence numbers), as sets of tuples: what two correct imports must agree on."""
    con = sqlite3.connect(f"file:{site.db}?mode=ro", uri=True)
    try:
        out = {t: set(con.execute(f'SELECT * FROM "{t}"')) for t in tables}
        out["sync_conflict"] = set(con.execute(
            "SELECT peer_code, table_name, row_id, field, kept_value, lost_value, kept_hlc, "
            "lost_hlc, kept_from, lost_from, resolved_at, resolution FROM sync_conflict"))
        out["sync_peer"] = set(con.execute(
            "SELECT code, state, acked_seq, received_seq, received_max, gaps FROM sync_peer"))
        return out
    finally:
        con.close()


# --- crafting bundles ----------------------------------------------------------------

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)


def parts(data: bytes) -> dict[str, bytes]:
    """The members of a bundle file by name (no checks)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def zip_members(members: list[tuple[str, bytes]] | dict[str, bytes], *,
                compress: frozenset[str] = frozenset()) -> bytes:
    """A ZIP with exactly ``members`` in order (names taken as given, duplicates allowed);
    members named in ``compress`` are deflated."""
    import warnings

    items = list(members.items()) if isinstance(members, dict) else list(members)
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is the point of some tests
        with zipfile.ZipFile(out, "w") as zf:
            for name, data in items:
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED if name in compress else zipfile.ZIP_STORED
                zf.writestr(info, data)
    return out.getvalue()


def decrypt_payload(data: bytes, recipient: Site) -> Any:
    """The JSON payload of a real bundle, decrypted with the recipient's key."""
    opened = c.open_bundle(data)
    return c.unseal(opened, recipient.keys.encryption)


def reseal(data: bytes, *, signer: Ed25519PrivateKey, recipient_key: X25519PublicKey,
           manifest: dict[str, Any] | None = None, payload: Any = None,
           plain: bytes | None = None, compressed: bytes | None = None,
           payload_fields: dict[str, Any] | None = None) -> bytes:
    """Rebuild a bundle from ``data`` with real cryptography: optionally a new manifest,
    a new payload (``payload`` as JSON, ``plain`` bytes, or ready ``compressed`` bytes),
    then encrypt to ``recipient_key``, fix the manifest's hash and sizes, apply
    ``payload_fields`` (to make the manifest lie afterwards) and sign with ``signer``."""
    import zlib

    man = dict(manifest if manifest is not None else json.loads(parts(data)["manifest.json"]))
    if compressed is None:
        if plain is None:
            plain = json.dumps(payload).encode() if payload is not None else None
        if plain is None:
            raise ValueError("give payload, plain or compressed")
        compressed = zlib.compress(plain, 6)
    info = c.hpke_info(man["sender"]["code"], man["recipient"]["code"], man["bundle_id"])
    sealed = SUITE.encrypt(compressed, recipient_key, info=info)
    man["payload"] = {**man["payload"], "sha256": hashlib.sha256(sealed).hexdigest(),
                      "size": len(sealed),
                      "plain_size": len(plain) if plain is not None else man["payload"]["plain_size"],
                      **(payload_fields or {})}
    mbytes = c.canonical_json(man)
    return zip_members([("manifest.json", mbytes), ("manifest.sig", signer.sign(mbytes)),
                        ("payload.hpke", sealed)])


def resign(data: bytes, signer: Ed25519PrivateKey, edit: dict[str, Any]) -> bytes:
    """The same bundle with manifest keys replaced by ``edit`` and signed by ``signer``
    (the payload untouched)."""
    p = parts(data)
    man = {**json.loads(p["manifest.json"]), **edit}
    mbytes = c.canonical_json(man)
    return zip_members([("manifest.json", mbytes), ("manifest.sig", signer.sign(mbytes)),
                        ("payload.hpke", p["payload.hpke"])])
