"""Scanner stations: registration, MQTT credentials and the ingest admission check.

A station's MQTT username is its id; its password is printed once at registration
and only its Mosquitto ``$7$`` hash is kept. The broker files (password file and
ACL) are generated from this registry plus the service account, and the scan
consumer refuses reads from a station that is not registered or is disabled
(defence in depth when a broker lets a publisher through).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace

from archive_svc.domain import errors
from archive_svc.services.ports import Clock
from archive_svc.services.ports.stations import StationRecord, StationRepository

PasswordHasher = Callable[[str], str]
"""Makes the stored hash of a password (the broker's format: ``devices.mqtt.access``)."""
_ID = re.compile(r"[a-z0-9-]{1,64}")

UNREGISTERED = "unregistered_station"
DISABLED = "disabled_station"
OTHER_SITE = "station_of_another_site"
REFUSAL_CODES = (UNREGISTERED, DISABLED, OTHER_SITE)


async def register(
    device_id: str, site: str, stations: StationRepository, clock: Clock,
    *, hasher: PasswordHasher, service_username: str,
) -> str:  # fmt: skip
    """Register (or re-register, with a new password and active again) a station;
    returns its MQTT password, which is not kept anywhere.

    Raises:
        errors.InvalidId: not a station id, or the service account's name.
    """
    if not _ID.fullmatch(device_id):
        raise errors.InvalidId(f"station id {device_id!r}: 1 to 64 of [a-z0-9-]")
    if device_id == service_username:
        raise errors.InvalidId(f"{device_id!r} is the service's MQTT account")
    password = secrets.token_urlsafe(32)
    await stations.save(
        StationRecord(device_id, site, hasher(password), True, clock.now())
    )
    return password


async def disable(device_id: str, stations: StationRepository, clock: Clock) -> None:
    """Refuse the station from now on (broker files must be regenerated).

    Raises:
        errors.NotFound: no such station.
    """
    station = await stations.get(device_id)
    if station is None:
        raise errors.NotFound(f"no station {device_id!r}")
    if station.active:
        await stations.save(replace(station, active=False, disabled_at=clock.now()))


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


async def refusal(
    device_id: str, site: str, stations: StationRepository
) -> Refusal | None:
    """Why reads of ``device_id`` on ``site`` are refused, or None when admitted."""
    station = await stations.get(device_id)
    if station is None:
        return Refusal(UNREGISTERED, f"station {device_id!r} is not registered")
    if not station.active:
        return Refusal(DISABLED, f"station {device_id!r} is disabled")
    if station.site != site:
        return Refusal(OTHER_SITE, f"station {device_id!r} belongs to {station.site!r}")
    return None
