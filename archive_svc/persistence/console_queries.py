"""The console's read models over the projection, the ledger and the scan inbox."""

from datetime import datetime
from typing import Any

from piccolo.engine.base import Engine

from archive_svc.domain.model import (
    DEFAULT_WIDTH_MM,
    Item,
    ItemKind,
    Location,
    Principal,
)
from archive_svc.persistence import rowmap as repos
from archive_svc.persistence import sql
from archive_svc.persistence.people import PiccoloPrincipals
from archive_svc.persistence.sql import placeholders
from archive_svc.services.ports import console as views

_ITEM_COLS = ", ".join(f"i.{c.strip()}" for c in repos.ITEM_COLUMNS.split(","))
_OUT = tuple(s.value for s in views.OUT_STATES)
_HELD = (
    f"SELECT {_ITEM_COLS}, p.state, p.since, p.custodian_kind, p.custodian_id,"
    " COALESCE(pr.display_name, l.code, c.barcode, p.custodian_label) AS holder"
    " FROM position p JOIN item i ON i.id = p.item_id"
    " LEFT JOIN principal pr ON p.custodian_kind = 'person' AND pr.id = p.custodian_id"
    " LEFT JOIN location l ON p.custodian_kind = 'location' AND l.id = p.custodian_id"
    " LEFT JOIN item c ON p.custodian_kind = 'container' AND c.id = p.custodian_id"
)
_SUBTREE = (
    "WITH RECURSIVE sub(id, depth) AS (SELECT id, 0 FROM location WHERE id = {}"
    " UNION ALL SELECT l.id, sub.depth + 1 FROM location l JOIN sub ON l.parent = sub.id"
    " WHERE sub.depth < 16)"
)


def _held(row: dict[str, Any]) -> views.HeldLine:
    return views.HeldLine(
        repos.item_from_row(row),
        row["state"],
        row["since"],
        row["custodian_kind"],
        row["custodian_id"],
        row["holder"] or "",
    )


def _like(term: str) -> str:
    return term.upper().replace("\\", "").replace("%", "").replace("_", "")


