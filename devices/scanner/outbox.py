"""Durable scan outbox on stdlib sqlite3 (architecture.md section 5).

Every read is committed here (WAL, ``synchronous=FULL``) before it is published, and
stays ``pending`` until the service's feedback confirms it. ``device_seq`` is
per device, gap-free over published reads, and survives restarts and pruning (it
lives in its own table). Reads the gateway refuses itself (bad check character,
an unreadable frame: garbage, too long, not ASCII) are journaled as
``rejected_local`` without a ``device_seq``: they are never published, so they must
not open a gap in the service's sequence check.

Resends: each publication sets ``next_due_at`` (when the row may be published again
without feedback, backing off exponentially); :meth:`Outbox.due` hands out rows in
``device_seq`` order within the caller's in-flight window.

Threading: one connection shared under a lock; any thread may call any method (the
reader thread appends, the MQTT thread confirms, the gateway loop republishes).
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from .frames import ScanRead

Source = Literal["scan", "batch"]
State = Literal["pending", "confirmed", "rejected_local"]
Clock = Callable[[], datetime]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    scan_id      TEXT PRIMARY KEY,
    device_id    TEXT NOT NULL,
    device_seq   INTEGER,
    code         TEXT NOT NULL,
    aim          TEXT,
    raw          TEXT NOT NULL,
    scanned_at   TEXT,
    source       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    state        TEXT NOT NULL,
    sent_count   INTEGER NOT NULL DEFAULT 0,
    last_sent_at TEXT,
    outcome      TEXT,
    reason_code  TEXT,
    message      TEXT,
    movement_id  TEXT,
    confirmed_at TEXT,
    next_due_at  TEXT,
    UNIQUE (device_id, device_seq)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (state, device_id, device_seq);
CREATE TABLE IF NOT EXISTS device_seq (
    device_id TEXT PRIMARY KEY,
    last_seq  INTEGER NOT NULL
);
"""
_COLUMNS = (
    "scan_id, device_id, device_seq, code, aim, raw, scanned_at, source, created_at,"
    " state, sent_count, last_sent_at, outcome, reason_code, message, movement_id"
)


