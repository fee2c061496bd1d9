"""The access journal: every route decision and every confidential read (access-rules.md §7)."""

from __future__ import annotations

from collections.abc import Sequence

from archive_svc.services.ports.journal import AccessJournalRepository, JournalEntry


async def record(
    entries: Sequence[JournalEntry], journal: AccessJournalRepository
) -> None:
    """Append entries durably before returning (the table is insert-only).

    The repository writes them in one atomic statement of their own, or inside the
    caller's transaction when there is one.
    """
    if entries:
        await journal.add_many(entries)
