"""The pooled SQLite engine: reused connections, durable commits, locks, clean files.

SQLite only: the PostgreSQL pass skips these.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from piccolo.engine.sqlite import TransactionType

from archive_svc import bootstrap
from archive_svc.config import load_settings
from archive_svc.domain.model import Principal
from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch
from archive_svc.services import ledger, registry
from archive_svc.services.custody import record_movements
from tests import builders as b
from tests.integration.ledger_support import all_seqs


@pytest.fixture(autouse=True)
def sqlite_only(db_kind: str) -> None:
    if db_kind != "sqlite":
        pytest.skip("the SQLite engine is tested in the SQLite pass")


def fresh_runtime(database_url: str, busy_timeout_s: float = 30.0) -> bootstrap.Runtime:
    return bootstrap.build_runtime(
        load_settings(
            env={
                "ARCHIVE_DATABASE_URL": database_url,
                "ARCHIVE_DATABASE_BUSY_TIMEOUT_S": str(busy_timeout_s),
            }
        )
    )


def person(name: str) -> Principal:
    return Principal(f"p.{name}-{b.uid()[:8]}", name, frozenset({"archive_agent"}))


async def test_write_transactions_reuse_one_connection_set_up_for_durable_commits(
    runtime,
):
    engine = runtime.engine
    async with engine.transaction(TransactionType.immediate) as first:
        assert first.connection.inline  # the write lock is ours: no thread hops
        connection = first.connection
    async with engine.transaction(TransactionType.immediate) as second:
        assert second.connection is connection
    async with engine.transaction() as deferred:
        assert not deferred.connection.inline  # may still wait for the lock
    (sync,) = await engine.fetch("PRAGMA synchronous", ())
    (keys,) = await engine.fetch("PRAGMA foreign_keys", ())
    (mode,) = await engine.fetch("PRAGMA journal_mode", ())
    assert (sync["synchronous"], keys["foreign_keys"], mode["journal_mode"]) == (
        2,  # FULL: a committed transaction survives a power cut in WAL mode
        1,
        "wal",
    )


async def test_foreign_keys_are_enforced_inside_units_of_work(runtime):
    uow = runtime.uow()
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with uow:
            await fetch(
                current(),
                "INSERT INTO movement (event_id, seq, item) VALUES ({}, {}, {})",
                b.uid(),
                10_000,
                "no-such-item",
            )


async def test_concurrent_batches_queue_for_the_write_lock_and_chain_without_gaps(
    runtime,
):
    await b.people(runtime)
    (shelf,) = await b.storeroom(runtime, shelves=1, capacity_mm=5000)
    boxes = await b.items(runtime, "box", 12)
    results = await asyncio.gather(
        *(
            record_movements(
                b.batch(b.move(box.barcode, "accession", shelf.barcode)),
                runtime.uow(),
                runtime.clock,
                runtime.policy,
            )
            for box in boxes
        )
    )
    assert [r.status for (r,) in results] == ["recorded"] * len(boxes)
    assert await all_seqs() == list(range(1, len(boxes) + 1))
    report = await ledger.verify_ledger(runtime.queries)
    assert report.intact and report.checked == len(boxes)


async def test_a_locked_database_fails_the_unit_of_work_and_the_next_one_succeeds(
    database_url,
):
    runtime = fresh_runtime(database_url, busy_timeout_s=0.2)
    holder = sqlite3.connect(
        database_url.removeprefix("sqlite:///"), isolation_level=None
    )
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await registry.add_principal(person("blocked"), runtime.uow())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    added = person("after")
    await registry.add_principal(added, runtime.uow())
    assert added.id in await runtime.uow().principals.by_refs([added.id])


async def test_a_cancelled_unit_of_work_is_rolled_back_and_frees_the_write_lock(
    database_url,
):
    runtime = fresh_runtime(database_url, busy_timeout_s=1.0)
    inside = asyncio.Event()
    lost = person("cancelled")

    async def stuck_in_a_transaction() -> None:
        async with runtime.uow() as uow:
            await uow.principals.add(lost)
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(stuck_in_a_transaction())
    await inside.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    kept = person("kept")
    await registry.add_principal(kept, runtime.uow())  # within the 1 s busy timeout
    found = await runtime.uow().principals.by_refs([lost.id, kept.id])
    assert set(found) == {kept.id}


def test_a_finished_event_loop_leaves_its_writes_in_the_database_file(
    database_url, tmp_path
):
    """Pooled connections close with the loop: the last one checkpoints the WAL,
    so copying the database file alone (as the test fixtures do) copies the data."""
    runtime = fresh_runtime(database_url)
    added = person("checkpointed")
    asyncio.run(registry.add_principal(added, runtime.uow()))
    path = Path(database_url.removeprefix("sqlite:///"))
    assert not path.with_name(path.name + "-wal").exists()
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    with contextlib.closing(sqlite3.connect(copy)) as con:
        row = con.execute("SELECT id FROM principal WHERE id = ?", (added.id,))
        assert row.fetchall() == [(added.id,)]
