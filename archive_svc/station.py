"""Scanner station wiring (``archive-svc gateway`` and the demo): a devices Gateway
with this archive's barcode check injected, so ``devices`` stays independent."""

from __future__ import annotations

import signal
from pathlib import Path

from archive_svc.domain import barcodes, stations
from devices.mqtt import MqttParams
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
) -> Gateway:
    Path(outbox).parent.mkdir(parents=True, exist_ok=True)
    return Gateway(
        port_url, device_id, site, outbox,
        MqttParams(url=broker_url, protocol=5 if protocol == 5 else 311),
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
