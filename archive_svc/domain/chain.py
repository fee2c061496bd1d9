"""The ledger's entries and their hash chain.

Each entry's hash is ``sha256(prev_hash bytes + canonical JSON)``; the canonical
JSON (sorted keys, UTF-8, no spaces, UTC times with microseconds and ``Z``, nulls
kept) of a format must never change: stored hashes depend on every byte of it.

Formats (``LedgerEntry.format``):

* **1**: the movement as first hashed (nineteen fields, no ``format`` key).
* **2**: format 1 plus ``"format": 2`` and who submitted the movement
  (``submitter_kind``: ``person``, ``token``, ``station`` or ``operator``;
  ``submitter_ref``: the person id, token name, station id or operator label).
  Every entry recorded since the submitter was bound to the movement is format 2;
  older entries keep format 1 and still verify. An entry of format 1 after one of
  format 2 is a break (a downgrade would drop the submitter from the hash).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "00" * 32
FORMAT_V1 = 1
"""Movements hashed before the submitter was part of them."""
FORMAT_V2 = 2
"""Movements hashed with their submitter (kind and reference)."""
CURRENT_FORMAT = FORMAT_V2


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    seq: int
    event_id: str
    kind: str
    item_id: str
    from_ref: str | None
    to_ref: str | None
    actor_ref: str | None
    device_id: str | None
    device_seq: int | None
    scanned_at: datetime | None
    recorded_at: datetime
    effective_at: datetime
    time_source: str
    entry_mode: str
    request_id: str | None
    task_ref: str | None
    reason: str
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str = ""
    submitter_kind: str | None = None
    """Who submitted it: ``person``, ``token``, ``station`` or ``operator`` (format 2)."""
    submitter_ref: str | None = None
    """The submitting person id, token name, station id or operator label (format 2)."""
    format: int = FORMAT_V1
    """Canonical form of the hash (see the module docstring)."""

    def canonical(self) -> bytes:
        return canonical_json(self)

    def sealed(self) -> LedgerEntry:
        """This entry with its hash computed from ``prev_hash`` and its content."""
        return _replace_hash(self, chain_hash(self.prev_hash, self.canonical()))


def _replace_hash(entry: LedgerEntry, value: str) -> LedgerEntry:
    return replace(entry, hash=value)


def iso(ts: datetime) -> str:
    """RFC 3339 UTC with microseconds and ``Z``."""
    if ts.tzinfo is not UTC:
        ts = ts.astimezone(UTC)
    return f"{ts.year:04d}-{ts.month:02d}-{ts.day:02d}T{ts.hour:02d}:{ts.minute:02d}:{ts.second:02d}.{ts.microsecond:06d}Z"


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def canonical_json(entry: LedgerEntry) -> bytes:
    """Sorted keys, UTF-8, no spaces, UTC timestamps with microseconds, nulls kept.

    Raises:
        ValueError: an unknown format, or a format 2 entry without its submitter.
    """
    fields: dict[str, Any] = {
        "actor_ref": entry.actor_ref,
        "device_id": entry.device_id,
        "device_seq": entry.device_seq,
        "effective_at": iso(entry.effective_at),
        "entry_mode": entry.entry_mode,
        "event_id": entry.event_id,
        "from_ref": entry.from_ref,
        "item_id": entry.item_id,
        "kind": entry.kind,
        "payload": _jsonable(entry.payload),
        "prev_hash": entry.prev_hash,
        "reason": entry.reason,
        "recorded_at": iso(entry.recorded_at),
        "request_id": entry.request_id,
        "scanned_at": iso(entry.scanned_at) if entry.scanned_at is not None else None,
        "seq": entry.seq,
        "task_ref": entry.task_ref,
        "time_source": entry.time_source,
        "to_ref": entry.to_ref,
    }
    if entry.format == FORMAT_V2:
        if not entry.submitter_kind or not entry.submitter_ref:
            raise ValueError(f"movement {entry.seq}: format 2 names its submitter")
        fields["format"] = FORMAT_V2
        fields["submitter_kind"] = entry.submitter_kind
        fields["submitter_ref"] = entry.submitter_ref
    elif entry.format != FORMAT_V1:
        raise ValueError(f"movement {entry.seq}: unknown format {entry.format}")
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: str
    problem: str


def verify_chain_step(
    entry: LedgerEntry, prev_hash: str, expected_seq: int, min_format: int = FORMAT_V1
) -> ChainBreak | None:
    """Check one entry against the previous hash, the expected sequence number and
    the format of the entry before it (``min_format``: formats never go back)."""
    if entry.seq != expected_seq:
        return ChainBreak(
            entry.seq, entry.event_id, f"sequence gap: expected {expected_seq}"
        )
    if entry.prev_hash != prev_hash:
        return ChainBreak(
            entry.seq, entry.event_id, "prev_hash does not link to the previous entry"
        )
    if entry.format < min_format:
        return ChainBreak(
            entry.seq,
            entry.event_id,
            f"format {entry.format} after an entry of format {min_format}",
        )
    try:
        canonical = entry.canonical()
    except ValueError as exc:
        return ChainBreak(entry.seq, entry.event_id, str(exc))
    if chain_hash(entry.prev_hash, canonical) != entry.hash:
        return ChainBreak(entry.seq, entry.event_id, "content does not match its hash")
    return None


def verify_chain(entries: Iterable[LedgerEntry]) -> ChainBreak | None:
    """First entry whose link, format or hash does not match, or None when intact."""
    prev, expected_seq, min_format = GENESIS_HASH, 1, FORMAT_V1
    for entry in entries:
        broken = verify_chain_step(entry, prev, expected_seq, min_format)
        if broken is not None:
            return broken
        prev, expected_seq = entry.hash, expected_seq + 1
        min_format = max(min_format, entry.format)
    return None
