"""Custody read models over the projection and the ledger (no transaction, no writes)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from piccolo.engine.base import Engine

from archive_svc.domain.chain import LedgerEntry
from archive_svc.domain.model import (
    DEFAULT_WIDTH_MM,
    CustodianKind,
    Item,
    ItemKind,
    Location,
)
from archive_svc.persistence import custody, rowmap, sql
from archive_svc.persistence.engine import is_sqlite
from archive_svc.services.ports import custody as ports

# The custody chain in SQL: one LEFT JOIN pair (container item, its position) per
# level, as ``model.custody_chain`` walks it in Python. Containers nest two deep
# (an envelope in a file in a box), within ``model.CONTAINER_LEVELS``.
_WHERE_IS = (
    "SELECT i.id, i.barcode, i.kind, i.number, i.division, i.width_mm, i.home_location, i.home_container,"
    " p.item_id, p.state, p.custodian_kind, p.custodian_id, p.custodian_label, p.since, p.last_seq,"
    " p.event_id, p.destination, p.last_verified_at, m.kind AS movement_kind,"
    " c1.barcode AS c1_barcode, p1.custodian_kind AS p1_custodian_kind, p1.custodian_id AS p1_custodian_id,"
    " p1.custodian_label AS p1_custodian_label, c2.barcode AS p1_container_barcode,"
    " p2.custodian_kind AS p2_custodian_kind, p2.custodian_id AS p2_custodian_id,"
    " p2.custodian_label AS p2_custodian_label, NULL AS p2_container_barcode,"
    " l.id AS l_id, l.barcode AS l_barcode, l.kind AS l_kind, l.code AS l_code, l.path AS l_path,"
    " l.parent AS l_parent, l.capacity_mm AS l_capacity_mm, l.reserved_mm AS l_reserved_mm,"
    " l.neutralised AS l_neutralised, l.walk_order AS l_walk_order"
    " FROM item i"
    " LEFT JOIN position p ON p.item_id = i.id"
    " LEFT JOIN movement m ON m.seq = p.last_seq"
    " LEFT JOIN item c1 ON p.custodian_kind = 'container' AND c1.id = p.custodian_id"
    " LEFT JOIN position p1 ON p1.item_id = c1.id"
    " LEFT JOIN item c2 ON p1.custodian_kind = 'container' AND c2.id = p1.custodian_id"
    " LEFT JOIN position p2 ON p2.item_id = c2.id"
    " LEFT JOIN location l ON l.id = CASE"
    " WHEN p.custodian_kind = 'location' THEN p.custodian_id"
    " WHEN p1.custodian_kind = 'location' THEN p1.custodian_id"
    " WHEN p2.custodian_kind = 'location' THEN p2.custodian_id END"
    " WHERE i.barcode = {}"
)

_SHELF_JOIN = (
    " LEFT JOIN location l{n} ON p{n}.custodian_kind = 'location'"
    " AND l{n}.id = p{n}.custodian_id AND l{n}.kind = 'shelf' AND p{n}.state = 'in_storage'"
)


class PiccoloCustodyQueries(ports.CustodyQueries):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def where_is(self, barcode: str) -> ports.ItemView | None:
        """One round trip: the item, its position, its containers' and the place."""
        rows = await sql.fetch(self._engine, _WHERE_IS, barcode)
        if not rows:
            return None
        row = rows[0]
        item = rowmap.item_from_row(row)
        if row["item_id"] is None:
            return ports.ItemView(item, None, (), None, None)
        position = rowmap.position_from_row(row)
        location = (
            rowmap.location_from_row(
                {k[2:]: v for k, v in row.items() if k.startswith("l_")}
            )
            if row["l_id"]
            else None
        )
        levels = (
            (
                row["custodian_kind"],
                row["custodian_id"],
                row["custodian_label"],
                row["c1_barcode"],
            ),
            (
                row["p1_custodian_kind"],
                row["p1_custodian_id"],
                row["p1_custodian_label"],
                row["p1_container_barcode"],
            ),
            (
                row["p2_custodian_kind"],
                row["p2_custodian_id"],
                row["p2_custodian_label"],
                None,
            ),
        )
        chain: list[str] = []
        for kind, ident, label, container in levels:
            if kind == CustodianKind.CONTAINER:
                chain.append(container or ident)
                continue
            if kind == CustodianKind.PERSON:
                chain.append(f"{label} ({ident})")
            elif kind == CustodianKind.LOCATION and location is not None:
                chain.append(location.path)
            break
        return ports.ItemView(
            item, position, tuple(chain), location, row["movement_kind"]
        )

    async def history(
        self, item_id: str, offset: int, limit: int
    ) -> tuple[list[LedgerEntry], int]:
        total = await sql.fetch(
            self._engine, "SELECT COUNT(*) AS n FROM movement WHERE item = {}", item_id
        )
        rows = await sql.fetch(
            self._engine,
            f"SELECT {rowmap.MOVEMENT_COLUMNS} FROM movement WHERE item = {{}} ORDER BY seq DESC LIMIT {{}} OFFSET {{}}",
            item_id,
            limit,
            offset,
        )
        return [rowmap.entry_from_row(r) for r in rows], int(total[0]["n"])

    async def location_contents(self, barcode: str) -> ports.LocationContents | None:
        rows = await sql.fetch(
            self._engine,
            f"SELECT {rowmap.LOCATION_COLUMNS} FROM location WHERE barcode = {{}} OR code = {{}}",
            barcode,
            barcode,
        )
        if not rows:
            return None
        location = rowmap.location_from_row(rows[0])
        children = await sql.fetch(
            self._engine,
            f"SELECT {rowmap.LOCATION_COLUMNS} FROM location WHERE parent = {{}} ORDER BY walk_order, code",
            location.id,
        )
        item_cols = ", ".join(f"i.{c.strip()}" for c in rowmap.ITEM_COLUMNS.split(","))
        lines = await sql.fetch(
            self._engine,
            f"SELECT {item_cols}, p.state, p.since FROM position p JOIN item i ON i.id = p.item_id"
            " WHERE p.custodian_id = {} ORDER BY i.barcode LIMIT 5000",
            location.id,
        )
        items = tuple(
            ports.ContentLine(rowmap.item_from_row(r), r["state"], r["since"])
            for r in lines
        )
        occupied = await self._occupied(location)
        free = None
        if location.capacity_mm is not None:
            free = location.capacity_mm - occupied - location.reserved_mm
        return ports.LocationContents(
            location,
            items,
            occupied,
            free,
            tuple(rowmap.location_from_row(c) for c in children),
        )

    async def _occupied(self, location: Location) -> int:
        rows = await sql.fetch(
            self._engine,
            "SELECT kind, width_mm FROM item WHERE home_location = {}",
            location.id,
        )
        return sum(
            r["width_mm"]
            if r["width_mm"] is not None
            else DEFAULT_WIDTH_MM[ItemKind(r["kind"])]
            for r in rows
        )

    async def ledger(self, batch_size: int = 2000) -> AsyncIterator[LedgerEntry]:
        after = 0
        columns = rowmap.MOVEMENT_COLUMNS
        if is_sqlite(self._engine):
            # SQLite keeps times as text that several spellings parse alike: read the
            # text itself, checked and parsed row by row in ``entry_from_row``.
            for c in rowmap.TIME_COLUMNS:
                columns = columns.replace(c, f"CAST({c} AS TEXT) AS {c}")
        while True:
            rows = await sql.fetch(
                self._engine,
                f"SELECT {columns} FROM movement WHERE seq > {{}} ORDER BY seq LIMIT {{}}",
                after,
                batch_size,
            )
            for row in rows:
                yield rowmap.entry_from_row(row)
            if len(rows) < batch_size:
                return
            after = rows[-1]["seq"]

    async def inventory(self) -> AsyncIterator[ports.InventoryRow]:
        for row in await sql.fetch(
            self._engine, "SELECT barcode, code FROM location ORDER BY code"
        ):
            yield ports.InventoryRow(row["barcode"], "location", row["code"], "")
        after = ""
        while True:
            rows = await sql.fetch(
                self._engine,
                "SELECT i.barcode, i.kind, i.number,"
                " COALESCE(l1.barcode, l2.barcode, l3.barcode) AS location FROM item i"
                " LEFT JOIN position p1 ON p1.item_id = i.id"
                + _SHELF_JOIN.format(n=1)
                + " LEFT JOIN position p2 ON p1.custodian_kind = 'container' AND p2.item_id = p1.custodian_id"
                + _SHELF_JOIN.format(n=2)
                + " LEFT JOIN position p3 ON p2.custodian_kind = 'container' AND p3.item_id = p2.custodian_id"
                + _SHELF_JOIN.format(n=3)
                + " WHERE i.barcode > {} ORDER BY i.barcode LIMIT 5000",
                after,
            )
            for row in rows:
                yield ports.InventoryRow(
                    row["barcode"], row["kind"], row["number"], row["location"] or ""
                )
            if len(rows) < 5000:
                return
            after = rows[-1]["barcode"]

    async def items_by_ids(self, ids: Iterable[str]) -> dict[str, Item]:
        return await custody.PiccoloItems(self._engine).by_ids(ids)

    async def container_contents(self, container_id: str) -> list[Item]:
        item_cols = ", ".join(f"i.{c.strip()}" for c in rowmap.ITEM_COLUMNS.split(","))
        rows = await sql.fetch(
            self._engine,
            f"SELECT {item_cols} FROM position p JOIN item i ON i.id = p.item_id"
            " WHERE p.custodian_kind = 'container' AND p.custodian_id = {} ORDER BY i.number",
            container_id,
        )
        return [rowmap.item_from_row(r) for r in rows]

    async def locations_under(self, barcode_or_code: str, kind: str) -> list[Location]:
        roots = await sql.fetch(
            self._engine,
            f"SELECT {rowmap.LOCATION_COLUMNS} FROM location WHERE barcode = {{}} OR code = {{}}",
            barcode_or_code,
            barcode_or_code,
        )
        found: list[Location] = []
        frontier = [rowmap.location_from_row(r) for r in roots]
        while frontier:
            current = frontier.pop(0)
            if current.kind == kind:
                found.append(current)
            children = await sql.fetch(
                self._engine,
                f"SELECT {rowmap.LOCATION_COLUMNS} FROM location WHERE parent = {{}} ORDER BY walk_order, code",
                current.id,
            )
            frontier[:0] = [rowmap.location_from_row(c) for c in children]
        return found

    async def location_lineage(self, barcode_or_code: str) -> list[Location]:
        cols = ", ".join(f"l.{c.strip()}" for c in rowmap.LOCATION_COLUMNS.split(","))
        rows = await sql.fetch(
            self._engine,
            "WITH RECURSIVE lineage(id, depth) AS ("
            " SELECT id, 0 FROM location WHERE barcode = {} OR code = {}"
            " UNION ALL SELECT l.parent, lineage.depth + 1 FROM location l"
            " JOIN lineage ON l.id = lineage.id WHERE l.parent IS NOT NULL AND lineage.depth < 32)"
            f" SELECT {cols} FROM lineage JOIN location l ON l.id = lineage.id"
            " ORDER BY lineage.depth DESC",
            barcode_or_code,
            barcode_or_code,
        )
        return [rowmap.location_from_row(r) for r in rows]

    async def accessions(
        self, since: datetime, until: datetime, kind: str, limit: int
    ) -> list[Item]:
        item_cols = ", ".join(f"i.{c.strip()}" for c in rowmap.ITEM_COLUMNS.split(","))
        rows = await sql.fetch(
            self._engine,
            f"SELECT DISTINCT {item_cols} FROM movement m JOIN item i ON i.id = m.item"
            " WHERE m.kind = 'accession' AND m.recorded_at >= {} AND m.recorded_at < {}"
            " AND i.kind = {} ORDER BY i.barcode LIMIT {}",
            since,
            until,
            kind,
            limit,
        )
        return [rowmap.item_from_row(r) for r in rows]

    async def recent_movements(self, limit: int) -> list[ports.RecentMovement]:
        rows = await sql.fetch(
            self._engine,
            "SELECT m.seq, m.kind, i.barcode, i.number, m.to_ref, m.actor_ref, m.effective_at"
            " FROM movement m JOIN item i ON i.id = m.item ORDER BY m.seq DESC LIMIT {}",
            limit,
        )
        labels = await self.ref_labels(r["to_ref"] for r in rows)
        return [
            ports.RecentMovement(
                **{**r, "to_ref": labels.get(r["to_ref"], r["to_ref"])}
            )
            for r in rows
        ]

    async def ref_labels(self, refs: Iterable[str | None]) -> dict[str, str]:
        """``location:<id>`` and ``container:<id>`` refs as codes people read."""
        wanted: dict[str, set[str]] = {"location": set(), "container": set()}
        for ref in refs:
            kind, _, ident = (ref or "").partition(":")
            if kind in wanted:
                wanted[kind].add(ident)
        labels: dict[str, str] = {}
        for kind, table, column in (
            ("location", "location", "code"),
            ("container", "item", "barcode"),
        ):
            for row in await rowmap.select_in(
                self._engine, f"id, {column}", table, "id", wanted[kind]
            ):
                labels[f"{kind}:{row['id']}"] = row[column]
        return labels

    async def search_items(self, term: str, limit: int) -> list[Item]:
        pattern = term.upper().replace("\\", "").replace("%", "").replace("_", "") + "%"
        rows = await sql.fetch(
            self._engine,
            f"SELECT {rowmap.ITEM_COLUMNS} FROM item WHERE UPPER(number) LIKE {{}}"
            " ORDER BY number, kind LIMIT {}",
            pattern,
            limit,
        )
        return [rowmap.item_from_row(r) for r in rows]
