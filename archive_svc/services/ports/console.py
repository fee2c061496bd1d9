"""Read models of the agents' console: the day's figures, who holds what, totals.

``ConsoleQueries`` is the port; ``persistence.console_queries`` implements it over
the projection (``position``), the ledger, the scan inbox and the people. Nothing
here writes.
"""

import abc
from dataclasses import dataclass
from datetime import datetime, timedelta

from archive_svc.domain.model import Item, Location, Principal, State

OUT_STATES: tuple[State, ...] = (
    State.WITH_AGENT,
    State.ON_LOAN,
    State.IN_TRANSIT,
    State.DIGITISATION,
    State.HISTORY_MISSION,
    State.OUTSIDE,
)
"""States of an item that is out of the stores (held, travelling, lent out)."""

LOAN_PERIOD = timedelta(days=30)
"""An item out longer than this is overdue (the home page counts them)."""

STATION_WINDOW = timedelta(hours=1)
"""Scanner stations heard from within this window count as seen."""


@dataclass(frozen=True)
class StationSeen:
    device_id: str
    last_seen: datetime
    last_code: str
    last_outcome: str
    """``accepted`` or ``rejected``."""
    last_reason: str
    """The refusal code of a rejected read (empty otherwise)."""
    last_message: str = ""
    """What the station was told (in the stations' language)."""


@dataclass(frozen=True)
class DayFigures:
    movements_today: int
    out: int
    overdue: int
    discrepancies: int
    """Verification reads that found an item recorded elsewhere, not settled since."""
    stations: tuple[StationSeen, ...]


@dataclass(frozen=True)
class HeldLine:
    """An item out of the stores, with who or what holds it and since when."""

    item: Item
    state: str
    since: datetime
    holder_kind: str
    """``person``, ``location`` (a place such as TRANSIT) or ``container``."""
    holder_id: str
    holder_label: str
    """A person's name, a location code or a box barcode."""


@dataclass(frozen=True)
class Line:
    """One item in a place or a box, with its state."""

    item: Item
    state: str
    since: datetime
    contains: int = 0
    """Items inside it (the files of a box)."""


@dataclass(frozen=True)
class Totals:
    """What a location holds, rolled up from every shelf below it."""

    shelves: int
    boxes: int
    files: int
    used_mm: int
    capacity_mm: int

    @property
    def free_mm(self) -> int:
        return max(0, self.capacity_mm - self.used_mm)

    @property
    def fill(self) -> float:
        """Used share of the capacity, 0.0 to 1.0 (and above when overfull)."""
        return self.used_mm / self.capacity_mm if self.capacity_mm else 0.0


@dataclass(frozen=True)
class Suggestion:
    """A completion of the destination field."""

    kind: str
    """``location``, ``box`` or ``person``."""
    value: str
    """What goes in the field (a location code, a box barcode, a person id)."""
    label: str


@dataclass(frozen=True)
class Page:
    lines: tuple[Line, ...]
    total: int


class ConsoleQueries(abc.ABC):
    """Reads for the console pages; no transaction, never writes."""

    @abc.abstractmethod
    async def day_figures(
        self, day_start: datetime, now: datetime, overdue_before: datetime
    ) -> DayFigures:
        """Figures since ``day_start``; items out since before ``overdue_before``."""

    @abc.abstractmethod
    async def out_of_stores(
        self, offset: int, limit: int
    ) -> tuple[list[HeldLine], int]:
        """Items out of the stores, oldest first, and how many there are."""

    @abc.abstractmethod
    async def held_by(self, person_id: str) -> list[HeldLine]:
        """What a person holds now, oldest first."""

    @abc.abstractmethod
    async def find_people(self, term: str, limit: int) -> list[Principal]:
        """People whose id or name contains ``term`` (case-insensitive)."""

    @abc.abstractmethod
    async def find_items(self, term: str, limit: int) -> list[Item]:
        """Items whose number or barcode starts with ``term``; dashes are optional."""

    @abc.abstractmethod
    async def totals(self, location: Location) -> Totals:
        """Boxes, files and millimetres of every shelf at or below ``location``."""

    @abc.abstractmethod
    async def children(self, location_id: str) -> list[Location]:
        """The locations directly below, in walk order."""

    @abc.abstractmethod
    async def held_in(self, custodian_id: str, offset: int, limit: int) -> Page:
        """Items whose custodian is this location or box, by barcode."""

    @abc.abstractmethod
    async def suggest(self, term: str, limit: int) -> list[Suggestion]:
        """Locations, boxes and people matching what was typed so far."""
