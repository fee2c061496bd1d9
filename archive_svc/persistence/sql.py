"""Raw SQL on the current transaction's connection, for the hot paths.

Statements are written with ``{}`` placeholders; they become ``$1..$n`` for
asyncpg and ``?`` for sqlite3. Values are always passed as arguments.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from piccolo.engine.base import Engine
from piccolo.querystring import QueryString

from archive_svc.persistence.engine import is_sqlite
from archive_svc.persistence.sqlite_engine import PooledSQLiteEngine

_PLACEHOLDER = re.compile(r"\{\}")


def render(sql: str, engine: Engine[Any]) -> str:
    if is_sqlite(engine):
        return _PLACEHOLDER.sub("?", sql)
    return _pg(sql)


def _connection(engine: Engine[Any]) -> Any:
    tx = engine.current_transaction.get()
    if tx is None:
        raise RuntimeError("raw writes run inside a unit of work")
    return tx.connection


async def execute_many(
    engine: Engine[Any], sql: str, rows: Sequence[Sequence[Any]]
) -> None:
    """Run one statement for many rows inside the current transaction."""
    if not rows:
        return
    await _connection(engine).executemany(render(sql, engine), rows)


async def fetch(engine: Engine[Any], sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows as dicts, run on ``engine``; inside its current transaction when there is one.

    The statement goes straight to the driver, skipping piccolo's query-string
    assembly: on PostgreSQL to asyncpg (the current transaction's connection, else
    one from the pool), on SQLite to the pooled engine's connection. PostgreSQL
    without a pool goes through piccolo.
    """
    if isinstance(engine, PooledSQLiteEngine):
        return await engine.fetch(_PLACEHOLDER.sub("?", sql), args)
    if not is_sqlite(engine):
        tx = engine.current_transaction.get()
        if tx is not None:
            return [dict(r) for r in await tx.connection.fetch(_pg(sql), *args)]
        pool = getattr(engine, "pool", None)
        if pool is not None:
            async with pool.acquire() as connection:
                return [dict(r) for r in await connection.fetch(_pg(sql), *args)]
    rows = await engine.run_querystring(QueryString(sql, *args))
    return list(rows)


@functools.lru_cache(maxsize=512)
def _pg(sql: str) -> str:
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


def placeholders(count: int) -> str:
    return ", ".join(["{}"] * count)


async def insert_rows(
    engine: Engine[Any],
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    suffix: str = "",
) -> None:
    """Insert many rows in one statement per engine's fastest safe form.

    ``columns`` pairs each column name with its PostgreSQL type. On PostgreSQL plain
    inserts use COPY, and inserts with a ``suffix`` (an ``ON CONFLICT`` clause) send
    one array per column through ``unnest``; on SQLite both use ``executemany``.
    """
    if not rows:
        return
    names = ", ".join(name for name, _ in columns)
    if is_sqlite(engine):
        statement = f"INSERT INTO {table} ({names}) VALUES ({placeholders(len(columns))}) {suffix}"
        await execute_many(engine, statement, rows)
        return
    if not suffix:
        cols = [name for name, _ in columns]
        await _connection(engine).copy_records_to_table(
            table, records=rows, columns=cols
        )
        return
    arrays = ", ".join(
        f"${i}::{kind}[]" for i, (_, kind) in enumerate(columns, start=1)
    )
    statement = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {suffix}"
    await _connection(engine).execute(
        statement, *[list(col) for col in zip(*rows, strict=True)]
    )


async def update_rows(
    engine: Engine[Any],
    table: str,
    key: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Set ``columns`` on many rows found by ``key`` (each row: key value first).

    ``columns`` pairs each column name with its PostgreSQL type; the key is a
    ``varchar``. On PostgreSQL one ``UPDATE ... FROM unnest(...)`` statement sends
    one array per column; on SQLite ``executemany`` runs one UPDATE per row. Keys
    must be distinct.
    """
    if not rows:
        return
    if is_sqlite(engine):
        sets = ", ".join(f"{name} = {{}}" for name, _ in columns)
        statement = f"UPDATE {table} SET {sets} WHERE {key} = {{}}"
        await execute_many(engine, statement, [(*r[1:], r[0]) for r in rows])
        return
    names = [key, *(name for name, _ in columns)]
    kinds = ["varchar", *(kind for _, kind in columns)]
    arrays = ", ".join(f"${i}::{kind}[]" for i, kind in enumerate(kinds, start=1))
    sets = ", ".join(f"{name} = v.{name}" for name, _ in columns)
    statement = (
        f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({', '.join(names)})"
        f" WHERE {table}.{key} = v.{key}"
    )
    await _connection(engine).execute(
        statement, *[list(col) for col in zip(*rows, strict=True)]
    )
