"""The piccolo unit of work: one transaction, IMMEDIATE on SQLite."""

from __future__ import annotations

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
        if is_sqlite(self._engine):
            self._tx = self._engine.transaction(
                transaction_type=TransactionType.immediate
            )
        else:
            self._tx = self._engine.transaction()
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
        finally:
            await tx.__aexit__(None, None, None)
