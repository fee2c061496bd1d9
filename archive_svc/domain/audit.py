"""Tamper evidence beyond the hash chain: signed checkpoints, the chained access
journal, its signed purges, and the projection rebuilt from the ledger.

Everything here is pure. A checkpoint states "the chain ``chain`` had ``seq``
entries ending in ``hash`` at ``at``"; its canonical payload is what the
checkpoint key signs (Ed25519 outside the domain). A chain walk alone cannot see
a truncated tail or a chain recomputed from an edited row: comparing the rows
with the chain head and with every signed checkpoint does.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from archive_svc.domain.custody import (
    EXTERNAL_PREFIX,
    GENESIS_HASH,
    VIRTUAL_STATE,
    LedgerEntry,
    MovementKind,
    iso,
)
from archive_svc.domain.model import State

LEDGER = "ledger"
JOURNAL = "journal"


def _canonical(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def link_hash(prev_hash: str, canonical: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical).hexdigest()


# --- checkpoints --------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of a chain's head (*point de contrôle*)."""

    chain: str
    seq: int
    hash: str
    at: datetime
    key_id: str
    """Fingerprint of the public key that signed it."""
    signature: str
    """Hex of the signature over :func:`checkpoint_payload`."""


def checkpoint_payload(chain: str, seq: int, hash_: str, at: datetime) -> bytes:
    return _canonical(
        {"v": 1, "what": "checkpoint", "chain": chain, "seq": seq, "hash": hash_,
         "at": iso(at)}
    )  # fmt: skip


def payload_of(checkpoint: Checkpoint) -> bytes:
    return checkpoint_payload(
        checkpoint.chain, checkpoint.seq, checkpoint.hash, checkpoint.at
    )


# --- findings -----------------------------------------------------------------------


class Problem(enum.StrEnum):
    ALTERED = "altered"
    """A row's link or hash does not match."""
    MISSING = "missing"
    """Rows the head or a checkpoint vouches for are gone."""
    REWRITTEN = "rewritten"
    """The chain is consistent but no longer ends where a signed checkpoint said."""
    HEAD_MISMATCH = "head_mismatch"
    """The rows do not end where the chain head says."""
    FORGED = "forged"
    """A checkpoint or purge summary whose signature does not verify."""


@dataclass(frozen=True)
class Finding:
    problem: Problem
    seq: int
    """The first missing or altered entry (or the checkpoint's seq when forged)."""
    detail: str = ""
    upto: int | None = None
    """For a rewrite: the altered entry is in ``seq..upto``."""


@dataclass
class ChainWalk:
    """Feed entries in ``seq`` order; keeps the first break and the hashes that
    the checkpoints will be compared with."""

    wanted: frozenset[int] = frozenset()
    start_seq: int = 1
    start_hash: str = GENESIS_HASH
    count: int = 0
    broken: Finding | None = None
    hashes_at: dict[int, str] = field(default_factory=dict)
    last_seq: int = field(init=False)
    last_hash: str = field(init=False)

    def __post_init__(self) -> None:
        self.last_seq = self.start_seq - 1
        self.last_hash = self.start_hash

    def step(self, seq: int, prev_hash: str, hash_: str, recomputed: str) -> bool:
        """Check one entry; False once the chain is broken (stop feeding)."""
        if seq != self.last_seq + 1:
            self.broken = Finding(
                Problem.MISSING if seq > self.last_seq + 1 else Problem.ALTERED,
                self.last_seq + 1,
                f"sequence gap: next entry is {seq}",
            )
        elif prev_hash != self.last_hash:
            self.broken = Finding(Problem.ALTERED, seq, "prev_hash does not link")
        elif recomputed != hash_:
            self.broken = Finding(
                Problem.ALTERED, seq, "content does not match its hash"
            )
        if self.broken is not None:
            return False
        self.last_seq, self.last_hash, self.count = seq, hash_, self.count + 1
        if seq in self.wanted:
            self.hashes_at[seq] = hash_
        return True

    def fail(self, detail: str) -> None:
        self.broken = Finding(Problem.ALTERED, self.last_seq + 1, detail)


def judge(
    walk: ChainWalk,
    head: tuple[int, str],
    checkpoints: Sequence[tuple[Checkpoint, bool]],
) -> list[Finding]:
    """Everything wrong with a walked chain, given its head row and the checkpoints
    (each with whether its signature verified), most telling first."""
    findings: list[Finding] = []
    if walk.broken is not None:
        findings.append(walk.broken)
    findings += [
        Finding(Problem.FORGED, cp.seq, f"checkpoint of {iso(cp.at)}")
        for cp, valid in checkpoints
        if not valid
    ]
    signed = sorted((cp for cp, valid in checkpoints if valid), key=lambda c: c.seq)
    findings += _against_checkpoints(walk, signed)
    findings += _against_head(walk, head)
    return findings


def _against_checkpoints(
    walk: ChainWalk, signed: Sequence[Checkpoint]
) -> list[Finding]:
    if walk.broken is not None:
        return []
    good_upto = walk.start_seq - 1
    for cp in signed:
        if cp.seq < walk.start_seq:
            continue
        if cp.seq > walk.last_seq:
            return [
                Finding(
                    Problem.MISSING,
                    walk.last_seq + 1,
                    f"signed checkpoint of {iso(cp.at)} covers {cp.seq} entries",
                )
            ]
        if walk.hashes_at.get(cp.seq) != cp.hash:
            return [
                Finding(
                    Problem.REWRITTEN,
                    good_upto + 1,
                    f"signed checkpoint of {iso(cp.at)} no longer matches",
                    upto=cp.seq,
                )
            ]
        good_upto = cp.seq
    return []


