"""Recording movements: load the facts, judge the batch (``domain.ledger``), write.

A batch runs in one transaction that first locks the chain head, so ``seq`` is
gap-free and two conflicting movements of one item are judged one after the
other. Every movement gets its own answer: ``recorded``, ``duplicate`` (same id
and content seen before) or ``rejected`` (journaled with its reason). If the
transaction fails nothing is written and the caller may resend the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from archive_svc.domain import barcodes, commands, custody, errors, events
from archive_svc.domain.ledger import Facts, Ledger, Refusal
from archive_svc.domain.model import (
    CONTAINER_LEVELS,
    CustodianKind,
    Item,
    Position,
    unloaded_containers,
)
from archive_svc.domain.stations import DeviceSession
from archive_svc.services.ports import AbstractUnitOfWork, Clock
from archive_svc.services.ports.journal import Rejection


@dataclass(frozen=True)
class LedgerPolicy:
    max_batch: int = 500
    future_tolerance: timedelta = timedelta(minutes=5)


async def record_movements(
    cmd: commands.RecordMovements,
    uow: AbstractUnitOfWork,
    clock: Clock,
    policy: LedgerPolicy = LedgerPolicy(),
) -> list[events.MovementResult]:
    """Judge and record a batch of movements; one result per movement, in order."""
    if len(cmd.movements) > policy.max_batch:
        raise errors.BatchTooLarge(
            f"{len(cmd.movements)} movements in one batch; the limit is {policy.max_batch}",
            limit=policy.max_batch,
        )
    async with uow:
        results = await record_in(cmd, uow, clock.now(), policy)
        await uow.commit()
    return results


async def record_in(
    cmd: commands.RecordMovements,
    uow: AbstractUnitOfWork,
    now: datetime,
    policy: LedgerPolicy,
) -> list[events.MovementResult]:
    """Judge and write a batch inside the caller's open unit of work (no commit)."""
    moves = cmd.movements
    agent = await station_agent(cmd.submitter, uow)
    speaks_for = (cmd.submitter.person, agent)
    want = wanted(
        (m.item for m in moves),
        (m.to for m in moves),
        (*(m.actor for m in moves), *speaks_for),
    )
    facts = await load_facts(uow, (m.event_id for m in moves), want)
    facts.station_agent = agent
    return await judge_and_write(cmd, facts, uow, now, policy)


async def station_agent(
    submitter: commands.Submitter, uow: AbstractUnitOfWork
) -> str | None:
    """The agent signed in on a submitting station (its own session), else None."""
    if submitter.kind is not commands.SubmitterKind.STATION:
        return None
    stored = await uow.device_sessions.get(submitter.ref)
    return DeviceSession.from_json(stored.state).agent if stored else None


async def judge_and_write(
    cmd: commands.RecordMovements,
    facts: Facts,
    uow: AbstractUnitOfWork,
    now: datetime,
    policy: LedgerPolicy,
) -> list[events.MovementResult]:
    """Judge a batch over ``facts`` (from :func:`load_facts`) and write it."""
    ledger = Ledger(facts, cmd.source, cmd.submitter, now, policy.future_tolerance)
    results = [ledger.judge(m) for m in cmd.movements]
    await _write(ledger, uow)
    return results


@dataclass(frozen=True)
class Wanted:
    """References a load must resolve."""

    codes: frozenset[str] = frozenset()
    """Item barcodes (normalised)."""
    refs: frozenset[str] = frozenset()
    """Any reference, as typed and normalised: location, container or person."""
    places: frozenset[str] = frozenset()
    """Extra location codes (``EXT:`` destinations)."""


def wanted(
    items: Iterable[str], targets: Iterable[str | None], actors: Iterable[str | None]
) -> Wanted:
    """What judging movements of ``items`` to ``targets`` by ``actors`` needs."""
    tos = [t for t in targets if t]
    return Wanted(
        frozenset(barcodes.normalise(i) for i in items),
        frozenset(k for r in (*tos, *actors) if r for k in barcodes.lookup_keys(r)),
        frozenset(f"{custody.EXTERNAL_PREFIX}{t.strip().upper()}" for t in tos),
    )


async def load_facts(
    uow: AbstractUnitOfWork, event_ids: Iterable[str], want: Wanted
) -> Facts:
    """Lock the chain head, then load what judging movements needs."""
    head_seq, head_hash = await uow.ledger.lock_head()
    seen = await uow.inbox.get_many(event_ids)
    facts = await load_places(uow, want)
    facts.seen.update(seen)
    facts.head_seq, facts.head_hash = head_seq, head_hash
    return facts


async def load_places(uow: AbstractUnitOfWork, want: Wanted) -> Facts:
    """Items, their positions and containers, locations, people and shelf use.

    No chain head: these facts serve judging only when the head was locked first.
    """
    refs = want.refs | set(custody.VIRTUAL_TARGET.values())
    items = await uow.items.by_barcodes(want.codes | refs)
    positions = await uow.positions.get_many(i.id for i in items.values())
    await _load_containers(uow, items, positions)
    locations = await uow.locations.by_refs(refs | want.places)
    located = {
        p.custodian.id
        for p in positions.values()
        if p.custodian.kind is CustodianKind.LOCATION
    }
    locations.update(
        {loc.id: loc for loc in (await uow.locations.by_ids(located)).values()}
    )
    principals = await uow.principals.by_refs(refs)
    shelves = {loc.id for loc in locations.values() if loc.is_shelf}
    occupancy = await uow.items.occupancy(shelves)
    return Facts(items, positions, locations, principals, occupancy, {}, 0, "")


async def _load_containers(
    uow: AbstractUnitOfWork, items: dict[str, Item], positions: dict[str, Position]
) -> None:
    """Load the containers (and their positions) of loaded items, level by level."""
    for _ in range(CONTAINER_LEVELS):
        wanted = unloaded_containers(positions)
        if not wanted:
            return
        found = await uow.items.by_ids(wanted)
        items.update({i.barcode: i for i in found.values()})
        positions.update(await uow.positions.get_many(wanted))


async def _write(ledger: Ledger, uow: AbstractUnitOfWork) -> None:
    if ledger.entries:
        await uow.ledger.append_many(ledger.entries)
        await uow.positions.upsert_many(list(ledger.touched.values()))
        await uow.ledger.set_head(ledger.facts.head_seq, ledger.facts.head_hash)
    if ledger.homes:
        await uow.items.set_homes(ledger.homes)
    if ledger.inbox:
        await uow.inbox.add_many(ledger.inbox)
    if ledger.refusals:
        await uow.journal.add_many([_rejection(ledger, r) for r in ledger.refusals])


def _rejection(ledger: Ledger, r: Refusal) -> Rejection:
    return Rejection(
        r.event_id, ledger.source, r.code, r.message, r.body, ledger.submitted_by,
        ledger.now,
    )  # fmt: skip
