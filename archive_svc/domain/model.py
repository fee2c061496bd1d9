"""Entities of the custody core: items, locations, principals, positions."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime


class ItemKind(enum.StrEnum):
    BOX = "box"
    FILE = "file"
    ENVELOPE = "envelope"


class LocationKind(enum.StrEnum):
    SITE = "site"
    BUILDING = "building"
    STOREROOM = "storeroom"
    RANGE = "range"
    BAY = "bay"
    SHELF = "shelf"
    VIRTUAL = "virtual"


class Virtual(enum.StrEnum):
    """Codes of the virtual locations every installation has."""

    INTAKE = "INTAKE"
    TRANSIT = "TRANSIT"
    DIGITISATION = "DIGITISATION"
    HISTORY_MISSION = "HISTORY_MISSION"
    MISSING = "MISSING"
    DESTROYED = "DESTROYED"


DEFAULT_WIDTH_MM = {ItemKind.BOX: 100, ItemKind.FILE: 30, ItemKind.ENVELOPE: 5}

#: Which container kinds an item kind may sit in (files in boxes, envelopes in files).
CONTAINERS: dict[ItemKind, frozenset[ItemKind]] = {
    ItemKind.BOX: frozenset(),
    ItemKind.FILE: frozenset({ItemKind.BOX}),
    ItemKind.ENVELOPE: frozenset({ItemKind.FILE}),
}


@dataclass(frozen=True)
class Item:
    id: str
    barcode: str
    kind: ItemKind
    number: str
    width_mm: int | None = None
    home_location_id: str | None = None
    home_container_id: str | None = None
    division: str = ""

    @property
    def effective_width_mm(self) -> int:
        return (
            self.width_mm if self.width_mm is not None else DEFAULT_WIDTH_MM[self.kind]
        )


@dataclass(frozen=True)
class Location:
    id: str
    barcode: str
    kind: LocationKind
    code: str
    path: str
    parent_id: str | None = None
    capacity_mm: int | None = None
    reserved_mm: int = 0
    neutralised: bool = False
    walk_order: int = 0

    @property
    def is_shelf(self) -> bool:
        return self.kind is LocationKind.SHELF


@dataclass(frozen=True)
class Principal:
    id: str
    display_name: str
    roles: frozenset[str]
    division: str = ""
    unit: str = ""
    badge_barcode: str | None = None
    active: bool = True
    internal: bool = False
    """The service itself (``system``): never signs in, never holds files."""


class State(enum.StrEnum):
    """Custody state of an item (the projection's ``state``)."""

    INTAKE = "intake"
    IN_STORAGE = "in_storage"
    WITH_AGENT = "with_agent"
    ON_LOAN = "on_loan"
    IN_TRANSIT = "in_transit"
    DIGITISATION = "digitisation"
    HISTORY_MISSION = "history_mission"
    OUTSIDE = "outside"
    MISSING = "missing"
    DESTROYED = "destroyed"


class CustodianKind(enum.StrEnum):
    LOCATION = "location"
    CONTAINER = "container"
    PERSON = "person"


@dataclass(frozen=True)
class Custodian:
    """Exactly one of a location, a container (box/file) or a person."""

    kind: CustodianKind
    id: str
    label: str = field(default="", compare=False)

    @property
    def ref(self) -> str:
        return f"{self.kind.value}:{self.id}"


@dataclass(frozen=True)
class Position:
    """Current custody of one item, as projected from the ledger."""

    item_id: str
    state: State
    custodian: Custodian
    since: datetime
    last_seq: int
    event_id: str
    destination: str = ""
    last_verified_at: datetime | None = None


CONTAINER_LEVELS = 3
"""Most containers between an item and its place (an envelope in a file in a box
is two; one more is tolerated). Every walk up the custody chain stops there: the
loaders, :func:`place_of` and the where-is and inventory SQL (one join per level)."""


def custody_chain(
    item_id: str, positions: Mapping[str, Position]
) -> Iterator[Position]:
    """The item's position, then its containers' outwards, while they are loaded.

    Stops after the first position not held by a container, or after
    ``CONTAINER_LEVELS`` containers.
    """
    current = item_id
    for _ in range(CONTAINER_LEVELS + 1):
        position = positions.get(current)
        if position is None:
            return
        yield position
        if position.custodian.kind is not CustodianKind.CONTAINER:
            return
        current = position.custodian.id


def place_of(item_id: str, positions: Mapping[str, Position]) -> str | None:
    """Id of the location an item physically sits at, through its containers."""
    *_, last = (None, *custody_chain(item_id, positions))
    if last is not None and last.custodian.kind is CustodianKind.LOCATION:
        return last.custodian.id
    return None


def unloaded_containers(positions: Mapping[str, Position]) -> set[str]:
    """Containers holding a loaded position whose own position is not loaded yet.

    Loaders call it up to ``CONTAINER_LEVELS`` times to load a chain level by level.
    """
    return {
        p.custodian.id
        for p in positions.values()
        if p.custodian.kind is CustodianKind.CONTAINER
        and p.custodian.id not in positions
    }
