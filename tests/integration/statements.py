"""Count the SQL statements a piece of code sends to the database (either engine).

The counting engines are the real ones with a driver hook on their connections:
sqlite3's trace callback, asyncpg's query logger. Every statement the driver runs is
counted, BEGIN and COMMIT included, except asyncpg's COPY (the ledger and inbox
inserts on PostgreSQL), which its query logger does not see.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from archive_svc.persistence.engine import POOL_OPTIONS
from archive_svc.persistence.sqlite_engine import PooledConnection, PooledSQLiteEngine


class Log:
    def __init__(self) -> None:
        self.statements: list[str] = []
        self.on = False

    def record(self, sql: str) -> None:
        if self.on:
            self.statements.append(" ".join(sql.split())[:120])

    @contextlib.contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.statements, self.on = [], True
        try:
            yield self.statements
        finally:
            self.on = False


class CountingSQLiteEngine(PooledSQLiteEngine):
    def __init__(self, log: Log, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.log = log

    async def acquire(self) -> PooledConnection:
        connection = await super().acquire()
        raw: sqlite3.Connection = connection.raw
        raw.set_trace_callback(self.log.record)
        return connection


class CountingPostgresEngine(PostgresEngine):
    """Counts on a one-connection pool, so the driver's type introspection (once
    per connection) can be warmed up before counting, as in a running service."""

    def __init__(self, log: Log, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.log = log

    async def start(self) -> None:
        async def init(connection: Any) -> None:
            connection.add_query_logger(lambda q: self.log.record(q.query))

        await self.start_connection_pool(
            min_size=1, max_size=1, init=init, **POOL_OPTIONS
        )


def counting_engine(url: str, log: Log) -> Engine[Any]:
    """An engine for ``url`` (as ``persistence.engine.make_engine``) that logs to ``log``."""
    if url.startswith("sqlite:///"):
        return CountingSQLiteEngine(
            log, path=url.removeprefix("sqlite:///"), timeout=30.0
        )
    return CountingPostgresEngine(log, config={"dsn": url}, log_queries=False)
