"""The per-device scanning state machine (pure): reads in, one decision out.

A station works with command barcodes (``CMD-*``) printed on the command sheet, and
the idiom "choose a mode, select where or to whom, then scan each item":

* ``CMD-SHELVE``, a shelf, then items: each item becomes ``accession`` (never moved
  before), ``verify`` (already recorded on that shelf), ``relocate`` (stored on
  another shelf) or ``shelve`` (back from intake, an agent, transit; ``found``
  when it was missing).
* ``CMD-PICK``, a reason ``RSN-*`` (an unplanned pick needs one), then items: ``pick``.
* ``CMD-HANDOVER``, the requester's badge **first**, then items: ``hand_over``.
  Badge first keeps one movement per read (the read's ``scan_id`` is its
  ``event_id``) and tells the agent at once whether the badge is valid.
* ``CMD-RETURN`` then items: ``return``.
* ``CMD-RELOCATE``, the target shelf, then items: ``relocate``.
* ``CMD-DIGITISE`` / ``CMD-HISTORY`` then items: ``send_to_digitisation`` /
  ``send_to_history_mission``.
* ``CMD-VERIFY``, a location, then items: ``verify`` (récolement); ``CMD-VERIFY-END``
  answers with the session summary (verified, discrepancies).
* ``CMD-CONFIRM`` closes the current workflow.
* ``CMD-CANCEL`` discards the pending selection (requester, reason, shelf), then the
  mode. It never erases a recorded movement: the ledger is append-only, so right
  after a movement it is refused with ``cancel_recorded`` and the agent is told to
  ask a manager for a correction.
* A badge outside hand-over mode signs the agent in: movements need one.

The service classifies each read and loads the facts the machine needs (the item's
custody state and shelf, the shelf's free space) into :class:`Read`; the machine
chooses the movement kind from them. The custody rules still judge the movement
afterwards (:func:`settle` records the result in the session). Every decision
carries a :class:`Reply`: an outcome, a code and the code's arguments; the edge
renders its text (``archive_svc.texts``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from archive_svc.domain import commands
from archive_svc.domain.model import State
from archive_svc.domain.outcomes import Outcome
from archive_svc.domain.stations import (
    CMD_CONFIRM,
    CMD_VERIFY_END,
    MODE_OF,
    NEEDS_PLACE,
    REASONS,
    DeviceSession,
    ItemFacts,
    Mode,
    Read,
    ReadKind,
)


class Step(enum.StrEnum):
    """What the agent should scan next (part of several replies)."""

    COMMAND = "command"
    SHELF = "shelf"
    REASON = "reason"
    REQUESTER = "requester"
    RETURNED = "returned"
    TARGET_SHELF = "target_shelf"
    TO_SEND = "to_send"
    LOCATION = "location"
    ITEMS = "items"


_FIRST_STEP: Mapping[Mode, Step] = {
    Mode.SHELVE: Step.SHELF, Mode.PICK: Step.REASON, Mode.HANDOVER: Step.REQUESTER,
    Mode.RETURN: Step.RETURNED, Mode.RELOCATE: Step.TARGET_SHELF,
    Mode.DIGITISE: Step.TO_SEND, Mode.HISTORY: Step.TO_SEND,
    Mode.VERIFY: Step.LOCATION, Mode.NONE: Step.COMMAND,
}  # fmt: skip


@dataclass(frozen=True)
class Reply:
    """The answer to a read: an outcome, a code and the code's arguments."""

    outcome: Outcome
    code: str
    args: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """A reply only, or a movement for the service to record."""

    reply: Reply
    movement: commands.MovementRequest | None = None


def _mode_args(mode: Mode, session: DeviceSession | None = None) -> dict[str, object]:
    step = _FIRST_STEP[mode]
    if session is not None and mode is not Mode.NONE:
        step = _next_step(session)
    return {"mode": mode, "next": step}


def _next_step(s: DeviceSession) -> Step:
    ready = (
        (s.mode in NEEDS_PLACE and s.location)
        or (s.mode is Mode.PICK and s.reason)
        or (s.mode is Mode.HANDOVER and s.requester)
    )
    return Step.ITEMS if ready else _FIRST_STEP[s.mode]


def _reject(code: str, /, **args: object) -> Decision:
    return Decision(Reply(Outcome.REJECTED, code, args))


def _accept(code: str, /, **args: object) -> Decision:
    return Decision(Reply(Outcome.ACCEPTED, code, args))


# --- the machine ---------------------------------------------------------------------


def step(session: DeviceSession, read: Read) -> tuple[DeviceSession, Decision]:
    """Apply one read; return the new session and exactly one decision."""
    handler = _HANDLERS[read.kind]
    return handler(session, read)


