"""Operator PINs: slow salted hash, sign-in, waits after repeated failures, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from station_desktop.domain.errors import StationError, ValidationError
from station_desktop.services import operators
from station_desktop.store import auth
from tests.conftest import make_id


def audit(store) -> list[tuple[str, str | None]]:
    with store.read() as s:
        return [tuple(r) for r in s.execute(text(
            "SELECT action, operator_id FROM audit_event ORDER BY id")).all()]


def test_hash_is_salted_slow_and_checked(monkeypatch):
    a, b = auth.hash_pin("2580"), auth.hash_pin("2580")
    assert a != b  # salted
    name, n, r, p, _salt, _digest = a.split("$")
    assert (name, int(n), int(r), int(p)) == ("scrypt", auth.SCRYPT_N, 8, 1)
    assert len(a) <= 200  # fits operator.pin_hash
    assert auth.pin_matches("2580", a) and not auth.pin_matches("2581", a)
    for junk in (None, "", "plain", "scrypt$x$8$1$AA==$AA==", "md5$1$1$1$AA==$AA=="):
        assert not auth.pin_matches("2580", junk)
    compared = []
    real = auth.hmac.compare_digest
    monkeypatch.setattr(auth.hmac, "compare_digest",
                        lambda x, y: compared.append(1) or real(x, y))
    auth.pin_matches("0000", a)
    assert compared  # constant-time comparison


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", "１２３４", "0000", "1234",
                                 "987654"])
def test_weak_or_malformed_pins_refused(pin):
    with pytest.raises(ValidationError):
        auth.check_new_pin(pin)


def test_sign_in_with_pin_and_audit(svc, store):
    op = svc.operator_id
    assert not auth.sign_in_required(store)
    operators.set_pin(store, op, op, "2580")
    assert auth.sign_in_required(store) and auth.has_pin(store, op)
    with store.read() as s:
        stored = s.execute(text("SELECT pin_hash FROM operator WHERE id = :i"), {"i": op}).scalar()
    assert stored.startswith("scrypt$") and "2580" not in stored
    svc.operator_id = None
    with pytest.raises(auth.SignInRefused) as e:
        operators.sign_in_service(svc, op, "1111")
    assert e.value.tries_left == 4 and svc.operator_id is None
    assert operators.sign_in_service(svc, op, "2580") == op == svc.operator_id
    # changes are attributed to the signed-in operator
    row = svc.create("person", {"name": "张三", "id_number": make_id(),
                                "categories": "退役士兵"})
    with store.read() as s:
        who = s.execute(text("SELECT operator_id FROM change_log WHERE row_id = :i"),
                        {"i": row["id"]}).scalar()
    assert who == op
    assert audit(store)[-2:] == [("signin_refused", op), ("signin", op)]


def test_five_failures_then_a_wait_that_survives_a_restart(svc, store):
    op = svc.operator_id
    operators.set_pin(store, op, op, "2580")
    clock = [1000.0]
    now = lambda: clock[0]  # noqa: E731
    for left in (4, 3, 2, 1):
        with pytest.raises(auth.SignInRefused) as e:
            operators.sign_in(store, op, "9999", now=now)
        assert e.value.tries_left == left and e.value.wait_seconds == 0
    with pytest.raises(auth.SignInRefused) as e:
        operators.sign_in(store, op, "9999", now=now)
    assert e.value.wait_seconds == 30
    # even the right PIN waits; the count lives in the database, not in memory
    clock[0] += 29
    with pytest.raises(auth.SignInRefused) as e:
        operators.sign_in(store, op, "2580", now=now)
    assert e.value.wait_seconds == 1 and "等" in e.value.user_text()
    clock[0] += 1
    assert operators.sign_in(store, op, "2580", now=now) == op
    assert auth.seconds_to_wait(store, op, now=now) == 0
    # the count starts again after a success
    with pytest.raises(auth.SignInRefused) as e:
        operators.sign_in(store, op, "9999", now=now)
    assert e.value.tries_left == 4


def test_waits_grow_and_are_capped():
    assert [auth.wait_for(n) for n in (0, 4, 5, 9, 10, 15, 40)] == [0, 0, 30, 30, 60, 120, 900]


def test_who_may_set_a_pin(svc, store):
    admin = svc.operator_id
    clerk = svc.create("operator", {"name": "李文书", "active": True})["id"]
    # before anyone has a PIN, anyone may set one
    operators.set_pin(store, clerk, clerk, "4826")
    # now a non-admin may not set someone else's
    with pytest.raises(StationError) as e:
        operators.set_pin(store, clerk, admin, "1357")
    assert e.value.code == "not_admin"
    # one's own PIN needs the old one
    with pytest.raises(ValidationError):
        operators.set_pin(store, clerk, clerk, "7391", old_pin="0000")
    operators.set_pin(store, clerk, clerk, "7391", old_pin="4826")
    assert operators.sign_in(store, clerk, "7391") == clerk
    # an administrator resets a forgotten PIN without the old one, and may clear it
    operators.set_pin(store, admin, clerk, "5173")
    assert operators.sign_in(store, clerk, "5173") == clerk
    operators.set_pin(store, admin, clerk, None)
    assert not auth.has_pin(store, clerk)
    assert ("pin_cleared", admin) in audit(store)


def test_operator_without_pin_signs_in_directly_and_inactive_cannot(svc, store):
    clerk = svc.create("operator", {"name": "李文书", "active": True})["id"]
    assert operators.sign_in(store, clerk, "") == clerk
    svc.update("operator", clerk, {"active": False})
    with pytest.raises(StationError):
        operators.sign_in(store, clerk, "")
    assert [c.id for c in auth.operator_choices(store)] == [svc.operator_id]
