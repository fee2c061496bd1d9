"""Credentials and the append-only access journal (raw SQL, both engines)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from piccolo.engine.base import Engine

from archive_svc.persistence import sql
from archive_svc.services import ports

_JOURNAL_COLUMNS = "at, principal_ref, role, action, object_ref, decision, rule, reason, client, channel"


class PiccoloCredentials(ports.CredentialRepository):
    async def get(self, principal_id: str) -> ports.Credential | None:
        rows = await sql.fetch(
            "SELECT principal_id, password_hash, failed_count, locked_until, changed_at"
            " FROM credential WHERE principal_id = {}",
            principal_id,
        )
        if not rows:
            return None
        r = rows[0]
        return ports.Credential(
            r["principal_id"],
            r["password_hash"],
            int(r["failed_count"]),
            r["locked_until"],
            r["changed_at"],
        )

    async def put(self, credential: ports.Credential, at: datetime) -> None:
        await sql.fetch(
            "INSERT INTO credential (principal_id, password_hash, failed_count, locked_until,"
            " changed_at) VALUES ({}, {}, 0, NULL, {}) ON CONFLICT (principal_id) DO UPDATE"
            " SET password_hash = excluded.password_hash, failed_count = 0,"
            " locked_until = NULL, changed_at = excluded.changed_at",
            credential.principal_id,
            credential.password_hash,
            at,
        )

    async def record_attempt(
        self, principal_id: str, failed_count: int, locked_until: datetime | None
    ) -> None:
        await sql.fetch(
            "UPDATE credential SET failed_count = {}, locked_until = {}"
            " WHERE principal_id = {}",
            failed_count,
            locked_until,
            principal_id,
        )


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
    if query.since is not None:
        clauses.append("at >= {}")
        args.append(query.since)
    if query.until is not None:
        clauses.append("at < {}")
        args.append(query.until)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


async def journal_entries(
    query: ports.JournalQuery, offset: int, limit: int
) -> tuple[list[ports.JournalEntry], int]:
    where, args = _journal_where(query)
    total = await sql.fetch(f"SELECT COUNT(*) AS n FROM access_journal{where}", *args)
    rows = await sql.fetch(
        f"SELECT {_JOURNAL_COLUMNS} FROM access_journal{where}"
        " ORDER BY id DESC LIMIT {} OFFSET {}",
        *args,
        limit,
        offset,
    )
    return [ports.JournalEntry(**r) for r in rows], int(total[0]["n"])
