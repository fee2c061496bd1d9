"""Recording movements: validate a batch against the ledger, append, project.

A batch runs in one transaction that first locks the chain head, so ``seq`` is
gap-free and two conflicting movements of one item are judged one after the
other. Every movement gets its own answer: ``recorded``, ``duplicate`` (same id
and content seen before) or ``rejected`` (journaled with its reason). If the
transaction fails nothing is written and the caller may resend the same ids.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta

from archive_svc.domain import barcodes, commands, custody, errors, events
from archive_svc.domain.custody import Intent, MovementKind, Target
from archive_svc.domain.model import (
    CustodianKind,
    Item,
    Location,
    Position,
    Principal,
)
from archive_svc.services.ports import AbstractUnitOfWork, Clock
from archive_svc.services.ports.custody import InboxRecord
from archive_svc.services.ports.journal import Rejection


@dataclass(frozen=True)
class LedgerPolicy:
    max_batch: int = 500
    future_tolerance: timedelta = timedelta(minutes=5)


def digest(request: commands.MovementRequest) -> str:
    """Fingerprint of a submitted movement; a resend must match it exactly."""
    values = {name: getattr(request, name) for name in _REQUEST_FIELDS}
    body = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


_REQUEST_FIELDS = tuple(f.name for f in fields(commands.MovementRequest))


def parse_timestamp(raw: str | None) -> datetime | None:
    if raw is None or raw == "":
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise errors.InvalidTimestamp(
            f"scanned_at {raw!r} is not an ISO 8601 time"
        ) from None
    if value.tzinfo is None:
        raise errors.InvalidTimestamp(f"scanned_at {raw!r} has no time zone (add Z)")
    return value


@dataclass
class _Facts:
    """What the batch needs from the database, loaded once and updated in memory."""

    items: dict[str, Item]
    positions: dict[str, Position]
    locations: dict[str, Location]
    principals: dict[str, Principal]
    occupancy: dict[str, int]
    seen: dict[str, InboxRecord]
    head_seq: int
    head_hash: str
    entries: list[custody.LedgerEntry] = field(default_factory=list)
    touched: dict[str, Position] = field(default_factory=dict)
    homes: dict[str, custody.Home] = field(default_factory=dict)
    inbox: list[InboxRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


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
    facts = await _load(cmd.movements, uow)
    results = [_judge_one(m, cmd, facts, now, policy) for m in cmd.movements]
    await _write(facts, uow)
    return results


async def _load(
    movements: Sequence[commands.MovementRequest], uow: AbstractUnitOfWork
) -> _Facts:
    head_seq, head_hash = await uow.ledger.lock_head()
    seen = await uow.inbox.get_many(m.event_id for m in movements)
    codes = {barcodes.normalise(m.item) for m in movements}
    refs = {barcodes.normalise(r) for m in movements for r in (m.to, m.actor) if r}
    refs |= {r.strip() for m in movements for r in (m.to, m.actor) if r}
    refs |= set(custody.VIRTUAL_TARGET.values())
    items = await uow.items.by_barcodes(codes | refs)
    positions = await uow.positions.get_many(i.id for i in items.values())
    await _load_container_chain(uow, items, positions)
    locations = await uow.locations.by_refs(
        refs
        | {
            f"{custody.EXTERNAL_PREFIX}{r.strip().upper()}"
            for m in movements
            if (r := m.to)
        }
    )
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
    return _Facts(
        items, positions, locations, principals, occupancy, seen, head_seq, head_hash
    )


async def _load_container_chain(
    uow: AbstractUnitOfWork, items: dict[str, Item], positions: dict[str, Position]
) -> None:
    """Load containers (and their positions) of loaded items, up to three levels."""
    for _ in range(3):
        wanted = {
            p.custodian.id
            for p in positions.values()
            if p.custodian.kind is CustodianKind.CONTAINER
            and p.custodian.id not in positions
        }
        if not wanted:
            return
        found = await uow.items.by_ids(wanted)
        items.update({i.barcode: i for i in found.values()})
        positions.update(await uow.positions.get_many(wanted))


def _judge_one(
    m: commands.MovementRequest,
    cmd: commands.RecordMovements,
    facts: _Facts,
    now: datetime,
    policy: LedgerPolicy,
) -> events.MovementResult:
    body_digest = digest(m)
    prior = facts.seen.get(m.event_id)
    if prior is not None:
        if prior.digest == body_digest:
            return events.MovementResult(
                m.event_id, "duplicate", prior.code or None, prior.message, prior.seq
            )
        return _reject(
            facts,
            m,
            cmd,
            now,
            errors.IdConflict(
                f"movement id {m.event_id} was already used for different content; the first is kept"
            ),
            inbox=False,
        )
    try:
        _check_uuid(m.event_id)
        entry, flags = _apply(m, facts, now, policy)
    except errors.DomainError as exc:
        return _reject(facts, m, cmd, now, exc, inbox=_is_uuid(m.event_id))
    record = InboxRecord(
        m.event_id,
        body_digest,
        "recorded",
        "",
        "",
        entry.seq,
        cmd.source,
        cmd.submitted_by,
        now,
    )
    facts.inbox.append(record)
    facts.seen[m.event_id] = record
    return events.MovementResult(m.event_id, "recorded", None, "", entry.seq, flags)


def _reject(
    facts: _Facts,
    m: commands.MovementRequest,
    cmd: commands.RecordMovements,
    now: datetime,
    exc: errors.DomainError,
    inbox: bool,
) -> events.MovementResult:
    body = json.dumps(asdict(m), sort_keys=True, default=str)
    facts.rejections.append(
        Rejection(
            m.event_id, cmd.source, exc.code, exc.message, body, cmd.submitted_by, now
        )
    )
    if inbox:
        record = InboxRecord(
            m.event_id,
            digest(m),
            "rejected",
            exc.code,
            exc.message,
            None,
            cmd.source,
            cmd.submitted_by,
            now,
        )
        facts.inbox.append(record)
        facts.seen[m.event_id] = record
    return events.MovementResult(m.event_id, "rejected", exc.code, exc.message)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def _check_uuid(value: str) -> None:
    if not _is_uuid(value):
        raise errors.InvalidId(f"movement id {value!r} is not a UUID")


def _kind(raw: str) -> MovementKind:
    try:
        return MovementKind(raw)
    except ValueError:
        valid = ", ".join(k.value for k in MovementKind)
        raise errors.UnknownKind(
            f"unknown movement kind {raw!r}; valid: {valid}"
        ) from None


def _item(m: commands.MovementRequest, facts: _Facts) -> Item:
    kind, code = barcodes.parse(m.item)
    if kind is barcodes.Kind.LOCATION or kind not in (
        barcodes.Kind.BOX,
        barcodes.Kind.FILE,
        barcodes.Kind.ENVELOPE,
    ):
        raise errors.WrongKind(
            f"{code} is a {kind.name.lower()} barcode; only boxes, files and envelopes move"
        )
    item = facts.items.get(code)
    if item is None:
        raise errors.UnknownBarcode(code)
    return item


def _principal(ref: str | None, facts: _Facts, what: str) -> Principal:
    if not ref:
        raise errors.ActorRequired(f"{what} is required (a person id or badge)")
    found = facts.principals.get(ref.strip()) or facts.principals.get(
        barcodes.normalise(ref)
    )
    if found is None:
        raise errors.UnknownPrincipal(f"{what} {ref!r} is not a known person or badge")
    if not found.active:
        raise errors.UnknownPrincipal(f"{what} {ref!r} is disabled")
    return found


def _apply(
    m: commands.MovementRequest, facts: _Facts, now: datetime, policy: LedgerPolicy
) -> tuple[custody.LedgerEntry, tuple[str, ...]]:
    kind = _kind(m.kind)
    item = _item(m, facts)
    actor = _principal(m.actor, facts, "actor")
    scanned_at = parse_timestamp(m.scanned_at)
    effective = custody.effective_time(scanned_at, now, policy.future_tolerance)
    position = facts.positions.get(item.id)
    target = _target(kind, m, item, actor, facts)
    intent = Intent(
        kind, m.reason, m.force, m.request_id, m.task_ref, actor.roles, m.payload
    )
    outcome = custody.decide_movement(
        intent, item, position, target, _shelf_of(item, facts)
    )
    if position is not None and outcome.changes_custody and effective < position.since:
        raise errors.OutOfOrder(
            f"{item.barcode} moved at {custody.iso(position.since)}, after this movement's time"
            f" {custody.iso(effective)}: record a correction instead"
        )
    entry = _entry(
        m, kind, item, actor, position, target, scanned_at, now, effective, facts
    )
    _project(entry, item, position, outcome, effective, facts)
    return entry, tuple(sorted(outcome.flags))


def _target(
    kind: MovementKind,
    m: commands.MovementRequest,
    item: Item,
    actor: Principal,
    facts: _Facts,
) -> Target | None:
    if kind is MovementKind.SEAL_EVENT:
        return None
    if kind in custody.VIRTUAL_TARGET:
        if kind is MovementKind.IN_TRANSIT and not m.to:
            raise errors.UnknownTarget("in_transit needs its destination in 'to'")
        return Target(location=facts.locations.get(custody.VIRTUAL_TARGET[kind]))
    if kind in (MovementKind.PICK, MovementKind.RETURN) and not m.to:
        return Target(person=actor)
    if not m.to:
        raise errors.UnknownTarget(f"{kind.value} needs a destination in 'to'")
    return _resolve(m.to, kind, item, facts)


def _resolve(ref: str, kind: MovementKind, item: Item, facts: _Facts) -> Target:
    code = barcodes.normalise(ref)
    if kind is MovementKind.SEND_OUTSIDE and not ref.upper().startswith(
        custody.EXTERNAL_PREFIX
    ):
        ref = custody.EXTERNAL_PREFIX + ref.strip().upper()
    location = facts.locations.get(code) or facts.locations.get(ref.strip())
    if location is not None:
        return Target(location=location, free_mm=_free_mm(location, item, facts))
    container = facts.items.get(code)
    if container is not None:
        state = facts.positions.get(container.id)
        return Target(
            container=container, container_state=state.state if state else None
        )
    person = facts.principals.get(ref.strip()) or facts.principals.get(code)
    if person is not None:
        return Target(person=person)
    if barcodes.is_valid(code):
        raise errors.UnknownBarcode(code)
    raise errors.UnknownTarget(f"{ref!r} is not a known location, container or person")


def _free_mm(location: Location, item: Item, facts: _Facts) -> int | None:
    if not location.is_shelf or location.capacity_mm is None:
        return None
    if item.home_location_id == location.id:
        return None
    used = facts.occupancy.get(location.id, 0)
    return location.capacity_mm - used - location.reserved_mm


def _shelf_of(item: Item, facts: _Facts) -> str | None:
    """Id of the location an item physically sits at, through its containers."""
    current: str = item.id
    for _ in range(4):
        pos = facts.positions.get(current)
        if pos is None:
            return None
        if pos.custodian.kind is CustodianKind.LOCATION:
            return pos.custodian.id
        if pos.custodian.kind is CustodianKind.PERSON:
            return None
        current = pos.custodian.id
    return None


def _entry(
    m: commands.MovementRequest,
    kind: MovementKind,
    item: Item,
    actor: Principal,
    position: Position | None,
    target: Target | None,
    scanned_at: datetime | None,
    now: datetime,
    effective: datetime,
    facts: _Facts,
) -> custody.LedgerEntry:
    payload = dict(m.payload)
    if kind is MovementKind.IN_TRANSIT and m.to:
        payload["destination"] = m.to
    if m.force:
        payload["forced"] = True
    time_source = (
        "device" if scanned_at else ("upload" if m.entry_mode == "batch" else "server")
    )
    entry = custody.LedgerEntry(
        seq=facts.head_seq + 1,
        event_id=m.event_id,
        kind=kind.value,
        item_id=item.id,
        from_ref=position.custodian.ref if position else None,
        to_ref=target.custodian.ref if target else None,
        actor_ref=actor.id,
        device_id=m.device_id,
        device_seq=m.device_seq,
        scanned_at=scanned_at,
        recorded_at=now,
        effective_at=effective,
        time_source=time_source,
        entry_mode=m.entry_mode,
        request_id=m.request_id,
        task_ref=m.task_ref,
        reason=m.reason,
        payload=payload,
        prev_hash=facts.head_hash,
    ).sealed()
    facts.entries.append(entry)
    facts.head_seq, facts.head_hash = entry.seq, entry.hash
    return entry


def _project(
    entry: custody.LedgerEntry,
    item: Item,
    position: Position | None,
    outcome: custody.Outcome,
    effective: datetime,
    facts: _Facts,
) -> None:
    if outcome.changes_custody:
        new = Position(
            item.id,
            outcome.state,
            outcome.custodian,
            effective,
            entry.seq,
            entry.event_id,
            outcome.destination,
            position.last_verified_at if position else None,
        )
    else:
        assert position is not None
        verified = (
            effective
            if entry.kind == MovementKind.VERIFY
            else position.last_verified_at
        )
        new = replace(position, last_verified_at=verified, last_seq=entry.seq)
    facts.positions[item.id] = new
    facts.touched[item.id] = new
    if outcome.home is not None and (
        outcome.home.location_id,
        outcome.home.container_id,
    ) != (item.home_location_id, item.home_container_id):
        _move_home(item, outcome.home, facts)


def _move_home(item: Item, home: custody.Home, facts: _Facts) -> None:
    width = item.effective_width_mm
    if item.home_location_id:
        facts.occupancy[item.home_location_id] = (
            facts.occupancy.get(item.home_location_id, 0) - width
        )
    if home.location_id:
        facts.occupancy[home.location_id] = (
            facts.occupancy.get(home.location_id, 0) + width
        )
    moved = replace(
        item, home_location_id=home.location_id, home_container_id=home.container_id
    )
    facts.items[item.barcode] = moved
    facts.homes[item.id] = home


async def _write(facts: _Facts, uow: AbstractUnitOfWork) -> None:
    if facts.entries:
        await uow.ledger.append_many(facts.entries)
        await uow.positions.upsert_many(list(facts.touched.values()))
        await uow.ledger.set_head(facts.head_seq, facts.head_hash)
    if facts.homes:
        await uow.items.set_homes(facts.homes)
    if facts.inbox:
        await uow.inbox.add_many(facts.inbox)
    if facts.rejections:
        await uow.journal.add_many(facts.rejections)
