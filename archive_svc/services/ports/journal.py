"""Journal ports: refused inputs (rejection journal) and the access journal."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Rejection:
    event_id: str | None
    source: str
    code: str
    message: str
    body: str
    submitted_by: str
    received_at: datetime


@dataclass(frozen=True)
class JournalEntry:
    """One access decision or confidential read (access-rules.md §7)."""

    at: datetime
    principal_ref: str
    role: str
    action: str
    object_ref: str
    decision: str
    """``allow`` or ``deny``."""
    rule: str
    reason: str = ""
    client: str = ""
    channel: str = "web"
    """``web`` (session) or ``api`` (bearer token)."""


@dataclass(frozen=True)
class JournalQuery:
    principal_ref: str = ""
    action: str = ""
    decision: str = ""
    since: datetime | None = None
    until: datetime | None = None
    object_ref: str = ""
    """Rows whose object contains this text (a barcode finds its page views too)."""


class JournalRepository(abc.ABC):
    @abc.abstractmethod
    async def add_many(self, rejections: Sequence[Rejection]) -> None: ...


class AccessJournalRepository(abc.ABC):
    """Append-only: the table refuses UPDATE and DELETE."""

    @abc.abstractmethod
    async def add_many(self, entries: Sequence[JournalEntry]) -> None: ...


class JournalQueries(abc.ABC):
    """Reads of the access journal; no transaction needed, never writes."""

    @abc.abstractmethod
    async def journal_entries(
        self, query: JournalQuery, offset: int, limit: int
    ) -> tuple[list[JournalEntry], int]:
        """Access journal rows matching ``query``, newest first, and their count."""