def settle(session: DeviceSession, decision: Decision, recorded: bool) -> DeviceSession:
    """Fold the custody verdict on ``decision.movement`` into the session."""
    movement = decision.movement
    if movement is None:
        return session
    if not recorded:
        extra = 1 if session.mode is Mode.VERIFY else 0
        return replace(session, discrepancies=session.discrepancies + extra)
    verified = session.verified + (1 if movement.kind == "verify" else 0)
    return replace(
        session,
        last_movement=movement.event_id,
        last_action="movement",
        verified=verified,
    )


def _on_unknown(s: DeviceSession, read: Read) -> tuple[DeviceSession, Decision]:
    return s, _reject("unknown_barcode", code=read.code)


def _on_malformed(s: DeviceSession, read: Read) -> tuple[DeviceSession, Decision]:
    return s, _reject("malformed_barcode", code=read.code)


def _on_command(s: DeviceSession, read: Read) -> tuple[DeviceSession, Decision]:
    code = read.code
    if code in MODE_OF:
        mode = MODE_OF[code]
        new = replace(
            s, mode=mode, location=None, reason=None, requester=None,
            last_action="mode", verified=0, discrepancies=0,
        )  # fmt: skip
        return new, _accept("mode_set", **_mode_args(mode, new))
    if code == CMD_VERIFY_END:
        if s.mode is not Mode.VERIFY:
            return s, _reject("no_verify_session")
        done = replace(s, mode=Mode.NONE, location=None, last_action="mode")
        return done, _accept(
            "verify_summary", verified=s.verified, discrepancies=s.discrepancies
        )
    if code == CMD_CONFIRM:
        if s.mode is Mode.NONE:
            return s, _reject("no_mode")
        args = _mode_args(s.mode)
        return _cleared(s), _accept("workflow_closed", **args)
    return _cancel(s)


def _cleared(s: DeviceSession) -> DeviceSession:
    return replace(
        s, mode=Mode.NONE, location=None, reason=None, requester=None, last_action=""
    )


def _cancel(s: DeviceSession) -> tuple[DeviceSession, Decision]:
    if s.last_action == "movement":
        return replace(s, last_action=""), _reject("cancel_recorded")
    if s.location or s.reason or s.requester:
        new = replace(s, location=None, reason=None, requester=None, last_action="")
        return new, _accept("selection_cancelled", **_mode_args(new.mode, new))
    if s.mode is not Mode.NONE:
        return _cleared(s), _accept("mode_cancelled")
    return s, _accept("nothing_to_cancel")


def _on_reason(s: DeviceSession, read: Read) -> tuple[DeviceSession, Decision]:
    if s.mode is Mode.NONE:
        return s, _reject("no_mode")
    if s.mode is not Mode.PICK:
        return s, _wrong_kind(s, read)
    reason = REASONS[read.code]
    new = replace(s, reason=reason, last_action="select")
    return new, _accept("reason_set", reason=reason)


def _wrong_kind(s: DeviceSession, read: Read) -> Decision:
    return _reject("wrong_kind_for_mode", code=read.code, **_mode_args(s.mode, s))


def _on_badge(s: DeviceSession, read: Read) -> tuple[DeviceSession, Decision]:
    badge = read.badge
    assert badge is not None
    if not badge.active:
        return s, _reject("badge_inactive", code=read.code)
    who = badge.name or badge.principal_id
    if s.mode is Mode.HANDOVER and s.agent and badge.principal_id != s.agent:
        if not badge.may_hold:
            return s, _reject("not_a_holder", who=who)
        new = replace(s, requester=badge.barcode, last_action="select")
        return new, _accept("requester_set", who=who)
    if not badge.may_record:
        return s, _reject("not_an_agent", who=who)
    new = replace(s, agent=badge.principal_id, agent_badge=badge.barcode)
    return new, _accept("agent_set", who=who, **_mode_args(s.mode, s))


def _on_location(s: DeviceSession, read: Read) -> tuple[DeviceSession, Decision]:
    loc = read.location
    assert loc is not None
    if s.mode is Mode.NONE:
        return s, _reject("no_mode")
    if s.mode not in NEEDS_PLACE:
        return s, _wrong_kind(s, read)
    if s.mode is not Mode.VERIFY:
        if not loc.is_shelf:
            return s, _reject("not_a_shelf", code=loc.code)
        if loc.neutralised:
            return s, _reject("shelf_closed", code=loc.code)
        if loc.free_mm is not None and loc.free_mm <= 0:
            return s, _reject("shelf_full", code=loc.code, free=max(loc.free_mm, 0))
    new = replace(s, location=loc.barcode, last_action="select")
    return new, _accept("location_selected", place=loc.code)