def _against_head(walk: ChainWalk, head: tuple[int, str]) -> list[Finding]:
    if walk.broken is not None:
        return []
    seq, hash_ = head
    if seq > walk.last_seq:
        return [
            Finding(
                Problem.MISSING,
                walk.last_seq + 1,
                f"the chain head is at {seq}",
            )
        ]
    if seq < walk.last_seq or hash_ != walk.last_hash:
        return [
            Finding(
                Problem.HEAD_MISMATCH,
                min(seq, walk.last_seq) + 1 if seq != walk.last_seq else seq,
                f"the chain head says {seq} / {hash_[:12]}",
            )
        ]
    return []


def ledger_recomputed(entry: LedgerEntry) -> str:
    return link_hash(entry.prev_hash, entry.canonical())


# --- the access journal -------------------------------------------------------------


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


def journal_canonical(row: JournalRow, seq: int, prev_hash: str) -> bytes:
    """Sorted keys, UTF-8, no spaces; the database ``id`` is not part of it."""
    return _canonical(
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
    return link_hash(row.prev_hash, journal_canonical(row, row.seq, row.prev_hash))


def seal_rows(
    rows: Iterable[JournalRow], head: tuple[int, str]
) -> tuple[list[JournalRow], tuple[int, str]]:
    """Chain unsealed rows after ``head`` in the given order; return them and the
    new head."""
    seq, prev = head
    sealed = []
    for row in rows:
        seq += 1
        digest = link_hash(prev, journal_canonical(row, seq, prev))
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
    return _canonical(
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


# --- the position projection --------------------------------------------------------


@dataclass(frozen=True)
class ProjectedPosition:
    """The fields of a ``position`` row that the ledger alone determines."""

    state: str
    custodian_kind: str
    custodian_id: str
    since: datetime
    last_seq: int
    event_id: str
    destination: str = ""
    last_verified_at: datetime | None = None


_NO_CUSTODY_CHANGE = frozenset({MovementKind.VERIFY, MovementKind.SEAL_EVENT})
_ON_LOAN_KINDS = frozenset(
    {MovementKind.HAND_OVER, MovementKind.TRANSFER_BETWEEN_REQUESTERS}
)


def replay(
    entries: Iterable[LedgerEntry], location_codes: Mapping[str, str]
) -> dict[str, ProjectedPosition]:
    """Rebuild every item's position from the ledger alone (``location_codes``:
    location id -> code, to tell virtual and outside places)."""
    positions: dict[str, ProjectedPosition] = {}
    for e in entries:
        before = positions.get(e.item_id)
        kind = MovementKind(e.kind)
        if kind in _NO_CUSTODY_CHANGE and before is not None:
            verified = e.effective_at if kind is MovementKind.VERIFY else None
            positions[e.item_id] = replace(
                before,
                last_seq=e.seq,
                last_verified_at=verified or before.last_verified_at,
            )
            continue
        custodian_kind, _, custodian_id = (e.to_ref or "").partition(":")
        positions[e.item_id] = ProjectedPosition(
            _state_after(kind, custodian_kind, custodian_id, e, location_codes),
            custodian_kind,
            custodian_id,
            e.effective_at,
            e.seq,
            e.event_id,
            str(e.payload.get("destination", ""))
            if kind is MovementKind.IN_TRANSIT
            else "",
            before.last_verified_at if before else None,
        )
    return positions


def _state_after(
    kind: MovementKind,
    custodian_kind: str,
    custodian_id: str,
    entry: LedgerEntry,
    location_codes: Mapping[str, str],
) -> str:
    if kind is MovementKind.IN_TRANSIT:
        return State.IN_TRANSIT.value
    if custodian_kind == "person":
        if kind is MovementKind.CORRECTION:
            return str(entry.payload.get("state", State.WITH_AGENT.value))
        on_loan = kind in _ON_LOAN_KINDS
        return (State.ON_LOAN if on_loan else State.WITH_AGENT).value
    if custodian_kind == "container":
        return State.IN_STORAGE.value
    code = location_codes.get(custodian_id, "")
    if code in VIRTUAL_STATE:
        return VIRTUAL_STATE[code].value
    if code.startswith(EXTERNAL_PREFIX):
        return State.OUTSIDE.value
    return State.IN_STORAGE.value


@dataclass(frozen=True)
class ProjectionDiff:
    item_id: str
    fields: tuple[str, ...]
    """Differing fields; ``("missing",)`` / ``("extra",)`` for a whole row."""


def compare_projection(
    rebuilt: Mapping[str, ProjectedPosition],
    stored: Mapping[str, ProjectedPosition],
) -> list[ProjectionDiff]:
    diffs = []
    for item_id in sorted(rebuilt.keys() | stored.keys()):
        want, have = rebuilt.get(item_id), stored.get(item_id)
        if have is None:
            diffs.append(ProjectionDiff(item_id, ("missing",)))
        elif want is None:
            diffs.append(ProjectionDiff(item_id, ("extra",)))
        elif want != have:
            names = tuple(
                name
                for name in ProjectedPosition.__dataclass_fields__
                if getattr(want, name) != getattr(have, name)
            )
            diffs.append(ProjectionDiff(item_id, names))
    return diffs
