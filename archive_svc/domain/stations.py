"""What a scanner station reads and remembers: command barcodes, modes, classified
reads with their facts, and the per-device session (persisted as JSON)."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

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


MODE_OF = {
    CMD_SHELVE: Mode.SHELVE, CMD_PICK: Mode.PICK, CMD_HANDOVER: Mode.HANDOVER,
    CMD_RETURN: Mode.RETURN, CMD_RELOCATE: Mode.RELOCATE, CMD_DIGITISE: Mode.DIGITISE,
    CMD_HISTORY: Mode.HISTORY, CMD_VERIFY: Mode.VERIFY,
}  # fmt: skip
#: Modes that need a selected location before items.
NEEDS_PLACE = frozenset({Mode.SHELVE, Mode.RELOCATE, Mode.VERIFY})


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
    may_hold: bool = True
    """May receive custody of files (``custody.may_hold``): a valid requester."""
    may_record: bool = True
    """May record movements (``custody.may_record``): a valid agent."""


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
