"""Concurrent batches on PostgreSQL: the chain-head lock orders them (issue 2, item 10).

Each batch runs in its own unit of work (its own pooled connection), started at
the same moment with ``asyncio.gather``; the database decides who goes first.
"""

from __future__ import annotations

import asyncio
import contextvars
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from archive_svc import bootstrap
from archive_svc.domain import commands
from archive_svc.domain.model import Item, Location, Virtual
from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch
from archive_svc.services import ledger
from archive_svc.services.custody import record_movements
from tests import builders as b
from tests.integration.ledger_support import all_seqs, as_folded, fold, movement_rows

pytestmark = pytest.mark.postgres_only


async def record(
    runtime: bootstrap.Runtime, *moves: commands.MovementRequest
) -> list[Any]:
    """One batch in its own transaction."""
    return await record_movements(
        b.batch(*moves), runtime.uow(), runtime.clock, runtime.policy
    )


async def at_once(
    runtime: bootstrap.Runtime, *batches: tuple[commands.MovementRequest, ...]
) -> list[list[Any]]:
    return list(await asyncio.gather(*(record(runtime, *m) for m in batches)))


@pytest.fixture
async def world(runtime: bootstrap.Runtime) -> AsyncIterator[bootstrap.Runtime]:
    assert runtime.uses_pool, "concurrency is tested on PostgreSQL only"
    await runtime.start_pool()
    await b.people(runtime)
    yield runtime
    await runtime.close_pool()


async def picked_file(runtime: bootstrap.Runtime, shelf: Location) -> Item:
    (file,) = await b.items(runtime, "file", 1)
    results = await record(
        runtime,
        b.move(file.barcode, "accession", shelf.barcode),
        b.move(file.barcode, "pick", request_id="REQ-1"),
    )
    assert [r.status for r in results] == ["recorded", "recorded"]
    return file


async def assert_ledger_consistent(
    runtime: bootstrap.Runtime, items: list[Item]
) -> int:
    """Gap-free seq, intact chain, projection equal to the fold; returns the head seq."""
    seqs = await all_seqs()
    assert seqs == list(range(1, len(seqs) + 1))
    report = await ledger.verify_ledger(runtime.queries)
    assert report.intact, report.broken
    assert report.checked == len(seqs)
    head = await fetch(current(), "SELECT seq, hash FROM chain_head WHERE id = 1")
    assert (head[0]["seq"], head[0]["hash"]) == (len(seqs), report.head_hash)
    ids = [i.id for i in items]
    places = await runtime.uow().locations.by_refs([v.value for v in Virtual])
    expected = fold(await movement_rows(ids), {p.id: p for p in places.values()})
    projected = await runtime.uow().positions.get_many(ids)
    assert {k: as_folded(p) for k, p in projected.items()} == expected
    return len(seqs)


async def test_one_file_handed_to_two_officers_at_once_goes_to_exactly_one(
    world: bootstrap.Runtime,
) -> None:
    (shelf,) = await b.storeroom(world, shelves=1, capacity_mm=5000)
    files = []
    winners = set()
    for round_ in range(8):  # a few rounds, submitted in either order
        file = await picked_file(world, shelf)
        files.append(file)
        to_a = b.move(file.barcode, "hand_over", b.OFFICER_A, request_id="REQ-A")
        to_b = b.move(file.barcode, "hand_over", b.OFFICER_B, request_id="REQ-B")
        if round_ % 2:
            (second,), (first,) = await at_once(world, (to_b,), (to_a,))
        else:
            (first,), (second,) = await at_once(world, (to_a,), (to_b,))

        statuses = sorted([first.status, second.status])
        assert statuses == ["recorded", "rejected"]
        winner, loser = (
            (first, second) if first.status == "recorded" else (second, first)
        )
        assert loser.code in {"loan_open", "illegal_transition"}
        holder = b.OFFICER_A if winner is first else b.OFFICER_B
        view = await world.queries.where_is(file.barcode)
        assert view is not None and view.position is not None
        assert (view.position.state, view.position.custodian.id) == ("on_loan", holder)
        assert view.position.last_seq == winner.seq
        winners.add(holder)
    assert winners == {b.OFFICER_A, b.OFFICER_B}
    await assert_ledger_consistent(world, files)


