"""Audit use cases of the access journal (issue 10, finding 4).

The journal is written on the hot path as plain rows; ``seal_journal`` chains them
afterwards in insertion order under a lock of the journal head (one sealer at a
time), so a request never waits for the chain. Verification, checkpoints and the
retention purge follow the ledger's (``services.audit``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from archive_svc.domain import audit, journal_chain
from archive_svc.domain.chain import GENESIS_HASH
from archive_svc.domain.journal_chain import PurgeSummary
from archive_svc.services.audit import (
    ChainReport,
    checked_checkpoints,
    last_valid_checkpoint,
    store_checkpoint,
    walk_since,
)
from archive_svc.services.ports import Clock
from archive_svc.services.ports.audit import AuditStore, AuditUnitOfWork, Signer

SEAL_BATCH = 2000


async def seal_journal(uow_factory: Callable[[], AuditUnitOfWork]) -> int:
    """Chain every unsealed journal row; return how many were sealed."""
    total = 0
    if not await uow_factory().audit.any_unsealed():
        return 0  # most ticks: no write transaction, no lock
    while True:
        uow = uow_factory()
        async with uow:
            head = await uow.audit.lock_journal_head()
            rows = await uow.audit.unsealed(SEAL_BATCH)
            if not rows:
                return total
            sealed, new_head = journal_chain.seal_rows(rows, head)
            await uow.audit.write_seals(sealed, new_head)
            await uow.commit()
        total += len(sealed)


async def verify_journal(store: AuditStore, signer: Signer) -> ChainReport:
    """The journal after its last signed purge, against its head and checkpoints."""
    purges = [
        (p, bool(p.signature) and signer.verify(p.key_id, journal_chain.purge_payload(p), p.signature))
        for p in await store.purges()
    ]  # fmt: skip
    findings, (start_seq, start_hash) = journal_chain.purge_findings(purges)
    checkpoints = await checked_checkpoints(store, signer, audit.JOURNAL)
    head = await store.journal_head()
    walk = audit.ChainWalk(
        frozenset(cp.seq for cp, _ in checkpoints), start_seq, start_hash
    )
    try:
        async for row in store.journal(start_seq - 1, head[0]):
            if not walk.step(
                row.seq or 0, row.prev_hash or "", row.hash or "",
                journal_chain.journal_recomputed(row),
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
    written = await store_checkpoint(
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
    store: AuditStore,
    start_seq: int,
    last: journal_chain.JournalRow,
    head: tuple[int, str],
) -> None:
    """Walk the rows to be removed from where the journal starts."""
    purges = await store.purges()
    start_hash = purges[-1].last_hash if purges else GENESIS_HASH
    walk = audit.ChainWalk(start_seq=start_seq, start_hash=start_hash)
    async for row in store.journal(start_seq - 1, last.seq or 0):
        if not walk.step(
            row.seq or 0, row.prev_hash or "", row.hash or "",
            journal_chain.journal_recomputed(row),
        ):  # fmt: skip
            break
    findings = audit.judge(walk, (last.seq or 0, last.hash or ""), [])
    if findings:
        raise JournalNotIntact(
            ChainReport(audit.JOURNAL, walk.count, head, findings, start_seq=start_seq)
        )


def _with_signature(summary: PurgeSummary, signer: Signer) -> PurgeSummary:
    return replace(summary, signature=signer.sign(journal_chain.purge_payload(summary)))


class JournalNotIntact(Exception):
    def __init__(self, report: ChainReport) -> None:
        super().__init__(f"access journal not intact: {report.findings[0]}")
        self.report = report


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
    last = await last_valid_checkpoint(store, signer, audit.JOURNAL, start[0])
    head = await store.journal_head()
    findings = await walk_since(
        store.journal, journal_chain.journal_recomputed, last, start, head
    )
    if findings:
        return ChainReport(audit.JOURNAL, 0, head, findings, start_seq=start[0])
    return await store_checkpoint(uow, audit.JOURNAL, head, 0, signer, clock)
