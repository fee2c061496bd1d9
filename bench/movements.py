"""Ledger append throughput: movements through the service layer into PostgreSQL.

Baseline, measured in the same run: a raw asyncpg ``executemany`` of the rows the
service writes for each movement (ledger entry, inbox record, projection upsert) into
copies of those tables with the same indexes: no reads, no validation, no hashing.

    python bench/movements.py [--movements 20000] [--batch 500]

Targets (issue 2): >= 2,000 movements/s and a ratio >= 0.30.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg

from archive_svc.demo import seeding
from archive_svc.domain import commands
from archive_svc.persistence.rowmap import (
    MOVEMENT_COLUMNS,
    MOVEMENT_TYPES,
    movement_row,
)
from archive_svc.services import custody
from bench._common import fresh_database, migrated_runtime, run, server_entry


async def service_rate(url: str, total: int, batch: int) -> tuple[float, int]:
    runtime = await migrated_runtime(url)
    boxes = max(total // 4, 100)
    plan = seeding.SeedPlan(
        storerooms=2, shelves=max(boxes // 8, 20), boxes=boxes, files=0
    )
    await seeding.seed(plan, runtime.uow, runtime.clock, runtime.policy)
    await runtime.start_pool()
    barcodes = [r.barcode async for r in runtime.queries.inventory() if r.kind == "box"]
    # pick, return to the shelf, verify, verify: legal cycles, every one judged and hashed
    cycle = [
        ("pick", None, "RSN-AUDIT"),
        ("shelve", "home", ""),
        ("verify", "home", ""),
        ("verify", "home", ""),
    ]
    homes = {
        r.barcode: r.location
        async for r in runtime.queries.inventory()
        if r.kind == "box"
    }
    moves = []
    for i in range(total):
        code = barcodes[i % len(barcodes)]
        kind, to, reason = cycle[(i // len(barcodes)) % len(cycle)]
        moves.append(
            commands.MovementRequest(
                str(uuid.uuid4()),
                code,
                kind,
                homes[code] if to else None,
                actor="agent.martin",
                reason=reason,
            )
        )
    started = time.perf_counter()
    recorded = 0
    for start in range(0, total, batch):
        cmd = commands.RecordMovements(
            tuple(moves[start : start + batch]), commands.Submitter.operator("bench")
        )
        results = await custody.record_movements(
            cmd, runtime.uow(), runtime.clock, runtime.policy
        )
        recorded += sum(r.status == "recorded" for r in results)
    elapsed = time.perf_counter() - started
    await runtime.close_pool()
    return total / elapsed, recorded


async def baseline_rate(url: str, total: int, batch: int) -> float:
    """The same three rows per movement (ledger, inbox, projection upsert), written raw.

    Tables are copies of ours with their indexes (``LIKE ... INCLUDING ALL``), so the
    baseline pays the same index maintenance; it skips validation, hashing, reads.
    """
    conn = await asyncpg.connect(url)
    try:
        for table in ("movement", "movement_inbox", "position"):
            await conn.execute(
                f"CREATE TABLE {table}_baseline (LIKE {table} INCLUDING ALL)"
            )
        now = datetime.now(UTC)
        ids = [str(uuid.uuid4()) for _ in range(total)]
        items = [str(uuid.uuid4()) for _ in range(max(total // 4, 1))]
        ledger = [
            movement_row(
                server_entry(
                    i + 1,
                    ids[i],
                    "verify",
                    items[i % len(items)],
                    "location:x",
                    from_ref="location:x",
                    at=now,
                    actor="agent",
                    entry_mode="manual",
                    reason="",
                    prev_hash="0" * 64,
                    hash_="f" * 64,
                )
            )
            for i in range(total)
        ]
        inbox = [
            (ids[i], "d" * 64, "recorded", "", "", i + 1, "api", "bench", now)
            for i in range(total)
        ]
        projection = [
            (
                items[i % len(items)],
                "in_storage",
                "location",
                "x",
                "x",
                now,
                i + 1,
                ids[i],
                "",
                now,
            )
            for i in range(total)
        ]
        statements = (
            (
                f"INSERT INTO movement_baseline ({MOVEMENT_COLUMNS}) VALUES ({_params(len(MOVEMENT_TYPES))})",
                ledger,
            ),
            (f"INSERT INTO movement_inbox_baseline VALUES ({_params(9)})", inbox),
            (
                f"INSERT INTO position_baseline VALUES ({_params(10)}) ON CONFLICT (item_id) DO UPDATE"
                " SET state = excluded.state, since = excluded.since, last_seq = excluded.last_seq",
                projection,
            ),
        )
        started = time.perf_counter()
        for start in range(0, total, batch):
            async with conn.transaction():
                for sql, rows in statements:
                    await conn.executemany(sql, rows[start : start + batch])
        return total / (time.perf_counter() - started)
    finally:
        await conn.close()


def _params(count: int) -> str:
    return ", ".join(f"${i}" for i in range(1, count + 1))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--movements", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    url = await fresh_database("archive_bench_movements")
    rate, recorded = await service_rate(url, args.movements, args.batch)
    base = await baseline_rate(url, args.movements, args.batch)
    print(
        f"movements through the service layer: {rate:,.0f}/s ({recorded:,} of {args.movements:,} recorded, batches of {args.batch})"
    )
    print(
        f"baseline raw asyncpg executemany of the same rows (ledger + inbox + projection): {base:,.0f}/s"
    )
    print(
        f"ratio service/baseline:              {rate / base:.2f}  (targets: >= 2,000/s, ratio >= 0.30)"
    )


if __name__ == "__main__":
    run(main())
