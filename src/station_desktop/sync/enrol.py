"""Enrolment: how a station and its county come to trust each other's keys.

1. The station writes a request (``request``): its code, name, role and
   public keys, signed by its own key (proof it holds the private key).
2. The county reads it (``read_request``), the clerk compares the
   fingerprint with the one the cadre reads out on the phone, and
   ``accept`` records the station and writes an acceptance signed by the
   county that carries the county's own public keys.
3. The station installs it (``apply``): it checks the acceptance names its
   own keys, shows the county's fingerprint, and records the county.

``revoke`` ends a station's key (a stolen or dead PC); a later ``accept`` of
a new key for the same code starts its sequence numbers afresh.

This module keeps the files and their signatures (:func:`request`,
:func:`read_request`, :func:`read_acceptance`, :func:`write_acceptance`);
recording a peer (``accept``, ``apply``, ``revoke``) is a unit of work in
:mod:`station_desktop.services.sync.enrolment`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from station_desktop.domain.enums import Role
from station_desktop.domain.errors import StationError
from station_desktop.domain.validate import parse_station_code
from station_desktop.store import models as m
from station_desktop.store.db import Store
from station_desktop.store.models import utc_now
from station_desktop.sync.container import (
    read_document,
    refuse,
    sign_document,
    signing_key,
    verify_document,
)
from station_desktop.sync.keys import Keys, ensure_keys, fingerprint, public_bytes

REQUEST = "enrol-request"
ACCEPTANCE = "enrol-acceptance"
VERSION = 1


@dataclass(frozen=True)
class Party:
    """One side's identity as written into enrolment files."""

    code: str
    name: str
    role: str
    parent_code: str | None
    signing_public: str
    encryption_public: str
    fingerprint: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: Any) -> Party:
        try:
            p = cls(**{k: d[k] for k in cls.__dataclass_fields__})
            parse_station_code(p.code, Role.from_value_or_label(p.role))
            sig = base64.b64decode(p.signing_public, validate=True)
            enc = base64.b64decode(p.encryption_public, validate=True)
        except (KeyError, TypeError, ValueError, StationError) as exc:
            raise refuse("bad_document", "登记文件内容不完整或有误。",
                         "请让对方重新生成登记文件。") from exc
        if len(sig) != 32 or len(enc) != 32 or fingerprint(sig, enc) != p.fingerprint:
            raise refuse("bad_document", "登记文件里的密钥与指纹对不上，可能已被改动。",
                         "请勿使用这个文件，请让对方重新生成。")
        return p


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def me(store: Store, keys: Keys) -> Party:
    """This installation as a party of an enrolment."""
    code = store.meta("station_code")
    if code is None:
        raise StationError("本机还没有初始化服务站。", hint="请先完成首次设置（init）。")
    return Party(
        code=code, name=store.meta("station_name") or code, role=store.meta("role") or "village",
        parent_code=store.meta("parent_code"),
        signing_public=b64(public_bytes(keys.signing_public)),
        encryption_public=b64(public_bytes(keys.encryption_public)),
        fingerprint=keys.fingerprint,
    )


def data_keys(store: Store) -> Keys:
    return ensure_keys(store.path.parent)


# --- station side -----------------------------------------------------------


def request(store: Store, out: Path) -> Path:
    """Write this station's enrolment request to ``out`` (a file, or a folder for a default name)."""
    keys = data_keys(store)
    party = me(store, keys)
    if party.role == Role.COUNTY.value:
        raise StationError("县级服务中心不需要申请登记。",
                           hint="请在县级电脑上接受各服务站的登记申请。")
    doc = {"type": REQUEST, "version": VERSION, "station": party.as_dict(),
           "created_at": utc_now()}
    path = Path(out)
    if path.is_dir():
        path = path / f"enrol-request-{party.code}.json"
    _write(path, sign_document(doc, keys.signing))
    return path


def read_acceptance(store: Store, data: bytes) -> Party:
    """Check the county's acceptance is for this station's current key; returns the county."""
    keys = data_keys(store)
    mine = me(store, keys)
    doc, sig = read_document(data, ACCEPTANCE)
    station = Party.from_dict(doc.get("station"))
    authority = Party.from_dict(doc.get("authority"))
    verify_document(doc, sig, signing_key(authority.signing_public))
    if station.code != mine.code:
        raise refuse("wrong_station", f"这份登记确认是给服务站 {station.code} 的，不是本站（{mine.code}）。",
                     "请向县服务中心要本站的登记确认文件。")
    if station.fingerprint != mine.fingerprint:
        raise refuse("wrong_key", "这份登记确认对应的是本站以前的密钥，不是本机现在的密钥。",
                     "请重新生成登记申请，交县服务中心重新确认。")
    if authority.role != Role.COUNTY.value or \
            parse_station_code(authority.code).county_prefix != parse_station_code(mine.code).county_prefix:
        raise refuse("wrong_county", f"确认方 {authority.name}（{authority.code}）不是本站所属的县级服务中心。",
                     "请核对后向所属县服务中心重新申请。")
    return authority


# --- county side ------------------------------------------------------------


def read_request(data: bytes) -> Party:
    """Parse and self-verify a request; show ``fingerprint`` to the clerk before accepting."""
    doc, sig = read_document(data, REQUEST)
    party = Party.from_dict(doc.get("station"))
    verify_document(doc, sig, signing_key(party.signing_public))
    return party


def check_request(store: Store, data: bytes) -> tuple[Party, Party]:
    """The county's side of a request: (this county, the requesting station of our county)."""
    county = me(store, data_keys(store))
    if county.role != Role.COUNTY.value:
        raise StationError("只有县级服务中心可以接受服务站登记。",
                           hint="请把登记申请文件交给县退役军人服务中心。")
    station = read_request(data)
    if parse_station_code(station.code).county_prefix != parse_station_code(county.code).county_prefix:
        raise refuse("wrong_county", f"服务站 {station.name}（{station.code}）不属于本县。",
                     "请核对服务站代码；外县的服务站应向其所属县登记。")
    return county, station


def write_acceptance(store: Store, county: Party, station: Party, key_epoch: int,
                     out: Path) -> Path:
    """The signed acceptance for ``station`` into ``out`` (a file, or a folder for a default name)."""
    doc = {"type": ACCEPTANCE, "version": VERSION, "station": station.as_dict(),
           "authority": county.as_dict(), "key_epoch": key_epoch, "accepted_at": utc_now()}
    path = Path(out)
    if path.is_dir():
        path = path / f"enrol-accept-{station.code}.json"
    _write(path, sign_document(doc, data_keys(store).signing))
    return path


def peers(store: Store) -> list[dict[str, Any]]:
    with store.read() as s:
        rows = s.scalars(select(m.SyncPeer).order_by(m.SyncPeer.relation, m.SyncPeer.code)).all()
        return [{c.key: getattr(p, c.key) for c in m.SyncPeer.__table__.columns} for p in rows]


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
