"""Every read model in one adapter (the ``ports.Queries`` the edges are given)."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine

from archive_svc.persistence import sql
from archive_svc.persistence.custody_queries import PiccoloCustodyQueries
from archive_svc.persistence.journal import PiccoloJournalQueries
from archive_svc.persistence.people import PiccoloPeopleQueries
from archive_svc.persistence.tables import TABLES
from archive_svc.services import ports


class PiccoloQueries(
    PiccoloCustodyQueries, PiccoloPeopleQueries, PiccoloJournalQueries, ports.Queries
):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def counts(self) -> dict[str, int]:
        result = {}
        for table in TABLES:
            name = table._meta.tablename
            rows = await sql.fetch(self._engine, f"SELECT COUNT(*) AS n FROM {name}")
            result[name] = int(rows[0]["n"])
        return result
