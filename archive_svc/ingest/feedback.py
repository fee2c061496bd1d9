"""Service outcome -> MQTT feedback payload for the station (or nothing when held back)."""

from __future__ import annotations

from archive_svc.services.scanning import ScanOutcome
from devices.mqtt import payloads

_OUTCOMES: dict[str, payloads.Outcome] = {
    "accepted": "accepted",
    "duplicate": "duplicate",
    "rejected": "rejected",
    "conflict": "conflict",
}


def to_feedback(outcome: ScanOutcome) -> payloads.Feedback | None:
    """The station's feedback; None for a ``deferred`` read (the gateway resends it)."""
    kind = _OUTCOMES.get(outcome.outcome)
    if kind is None:
        return None
    return payloads.Feedback(
        scan_id=outcome.scan_id,
        device_seq=outcome.device_seq,
        outcome=kind,
        code=outcome.code or None,
        message=outcome.message or None,
        movement_id=outcome.movement_id,
    )
