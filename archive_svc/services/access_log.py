"""The access journal: every route decision and every confidential read (access-rules.md §7)."""

from __future__ import annotations

from archive_svc.services.ports import AbstractUnitOfWork, JournalEntry


async def record(entries: list[JournalEntry], uow: AbstractUnitOfWork) -> None:
    """Append entries in one short transaction (the table is insert-only)."""
    async with uow:
        await uow.access_journal.add_many(entries)
        await uow.commit()
