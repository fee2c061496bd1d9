"""Audit store: checkpoints, the journal chain and its purges (raw SQL, both engines)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from piccolo.engine.base import Engine

from archive_svc.domain.audit import Checkpoint
from archive_svc.domain.chain import GENESIS_HASH, LedgerEntry
from archive_svc.domain.journal_chain import JournalRow, PurgeSummary
from archive_svc.domain.projection import ProjectedPosition
from archive_svc.persistence import sql
from archive_svc.persistence.engine import is_sqlite
from archive_svc.persistence.rowmap import (
    MOVEMENT_COLUMNS,
    TIME_COLUMNS,
    entry_from_row,
)
from archive_svc.persistence.unit_of_work import PiccoloUnitOfWork
from archive_svc.services.ports.audit import AuditStore, AuditUnitOfWork

_BATCH = 2000
_JOURNAL = (
    "id, at, principal_ref, role, action, object_ref, decision, rule, reason,"
    " client, channel, seq, prev_hash, hash"
)
_CHECKPOINT = "chain, seq, hash, at, key_id, signature"
_PURGE = (
    "first_seq, last_seq, row_count, first_hash, last_hash, before_at, at,"
    " key_id, signature"
)
_POSITION = (
    "item_id, state, custodian_kind, custodian_id, since, last_seq, event_id,"
    " destination, last_verified_at"
)


def _journal_row(r: Mapping[str, Any]) -> JournalRow:
    return JournalRow(**r)


def _purge(r: Mapping[str, Any]) -> PurgeSummary:
    return PurgeSummary(
        int(r["first_seq"]), int(r["last_seq"]), int(r["row_count"]),
        r["first_hash"], r["last_hash"], r["before_at"], r["at"], r["key_id"],
        r["signature"],
    )  # fmt: skip


class PiccoloAuditStore(AuditStore):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def ledger_head(self) -> tuple[int, str]:
        rows = await sql.fetch(
            self._engine, "SELECT seq, hash FROM chain_head WHERE id = 1"
        )
        return (int(rows[0]["seq"]), rows[0]["hash"]) if rows else (0, GENESIS_HASH)

    async def ledger(self, after: int, upto: int) -> AsyncIterator[LedgerEntry]:
        columns = MOVEMENT_COLUMNS
        if is_sqlite(self._engine):
            for c in TIME_COLUMNS:  # the stored text, checked by entry_from_row
                columns = columns.replace(c, f"CAST({c} AS TEXT) AS {c}")
        while True:
            rows = await sql.fetch(self._engine, f"SELECT {columns} FROM movement WHERE seq > {{}} AND seq <= {{}}"
                " ORDER BY seq LIMIT {}",
                after, upto, _BATCH,
            )  # fmt: skip
            for row in rows:
                yield entry_from_row(row)
            if len(rows) < _BATCH:
                return
            after = int(rows[-1]["seq"])

    async def checkpoints(self, chain: str) -> list[Checkpoint]:
        rows = await sql.fetch(
            self._engine,
            f"SELECT {_CHECKPOINT} FROM audit_checkpoint WHERE chain = {{}} ORDER BY id",
            chain,
        )
        return [Checkpoint(**r) for r in rows]

    async def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        c = checkpoint
        await sql.fetch(self._engine, f"INSERT INTO audit_checkpoint ({_CHECKPOINT}) VALUES ({sql.placeholders(6)})",
            c.chain, c.seq, c.hash, c.at, c.key_id, c.signature,
        )  # fmt: skip

    async def journal_head(self) -> tuple[int, str]:
        rows = await sql.fetch(
            self._engine, "SELECT seq, hash FROM journal_head WHERE id = 1"
        )
        return (int(rows[0]["seq"]), rows[0]["hash"]) if rows else (0, GENESIS_HASH)

    async def journal(self, after: int, upto: int) -> AsyncIterator[JournalRow]:
        while True:
            rows = await sql.fetch(self._engine, f"SELECT {_JOURNAL} FROM access_journal"
                " WHERE seq > {} AND seq <= {} ORDER BY seq LIMIT {}",
                after, upto, _BATCH,
            )  # fmt: skip
            for row in rows:
                yield _journal_row(row)
            if len(rows) < _BATCH:
                return
            after = int(rows[-1]["seq"])

    async def unsealed_count(self) -> int:
        rows = await sql.fetch(
            self._engine, "SELECT COUNT(*) AS n FROM access_journal WHERE hash IS NULL"
        )
        return int(rows[0]["n"])

    async def any_unsealed(self) -> bool:
        rows = await sql.fetch(
            self._engine,
            "SELECT id FROM access_journal WHERE hash IS NULL ORDER BY id LIMIT 1",
        )
        return bool(rows)

    async def lock_journal_head(self) -> tuple[int, str]:
        await sql.fetch(
            self._engine,
            "INSERT INTO journal_head (id, seq, hash) VALUES (1, 0, {})"
            " ON CONFLICT (id) DO NOTHING",
            GENESIS_HASH,
        )
        lock = "" if is_sqlite(self._engine) else " FOR UPDATE"
        rows = await sql.fetch(
            self._engine, f"SELECT seq, hash FROM journal_head WHERE id = 1{lock}"
        )
        return int(rows[0]["seq"]), rows[0]["hash"]

    async def unsealed(self, limit: int) -> list[JournalRow]:
        rows = await sql.fetch(
            self._engine,
            f"SELECT {_JOURNAL} FROM access_journal WHERE hash IS NULL"
            " ORDER BY id LIMIT {}",
            limit,
        )
        return [_journal_row(r) for r in rows]

    async def write_seals(
        self, rows: Sequence[JournalRow], head: tuple[int, str]
    ) -> None:
        values = [(r.seq, r.prev_hash, r.hash, r.id) for r in rows]
        if is_sqlite(self._engine):
            await sql.execute_many(
                self._engine,
                "UPDATE access_journal SET seq = {}, prev_hash = {}, hash = {}"
                " WHERE id = {}",
                values,
            )
        else:
            await sql.fetch(
                self._engine,
                "UPDATE access_journal SET seq = v.seq, prev_hash = v.prev_hash,"
                " hash = v.hash FROM unnest({}::bigint[], {}::varchar[],"
                " {}::varchar[], {}::bigint[]) AS v(seq, prev_hash, hash, id)"
                " WHERE access_journal.id = v.id",
                *[list(column) for column in zip(*values, strict=True)],
            )
        await sql.fetch(
            self._engine,
            "UPDATE journal_head SET seq = {}, hash = {} WHERE id = 1",
            *head,
        )

    async def purges(self) -> list[PurgeSummary]:
        rows = await sql.fetch(
            self._engine,
            f"SELECT {_PURGE} FROM access_journal_purge ORDER BY first_seq",
        )
        return [_purge(r) for r in rows]

    async def journal_span_before(
        self, before: datetime
    ) -> tuple[JournalRow, JournalRow, int] | None:
        first = await sql.fetch(
            self._engine,
            f"SELECT {_JOURNAL} FROM access_journal WHERE seq IS NOT NULL"
            " ORDER BY seq LIMIT 1",
        )
        if not first or first[0]["at"] >= before:
            return None
        newer = await sql.fetch(
            self._engine,
            "SELECT MIN(seq) AS s FROM access_journal WHERE seq IS NOT NULL AND at >= {}",
            before,
        )
        if newer[0]["s"] is not None:
            last_seq = int(newer[0]["s"]) - 1
        else:
            last_seq = (await self.journal_head())[0]
        last = await sql.fetch(
            self._engine,
            f"SELECT {_JOURNAL} FROM access_journal WHERE seq = {{}}",
            last_seq,
        )
        start = int(first[0]["seq"])
        return _journal_row(first[0]), _journal_row(last[0]), last_seq - start + 1

    async def purge(self, summary: PurgeSummary) -> int:
        s = summary
        await sql.fetch(self._engine, f"INSERT INTO access_journal_purge ({_PURGE}) VALUES ({sql.placeholders(9)})",
            s.first_seq, s.last_seq, s.count, s.first_hash, s.last_hash, s.before,
            s.at, s.key_id, s.signature,
        )  # fmt: skip
        rows = await sql.fetch(
            self._engine,
            "DELETE FROM access_journal WHERE seq <= {} RETURNING id",
            s.last_seq,
        )
        return len(rows)

    async def location_codes(self) -> dict[str, str]:
        rows = await sql.fetch(self._engine, "SELECT id, code FROM location")
        return {r["id"]: r["code"] for r in rows}

    async def positions(self) -> AsyncIterator[tuple[str, ProjectedPosition]]:
        after = ""
        while True:
            rows = await sql.fetch(self._engine, f"SELECT {_POSITION} FROM position WHERE item_id > {{}}"
                " ORDER BY item_id LIMIT {}",
                after, _BATCH,
            )  # fmt: skip
            for r in rows:
                yield r["item_id"], _position(r)
            if len(rows) < _BATCH:
                return
            after = rows[-1]["item_id"]


def _position(r: Mapping[str, Any]) -> ProjectedPosition:
    return ProjectedPosition(
        r["state"], r["custodian_kind"], r["custodian_id"], r["since"],
        int(r["last_seq"]), r["event_id"], r["destination"] or "",
        r["last_verified_at"],
    )  # fmt: skip


class PiccoloAuditUnitOfWork(PiccoloUnitOfWork, AuditUnitOfWork):
    """The unit of work with the audit store added."""

    def __init__(self, engine: Engine[Any]) -> None:
        super().__init__(engine)
        self.audit = PiccoloAuditStore(engine)
