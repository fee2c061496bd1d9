"""Scanner reads -> device state machine -> movements, one transaction per read
(several reads per transaction when a backlog is drained: ``record_scans``).

``record_scan`` is idempotent by ``scan_id`` (the scan inbox); a resend is answered
``duplicate`` with the first outcome. Reads of one device are expected in
``device_seq`` order: a read that jumps ahead of the last one processed is held back
(``deferred``: no inbox row, no feedback, so the gateway resends it) for at most
``ScanPolicy.gap_wait``, giving the missing reads time to arrive: the gap is
journaled and logged when first seen, and the outcome names the missing reads so the
consumer asks the station for them again (the station answers with the reads, or
says it does not have them: :func:`record_missing_reads`, journaled, closes the gap).
After the wait the read is processed and the gap is flagged on its inbox row. A read
with a new id and a ``device_seq`` not above the last processed one is a replay: it
is refused (``stale_seq``, journaled) and the station's session is left as it was.
A read scanned longer than ``ScanPolicy.max_age`` before it was received is refused
(``scan_too_old``, journaled), in its turn: the session only moves past its seq.

Every scanned movement takes the read's ``scanned_at`` as its effective time (the
processing time only when a read has none): with a station's reads judged in its
``device_seq`` order, an outage or a backlog never changes a read's outcome.

An item read loads its facts once (``custody.load_facts``, chain head locked first):
they serve both the state machine and the judging of the movement it decides, which
goes through ``custody.judge_and_write``, the same judging and ledger code as the
API, inside this read's transaction; custody refusals are journaled there, and every
other refused read is journaled here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from archive_svc.domain import (
    barcodes,
    chain,
    commands,
    errors,
    scanning,
    stations,
)
from archive_svc.domain.custody import STATION_ROLE, may_hold, may_record
from archive_svc.domain.ledger import Facts
from archive_svc.domain.model import place_of
from archive_svc.domain.outcomes import Outcome
from archive_svc.domain.scanning import Reply
from archive_svc.domain.stations import DeviceSession, Read, ReadKind
from archive_svc.services import custody as custody_service
from archive_svc.services.custody import LedgerPolicy
from archive_svc.services.ports import AbstractUnitOfWork, Clock
from archive_svc.services.ports.journal import Rejection
from archive_svc.services.ports.scans import (
    DeviceSessionRecord,
    ScanRecord,
    ScanTexts,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanPolicy:
    gap_wait: timedelta = timedelta(seconds=30)
    """How long a read after a sequence gap waits for the missing reads."""
    max_age: timedelta = timedelta(days=30)
    """Oldest accepted read: ``scanned_at`` this long before reception is refused."""
    resend_most: int = 1000
    """Most reads asked again from a station in one request."""


@dataclass(frozen=True)
class ScanOutcome:
    """The answer to one read. ``deferred``: held back, no feedback, resend expected."""

    scan_id: str
    device_id: str
    device_seq: int
    outcome: Outcome
    code: str
    message: str
    """What the station shows (French), rendered once and stored."""
    movement_id: str | None = None
    gap: int = 0
    missing: tuple[int, int] | None = None
    """Held back after a gap: the ``device_seq`` range to ask the station again for."""


_LEDGER_POLICY = LedgerPolicy()
_SCAN_POLICY = ScanPolicy()


async def record_scan(
    cmd: commands.RecordScan,
    uow: AbstractUnitOfWork,
    clock: Clock,
    policy: LedgerPolicy = _LEDGER_POLICY,
    scan_policy: ScanPolicy = _SCAN_POLICY,
    *,
    texts: ScanTexts,
) -> ScanOutcome:
    """Record one read (see the module docstring) in one committed transaction."""
    (outcome,) = await record_scans([cmd], uow, clock, policy, scan_policy, texts=texts)
    return outcome


async def record_scans(
    cmds: Sequence[commands.RecordScan],
    uow: AbstractUnitOfWork,
    clock: Clock,
    policy: LedgerPolicy = _LEDGER_POLICY,
    scan_policy: ScanPolicy = _SCAN_POLICY,
    *,
    texts: ScanTexts,
) -> list[ScanOutcome]:
    """Record reads in their order in one committed transaction (group commit: a
    backlog is drained several reads per commit). Each read is judged, chained and
    answered on its own, exactly as alone: a refusal is an outcome, never an error,
    so one refused read never undoes the others. An error (e.g. the database gone)
    rolls the whole group back; the caller then retries the reads one by one."""
    async with uow:
        now = clock.now()
        sessions = _Sessions(uow)
        outcomes = [
            await _record(cmd, uow, sessions, now, policy, scan_policy, texts)
            for cmd in cmds
        ]
        await sessions.write(now)
        await uow.commit()
    return _ask_once(outcomes)


def _ask_once(outcomes: list[ScanOutcome]) -> list[ScanOutcome]:
    """One request for missing reads per station and group (the first held read
    names the gap; the reads held after it wait for the same ones)."""
    asked: set[str] = set()
    out = []
    for o in outcomes:
        if o.missing is not None and o.device_id in asked:
            o = replace(o, missing=None)
        elif o.missing is not None:
            asked.add(o.device_id)
        out.append(o)
    return out


class _Sessions:
    """The stations' sessions within one transaction: each read once and written
    once, before the commit (a group of reads of one station costs two statements
    for its session, not two per read)."""

    def __init__(self, uow: AbstractUnitOfWork) -> None:
        self._uow = uow
        self._known: dict[str, DeviceSession | None] = {}
        self._changed: dict[str, DeviceSession] = {}

    async def get(self, device_id: str) -> DeviceSession | None:
        """The station's session; None for a station never seen."""
        if device_id not in self._known:
            stored = await self._uow.device_sessions.get(device_id)
            self._known[device_id] = (
                DeviceSession.from_json(stored.state) if stored else None
            )
        return self._known[device_id]

    def put(self, device_id: str, session: DeviceSession) -> None:
        self._known[device_id] = self._changed[device_id] = session

    async def write(self, now: datetime) -> None:
        for device_id, session in self._changed.items():
            await _save(self._uow, device_id, session, now)


