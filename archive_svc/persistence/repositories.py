"""Repositories: rows <-> domain objects, behind the ports of ``services.ports``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.base import Engine

from archive_svc.domain import errors
from archive_svc.domain.custody import Home, LedgerEntry
from archive_svc.domain.model import (
    DEFAULT_WIDTH_MM,
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
from archive_svc.persistence.engine import is_sqlite
from archive_svc.persistence.tables import ApiToken, SerialCounter
from archive_svc.services import ports

_CHUNK = 900


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


async def _select_in(
    columns: str, table: str, key: str, values: Iterable[str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(values):
        query = f"SELECT {columns} FROM {table} WHERE {key} IN ({sql.placeholders(len(chunk))})"
        rows.extend(await sql.fetch(query, *chunk))
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
    " prev_hash, hash"
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
def _unique_violation_as_already_exists(message: str | None = None) -> Iterator[None]:
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


class PiccoloItems(ports.ItemRepository):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def by_barcodes(self, barcodes: Iterable[str]) -> dict[str, Item]:
        rows = await _select_in(ITEM_COLUMNS, "item", "barcode", barcodes)
        return {r["barcode"]: item_from_row(r) for r in rows}

    async def by_ids(self, ids: Iterable[str]) -> dict[str, Item]:
        rows = await _select_in(ITEM_COLUMNS, "item", "id", ids)
        return {r["id"]: item_from_row(r) for r in rows}

    async def add_many(self, items: Sequence[Item]) -> None:
        statement = (
            "INSERT INTO item (id, barcode, kind, number, division, width_mm, home_location,"
            " home_container, created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, CURRENT_TIMESTAMP)"
        )
        rows = [
            (
                i.id,
                i.barcode,
                i.kind.value,
                i.number,
                i.division,
                i.width_mm,
                i.home_location_id,
                i.home_container_id,
            )
            for i in items
        ]
        with _unique_violation_as_already_exists():
            await sql.execute_many(self._engine, statement, rows)

    async def set_homes(self, homes: Mapping[str, Home]) -> None:
        rows = [
            (item_id, h.location_id, h.container_id) for item_id, h in homes.items()
        ]
        await sql.update_rows(
            self._engine,
            "item",
            "id",
            (("home_location", "varchar"), ("home_container", "varchar")),
            rows,
        )

    async def occupancy(self, location_ids: Iterable[str]) -> dict[str, int]:
        used: dict[str, int] = {}
        for row in await _select_in(
            "home_location, kind, width_mm", "item", "home_location", location_ids
        ):
            item_kind = ItemKind(row["kind"])
            width = (
                row["width_mm"]
                if row["width_mm"] is not None
                else DEFAULT_WIDTH_MM[item_kind]
            )
            used[row["home_location"]] = used.get(row["home_location"], 0) + width
        return used

    async def next_serials(self, prefix: str, count: int) -> int:
        await (
            SerialCounter.insert(SerialCounter(prefix=prefix, next_value=1))
            .on_conflict(action="DO NOTHING", target=SerialCounter.prefix)
            .run()
        )
        rows = await sql.fetch(
            "UPDATE serial_counter SET next_value = next_value + {} WHERE prefix = {} RETURNING next_value",
            count,
            prefix,
        )
        return int(rows[0]["next_value"]) - count


class PiccoloLocations(ports.LocationRepository):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def by_refs(self, refs: Iterable[str]) -> dict[str, Location]:
        refs = set(refs)
        found: dict[str, Location] = {}
        for row in await _select_in(LOCATION_COLUMNS, "location", "barcode", refs):
            found[row["barcode"]] = location_from_row(row)
        for row in await _select_in(LOCATION_COLUMNS, "location", "code", refs):
            found[row["code"]] = location_from_row(row)
        return found

    async def by_ids(self, ids: Iterable[str]) -> dict[str, Location]:
        rows = await _select_in(LOCATION_COLUMNS, "location", "id", ids)
        return {r["id"]: location_from_row(r) for r in rows}

    async def add_many(self, locations: Sequence[Location]) -> None:
        statement = (
            "INSERT INTO location (id, barcode, kind, code, path, parent, capacity_mm, reserved_mm,"
            " neutralised, walk_order, created_at)"
            " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, CURRENT_TIMESTAMP)"
        )
        rows = [
            (
                loc.id,
                loc.barcode,
                loc.kind.value,
                loc.code,
                loc.path,
                loc.parent_id,
                loc.capacity_mm,
                loc.reserved_mm,
                loc.neutralised,
                loc.walk_order,
            )
            for loc in locations
        ]
        with _unique_violation_as_already_exists():
            await sql.execute_many(self._engine, statement, rows)


class PiccoloPrincipals(ports.PrincipalRepository):
    _COLUMNS = "id, display_name, roles, division, unit, badge_barcode, active"

    async def by_refs(self, refs: Iterable[str]) -> dict[str, Principal]:
        refs = set(refs)
        found: dict[str, Principal] = {}
        for row in await _select_in(self._COLUMNS, "principal", "id", refs):
            found[row["id"]] = principal_from_row(row)
        for row in await _select_in(self._COLUMNS, "principal", "badge_barcode", refs):
            found[row["badge_barcode"]] = principal_from_row(row)
        return found

    async def add(self, principal: Principal) -> None:
        with _unique_violation_as_already_exists():
            await sql.fetch(
                "INSERT INTO principal (id, display_name, roles, division, unit, badge_barcode, active,"
                " created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, CURRENT_TIMESTAMP)",
                principal.id,
                principal.display_name,
                ",".join(sorted(principal.roles)),
                principal.division,
                principal.unit,
                principal.badge_barcode,
                principal.active,
            )

    async def set_active(self, principal_id: str, active: bool) -> bool:
        rows = await sql.fetch(
            "UPDATE principal SET active = {} WHERE id = {} RETURNING id",
            active,
            principal_id,
        )
        return bool(rows)


class PiccoloTokens(ports.TokenRepository):
    async def by_hash(self, token_hash: str) -> ports.ApiTokenRecord | None:
        row = (
            await ApiToken.select()
            .where(ApiToken.token_hash == token_hash)
            .first()
            .run()
        )
        if row is None:
            return None
        return ports.ApiTokenRecord(
            row["id"], row["name"], row["role"], row["token_hash"], bool(row["revoked"])
        )

    async def add(self, token: ports.ApiTokenRecord) -> None:
        with _unique_violation_as_already_exists(
            f"a token named {token.name!r} exists already"
        ):
            await ApiToken.insert(
                ApiToken(
                    id=token.id,
                    name=token.name,
                    role=token.role,
                    token_hash=token.token_hash,
                    revoked=token.revoked,
                )
            ).run()


class PiccoloLedger(ports.LedgerRepository):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def lock_head(self) -> tuple[int, str]:
        lock = "" if is_sqlite(self._engine) else " FOR UPDATE"
        rows = await sql.fetch(f"SELECT seq, hash FROM chain_head WHERE id = 1{lock}")
        return int(rows[0]["seq"]), rows[0]["hash"]

    async def append_many(self, entries: Sequence[LedgerEntry]) -> None:
        rows = [movement_row(e) for e in entries]
        await sql.insert_rows(self._engine, "movement", MOVEMENT_TYPES, rows)

    async def set_head(self, seq: int, hash_: str) -> None:
        await sql.fetch(
            "UPDATE chain_head SET seq = {}, hash = {} WHERE id = 1", seq, hash_
        )


class PiccoloPositions(ports.PositionRepository):
    _TYPES = (
        ("item_id", "varchar"),
        ("state", "varchar"),
        ("custodian_kind", "varchar"),
        ("custodian_id", "varchar"),
        ("custodian_label", "varchar"),
        ("since", "timestamptz"),
        ("last_seq", "bigint"),
        ("event_id", "varchar"),
        ("destination", "varchar"),
        ("last_verified_at", "timestamptz"),
    )
    _COLUMNS = ", ".join(name for name, _ in _TYPES)
    _UPSERT = (
        "ON CONFLICT (item_id) DO UPDATE SET state = excluded.state,"
        " custodian_kind = excluded.custodian_kind, custodian_id = excluded.custodian_id,"
        " custodian_label = excluded.custodian_label, since = excluded.since,"
        " last_seq = excluded.last_seq, event_id = excluded.event_id,"
        " destination = excluded.destination, last_verified_at = excluded.last_verified_at"
    )

    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def get_many(self, item_ids: Iterable[str]) -> dict[str, Position]:
        rows = await _select_in(self._COLUMNS, "position", "item_id", item_ids)
        return {r["item_id"]: position_from_row(r) for r in rows}

    async def upsert_many(self, positions: Sequence[Position]) -> None:
        rows = [
            (
                p.item_id,
                p.state.value,
                p.custodian.kind.value,
                p.custodian.id,
                p.custodian.label,
                p.since,
                p.last_seq,
                p.event_id,
                p.destination,
                p.last_verified_at,
            )
            for p in positions
        ]
        await sql.insert_rows(self._engine, "position", self._TYPES, rows, self._UPSERT)


class PiccoloInbox(ports.InboxRepository):
    _TYPES = (
        ("event_id", "varchar"),
        ("digest", "varchar"),
        ("outcome", "varchar"),
        ("code", "varchar"),
        ("message", "text"),
        ("seq", "bigint"),
        ("source", "varchar"),
        ("submitted_by", "varchar"),
        ("received_at", "timestamptz"),
    )
    _COLUMNS = ", ".join(name for name, _ in _TYPES)

    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def get_many(self, event_ids: Iterable[str]) -> dict[str, ports.InboxRecord]:
        rows = await _select_in(self._COLUMNS, "movement_inbox", "event_id", event_ids)
        return {r["event_id"]: ports.InboxRecord(**r) for r in rows}

    async def add_many(self, records: Sequence[ports.InboxRecord]) -> None:
        rows = [
            (
                r.event_id,
                r.digest,
                r.outcome,
                r.code,
                r.message,
                r.seq,
                r.source,
                r.submitted_by,
                r.received_at,
            )
            for r in records
        ]
        await sql.insert_rows(self._engine, "movement_inbox", self._TYPES, rows)


class PiccoloJournal(ports.JournalRepository):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def add_many(self, rejections: Sequence[ports.Rejection]) -> None:
        statement = (
            "INSERT INTO rejection_journal (event_id, source, code, message, body, submitted_by, received_at)"
            f" VALUES ({sql.placeholders(7)})"
        )
        rows = [
            (
                r.event_id,
                r.source,
                r.code,
                r.message,
                r.body,
                r.submitted_by,
                r.received_at,
            )
            for r in rejections
        ]
        await sql.execute_many(self._engine, statement, rows)
