"""Stations port: registered scanner stations and their MQTT credentials."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class StationRecord:
    """A registered scanner station (*poste de lecture*).

    Attributes:
        device_id: the station id, also its MQTT username.
        site: the site whose topics it publishes on.
        password_hash: Mosquitto ``$7$`` hash of its MQTT password.
        active: False once disabled: the broker and the service refuse it.
    """

    device_id: str
    site: str
    password_hash: str
    active: bool
    registered_at: datetime
    disabled_at: datetime | None = None


class StationRepository(abc.ABC):
    """Each method is one statement, committed on its own."""

    @abc.abstractmethod
    async def get(self, device_id: str) -> StationRecord | None: ...

    @abc.abstractmethod
    async def save(self, station: StationRecord) -> None:
        """Insert the station, or replace the one with the same id."""

    @abc.abstractmethod
    async def all(self) -> list[StationRecord]:
        """Every station, by id."""
