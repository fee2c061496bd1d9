"""Tamper evidence beyond the hash chain: signed checkpoints and what a chain walk
finds against its head and checkpoints (the journal chain is in ``journal_chain``,
the rebuilt projection in ``projection``).

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from archive_svc.domain.chain import GENESIS_HASH, LedgerEntry, iso

LEDGER = "ledger"
JOURNAL = "journal"


def canonical(fields: Mapping[str, Any]) -> bytes:
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
    return canonical(
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