async def test_the_same_movement_sent_twice_at_once_is_recorded_once(
    world: bootstrap.Runtime,
) -> None:
    (shelf,) = await b.storeroom(world, shelves=1, capacity_mm=5000)
    file = await picked_file(world, shelf)
    same = b.move(file.barcode, "hand_over", b.OFFICER_A, request_id="REQ-A")
    (one,), (two,) = await at_once(world, (same,), (same,))
    assert sorted([one.status, two.status]) == ["duplicate", "recorded"]
    assert one.seq == two.seq
    assert await assert_ledger_consistent(world, [file]) == 3


def random_batch(
    rng: random.Random, files: list[Item], boxes: list[Item], shelves: list[Location]
) -> tuple[commands.MovementRequest, ...]:
    """A few everyday movements of a few items, many of which will be refused."""
    people = [b.OFFICER_A, b.OFFICER_B]
    moves = []
    for _ in range(rng.randint(1, 5)):
        item = rng.choice(files + boxes[:1])
        kind = rng.choice(
            ["pick", "hand_over", "transfer_between_requesters", "return",
             "shelve", "relocate", "verify", "in_transit"]
        )  # fmt: skip
        to: str | None
        if kind in ("hand_over", "transfer_between_requesters"):
            to = rng.choice(people)
        elif kind in ("shelve", "relocate", "verify"):
            to = rng.choice([s.barcode for s in shelves] + [boxes[0].barcode])
        elif kind == "in_transit":
            to = "Site B"
        else:
            to = None
        moves.append(b.move(item.barcode, kind, to, request_id="REQ-1"))
    return tuple(moves)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_twenty_concurrent_batches_leave_a_gap_free_verifiable_chain(
    world: bootstrap.Runtime, seed: int
) -> None:
    rng = random.Random(seed)
    shelves = await b.storeroom(world, shelves=2, capacity_mm=5000)
    boxes = await b.items(world, "box", 1)
    files = await b.items(world, "file", 3)
    await record(
        world,
        b.move(boxes[0].barcode, "accession", shelves[0].barcode),
        *[
            b.move(f.barcode, "accession", shelves[i % 2].barcode)
            for i, f in enumerate(files)
        ],
    )
    batches = [random_batch(rng, files, boxes, shelves) for _ in range(20)]

    results = await at_once(world, *batches)

    flat = [r for batch in results for r in batch]
    assert len(flat) == sum(len(m) for m in batches)
    recorded = [r for r in flat if r.status == "recorded"]
    assert {r.status for r in flat} <= {"recorded", "rejected"}
    assert recorded, "some movements of twenty batches must have been legal"
    head = await assert_ledger_consistent(world, files + boxes)
    assert head == 1 + len(files) + len(recorded)
    rows = await movement_rows(i.id for i in files + boxes)
    assert {r.seq: r.id for r in recorded} == {
        r["seq"]: r["event_id"] for r in rows if r["seq"] > 1 + len(files)
    }
    inbox = await fetch(current(), "SELECT event_id FROM movement_inbox")
    submitted = [m.event_id for batch in batches for m in batch]
    assert sorted(
        r["event_id"] for r in inbox if r["event_id"] in set(submitted)
    ) == sorted(submitted)


async def test_a_batch_waits_while_another_transaction_holds_the_chain_head(
    world: bootstrap.Runtime,
) -> None:
    (shelf,) = await b.storeroom(world, shelves=1, capacity_mm=5000)
    file = await picked_file(world, shelf)
    # The other batch runs in a context without our transaction, as a request would.
    outside = contextvars.copy_context()
    async with world.uow() as holder:
        assert await holder.ledger.lock_head() == (2, (await all_heads())[1])
        waiting = asyncio.create_task(
            record(
                world, b.move(file.barcode, "hand_over", b.OFFICER_A, request_id="R")
            ),
            context=outside,
        )
        await asyncio.sleep(0.3)
        assert not waiting.done(), "the second batch must wait for the chain head"
    (result,) = await asyncio.wait_for(waiting, timeout=10)
    assert (result.status, result.seq) == ("recorded", 3)
    await assert_ledger_consistent(world, [file])


async def all_heads() -> tuple[int, str]:
    rows = await fetch(current(), "SELECT seq, hash FROM chain_head WHERE id = 1")
    return int(rows[0]["seq"]), rows[0]["hash"]
