"""Which stations may use the broker and have their reads handled.

* :func:`admission`: the consumer's station check (registered, active, this site),
  whose refusals the consumer quarantines in the rejection journal;
* :func:`broker_access`: users and topic rules for the broker, the service account
  plus every active station, written for Mosquitto by :func:`write_mosquitto_files`
  and handed to the embedded broker as is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from archive_svc.ingest.scans import AdmitStation
from archive_svc.services import stations
from archive_svc.services.ports.stations import StationRepository
from devices.mqtt import access


def admission(site: str, repo: StationRepository) -> AdmitStation:
    """The check :class:`ScanIngest` runs before handling a station's read."""

    async def admit(device_id: str) -> str | None:
        refusal = await stations.refusal(device_id, site, repo)
        return None if refusal is None else str(refusal)

    return admit


@dataclass(frozen=True)
class BrokerAccess:
    """Who may use the broker: users (name -> ``$7$`` hash) and their rules."""

    users: dict[str, str]
    rules: list[access.AccessRule]

    @property
    def passwd(self) -> str:
        """Mosquitto's ``password_file``."""
        return access.mosquitto_passwd(self.users)

    @property
    def acl(self) -> str:
        """Mosquitto's ``acl_file``."""
        return access.mosquitto_acl(self.rules)


async def broker_access(
    repo: StationRepository, site: str, service_username: str, service_hash: str
) -> BrokerAccess:
    """The service account (everything of ``site``) and every active station."""
    users = {service_username: service_hash}
    rules = [access.service_rules(site, service_username)]
    for station in await repo.all():
        if station.active and station.device_id != service_username:
            users[station.device_id] = station.password_hash
            rules.append(access.station_rules(station.site, station.device_id))
    return BrokerAccess(users, rules)


def write_mosquitto_files(broker: BrokerAccess, out_dir: Path) -> list[Path]:
    """Write ``passwd`` (mode 640: chgrp it to mosquitto) and ``acl`` into ``out_dir``; their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text, mode in (
        ("passwd", broker.passwd, 0o640),
        ("acl", broker.acl, 0o644),
    ):
        path = out_dir / name
        tmp = out_dir / f".{name}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, mode)
        tmp.replace(path)
        written.append(path)
    return written
