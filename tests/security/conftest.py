"""Fixtures of the security tests: a checkpoint key per test and an insider."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from archive_svc import bootstrap, cli
from archive_svc.config import Settings, load_settings
from tests.fakes import FakeClock
from tests.security.tamper import Insider

GUARDED = (
    "movement",
    "chain_head",
    "position",
    "audit_checkpoint",
    "access_journal",
    "access_journal_purge",
    "journal_head",
)


@pytest.fixture
def audit_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Settings for in-process ``cli.main`` calls: this test's database and key."""
    key = tmp_path / "keys" / "checkpoint.key"
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_url)
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ARCHIVE_AUDIT_KEY_FILE", str(key))
    assert cli.main(["audit", "keygen"]) == 0
    return key


@dataclass
class Audited:
    """Runtimes on the test's database with the test's checkpoint key.

    The tests are plain functions that ``asyncio.run`` each step, because
    ``cli.main`` runs its own event loop and binds the tables to a new engine (as in
    tests/integration/test_cli.py): take a fresh ``rt`` after each ``cli.main``.
    """

    settings: Settings
    clock: FakeClock

    @property
    def rt(self) -> bootstrap.Runtime:
        return bootstrap.build_runtime(self.settings, clock=self.clock)


@pytest.fixture
def audited(audit_env: Path, database_url: str, clock: FakeClock) -> Audited:
    settings = load_settings(
        env={
            "ARCHIVE_DATABASE_URL": database_url,
            "ARCHIVE_AUDIT_KEY_FILE": str(audit_env),
        }
    )
    made = Audited(settings, clock)
    asyncio.run(made.rt.migrate())
    return made


@pytest.fixture
def insider(database_url: str) -> Iterator[Insider]:
    person = Insider(database_url)
    yield person
    asyncio.run(person.restore_guards(*GUARDED))
