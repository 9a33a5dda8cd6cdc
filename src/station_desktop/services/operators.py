"""Operators at work: signing in (with the count of wrong PINs) and setting a PIN.

Each is one unit of work that leaves its audit event. The checks that decide
(is the operator still active, may this actor set that PIN) run inside the
same transaction as the write, so nothing changes between check and write.
Adding, editing and deactivating operators are ordinary record changes
through :class:`station_desktop.services.Service`, which lets only an
administrator make them (:mod:`station_desktop.services.permissions`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from sqlalchemy import select

from station_desktop.domain.errors import StationError, ValidationError
from station_desktop.services.permissions import acting_operator
from station_desktop.services.station import Service
from station_desktop.store import models as m
from station_desktop.store.auth import (
    FAILURES_KEY,
    FREE_TRIES,
    SignInRefused,
    active_operator,
    check_new_pin,
    failures_of,
    hash_pin,
    pin_matches,
    seconds_to_wait,
    wait_for,
)
from station_desktop.store.db import Store

__all__ = ["SignInRefused", "set_pin", "sign_in", "sign_in_service"]

_FORGOT = "忘记 PIN 的，请管理员在“设置→操作员”中重新设置。"


def sign_in(store: Store, operator_id: str, pin: str, *,
            now: Callable[[], float] = time.time) -> str:
    """Check ``pin`` for ``operator_id``; returns the id on success, else raises SignInRefused.

    An operator without a PIN signs in with any input (there is nothing to
    check until one is set). Every outcome is written to the audit log.
    """
    wait = seconds_to_wait(store, operator_id, now=now)
    if wait:
        raise SignInRefused(f"PIN 错误次数太多，请等 {wait} 秒后再试。", hint=_FORGOT,
                            wait_seconds=wait)
    with store.read() as s:
        stored = active_operator(s, operator_id).pin_hash
    # scrypt takes a moment: hashed before the write lock is taken
    ok = not stored or pin_matches(pin, stored)
    key = FAILURES_KEY + operator_id
    with store.write(operator_id if ok else None) as s:
        if active_operator(s, operator_id).pin_hash != stored:  # changed meanwhile
            ok = False
        if ok:
            row = s.get(m.Meta, key)
            if row is not None:
                s.delete(row)
            s.add(m.AuditEvent(action="signin", operator_id=operator_id,
                               detail={"pin": bool(stored)}))
            return operator_id
        row = s.get(m.Meta, key)
        count = 1 + (failures_of(row.value) if row is not None else 0)
        s.merge(m.Meta(key=key, value=json.dumps({"count": count, "last": now()})))
        s.add(m.AuditEvent(action="signin_refused", operator_id=operator_id,
                           detail={"failures": count}))
    wait = wait_for(count)
    if wait:
        raise SignInRefused(f"PIN 不对。已连续错 {count} 次，请等 {wait} 秒后再试。",
                            hint=_FORGOT, wait_seconds=wait)
    left = FREE_TRIES - count
    raise SignInRefused(f"PIN 不对，请再试一次（还可以试 {left} 次）。", tries_left=left)


def sign_in_service(service: Service, operator_id: str, pin: str) -> str:
    """Sign in and make the operator the one every change of ``service`` is attributed to."""
    service.operator_id = sign_in(service.store, operator_id, pin)
    return service.operator_id


def set_pin(store: Store, actor_id: str | None, operator_id: str, new_pin: str | None, *,
            old_pin: str | None = None) -> None:
    """Set (or with ``new_pin=None`` clear) an operator's PIN.

    An operator changes their own PIN by giving the old one; an administrator
    may set or clear anyone else's (for a forgotten PIN). While nobody has a
    PIN yet, whoever runs the program may set one. The actor, when named,
    must be an active operator.
    """
    pin = check_new_pin(new_pin) if new_pin is not None else None
    hashed = hash_pin(pin) if pin is not None else None
    with store.write(actor_id) as s:
        actor = acting_operator(s, actor_id)
        target = active_operator(s, operator_id)
        anyone_has_pin = s.scalar(select(m.Operator.id).where(
            m.Operator.pin_hash.is_not(None), m.Operator.active.is_(True),
            m.Operator.deleted_at.is_(None)).limit(1)) is not None
        if operator_id == actor_id:
            if target.pin_hash and not pin_matches(old_pin or "", target.pin_hash):
                raise ValidationError("old_pin", "原 PIN 不对，PIN 没有修改。")
        elif not (actor is not None and actor.is_admin) and anyone_has_pin:
            raise StationError("只有管理员能设置别人的 PIN。", hint="请本人登录后自己设置。",
                               code="not_admin")
        target.pin_hash = hashed
        target.updated_by = actor_id
        row = s.get(m.Meta, FAILURES_KEY + operator_id)
        if row is not None:
            s.delete(row)
        s.add(m.AuditEvent(action="pin_set" if pin else "pin_cleared", operator_id=actor_id,
                           detail={"operator": operator_id}))
