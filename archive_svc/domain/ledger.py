"""Judging a batch of movements over facts loaded in advance (pure).

The service loads the :class:`Facts` a batch needs, then a :class:`Ledger` judges
each movement in order, as cosmicpython's ``Product.allocate`` does: it updates the
facts in memory (so a later movement of the batch sees an earlier one) and collects
what to write: chained entries, positions, homes, inbox records and refusals. Every
movement gets its own answer: ``recorded``, ``duplicate`` (same id and content seen
before) or ``rejected`` (with its reason).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta

from archive_svc.domain import barcodes, commands, custody, errors, events
from archive_svc.domain.chain import CURRENT_FORMAT, LedgerEntry, iso
from archive_svc.domain.custody import Home, Intent, MovementKind, Target
from archive_svc.domain.model import Item, Location, Position, Principal, place_of
from archive_svc.domain.outcomes import Outcome


@dataclass(frozen=True)
class InboxRecord:
    """How a movement id was answered (the movement inbox), for resends."""

    event_id: str
    digest: str
    outcome: str
    code: str
    message: str
    seq: int | None
    source: str
    submitted_by: str
    received_at: datetime


@dataclass(frozen=True)
class Refusal:
    """A refused movement, for the rejection journal."""

    event_id: str
    code: str
    message: str
    body: str
    """The movement as submitted (JSON)."""


@dataclass
class Facts:
    """What a batch needs from the database; ``items`` and ``locations`` are keyed
    by every reference they were loaded by (barcode, code, id)."""

    items: dict[str, Item]
    positions: dict[str, Position]
    locations: dict[str, Location]
    principals: dict[str, Principal]
    occupancy: dict[str, int]
    """Millimetres used on each loaded shelf by the items whose home it is."""
    seen: dict[str, InboxRecord]
    head_seq: int
    head_hash: str
    station_agent: str | None = None
    """Principal id of the agent signed in on the submitting station, if any."""


def digest(request: commands.MovementRequest) -> str:
    """Fingerprint of a submitted movement; a resend must match it exactly."""
    values = {name: getattr(request, name) for name in _REQUEST_FIELDS}
    body = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


_REQUEST_FIELDS = tuple(f.name for f in fields(commands.MovementRequest))


def parse_timestamp(raw: str | datetime | None) -> datetime | None:
    """A device time as submitted: ISO 8601 text with a zone, or a parsed time."""
    if isinstance(raw, datetime):
        if raw.tzinfo is None:
            raise errors.InvalidTimestamp(f"scanned_at {raw} has no time zone")
        return raw
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
class Ledger:
    """One batch's judge: the facts, and what the judged movements change."""

    facts: Facts
    source: str
    submitter: commands.Submitter
    now: datetime
    future_tolerance: timedelta
    entries: list[LedgerEntry] = field(default_factory=list)
    touched: dict[str, Position] = field(default_factory=dict)
    homes: dict[str, Home] = field(default_factory=dict)
    inbox: list[InboxRecord] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def submitted_by(self) -> str:
        return self.submitter.ref

    def judge(self, m: commands.MovementRequest) -> events.MovementResult:
        """Judge ``m`` after the movements judged before it; record its effects."""
        body_digest = digest(m)
        prior = self.facts.seen.get(m.event_id)
        if prior is not None:
            if prior.digest == body_digest:
                return events.MovementResult(
                    m.event_id,
                    Outcome.DUPLICATE,
                    prior.code or None,
                    prior.message,
                    prior.seq,
                )
            conflict = errors.IdConflict(
                f"movement id {m.event_id} was already used for different content;"
                " the first is kept"
            )
            return self._reject(m, conflict, inbox=False)
        try:
            _check_uuid(m.event_id)
            entry, flags = self._apply(m)
        except errors.DomainError as exc:
            return self._reject(m, exc, inbox=_is_uuid(m.event_id))
        self._remember(m, body_digest, Outcome.RECORDED, "", "", entry.seq)
        return events.MovementResult(
            m.event_id, Outcome.RECORDED, None, "", entry.seq, flags
        )

    def _remember(
        self,
        m: commands.MovementRequest,
        body_digest: str,
        outcome: Outcome,
        code: str,
        message: str,
        seq: int | None,
    ) -> None:
        record = InboxRecord(
            m.event_id, body_digest, outcome.value, code, message, seq, self.source,
            self.submitted_by, self.now,
        )  # fmt: skip
        self.inbox.append(record)
        self.facts.seen[m.event_id] = record

    def _reject(
        self, m: commands.MovementRequest, exc: errors.DomainError, inbox: bool
    ) -> events.MovementResult:
        body = json.dumps(asdict(m), sort_keys=True, default=str)
        self.refusals.append(Refusal(m.event_id, exc.code, exc.message, body))
        if inbox:
            self._remember(m, digest(m), Outcome.REJECTED, exc.code, exc.message, None)
        return events.MovementResult(
            m.event_id, Outcome.REJECTED, exc.code, exc.message
        )

    def _apply(
        self, m: commands.MovementRequest
    ) -> tuple[LedgerEntry, tuple[str, ...]]:
        facts = self.facts
        kind = _kind(m.kind)
        item = _item(m, facts)
        actor = self._actor(m)
        scanned_at = parse_timestamp(m.scanned_at)
        effective = custody.effective_time(scanned_at, self.now, self.future_tolerance)
        position = facts.positions.get(item.id)
        target = _target(kind, m, item, actor, facts)
        payload = (  # the position shows where an item in transit goes, as the entry
            {**m.payload, "destination": m.to}
            if kind is MovementKind.IN_TRANSIT and m.to
            else m.payload
        )
        intent = Intent(
            kind, m.reason, m.force, m.request_id, m.task_ref, actor.roles, payload,
            self._submitter_roles,
        )  # fmt: skip
        effect = custody.decide_movement(
            intent, item, position, target, place_of(item.id, facts.positions)
        )
        if (
            position is not None
            and effect.changes_custody
            and effective < position.since
        ):
            raise errors.OutOfOrder(
                f"{item.barcode} moved at {iso(position.since)}, after this movement's"
                f" time {iso(effective)}: record a correction instead"
            )
        entry = self._entry(
            m, kind, item, actor, position, target, scanned_at, effective
        )
        self._project(entry, item, position, effect, effective)
        return entry, tuple(sorted(effect.flags))

    def _actor(self, m: commands.MovementRequest) -> Principal:
        """The person ``m`` is recorded as done by: the one its submitter speaks for.

        An operator's movements name their actor. A signed-in person or a personal
        token speaks for its person, a station for the agent signed in on it; an
        ``actor`` naming anyone else is refused (``actor_not_caller``), and so is a
        station naming another station's device.
        """
        sub = self.submitter
        if sub.kind is commands.SubmitterKind.OPERATOR:
            return _principal(m.actor, self.facts, "actor")
        if sub.kind is commands.SubmitterKind.STATION:
            if m.device_id and m.device_id != sub.ref:
                raise errors.ActorNotCaller(
                    f"station {sub.ref} may not submit reads of device {m.device_id}"
                )
            speaks_for = self.facts.station_agent
            missing = f"no agent signed in on station {sub.ref}: scan a badge first"
        else:
            speaks_for = sub.person
            missing = f"{sub.kind.value} {sub.ref} speaks for no person"
        if speaks_for is None:
            raise errors.ActorRequired(missing)
        actor = _principal(speaks_for, self.facts, "actor")
        if not custody.may_record(actor):
            raise errors.RoleRequired(
                f"{actor.id} may not record movements (archive staff only)"
            )
        if m.actor is not None and m.actor.strip():
            named = barcodes.find(self.facts.principals, m.actor)
            if named is None or named.id != actor.id:
                raise errors.ActorNotCaller(
                    f"actor {m.actor!r} is not {actor.id}, for whom {sub.kind.value}"
                    f" {sub.ref} submits: the actor is the authenticated person"
                )
        return actor

    @property
    def _submitter_roles(self) -> frozenset[str] | None:
        """Roles the custody rules check besides the actor's (an operator: none)."""
        if self.submitter.kind is commands.SubmitterKind.OPERATOR:
            return None
        return self.submitter.roles

    def _entry(
        self,
        m: commands.MovementRequest,
        kind: MovementKind,
        item: Item,
        actor: Principal,
        position: Position | None,
        target: Target | None,
        scanned_at: datetime | None,
        effective: datetime,
    ) -> LedgerEntry:
        payload = dict(m.payload)
        if kind is MovementKind.IN_TRANSIT and m.to:
            payload["destination"] = m.to
        if m.force:
            payload["forced"] = True
        time_source = (
            "device"
            if scanned_at
            else ("upload" if m.entry_mode == "batch" else "server")
        )
        entry = LedgerEntry(
            seq=self.facts.head_seq + 1,
            event_id=m.event_id,
            kind=kind.value,
            item_id=item.id,
            from_ref=position.custodian.ref if position else None,
            to_ref=target.custodian.ref if target else None,
            actor_ref=actor.id,
            device_id=m.device_id,
            device_seq=m.device_seq,
            scanned_at=scanned_at,
            recorded_at=self.now,
            effective_at=effective,
            time_source=time_source,
            entry_mode=m.entry_mode,
            request_id=m.request_id,
            task_ref=m.task_ref,
            reason=m.reason,
            payload=payload,
            prev_hash=self.facts.head_hash,
            submitter_kind=self.submitter.kind.value,
            submitter_ref=self.submitter.ref,
            format=CURRENT_FORMAT,
        ).sealed()
        self.entries.append(entry)
        self.facts.head_seq, self.facts.head_hash = entry.seq, entry.hash
        return entry

    def _project(
        self,
        entry: LedgerEntry,
        item: Item,
        position: Position | None,
        effect: custody.Effect,
        effective: datetime,
    ) -> None:
        if effect.changes_custody:
            new = Position(
                item.id, effect.state, effect.custodian, effective, entry.seq,
                entry.event_id, effect.destination,
                position.last_verified_at if position else None,
            )  # fmt: skip
        else:
            assert position is not None
            verified = (
                effective
                if entry.kind == MovementKind.VERIFY
                else position.last_verified_at
            )
            new = replace(position, last_verified_at=verified, last_seq=entry.seq)
        self.facts.positions[item.id] = new
        self.touched[item.id] = new
        if effect.home is not None and (
            effect.home.location_id,
            effect.home.container_id,
        ) != (item.home_location_id, item.home_container_id):
            self._move_home(item, effect.home)

    def _move_home(self, item: Item, home: Home) -> None:
        occupancy, width = self.facts.occupancy, item.effective_width_mm
        if item.home_location_id:
            occupancy[item.home_location_id] = (
                occupancy.get(item.home_location_id, 0) - width
            )
        if home.location_id:
            occupancy[home.location_id] = occupancy.get(home.location_id, 0) + width
        moved = replace(
            item, home_location_id=home.location_id, home_container_id=home.container_id
        )
        self.facts.items[item.barcode] = moved
        self.homes[item.id] = home


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