class PiccoloConsoleQueries(views.ConsoleQueries):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def _fetch(self, statement: str, *args: Any) -> list[dict[str, Any]]:
        return await sql.fetch(self._engine, statement, *args)

    async def _count(self, statement: str, *args: Any) -> int:
        rows = await self._fetch(statement, *args)
        return int(rows[0]["n"] or 0) if rows else 0

    async def day_figures(
        self, day_start: datetime, now: datetime, overdue_before: datetime
    ) -> views.DayFigures:
        out_in = placeholders(len(_OUT))
        return views.DayFigures(
            movements_today=await self._count(
                "SELECT COUNT(*) AS n FROM movement WHERE recorded_at >= {}", day_start
            ),
            out=await self._count(
                f"SELECT COUNT(*) AS n FROM position WHERE state IN ({out_in})", *_OUT
            ),
            overdue=await self._count(
                f"SELECT COUNT(*) AS n FROM position WHERE state IN ({out_in})"
                " AND since < {}",
                *_OUT,
                overdue_before,
            ),
            discrepancies=await self._count(
                "SELECT COUNT(*) AS n FROM scan_inbox s JOIN item i ON i.barcode = s.code"
                " JOIN position p ON p.item_id = i.id"
                " WHERE s.reason_code = 'location_mismatch' AND p.since < s.received_at"
            ),
            stations=tuple(await self._stations(now)),
        )

    async def _stations(self, now: datetime) -> list[views.StationSeen]:
        rows = await self._fetch(
            "SELECT s.device_id, s.received_at, s.code, s.outcome, s.reason_code,"
            " s.message"
            " FROM scan_inbox s JOIN (SELECT device_id, MAX(received_at) AS last"
            " FROM scan_inbox WHERE received_at >= {} GROUP BY device_id) m"
            " ON m.device_id = s.device_id AND m.last = s.received_at"
            " ORDER BY s.device_id",
            now - views.STATION_WINDOW,
        )
        seen: dict[str, views.StationSeen] = {}
        for r in rows:
            seen.setdefault(
                r["device_id"],
                views.StationSeen(
                    r["device_id"],
                    r["received_at"],
                    r["code"],
                    r["outcome"],
                    r["reason_code"] or "",
                    r["message"] or "",
                ),
            )
        return list(seen.values())

    async def out_of_stores(
        self, offset: int, limit: int
    ) -> tuple[list[views.HeldLine], int]:
        out_in = placeholders(len(_OUT))
        total = await self._count(
            f"SELECT COUNT(*) AS n FROM position WHERE state IN ({out_in})", *_OUT
        )
        rows = await self._fetch(
            _HELD + f" WHERE p.state IN ({out_in}) ORDER BY p.since, i.barcode"
            " LIMIT {} OFFSET {}",
            *_OUT,
            limit,
            offset,
        )
        return [_held(r) for r in rows], total

    async def held_by(self, person_id: str) -> list[views.HeldLine]:
        rows = await self._fetch(
            _HELD + " WHERE p.custodian_kind = 'person' AND p.custodian_id = {}"
            " ORDER BY p.since, i.barcode LIMIT 1000",
            person_id,
        )
        return [_held(r) for r in rows]

    async def find_people(self, term: str, limit: int) -> list[Principal]:
        pattern = "%" + _like(term) + "%"
        rows = await self._fetch(
            f"SELECT {PiccoloPrincipals._COLUMNS} FROM principal"
            " WHERE (UPPER(id) LIKE {} OR UPPER(display_name) LIKE {})"
            " AND roles NOT LIKE '%gateway%' ORDER BY display_name LIMIT {}",
            pattern,
            pattern,
            limit,
        )
        return [repos.principal_from_row(r) for r in rows]

    async def find_items(self, term: str, limit: int) -> list[Item]:
        bare = _like(term).replace("-", "").replace(" ", "")
        if not bare:
            return []
        rows = await self._fetch(
            f"SELECT {repos.ITEM_COLUMNS} FROM item"
            " WHERE UPPER(number) LIKE {} OR REPLACE(UPPER(number), '-', '') LIKE {}"
            " OR barcode LIKE {} ORDER BY number, kind LIMIT {}",
            _like(term) + "%",
            bare + "%",
            bare + "%",
            limit,
        )
        return [repos.item_from_row(r) for r in rows]

    async def totals(self, location: Location) -> views.Totals:
        shelves = await self._fetch(
            _SUBTREE + " SELECT COUNT(*) AS n, SUM(l.capacity_mm) AS cap,"
            " SUM(l.reserved_mm) AS res FROM sub JOIN location l ON l.id = sub.id"
            " WHERE l.kind = 'shelf'",
            location.id,
        )
        items = await self._fetch(
            _SUBTREE + " SELECT i.kind, i.width_mm, i.id FROM sub"
            " JOIN position p ON p.custodian_kind = 'location' AND p.custodian_id = sub.id"
            " JOIN item i ON i.id = p.item_id",
            location.id,
        )
        boxes = [r["id"] for r in items if r["kind"] == ItemKind.BOX]
        files = sum(r["kind"] == ItemKind.FILE for r in items)
        files += await self._files_in(boxes)
        used = sum(
            r["width_mm"]
            if r["width_mm"] is not None
            else DEFAULT_WIDTH_MM[ItemKind(r["kind"])]
            for r in items
        )
        head = shelves[0]
        return views.Totals(
            shelves=int(head["n"] or 0),
            boxes=len(boxes),
            files=files,
            used_mm=used + int(head["res"] or 0),
            capacity_mm=int(head["cap"] or 0),
        )

    async def _files_in(self, boxes: list[str]) -> int:
        total = 0
        for start in range(0, len(boxes), 500):
            chunk = boxes[start : start + 500]
            total += await self._count(
                "SELECT COUNT(*) AS n FROM position WHERE custodian_kind = 'container'"
                f" AND custodian_id IN ({placeholders(len(chunk))})",
                *chunk,
            )
        return total

    async def children(self, location_id: str) -> list[Location]:
        rows = await self._fetch(
            f"SELECT {repos.LOCATION_COLUMNS} FROM location WHERE parent = {{}}"
            " ORDER BY walk_order, code",
            location_id,
        )
        return [repos.location_from_row(r) for r in rows]

    async def held_in(self, custodian_id: str, offset: int, limit: int) -> views.Page:
        total = await self._count(
            "SELECT COUNT(*) AS n FROM position WHERE custodian_id = {}", custodian_id
        )
        rows = await self._fetch(
            f"SELECT {_ITEM_COLS}, p.state, p.since,"
            " (SELECT COUNT(*) FROM position q WHERE q.custodian_kind = 'container'"
            " AND q.custodian_id = i.id) AS contains"
            " FROM position p JOIN item i ON i.id = p.item_id"
            " WHERE p.custodian_id = {} ORDER BY i.number, i.barcode LIMIT {} OFFSET {}",
            custodian_id,
            limit,
            offset,
        )
        lines = tuple(
            views.Line(
                repos.item_from_row(r), r["state"], r["since"], int(r["contains"] or 0)
            )
            for r in rows
        )
        return views.Page(lines, total)

    async def suggest(self, term: str, limit: int) -> list[views.Suggestion]:
        start = _like(term.strip())
        if len(start) < 2:
            return []
        places = await self._fetch(
            "SELECT code, path FROM location WHERE UPPER(code) LIKE {}"
            " OR barcode LIKE {} ORDER BY walk_order, code LIMIT {}",
            start + "%",
            start + "%",
            limit,
        )
        boxes = await self._fetch(
            "SELECT barcode, number FROM item WHERE kind = 'box'"
            " AND (UPPER(number) LIKE {} OR barcode LIKE {}) ORDER BY number LIMIT {}",
            start + "%",
            start + "%",
            limit,
        )
        people = await self.find_people(term.strip(), limit)
        found = [views.Suggestion("location", r["code"], r["path"]) for r in places]
        found += [views.Suggestion("box", r["barcode"], r["number"]) for r in boxes]
        found += [
            views.Suggestion("person", p.id, p.display_name) for p in people if p.active
        ]
        return found[:limit]
