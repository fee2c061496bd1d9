"""Ledger checks shared by the property and concurrency tests.

``fold`` recomputes each item's custody from the ``movement`` rows alone, so the
projection can be compared with it. ``Attacker`` is a raw driver connection that
edits stored rows behind the service's back, the way someone with database access
would; ``unguarded`` opens one with the append-only guard switched off.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archive_svc.domain.custody import EXTERNAL_PREFIX, VIRTUAL_STATE
from archive_svc.domain.model import Location, Position, State
from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch

#: Kinds that leave custody where it was.
NO_CUSTODY_CHANGE = frozenset({"verify", "seal_event"})
#: State after a custody-changing kind whose target does not decide it.
FIXED_STATE = {
    "shelve": State.IN_STORAGE,
    "relocate": State.IN_STORAGE,
    "pick": State.WITH_AGENT,
    "return": State.WITH_AGENT,
    "hand_over": State.ON_LOAN,
    "transfer_between_requesters": State.ON_LOAN,
    "in_transit": State.IN_TRANSIT,
    "send_to_digitisation": State.DIGITISATION,
    "send_to_history_mission": State.HISTORY_MISSION,
    "send_outside": State.OUTSIDE,
    "declare_missing": State.MISSING,
    "destroy": State.DESTROYED,
}


@dataclass(frozen=True)
class Folded:
    """An item's custody according to the ledger alone."""

    custodian_ref: str
    state: State
    since: datetime
    event_id: str
    last_seq: int


async def movement_rows(item_ids: Iterable[str]) -> list[dict[str, Any]]:
    ids = sorted(set(item_ids))
    if not ids:
        return []
    marks = ", ".join(["{}"] * len(ids))
    return await fetch(
        current(),
        "SELECT seq, event_id, kind, item, to_ref, effective_at, payload FROM movement"
        f" WHERE item IN ({marks}) ORDER BY seq",
        *ids,
    )


def fold(
    rows: Sequence[dict[str, Any]], places: dict[str, Location]
) -> dict[str, Folded]:
    """Each item's custody after replaying its entries in ``seq`` order."""
    state: dict[str, Folded] = {}
    for row in sorted(rows, key=lambda r: r["seq"]):
        item = row["item"]
        if row["kind"] in NO_CUSTODY_CHANGE:
            before = state[item]
            state[item] = Folded(
                before.custodian_ref,
                before.state,
                before.since,
                before.event_id,
                row["seq"],
            )
            continue
        state[item] = Folded(
            row["to_ref"],
            _state_after(row, places),
            row["effective_at"],
            row["event_id"],
            row["seq"],
        )
    return state


def _state_after(row: dict[str, Any], places: dict[str, Location]) -> State:
    if row["kind"] in FIXED_STATE:
        return FIXED_STATE[row["kind"]]
    kind, _, ident = row["to_ref"].partition(":")
    if kind == "person":
        return State(json.loads(row["payload"]).get("state", State.WITH_AGENT))
    place = places.get(ident)
    if place is not None and place.code in VIRTUAL_STATE:
        return VIRTUAL_STATE[place.code]
    if place is not None and place.code.startswith(EXTERNAL_PREFIX):
        return State.OUTSIDE
    return State.IN_STORAGE


def as_folded(p: Position) -> Folded:
    return Folded(p.custodian.ref, p.state, p.since, p.event_id, p.last_seq)


async def all_seqs() -> list[int]:
    return [
        r["seq"]
        for r in await fetch(current(), "SELECT seq FROM movement ORDER BY seq")
    ]


class Attacker:
    """Someone editing the ``movement`` table directly, on either engine."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.sqlite = database_url.startswith("sqlite:///")
        self._conn: Any = None

    async def connect(self) -> Attacker:
        if self.sqlite:
            path = self.url.removeprefix("sqlite:///")
            self._conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        else:
            import asyncpg

            self._conn = await asyncpg.connect(self.url)
        return self

    async def close(self) -> None:
        if self.sqlite:
            self._conn.close()
        else:
            await self._conn.close()

    def _sql(self, statement: str) -> str:
        if self.sqlite:
            return statement.replace("{}", "?")
        parts = statement.split("{}")
        return "".join(
            part + (f"${i}" if i < len(parts) else "")
            for i, part in enumerate(parts, 1)
        )

    async def execute(self, statement: str, *args: Any) -> None:
        if self.sqlite:
            self._conn.execute(self._sql(statement), args)
        else:
            await self._conn.execute(self._sql(statement), *args)

    async def row(self, seq: int) -> dict[str, Any]:
        statement = self._sql("SELECT * FROM movement WHERE seq = {}")
        if self.sqlite:
            cursor = self._conn.execute(statement, (seq,))
            names = [d[0] for d in cursor.description]
            return dict(zip(names, cursor.fetchone(), strict=True))
        return dict(await self._conn.fetchrow(statement, seq))

    async def set(self, seq: int, column: str, value: Any) -> None:
        await self.execute(
            f"UPDATE movement SET {column} = {{}} WHERE seq = {{}}", value, seq
        )

    async def disable_guard(self) -> None:
        if self.sqlite:
            await self.execute("DROP TRIGGER movement_no_update")
        else:
            await self.execute(
                "ALTER TABLE movement DISABLE TRIGGER movement_append_only"
            )

    async def restore_guard(self) -> None:
        if self.sqlite:
            await self.execute(
                "CREATE TRIGGER IF NOT EXISTS movement_no_update BEFORE UPDATE ON movement"
                " BEGIN SELECT RAISE(ABORT, 'movement is append-only'); END"
            )
        else:
            await self.execute(
                "ALTER TABLE movement ENABLE TRIGGER movement_append_only"
            )


@asynccontextmanager
async def unguarded(database_url: str) -> AsyncIterator[Attacker]:
    """An ``Attacker`` with the append-only guard off; restored and closed on exit."""
    conn = await Attacker(database_url).connect()
    try:
        await conn.disable_guard()
        yield conn
    finally:
        await conn.restore_guard()
        await conn.close()
