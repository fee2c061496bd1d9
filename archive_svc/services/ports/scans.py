"""Scanning ports: the scan inbox and the per-device sessions."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime

from archive_svc.domain.scanning import Reply


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
    """JSON of ``domain.stations.DeviceSession``."""
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


class ScanTexts(abc.ABC):
    @abc.abstractmethod
    def render(self, reply: Reply) -> str:
        """The text of ``reply`` for the station's agent (stored and sent as is)."""