async def _record(
    cmd: commands.RecordScan,
    uow: AbstractUnitOfWork,
    sessions: _Sessions,
    now: datetime,
    policy: LedgerPolicy,
    scan_policy: ScanPolicy,
    texts: ScanTexts,
) -> ScanOutcome:
    prior = await uow.scans.get(cmd.scan_id)
    if prior is not None:
        return _duplicate(prior)
    known = await sessions.get(cmd.device_id)
    stored, session = known is not None, known or DeviceSession()
    if stored and cmd.device_seq <= session.last_seq:
        stale = Reply(
            Outcome.REJECTED, "stale_seq",
            {"seq": cmd.device_seq, "last": session.last_seq},
        )  # fmt: skip
        return await _refuse(cmd, stale, "stale", uow, now, texts)
    gap = cmd.device_seq - session.last_seq - 1 if stored else 0
    if gap > 0 and await _hold_back(
        cmd, session, gap, uow, sessions, now, scan_policy, texts
    ):
        held = Reply(Outcome.DEFERRED, "sequence_gap", {"gap": gap})
        first = session.last_seq + 1
        last = min(cmd.device_seq - 1, first + scan_policy.resend_most - 1)
        return ScanOutcome(
            cmd.scan_id, cmd.device_id, cmd.device_seq, held.outcome, held.code,
            texts.render(held), gap=gap, missing=(first, last),
        )  # fmt: skip
    if _too_old(cmd, scan_policy):
        old = Reply(
            Outcome.REJECTED, "scan_too_old", {"days": scan_policy.max_age.days}
        )
        flags = f"gap:{gap}" if gap > 0 else ""
        outcome = await _refuse(cmd, old, flags, uow, now, texts)
        passed = replace(session, last_seq=cmd.device_seq, gap_since=None)
        sessions.put(cmd.device_id, passed)
        return replace(outcome, gap=max(gap, 0))
    return await _process(cmd, session, max(gap, 0), uow, sessions, now, policy, texts)


