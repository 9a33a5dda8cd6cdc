"""The run-time write guard (tests/write_guard.py) sees every way program code writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests import write_guard

_PROGRAM = """
def through_session(store):
    with store.write(None) as s:
        s.execute(text("UPDATE meta SET value = value WHERE key = 'x'"))

def through_raw(store):
    with store.raw_write() as con:
        con.execute("DELETE FROM search_pending WHERE person_id = 'x'")

def analyze(store):
    store.analyze()
"""


def program(module: str) -> dict[str, Any]:
    """The functions above as if they were in the program module ``module``."""
    names: dict[str, Any] = {"__name__": module, "text": text}
    exec(compile(_PROGRAM, module.replace(".", "/") + ".py", "exec"), names)  # noqa: S102
    return names


def test_writes_through_sqlalchemy_outside_services_are_caught(store):
    outside = program("station_desktop.store.elsewhere")
    write_guard.take()
    for name in ("through_session", "through_raw", "analyze"):
        outside[name](store)
        found = write_guard.take()
        assert found, name
        assert found[0][1][0].startswith("station_desktop.store.elsewhere:"), found


def test_the_same_writes_from_services_pass(store):
    inside = program("station_desktop.services.somewhere")
    write_guard.take()
    for name in ("through_session", "through_raw", "analyze"):
        inside[name](store)
    assert write_guard.take() == []