def utc_now() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def rfc3339(ts: datetime) -> str:
    """Format as RFC 3339 UTC with microseconds and a ``Z``."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class OutboxRow:
    """One journaled read. ``device_seq`` is None only for ``rejected_local`` rows."""

    scan_id: str
    device_id: str
    device_seq: int | None
    code: str
    aim: str | None
    raw: str
    scanned_at: str | None
    source: Source
    created_at: str
    state: State
    sent_count: int
    last_sent_at: str | None
    outcome: str | None
    reason_code: str | None
    message: str | None
    movement_id: str | None


class Outbox:
    """SQLite outbox file. Close it with :meth:`close` (the owner: the gateway)."""

    def __init__(self, path: str | Path, *, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=10.0
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(outbox)")}
        if "next_due_at" not in columns:  # an outbox file from an older gateway
            self._db.execute("ALTER TABLE outbox ADD COLUMN next_due_at TEXT")

    def close(self) -> None:
        """Close the connection; further calls fail."""
        with self._lock:
            self._db.close()

    def append(
        self,
        read: ScanRead,
        device_id: str,
        *,
        source: Source = "scan",
        scanned_at: datetime | None = None,
    ) -> OutboxRow:
        """Journal a read as pending with a new scan_id and the next device_seq.

        Committed (fsync) before returning. ``scanned_at`` None means unknown.
        """
        with self._lock, self._tx():
            seq = self._next_seq(device_id)
            return self._insert(read, device_id, seq, source, scanned_at, "pending")

    def reject_local(
        self, read: ScanRead, device_id: str, reason: str, message: str | None = None
    ) -> OutboxRow:
        """Journal a read refused by the gateway itself; never published, no seq."""
        with self._lock, self._tx():
            row = self._insert(read, device_id, None, "scan", None, "rejected_local")
            self._db.execute(
                "UPDATE outbox SET outcome='rejected', reason_code=?, message=?,"
                " confirmed_at=created_at WHERE scan_id=?",
                (reason, message, row.scan_id),
            )
        return self.get(row.scan_id) or row

    def get(self, scan_id: str) -> OutboxRow | None:
        """Return one row, or None."""
        rows = self._select("WHERE scan_id=?", (scan_id,))
        return rows[0] if rows else None

    def pending(
        self, limit: int = 500, *, sent_before: datetime | None = None
    ) -> list[OutboxRow]:
        """Unconfirmed rows in (device_id, device_seq) order.

        Args:
            limit: at most this many rows.
            sent_before: if given, only rows never sent or last sent before it.
        """
        where = "WHERE state='pending'"
        params: tuple[object, ...] = ()
        if sent_before is not None:
            where += " AND (last_sent_at IS NULL OR last_sent_at < ?)"
            params = (rfc3339(sent_before),)
        return self._select(
            f"{where} ORDER BY device_id, device_seq LIMIT ?", (*params, limit)
        )

    def in_flight(self, now: datetime) -> int:
        """Pending rows published and not yet due again (waiting for feedback)."""
        with self._lock:
            return self._in_flight(rfc3339(now))

    def due(self, now: datetime, window: int) -> list[OutboxRow]:
        """Pending rows never published or due again at ``now``, in seq order, as many
        as fit beside the rows in flight in a window of ``window``."""
        at = rfc3339(now)
        with self._lock:
            room = window - self._in_flight(at)
            if room <= 0:
                return []
            cur = self._db.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE state='pending'"
                " AND (next_due_at IS NULL OR next_due_at <= ?)"
                " ORDER BY device_id, device_seq LIMIT ?",
                (at, room),
            )
            return [OutboxRow(*r) for r in cur.fetchall()]

    def _in_flight(self, at: str) -> int:
        (n,) = self._db.execute(
            "SELECT count(*) FROM outbox WHERE state='pending'"
            " AND next_due_at IS NOT NULL AND next_due_at > ?",
            (at,),
        ).fetchone()
        return int(n)

    def make_due(self, scan_ids: Iterable[str] | None = None) -> None:
        """Make pending rows due now: every one (a gateway start: nothing is in
        flight), or those of ``scan_ids`` (asked again by the service)."""
        with self._lock, self._tx():
            if scan_ids is None:
                self._db.execute(
                    "UPDATE outbox SET next_due_at=NULL WHERE state='pending'"
                )
                return
            self._db.executemany(
                "UPDATE outbox SET next_due_at=NULL WHERE state='pending'"
                " AND scan_id=?",
                [(sid,) for sid in scan_ids],
            )

    def newest_seq(self, device_id: str) -> int:
        """The highest ``device_seq`` given out to ``device_id`` (0: none yet)."""
        with self._lock:
            row = self._db.execute(
                "SELECT last_seq FROM device_seq WHERE device_id=?", (device_id,)
            ).fetchone()
        return int(row[0]) if row else 0

    def by_seq(self, device_id: str, first: int, last: int) -> list[OutboxRow]:
        """The rows of reads ``first..last`` of ``device_id`` still kept, in order."""
        return self._select(
            "WHERE device_id=? AND device_seq BETWEEN ? AND ? ORDER BY device_seq",
            (device_id, first, last),
        )

    def mark_sent(
        self, scan_ids: Iterable[str], backoff: Callable[[int], float] | None = None
    ) -> None:
        """Record one more publication of these rows, now; ``backoff(n)`` is the
        number of seconds before the n-th publication may be repeated.

        Not fsynced (``synchronous=NORMAL`` for this transaction only): losing it in
        a crash merely causes one more resend, and it keeps the publish path fast.
        """
        clock = self._clock()
        now, wait = rfc3339(clock), backoff or (lambda n: 5.0)
        with self._lock:
            self._db.execute("PRAGMA synchronous=NORMAL")
            try:
                with self._tx():
                    for sid in scan_ids:
                        (n,) = self._db.execute(
                            "SELECT sent_count FROM outbox WHERE scan_id=?", (sid,)
                        ).fetchone()
                        due = rfc3339(clock + timedelta(seconds=wait(n + 1)))
                        self._db.execute(
                            "UPDATE outbox SET sent_count=sent_count+1, last_sent_at=?,"
                            " next_due_at=? WHERE scan_id=?",
                            (now, due, sid),
                        )
            finally:
                self._db.execute("PRAGMA synchronous=FULL")

    def confirm(
        self,
        scan_id: str,
        outcome: str,
        code: str | None = None,
        message: str | None = None,
        movement_id: str | None = None,
    ) -> bool:
        """Store the service's outcome. Returns True only for the first confirmation
        of a pending row; later feedback for the same scan changes nothing."""
        now = rfc3339(self._clock())
        with self._lock, self._tx():
            cur = self._db.execute(
                "UPDATE outbox SET state='confirmed', outcome=?, reason_code=?,"
                " message=?, movement_id=?, confirmed_at=?"
                " WHERE scan_id=? AND state='pending'",
                (outcome, code, message, movement_id, now, scan_id),
            )
            return cur.rowcount == 1

    def prune(self, older_than: timedelta) -> int:
        """Delete confirmed and locally rejected rows settled before now - older_than.
        Returns the number of rows deleted; sequences are kept."""
        cutoff = rfc3339(self._clock() - older_than)
        with self._lock, self._tx():
            cur = self._db.execute(
                "DELETE FROM outbox WHERE state!='pending' AND confirmed_at < ?",
                (cutoff,),
            )
            return cur.rowcount

    def depth(self) -> int:
        """Number of rows waiting for the service's feedback."""
        with self._lock:
            (n,) = self._db.execute(
                "SELECT count(*) FROM outbox WHERE state='pending'"
            ).fetchone()
        return int(n)

    def rows(self, limit: int = 1000) -> list[OutboxRow]:
        """All rows, oldest first (tests and diagnostics)."""
        return self._select("ORDER BY rowid LIMIT ?", (limit,))

    def _tx(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db  # as a context manager: COMMIT on success, ROLLBACK on error

    def _next_seq(self, device_id: str) -> int:
        self._db.execute(
            "INSERT INTO device_seq (device_id, last_seq) VALUES (?, 1)"
            " ON CONFLICT (device_id) DO UPDATE SET last_seq = last_seq + 1",
            (device_id,),
        )
        (seq,) = self._db.execute(
            "SELECT last_seq FROM device_seq WHERE device_id=?", (device_id,)
        ).fetchone()
        return int(seq)

    def _insert(
        self,
        read: ScanRead,
        device_id: str,
        seq: int | None,
        source: Source,
        scanned_at: datetime | None,
        state: State,
    ) -> OutboxRow:
        row = OutboxRow(
            scan_id=str(uuid.uuid4()), device_id=device_id, device_seq=seq,
            code=read.code, aim=read.aim, raw=read.raw,
            scanned_at=None if scanned_at is None else rfc3339(scanned_at),
            source=source, created_at=rfc3339(self._clock()), state=state,
            sent_count=0, last_sent_at=None, outcome=None, reason_code=None,
            message=None, movement_id=None,
        )  # fmt: skip
        marks = ", ".join("?" * 16)
        self._db.execute(
            f"INSERT INTO outbox ({_COLUMNS}) VALUES ({marks})", _astuple(row)
        )
        return row

    def _select(self, tail: str, params: tuple[object, ...]) -> list[OutboxRow]:
        with self._lock:
            cur = self._db.execute(f"SELECT {_COLUMNS} FROM outbox {tail}", params)
            return [OutboxRow(*r) for r in cur.fetchall()]


def _astuple(row: OutboxRow) -> tuple[object, ...]:
    return (
        row.scan_id, row.device_id, row.device_seq, row.code, row.aim, row.raw,
        row.scanned_at, row.source, row.created_at, row.state, row.sent_count,
        row.last_sent_at, row.outcome, row.reason_code, row.message, row.movement_id,
    )  # fmt: skip
