"""Enrolment's writes: the county records a station's keys, the station its county's.

The files and their signatures are :mod:`station_desktop.sync.enrol`; each
function here checks the file there first, then records the peer in one
transaction with an audit event.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from station_desktop.domain.errors import ConflictError, NotFoundError
from station_desktop.store import models as m
from station_desktop.store.db import Store
from station_desktop.store.models import utc_now
from station_desktop.sync.enrol import Party, check_request, read_acceptance, write_acceptance


def apply(store: Store, data: bytes, *, operator_id: str | None = None) -> Party:
    """Install the county's acceptance on the station. Returns the county."""
    authority = read_acceptance(store, data)
    with store.write(operator_id) as s:
        peer = s.get(m.SyncPeer, authority.code)
        for other in s.scalars(select(m.SyncPeer).where(m.SyncPeer.relation == "county",
                                                        m.SyncPeer.code != authority.code)):
            other.state, other.revoked_at = "revoked", utc_now()
        if peer is not None and peer.fingerprint != authority.fingerprint:
            _reset(peer)
        if peer is None:
            peer = m.SyncPeer(code=authority.code, relation="county", acked_seq=0, received_seq=0,
                              received_max=0, gaps=[], key_epoch=1, state="active",
                              enrolled_at=utc_now())
            s.add(peer)
        _fill(peer, authority)
        peer.state, peer.revoked_at = "active", None
        s.add(m.AuditEvent(operator_id=operator_id, action="enrol_apply",
                           detail={"county": authority.code, "fingerprint": authority.fingerprint}))
    return authority


def accept(store: Store, data: bytes, out: Path, *, operator_id: str | None = None) -> tuple[Party, Path]:
    """Record the requesting station and write the signed acceptance for it to ``out``."""
    county, station = check_request(store, data)
    with store.write(operator_id) as s:
        peer = s.get(m.SyncPeer, station.code)
        if peer is not None and peer.state == "active" and peer.fingerprint != station.fingerprint:
            raise ConflictError(
                f"服务站 {station.code} 已用另一把密钥登记（指纹 {peer.fingerprint}）。",
                hint="如果该站换了电脑，请先注销旧密钥（enroll revoke），再接受新的申请。")
        if peer is None:
            peer = m.SyncPeer(code=station.code, relation="station", acked_seq=0, received_seq=0,
                              received_max=0, gaps=[], key_epoch=1, state="active",
                              enrolled_at=utc_now())
            s.add(peer)
        elif peer.fingerprint != station.fingerprint:
            # A new PC for a known station: its change log starts again at 1.
            _reset(peer)
        _fill(peer, station)
        peer.state, peer.revoked_at = "active", None
        epoch = peer.key_epoch
        s.add(m.AuditEvent(operator_id=operator_id, action="enrol_accept",
                           detail={"station": station.code, "fingerprint": station.fingerprint}))
    return station, write_acceptance(store, county, station, epoch, out)


def revoke(store: Store, code: str, *, operator_id: str | None = None) -> None:
    """End a station's key: its bundles are refused until it enrols a new one."""
    with store.write(operator_id) as s:
        peer = s.get(m.SyncPeer, code)
        if peer is None:
            raise NotFoundError(f"没有登记过服务站 {code}。", hint="请用“keys show”查看已登记的服务站。")
        peer.state, peer.revoked_at = "revoked", utc_now()
        s.add(m.AuditEvent(operator_id=operator_id, action="enrol_revoke",
                           detail={"station": code, "fingerprint": peer.fingerprint}))


def _fill(peer: m.SyncPeer, party: Party) -> None:
    peer.name, peer.role, peer.parent_code = party.name, party.role, party.parent_code
    peer.signing_public, peer.encryption_public = party.signing_public, party.encryption_public
    peer.fingerprint = party.fingerprint


def _reset(peer: m.SyncPeer) -> None:
    peer.key_epoch = (peer.key_epoch or 1) + 1
    peer.acked_seq = peer.received_seq = peer.received_max = 0
    peer.gaps = []
