"""The audit jobs ``serve`` runs: seal the journal, sign checkpoints, purge."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from archive_svc.services import audit, journal_audit
from archive_svc.services.ports import Clock
from archive_svc.services.ports.audit import AuditUnitOfWork, Signer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditSchedule:
    seal_every: timedelta = timedelta(seconds=1)
    checkpoint_every: timedelta = timedelta(hours=1)
    purge_every: timedelta = timedelta(days=1)
    retention: timedelta = timedelta(days=365)


@dataclass
class AuditJobs:
    """Seals the journal, writes checkpoints and purges the journal on a schedule.

    ``run`` loops until cancelled; a failing job is logged and retried at its next
    turn. Without a signer only the sealing runs (no key configured).
    """

    schedule: AuditSchedule
    uow_factory: Callable[[], AuditUnitOfWork]
    clock: Clock
    signer: Signer | None
    _due: dict[str, datetime] = field(default_factory=dict)

    async def run(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self.schedule.seal_every.total_seconds())

    async def tick(self) -> None:
        await self._guarded("seal", self._seal)
        if self.signer is None:
            return
        now = self.clock.now()
        if self._is_due("checkpoint", now, self.schedule.checkpoint_every):
            await self._guarded("checkpoint", self._checkpoint)
        if self._is_due("purge", now, self.schedule.purge_every):
            await self._guarded("purge", self._purge)

    def _is_due(self, job: str, now: datetime, every: timedelta) -> bool:
        """True once per ``every``; the first turn comes one interval after start
        (a restart does not walk the chains again)."""
        due = self._due.setdefault(job, now + every)
        if now < due:
            return False
        self._due[job] = now + every
        return True

    async def _guarded(self, job: str, action: Callable[[], Awaitable[None]]) -> None:
        try:
            await action()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("audit job %s failed", job)

    async def _seal(self) -> None:
        await journal_audit.seal_journal(self.uow_factory)

    async def _checkpoint(self) -> None:
        assert self.signer is not None
        for report in (
            await audit.checkpoint_ledger(self.uow_factory(), self.signer, self.clock),
            await journal_audit.checkpoint_journal(
                self.uow_factory, self.signer, self.clock
            ),
        ):
            if not report.intact:
                log.error(
                    "%s not intact, checkpoint refused: %s",
                    report.chain,
                    report.findings[0],
                )

    async def _purge(self) -> None:
        assert self.signer is not None
        await journal_audit.purge_journal(
            self.uow_factory, self.signer, self.clock, self.schedule.retention
        )
