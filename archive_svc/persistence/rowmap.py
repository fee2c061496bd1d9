"""Rows <-> domain objects, shared by the repositories and read models of every context."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.base import Engine

from archive_svc.domain import errors
from archive_svc.domain.chain import LedgerEntry
from archive_svc.domain.model import (
    Custodian,
    CustodianKind,
    Item,
    ItemKind,
    Location,
    LocationKind,
    Position,
    Principal,
    State,
)
from archive_svc.persistence import sql

_CHUNK = 900


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


async def select_in(
    engine: Engine[Any], columns: str, table: str, key: str, values: Iterable[str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(values):
        query = f"SELECT {columns} FROM {table} WHERE {key} IN ({sql.placeholders(len(chunk))})"
        rows.extend(await sql.fetch(engine, query, *chunk))
    return rows


async def select_by_either(
    engine: Engine[Any],
    columns: str,
    table: str,
    keys: tuple[str, str],
    values: Iterable[str],
) -> list[dict[str, Any]]:
    """Rows whose first or second key column is in ``values``, in one statement
    per chunk (each chunk's values are sent once per key)."""
    rows: list[dict[str, Any]] = []
    items = sorted(set(values))
    first, second = keys
    for start in range(0, len(items), _CHUNK // 2):
        chunk = items[start : start + _CHUNK // 2]
        marks = sql.placeholders(len(chunk))
        query = (
            f"SELECT {columns} FROM {table}"
            f" WHERE {first} IN ({marks}) OR {second} IN ({marks})"
        )
        rows.extend(await sql.fetch(engine, query, *chunk, *chunk))
    return rows


ITEM_COLUMNS = (
    "id, barcode, kind, number, division, width_mm, home_location, home_container"
)


def item_from_row(row: Mapping[str, Any]) -> Item:
    return Item(
        id=row["id"],
        barcode=row["barcode"],
        kind=ItemKind(row["kind"]),
        number=row["number"],
        width_mm=row["width_mm"],
        home_location_id=row["home_location"],
        home_container_id=row["home_container"],
        division=row["division"],
    )


LOCATION_COLUMNS = "id, barcode, kind, code, path, parent, capacity_mm, reserved_mm, neutralised, walk_order"


def location_from_row(row: Mapping[str, Any]) -> Location:
    return Location(
        id=row["id"],
        barcode=row["barcode"],
        kind=LocationKind(row["kind"]),
        code=row["code"],
        path=row["path"],
        parent_id=row["parent"],
        capacity_mm=row["capacity_mm"],
        reserved_mm=row["reserved_mm"] or 0,
        neutralised=bool(row["neutralised"]),
        walk_order=row["walk_order"] or 0,
    )


def principal_from_row(row: Mapping[str, Any]) -> Principal:
    return Principal(
        id=row["id"],
        display_name=row["display_name"],
        roles=frozenset(r for r in row["roles"].split(",") if r),
        division=row["division"],
        unit=row["unit"],
        badge_barcode=row["badge_barcode"],
        active=bool(row["active"]),
        internal=bool(row["internal"]),
    )


def position_from_row(row: Mapping[str, Any]) -> Position:
    return Position(
        item_id=row["item_id"],
        state=State(row["state"]),
        custodian=Custodian(
            CustodianKind(row["custodian_kind"]),
            row["custodian_id"],
            row["custodian_label"],
        ),
        since=row["since"],
        last_seq=row["last_seq"],
        event_id=row["event_id"],
        destination=row["destination"],
        last_verified_at=row["last_verified_at"],
    )


MOVEMENT_COLUMNS = (
    "seq, event_id, kind, item, from_ref, to_ref, actor_ref, device_id, device_seq, scanned_at,"
    " recorded_at, effective_at, time_source, entry_mode, request_id, task_ref, reason, payload,"
    " prev_hash, hash, submitter_kind, submitter_ref, hash_format"
)


MOVEMENT_TYPES = (
    ("seq", "bigint"),
    ("event_id", "varchar"),
    ("kind", "varchar"),
    ("item", "varchar"),
    ("from_ref", "varchar"),
    ("to_ref", "varchar"),
    ("actor_ref", "varchar"),
    ("device_id", "varchar"),
    ("device_seq", "bigint"),
    ("scanned_at", "timestamptz"),
    ("recorded_at", "timestamptz"),
    ("effective_at", "timestamptz"),
    ("time_source", "varchar"),
    ("entry_mode", "varchar"),
    ("request_id", "varchar"),
    ("task_ref", "varchar"),
    ("reason", "text"),
    ("payload", "text"),
    ("prev_hash", "varchar"),
    ("hash", "varchar"),
    ("submitter_kind", "varchar"),
    ("submitter_ref", "varchar"),
    ("hash_format", "integer"),
)


def compact_json(payload: Mapping[str, Any]) -> str:
    return json.dumps(
        dict(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def _payload(raw: str) -> dict[str, Any]:
    """Decode a stored payload; its text must be exactly the compact form we wrote."""
    value = json.loads(raw)
    if not isinstance(value, dict) or compact_json(value) != raw:
        raise ValueError(f"stored payload text is not the one written: {raw[:40]!r}")
    return value


def movement_row(e: LedgerEntry) -> tuple[Any, ...]:
    """``e`` as a ``movement`` row, values in ``MOVEMENT_COLUMNS`` order."""
    return (
        e.seq,
        e.event_id,
        e.kind,
        e.item_id,
        e.from_ref,
        e.to_ref,
        e.actor_ref,
        e.device_id,
        e.device_seq,
        e.scanned_at,
        e.recorded_at,
        e.effective_at,
        e.time_source,
        e.entry_mode,
        e.request_id,
        e.task_ref,
        e.reason,
        compact_json(e.payload),
        e.prev_hash,
        e.hash,
        e.submitter_kind,
        e.submitter_ref,
        e.format,
    )


TIME_COLUMNS = ("scanned_at", "recorded_at", "effective_at")


def _stored_time(value: Any, column: str) -> Any:
    """A ledger time as read. SQLite ledger reads bring the stored text (several
    spellings parse to the same time): it must be exactly the form piccolo writes,
    ``str()`` of the UTC time, or the row is unreadable."""
    if not isinstance(value, str):
        return value
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None or str(parsed.astimezone(UTC)) != value:
        raise ValueError(f"stored {column} text is not the one written: {value!r}")
    return parsed


def entry_from_row(row: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        seq=row["seq"],
        event_id=row["event_id"],
        kind=row["kind"],
        item_id=row["item"],
        from_ref=row["from_ref"],
        to_ref=row["to_ref"],
        actor_ref=row["actor_ref"],
        device_id=row["device_id"],
        device_seq=row["device_seq"],
        scanned_at=_stored_time(row["scanned_at"], "scanned_at"),
        recorded_at=_stored_time(row["recorded_at"], "recorded_at"),
        effective_at=_stored_time(row["effective_at"], "effective_at"),
        time_source=row["time_source"],
        entry_mode=row["entry_mode"],
        request_id=row["request_id"],
        task_ref=row["task_ref"],
        reason=row["reason"],
        payload=_payload(row["payload"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        submitter_kind=row["submitter_kind"],
        submitter_ref=row["submitter_ref"],
        format=int(row["hash_format"]),
    )


def translate_integrity(exc: Exception) -> errors.AlreadyExists | None:
    """Unique violations of either engine, as our ``AlreadyExists``."""
    name = type(exc).__name__
    text = str(exc)
    if name == "UniqueViolationError" or (
        name == "IntegrityError" and "UNIQUE" in text
    ):
        return errors.AlreadyExists(f"already registered: {text}")
    return None


@contextmanager
def unique_violation_as_already_exists(message: str | None = None) -> Iterator[None]:
    """Re-raise a unique violation in the block as ``AlreadyExists`` (``from`` it).

    ``message`` replaces the default "already registered: <driver text>"; any other
    exception passes through unchanged.
    """
    try:
        yield
    except Exception as exc:
        translated = translate_integrity(exc)
        if translated is None:
            raise
        if message is not None:
            translated = errors.AlreadyExists(message)
        raise translated from exc
