"""Serial barcode scanners: framing, model profiles, port, outbox and the gateway."""

from .console import GatewayStats, RecentRead
from .frames import (
    Discard,
    Event,
    FrameDecoder,
    InvalidRead,
    ScanRead,
    TimestampPrefix,
    Validator,
)
from .gateway import Gateway
from .models import PROFILES, ScannerProfile, SilentProfile, get_profile
from .outbox import Outbox, OutboxRow
from .port import (
    AbstractPort,
    PortBusy,
    PortReader,
    ScannerDisconnected,
    ScannerError,
    ScannerNotFound,
    open_port,
)

__all__ = [
    "PROFILES",
    "AbstractPort",
    "Discard",
    "Event",
    "FrameDecoder",
    "Gateway",
    "GatewayStats",
    "InvalidRead",
    "Outbox",
    "OutboxRow",
    "PortBusy",
    "PortReader",
    "RecentRead",
    "ScanRead",
    "ScannerDisconnected",
    "ScannerError",
    "ScannerNotFound",
    "ScannerProfile",
    "SilentProfile",
    "TimestampPrefix",
    "Validator",
    "get_profile",
    "open_port",
]