def _too_old(cmd: commands.RecordScan, policy: ScanPolicy) -> bool:
    return (
        cmd.scanned_at is not None and cmd.received_at - cmd.scanned_at > policy.max_age
    )


async def _refuse(
    cmd: commands.RecordScan,
    reply: Reply,
    flags: str,
    uow: AbstractUnitOfWork,
    now: datetime,
    texts: ScanTexts,
) -> ScanOutcome:
    """A read refused before the station's state machine sees it: journaled, and
    remembered in the scan inbox (a resend is answered ``duplicate``)."""
    message = texts.render(reply)
    log.warning("device %s: read %d (%s) refused: %s", cmd.device_id,
                cmd.device_seq, cmd.scan_id, reply.code)  # fmt: skip
    await uow.journal.add_many([_rejection(cmd, reply.code, message, now)])
    await uow.scans.add(
        ScanRecord(
            cmd.scan_id, cmd.device_id, cmd.device_seq, cmd.code, cmd.aim, cmd.source,
            cmd.scanned_at, cmd.received_at, reply.outcome.value, reply.code,
            message, None, flags,
        )
    )  # fmt: skip
    return ScanOutcome(
        cmd.scan_id, cmd.device_id, cmd.device_seq, reply.outcome, reply.code, message
    )


def _duplicate(prior: ScanRecord) -> ScanOutcome:
    return ScanOutcome(
        prior.scan_id, prior.device_id, prior.device_seq, Outcome.DUPLICATE,
        prior.reason_code, prior.message, movement_id=prior.movement_event_id,
    )  # fmt: skip


async def _hold_back(
    cmd: commands.RecordScan,
    session: DeviceSession,
    gap: int,
    uow: AbstractUnitOfWork,
    sessions: _Sessions,
    now: datetime,
    policy: ScanPolicy,
    texts: ScanTexts,
) -> bool:
    """True when the read waits for missing ones (the first hold is saved with the
    read's transaction, and the gap journaled)."""
    if session.gap_since is None:
        log.warning(
            "device %s: reads %d..%d missing before read %d (%s); held back",
            cmd.device_id, session.last_seq + 1, cmd.device_seq - 1, cmd.device_seq,
            cmd.scan_id,
        )  # fmt: skip
        reply = Reply(Outcome.DEFERRED, "sequence_gap", {"gap": gap})
        await uow.journal.add_many(
            [_rejection(cmd, "sequence_gap", texts.render(reply), now)]
        )
        sessions.put(cmd.device_id, replace(session, gap_since=chain.iso(now)))
        return True
    since = datetime.fromisoformat(session.gap_since.replace("Z", "+00:00"))
    if now - since < policy.gap_wait:
        return True
    log.warning(
        "device %s: reads %d..%d never arrived; processing read %d (%s)",
        cmd.device_id, session.last_seq + 1, cmd.device_seq - 1, cmd.device_seq,
        cmd.scan_id,
    )  # fmt: skip
    return False


