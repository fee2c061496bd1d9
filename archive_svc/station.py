"""Scanner station wiring (``archive-svc gateway`` and the demo): a devices Gateway
with this archive's barcode check injected, so ``devices`` stays independent; and
the stations' broker credentials (registration, Mosquitto's password and ACL files,
the embedded broker's users)."""

from __future__ import annotations

import os
import signal
from dataclasses import replace
from pathlib import Path

from archive_svc.config import MqttSettings, SettingsError
from archive_svc.domain import barcodes, stations
from archive_svc.services import stations as station_registry
from archive_svc.services.ports import Clock
from archive_svc.services.ports.stations import StationRepository
from devices.mqtt import MqttParams, access
from devices.scanner import Gateway, get_profile

KNOWN_COMMANDS = frozenset(stations.COMMAND_CODES) | frozenset(stations.REASON_CODES)


def validation_error(raw: str) -> str | None:
    """The gateway's check: command sheet codes pass, barcodes need MOD 37-2."""
    code = raw.strip().upper()
    if stations.is_command_code(code):
        return None if code in KNOWN_COMMANDS else "unknown_command"
    return barcodes.validation_error(raw)


def build_gateway(
    port_url: str,
    device_id: str,
    broker_url: str,
    site: str,
    outbox: str | Path,
    *,
    profile: str = "generic-cr",
    allow_silent: bool = False,
    console: bool = True,
    resend_after: float = 5.0,
    protocol: int = 311,
    credentials: tuple[str, str] | None = None,
    tls: MqttSettings | None = None,
) -> Gateway:
    """A gateway for ``device_id``; ``credentials`` is its (username, password) and
    ``tls`` the settings naming the CA and client certificate for ``mqtts://``."""
    Path(outbox).parent.mkdir(parents=True, exist_ok=True)
    user, password = credentials if credentials else (None, None)
    params = MqttParams(
        url=broker_url, protocol=5 if protocol == 5 else 311, username=user,
        password=password,
    )  # fmt: skip
    if tls is not None:
        params = replace(
            params, ca_file=tls.ca_file or None, cert_file=tls.cert_file or None,
            key_file=tls.key_file or None,
        )  # fmt: skip
    return Gateway(
        port_url, device_id, site, outbox, params,
        validation_error, get_profile(profile), allow_silent=allow_silent,
        console=console,
        resend_after=resend_after,
    )  # fmt: skip


def run_gateway(gateway: Gateway) -> int:
    """Run until SIGINT or SIGTERM; the outbox keeps whatever is unconfirmed."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: gateway.stop())
    gateway.run()
    return 0


async def register_station(
    device_id: str, site: str, repo: StationRepository, clock: Clock,
    service_username: str,
) -> str:  # fmt: skip
    """Register ``device_id``; its MQTT password (printed once, kept only hashed)."""
    return await station_registry.register(
        device_id, site, repo, clock, hasher=access.hash_password,
        service_username=service_username,
    )  # fmt: skip


def service_password(mqtt: MqttSettings, *, create: bool = False) -> str:
    """The service's MQTT password; with ``create``, a new random one is written to
    ``password_file`` (mode 600) when that file does not exist yet.

    Raises:
        SettingsError: no password configured (and none may be created).
    """
    path = Path(mqtt.password_file) if mqtt.password_file else None
    if create and not mqtt.password and path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(access.new_password() + "\n")
    password = mqtt.read_password()
    if password is None:
        raise SettingsError("setting [mqtt] password_file: the service needs one")
    return password
