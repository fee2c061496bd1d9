"""Audit ports: the checkpoint signer and the audit store (ledger and journal chains)."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from archive_svc.domain.audit import Checkpoint
from archive_svc.domain.chain import LedgerEntry
from archive_svc.domain.journal_chain import JournalRow, PurgeSummary
from archive_svc.domain.projection import ProjectedPosition
from archive_svc.services.ports import AbstractUnitOfWork


class Signer(abc.ABC):
    """Signs checkpoints and purge summaries with a key kept outside the database.

    ``verify`` accepts signatures of the current key and of retired keys (rotation
    keeps old checkpoints verifiable); an unknown ``key_id`` does not verify.
    """

    @property
    @abc.abstractmethod
    def key_id(self) -> str:
        """Fingerprint of the current public key (hex)."""

    @property
    @abc.abstractmethod
    def public_key(self) -> str:
        """The current public key, printable (base64 of the raw key)."""

    @abc.abstractmethod
    def sign(self, payload: bytes) -> str:
        """Hex signature of ``payload`` with the current key."""

    @abc.abstractmethod
    def verify(self, key_id: str, payload: bytes, signature: str) -> bool: ...


class AuditStore(abc.ABC):
    """Reads run on their own; writes run inside an :class:`AuditUnitOfWork`."""

    @abc.abstractmethod
    async def ledger_head(self) -> tuple[int, str]:
        """The ``chain_head`` row: (seq, hash)."""

    @abc.abstractmethod
    def ledger(self, after: int, upto: int) -> AsyncIterator[LedgerEntry]:
        """Movements with ``after < seq <= upto``, in ``seq`` order."""

    @abc.abstractmethod
    async def checkpoints(self, chain: str) -> list[Checkpoint]:
        """Every checkpoint of ``chain``, oldest first."""

    @abc.abstractmethod
    async def add_checkpoint(self, checkpoint: Checkpoint) -> None: ...

    @abc.abstractmethod
    async def journal_head(self) -> tuple[int, str]: ...

    @abc.abstractmethod
    def journal(self, after: int, upto: int) -> AsyncIterator[JournalRow]:
        """Sealed journal rows with ``after < seq <= upto``, in ``seq`` order."""

    @abc.abstractmethod
    async def unsealed_count(self) -> int: ...

    @abc.abstractmethod
    async def any_unsealed(self) -> bool:
        """Whether a row waits for the sealer (cheap: one index probe)."""

    @abc.abstractmethod
    async def lock_journal_head(self) -> tuple[int, str]:
        """Lock the journal head for this transaction; return (seq, hash)."""

    @abc.abstractmethod
    async def unsealed(self, limit: int) -> list[JournalRow]:
        """Up to ``limit`` unchained rows in insertion order."""

    @abc.abstractmethod
    async def write_seals(
        self, rows: Sequence[JournalRow], head: tuple[int, str]
    ) -> None:
        """Store the rows' seq/prev_hash/hash and move the journal head."""

    @abc.abstractmethod
    async def purges(self) -> list[PurgeSummary]: ...

    @abc.abstractmethod
    async def journal_span_before(
        self, before: datetime
    ) -> tuple[JournalRow, JournalRow, int] | None:
        """First and last sealed rows of the leading run of rows older than
        ``before`` (in seq order), and how many; None when there are none."""

    @abc.abstractmethod
    async def purge(self, summary: PurgeSummary) -> int:
        """Store the summary and delete the rows it covers; return how many."""

    @abc.abstractmethod
    async def location_codes(self) -> dict[str, str]: ...

    @abc.abstractmethod
    def positions(self) -> AsyncIterator[tuple[str, ProjectedPosition]]:
        """The stored projection, item by item."""


class AuditUnitOfWork(AbstractUnitOfWork):
    audit: AuditStore