def _item(m: commands.MovementRequest, facts: Facts) -> Item:
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


def _principal(ref: str | None, facts: Facts, what: str) -> Principal:
    if not ref:
        raise errors.ActorRequired(f"{what} is required (a person id or badge)")
    found = barcodes.find(facts.principals, ref)
    if found is None:
        raise errors.UnknownPrincipal(f"{what} {ref!r} is not a known person or badge")
    if not found.active:
        raise errors.UnknownPrincipal(f"{what} {ref!r} is disabled")
    return found


def _target(
    kind: MovementKind,
    m: commands.MovementRequest,
    item: Item,
    actor: Principal,
    facts: Facts,
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


def _resolve(ref: str, kind: MovementKind, item: Item, facts: Facts) -> Target:
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
    person = barcodes.find(facts.principals, ref)
    if person is not None:
        return Target(person=person)
    if barcodes.is_valid(code):
        raise errors.UnknownBarcode(code)
    raise errors.UnknownTarget(f"{ref!r} is not a known location, container or person")


def _free_mm(location: Location, item: Item, facts: Facts) -> int | None:
    if not location.is_shelf or location.capacity_mm is None:
        return None
    if item.home_location_id == location.id:
        return None
    used = facts.occupancy.get(location.id, 0)
    return location.capacity_mm - used - location.reserved_mm
