"""The rejection journal and the append-only access journal (raw SQL, both engines)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.engine.base import Engine

from archive_svc.persistence import sql
from archive_svc.services.ports import journal as ports

_JOURNAL_COLUMNS = "at, principal_ref, role, action, object_ref, decision, rule, reason, client, channel"


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


class PiccoloAccessJournal(ports.AccessJournalRepository):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def add_many(self, entries: Sequence[ports.JournalEntry]) -> None:
        """One ``INSERT`` of every row: atomic on its own, outside a transaction too
        (a request's decision and read are journaled in one round trip)."""
        rows = [
            (
                e.at,
                e.principal_ref[:100],
                e.role[:400],
                e.action[:64],
                e.object_ref[:300],
                e.decision[:8],
                e.rule[:64],
                e.reason[:200],
                e.client[:64],
                e.channel[:8],
            )
            for e in entries
        ]
        for start in range(0, len(rows), _JOURNAL_ROWS_PER_STATEMENT):
            chunk = rows[start : start + _JOURNAL_ROWS_PER_STATEMENT]
            values = ", ".join(f"({sql.placeholders(10)})" for _ in chunk)
            await sql.fetch(
                self._engine,
                f"INSERT INTO access_journal ({_JOURNAL_COLUMNS}) VALUES {values}",
                *(value for row in chunk for value in row),
            )


_JOURNAL_ROWS_PER_STATEMENT = 90
"""10 parameters a row: under SQLite's 999-parameter floor."""


def _journal_where(query: ports.JournalQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    for column, value in (
        ("principal_ref", query.principal_ref),
        ("action", query.action),
        ("decision", query.decision),
    ):
        if value:
            clauses.append(f"{column} = {{}}")
            args.append(value)
    if query.object_ref:
        clauses.append("object_ref LIKE {}")
        args.append("%" + query.object_ref.replace("%", "") + "%")
    if query.since is not None:
        clauses.append("at >= {}")
        args.append(query.since)
    if query.until is not None:
        clauses.append("at < {}")
        args.append(query.until)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


class PiccoloJournalQueries(ports.JournalQueries):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def journal_entries(
        self, query: ports.JournalQuery, offset: int, limit: int
    ) -> tuple[list[ports.JournalEntry], int]:
        where, args = _journal_where(query)
        total = await sql.fetch(
            self._engine, f"SELECT COUNT(*) AS n FROM access_journal{where}", *args
        )
        rows = await sql.fetch(
            self._engine,
            f"SELECT {_JOURNAL_COLUMNS} FROM access_journal{where}"
            " ORDER BY id DESC LIMIT {} OFFSET {}",
            *args,
            limit,
            offset,
        )
        return [ports.JournalEntry(**r) for r in rows], int(total[0]["n"])
