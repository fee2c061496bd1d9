"""Checking the hash chain behind ``archive-svc audit verify``."""

from __future__ import annotations

from dataclasses import dataclass

from archive_svc.domain import chain
from archive_svc.services.ports.custody import CustodyQueries


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    head_hash: str
    broken: chain.ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


async def verify_ledger(queries: CustodyQueries) -> VerifyReport:
    """Recompute every link of the chain; stop at the first broken entry."""
    prev, expected, checked = chain.GENESIS_HASH, 1, 0
    min_format = chain.FORMAT_V1
    try:
        async for entry in queries.ledger():
            broken = chain.verify_chain_step(entry, prev, expected, min_format)
            if broken is not None:
                return VerifyReport(checked, prev, broken)
            prev, expected, checked = entry.hash, expected + 1, checked + 1
            min_format = max(min_format, entry.format)
    except (ValueError, TypeError, KeyError) as exc:
        unreadable = chain.ChainBreak(expected, "", f"unreadable row: {exc}")
        return VerifyReport(checked, prev, unreadable)
    return VerifyReport(checked, prev, None)
