"""Operator PINs: a slow salted hash, and who must wait how long after wrong PINs.

The hash is scrypt (``hashlib.scrypt``), stored in ``operator.pin_hash`` as
``scrypt$n$r$p$salt_b64$hash_b64`` and compared in constant time. Failed
tries are counted per operator in ``meta`` (so restarting the program does
not reset them): after 5 in a row the operator must wait 30 s, and the wait
doubles with every further 5 (at most 15 minutes). A correct PIN clears the
count. Sign-ins, refused tries and PIN changes go to the audit log. Signing
in and setting a PIN write, so they are units of work in
:mod:`station_desktop.services.operators`; this module hashes and reads.

A PIN keeps a passer-by out of the program on a shared PC; it does not
encrypt the database file (see docs/decisions.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from station_desktop.domain.errors import NotFoundError, StationError, ValidationError
from station_desktop.store import models as m

if TYPE_CHECKING:
    from station_desktop.store.db import Store

#: scrypt cost: 2^14 x 8 x 128 B = 16 MB and about 50 ms per try on an old PC.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
PIN_MIN, PIN_MAX = 4, 12
FREE_TRIES = 5
FIRST_WAIT_S = 30
MAX_WAIT_S = 15 * 60

FAILURES_KEY = "pin_failures:"


class SignInRefused(StationError):
    """Wrong PIN, or too many wrong PINs in a row (``wait_seconds`` says how long to wait)."""

    code = "signin_refused"

    def __init__(self, message: str, *, hint: str = "", wait_seconds: int = 0,
                 tries_left: int | None = None):
        super().__init__(message, hint=hint, wait_seconds=wait_seconds, tries_left=tries_left)
        self.wait_seconds = wait_seconds
        self.tries_left = tries_left


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32,
                            maxmem=256 * r * n + 1024 * 1024)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def pin_matches(pin: str, stored: str | None) -> bool:
    """Whether ``pin`` is the one hashed in ``stored`` (constant-time; False for junk)."""
    if not stored:
        return False
    try:
        name, n, r, p, salt, digest = stored.split("$")
        if name != "scrypt":
            return False
        n_, r_, p_ = int(n), int(r), int(p)
        expected = base64.b64decode(digest, validate=True)
        got = hashlib.scrypt(pin.encode("utf-8"), salt=base64.b64decode(salt, validate=True),
                             n=n_, r=r_, p=p_, dklen=len(expected),
                             maxmem=256 * r_ * n_ + 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def check_new_pin(pin: str) -> str:
    """A PIN a cadre can type and a passer-by will not guess first: 4-12 digits, not 1111/1234."""
    pin = pin.strip()
    if not pin.isascii() or not pin.isdigit() or not PIN_MIN <= len(pin) <= PIN_MAX:
        raise ValidationError("pin", f"PIN 须为 {PIN_MIN}–{PIN_MAX} 位数字。")
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in zip(digits, digits[1:], strict=False)}
    if len(set(pin)) == 1 or steps in ({1}, {-1}):
        raise ValidationError("pin", "这个 PIN 太容易被猜到（如 0000、1234），请换一个。")
    return pin


# --- who has a PIN -------------------------------------------------------------


@dataclass(frozen=True)
class OperatorChoice:
    id: str
    name: str
    is_admin: bool
    has_pin: bool


def operator_choices(store: Store) -> list[OperatorChoice]:
    """Active operators, administrators first, for the sign-in list."""
    with store.read() as s:
        rows = s.execute(text(
            "SELECT id, name, is_admin, pin_hash IS NOT NULL AND pin_hash != '' AS has_pin "
            "FROM operator WHERE active = 1 AND deleted_at IS NULL "
            "ORDER BY is_admin DESC, created_at, id")).all()
    return [OperatorChoice(r[0], r[1], bool(r[2]), bool(r[3])) for r in rows]


def operator_name(store: Store, operator_id: str | None) -> str:
    """The operator's name ("" for none or an unknown id), e.g. to fill in 走访人/经办人."""
    if not operator_id:
        return ""
    with store.read() as s:
        return s.execute(text("SELECT name FROM operator WHERE id = :id"),
                         {"id": operator_id}).scalar() or ""


