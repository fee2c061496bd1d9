"""An insider with direct database access: triggers off, rows edited or deleted.

Each statement runs on its own connection outside the service (sqlite3 or asyncpg),
the way someone with the database password would work.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import asyncpg


class Insider:
    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.sqlite = database_url.startswith("sqlite:///")

    def _sql(self, statement: str) -> str:
        if self.sqlite:
            return statement.replace("{}", "?")
        parts = statement.split("{}")
        return "".join(
            part + (f"${i}" if i < len(parts) else "")
            for i, part in enumerate(parts, 1)
        )

    async def run(self, statement: str, *args: Any) -> list[dict[str, Any]]:
        if self.sqlite:
            conn = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            try:
                cursor = conn.execute(self._sql(statement), args)
                names = [d[0] for d in cursor.description or ()]
                rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
                conn.commit()
                return rows
            finally:
                conn.close()
        conn = await asyncpg.connect(self.url)
        try:
            return [dict(r) for r in await conn.fetch(self._sql(statement), *args)]
        finally:
            await conn.close()

    async def without_guards(self, table: str) -> None:
        """Drop (SQLite) or disable (PostgreSQL) the table's append-only triggers."""
        if self.sqlite:
            for row in await self.run(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = {}",
                table,
            ):
                await self.run(f"DROP TRIGGER {row['name']}")
        else:
            await self.run(f"ALTER TABLE {table} DISABLE TRIGGER USER")

    async def restore_guards(self, *tables: str) -> None:
        """PostgreSQL only: the database is shared by the run (SQLite's is a copy)."""
        if not self.sqlite:
            for table in tables:
                await self.run(f"ALTER TABLE {table} ENABLE TRIGGER USER")
