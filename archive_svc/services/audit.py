"""Audit use cases: verify the ledger and the access journal against their heads
and signed checkpoints, write checkpoints, seal and purge the journal, and check
the position projection against the ledger (issue 10, findings 3 and 4).

The access journal is written on the hot path as plain rows; ``seal_journal``
chains them afterwards in insertion order under a lock of the journal head (one
sealer at a time), so a request never waits for the chain.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from archive_svc.domain import audit
from archive_svc.domain.audit import Checkpoint, Finding, PurgeSummary
from archive_svc.domain.custody import GENESIS_HASH
from archive_svc.services.audit_ports import AuditStore, AuditUnitOfWork, Signer
from archive_svc.services.ports import Clock

log = logging.getLogger(__name__)

SEAL_BATCH = 2000


@dataclass(frozen=True)
class ChainReport:
    chain: str
    checked: int
    head: tuple[int, str]
    findings: list[Finding]
    unsealed: int = 0
    start_seq: int = 1
    checkpoint: Checkpoint | None = None
    """The checkpoint written after this verification (when intact)."""

    @property
    def intact(self) -> bool:
        return not self.findings


async def _checked_checkpoints(
    store: AuditStore, signer: Signer, chain: str
) -> list[tuple[Checkpoint, bool]]:
    return [
        (cp, signer.verify(cp.key_id, audit.payload_of(cp), cp.signature))
        for cp in await store.checkpoints(chain)
    ]


async def _walk_ledger(
    store: AuditStore, walk: audit.ChainWalk, upto: int
) -> audit.ChainWalk:
    try:
        async for entry in store.ledger(walk.start_seq - 1, upto):
            if not walk.step(
                entry.seq, entry.prev_hash, entry.hash, audit.ledger_recomputed(entry)
            ):
                break
    except (ValueError, TypeError, KeyError) as exc:
        walk.fail(f"unreadable row: {exc}")
    return walk


async def verify_ledger(store: AuditStore, signer: Signer) -> ChainReport:
    """Every movement up to the chain head against its link, the head itself and
    every signed checkpoint (the head is read first: rows up to it are committed)."""
    checkpoints = await _checked_checkpoints(store, signer, audit.LEDGER)
    head = await store.ledger_head()
    wanted = frozenset(cp.seq for cp, _ in checkpoints)
    walk = await _walk_ledger(store, audit.ChainWalk(wanted), head[0])
    findings = audit.judge(walk, head, checkpoints)
    return ChainReport(audit.LEDGER, walk.count, head, findings)


async def _sign(
    chain: str, head: tuple[int, str], signer: Signer, clock: Clock
) -> Checkpoint:
    at = clock.now()
    payload = audit.checkpoint_payload(chain, head[0], head[1], at)
    return Checkpoint(chain, head[0], head[1], at, signer.key_id, signer.sign(payload))


async def _last_valid(
    store: AuditStore, signer: Signer, chain: str, from_seq: int = 1
) -> Checkpoint | None:
    """The newest checkpoint whose signature verifies (not before ``from_seq``)."""
    for cp in reversed(await store.checkpoints(chain)):
        if cp.seq >= from_seq and signer.verify(
            cp.key_id, audit.payload_of(cp), cp.signature
        ):
            return cp
    return None


async def _walk_since(
    rows: Callable[[int, int], AsyncIterator[Any]],
    recompute: Callable[[Any], str],
    last: Checkpoint | None,
    start: tuple[int, str],
    head: tuple[int, str],
) -> list[Finding]:
    """Check the entries after the checkpoint ``last`` (else from ``start``) up to
    the head: the checkpoint's own entry must still carry its hash."""
    walk = audit.ChainWalk(start_seq=start[0], start_hash=start[1])
    if last is not None and last.seq >= start[0]:
        found = [e.hash async for e in rows(last.seq - 1, last.seq)]
        if found != [last.hash]:
            return audit.judge(walk, head, [(last, True)])
        walk = audit.ChainWalk(start_seq=last.seq + 1, start_hash=last.hash)
    try:
        async for e in rows(walk.start_seq - 1, head[0]):
            if not walk.step(e.seq, e.prev_hash, e.hash, recompute(e)):
                break
    except (ValueError, TypeError, KeyError) as exc:
        walk.fail(f"unreadable row: {exc}")
    return audit.judge(walk, head, [])


