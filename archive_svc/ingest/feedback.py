"""Service outcome -> MQTT feedback payload for the station (or nothing when held back)."""

from __future__ import annotations

from typing import cast, get_args

from archive_svc.services.scanning import ScanOutcome
from devices.mqtt import payloads

_SENT = frozenset(get_args(payloads.Outcome))
"""The outcomes a station is told (``deferred`` is not: the gateway resends)."""


def to_feedback(outcome: ScanOutcome) -> payloads.Feedback | None:
    """The station's feedback; None for a ``deferred`` read (the gateway resends it)."""
    if outcome.outcome not in _SENT:
        return None
    return payloads.Feedback(
        scan_id=outcome.scan_id,
        device_seq=outcome.device_seq,
        outcome=cast(payloads.Outcome, outcome.outcome.value),
        code=outcome.code or None,
        message=outcome.message or None,
        movement_id=outcome.movement_id,
    )
