"""Custody rules of domain.md §5 as pure functions: ``decide_movement``, time, hash chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive_svc.domain import custody, errors
from archive_svc.domain.chain import GENESIS_HASH, LedgerEntry, verify_chain
from archive_svc.domain.custody import (
    ALLOWED_FROM,
    Intent,
    MovementKind,
    Target,
)
from archive_svc.domain.model import (
    Custodian,
    CustodianKind,
    Item,
    ItemKind,
    Location,
    LocationKind,
    Position,
    Principal,
    State,
    Virtual,
)

K = MovementKind
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MANAGER = frozenset({"archive_manager"})
AGENT_ROLES = frozenset({"archive_agent"})


# --- a small world of real domain objects -----------------------------------------


def shelf(code: str, **kw: object) -> Location:
    return Location(
        f"id-{code}", f"LC-{code}", LocationKind.SHELF, code, f"M1 > {code}", **kw
    )  # type: ignore[arg-type]


def place(code: str, kind: LocationKind = LocationKind.VIRTUAL) -> Location:
    return Location(f"id-{code}", f"LC-{code}", kind, code, code)


SHELF_1 = shelf("S1", capacity_mm=1000)
SHELF_2 = shelf("S2", capacity_mm=1000)
STOREROOM = place("M1", LocationKind.STOREROOM)
VIRTUALS = {v.value: place(v.value) for v in Virtual}
CNDA = place("EXTERNAL:CNDA")
AGENT = Principal("agent", "Agent", AGENT_ROLES)
OTHER_AGENT = Principal("agent.2", "Agent 2", AGENT_ROLES)
OFFICER_A = Principal("officer.a", "Officer A", frozenset({"protection_officer"}))
OFFICER_B = Principal("officer.b", "Officer B", frozenset({"protection_officer"}))


def an_item(kind: ItemKind = ItemKind.FILE, **kw: object) -> Item:
    return Item(f"id-{kind.value}", f"{kind.value.upper()}-1", kind, "N-1", **kw)  # type: ignore[arg-type]


FILE = an_item(ItemKind.FILE)
BOX = an_item(ItemKind.BOX)
ENVELOPE = an_item(ItemKind.ENVELOPE)
OTHER_FILE = Item("id-file-2", "FILE-2", ItemKind.FILE, "N-2")


def at_location(loc: Location) -> Custodian:
    return Custodian(CustodianKind.LOCATION, loc.id, loc.code)


def with_person(p: Principal) -> Custodian:
    return Custodian(CustodianKind.PERSON, p.id, p.display_name)


def in_container(c: Item) -> Custodian:
    return Custodian(CustodianKind.CONTAINER, c.id, c.barcode)


#: Where an item in each state sits, chosen so no "good" target below equals it.
HOLDER: dict[State, Custodian] = {
    State.INTAKE: at_location(VIRTUALS["INTAKE"]),
    State.IN_STORAGE: at_location(SHELF_2),
    State.WITH_AGENT: with_person(OTHER_AGENT),
    State.ON_LOAN: with_person(OFFICER_A),
    State.IN_TRANSIT: at_location(VIRTUALS["TRANSIT"]),
    State.DIGITISATION: at_location(VIRTUALS["DIGITISATION"]),
    State.HISTORY_MISSION: at_location(VIRTUALS["HISTORY_MISSION"]),
    State.OUTSIDE: at_location(CNDA),
    State.MISSING: at_location(VIRTUALS["MISSING"]),
    State.DESTROYED: at_location(VIRTUALS["DESTROYED"]),
}


def position(
    state: State, custodian: Custodian | None = None, item: Item = FILE
) -> Position:
    return Position(item.id, state, custodian or HOLDER[state], T0, 1, "ev-1")


def intent(kind: MovementKind, **kw: object) -> Intent:
    return Intent(kind, **kw)  # type: ignore[arg-type]


#: For each kind, an intent and target that satisfy every rule except the start state.
GOOD: dict[MovementKind, tuple[Intent, Target | None, Item]] = {
    K.ACCESSION: (intent(K.ACCESSION), Target(location=SHELF_1), FILE),
    K.SHELVE: (intent(K.SHELVE, reason="found"), Target(location=SHELF_1), FILE),
    K.RELOCATE: (intent(K.RELOCATE), Target(location=SHELF_1), FILE),
    K.PICK: (intent(K.PICK, request_id="REQ-1"), Target(person=AGENT), FILE),
    K.HAND_OVER: (
        intent(K.HAND_OVER, request_id="REQ-1"),
        Target(person=OFFICER_B),
        FILE,
    ),
    K.TRANSFER_BETWEEN_REQUESTERS: (
        intent(K.TRANSFER_BETWEEN_REQUESTERS, request_id="REQ-2"),
        Target(person=OFFICER_B),
        FILE,
    ),
    K.RETURN: (intent(K.RETURN), Target(person=AGENT), FILE),
    K.IN_TRANSIT: (
        intent(K.IN_TRANSIT, payload={"destination": "Site B"}),
        Target(location=VIRTUALS["TRANSIT"]),
        FILE,
    ),
    K.SEND_TO_DIGITISATION: (
        intent(K.SEND_TO_DIGITISATION, task_ref="DIG-1"),
        Target(location=VIRTUALS["DIGITISATION"]),
        FILE,
    ),
    K.SEND_TO_HISTORY_MISSION: (
        intent(K.SEND_TO_HISTORY_MISSION, task_ref="TR-1"),
        Target(location=VIRTUALS["HISTORY_MISSION"]),
        FILE,
    ),
    K.SEND_OUTSIDE: (intent(K.SEND_OUTSIDE), Target(location=CNDA), FILE),
    K.VERIFY: (intent(K.VERIFY), Target(location=SHELF_2), FILE),
    K.DECLARE_MISSING: (
        intent(K.DECLARE_MISSING, reason="audit 2026", actor_roles=MANAGER),
        Target(location=VIRTUALS["MISSING"]),
        FILE,
    ),
    K.DESTROY: (
        intent(K.DESTROY, reason="visa V-1"),
        Target(location=VIRTUALS["DESTROYED"]),
        FILE,
    ),
    K.SEAL_EVENT: (
        intent(K.SEAL_EVENT, payload={"action": "reseal", "seal_number": "SN-2"}),
        None,
        ENVELOPE,
    ),
    K.CORRECTION: (
        intent(
            K.CORRECTION,
            reason="wrong shelf scanned",
            actor_roles=MANAGER,
            payload={"corrects_seq": 1},
        ),
        Target(location=SHELF_1),
        FILE,
    ),
}

START_STATES: list[State | None] = [None, *State]


def refusal_for(kind: MovementKind, state: State | None) -> type[errors.DomainError]:
    if kind is K.ACCESSION:
        return errors.IllegalTransition
    if state is State.DESTROYED:
        return errors.TerminalState
    if state is State.ON_LOAN:
        return errors.LoanOpen
    return errors.IllegalTransition


def decide(
    kind: MovementKind, state: State | None, **changes: object
) -> custody.Effect:
    the_intent, target, item = GOOD[kind]
    if changes:
        the_intent = replace(the_intent, **changes)  # type: ignore[arg-type]
    pos = position(state, item=item) if state is not None else None
    located = pos.custodian.id if pos is not None else None
    return custody.decide_movement(the_intent, item, pos, target, located)


# --- which kinds may start from which state ----------------------------------------


@pytest.mark.parametrize("state", START_STATES, ids=lambda s: str(s or "never_moved"))
@pytest.mark.parametrize("kind", list(K), ids=str)
def test_each_kind_starts_only_from_its_allowed_states(
    kind: MovementKind, state: State | None
) -> None:
    if state in ALLOWED_FROM[kind]:
        outcome = decide(kind, state)
        assert isinstance(outcome, custody.Effect)
    else:
        with pytest.raises(errors.DomainError) as refused:
            decide(kind, state)
        assert type(refused.value) is refusal_for(kind, state)


def test_allowed_from_covers_every_kind_and_only_real_states() -> None:
    assert set(ALLOWED_FROM) == set(K)
    for states in ALLOWED_FROM.values():
        assert states <= {None, *State}


def test_only_accession_starts_an_item_never_moved() -> None:
    assert [k for k in K if None in ALLOWED_FROM[k]] == [K.ACCESSION]


@pytest.mark.parametrize(
    ("kind", "state"),
    [
        (K.ACCESSION, State.INTAKE),
        (K.ACCESSION, State.DESTROYED),
        (K.PICK, State.WITH_AGENT),
    ],
)
def test_refusals_explain_themselves(kind: MovementKind, state: State) -> None:
    with pytest.raises(errors.MovementRefused) as refused:
        decide(kind, state)
    assert FILE.barcode in refused.value.message


def test_outcome_of_each_allowed_kind_lands_in_the_expected_state() -> None:
    expected = {
        K.ACCESSION: State.IN_STORAGE,
        K.SHELVE: State.IN_STORAGE,
        K.RELOCATE: State.IN_STORAGE,
        K.PICK: State.WITH_AGENT,
        K.HAND_OVER: State.ON_LOAN,
        K.TRANSFER_BETWEEN_REQUESTERS: State.ON_LOAN,
        K.RETURN: State.WITH_AGENT,
        K.IN_TRANSIT: State.IN_TRANSIT,
        K.SEND_TO_DIGITISATION: State.DIGITISATION,
        K.SEND_TO_HISTORY_MISSION: State.HISTORY_MISSION,
        K.SEND_OUTSIDE: State.OUTSIDE,
        K.DECLARE_MISSING: State.MISSING,
        K.DESTROY: State.DESTROYED,
        K.CORRECTION: State.IN_STORAGE,
    }
    for kind, state in expected.items():
        start = next(s for s in START_STATES if s in ALLOWED_FROM[kind])
        outcome = decide(kind, start)
        assert (outcome.state, outcome.changes_custody) == (state, True), kind


# --- loans ----------------------------------------------------------------------------


def test_file_on_loan_to_one_officer_cannot_be_handed_over_to_another() -> None:
    with pytest.raises(errors.LoanOpen) as refused:
        decide(K.HAND_OVER, State.ON_LOAN)
    assert "Officer A" in refused.value.message


def test_transfer_between_requesters_moves_an_open_loan_to_the_second_officer() -> None:
    outcome = decide(K.TRANSFER_BETWEEN_REQUESTERS, State.ON_LOAN)
    assert outcome.state is State.ON_LOAN
    assert outcome.custodian == with_person(OFFICER_B)


@pytest.mark.parametrize(
    "kind", [K.SHELVE, K.RELOCATE, K.PICK, K.DESTROY, K.IN_TRANSIT]
)
def test_an_open_loan_must_be_returned_before_anything_else(kind: MovementKind) -> None:
    with pytest.raises(errors.LoanOpen):
        decide(kind, State.ON_LOAN)


def test_hand_over_to_a_disabled_officer_is_refused() -> None:
    gone = replace(OFFICER_B, active=False)
    with pytest.raises(errors.IllegalTransition):
        custody.decide_movement(
            intent(K.HAND_OVER), FILE, position(State.WITH_AGENT), Target(person=gone)
        )


@pytest.mark.parametrize("kind", [K.PICK, K.HAND_OVER, K.RETURN])
def test_person_movements_refuse_a_place_as_target(kind: MovementKind) -> None:
    start = next(iter(ALLOWED_FROM[kind]))
    with pytest.raises(errors.WrongKind):
        custody.decide_movement(
            intent(kind, reason="x"), FILE, position(start), Target(location=SHELF_1)
        )


def test_moving_to_the_current_holder_is_refused_as_same_custodian() -> None:
    pos = position(State.WITH_AGENT, with_person(AGENT))
    with pytest.raises(errors.SameCustodian):
        custody.decide_movement(intent(K.HAND_OVER), FILE, pos, Target(person=AGENT))
    with pytest.raises(errors.SameCustodian):
        custody.decide_movement(
            intent(K.RELOCATE),
            FILE,
            position(State.IN_STORAGE),
            Target(location=SHELF_2),
        )


# --- destroyed is terminal ----------------------------------------------------------


@pytest.mark.parametrize(
    "kind", [k for k in K if k not in (K.CORRECTION, K.ACCESSION)], ids=str
)
def test_destroyed_item_refuses_every_movement_but_a_correction(
    kind: MovementKind,
) -> None:
    with pytest.raises(errors.TerminalState):
        decide(kind, State.DESTROYED)


def test_destroy_needs_a_reason() -> None:
    with pytest.raises(errors.ReasonRequired):
        decide(K.DESTROY, State.IN_STORAGE, reason="  ")


# --- capacity and neutralised shelves ------------------------------------------------


def shelve_on(
    loc: Location, free_mm: int | None, item: Item = FILE, **kw: object
) -> custody.Effect:
    return custody.decide_movement(
        intent(K.SHELVE, **kw),
        item,
        position(State.WITH_AGENT, item=item),
        Target(location=loc, free_mm=free_mm),
    )


def test_full_shelf_refuses_a_file_naming_free_and_needed_space() -> None:
    with pytest.raises(errors.CapacityExceeded) as refused:
        shelve_on(SHELF_1, free_mm=29)
    assert refused.value.details == {"free_mm": 29, "needed_mm": 30}


def test_shelf_with_exactly_the_needed_space_accepts_the_item() -> None:
    outcome = shelve_on(SHELF_1, free_mm=30)
    assert outcome.flags == frozenset()
    assert outcome.home == custody.Home(SHELF_1.id, None)


def test_known_width_is_used_instead_of_the_kind_default() -> None:
    slim = an_item(ItemKind.BOX, width_mm=40)
    assert shelve_on(SHELF_1, free_mm=40, item=slim).state is State.IN_STORAGE
    with pytest.raises(errors.CapacityExceeded):
        shelve_on(SHELF_1, free_mm=99, item=an_item(ItemKind.BOX))


def test_force_without_a_reason_does_not_override_capacity() -> None:
    with pytest.raises(errors.CapacityExceeded):
        shelve_on(SHELF_1, free_mm=0, force=True)
    with pytest.raises(errors.CapacityExceeded):
        shelve_on(SHELF_1, free_mm=0, force=True, reason="   ")


def test_forcing_a_full_shelf_with_a_reason_is_accepted_and_flagged() -> None:
    outcome = shelve_on(SHELF_1, free_mm=-50, force=True, reason="temporary overflow")
    assert outcome.flags == {"forced"}
    assert outcome.state is State.IN_STORAGE


def test_neutralised_shelf_refuses_deposits_even_when_forced() -> None:
    closed = shelf("S9", capacity_mm=1000, neutralised=True)
    with pytest.raises(errors.LocationNeutralised):
        shelve_on(closed, free_mm=1000)
    with pytest.raises(errors.LocationNeutralised):
        shelve_on(closed, free_mm=1000, force=True, reason="please")


def test_shelf_without_capacity_never_refuses_for_space() -> None:
    assert shelve_on(SHELF_1, free_mm=None).state is State.IN_STORAGE


@pytest.mark.parametrize("kind", [K.SHELVE, K.RELOCATE, K.ACCESSION])
def test_storing_on_a_place_that_is_not_a_shelf_is_refused(kind: MovementKind) -> None:
    start = next(iter(ALLOWED_FROM[kind]))
    pos = position(start) if start is not None else None
    with pytest.raises(errors.WrongKind):
        custody.decide_movement(
            intent(kind, reason="found"), FILE, pos, Target(location=STOREROOM)
        )


def test_accession_to_intake_starts_in_intake() -> None:
    outcome = custody.decide_movement(
        intent(K.ACCESSION), FILE, None, Target(location=VIRTUALS["INTAKE"])
    )
    assert outcome.state is State.INTAKE and outcome.home is None


# --- containers -----------------------------------------------------------------------


def store_in(
    item: Item, container: Item, container_state: State | None = State.IN_STORAGE
) -> custody.Effect:
    return custody.decide_movement(
        intent(K.ACCESSION),
        item,
        None,
        Target(container=container, container_state=container_state),
    )


@pytest.mark.parametrize(
    ("item", "container", "allowed"),
    [
        (FILE, BOX, True),
        (ENVELOPE, FILE, True),
        (BOX, BOX, False),
        (BOX, FILE, False),
        (FILE, OTHER_FILE, False),
        (ENVELOPE, BOX, False),
        (FILE, ENVELOPE, False),
    ],
    ids=lambda v: v.kind.value if isinstance(v, Item) else str(v),
)
def test_containers_hold_files_in_boxes_and_envelopes_in_files_only(
    item: Item, container: Item, allowed: bool
) -> None:
    if allowed:
        outcome = store_in(item, container)
        assert outcome.custodian == in_container(container)
        assert outcome.home == custody.Home(None, container.id)
    else:
        with pytest.raises(errors.WrongKind):
            store_in(item, container)


@pytest.mark.parametrize("state", [State.DESTROYED, State.MISSING, None])
def test_a_destroyed_missing_or_never_accessioned_container_takes_nothing(
    state: State | None,
) -> None:
    with pytest.raises(errors.IllegalTransition):
        store_in(FILE, BOX, container_state=state)


@pytest.mark.parametrize("kind", [K.SHELVE, K.RELOCATE])
def test_envelope_cannot_leave_its_file_for_a_shelf(kind: MovementKind) -> None:
    start = State.WITH_AGENT if kind is K.SHELVE else State.IN_STORAGE
    pos = position(start, item=ENVELOPE)
    with pytest.raises(errors.WrongKind) as refused:
        custody.decide_movement(intent(kind), ENVELOPE, pos, Target(location=SHELF_1))
    assert "envelope" in refused.value.message


def test_envelope_moves_between_files_only_by_an_explicit_relocate() -> None:
    pos = position(State.IN_STORAGE, in_container(OTHER_FILE), ENVELOPE)
    outcome = custody.decide_movement(
        intent(K.RELOCATE),
        ENVELOPE,
        pos,
        Target(container=FILE, container_state=State.IN_STORAGE),
    )
    assert outcome.custodian == in_container(FILE)


# --- verify -------------------------------------------------------------------------


def test_verify_at_the_recorded_shelf_changes_nothing() -> None:
    pos = position(State.IN_STORAGE)
    outcome = custody.decide_movement(
        intent(K.VERIFY), FILE, pos, Target(location=SHELF_2), SHELF_2.id
    )
    assert outcome == custody.Effect(State.IN_STORAGE, pos.custodian, False)


def test_verify_of_a_boxed_file_at_the_shelf_of_its_box_passes() -> None:
    pos = position(State.IN_STORAGE, in_container(BOX))
    outcome = custody.decide_movement(
        intent(K.VERIFY), FILE, pos, Target(location=SHELF_2), located_at=SHELF_2.id
    )
    assert not outcome.changes_custody and outcome.custodian == in_container(BOX)


def test_verify_elsewhere_reports_a_mismatch_and_moves_nothing() -> None:
    with pytest.raises(errors.LocationMismatch) as refused:
        custody.decide_movement(
            intent(K.VERIFY),
            FILE,
            position(State.IN_STORAGE),
            Target(location=SHELF_1),
            SHELF_2.id,
        )
    assert "nothing moved" in refused.value.message


def test_verify_needs_a_place() -> None:
    with pytest.raises(errors.UnknownTarget):
        custody.decide_movement(
            intent(K.VERIFY), FILE, position(State.IN_STORAGE), None
        )


# --- seal events ------------------------------------------------------------------------


def seal(
    payload: dict[str, object], reason: str = "", item: Item = ENVELOPE
) -> custody.Effect:
    return custody.decide_movement(
        intent(K.SEAL_EVENT, payload=payload, reason=reason),
        item,
        position(State.IN_STORAGE, in_container(FILE), item),
        None,
    )


def test_unsealing_with_a_reason_and_resealing_with_a_number_change_no_custody() -> (
    None
):
    opened = seal({"action": "unseal"}, reason="CNDA hearing")
    closed = seal({"action": "reseal", "seal_number": "SN-77"})
    for outcome in (opened, closed):
        assert not outcome.changes_custody
        assert outcome.custodian == in_container(FILE)


@pytest.mark.parametrize(
    ("payload", "reason", "item", "error"),
    [
        ({"action": "unseal"}, "", ENVELOPE, errors.ReasonRequired),
        ({"action": "reseal"}, "x", ENVELOPE, errors.ReasonRequired),
        ({"action": "reseal", "seal_number": ""}, "x", ENVELOPE, errors.ReasonRequired),
        ({"action": "tear"}, "x", ENVELOPE, errors.WrongKind),
        ({}, "x", ENVELOPE, errors.WrongKind),
        ({"action": "unseal"}, "x", FILE, errors.WrongKind),
        ({"action": "unseal"}, "x", BOX, errors.WrongKind),
    ],
)
def test_seal_event_rules(
    payload: dict[str, object], reason: str, item: Item, error: type[Exception]
) -> None:
    with pytest.raises(error):
        seal(payload, reason, item)


# --- corrections and roles ---------------------------------------------------------------


def correct(target: Target, **kw: object) -> custody.Effect:
    fields: dict[str, object] = {
        "reason": "wrong scan",
        "actor_roles": MANAGER,
        "payload": {"corrects_seq": 4},
    }
    fields.update(kw)
    return custody.decide_movement(
        intent(K.CORRECTION, **fields), FILE, position(State.IN_STORAGE), target
    )


@pytest.mark.parametrize("payload", [{}, {"corrects_seq": "4"}, {"corrects_seq": None}])
def test_correction_must_name_the_wrong_entry_by_seq(
    payload: dict[str, object],
) -> None:
    with pytest.raises(errors.ReasonRequired):
        correct(Target(location=SHELF_1), payload=payload)


def test_correction_needs_an_archive_manager() -> None:
    with pytest.raises(errors.RoleRequired):
        correct(Target(location=SHELF_1), actor_roles=AGENT_ROLES)


def test_correction_needs_a_reason() -> None:
    with pytest.raises(errors.ReasonRequired):
        correct(Target(location=SHELF_1), reason="")


@pytest.mark.parametrize(
    ("target", "payload", "state"),
    [
        (Target(location=SHELF_1), {}, State.IN_STORAGE),
        (Target(container=BOX, container_state=State.IN_STORAGE), {}, State.IN_STORAGE),
        (Target(person=OFFICER_B), {}, State.WITH_AGENT),
        (Target(person=OFFICER_B), {"state": "on_loan"}, State.ON_LOAN),
        (Target(location=VIRTUALS["MISSING"]), {}, State.MISSING),
        (Target(location=VIRTUALS["TRANSIT"]), {}, State.IN_TRANSIT),
        (Target(location=CNDA), {}, State.OUTSIDE),
    ],
)
def test_correction_puts_the_item_where_the_manager_says(
    target: Target, payload: dict[str, object], state: State
) -> None:
    outcome = correct(target, payload={"corrects_seq": 4, **payload})
    assert outcome.state is state and outcome.custodian == target.custodian


def test_correction_cannot_make_a_person_hold_an_item_as_missing() -> None:
    with pytest.raises(errors.WrongKind):
        correct(
            Target(person=OFFICER_B), payload={"corrects_seq": 4, "state": "missing"}
        )


def test_correction_to_a_storeroom_is_refused() -> None:
    with pytest.raises(errors.WrongKind):
        correct(Target(location=STOREROOM))


def test_declaring_missing_needs_an_archive_manager_and_a_reason() -> None:
    with pytest.raises(errors.RoleRequired):
        decide(K.DECLARE_MISSING, State.IN_STORAGE, actor_roles=AGENT_ROLES)
    with pytest.raises(errors.ReasonRequired):
        decide(K.DECLARE_MISSING, State.IN_STORAGE, reason="")


def test_a_missing_item_comes_back_only_with_the_reason_found() -> None:
    with pytest.raises(errors.ReasonRequired):
        decide(K.SHELVE, State.MISSING, reason="back")
    assert decide(K.SHELVE, State.MISSING, reason="found").state is State.IN_STORAGE


# --- picks, transit, wrong places -----------------------------------------------------


def test_unplanned_pick_needs_a_reason_and_is_flagged() -> None:
    with pytest.raises(errors.ReasonRequired):
        decide(K.PICK, State.IN_STORAGE, request_id=None)
    outcome = decide(K.PICK, State.IN_STORAGE, request_id=None, reason="RSN-URGENT")
    assert outcome.flags == {"unplanned"}


@pytest.mark.parametrize("planned", [{"request_id": "REQ-9"}, {"task_ref": "AUDIT-3"}])
def test_planned_pick_is_not_flagged(planned: dict[str, str]) -> None:
    outcome = decide(K.PICK, State.IN_STORAGE, **{"request_id": None, **planned})
    assert outcome.flags == frozenset() and outcome.custodian == with_person(AGENT)


def test_in_transit_carries_its_destination() -> None:
    assert decide(K.IN_TRANSIT, State.WITH_AGENT).destination == "Site B"


@pytest.mark.parametrize(
    ("kind", "wrong"),
    [
        (K.SEND_TO_DIGITISATION, VIRTUALS["HISTORY_MISSION"]),
        (K.SEND_TO_HISTORY_MISSION, VIRTUALS["DIGITISATION"]),
        (K.DECLARE_MISSING, VIRTUALS["DESTROYED"]),
        (K.DESTROY, VIRTUALS["MISSING"]),
        (K.SEND_OUTSIDE, SHELF_1),
        (K.SEND_OUTSIDE, VIRTUALS["TRANSIT"]),
    ],
)
def test_kinds_with_a_fixed_destination_refuse_any_other(
    kind: MovementKind, wrong: Location
) -> None:
    the_intent, _, item = GOOD[kind]
    start = next(s for s in ALLOWED_FROM[kind] if s is not None)
    with pytest.raises(errors.WrongKind):
        custody.decide_movement(
            the_intent, item, position(start), Target(location=wrong)
        )


def test_movement_without_a_target_is_refused() -> None:
    with pytest.raises(errors.UnknownTarget):
        custody.decide_movement(
            intent(K.RELOCATE), FILE, position(State.IN_STORAGE), None
        )


# --- effective time ----------------------------------------------------------------------

TOLERANCE = timedelta(minutes=5)


def test_effective_time_is_the_server_time_without_a_device_time() -> None:
    assert custody.effective_time(None, T0, TOLERANCE) == T0


@pytest.mark.parametrize(
    "scanned", [T0 - timedelta(days=3), T0, T0 + TOLERANCE, T0 + timedelta(minutes=4)]
)
def test_effective_time_is_the_device_time_when_plausible(scanned: datetime) -> None:
    assert custody.effective_time(scanned, T0, TOLERANCE) == scanned


def test_device_time_beyond_the_tolerance_is_refused_as_future() -> None:
    with pytest.raises(errors.FutureTimestamp):
        custody.effective_time(
            T0 + TOLERANCE + timedelta(microseconds=1), T0, TOLERANCE
        )


def test_device_time_with_an_offset_is_compared_as_an_instant() -> None:
    paris = timezone(timedelta(hours=1))
    scanned = datetime(2026, 3, 2, 10, 4, tzinfo=paris)
    assert custody.effective_time(scanned, T0, TOLERANCE) == T0 + timedelta(minutes=4)


def test_device_time_without_a_time_zone_is_refused() -> None:
    with pytest.raises(errors.InvalidTimestamp):
        custody.effective_time(datetime(2026, 3, 2, 9, 0), T0, TOLERANCE)


# --- canonical JSON and the hash chain -------------------------------------------------


def entry(seq: int = 1, prev_hash: str = GENESIS_HASH, **kw: object) -> LedgerEntry:
    fields: dict[str, object] = {
        "seq": seq,
        "event_id": f"00000000-0000-4000-8000-{seq:012d}",
        "kind": "relocate",
        "item_id": "item-1",
        "from_ref": "location:a",
        "to_ref": "location:b",
        "actor_ref": "agent",
        "device_id": None,
        "device_seq": None,
        "scanned_at": None,
        "recorded_at": T0 + timedelta(seconds=seq),
        "effective_at": T0 + timedelta(seconds=seq),
        "time_source": "server",
        "entry_mode": "scan",
        "request_id": None,
        "task_ref": None,
        "reason": "",
        "payload": {},
        "prev_hash": prev_hash,
    }
    fields.update(kw)
    return LedgerEntry(**fields)  # type: ignore[arg-type]


def chain(n: int) -> list[LedgerEntry]:
    entries: list[LedgerEntry] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        sealed = entry(seq, prev, reason=f"r{seq}").sealed()
        entries.append(sealed)
        prev = sealed.hash
    return entries


def test_canonical_json_sorts_keys_and_has_no_spaces() -> None:
    raw = entry(payload={"zeta": 1, "alpha": {"b": 2, "a": 1}}).canonical()
    keys = [k for k, _ in json.loads(raw, object_pairs_hook=lambda kv: kv)]
    assert keys == sorted(keys)
    assert b'"payload":{"alpha":{"a":1,"b":2},"zeta":1}' in raw
    assert b" " not in raw


def test_canonical_json_keeps_nulls_and_leaves_out_the_hash() -> None:
    parsed = json.loads(entry(hash="abc").canonical())
    assert parsed["scanned_at"] is None and parsed["device_id"] is None
    assert "hash" not in parsed and parsed["prev_hash"] == GENESIS_HASH


def test_canonical_json_writes_utc_timestamps_with_microseconds_and_z() -> None:
    paris = timezone(timedelta(hours=1))
    raw = entry(
        scanned_at=datetime(2026, 3, 2, 10, 0, tzinfo=paris),
        effective_at=datetime(2026, 3, 2, 9, 0, 0, 7, tzinfo=UTC),
    ).canonical()
    parsed = json.loads(raw)
    assert parsed["scanned_at"] == "2026-03-02T09:00:00.000000Z"
    assert parsed["effective_at"] == "2026-03-02T09:00:00.000007Z"


@pytest.mark.parametrize("other", [[], None, 0, False, ""])
def test_canonical_json_tells_an_empty_payload_from_other_empty_values(
    other: object,
) -> None:
    """A stored payload read back as ``[]`` or ``null`` must not hash like ``{}``."""
    assert entry(payload=other).canonical() != entry(payload={}).canonical()


def test_canonical_json_is_utf8_not_escaped() -> None:
    raw = entry(reason="Épi 1 — dossier réservé").canonical()
    assert "Épi 1 — dossier réservé".encode() in raw


def test_hash_is_sha256_of_previous_hash_bytes_then_canonical_json() -> None:
    first = entry().sealed()
    expected = hashlib.sha256(bytes(32) + entry().canonical()).hexdigest()
    assert first.hash == expected and len(first.hash) == 64


json_scalars = (
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(
    payload=st.dictionaries(st.text(max_size=8), json_values, max_size=6),
    reason=st.text(max_size=30),
    micro=st.integers(0, 999_999),
)
def test_canonical_json_is_a_fixed_point_and_independent_of_key_order(
    payload: dict[str, object], reason: str, micro: int
) -> None:
    when = T0.replace(microsecond=micro)
    one = entry(payload=payload, reason=reason, effective_at=when).canonical()
    reordered = dict(reversed(list(payload.items())))
    two = entry(payload=reordered, reason=reason, effective_at=when).canonical()
    assert one == two
    again = json.dumps(
        json.loads(one), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert again == one
    assert json.loads(one)["effective_at"] == f"2026-03-02T09:00:00.{micro:06d}Z"


def test_intact_chain_verifies() -> None:
    assert verify_chain(chain(6)) is None
    assert verify_chain([]) is None


@given(st.integers(2, 8).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))))
def test_changed_content_breaks_the_chain_at_that_entry(
    n_and_k: tuple[int, int],
) -> None:
    n, k = n_and_k
    entries = chain(n)
    entries[k - 1] = replace(entries[k - 1], reason="edited")
    broken = verify_chain(entries)
    assert broken is not None
    assert (broken.seq, broken.problem) == (k, "content does not match its hash")


@pytest.mark.parametrize("k", [1, 3, 5])
def test_a_resealed_forged_entry_breaks_the_link_of_the_next(k: int) -> None:
    entries = chain(5)
    entries[k - 1] = replace(entries[k - 1], to_ref="location:elsewhere").sealed()
    broken = verify_chain(entries)
    if k == 5:
        assert broken is None, "the head itself is only anchored by chain_head"
    else:
        assert broken is not None and broken.seq == k + 1
        assert "prev_hash" in broken.problem


def test_a_removed_entry_is_reported_as_a_sequence_gap() -> None:
    entries = chain(5)
    del entries[2]
    broken = verify_chain(entries)
    assert broken is not None and broken.seq == 4 and "expected 3" in broken.problem


def test_chain_must_start_from_the_genesis_hash() -> None:
    forged = entry(prev_hash="11" * 32).sealed()
    broken = verify_chain([forged])
    assert broken is not None and broken.seq == 1 and "prev_hash" in broken.problem


def test_a_changed_stored_hash_is_reported_at_its_entry() -> None:
    entries = chain(4)
    entries[1] = replace(entries[1], hash="f" * 64)
    broken = verify_chain(entries)
    assert broken is not None and broken.seq == 2