async def checkpoint_ledger(
    uow: AuditUnitOfWork, signer: Signer, clock: Clock
) -> ChainReport:
    """Sign the ledger head after checking the movements since the last valid
    checkpoint (never sign a chain that no longer matches it)."""
    store = uow.audit
    last = await _last_valid(store, signer, audit.LEDGER)
    head = await store.ledger_head()
    findings = await _walk_since(
        store.ledger, audit.ledger_recomputed, last, (1, GENESIS_HASH), head
    )
    if findings:
        return ChainReport(audit.LEDGER, 0, head, findings)
    return await _store_checkpoint(uow, audit.LEDGER, head, 0, signer, clock)


async def checkpoint_journal(
    uow_factory: Callable[[], AuditUnitOfWork], signer: Signer, clock: Clock
) -> ChainReport:
    """Seal, then sign the journal head after checking the rows since the last
    valid checkpoint (or since the last purge)."""
    await seal_journal(uow_factory)
    uow = uow_factory()
    store = uow.audit
    purges = await store.purges()
    start = (1, GENESIS_HASH)
    if purges:
        start = (purges[-1].last_seq + 1, purges[-1].last_hash)
    last = await _last_valid(store, signer, audit.JOURNAL, start[0])
    head = await store.journal_head()
    findings = await _walk_since(
        store.journal, audit.journal_recomputed, last, start, head
    )
    if findings:
        return ChainReport(audit.JOURNAL, 0, head, findings, start_seq=start[0])
    return await _store_checkpoint(uow, audit.JOURNAL, head, 0, signer, clock)


async def _store_checkpoint(
    uow: AuditUnitOfWork,
    chain: str,
    head: tuple[int, str],
    checked: int,
    signer: Signer,
    clock: Clock,
) -> ChainReport:
    checkpoint = await _sign(chain, head, signer, clock)
    async with uow:
        await uow.audit.add_checkpoint(checkpoint)
        await uow.commit()
    return ChainReport(chain, checked, head, [], checkpoint=checkpoint)


async def verify_and_checkpoint_ledger(
    uow: AuditUnitOfWork, signer: Signer, clock: Clock
) -> ChainReport:
    """``audit verify``: the full check, then a new signed checkpoint if intact."""
    report = await verify_ledger(uow.audit, signer)
    if not report.intact:
        return report
    written = await _store_checkpoint(
        uow, audit.LEDGER, report.head, report.checked, signer, clock
    )
    return written


# --- the position projection --------------------------------------------------------


async def verify_projection(store: AuditStore) -> list[audit.ProjectionDiff]:
    """Rebuild positions from the ledger and compare them with the stored ones."""
    codes = await store.location_codes()
    head = await store.ledger_head()
    entries = [e async for e in store.ledger(0, head[0])]
    rebuilt = audit.replay(entries, codes)
    stored = {item_id: p async for item_id, p in store.positions()}
    return audit.compare_projection(rebuilt, stored)


# --- the access journal -------------------------------------------------------------


async def seal_journal(uow_factory: Callable[[], AuditUnitOfWork]) -> int:
    """Chain every unsealed journal row; return how many were sealed."""
    total = 0
    if not await uow_factory().audit.unsealed_count():
        return 0  # most ticks: no write transaction, no lock
    while True:
        uow = uow_factory()
        async with uow:
            head = await uow.audit.lock_journal_head()
            rows = await uow.audit.unsealed(SEAL_BATCH)
            if not rows:
                return total
            sealed, new_head = audit.seal_rows(rows, head)
            await uow.audit.write_seals(sealed, new_head)
            await uow.commit()
        total += len(sealed)


