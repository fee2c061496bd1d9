"""Audit use cases of the ledger: verify it against its head and the signed
checkpoints, write checkpoints, and check the position projection against it
(issue 10, finding 3). The access journal's are in ``journal_audit``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from archive_svc.domain import audit, projection
from archive_svc.domain.audit import Checkpoint, Finding
from archive_svc.domain.chain import FORMAT_V1, GENESIS_HASH
from archive_svc.services.ports import Clock
from archive_svc.services.ports.audit import AuditStore, AuditUnitOfWork, Signer

log = logging.getLogger(__name__)


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


async def checked_checkpoints(
    store: AuditStore, signer: Signer, chain: str
) -> list[tuple[Checkpoint, bool]]:
    return [
        (cp, signer.verify(cp.key_id, audit.payload_of(cp), cp.signature))
        for cp in await store.checkpoints(chain)
    ]


async def _walk_ledger(
    store: AuditStore, walk: audit.ChainWalk, upto: int
) -> audit.ChainWalk:
    newest_format = FORMAT_V1
    try:
        async for entry in store.ledger(walk.start_seq - 1, upto):
            if entry.format < newest_format:  # a downgrade drops the submitter
                walk.fail(f"format {entry.format} after one of format {newest_format}")
                break
            if not walk.step(
                entry.seq, entry.prev_hash, entry.hash, audit.ledger_recomputed(entry)
            ):
                break
            newest_format = max(newest_format, entry.format)
    except (ValueError, TypeError, KeyError) as exc:
        walk.fail(f"unreadable row: {exc}")
    return walk


async def verify_ledger(store: AuditStore, signer: Signer) -> ChainReport:
    """Every movement up to the chain head against its link, the head itself and
    every signed checkpoint (the head is read first: rows up to it are committed)."""
    checkpoints = await checked_checkpoints(store, signer, audit.LEDGER)
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


async def last_valid_checkpoint(
    store: AuditStore, signer: Signer, chain: str, from_seq: int = 1
) -> Checkpoint | None:
    """The newest checkpoint whose signature verifies (not before ``from_seq``)."""
    for cp in reversed(await store.checkpoints(chain)):
        if cp.seq >= from_seq and signer.verify(
            cp.key_id, audit.payload_of(cp), cp.signature
        ):
            return cp
    return None


async def walk_since(
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
    last = await last_valid_checkpoint(store, signer, audit.LEDGER)
    head = await store.ledger_head()
    findings = await walk_since(
        store.ledger, audit.ledger_recomputed, last, (1, GENESIS_HASH), head
    )
    if findings:
        return ChainReport(audit.LEDGER, 0, head, findings)
    return await store_checkpoint(uow, audit.LEDGER, head, 0, signer, clock)


async def store_checkpoint(
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
    written = await store_checkpoint(
        uow, audit.LEDGER, report.head, report.checked, signer, clock
    )
    return written


# --- the position projection --------------------------------------------------------


async def verify_projection(store: AuditStore) -> list[projection.ProjectionDiff]:
    """Rebuild positions from the ledger and compare them with the stored ones."""
    codes = await store.location_codes()
    head = await store.ledger_head()
    rebuilt: dict[str, projection.ProjectedPosition] = {}
    async for entry in store.ledger(0, head[0]):  # streamed: only positions kept
        projection.apply(rebuilt, entry, codes)
    diffs = []
    async for item_id, stored in store.positions():
        diff = projection.compare_one(item_id, rebuilt.pop(item_id, None), stored)
        if diff is not None:
            diffs.append(diff)
    for item_id in sorted(rebuilt):  # in the ledger, no stored position
        diffs.append(projection.ProjectionDiff(item_id, ("missing",)))
    return diffs
