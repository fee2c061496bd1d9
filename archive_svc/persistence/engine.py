"""Build the piccolo engine from a database URL and bind our tables to it.

No connection is opened here: SQLite connections are opened on first use and pooled
(``sqlite_engine``), and the PostgreSQL pool is opened by the web app's lifespan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from archive_svc.persistence.sqlite_engine import PooledSQLiteEngine
from archive_svc.persistence.tables import TABLES

_engine: Engine[Any] | None = None


class DatabaseUrlError(ValueError):
    """The database URL is neither sqlite:/// nor postgresql://."""


def make_engine(url: str, busy_timeout_s: float = 30.0) -> Engine[Any]:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return PooledSQLiteEngine(path=str(path), timeout=busy_timeout_s)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresEngine(config={"dsn": url}, log_queries=False)
    raise DatabaseUrlError(
        f"unsupported database URL {url!r}: use sqlite:///path.db or postgresql://..."
    )


def configure(url: str, busy_timeout_s: float = 30.0) -> Engine[Any]:
    """Create the engine for ``url`` and bind every table to it."""
    global _engine
    if isinstance(_engine, PooledSQLiteEngine):
        _engine.close_idle()  # so the file it used is checkpointed, as before
    engine = make_engine(url, busy_timeout_s)
    for table in TABLES:
        table._meta._db = engine
    _engine = engine
    return engine


def current() -> Engine[Any]:
    """The configured engine; falls back to the settings' URL (piccolo CLI use)."""
    if _engine is None:
        from archive_svc.config import load_settings

        settings = load_settings()
        return configure(settings.database.url, settings.database.busy_timeout_s)
    return _engine


def is_sqlite(engine: Engine[Any]) -> bool:
    return isinstance(engine, SQLiteEngine)


async def _release(connection: Any) -> None:
    """What the pool does when a connection comes back, instead of asyncpg's reset.

    asyncpg's default sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
    ALL`` on every release: one more round trip per query run outside a transaction,
    which doubled where-is latency. We keep no session state (no SET, LISTEN, cursor
    or advisory lock), so only a transaction left open needs undoing.
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


POOL_OPTIONS: dict[str, Any] = {"reset": _release}
"""Keyword arguments for ``asyncpg.create_pool`` (through piccolo's pool start)."""
