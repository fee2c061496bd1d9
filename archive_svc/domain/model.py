"""Entities of the custody core: items, locations, principals, positions."""

from __future__ import annotations

import enum
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
