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

Resend request (service -> gateway, ``.../resend``) and the gateway's answer for the
reads it does not have (``.../missing``), both a ``device_seq`` range::

    {"v":1,"device_id":"st-01","first_seq":18,"last_seq":40,"newest":17|null}

``newest`` (answers only): the highest seq the station has given out, so the service
can tell reads lost by the station from seqs it never issued (a forged jump).

Every field of a scan is bounded when decoded (:data:`SCAN_LIMITS`): a message that
breaks a bound is refused with a :class:`PayloadError` naming the field, so nothing
past the decoder (database columns, the ledger) ever meets an unbounded value.
``scanned_at`` and ``sent_at`` are only length-checked here; the consumer parses
``scanned_at`` into a datetime (once) and judges its range.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

Source = Literal["scan", "batch"]
Outcome = Literal["accepted", "duplicate", "rejected", "conflict"]
VERSION = 1


class PayloadError(ValueError):
    """A payload that is not valid JSON of the expected shape, or out of bounds."""


@dataclass(frozen=True)
class ScanLimits:
    """Bounds of a scan message, checked by :func:`decode_scan`.

    Attributes:
        payload_bytes: largest payload; a real scan is about 350 bytes.
        code_len: longest code (the gateway's longest frame is 128 bytes).
        device_id_len: longest station id (``[a-z0-9-]``, as in topics).
        time_len: longest ``scanned_at`` / ``sent_at`` string.
        max_seq: largest ``device_seq`` (2**53: exact in JSON numbers everywhere,
            and far inside a 64-bit column).
    """

    payload_bytes: int = 2048
    code_len: int = 128
    device_id_len: int = 64
    time_len: int = 40
    max_seq: int = 2**53


SCAN_LIMITS = ScanLimits()
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DEVICE = re.compile(r"[a-z0-9-]+")
_PRINTABLE = re.compile(r"[\x20-\x7e]+")  # what a serial scanner frame may carry
_AIM_ID = re.compile(r"\][A-Za-z][0-9A-Za-z]")


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


@dataclass(frozen=True)
class SeqRange:
    """Reads ``first_seq..last_seq`` of a station (a resend request, or the reads a
    station says it does not have)."""

    device_id: str
    first_seq: int
    last_seq: int
    newest: int | None = None
    """In an answer: the highest seq the station has given out."""


def encode_seq_range(r: SeqRange) -> bytes:
    """Serialise a resend request or a missing-reads answer."""
    return _dump(r)


def decode_seq_range(payload: bytes, limits: ScanLimits = SCAN_LIMITS) -> SeqRange:
    """Parse a resend request or a missing-reads answer (bounded like a scan).

    Raises:
        PayloadError: bad JSON, a missing or out-of-bounds field, an empty range.
    """
    if len(payload) > limits.payload_bytes:
        raise PayloadError(f"payload of {len(payload)} bytes > {limits.payload_bytes}")
    d = _load(payload)
    r = SeqRange(
        device_id=_bounded(d, "device_id", _DEVICE, limits.device_id_len),
        first_seq=_int(d, "first_seq"), last_seq=_int(d, "last_seq"),
        newest=None if d.get("newest") is None else _int(d, "newest"),
    )  # fmt: skip
    if not 1 <= r.first_seq <= r.last_seq <= limits.max_seq:
        raise PayloadError(f"need 1 <= first_seq <= last_seq <= {limits.max_seq}")
    if r.newest is not None and not 0 <= r.newest <= limits.max_seq:
        raise PayloadError(f"newest must be within 0..{limits.max_seq}")
    return r


def encode_scan(msg: ScanMessage) -> bytes:
    """Serialise a scan message (compact UTF-8 JSON)."""
    return _dump(msg)


def encode_feedback(fb: Feedback) -> bytes:
    """Serialise a feedback message (compact UTF-8 JSON)."""
    return _dump(fb)


def decode_scan(payload: bytes, limits: ScanLimits = SCAN_LIMITS) -> ScanMessage:
    """Parse a scan message and check every field against ``limits``.

    Raises:
        PayloadError: too large, bad JSON, wrong version, a missing, mistyped or
            out-of-bounds field (the message says which).
    """
    if len(payload) > limits.payload_bytes:
        raise PayloadError(f"payload of {len(payload)} bytes > {limits.payload_bytes}")
    d = _load(payload)
    text, lim = _bounded, limits
    msg = ScanMessage(
        scan_id=text(d, "scan_id", _UUID, 36),
        device_id=text(d, "device_id", _DEVICE, lim.device_id_len),
        device_seq=_int(d, "device_seq"), code=text(d, "code", _PRINTABLE, lim.code_len),
        aim=_opt_bounded(d, "aim", _AIM_ID, 3),
        raw=text(d, "raw", _PRINTABLE, 2 * lim.code_len),
        scanned_at=_opt_bounded(d, "scanned_at", _PRINTABLE, lim.time_len),
        sent_at=text(d, "sent_at", _PRINTABLE, lim.time_len),
        source=_choice(d, "source", get_args(Source)),
    )  # fmt: skip
    if not 0 <= msg.device_seq <= limits.max_seq:
        raise PayloadError(f"device_seq must be within 0..{limits.max_seq}")
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


def _dump(obj: ScanMessage | Feedback | SeqRange) -> bytes:
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


def _bounded(d: dict[str, Any], key: str, pattern: re.Pattern[str], most: int) -> str:
    value = _str(d, key)
    if len(value) > most:
        raise PayloadError(f"{key} longer than {most} characters")
    if not pattern.fullmatch(value):
        raise PayloadError(f"{key} must match {pattern.pattern}")
    return value


def _opt_bounded(
    d: dict[str, Any], key: str, pattern: re.Pattern[str], most: int
) -> str | None:
    return None if d.get(key) is None else _bounded(d, key, pattern, most)


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