async def record_missing_reads(
    cmd: commands.RecordMissingReads, uow: AbstractUnitOfWork, clock: Clock
) -> None:
    """A station says it does not have reads ``first_seq..last_seq`` (asked again
    after a gap): journaled. Those it gave out and lost are passed over, so the
    held-back read is processed when it comes; seqs it never gave out (above
    ``newest``: a forged or corrupt jump) are not, and its next real read goes on
    from its last one."""
    async with uow:
        now = clock.now()
        stored = await uow.device_sessions.get(cmd.device_id)
        session = DeviceSession.from_json(stored.state) if stored else DeviceSession()
        lost_until = (
            cmd.last_seq if cmd.newest is None else min(cmd.last_seq, cmd.newest)
        )
        never = cmd.newest is not None and cmd.last_seq > cmd.newest
        code = "seq_never_issued" if never else "seq_missing"
        reason = (
            f"station {cmd.device_id}: reads {cmd.first_seq}..{cmd.last_seq} asked"
            f" again are not kept (newest given out: {cmd.newest})"
        )
        log.warning("%s", reason)
        body = json.dumps(asdict(cmd), sort_keys=True, default=str)
        await uow.journal.add_many(
            [Rejection(None, "scan", code, reason, body, cmd.device_id, now)]
        )
        if stored and cmd.first_seq <= session.last_seq + 1 <= lost_until:
            passed = replace(session, last_seq=lost_until, gap_since=None)
            await _save(uow, cmd.device_id, passed, now)
        elif stored and never and cmd.first_seq <= session.last_seq + 1:
            await _save(uow, cmd.device_id, replace(session, gap_since=None), now)
        await uow.commit()


async def _process(
    cmd: commands.RecordScan,
    session: DeviceSession,
    gap: int,
    uow: AbstractUnitOfWork,
    sessions: _Sessions,
    now: datetime,
    policy: LedgerPolicy,
    texts: ScanTexts,
) -> ScanOutcome:
    read, facts = await classify(cmd, session, uow)
    session, decision = scanning.step(session, read)
    reply, movement_id = decision.reply, None
    if decision.movement is not None:
        assert facts is not None  # only an item read moves something
        verdict = await _record_movement(
            decision.movement, cmd, facts, uow, now, policy
        )
        if isinstance(verdict, Reply):
            reply = verdict
        else:
            movement_id = verdict
        session = scanning.settle(session, decision, movement_id is not None)
    message = texts.render(reply)
    if decision.movement is None and reply.outcome is Outcome.REJECTED:
        await uow.journal.add_many([_rejection(cmd, reply.code, message, now)])
    session = replace(session, last_seq=cmd.device_seq, gap_since=None)
    sessions.put(cmd.device_id, session)
    flags = f"gap:{gap}" if gap else ""
    await uow.scans.add(
        ScanRecord(
            cmd.scan_id, cmd.device_id, cmd.device_seq, cmd.code, cmd.aim, cmd.source,
            cmd.scanned_at, cmd.received_at, reply.outcome.value, reply.code,
            message, movement_id, flags,
        )
    )  # fmt: skip
    return ScanOutcome(
        cmd.scan_id, cmd.device_id, cmd.device_seq, reply.outcome, reply.code,
        message, movement_id, gap,
    )  # fmt: skip


async def _record_movement(
    movement: commands.MovementRequest,
    cmd: commands.RecordScan,
    facts: Facts,
    uow: AbstractUnitOfWork,
    now: datetime,
    policy: LedgerPolicy,
) -> str | Reply:
    """The recorded movement's id, or the refusal to tell the agent."""
    station = commands.Submitter(
        commands.SubmitterKind.STATION, cmd.device_id, frozenset({STATION_ROLE})
    )
    batch = commands.RecordMovements((movement,), station, source="scan")
    facts.station_agent = movement.actor
    (result,) = await custody_service.judge_and_write(batch, facts, uow, now, policy)
    if (
        result.status in (Outcome.RECORDED, Outcome.DUPLICATE)
        and result.seq is not None
    ):
        return movement.event_id
    return scanning.refusal(movement, result.code or "", result.message)


async def _save(
    uow: AbstractUnitOfWork, device_id: str, session: DeviceSession, now: datetime
) -> None:
    record = DeviceSessionRecord(device_id, session.to_json(), session.last_seq, now)
    await uow.device_sessions.put(record)


