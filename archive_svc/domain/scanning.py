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
carries a machine code and a French message with an English variant.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, Literal

from archive_svc.domain import commands
from archive_svc.domain.model import State

# Command barcodes, as printed by ``labels.commands`` (a unit test pins the copy).
CMD_SHELVE = "CMD-SHELVE"
CMD_PICK = "CMD-PICK"
CMD_HANDOVER = "CMD-HANDOVER"
CMD_RETURN = "CMD-RETURN"
CMD_RELOCATE = "CMD-RELOCATE"
CMD_DIGITISE = "CMD-DIGITISE"
CMD_HISTORY = "CMD-HISTORY"
CMD_VERIFY = "CMD-VERIFY"
CMD_VERIFY_END = "CMD-VERIFY-END"
CMD_CONFIRM = "CMD-CONFIRM"
CMD_CANCEL = "CMD-CANCEL"
COMMAND_CODES: tuple[str, ...] = (
    CMD_SHELVE, CMD_PICK, CMD_HANDOVER, CMD_RETURN, CMD_RELOCATE, CMD_DIGITISE,
    CMD_HISTORY, CMD_VERIFY, CMD_VERIFY_END, CMD_CONFIRM, CMD_CANCEL,
)  # fmt: skip
REASONS: Mapping[str, str] = {
    "RSN-URGENT": "urgent",
    "RSN-AUDIT": "audit",
    "RSN-CONSERVE": "conservation",
    "RSN-OTHER": "other",
}
REASON_CODES: tuple[str, ...] = tuple(REASONS)


def is_command_code(code: str) -> bool:
    """True for strings shaped like command or reason barcodes (known or not)."""
    return code.startswith(("CMD-", "RSN-"))


class Mode(enum.StrEnum):
    NONE = "none"
    SHELVE = "shelve"
    PICK = "pick"
    HANDOVER = "hand_over"
    RETURN = "return"
    RELOCATE = "relocate"
    DIGITISE = "digitise"
    HISTORY = "history"
    VERIFY = "verify"


_MODE_OF = {
    CMD_SHELVE: Mode.SHELVE, CMD_PICK: Mode.PICK, CMD_HANDOVER: Mode.HANDOVER,
    CMD_RETURN: Mode.RETURN, CMD_RELOCATE: Mode.RELOCATE, CMD_DIGITISE: Mode.DIGITISE,
    CMD_HISTORY: Mode.HISTORY, CMD_VERIFY: Mode.VERIFY,
}  # fmt: skip
#: Modes that need a selected location before items.
_NEEDS_PLACE = frozenset({Mode.SHELVE, Mode.RELOCATE, Mode.VERIFY})


class ReadKind(enum.StrEnum):
    COMMAND = "command"
    REASON = "reason"
    LOCATION = "location"
    ITEM = "item"
    BADGE = "badge"
    UNKNOWN = "unknown"
    """A well-formed barcode that nothing in the archive carries."""
    MALFORMED = "malformed"
    """Not a barcode of this archive (or an unknown ``CMD-``/``RSN-`` code)."""


@dataclass(frozen=True)
class LocationFacts:
    barcode: str
    code: str
    is_shelf: bool
    free_mm: int | None = None
    neutralised: bool = False


@dataclass(frozen=True)
class ItemFacts:
    barcode: str
    state: str | None
    """Custody state (``model.State`` value), None when never moved."""
    shelf: str | None = None
    """Barcode of the shelf the item physically sits on, through its containers."""


@dataclass(frozen=True)
class BadgeFacts:
    barcode: str
    principal_id: str
    name: str = ""
    active: bool = True


@dataclass(frozen=True)
class Read:
    """One classified read, with the facts the machine needs."""

    scan_id: str
    device_id: str
    device_seq: int
    code: str
    kind: ReadKind
    source: str = "scan"
    scanned_at: datetime | None = None
    location: LocationFacts | None = None
    item: ItemFacts | None = None
    badge: BadgeFacts | None = None


LastAction = Literal["", "mode", "select", "movement"]


