"""Custody ports: items, locations, the ledger, positions and their read models."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from archive_svc.domain.chain import LedgerEntry
from archive_svc.domain.custody import Home
from archive_svc.domain.ledger import InboxRecord
from archive_svc.domain.model import Item, Location, Position


class ItemRepository(abc.ABC):
    @abc.abstractmethod
    async def by_barcodes(self, barcodes: Iterable[str]) -> dict[str, Item]: ...

    @abc.abstractmethod
    async def by_ids(self, ids: Iterable[str]) -> dict[str, Item]: ...

    @abc.abstractmethod
    async def add_many(self, items: Sequence[Item]) -> None:
        """Insert items; raises ``AlreadyExists`` on a duplicate barcode or number."""

    @abc.abstractmethod
    async def set_homes(self, homes: Mapping[str, Home]) -> None: ...

    @abc.abstractmethod
    async def occupancy(self, location_ids: Iterable[str]) -> dict[str, int]:
        """Millimetres used on each shelf by the items whose home it is."""

    @abc.abstractmethod
    async def next_serials(self, prefix: str, count: int) -> int:
        """Reserve ``count`` serials for ``prefix``; return the first."""


class LocationRepository(abc.ABC):
    @abc.abstractmethod
    async def by_refs(self, refs: Iterable[str]) -> dict[str, Location]:
        """Locations by barcode or by code (``INTAKE``, ``M1-E01-T01-S1``)."""

    @abc.abstractmethod
    async def by_ids(self, ids: Iterable[str]) -> dict[str, Location]: ...

    @abc.abstractmethod
    async def add_many(self, locations: Sequence[Location]) -> None: ...


class LedgerRepository(abc.ABC):
    @abc.abstractmethod
    async def lock_head(self) -> tuple[int, str]:
        """Lock the chain head for this transaction; return (seq, hash)."""

    @abc.abstractmethod
    async def append_many(self, entries: Sequence[LedgerEntry]) -> None: ...

    @abc.abstractmethod
    async def set_head(self, seq: int, hash_: str) -> None: ...


class PositionRepository(abc.ABC):
    @abc.abstractmethod
    async def get_many(self, item_ids: Iterable[str]) -> dict[str, Position]: ...

    @abc.abstractmethod
    async def upsert_many(self, positions: Sequence[Position]) -> None: ...


class InboxRepository(abc.ABC):
    """Movements already judged, by event id (idempotent resends)."""

    @abc.abstractmethod
    async def get_many(self, event_ids: Iterable[str]) -> dict[str, InboxRecord]: ...

    @abc.abstractmethod
    async def add_many(self, records: Sequence[InboxRecord]) -> None: ...


@dataclass(frozen=True)
class ItemView:
    """Where an item is now: its position and the chain of custody above it."""

    item: Item
    position: Position | None
    chain: tuple[str, ...]
    """Human-readable custody chain, innermost first (box, shelf path or holder)."""
    location: Location | None
    """The shelf or virtual place the item sits at, through its containers."""
    movement_kind: str | None


@dataclass(frozen=True)
class ContentLine:
    item: Item
    state: str
    since: datetime


@dataclass(frozen=True)
class LocationContents:
    location: Location
    items: tuple[ContentLine, ...]
    occupied_mm: int
    free_mm: int | None
    children: tuple[Location, ...]


@dataclass(frozen=True)
class InventoryRow:
    barcode: str
    kind: str
    number: str
    location: str


@dataclass(frozen=True)
class RecentMovement:
    seq: int
    kind: str
    barcode: str
    number: str
    to_ref: str | None
    actor_ref: str | None
    effective_at: datetime


class CustodyQueries(abc.ABC):
    """Read models of custody; no transaction needed, never writes."""

    @abc.abstractmethod
    async def where_is(self, barcode: str) -> ItemView | None: ...

    @abc.abstractmethod
    async def history(
        self, item_id: str, offset: int, limit: int
    ) -> tuple[list[LedgerEntry], int]: ...

    @abc.abstractmethod
    async def location_contents(self, barcode: str) -> LocationContents | None: ...

    @abc.abstractmethod
    def ledger(self, batch_size: int = 2000) -> AsyncIterator[LedgerEntry]:
        """Every ledger entry in ``seq`` order, streamed in batches."""

    @abc.abstractmethod
    def inventory(self) -> AsyncIterator[InventoryRow]:
        """Locations then items, with each item's current shelf barcode."""

    @abc.abstractmethod
    async def items_by_ids(self, ids: Iterable[str]) -> dict[str, Item]: ...

    @abc.abstractmethod
    async def container_contents(self, container_id: str) -> list[Item]:
        """Items whose current custodian is this box or file."""

    @abc.abstractmethod
    async def locations_under(self, barcode_or_code: str, kind: str) -> list[Location]:
        """Locations of ``kind`` in the subtree of a location, in walk order."""

    @abc.abstractmethod
    async def location_lineage(self, barcode_or_code: str) -> list[Location]:
        """A location and its ancestors, root first; empty when unknown."""

    @abc.abstractmethod
    async def accessions(
        self, since: datetime, until: datetime, kind: str, limit: int
    ) -> list[Item]:
        """Items of ``kind`` accessioned in ``[since, until)``, by barcode."""

    @abc.abstractmethod
    async def recent_movements(self, limit: int) -> list[RecentMovement]:
        """The latest movements, newest first, with the item's barcode and number."""

    @abc.abstractmethod
    async def search_items(self, term: str, limit: int) -> list[Item]:
        """Items whose number starts with ``term`` (case-insensitive), by number."""

    @abc.abstractmethod
    async def ref_labels(self, refs: Iterable[str | None]) -> dict[str, str]:
        """Readable codes for ``location:<id>`` / ``container:<id>`` movement refs."""
