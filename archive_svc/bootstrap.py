"""Composition root: choose the adapters for a set of settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from piccolo.engine.base import Engine

from archive_svc.config import Settings
from archive_svc.persistence import engine as db
from archive_svc.persistence.migrate import migrate
from archive_svc.persistence.queries import PiccoloCustodyQueries
from archive_svc.persistence.unit_of_work import PiccoloUnitOfWork
from archive_svc.services import registry
from archive_svc.services.custody import LedgerPolicy
from archive_svc.services.ports import (
    AbstractUnitOfWork,
    Clock,
    CustodyQueries,
    SystemClock,
)


@dataclass
class Runtime:
    """Everything a process needs, built once from settings."""

    settings: Settings
    engine: Engine[Any]
    clock: Clock
    queries: CustodyQueries
    policy: LedgerPolicy

    def uow(self) -> AbstractUnitOfWork:
        return PiccoloUnitOfWork(self.engine)

    @property
    def uses_pool(self) -> bool:
        return not db.is_sqlite(self.engine)

    async def start_pool(self) -> None:
        if self.uses_pool:
            await self.engine.start_connection_pool(  # type: ignore[no-untyped-call, call-arg]
                min_size=self.settings.database.pool_min,
                max_size=self.settings.database.pool_max,
            )

    async def close_pool(self) -> None:
        if self.uses_pool:
            await self.engine.close_connection_pool()  # type: ignore[no-untyped-call]

    async def migrate(self) -> str:
        message = await migrate(self.engine)
        await registry.ensure_reference_data(self.uow())
        return message


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    engine = db.configure(settings.database.url, settings.database.busy_timeout_s)
    policy = LedgerPolicy(
        max_batch=settings.ledger.max_batch,
        future_tolerance=timedelta(seconds=settings.ledger.future_tolerance_s),
    )
    return Runtime(
        settings, engine, clock or SystemClock(), PiccoloCustodyQueries(), policy
    )
