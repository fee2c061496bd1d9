"""Ports: what the services need from the outside world.

Adapters (``persistence``) and test fakes both subclass these, so a changed
signature breaks the fake loudly. A unit of work is one transaction: leaving
``async with uow`` without ``commit()`` rolls everything back.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from archive_svc.domain.custody import Home, LedgerEntry
from archive_svc.domain.model import Item, Location, Position, Principal


class Clock(abc.ABC):
    @abc.abstractmethod
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class InboxRecord:
    event_id: str
    digest: str
    outcome: str
    code: str
    message: str
    seq: int | None
    source: str
    submitted_by: str
    received_at: datetime


@dataclass(frozen=True)
class Rejection:
    event_id: str | None
    source: str
    code: str
    message: str
    body: str
    submitted_by: str
    received_at: datetime


@dataclass(frozen=True)
class ApiTokenRecord:
    id: str
    name: str
    role: str
    token_hash: str
    revoked: bool


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


class PrincipalRepository(abc.ABC):
    @abc.abstractmethod
    async def by_refs(self, refs: Iterable[str]) -> dict[str, Principal]:
        """Principals by id or badge barcode."""

    @abc.abstractmethod
    async def add(self, principal: Principal) -> None: ...

    @abc.abstractmethod
    async def set_active(self, principal_id: str, active: bool) -> bool:
        """Enable or disable a person; False when the id is unknown."""


class TokenRepository(abc.ABC):
    @abc.abstractmethod
    async def by_hash(self, token_hash: str) -> ApiTokenRecord | None: ...

    @abc.abstractmethod
    async def add(self, token: ApiTokenRecord) -> None: ...


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
    @abc.abstractmethod
    async def get_many(self, event_ids: Iterable[str]) -> dict[str, InboxRecord]: ...

    @abc.abstractmethod
    async def add_many(self, records: Sequence[InboxRecord]) -> None: ...


class JournalRepository(abc.ABC):
    @abc.abstractmethod
    async def add_many(self, rejections: Sequence[Rejection]) -> None: ...


@dataclass(frozen=True)
class ScanRecord:
    """The one outcome of a scanner read (row of the scan inbox)."""

    scan_id: str
    device_id: str
    device_seq: int
    code: str
    aim: str | None
    source: str
    scanned_at: datetime | None
    received_at: datetime
    outcome: str
    reason_code: str
    message: str
    movement_event_id: str | None
    flags: str = ""


@dataclass(frozen=True)
class DeviceSessionRecord:
    device_id: str
    state: str
    """JSON of ``domain.scanning.DeviceSession``."""
    last_seq: int
    updated_at: datetime


class ScanInboxRepository(abc.ABC):
    @abc.abstractmethod
    async def get(self, scan_id: str) -> ScanRecord | None: ...

    @abc.abstractmethod
    async def add(self, record: ScanRecord) -> bool:
        """Insert unless ``scan_id`` is there already; True when inserted."""


class DeviceSessionRepository(abc.ABC):
    @abc.abstractmethod
    async def get(self, device_id: str) -> DeviceSessionRecord | None:
        """The device's session, locked for this transaction."""

    @abc.abstractmethod
    async def put(self, record: DeviceSessionRecord) -> None: ...


class AbstractUnitOfWork(abc.ABC):
    items: ItemRepository
    locations: LocationRepository
    principals: PrincipalRepository
    tokens: TokenRepository
    ledger: LedgerRepository
    positions: PositionRepository
    inbox: InboxRepository
    journal: JournalRepository
    scans: ScanInboxRepository
    device_sessions: DeviceSessionRepository
    credentials: CredentialRepository
    access_journal: AccessJournalRepository

    async def __aenter__(self) -> Self:
        await self._begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    @abc.abstractmethod
    async def _begin(self) -> None: ...

    @abc.abstractmethod
    async def commit(self) -> None: ...

    @abc.abstractmethod
    async def rollback(self) -> None:
        """Undo what was not committed; a no-op after ``commit()``."""


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


class CustodyQueries(abc.ABC):
    """Read models; no transaction needed, never writes."""

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
    async def counts(self) -> dict[str, int]:
        """Number of rows per main table (for the demo and the CLI)."""

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
    async def principals(self, refs: Iterable[str]) -> dict[str, Principal]:
        """People by id or badge barcode."""

    @abc.abstractmethod
    async def recent_movements(self, limit: int) -> list[RecentMovement]:
        """The latest movements, newest first, with the item's barcode and number."""

    @abc.abstractmethod
    async def search_items(self, term: str, limit: int) -> list[Item]:
        """Items whose number starts with ``term`` (case-insensitive), by number."""

    @abc.abstractmethod
    async def people(self) -> list[Principal]:
        """Every principal, by id."""

    @abc.abstractmethod
    async def ref_labels(self, refs: Iterable[str | None]) -> dict[str, str]:
        """Readable codes for ``location:<id>`` / ``container:<id>`` movement refs."""

    @abc.abstractmethod
    async def journal_entries(
        self, query: JournalQuery, offset: int, limit: int
    ) -> tuple[list[JournalEntry], int]:
        """Access journal rows matching ``query``, newest first, and their count."""


# People, credentials and the access journal -----------------------------------


@dataclass(frozen=True)
class Credential:
    """A person's password hash and lockout state (kept apart from ``principal``)."""

    principal_id: str
    password_hash: str
    failed_count: int = 0
    locked_until: datetime | None = None
    changed_at: datetime | None = None
    """When the password was last set; sessions issued before it are refused."""


@dataclass(frozen=True)
class JournalEntry:
    """One access decision or confidential read (access-rules.md §7)."""

    at: datetime
    principal_ref: str
    role: str
    action: str
    object_ref: str
    decision: str
    """``allow`` or ``deny``."""
    rule: str
    reason: str = ""
    client: str = ""
    channel: str = "web"
    """``web`` (session) or ``api`` (bearer token)."""


@dataclass(frozen=True)
class JournalQuery:
    principal_ref: str = ""
    action: str = ""
    decision: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class RecentMovement:
    seq: int
    kind: str
    barcode: str
    number: str
    to_ref: str | None
    actor_ref: str | None
    effective_at: datetime


class CredentialRepository(abc.ABC):
    @abc.abstractmethod
    async def get(self, principal_id: str) -> Credential | None: ...

    @abc.abstractmethod
    async def put(self, credential: Credential, at: datetime) -> None:
        """Insert or replace the credential of a person."""

    @abc.abstractmethod
    async def record_attempt(
        self, principal_id: str, failed_count: int, locked_until: datetime | None
    ) -> None: ...


class AccessJournalRepository(abc.ABC):
    """Append-only: the table refuses UPDATE and DELETE."""

    @abc.abstractmethod
    async def add_many(self, entries: Sequence[JournalEntry]) -> None: ...
