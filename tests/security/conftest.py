"""Fixtures of the security tests: a checkpoint key per test and an insider; a site
with people, a storeroom, a box and a manager's personal API token, served by a test client
that answers server errors instead of raising them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from archive_svc import bootstrap, cli
from archive_svc.api.app import AppDeps, create_app
from archive_svc.config import Settings, load_settings
from archive_svc.domain.model import Item, Location
from archive_svc.services import people, registry
from tests import builders as b
from tests.fakes import FakeClock
from tests.integration.web_support import BASE_URL, add_people
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


PEOPLE = {
    "agent.x": "archive_agent",
    "admin.x": "administrator",
    "dpo.x": "dpo_auditor",
    "manager.x": "archive_manager",
}


@dataclass
class Site:
    runtime: Any
    shelves: list[Location]
    box: Item
    token: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def client(self, **deps: Any) -> TestClient:  # type: ignore[type-arg]
        rt = self.runtime
        app = create_app(
            AppDeps(
                rt.uow,
                deps.pop("queries", rt.queries),
                rt.clock,
                rt.policy,
                login_throttle=people.AddressThrottle(limit=10_000),
                **{"console": rt.console, **deps},
            )
        )
        return TestClient(app, base_url=BASE_URL, raise_server_exceptions=False)


@pytest.fixture
async def site(runtime) -> Site:  # type: ignore[no-untyped-def]
    shelves = await b.storeroom(runtime, shelves=2, capacity_mm=300)
    (box,) = await b.items(runtime, "box", 1)
    await add_people(runtime, PEOPLE)
    token = await registry.create_token("edge", None, runtime.uow(), person="manager.x")
    return Site(runtime, shelves, box, token)


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with site.client() as test_client:
        yield test_client
