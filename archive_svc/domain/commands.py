"""Commands: what a caller asks the services to do (frozen, imperative names)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class MovementRequest:
    """One movement as submitted (API, scanner or import); validated by the service."""

    event_id: str
    item: str
    kind: str
    to: str | None = None
    actor: str | None = None
    device_id: str | None = None
    device_seq: int | None = None
    scanned_at: str | datetime | None = None
    """Device time: the text submitted to the API (checked when judged), or the
    time a scanner read was parsed into at the edge."""
    reason: str = ""
    force: bool = False
    request_id: str | None = None
    task_ref: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    entry_mode: str = "manual"


@dataclass(frozen=True)
class RecordScan:
    """One scanner read as delivered by the gateway (``scan_id`` is its uuid)."""

    scan_id: str
    device_id: str
    device_seq: int
    code: str
    aim: str | None = None
    scanned_at: datetime | None = None
    """Device time, timezone-aware UTC (parsed once, by the consumer's decoder)."""
    source: str = "scan"
    received_at: datetime = field(kw_only=True)
    """When the consumer took it off the broker."""


class SubmitterKind(enum.StrEnum):
    """Who hands a batch of movements to the ledger (hashed with each movement)."""

    PERSON = "person"
    """A person signed in to the pages (the console's record form)."""
    TOKEN = "token"
    """A personal API token: it speaks for its person."""
    STATION = "station"
    """A scanner station: it speaks for the agent whose badge signed in on it."""
    OPERATOR = "operator"
    """Someone with shell access (CLI import, seeding, the demo): movements name
    their actor, as an administrator of the machine could write them anyway."""


@dataclass(frozen=True)
class Submitter:
    """The authenticated submitter of a batch and the person it speaks for."""

    kind: SubmitterKind
    ref: str
    """Person id, token name, station (device) id or operator label."""
    roles: frozenset[str] = frozenset()
    """The submitter's own roles; the custody role rules apply to them too."""
    person: str | None = None
    """The only person its movements may name as actor (a signed-in person, a
    personal token's owner); ``None`` for a station (its signed-in agent, read
    from the station's session) and for an operator (each movement's actor)."""

    @classmethod
    def operator(cls, label: str) -> Submitter:
        return cls(SubmitterKind.OPERATOR, label)


@dataclass(frozen=True)
class RecordMissingReads:
    """A station's answer to a resend request: it does not have these reads."""

    device_id: str
    first_seq: int
    last_seq: int
    newest: int | None = None
    """The highest seq the station has given out (seqs above it never existed)."""
    received_at: datetime = field(kw_only=True)


@dataclass(frozen=True)
class RecordMovements:
    movements: tuple[MovementRequest, ...]
    submitter: Submitter
    source: str = "api"

    @property
    def submitted_by(self) -> str:
        return self.submitter.ref


@dataclass(frozen=True)
class RegisterLocation:
    kind: str
    code: str
    name: str = ""
    parent: str | None = None
    capacity_mm: int | None = None
    walk_order: int = 0
    barcode: str | None = None


@dataclass(frozen=True)
class RegisterItem:
    kind: str
    number: str
    division: str = ""
    width_mm: int | None = None
    barcode: str | None = None


@dataclass(frozen=True)
class CreatePerson:
    """A person who signs in to the web pages (roles of access-rules.md §2)."""

    id: str
    display_name: str
    roles: str
    """Comma-separated role names."""
    division: str = ""
    unit: str = ""
