"""The piccolo unit of work: one transaction, IMMEDIATE on SQLite."""

from __future__ import annotations

import contextlib
from functools import cached_property
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import TransactionType

from archive_svc.persistence.custody import (
    PiccoloInbox,
    PiccoloItems,
    PiccoloLedger,
    PiccoloLocations,
    PiccoloPositions,
)
from archive_svc.persistence.engine import is_sqlite
from archive_svc.persistence.journal import PiccoloAccessJournal, PiccoloJournal
from archive_svc.persistence.people import (
    PiccoloCredentials,
    PiccoloPrincipals,
    PiccoloTokens,
)
from archive_svc.persistence.scans import PiccoloDeviceSessions, PiccoloScanInbox
from archive_svc.services.ports import AbstractUnitOfWork


class PiccoloUnitOfWork(AbstractUnitOfWork):
    """Adapter for :class:`AbstractUnitOfWork`. Not reentrant; make one per command."""

    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine
        self._tx: Any = None

    # Repositories are built on first use: a command pays only for those it touches.

    @cached_property
    def items(self) -> PiccoloItems:
        return PiccoloItems(self._engine)

    @cached_property
    def locations(self) -> PiccoloLocations:
        return PiccoloLocations(self._engine)

    @cached_property
    def ledger(self) -> PiccoloLedger:
        return PiccoloLedger(self._engine)

    @cached_property
    def positions(self) -> PiccoloPositions:
        return PiccoloPositions(self._engine)

    @cached_property
    def inbox(self) -> PiccoloInbox:
        return PiccoloInbox(self._engine)

    @cached_property
    def principals(self) -> PiccoloPrincipals:
        return PiccoloPrincipals(self._engine)

    @cached_property
    def tokens(self) -> PiccoloTokens:
        return PiccoloTokens()

    @cached_property
    def credentials(self) -> PiccoloCredentials:
        return PiccoloCredentials(self._engine)

    @cached_property
    def journal(self) -> PiccoloJournal:
        return PiccoloJournal(self._engine)

    @cached_property
    def access_journal(self) -> PiccoloAccessJournal:
        return PiccoloAccessJournal(self._engine)

    @cached_property
    def scans(self) -> PiccoloScanInbox:
        return PiccoloScanInbox(self._engine)

    @cached_property
    def device_sessions(self) -> PiccoloDeviceSessions:
        return PiccoloDeviceSessions(self._engine)

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
