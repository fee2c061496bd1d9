"""Shared fixtures: one real database per run (``--db=sqlite|postgres``), clean per test.

In CI (``CI=true``) a missing service is an error, never a skip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from archive_svc import bootstrap
from archive_svc.config import load_settings
from tests import builders
from tests.fakes import FakeClock

PG_URL = os.environ.get(
    "TEST_ARCHIVE_PG_URL", "postgresql://postgres@127.0.0.1:5432/archive_test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgres"),
        default=os.environ.get("TEST_ARCHIVE_DB", "sqlite"),
    )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Postgres-only tests belong to the PostgreSQL pass: deselect them on SQLite."""
    if config.getoption("--db") == "postgres":
        return
    keep = [i for i in items if "postgres_only" not in i.keywords]
    dropped = [i for i in items if "postgres_only" in i.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def service_up(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Fail in CI, skip elsewhere, when a needed service does not answer."""
    if service_up(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if IN_CI:
        pytest.fail(message + " (CI must provide it)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("ARCHIVE_") and key not in {
            "TEST_ARCHIVE_PG_URL",
            "TEST_ARCHIVE_DB",
        }:
            monkeypatch.delenv(key)
    monkeypatch.delenv("PICCOLO_CONF", raising=False)


@pytest.fixture(scope="session")
def db_kind(pytestconfig: pytest.Config) -> str:
    return str(pytestconfig.getoption("--db"))


@pytest.fixture(scope="session")
def sqlite_template(
    tmp_path_factory: pytest.TempPathFactory, db_kind: str
) -> Path | None:
    if db_kind != "sqlite":
        return None
    path = tmp_path_factory.mktemp("template") / "template.db"
    runtime = bootstrap.build_runtime(
        load_settings(env={"ARCHIVE_DATABASE_URL": f"sqlite:///{path}"})
    )
    asyncio.run(runtime.migrate())
    return path


@pytest.fixture(scope="session")
def postgres_ready(db_kind: str) -> str | None:
    if db_kind != "postgres":
        return None
    require_service("PostgreSQL", "127.0.0.1", 5432)
    asyncio.run(_create_pg_database(PG_URL))
    runtime = bootstrap.build_runtime(
        load_settings(env={"ARCHIVE_DATABASE_URL": PG_URL})
    )
    asyncio.run(runtime.migrate())
    return PG_URL


async def _create_pg_database(url: str) -> None:
    import asyncpg

    base, _, name = url.rpartition("/")
    conn = await asyncpg.connect(base + "/postgres")
    try:
        exists = await conn.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", name
        )
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
        )
        names = ", ".join(f'"{r["tablename"]}"' for r in tables)
        await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        await conn.execute(
            "INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, $1)", "0" * 64
        )
    finally:
        await conn.close()


@pytest.fixture
def database_url(
    db_kind: str,
    sqlite_template: Path | None,
    postgres_ready: str | None,
    tmp_path: Path,
) -> Iterator[str]:
    """A migrated, empty database for this test (a copied file, or a truncated PG)."""
    if db_kind == "sqlite":
        assert sqlite_template is not None
        target = tmp_path / "archive.db"
        shutil.copy(sqlite_template, target)
        yield f"sqlite:///{target}"
    else:
        assert postgres_ready is not None
        asyncio.run(_reset_postgres(postgres_ready))
        yield postgres_ready


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(builders.T0)


@pytest.fixture
async def runtime(
    database_url: str, clock: FakeClock
) -> AsyncIterator[bootstrap.Runtime]:
    """A runtime on the per-test database, with reference data and a fake clock."""
    rt = bootstrap.build_runtime(
        load_settings(env={"ARCHIVE_DATABASE_URL": database_url}), clock=clock
    )
    await rt.migrate()
    yield rt
