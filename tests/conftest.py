"""Shared fixtures: a fresh real SQLite data dir per test, Qt offscreen."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

# Set before anything imports Qt: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests import write_guard  # noqa: E402

write_guard.install()  # before any connection is opened

import station_desktop.ui  # noqa: E402,F401 - installs PySide6 workarounds before any emit
from station_desktop.domain.idnumber import check_char  # noqa: E402
from station_desktop.services import open_store  # noqa: E402
from station_desktop.services import Service

TODAY = date(2026, 11, 23)
VILLAGE_CODE = "420303100201"


def make_id(region: str = "420303", birth: str = "19850301", seq: int = 123) -> str:
    """A valid 18-digit ID number (GB 11643) for tests."""
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + check_char(first17)


@pytest.fixture(autouse=True)
def _writes_go_through_services():
    """Fail a test in which program code wrote to a database outside the services layer."""
    write_guard.take()
    yield
    found = write_guard.take()
    assert not found, "writes outside station_desktop.services:\n" + "\n".join(
        f"  {sql}\n    " + "\n    ".join(frames) for sql, frames in found)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path):
    s = open_store(data_dir)
    yield s
    s.close()


@pytest.fixture
def svc(store) -> Service:
    service = Service(store, today=TODAY)
    service.init_station(role="village", code=VILLAGE_CODE, name="东沟村退役军人服务站",
                         operator_name="王建国")
    return service


@pytest.fixture
def person(svc: Service) -> dict:
    return svc.create("person", {"name": "张三丰", "id_number": make_id(),
                                 "categories": "退役士兵", "phone": "13800138000"})
