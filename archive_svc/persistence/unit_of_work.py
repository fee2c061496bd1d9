"""The piccolo unit of work: one transaction, IMMEDIATE on SQLite."""

from __future__ import annotations

import contextlib
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import TransactionType

from archive_svc.persistence import people, scans
from archive_svc.persistence import repositories as repos
from archive_svc.persistence.engine import is_sqlite
from archive_svc.services.ports import AbstractUnitOfWork


class PiccoloUnitOfWork(AbstractUnitOfWork):
    """Adapter for :class:`AbstractUnitOfWork`. Not reentrant; make one per command."""

    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine
        self._tx: Any = None
        self.items = repos.PiccoloItems(engine)
        self.locations = repos.PiccoloLocations(engine)
        self.principals = repos.PiccoloPrincipals()
        self.tokens = repos.PiccoloTokens()
        self.ledger = repos.PiccoloLedger(engine)
        self.positions = repos.PiccoloPositions(engine)
        self.inbox = repos.PiccoloInbox(engine)
        self.journal = repos.PiccoloJournal(engine)
        self.scans = scans.PiccoloScanInbox(engine)
        self.device_sessions = scans.PiccoloDeviceSessions(engine)
        self.credentials = people.PiccoloCredentials()
        self.access_journal = people.PiccoloAccessJournal(engine)

    async def _begin(self) -> None:
        # Not nested: a unit of work opened inside another one is a bug, not a
        # savepoint; piccolo raises ``TransactionError`` for it.
        if is_sqlite(self._engine):
            self._tx = self._engine.transaction(
                transaction_type=TransactionType.immediate, allow_nested=False
            )
        else:
            self._tx = self._engine.transaction(allow_nested=False)
        await self._tx.__aenter__()

    async def commit(self) -> None:
        await self._tx.commit()

    async def rollback(self) -> None:
        tx, self._tx = self._tx, None
        if tx is None:
            return
        try:
            if not tx._committed and not tx._rolled_back:
                await tx.rollback()
            await tx.__aexit__(None, None, None)
        except BaseException:
            await self._abandon(tx)
            raise

    async def _abandon(self, tx: Any) -> None:
        """Forget a transaction whose connection failed (e.g. the database killed it).

        piccolo resets its ``current_transaction`` only at the end of a clean exit;
        left set, the dead transaction would be taken as the outer one by every later
        unit of work in this task, which would then never recover.
        """
        context = getattr(tx, "context", None)
        if context is not None:
            with contextlib.suppress(ValueError, RuntimeError):
                self._engine.current_transaction.reset(context)
        connection = getattr(tx, "connection", None)
        if connection is None:
            return
        pool = getattr(self._engine, "pool", None)
        with contextlib.suppress(Exception):
            if pool is not None:
                await pool.release(connection)
            else:
                await connection.close()
