"""Movement kinds, their custody rules, and the hash chain of the ledger.

``decide_movement`` is the single place where the legality of a movement is
judged: it takes the facts the caller loaded (item, current position, resolved
target) and returns the resulting custody, or raises a named ``MovementRefused``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from archive_svc.domain import errors
from archive_svc.domain.chain import iso
from archive_svc.domain.model import (
    CONTAINERS,
    Custodian,
    CustodianKind,
    Item,
    ItemKind,
    Location,
    Position,
    Principal,
    State,
    Virtual,
)


class MovementKind(enum.StrEnum):
    ACCESSION = "accession"
    SHELVE = "shelve"
    RELOCATE = "relocate"
    PICK = "pick"
    HAND_OVER = "hand_over"
    TRANSFER_BETWEEN_REQUESTERS = "transfer_between_requesters"
    RETURN = "return"
    IN_TRANSIT = "in_transit"
    SEND_TO_DIGITISATION = "send_to_digitisation"
    SEND_TO_HISTORY_MISSION = "send_to_history_mission"
    SEND_OUTSIDE = "send_outside"
    VERIFY = "verify"
    DECLARE_MISSING = "declare_missing"
    DESTROY = "destroy"
    SEAL_EVENT = "seal_event"
    CORRECTION = "correction"


K = MovementKind
_ALL_STATES = frozenset(State)
_LIVE = _ALL_STATES - {State.DESTROYED}

#: From which custody states each kind may start (None: never moved before).
ALLOWED_FROM: Mapping[MovementKind, frozenset[State | None]] = {
    K.ACCESSION: frozenset({None}),
    K.SHELVE: frozenset(
        {State.INTAKE, State.WITH_AGENT, State.IN_TRANSIT, State.MISSING}
    ),
    K.RELOCATE: frozenset({State.IN_STORAGE}),
    K.PICK: frozenset({State.IN_STORAGE}),
    K.HAND_OVER: frozenset({State.WITH_AGENT}),
    K.TRANSFER_BETWEEN_REQUESTERS: frozenset({State.ON_LOAN}),
    K.RETURN: frozenset({State.ON_LOAN, State.DIGITISATION, State.OUTSIDE}),
    K.IN_TRANSIT: frozenset({State.INTAKE, State.IN_STORAGE, State.WITH_AGENT}),
    K.SEND_TO_DIGITISATION: frozenset({State.WITH_AGENT}),
    K.SEND_TO_HISTORY_MISSION: frozenset({State.WITH_AGENT}),
    K.SEND_OUTSIDE: frozenset({State.WITH_AGENT}),
    K.VERIFY: frozenset({State.IN_STORAGE}),
    K.DECLARE_MISSING: frozenset(_LIVE - {State.MISSING}),
    K.DESTROY: frozenset(
        {State.INTAKE, State.IN_STORAGE, State.WITH_AGENT, State.MISSING}
    ),
    K.SEAL_EVENT: frozenset(_LIVE),
    K.CORRECTION: frozenset(_ALL_STATES),
}

#: Kinds whose target is a person (an agent or a requester).
PERSON_TARGET = frozenset(
    {K.PICK, K.HAND_OVER, K.TRANSFER_BETWEEN_REQUESTERS, K.RETURN}
)
#: Kinds whose target is a place to store the item (shelf or container).
STORE_TARGET = frozenset({K.SHELVE, K.RELOCATE})
#: Kinds whose target is a fixed virtual location.
VIRTUAL_TARGET: Mapping[MovementKind, str] = {
    K.IN_TRANSIT: Virtual.TRANSIT,
    K.SEND_TO_DIGITISATION: Virtual.DIGITISATION,
    K.SEND_TO_HISTORY_MISSION: Virtual.HISTORY_MISSION,
    K.DECLARE_MISSING: Virtual.MISSING,
    K.DESTROY: Virtual.DESTROYED,
}
EXTERNAL_PREFIX = "EXTERNAL:"
VIRTUAL_STATE: Mapping[str, State] = {
    Virtual.INTAKE: State.INTAKE,
    Virtual.TRANSIT: State.IN_TRANSIT,
    Virtual.DIGITISATION: State.DIGITISATION,
    Virtual.HISTORY_MISSION: State.HISTORY_MISSION,
    Virtual.MISSING: State.MISSING,
    Virtual.DESTROYED: State.DESTROYED,
}
REASON_REQUIRED = frozenset({K.DECLARE_MISSING, K.DESTROY, K.CORRECTION})
MANAGER_ONLY = frozenset({K.DECLARE_MISSING, K.CORRECTION})
MANAGER_ROLE = "archive_manager"
STATION_ROLE = "gateway"
#: What a scanner station's state machine can produce (``domain.scanning``): a
#: station submits nothing else, whoever is signed in on it.
STATION_KINDS = frozenset(
    {K.ACCESSION, K.SHELVE, K.RELOCATE, K.VERIFY, K.PICK, K.HAND_OVER, K.RETURN,
     K.SEND_TO_DIGITISATION, K.SEND_TO_HISTORY_MISSION}
)  # fmt: skip

#: Roles whose holders may receive custody of files (access-rules.md §2-3): the
#: office's own staff who handle or examine files. Never a ``foreign_authority``
#: (rule D1), nor a ``researcher`` (reads on site through the mission, R1-R4), nor
#: an outside body's agent (files go to a body with ``send_outside``), nor the
#: DPO (reads logs only), an administrator or a machine.
HOLDER_ROLES = frozenset(
    {"protection_officer", "legal_consultant", "civil_registrar",
     "research_assistant", "secretary", "digitisation_secretary", "archive_agent",
     MANAGER_ROLE, "history_mission_staff", "dg_delegate"}
)  # fmt: skip


#: Roles whose holders record movements (sign in on a station, use the console).
RECORDER_ROLES = frozenset({"archive_agent", MANAGER_ROLE})


def may_record(person: Principal) -> bool:
    """Whether ``person`` may be the actor of movements a station or a person submits."""
    return not person.internal and bool(person.roles & RECORDER_ROLES)


def may_hold(person: Principal) -> bool:
    """Whether ``person`` may receive custody of a file (see ``HOLDER_ROLES``)."""
    return not person.internal and bool(person.roles & HOLDER_ROLES)


@dataclass(frozen=True)
class Target:
    """The resolved destination of a movement: exactly one of the three."""

    location: Location | None = None
    container: Item | None = None
    container_state: State | None = None
    person: Principal | None = None
    free_mm: int | None = None
    """Free space on the target shelf, not counting the moving item."""

    @property
    def custodian(self) -> Custodian:
        if self.location is not None:
            return Custodian(
                CustodianKind.LOCATION, self.location.id, self.location.code
            )
        if self.container is not None:
            return Custodian(
                CustodianKind.CONTAINER, self.container.id, self.container.barcode
            )
        assert self.person is not None
        return Custodian(CustodianKind.PERSON, self.person.id, self.person.display_name)


@dataclass(frozen=True)
class Intent:
    kind: MovementKind
    reason: str = ""
    force: bool = False
    request_id: str | None = None
    task_ref: str | None = None
    actor_roles: frozenset[str] = frozenset()
    payload: Mapping[str, Any] = field(default_factory=dict)
    submitter_roles: frozenset[str] | None = None
    """Roles of whoever submitted the movement, when not the actor (a station,
    a token); the role rules apply to them as to the actor."""


@dataclass(frozen=True)
class Home:
    location_id: str | None
    container_id: str | None


@dataclass(frozen=True)
class Effect:
    """What a legal movement does: new state and custodian, maybe a new home."""

    state: State
    custodian: Custodian
    changes_custody: bool
    home: Home | None = None
    destination: str = ""
    flags: frozenset[str] = frozenset()


def decide_movement(
    intent: Intent,
    item: Item,
    position: Position | None,
    target: Target | None,
    located_at: str | None = None,
) -> Effect:
    """Judge one movement of ``item`` against its current ``position``.

    ``located_at`` is the id of the shelf the item physically sits on (through its
    containers), used by ``verify``. Raises a ``MovementRefused`` subclass or
    ``ReasonRequired`` naming what is wrong.
    """
    kind = intent.kind
    _check_preconditions(intent, item, position)
    if kind is K.SEAL_EVENT:
        return _seal_event(intent, item, position)
    if target is None:
        raise errors.UnknownTarget(f"{kind.value} needs a destination ('to')")
    if kind is K.VERIFY:
        return _verify(item, position, target, located_at)
    state = _target_state(intent, item, target)
    if position is not None and target.custodian == position.custodian:
        raise errors.SameCustodian(
            f"{item.barcode} is already with {position.custodian.label or position.custodian.id}"
        )
    flags = set()
    home = None
    if state is State.IN_STORAGE:
        home, forced = _store(intent, item, target)
        flags |= {"forced"} if forced else set()
    if kind is K.PICK and not (intent.request_id or intent.task_ref):
        flags.add("unplanned")
    destination = (
        str(intent.payload.get("destination", "")) if kind is K.IN_TRANSIT else ""
    )
    return Effect(state, target.custodian, True, home, destination, frozenset(flags))


def _check_preconditions(intent: Intent, item: Item, position: Position | None) -> None:
    kind = intent.kind
    if kind in REASON_REQUIRED and not intent.reason.strip():
        raise errors.ReasonRequired(f"{kind.value} needs a reason")
    _check_roles(kind, intent.actor_roles, "actor")
    if intent.submitter_roles is not None:
        _check_roles(kind, intent.submitter_roles, "submitter")
    if kind is K.PICK and not (
        intent.request_id or intent.task_ref or intent.reason.strip()
    ):
        raise errors.ReasonRequired(
            "an unplanned pick (no request or task) needs a reason code"
        )
    state = position.state if position else None
    if state in ALLOWED_FROM[kind]:
        if (
            state is State.MISSING
            and kind is K.SHELVE
            and intent.reason.strip() != "found"
        ):
            raise errors.ReasonRequired(
                "shelving a missing item needs the reason 'found'"
            )
        return
    if position is None:
        raise errors.IllegalTransition(
            f"{item.barcode} has no accession yet: record one first"
        )
    if kind is K.ACCESSION:
        raise errors.IllegalTransition(f"{item.barcode} was accessioned already")
    if state is State.DESTROYED:
        raise errors.TerminalState(f"{item.barcode} was destroyed; nothing can move it")
    if state is State.ON_LOAN:
        raise errors.LoanOpen(
            f"{item.barcode} is on loan to {position.custodian.label or position.custodian.id}:"
            " record its return (or a transfer between requesters) first"
        )
    raise errors.IllegalTransition(
        f"{kind.value} is not possible while {item.barcode} is {state.value if state else '-'}"
    )


def _check_roles(kind: MovementKind, roles: frozenset[str], who: str) -> None:
    if kind in MANAGER_ONLY and MANAGER_ROLE not in roles:
        raise errors.RoleRequired(
            f"{kind.value} may only be recorded by an archive manager ({who})"
        )
    if STATION_ROLE in roles and kind not in STATION_KINDS:
        raise errors.RoleRequired(f"a scanner station does not record {kind.value}")


def check_holder(person: Principal) -> None:
    """Refuse custody going to ``person`` unless they may hold files."""
    if not may_hold(person):
        roles = ", ".join(sorted(person.roles)) or "-"
        raise errors.NotAHolder(
            f"{person.id} ({roles}) may not receive custody of files",
            person=person.id,
            roles=roles,
        )


def _target_state(intent: Intent, item: Item, target: Target) -> State:
    kind = intent.kind
    if kind in PERSON_TARGET:
        if target.person is None:
            raise errors.WrongKind(
                f"{kind.value} goes to a person (badge or principal id)"
            )
        if not target.person.active:
            raise errors.IllegalTransition(f"{target.person.id} is disabled")
        check_holder(target.person)
        return (
            State.ON_LOAN
            if kind in (K.HAND_OVER, K.TRANSFER_BETWEEN_REQUESTERS)
            else State.WITH_AGENT
        )
    if kind in VIRTUAL_TARGET:
        return _virtual_state(kind, target, VIRTUAL_TARGET[kind])
    if kind is K.SEND_OUTSIDE:
        loc = target.location
        if loc is None or not loc.code.startswith(EXTERNAL_PREFIX):
            raise errors.WrongKind(
                "send_outside goes to an outside body (EXTERNAL:<body>)"
            )
        return State.OUTSIDE
    if kind in STORE_TARGET or kind is K.ACCESSION:
        loc = target.location
        if kind is K.ACCESSION and loc is not None and loc.code == Virtual.INTAKE:
            return State.INTAKE
        if target.container is None and (loc is None or not loc.is_shelf):
            raise errors.WrongKind(f"{kind.value} goes to a shelf or a container")
        return State.IN_STORAGE
    return _correction_state(intent, target)


def _virtual_state(kind: MovementKind, target: Target, code: str) -> State:
    if kind is K.IN_TRANSIT:
        return State.IN_TRANSIT
    if target.location is None or target.location.code != code:
        raise errors.WrongKind(f"{kind.value} goes to {code}")
    return VIRTUAL_STATE[code]


def _correction_state(intent: Intent, target: Target) -> State:
    if not isinstance(intent.payload.get("corrects_seq"), int):
        raise errors.ReasonRequired(
            "a correction names the wrong entry (payload.corrects_seq)"
        )
    if target.person is not None:
        check_holder(target.person)
        wanted = str(intent.payload.get("state", State.WITH_AGENT))
        if wanted not in (State.WITH_AGENT, State.ON_LOAN):
            raise errors.WrongKind("a person holds an item with_agent or on_loan")
        return State(wanted)
    loc = target.location
    if loc is not None and loc.code in VIRTUAL_STATE:
        return VIRTUAL_STATE[loc.code]
    if loc is not None and loc.code.startswith(EXTERNAL_PREFIX):
        return State.OUTSIDE
    if target.container is None and (loc is None or not loc.is_shelf):
        raise errors.WrongKind(
            "correction goes to a shelf, a container, a person or a virtual place"
        )
    return State.IN_STORAGE


def _store(intent: Intent, item: Item, target: Target) -> tuple[Home, bool]:
    """Check a deposit on a shelf or in a container; return the new home."""
    if target.container is not None:
        allowed = CONTAINERS[item.kind]
        if target.container.kind not in allowed:
            what = " or ".join(k.value for k in allowed) or "no container"
            raise errors.WrongKind(
                f"a {item.kind.value} goes in {what}, not in a {target.container.kind.value}"
            )
        if target.container_state in (State.DESTROYED, State.MISSING, None):
            raise errors.IllegalTransition(
                f"container {target.container.barcode} is not available"
            )
        return Home(None, target.container.id), False
    loc = target.location
    assert loc is not None
    if item.kind is ItemKind.ENVELOPE:
        raise errors.WrongKind("an envelope of original documents stays in its file")
    if loc.neutralised:
        raise errors.LocationNeutralised(f"shelf {loc.code} is closed to deposits")
    forced = False
    if target.free_mm is not None and target.free_mm < item.effective_width_mm:
        if not (intent.force and intent.reason.strip()):
            raise errors.CapacityExceeded(
                f"shelf {loc.code} has {max(target.free_mm, 0)} mm free,"
                f" {item.barcode} needs {item.effective_width_mm} mm (force with a reason)",
                free_mm=target.free_mm,
                needed_mm=item.effective_width_mm,
            )
        forced = True
    return Home(loc.id, None), forced


def _verify(
    item: Item, position: Position | None, target: Target, located_at: str | None
) -> Effect:
    assert position is not None
    here = target.custodian
    if here != position.custodian and (
        target.location is None or target.location.id != located_at
    ):
        raise errors.LocationMismatch(
            f"{item.barcode} is recorded at {position.custodian.label or position.custodian.id},"
            f" not at {here.label or here.id}: discrepancy reported, nothing moved",
        )
    return Effect(position.state, position.custodian, False)


def _seal_event(intent: Intent, item: Item, position: Position | None) -> Effect:
    assert position is not None
    if item.kind is not ItemKind.ENVELOPE:
        raise errors.WrongKind(
            "seal events apply to envelopes of original documents only"
        )
    action = intent.payload.get("action")
    if action == "unseal" and not intent.reason.strip():
        raise errors.ReasonRequired("unsealing an envelope needs a reason")
    if action == "reseal" and not intent.payload.get("seal_number"):
        raise errors.ReasonRequired(
            "a reseal records the new seal number (payload.seal_number)"
        )
    if action not in ("unseal", "reseal"):
        raise errors.WrongKind("seal_event payload.action is 'unseal' or 'reseal'")
    return Effect(position.state, position.custodian, False)


# --- time -------------------------------------------------------------------------


def effective_time(
    scanned_at: datetime | None, recorded_at: datetime, tolerance: timedelta
) -> datetime:
    """The device time when plausible, else the server time.

    Raises:
        errors.FutureTimestamp: the device clock is ahead by more than ``tolerance``.
    """
    if scanned_at is None:
        return recorded_at
    if scanned_at.tzinfo is None:
        raise errors.InvalidTimestamp("scanned_at needs a time zone (e.g. Z)")
    if scanned_at > recorded_at + tolerance:
        raise errors.FutureTimestamp(
            f"scanned_at {iso(scanned_at)} is in the future (server time {iso(recorded_at)})"
        )
    return scanned_at
