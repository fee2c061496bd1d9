"""The position projection rebuilt from the ledger alone, and its differences."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from archive_svc.domain.chain import LedgerEntry
from archive_svc.domain.custody import EXTERNAL_PREFIX, VIRTUAL_STATE, MovementKind
from archive_svc.domain.model import State


@dataclass(frozen=True, slots=True)
class ProjectedPosition:
    """The fields of a ``position`` row that the ledger alone determines."""

    state: str
    custodian_kind: str
    custodian_id: str
    since: datetime
    last_seq: int
    event_id: str
    destination: str = ""
    last_verified_at: datetime | None = None


_NO_CUSTODY_CHANGE = frozenset({MovementKind.VERIFY, MovementKind.SEAL_EVENT})
_ON_LOAN_KINDS = frozenset(
    {MovementKind.HAND_OVER, MovementKind.TRANSFER_BETWEEN_REQUESTERS}
)


def replay(
    entries: Iterable[LedgerEntry], location_codes: Mapping[str, str]
) -> dict[str, ProjectedPosition]:
    """Rebuild every item's position from the ledger alone (``location_codes``:
    location id -> code, to tell virtual and outside places)."""
    positions: dict[str, ProjectedPosition] = {}
    for e in entries:
        apply(positions, e, location_codes)
    return positions


def apply(
    positions: dict[str, ProjectedPosition],
    e: LedgerEntry,
    location_codes: Mapping[str, str],
) -> None:
    """Fold one entry, in ``seq`` order, into ``positions``."""
    before = positions.get(e.item_id)
    kind = MovementKind(e.kind)
    if kind in _NO_CUSTODY_CHANGE and before is not None:
        verified = e.effective_at if kind is MovementKind.VERIFY else None
        positions[e.item_id] = replace(
            before,
            last_seq=e.seq,
            last_verified_at=verified or before.last_verified_at,
        )
        return
    custodian_kind, _, custodian_id = (e.to_ref or "").partition(":")
    positions[e.item_id] = ProjectedPosition(
        _state_after(kind, custodian_kind, custodian_id, e, location_codes),
        custodian_kind,
        custodian_id,
        e.effective_at,
        e.seq,
        e.event_id,
        str(e.payload.get("destination", ""))
        if kind is MovementKind.IN_TRANSIT
        else "",
        before.last_verified_at if before else None,
    )


def _state_after(
    kind: MovementKind,
    custodian_kind: str,
    custodian_id: str,
    entry: LedgerEntry,
    location_codes: Mapping[str, str],
) -> str:
    if kind is MovementKind.IN_TRANSIT:
        return State.IN_TRANSIT.value
    if custodian_kind == "person":
        if kind is MovementKind.CORRECTION:
            return str(entry.payload.get("state", State.WITH_AGENT.value))
        on_loan = kind in _ON_LOAN_KINDS
        return (State.ON_LOAN if on_loan else State.WITH_AGENT).value
    if custodian_kind == "container":
        return State.IN_STORAGE.value
    code = location_codes.get(custodian_id, "")
    if code in VIRTUAL_STATE:
        return VIRTUAL_STATE[code].value
    if code.startswith(EXTERNAL_PREFIX):
        return State.OUTSIDE.value
    return State.IN_STORAGE.value


@dataclass(frozen=True)
class ProjectionDiff:
    item_id: str
    fields: tuple[str, ...]
    """Differing fields; ``("missing",)`` / ``("extra",)`` for a whole row."""


def compare_projection(
    rebuilt: Mapping[str, ProjectedPosition],
    stored: Mapping[str, ProjectedPosition],
) -> list[ProjectionDiff]:
    found = (
        compare_one(item_id, rebuilt.get(item_id), stored.get(item_id))
        for item_id in sorted(rebuilt.keys() | stored.keys())
    )
    return [diff for diff in found if diff is not None]


def compare_one(
    item_id: str, want: ProjectedPosition | None, have: ProjectedPosition | None
) -> ProjectionDiff | None:
    """How a stored row differs from the rebuilt one (None when equal)."""
    if have is None:
        return ProjectionDiff(item_id, ("missing",))
    if want is None:
        return ProjectionDiff(item_id, ("extra",))
    if want == have:
        return None
    names = tuple(
        name
        for name in ProjectedPosition.__dataclass_fields__
        if getattr(want, name) != getattr(have, name)
    )
    return ProjectionDiff(item_id, names)
