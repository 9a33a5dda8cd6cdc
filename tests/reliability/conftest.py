"""A small station data dir with a daily backup, copied fresh for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from station_desktop.services import open_store
from tests.reliability import worker

PERSONS = 200


@pytest.fixture(scope="session")
def station_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("station") / "data"
    worker.new_station(d, persons=PERSONS)
    open_store(d).close()  # the daily backup of a file that existed
    return d


@pytest.fixture
def station(station_template: Path, tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(station_template, d)
    return d