@dataclass(frozen=True)
class DeviceSession:
    """What a station remembers between reads (persisted as JSON)."""

    mode: Mode = Mode.NONE
    location: str | None = None
    """Selected shelf (shelve, verify) or target shelf (relocate), by barcode."""
    reason: str | None = None
    requester: str | None = None
    """Badge barcode of the requester (hand-over)."""
    agent: str | None = None
    """Principal id of the agent signed in at the station."""
    agent_badge: str | None = None
    last_seq: int = 0
    last_movement: str | None = None
    last_action: LastAction = ""
    verified: int = 0
    discrepancies: int = 0
    gap_since: str | None = None
    """When the service first held back a read after a sequence gap (RFC 3339)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> DeviceSession:
        data: dict[str, Any] = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["mode"] = Mode(known.get("mode", Mode.NONE))
        return cls(**known)


Status = Literal["accepted", "rejected"]


@dataclass(frozen=True)
class Feedback:
    status: Status
    code: str
    message: str
    """French, for the agent."""
    message_en: str


@dataclass(frozen=True)
class Decision:
    """Feedback only, or a movement for the service to record."""

    feedback: Feedback
    movement: commands.MovementRequest | None = None


# --- messages ------------------------------------------------------------------------

_MODE_TEXT: Mapping[Mode, tuple[str, str, str, str]] = {
    # mode: (name fr, name en, next step fr, next step en)
    Mode.SHELVE: ("Rangement", "Shelve", "scannez la tablette", "scan the shelf"),
    Mode.PICK: ("Sortie", "Pick", "scannez le motif (RSN-…)", "scan the reason (RSN-…)"),
    Mode.HANDOVER: ("Remise", "Hand over", "scannez le badge du demandeur", "scan the requester's badge"),
    Mode.RETURN: ("Retour", "Return", "scannez les articles rendus", "scan the returned items"),
    Mode.RELOCATE: ("Déplacement", "Relocate", "scannez la tablette de destination", "scan the target shelf"),
    Mode.DIGITISE: ("Numérisation", "Digitisation", "scannez les articles à envoyer", "scan the items to send"),
    Mode.HISTORY: ("Mission histoire", "History mission", "scannez les articles à envoyer", "scan the items to send"),
    Mode.VERIFY: ("Récolement", "Inventory", "scannez l'emplacement", "scan the location"),
    Mode.NONE: ("Aucun mode", "No mode", "scannez une commande", "scan a command"),
}  # fmt: skip

_KIND_TEXT: Mapping[str, tuple[str, str]] = {
    "accession": ("Entrée", "Accession"),
    "shelve": ("Rangement", "Shelved"),
    "relocate": ("Déplacement", "Relocated"),
    "verify": ("Vérifié", "Verified"),
    "pick": ("Sortie", "Picked"),
    "hand_over": ("Remise", "Handed over"),
    "return": ("Retour", "Returned"),
    "send_to_digitisation": ("Envoi en numérisation", "Sent to digitisation"),
    "send_to_history_mission": ("Envoi à la mission histoire", "Sent to the history mission"),
}  # fmt: skip

MESSAGES: Mapping[str, tuple[str, str]] = {
    "mode_set": ("{mode} : {next}", "{mode_en}: {next_en}"),
    "agent_set": ("Bonjour {who} : {next}", "Hello {who}: {next_en}"),
    "location_selected": ("Emplacement {place} : scannez les articles", "Location {place}: scan the items"),
    "reason_set": ("Motif « {reason} » : scannez les articles à sortir", "Reason '{reason}': scan the items to pick"),
    "requester_set": ("Demandeur {who} : scannez les articles à remettre", "Requester {who}: scan the items to hand over"),
    "recorded": ("{kind} : {item}", "{kind_en}: {item}"),
    "workflow_closed": ("{mode} terminé", "{mode_en} done"),
    "verify_summary": ("Récolement terminé : {verified} vérifié(s), {discrepancies} écart(s)", "Inventory done: {verified} verified, {discrepancies} discrepancies"),
    "selection_cancelled": ("Sélection annulée : {next}", "Selection cancelled: {next_en}"),
    "mode_cancelled": ("Mode annulé : scannez une commande", "Mode cancelled: scan a command"),
    "nothing_to_cancel": ("Rien à annuler", "Nothing to cancel"),
    "cancel_recorded": ("Le dernier mouvement est déjà enregistré : demandez une correction à un responsable", "The last movement is already recorded: ask a manager for a correction"),
    "no_agent": ("Scannez d'abord votre badge agent", "Scan your agent badge first"),
    "no_mode": ("Aucun mode choisi : scannez une commande (Ranger, Sortir, Retour…)", "No mode set: scan a command (Shelve, Pick, Return…)"),
    "unknown_barcode": ("Code inconnu : {code} n'est enregistré nulle part ; vérifiez l'étiquette", "Unknown code: {code} is not registered; check the label"),
    "malformed_barcode": ("Code illisible ou étranger à l'archive : {code} ; rescannez", "Unreadable or foreign code: {code}; scan again"),
    "wrong_kind_for_mode": ("{code} inattendu en mode {mode} : {next}", "{code} not expected in {mode_en} mode: {next_en}"),
    "not_a_shelf": ("{code} n'est pas une tablette : scannez une tablette", "{code} is not a shelf: scan a shelf"),
    "shelf_full": ("Tablette {code} pleine ({free} mm libres) : choisissez-en une autre", "Shelf {code} is full ({free} mm free): choose another"),
    "shelf_closed": ("Tablette {code} fermée aux dépôts : choisissez-en une autre", "Shelf {code} is closed to deposits: choose another"),
    "location_required": ("Scannez d'abord l'emplacement", "Scan the location first"),
    "reason_required": ("Sortie non planifiée : scannez d'abord un motif (RSN-…)", "Unplanned pick: scan a reason (RSN-…) first"),
    "requester_required": ("Scannez d'abord le badge du demandeur", "Scan the requester's badge first"),
    "badge_inactive": ("Badge {code} désactivé : voyez un responsable", "Badge {code} is disabled: see a manager"),
    "not_on_loan": ("{code} n'est pas en prêt ({state}) : rien à retourner", "{code} is not on loan ({state}): nothing to return"),
    "not_with_agent": ("{code} n'est pas entre vos mains ({state}) : sortez-le d'abord (mode Sortir)", "{code} is not with you ({state}): pick it first"),
    "not_in_storage": ("{code} n'est pas en rayon ({state})", "{code} is not in storage ({state})"),
    "on_loan": ("{code} est en prêt : enregistrez d'abord son retour (mode Retour)", "{code} is on loan: record its return first"),
    "cannot_shelve": ("{code} ne peut pas être rangé ({state}) : enregistrez d'abord son retour", "{code} cannot be shelved ({state}): record its return first"),
    "already_there": ("{code} est déjà sur {place}", "{code} is already on {place}"),
    "no_verify_session": ("Aucun récolement en cours", "No inventory session running"),
    "location_mismatch": ("{code} est enregistré ailleurs : écart signalé, rien n'est déplacé", "{code} is recorded elsewhere: discrepancy reported, nothing moved"),
    "movement_refused": ("Mouvement refusé ({code}) : {detail}", "Movement refused ({code}): {detail}"),
}  # fmt: skip


class _Fmt(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def feedback(status: Status, code: str, /, **values: object) -> Feedback:
    """A feedback with both messages filled from :data:`MESSAGES`."""
    fr, en = MESSAGES[code]
    args = _Fmt(values)
    return Feedback(status, code, fr.format_map(args), en.format_map(args))


def _mode_args(mode: Mode, session: DeviceSession | None = None) -> dict[str, str]:
    name, name_en, nxt, nxt_en = _MODE_TEXT[mode]
    if session is not None and mode is not Mode.NONE:
        nxt, nxt_en = _next_step(session)
    return {"mode": name, "mode_en": name_en, "next": nxt, "next_en": nxt_en}


def _next_step(s: DeviceSession) -> tuple[str, str]:
    _, _, nxt, nxt_en = _MODE_TEXT[s.mode]
    ready = (
        (s.mode in _NEEDS_PLACE and s.location)
        or (s.mode is Mode.PICK and s.reason)
        or (s.mode is Mode.HANDOVER and s.requester)
    )
    if ready:
        return "scannez les articles", "scan the items"
    return nxt, nxt_en


def _reject(code: str, /, **values: object) -> Decision:
    return Decision(feedback("rejected", code, **values))


def _accept(code: str, /, **values: object) -> Decision:
    return Decision(feedback("accepted", code, **values))


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
    if code in _MODE_OF:
        mode = _MODE_OF[code]
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
        new = replace(s, requester=badge.barcode, last_action="select")
        return new, _accept("requester_set", who=who)
    new = replace(s, agent=badge.principal_id, agent_badge=badge.barcode)
    return new, _accept("agent_set", who=who, **_mode_args(s.mode, s))


def _on_location(s: DeviceSession, read: Read) -> tuple[DeviceSession, Decision]:
    loc = read.location
    assert loc is not None
    if s.mode is Mode.NONE:
        return s, _reject("no_mode")
    if s.mode not in _NEEDS_PLACE:
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
    fr, en = _KIND_TEXT[kind]
    fb = feedback("accepted", "recorded", kind=fr, kind_en=en, item=item.barcode)
    return s, Decision(fb, movement)


def _missing_selection(s: DeviceSession) -> str | None:
    if s.mode in _NEEDS_PLACE and not s.location:
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
    code, shown = item.barcode, state or "jamais entré"
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
}


def refusal(movement: commands.MovementRequest, code: str, detail: str) -> Feedback:
    """Feedback for a movement the custody rules refused (``code`` from errors)."""
    mapped = _REFUSAL_CODES.get(code)
    if mapped is None:
        return feedback("rejected", "movement_refused", code=code, detail=detail)
    return Feedback(
        "rejected",
        mapped,
        *_filled(mapped, code=movement.item, free="?", state="", place=movement.to),
    )


def _filled(code: str, /, **values: object) -> tuple[str, str]:
    fr, en = MESSAGES[code]
    args = _Fmt(values)
    return fr.format_map(args), en.format_map(args)
