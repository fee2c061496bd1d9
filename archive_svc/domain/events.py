"""Events and results: what happened (frozen, past tense)."""

from __future__ import annotations

from dataclasses import dataclass

from archive_svc.domain.outcomes import Outcome


@dataclass(frozen=True)
class MovementResult:
    """The answer for one submitted movement: recorded, duplicate or rejected."""

    id: str
    status: Outcome
    """``recorded``, ``duplicate`` or ``rejected``."""
    code: str | None = None
    message: str = ""
    seq: int | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class MovementRecorded:
    seq: int
    event_id: str
    item_barcode: str
    kind: str
    to_label: str
