"""Commands: what a caller asks the services to do (frozen, imperative names)."""

from __future__ import annotations

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


@dataclass(frozen=True)
class RecordMovements:
    movements: tuple[MovementRequest, ...]
    submitted_by: str
    source: str = "api"


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
