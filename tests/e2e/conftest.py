"""Fixtures for end-to-end scan tests: a private Mosquitto, a simulated scanner, a site."""

import shutil
import uuid
from pathlib import Path

import pytest

from devices.sim import SimulatedScanner
from tests.conftest import IN_CI
from tests.integration.devices.conftest import OwnMosquitto


@pytest.fixture
def own_mosquitto(tmp_path):
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        message = "the mosquitto binary is not installed"
        if IN_CI:
            pytest.fail(message + " (CI must provide it)")
        pytest.skip(message)
    broker = OwnMosquitto(tmp_path)
    broker.start()
    yield broker
    broker.kill()


@pytest.fixture
def site() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def sim():
    with SimulatedScanner() as scanner:
        yield scanner
