"""piccolo's SQLite engine with reused connections and fewer thread hops.

piccolo's ``SQLiteEngine`` goes through aiosqlite: every transaction opens a new
connection (and a new thread), and every statement costs four or five round trips
to that thread (``PRAGMA foreign_keys``, execute, fetch, close cursor). A scanner
read runs about twenty statements, so a read cost ~25 ms, nearly all of it thread
hand-offs; closing the last connection also checkpointed the WAL (one more fsync)
after every transaction.

This engine keeps what piccolo promises (the same queries, transactions, savepoints,
adapters and converters, foreign keys on) and changes how statements reach SQLite:

* Connections are pooled and set up once: ``foreign_keys=1``, ``synchronous=FULL``
  (in WAL mode a transaction is durable once COMMIT returns, so a scan is acked
  only after its commit survives a power cut) and a larger page cache.
* Each connection has one worker thread; a statement is one round trip there.
* Inside an IMMEDIATE or EXCLUSIVE transaction in WAL mode the connection holds
  the database's write lock, so its statements never wait for another connection:
  they run inline on the caller's thread, without a hop (a long statement there
  holds the event loop as it holds the write lock). BEGIN, COMMIT and ROLLBACK
  always go to the worker thread (they wait for locks, or fsync).
* Idle connections are closed when an event loop that used them shuts down, when
  another engine is configured, and at exit, so a finished program leaves a
  checkpointed database file (tests copy such files) as piccolo's engine did.

A connection is used by one task at a time: it is taken from the pool for a
transaction or for one autocommit statement and given back afterwards.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

from piccolo.engine.sqlite import (
    SQLiteEngine,
    SQLiteTransaction,
    TransactionType,
    dict_factory,
)

_T = TypeVar("_T")

CACHE_KIB = 32 * 1024
"""Page cache per connection (SQLite's default is 2 MiB)."""

MAX_IDLE = 4
"""Idle connections kept open per engine; more are closed on release."""

_LOCKING = (TransactionType.immediate, TransactionType.exclusive)


class PooledConnection:
    """One ``sqlite3`` connection and the thread that runs its blocking calls.

    Not safe for concurrent use: the owner awaits each call before the next. Calls
    run on the worker thread, except while ``inline`` (the write lock is held).
    """

    def __init__(self, raw: sqlite3.Connection, worker: ThreadPoolExecutor) -> None:
        self.raw = raw
        self._worker = worker
        self.inline = False
        self.closed = False

    @classmethod
    async def open(cls, kwargs: dict[str, Any], cache_kib: int) -> PooledConnection:
        worker = ThreadPoolExecutor(1, thread_name_prefix="archive-sqlite")

        def connect() -> sqlite3.Connection:
            raw: sqlite3.Connection = sqlite3.connect(**kwargs, check_same_thread=False)
            raw.row_factory = dict_factory
            for pragma in (
                "foreign_keys = 1",
                "synchronous = FULL",
                f"cache_size = -{cache_kib}",
            ):
                raw.execute(f"PRAGMA {pragma}").close()
            return raw

        loop = asyncio.get_running_loop()
        try:
            raw = await loop.run_in_executor(worker, connect)
        except BaseException:
            worker.shutdown(wait=False)
            raise
        return cls(raw, worker)

    async def _call(self, fn: Callable[..., _T], *args: Any) -> _T:
        if self.inline:
            return fn(*args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, fn, *args)

    def _fetch(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        cursor = self.raw.execute(sql, args)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.raw.executemany(sql, rows).close()

    async def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run one statement; its rows as dicts (piccolo's row factory)."""
        return await self._call(self._fetch, sql, args)

    execute = fetch  # piccolo's savepoints call ``connection.execute(sql)``

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self._call(self._many, sql, rows)

    async def begin(self, kind: TransactionType) -> None:
        """BEGIN on the worker (it may wait for the lock); go inline if it is ours."""

        def begin() -> bool:
            self.raw.execute(f"BEGIN {kind.value}").close()
            if kind not in _LOCKING:
                return False
            mode = self._fetch("PRAGMA journal_mode", ())[0]["journal_mode"]
            return bool(mode == "wal")

        self.inline = False
        self.inline = await self._call(begin)

    async def end(self, statement: str) -> None:
        """COMMIT or ROLLBACK, on the worker thread."""
        self.inline = False
        await self._call(self._fetch, statement, ())

    def discard(self, idle: bool = False) -> None:
        """Close; idempotent. ``idle``: no call is pending, so close right here
        (closing the last connection checkpoints the WAL before this returns).
        Otherwise close on the worker after whatever is still queued there."""
        if self.closed:
            return
        self.closed = True
        self.inline = False
        if idle:
            self.raw.close()
        else:
            try:
                self._worker.submit(self.raw.close)
            except RuntimeError:  # the worker is shut down (interpreter exit)
                self.raw.close()
        self._worker.shutdown(wait=False)

    async def close(self) -> None:
        """aiosqlite's spelling (``await connection.close()``): :meth:`discard`."""
        self.discard()


class PooledTransaction(SQLiteTransaction):
    """piccolo's SQLite transaction on a pooled connection.

    On a clean exit the connection goes back to the pool. If COMMIT or ROLLBACK
    fails, or is cancelled, the connection is closed instead (its state is unknown).
    """

    __slots__ = ()

    engine: PooledSQLiteEngine
    connection: PooledConnection

    async def __aenter__(self) -> PooledTransaction:
        if self._parent is not None:
            return cast(PooledTransaction, self._parent)
        self.connection = await self.engine.acquire()
        try:
            await self.connection.begin(self.transaction_type)
        except asyncio.CancelledError:
            self.connection.discard()  # BEGIN may still run on the worker
            raise
        except Exception:  # e.g. still locked after the busy timeout
            self.engine.release(self.connection)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def begin(self) -> None:
        await self.connection.begin(self.transaction_type)

    async def commit(self) -> None:
        await self.connection.end("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        await self.connection.end("ROLLBACK")
        self._rolled_back = True

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if self._parent:
            return exc is None
        try:
            if exc is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            self.connection.discard()
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
        self.engine.release(self.connection)
        return exc is None


class PooledSQLiteEngine(SQLiteEngine):
    """``SQLiteEngine`` whose transactions and queries use pooled connections."""

    def __init__(
        self,
        path: str,
        timeout: float,
        cache_kib: int = CACHE_KIB,
        max_idle: int = MAX_IDLE,
    ) -> None:
        super().__init__(path=path, timeout=timeout)
        self._cache_kib = cache_kib
        self._max_idle = max_idle
        self._idle: list[PooledConnection] = []
        self._watched: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, AsyncIterator[None]
        ] = weakref.WeakKeyDictionary()
        _ENGINES.add(self)

    # -- the pool ---------------------------------------------------------------

    async def acquire(self) -> PooledConnection:
        """An idle connection, or a new one. Give it back with :meth:`release`."""
        self._close_idle_when_loop_ends()
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed:
                return connection
        return await PooledConnection.open(self.connection_kwargs, self._cache_kib)

    def release(self, connection: PooledConnection) -> None:
        """Keep a connection that is out of any transaction; close any other."""
        if connection.closed:
            return
        if connection.raw.in_transaction or len(self._idle) >= self._max_idle:
            connection.discard(idle=True)
            return
        self._idle.append(connection)

    def close_idle(self) -> None:
        """Close the idle connections (the last one to close checkpoints the WAL)."""
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.discard(idle=True)

    def _close_idle_when_loop_ends(self) -> None:
        """Register with the running loop a generator that closes idle connections
        when the loop shuts its async generators down (``asyncio.run`` and
        pytest-asyncio do; so does uvicorn through ``asyncio.run``)."""
        loop = asyncio.get_running_loop()
        if loop in self._watched:
            return

        async def until_loop_ends() -> AsyncIterator[None]:
            try:
                yield
            finally:
                self._watched.pop(loop, None)
                self.close_idle()

        sentinel = until_loop_ends()
        self._watched[loop] = sentinel
        # __anext__ runs the loop's first-iteration hook, which adopts the generator;
        # send() runs it to its yield (StopIteration). The hook fails (a warning)
        # only on a loop already shutting generators down: then exit closes them.
        with contextlib.suppress(Exception):
            sentinel.__anext__().send(None)  # type: ignore[attr-defined]

    # -- piccolo's entry points -------------------------------------------------

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> PooledTransaction:
        return PooledTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        connection = await self.acquire()
        try:
            return await connection.fetch(query, args or ())
        except asyncio.CancelledError:
            connection.discard()  # the statement may still run on the worker
            raise
        finally:
            self.release(connection)  # a no-op once discarded

    async def _run_in_existing_connection(
        self,
        connection: PooledConnection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        return await connection.fetch(query, args or ())

    async def fetch(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        """Run ``sql`` (``?`` placeholders) in the current transaction, else alone."""
        tx = self.current_transaction.get()
        if tx is not None:
            connection: PooledConnection = tx.connection
            return await connection.fetch(sql, args)
        return await self._run_in_new_connection(sql, list(args))


_ENGINES: weakref.WeakSet[PooledSQLiteEngine] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for engine in list(_ENGINES):
        engine.close_idle()