def sign_in_required(store: Store) -> bool:
    """True once any active operator has set a PIN (until then the program opens directly)."""
    return any(c.has_pin for c in operator_choices(store))


def has_pin(store: Store, operator_id: str | None) -> bool:
    return bool(operator_id) and any(c.id == operator_id and c.has_pin
                                     for c in operator_choices(store))


#: What the operators list (设置 → 操作员) sorts by: columns of ``operator``.
OPERATOR_SORTS = ("name", "post", "phone", "is_admin", "active")


def operator_ids(store: Store, sort_key: str = "name", desc: bool = False) -> list[str]:
    """Ids of the operators not deleted, sorted by ``sort_key`` (one of OPERATOR_SORTS)."""
    if sort_key not in OPERATOR_SORTS:
        raise ValueError(sort_key)
    order = f"{sort_key} {'DESC' if desc else 'ASC'}"
    with store.read() as s:
        return list(s.execute(text(
            f"SELECT id FROM operator WHERE deleted_at IS NULL ORDER BY {order}, id")
        ).scalars())


def operator_rows(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The operators ``ids`` by id, for the list: the PIN only as set or not."""
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    with store.read() as s:
        rows = s.execute(text(
            "SELECT id, name, post, phone, is_admin, active, "
            "coalesce(pin_hash, '') != '' AS has_pin FROM operator "
            f"WHERE id IN ({marks})"),
            {f"i{n}": i for n, i in enumerate(ids)}).mappings().all()
    return {r["id"]: dict(r) for r in rows}


# --- failures ------------------------------------------------------------------


def wait_for(failures: int) -> int:
    if failures < FREE_TRIES:
        return 0
    return min(FIRST_WAIT_S * 2 ** ((failures - FREE_TRIES) // FREE_TRIES), MAX_WAIT_S)


def _parse_failures(raw: str | None) -> tuple[int, float]:
    if not raw:
        return 0, 0.0
    try:
        data = json.loads(raw)
        return int(data["count"]), float(data["last"])
    except (ValueError, KeyError, TypeError):
        return 0, 0.0


def failures_of(raw: str | None) -> int:
    return _parse_failures(raw)[0]


def _failures(store: Store, operator_id: str) -> tuple[int, float]:
    return _parse_failures(store.meta(FAILURES_KEY + operator_id))


def seconds_to_wait(store: Store, operator_id: str, *, now: Callable[[], float] = time.time) -> int:
    """How long this operator must wait before the next try (0: may try now)."""
    count, last = _failures(store, operator_id)
    left = last + wait_for(count) - now()
    return max(0, int(left + 0.999))


def active_operator(s: Any, operator_id: str) -> m.Operator:
    """The operator ``operator_id`` inside the caller's session, refused when gone or deactivated."""
    op = s.get(m.Operator, operator_id)
    if op is None or op.deleted_at is not None or not op.active:
        raise NotFoundError("找不到这个操作员，或已被停用。", hint="请选择其他操作员。",
                            code="no_operator")
    return op


def usable_operator(store: Store, wanted: str | None) -> str | None:
    """``wanted`` if it is an active operator in ``store``, else the first active admin."""
    with store.read() as s:
        if wanted and s.execute(text(
                "SELECT 1 FROM operator WHERE id = :id AND active = 1 AND deleted_at IS NULL"),
                {"id": wanted}).first():
            return wanted
        return s.execute(text(
            "SELECT id FROM operator WHERE active = 1 AND deleted_at IS NULL "
            "ORDER BY is_admin DESC, created_at LIMIT 1")).scalar()
