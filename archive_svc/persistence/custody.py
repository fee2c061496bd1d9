"""Custody repositories: items, locations, the ledger, positions and the movement inbox."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from piccolo.engine.base import Engine

from archive_svc.domain.chain import LedgerEntry
from archive_svc.domain.custody import Home
from archive_svc.domain.ledger import InboxRecord
from archive_svc.domain.model import (
    DEFAULT_WIDTH_MM,
    Item,
    ItemKind,
    Location,
    Position,
)
from archive_svc.persistence import rowmap, sql
from archive_svc.persistence.engine import is_sqlite
from archive_svc.persistence.tables import SerialCounter
from archive_svc.services.ports import custody as ports


class PiccoloItems(ports.ItemRepository):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def by_barcodes(self, barcodes: Iterable[str]) -> dict[str, Item]:
        rows = await rowmap.select_in(
            self._engine, rowmap.ITEM_COLUMNS, "item", "barcode", barcodes
        )
        return {r["barcode"]: rowmap.item_from_row(r) for r in rows}

    async def by_ids(self, ids: Iterable[str]) -> dict[str, Item]:
        rows = await rowmap.select_in(
            self._engine, rowmap.ITEM_COLUMNS, "item", "id", ids
        )
        return {r["id"]: rowmap.item_from_row(r) for r in rows}

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
        with rowmap.unique_violation_as_already_exists():
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
        for row in await rowmap.select_in(
            self._engine,
            "home_location, kind, width_mm",
            "item",
            "home_location",
            location_ids,
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
            self._engine,
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
        rows = await rowmap.select_by_either(
            self._engine, rowmap.LOCATION_COLUMNS, "location", ("barcode", "code"), refs
        )
        found = {
            r["barcode"]: rowmap.location_from_row(r)
            for r in rows
            if r["barcode"] in refs
        }
        found.update(
            {r["code"]: rowmap.location_from_row(r) for r in rows if r["code"] in refs}
        )
        return found

    async def by_ids(self, ids: Iterable[str]) -> dict[str, Location]:
        rows = await rowmap.select_in(
            self._engine, rowmap.LOCATION_COLUMNS, "location", "id", ids
        )
        return {r["id"]: rowmap.location_from_row(r) for r in rows}

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
        with rowmap.unique_violation_as_already_exists():
            await sql.execute_many(self._engine, statement, rows)


class PiccoloLedger(ports.LedgerRepository):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def lock_head(self) -> tuple[int, str]:
        lock = "" if is_sqlite(self._engine) else " FOR UPDATE"
        rows = await sql.fetch(
            self._engine, f"SELECT seq, hash FROM chain_head WHERE id = 1{lock}"
        )
        return int(rows[0]["seq"]), rows[0]["hash"]

    async def append_many(self, entries: Sequence[LedgerEntry]) -> None:
        rows = [rowmap.movement_row(e) for e in entries]
        await sql.insert_rows(self._engine, "movement", rowmap.MOVEMENT_TYPES, rows)

    async def set_head(self, seq: int, hash_: str) -> None:
        await sql.fetch(
            self._engine,
            "UPDATE chain_head SET seq = {}, hash = {} WHERE id = 1",
            seq,
            hash_,
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
        rows = await rowmap.select_in(
            self._engine, self._COLUMNS, "position", "item_id", item_ids
        )
        return {r["item_id"]: rowmap.position_from_row(r) for r in rows}

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

    async def get_many(self, event_ids: Iterable[str]) -> dict[str, InboxRecord]:
        rows = await rowmap.select_in(
            self._engine, self._COLUMNS, "movement_inbox", "event_id", event_ids
        )
        return {r["event_id"]: InboxRecord(**r) for r in rows}

    async def add_many(self, records: Sequence[InboxRecord]) -> None:
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