def _on_item(s: DeviceSession, read: Read) -> tuple[DeviceSession, Decision]:
    item = read.item
    assert item is not None
    if s.mode is Mode.NONE:
        return s, _reject("no_mode")
    missing = _missing_selection(s)
    if missing:
        return s, _reject(missing)
    if s.agent is None:
        return s, _reject("no_agent")
    chosen = _choose(s, item)
    if isinstance(chosen, Decision):
        return s, chosen
    kind, to, reason = chosen
    movement = commands.MovementRequest(
        event_id=read.scan_id, item=item.barcode, kind=kind, to=to, actor=s.agent,
        device_id=read.device_id, device_seq=read.device_seq,
        scanned_at=read.scanned_at, reason=reason,
        entry_mode="batch" if read.source == "batch" else "scan",
    )  # fmt: skip
    reply = Reply(Outcome.ACCEPTED, "recorded", {"kind": kind, "item": item.barcode})
    return s, Decision(reply, movement)


def _missing_selection(s: DeviceSession) -> str | None:
    if s.mode in NEEDS_PLACE and not s.location:
        return "location_required"
    if s.mode is Mode.PICK and not s.reason:
        return "reason_required"
    if s.mode is Mode.HANDOVER and not s.requester:
        return "requester_required"
    return None


Choice = tuple[str, str | None, str] | Decision


def _choose(s: DeviceSession, item: ItemFacts) -> Choice:
    """(kind, to, reason) for this item in this mode, or a refusal."""
    state = item.state
    code, shown = item.barcode, state
    if s.mode is Mode.SHELVE:
        return _shelve(s, item)
    if s.mode is Mode.VERIFY:
        return ("verify", s.location, "")
    if s.mode is Mode.PICK:
        if state != State.IN_STORAGE:
            return _reject("not_in_storage", code=code, state=shown)
        return ("pick", None, s.reason or "")
    if s.mode is Mode.RETURN:
        if state not in (State.ON_LOAN, State.DIGITISATION, State.OUTSIDE):
            return _reject("not_on_loan", code=code, state=shown)
        return ("return", None, "")
    if s.mode is Mode.RELOCATE:
        if state != State.IN_STORAGE:
            return _reject("not_in_storage", code=code, state=shown)
        if item.shelf == s.location:
            return _reject("already_there", code=code, place=s.location)
        return ("relocate", s.location, "")
    if state != State.WITH_AGENT:
        return _reject("not_with_agent", code=code, state=shown)
    if s.mode is Mode.HANDOVER:
        return ("hand_over", s.requester, "")
    if s.mode is Mode.DIGITISE:
        return ("send_to_digitisation", None, "")
    return ("send_to_history_mission", None, "")


def _shelve(s: DeviceSession, item: ItemFacts) -> Choice:
    state = item.state
    if state is None:
        return ("accession", s.location, "")
    if state == State.IN_STORAGE:
        if item.shelf == s.location:
            return ("verify", s.location, "")
        return ("relocate", s.location, "")
    if state == State.MISSING:
        return ("shelve", s.location, "found")
    if state in (State.INTAKE, State.WITH_AGENT, State.IN_TRANSIT):
        return ("shelve", s.location, "")
    if state == State.ON_LOAN:
        return _reject("on_loan", code=item.barcode)
    return _reject("cannot_shelve", code=item.barcode, state=state)


_HANDLERS = {
    ReadKind.COMMAND: _on_command,
    ReadKind.REASON: _on_reason,
    ReadKind.LOCATION: _on_location,
    ReadKind.ITEM: _on_item,
    ReadKind.BADGE: _on_badge,
    ReadKind.UNKNOWN: _on_unknown,
    ReadKind.MALFORMED: _on_malformed,
}

#: How custody refusals of a scanned movement are told to the agent.
_REFUSAL_CODES: Mapping[str, str] = {
    "capacity_exceeded": "shelf_full",
    "location_neutralised": "shelf_closed",
    "location_mismatch": "location_mismatch",
    "loan_open": "on_loan",
    "unknown_barcode": "unknown_barcode",
    "unknown_principal": "badge_inactive",
    "not_a_holder": "not_a_holder",
}


def refusal(movement: commands.MovementRequest, code: str, detail: str) -> Reply:
    """The reply for a movement the custody rules refused (``code`` from errors)."""
    mapped = _REFUSAL_CODES.get(code)
    if mapped is None:
        return Reply(
            Outcome.REJECTED, "movement_refused", {"code": code, "detail": detail}
        )
    args = {
        "code": movement.item, "free": "?", "state": "", "place": movement.to,
        "who": movement.to,
    }  # fmt: skip
    return Reply(Outcome.REJECTED, mapped, args)