async def verify_journal(store: AuditStore, signer: Signer) -> ChainReport:
    """The journal after its last signed purge, against its head and checkpoints."""
    purges = [
        (p, bool(p.signature) and signer.verify(p.key_id, audit.purge_payload(p), p.signature))
        for p in await store.purges()
    ]  # fmt: skip
    findings, (start_seq, start_hash) = audit.purge_findings(purges)
    checkpoints = await _checked_checkpoints(store, signer, audit.JOURNAL)
    head = await store.journal_head()
    walk = audit.ChainWalk(
        frozenset(cp.seq for cp, _ in checkpoints), start_seq, start_hash
    )
    try:
        async for row in store.journal(start_seq - 1, head[0]):
            if not walk.step(
                row.seq or 0, row.prev_hash or "", row.hash or "",
                audit.journal_recomputed(row),
            ):  # fmt: skip
                break
    except (ValueError, TypeError, KeyError) as exc:
        walk.fail(f"unreadable row: {exc}")
    findings += audit.judge(walk, head, checkpoints)
    unsealed = await store.unsealed_count()
    return ChainReport(
        audit.JOURNAL, walk.count, head, findings, unsealed, start_seq=start_seq
    )


async def verify_and_checkpoint_journal(
    uow_factory: Callable[[], AuditUnitOfWork], signer: Signer, clock: Clock
) -> ChainReport:
    """``audit verify-journal``: seal, verify, then sign the head if intact."""
    await seal_journal(uow_factory)
    uow = uow_factory()
    report = await verify_journal(uow.audit, signer)
    if not report.intact:
        return report
    written = await _store_checkpoint(
        uow, audit.JOURNAL, report.head, report.checked, signer, clock
    )
    return replace(written, unsealed=report.unsealed, start_seq=report.start_seq)


async def purge_journal(
    uow_factory: Callable[[], AuditUnitOfWork],
    signer: Signer,
    clock: Clock,
    retention: timedelta,
) -> PurgeSummary | None:
    """Remove journal rows older than ``retention``, leaving a signed summary.

    A purge must never hide tampering: the rows since the last signed checkpoint
    and the rows about to be removed must verify, else ``JournalNotIntact``.
    """
    report = await checkpoint_journal(uow_factory, signer, clock)
    if not report.intact:
        raise JournalNotIntact(report)
    now = clock.now()
    uow = uow_factory()
    async with uow:
        head = await uow.audit.lock_journal_head()
        span = await uow.audit.journal_span_before(now - retention)
        if span is None:
            return None
        first, last, count = span
        assert first.seq is not None and last.seq is not None
        await _check_purged_rows(uow.audit, report.start_seq, last, head)
        summary = PurgeSummary(
            first.seq, last.seq, count, first.hash or "", last.hash or "",
            now - retention, now, signer.key_id,
        )  # fmt: skip
        signed = _with_signature(summary, signer)
        await uow.audit.purge(signed)
        await uow.commit()
    return signed


async def _check_purged_rows(
    store: AuditStore, start_seq: int, last: audit.JournalRow, head: tuple[int, str]
) -> None:
    """Walk the rows to be removed from where the journal starts."""
    purges = await store.purges()
    start_hash = purges[-1].last_hash if purges else GENESIS_HASH
    walk = audit.ChainWalk(start_seq=start_seq, start_hash=start_hash)
    async for row in store.journal(start_seq - 1, last.seq or 0):
        if not walk.step(
            row.seq or 0, row.prev_hash or "", row.hash or "",
            audit.journal_recomputed(row),
        ):  # fmt: skip
            break
    findings = audit.judge(walk, (last.seq or 0, last.hash or ""), [])
    if findings:
        raise JournalNotIntact(
            ChainReport(audit.JOURNAL, walk.count, head, findings, start_seq=start_seq)
        )


def _with_signature(summary: PurgeSummary, signer: Signer) -> PurgeSummary:
    return replace(summary, signature=signer.sign(audit.purge_payload(summary)))


class JournalNotIntact(Exception):
    def __init__(self, report: ChainReport) -> None:
        super().__init__(f"access journal not intact: {report.findings[0]}")
        self.report = report


# --- periodic jobs in ``serve`` -----------------------------------------------------


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
        await seal_journal(self.uow_factory)

    async def _checkpoint(self) -> None:
        assert self.signer is not None
        for report in (
            await checkpoint_ledger(self.uow_factory(), self.signer, self.clock),
            await checkpoint_journal(self.uow_factory, self.signer, self.clock),
        ):
            if not report.intact:
                log.error(
                    "%s not intact, checkpoint refused: %s",
                    report.chain,
                    report.findings[0],
                )

    async def _purge(self) -> None:
        assert self.signer is not None
        await purge_journal(
            self.uow_factory, self.signer, self.clock, self.schedule.retention
        )
