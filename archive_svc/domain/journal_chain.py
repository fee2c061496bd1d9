"""The chained access journal: rows sealed after the insert, and signed purges.

Each row's hash covers its canonical JSON (sorted keys, UTF-8, no spaces; the
database id is left out) and the previous row's hash. A purge leaves a signed
summary so that the remaining chain may start right after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from archive_svc.domain.audit import Finding, Problem, canonical, link_hash
from archive_svc.domain.chain import GENESIS_HASH, iso


@dataclass(frozen=True)
class JournalRow:
    """An access-journal row as stored; ``seq``/``prev_hash``/``hash`` are None until
    the sealer chains it."""

    id: int
    at: datetime
    principal_ref: str
    role: str
    action: str
    object_ref: str
    decision: str
    rule: str
    reason: str
    client: str
    channel: str
    seq: int | None = None
    prev_hash: str | None = None
    hash: str | None = None


def journalcanonical(row: JournalRow, seq: int, prev_hash: str) -> bytes:
    """Sorted keys, UTF-8, no spaces; the database ``id`` is not part of it."""
    return canonical(
        {
            "seq": seq,
            "prev_hash": prev_hash,
            "at": iso(row.at),
            "principal_ref": row.principal_ref,
            "role": row.role,
            "action": row.action,
            "object_ref": row.object_ref,
            "decision": row.decision,
            "rule": row.rule,
            "reason": row.reason,
            "client": row.client,
            "channel": row.channel,
        }
    )


def journal_recomputed(row: JournalRow) -> str:
    assert row.seq is not None and row.prev_hash is not None
    return link_hash(row.prev_hash, journalcanonical(row, row.seq, row.prev_hash))


def seal_rows(
    rows: Iterable[JournalRow], head: tuple[int, str]
) -> tuple[list[JournalRow], tuple[int, str]]:
    """Chain unsealed rows after ``head`` in the given order; return them and the
    new head."""
    seq, prev = head
    sealed = []
    for row in rows:
        seq += 1
        digest = link_hash(prev, journalcanonical(row, seq, prev))
        sealed.append(replace(row, seq=seq, prev_hash=prev, hash=digest))
        prev = digest
    return sealed, (seq, prev)


@dataclass(frozen=True)
class PurgeSummary:
    """What a retention purge removed (*résumé de purge*), signed: the journal may
    then start right after ``last_seq``, linking to ``last_hash``."""

    first_seq: int
    last_seq: int
    count: int
    first_hash: str
    last_hash: str
    before: datetime
    """Rows older than this were removed."""
    at: datetime
    key_id: str = ""
    signature: str = ""


def purge_payload(summary: PurgeSummary) -> bytes:
    return canonical(
        {
            "v": 1,
            "what": "journal_purge",
            "first_seq": summary.first_seq,
            "last_seq": summary.last_seq,
            "count": summary.count,
            "first_hash": summary.first_hash,
            "last_hash": summary.last_hash,
            "before": iso(summary.before),
            "at": iso(summary.at),
        }
    )


def purge_findings(
    purges: Sequence[tuple[PurgeSummary, bool]],
) -> tuple[list[Finding], tuple[int, str]]:
    """Check the purge summaries follow each other; return the findings and where
    the remaining journal must start (next seq, prev hash)."""
    findings: list[Finding] = []
    start = (1, GENESIS_HASH)
    for summary, valid in sorted(purges, key=lambda p: p[0].first_seq):
        if not valid:
            findings.append(Finding(Problem.FORGED, summary.first_seq, "purge summary"))
            continue
        if summary.first_seq != start[0]:
            findings.append(
                Finding(Problem.MISSING, start[0], "purge summaries do not follow")
            )
        start = (summary.last_seq + 1, summary.last_hash)
    return findings, start
