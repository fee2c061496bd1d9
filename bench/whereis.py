"""Where-is latency over HTTP with a million items in PostgreSQL.

Loads N items (boxes on shelves, files in boxes) with a real hash-chained accession
entry each, straight into the tables with COPY, then runs ``archive-svc serve`` and
asks ``GET /api/items/{barcode}`` for random items over one keep-alive connection.
Baseline in the same run: ``GET /healthz`` on the same server (framework + loopback).

    python bench/whereis.py [--items 1000000] [--requests 3000] [--reuse]

``--reuse`` keeps the database a previous run loaded when it holds the same number
of items (loading a million items takes several minutes).

Target (issue 2): p99 < 5 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
import httpx

from archive_svc.domain import barcodes, chain
from archive_svc.persistence.rowmap import MOVEMENT_TYPES, movement_row
from archive_svc.services import registry
from bench._common import (
    BASE_URL,
    fresh_database,
    migrated_runtime,
    run,
    server_entry,
    summary,
)

FILES_PER_BOX = 20
DATABASE = "archive_bench_whereis"


async def load(url: str, total: int) -> list[str]:
    """Bulk-load ``total`` items with positions and a valid ledger; return barcodes."""
    runtime = await migrated_runtime(url)
    shelves = await _shelves(runtime, max(total // (FILES_PER_BOX * 10), 10))
    conn = await asyncpg.connect(url)
    try:
        return await _copy_items(conn, shelves, total)
    finally:
        await conn.close()


async def _shelves(runtime, count: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    from archive_svc.domain import commands

    loc = commands.RegisterLocation
    tree = [
        loc("site", "B-SITE"),
        loc("storeroom", "B-M1", "Magasin 1", "B-SITE"),
        loc("bay", "B-M1-T1", "Travée", "B-M1"),
    ]
    tree += [
        loc("shelf", f"B-M1-T1-S{i}", f"Tablette {i}", "B-M1-T1", 100_000)
        for i in range(count)
    ]
    created = await registry.register_locations(tree, runtime.uow())
    return [(c.id, c.code) for c in created if c.is_shelf]


async def _copy_items(
    conn: asyncpg.Connection, shelves: list[tuple[str, str]], total: int
) -> list[str]:
    now = datetime.now(UTC)
    items, positions, ledger, codes = [], [], [], []
    prev = chain.GENESIS_HASH
    boxes = max(total // (FILES_PER_BOX + 1), 1)
    box_ids: list[tuple[str, str]] = []
    for n in range(total):
        is_box = n < boxes
        item_id = str(uuid.uuid4())
        if is_box:
            code = barcodes.make(barcodes.Kind.BOX, n + 1)
            shelf_id, shelf_code = shelves[n % len(shelves)]
            custodian = ("location", shelf_id, shelf_code)
            box_ids.append((item_id, code))
            items.append(
                (item_id, code, "box", f"B-{n:07d}", "", None, shelf_id, None, now)
            )
        else:
            code = barcodes.file_barcode(f"{n:010d}")
            box_id, box_code = box_ids[n % len(box_ids)]
            custodian = ("container", box_id, box_code)
            items.append(
                (item_id, code, "file", f"{n:010d}", "asia", 30, None, box_id, now)
            )
        entry = server_entry(
            n + 1,
            str(uuid.uuid4()),
            "accession",
            item_id,
            f"{custodian[0]}:{custodian[1]}",
            at=now,
            actor="system",
            entry_mode="batch",
            reason="bench",
            prev_hash=prev,
        ).sealed()
        prev = entry.hash
        ledger.append(movement_row(entry))
        positions.append(
            (item_id, "in_storage", *custodian, now, n + 1, entry.event_id, "", None)
        )
        codes.append(code)
        if n % 100_000 == 0:
            print(f"  prepared {n:,} items", flush=True)
    async with conn.transaction():
        await conn.copy_records_to_table(
            "item",
            records=items,
            columns=[
                "id",
                "barcode",
                "kind",
                "number",
                "division",
                "width_mm",
                "home_location",
                "home_container",
                "created_at",
            ],
        )
        await conn.copy_records_to_table(
            "movement",
            records=ledger,
            columns=[name for name, _ in MOVEMENT_TYPES],
        )
        await conn.copy_records_to_table(
            "position",
            records=positions,
            columns=[
                "item_id",
                "state",
                "custodian_kind",
                "custodian_id",
                "custodian_label",
                "since",
                "last_seq",
                "event_id",
                "destination",
                "last_verified_at",
            ],
        )
        await conn.execute(
            "UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1", total, prev
        )
    await conn.execute("ANALYZE")
    return codes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure(client: httpx.Client, paths: list[str]) -> list[float]:
    times = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(
                f"{path}: HTTP {response.status_code} {response.text[:200]}"
            )
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--reuse", action="store_true", help="keep a loaded database")
    args = parser.parse_args()
    codes = await _reused(args.items) if args.reuse else []
    url = f"{BASE_URL}/{DATABASE}"
    if not codes:
        url = await fresh_database(DATABASE)
        started = time.perf_counter()
        codes = await load(url, args.items)
        print(
            f"loaded {len(codes):,} items with their ledger in {time.perf_counter() - started:.0f} s"
        )
    runtime = await migrated_runtime(url)
    token = await registry.create_token(
        f"bench-{uuid.uuid4().hex[:8]}", "integration", runtime.uow()
    )
    port = free_port()
    env = {**os.environ, "ARCHIVE_DATABASE_URL": url}
    server = subprocess.Popen(
        [sys.executable, "-m", "archive_svc", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            _wait(client)
            rng = random.Random(7)
            sample = [f"/api/items/{rng.choice(codes)}" for _ in range(args.requests)]
            measure(client, sample[:200])
            base = measure(client, ["/healthz"] * args.requests)
            where = measure(client, sample)
    finally:
        server.terminate()
        server.wait(10)
    print(
        f"where-is  GET /api/items/{{barcode}} ({args.requests:,} random of {len(codes):,}): {summary(where)}"
    )
    print(
        f"baseline  GET /healthz (same server, same connection):         {summary(base)}"
    )
    p99 = sorted(where)[int(0.99 * (len(where) - 1))]
    p99_base = sorted(base)[int(0.99 * (len(base) - 1))]
    print(
        f"ratio p99 where-is / p99 baseline: {p99 / p99_base:.1f}x   (target: where-is p99 < 5 ms)"
    )


async def _reused(items: int) -> list[str]:
    """The barcodes of a previous run's database when it holds ``items`` items."""
    try:
        conn = await asyncpg.connect(f"{BASE_URL}/{DATABASE}")
    except (OSError, asyncpg.PostgresError):
        return []
    try:
        codes = [r["barcode"] for r in await conn.fetch("SELECT barcode FROM item")]
    except asyncpg.PostgresError:
        return []
    finally:
        await conn.close()
    if len(codes) != items:
        return []
    print(f"reusing {DATABASE}: {len(codes):,} items")
    return codes


def _wait(client: httpx.Client) -> None:
    for _ in range(100):
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


if __name__ == "__main__":
    run(main())
