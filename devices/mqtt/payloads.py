"""Scan and feedback payloads (pure): UTF-8 JSON, ``"v": 1``, RFC 3339 UTC times.

Scan (gateway -> service, ``.../scans``)::

    {"v":1,"scan_id":"<uuid4>","device_id":"st-01","device_seq":17,
     "code":"BX00012345W","aim":"]C0"|null,"raw":"]C0BX00012345W",
     "scanned_at":"2026-11-27T08:00:00.123456Z"|null,"sent_at":"...Z",
     "source":"scan"|"batch"}

Feedback (service -> gateway, ``.../feedback``)::

    {"v":1,"scan_id":"...","device_seq":17,
     "outcome":"accepted"|"duplicate"|"rejected"|"conflict",
     "code":"unknown_barcode"|null,"message":"texte pour l'agent",
     "movement_id":"..."|null}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

Source = Literal["scan", "batch"]
Outcome = Literal["accepted", "duplicate", "rejected", "conflict"]
VERSION = 1


class PayloadError(ValueError):
    """A payload that is not valid JSON of the expected shape."""


@dataclass(frozen=True)
class ScanMessage:
    scan_id: str
    device_id: str
    device_seq: int
    code: str
    aim: str | None
    raw: str
    scanned_at: str | None
    sent_at: str
    source: Source


@dataclass(frozen=True)
class Feedback:
    scan_id: str
    device_seq: int
    outcome: Outcome
    code: str | None
    message: str | None
    movement_id: str | None


def encode_scan(msg: ScanMessage) -> bytes:
    """Serialise a scan message (compact UTF-8 JSON)."""
    return _dump(msg)


def encode_feedback(fb: Feedback) -> bytes:
    """Serialise a feedback message (compact UTF-8 JSON)."""
    return _dump(fb)


def decode_scan(payload: bytes) -> ScanMessage:
    """Parse a scan message.

    Raises:
        PayloadError: bad JSON, wrong version, missing or mistyped field.
    """
    d = _load(payload)
    msg = ScanMessage(
        scan_id=_str(d, "scan_id"), device_id=_str(d, "device_id"),
        device_seq=_int(d, "device_seq"), code=_str(d, "code"),
        aim=_opt_str(d, "aim"), raw=_str(d, "raw"),
        scanned_at=_opt_str(d, "scanned_at"), sent_at=_str(d, "sent_at"),
        source=_choice(d, "source", get_args(Source)),
    )  # fmt: skip
    return msg


def decode_feedback(payload: bytes) -> Feedback:
    """Parse a feedback message.

    Raises:
        PayloadError: bad JSON, wrong version, missing or mistyped field.
    """
    d = _load(payload)
    return Feedback(
        scan_id=_str(d, "scan_id"), device_seq=_int(d, "device_seq"),
        outcome=_choice(d, "outcome", get_args(Outcome)), code=_opt_str(d, "code"),
        message=_opt_str(d, "message"), movement_id=_opt_str(d, "movement_id"),
    )  # fmt: skip


def _dump(obj: ScanMessage | Feedback) -> bytes:
    body = {"v": VERSION, **asdict(obj)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _load(payload: bytes) -> dict[str, Any]:
    try:
        d = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"not UTF-8 JSON: {exc}") from exc
    if not isinstance(d, dict):
        raise PayloadError("payload is not a JSON object")
    if d.get("v") != VERSION:
        raise PayloadError(f"unsupported payload version {d.get('v')!r}")
    return d


def _str(d: dict[str, Any], key: str) -> str:
    value = d.get(key)
    if not isinstance(value, str):
        raise PayloadError(f"{key} must be a string")
    return value


def _opt_str(d: dict[str, Any], key: str) -> str | None:
    value = d.get(key)
    if value is not None and not isinstance(value, str):
        raise PayloadError(f"{key} must be a string or null")
    return value


def _int(d: dict[str, Any], key: str) -> int:
    value = d.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PayloadError(f"{key} must be an integer")
    return value


def _choice(d: dict[str, Any], key: str, allowed: tuple[Any, ...]) -> Any:
    value = d.get(key)
    if value not in allowed:
        raise PayloadError(f"{key} must be one of {allowed}")
    return value
