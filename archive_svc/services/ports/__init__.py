"""Ports: what the services need from the outside world, one module per context.

Adapters (``persistence``) and test fakes both subclass these, so a changed
signature breaks the fake loudly. A unit of work is one transaction: leaving
``async with uow`` without ``commit()`` rolls everything back. Its repositories
are read-only properties, so an adapter may build only those a command touches.
"""

from __future__ import annotations

import abc
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from archive_svc.services.ports.custody import (
    CustodyQueries,
    InboxRepository,
    ItemRepository,
    LedgerRepository,
    LocationRepository,
    PositionRepository,
)
from archive_svc.services.ports.journal import (
    AccessJournalRepository,
    JournalQueries,
    JournalRepository,
)
from archive_svc.services.ports.people import (
    CredentialRepository,
    PeopleQueries,
    PrincipalRepository,
    TokenRepository,
)
from archive_svc.services.ports.scans import (
    DeviceSessionRepository,
    ScanInboxRepository,
)

__all__ = ["AbstractUnitOfWork", "Clock", "Queries", "SystemClock"]
"""The context modules (``custody``, ``people``, ``journal``, ``scans``) hold the
rest; import their names from them."""


class Clock(abc.ABC):
    @abc.abstractmethod
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class AbstractUnitOfWork(abc.ABC):
    @property
    @abc.abstractmethod
    def items(self) -> ItemRepository: ...

    @property
    @abc.abstractmethod
    def locations(self) -> LocationRepository: ...

    @property
    @abc.abstractmethod
    def ledger(self) -> LedgerRepository: ...

    @property
    @abc.abstractmethod
    def positions(self) -> PositionRepository: ...

    @property
    @abc.abstractmethod
    def inbox(self) -> InboxRepository: ...

    @property
    @abc.abstractmethod
    def principals(self) -> PrincipalRepository: ...

    @property
    @abc.abstractmethod
    def tokens(self) -> TokenRepository: ...

    @property
    @abc.abstractmethod
    def credentials(self) -> CredentialRepository: ...

    @property
    @abc.abstractmethod
    def journal(self) -> JournalRepository: ...

    @property
    @abc.abstractmethod
    def access_journal(self) -> AccessJournalRepository: ...

    @property
    @abc.abstractmethod
    def scans(self) -> ScanInboxRepository: ...

    @property
    @abc.abstractmethod
    def device_sessions(self) -> DeviceSessionRepository: ...

    async def __aenter__(self) -> Self:
        await self._begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    @abc.abstractmethod
    async def _begin(self) -> None: ...

    @abc.abstractmethod
    async def commit(self) -> None: ...

    @abc.abstractmethod
    async def rollback(self) -> None:
        """Undo what was not committed; a no-op after ``commit()``."""


class Queries(CustodyQueries, PeopleQueries, JournalQueries):
    """Every read model, in one object for the edges (no transaction, no writes)."""

    @abc.abstractmethod
    async def counts(self) -> dict[str, int]:
        """Number of rows per main table (for the demo and the CLI)."""
