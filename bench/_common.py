"""Helpers shared by the benchmark scripts (fresh PostgreSQL database, runtime, rows)."""

from __future__ import annotations

import asyncio
import os
import statistics
from datetime import datetime

import asyncpg

from archive_svc import bootstrap
from archive_svc.config import load_settings
from archive_svc.domain import chain

BASE_URL = os.environ.get("ARCHIVE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


async def fresh_database(name: str) -> str:
    """Drop and recreate database ``name``; return its URL."""
    conn = await asyncpg.connect(f"{BASE_URL}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"{BASE_URL}/{name}"


async def migrated_runtime(url: str) -> bootstrap.Runtime:
    runtime = bootstrap.build_runtime(load_settings(env={"ARCHIVE_DATABASE_URL": url}))
    await runtime.migrate()
    return runtime


def server_entry(
    seq: int,
    event_id: str,
    kind: str,
    item_id: str,
    to_ref: str,
    *,
    at: datetime,
    actor: str,
    entry_mode: str,
    reason: str,
    prev_hash: str,
    from_ref: str | None = None,
    hash_: str = "",
) -> chain.LedgerEntry:
    """A ledger entry timed by the server at ``at``, with an empty payload.

    No device, scan time, request or task. Not sealed: ``hash_`` stays as given, so
    call ``.sealed()`` for a real chain. ``rowmap.movement_row`` turns it into
    a ``movement`` row for COPY or INSERT.
    """
    return chain.LedgerEntry(
        seq=seq,
        event_id=event_id,
        kind=kind,
        item_id=item_id,
        from_ref=from_ref,
        to_ref=to_ref,
        actor_ref=actor,
        device_id=None,
        device_seq=None,
        scanned_at=None,
        recorded_at=at,
        effective_at=at,
        time_source="server",
        entry_mode=entry_mode,
        request_id=None,
        task_ref=None,
        reason=reason,
        payload={},
        prev_hash=prev_hash,
        hash=hash_,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 50):.2f} ms, p90 {percentile(values, 90):.2f} ms,"
        f" p99 {percentile(values, 99):.2f} ms, mean {statistics.fmean(values):.2f} ms"
    )


def run(main: object) -> None:
    asyncio.run(main)  # type: ignore[arg-type]