def _rejection(
    cmd: commands.RecordScan, code: str, message: str, now: datetime
) -> Rejection:
    body = json.dumps(asdict(cmd), sort_keys=True, default=str)
    return Rejection(cmd.scan_id, "scan", code, message, body, cmd.device_id, now)


# --- classification ------------------------------------------------------------------


async def classify(
    cmd: commands.RecordScan, session: DeviceSession, uow: AbstractUnitOfWork
) -> tuple[Read, Facts | None]:
    """What the read is, with the facts the state machine needs.

    An item read loads, after locking the chain head, everything judging its
    movement will need (the item, its containers and place, the session's
    selected shelf or requester and its agent): those facts come back with the
    read, so the movement is judged without loading them again.
    """
    raw = cmd.code.strip()
    base = Read(
        cmd.scan_id, cmd.device_id, cmd.device_seq, raw, ReadKind.MALFORMED,
        cmd.source, cmd.scanned_at,
    )  # fmt: skip
    if raw.upper() in stations.COMMAND_CODES:
        return replace(base, code=raw.upper(), kind=ReadKind.COMMAND), None
    if raw.upper() in stations.REASONS:
        return replace(base, code=raw.upper(), kind=ReadKind.REASON), None
    if stations.is_command_code(raw.upper()):
        return base, None
    try:
        kind, code = barcodes.parse(raw)
    except errors.InvalidBarcode:
        return base, None
    unknown = replace(base, code=code, kind=ReadKind.UNKNOWN)
    if kind is barcodes.Kind.LOCATION:
        return await _location(unknown, uow), None
    if kind is barcodes.Kind.BADGE:
        return await _badge(unknown, uow), None
    if kind is barcodes.Kind.OUT_CARD:
        return replace(base, code=code), None
    want = custody_service.wanted(
        [code], [session.location, session.requester], [session.agent]
    )
    facts = await custody_service.load_facts(uow, [cmd.scan_id], want)
    return _item(unknown, facts), facts


async def _location(read: Read, uow: AbstractUnitOfWork) -> Read:
    loc = (await uow.locations.by_refs([read.code])).get(read.code)
    if loc is None:
        return read
    free = None
    if loc.is_shelf and loc.capacity_mm is not None:
        used = (await uow.items.occupancy([loc.id])).get(loc.id, 0)
        free = loc.capacity_mm - used - loc.reserved_mm
    facts = stations.LocationFacts(
        loc.barcode, loc.code, loc.is_shelf, free, loc.neutralised
    )
    return replace(read, kind=ReadKind.LOCATION, location=facts)


async def _badge(read: Read, uow: AbstractUnitOfWork) -> Read:
    person = (await uow.principals.by_refs([read.code])).get(read.code)
    if person is None:
        return read
    facts = stations.BadgeFacts(
        read.code, person.id, person.display_name, person.active,
        may_hold(person), may_record(person),
    )  # fmt: skip
    return replace(read, kind=ReadKind.BADGE, badge=facts)


def _item(read: Read, facts: Facts) -> Read:
    item = facts.items.get(read.code)
    if item is None:
        return read
    position = facts.positions.get(item.id)
    place = place_of(item.id, facts.positions)
    shelf = facts.locations.get(place) if place else None
    item_facts = stations.ItemFacts(
        item.barcode,
        position.state.value if position else None,
        shelf.barcode if shelf else None,
    )
    return replace(read, kind=ReadKind.ITEM, item=item_facts)


async def journal_bad_message(
    topic: str, payload: bytes, reason: str, uow: AbstractUnitOfWork, clock: Clock,
    code: str = "bad_payload",
) -> None:  # fmt: skip
    """Quarantine an MQTT message that is not a scan we can read (then it is acked)."""
    body = json.dumps(
        {"topic": topic, "payload": payload[:4000].decode("utf-8", "replace")}
    )
    async with uow:
        await uow.journal.add_many(
            [Rejection(None, "mqtt", code, reason, body, topic[:100], clock.now())]
        )
        await uow.commit()
