"""Seeding: synthetic holdings whose ledger is a real one, on the engine of this run."""

from __future__ import annotations

from archive_svc.demo import seeding
from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch
from archive_svc.services import ledger
from archive_svc.services.custody import LedgerPolicy
from tests.integration.ledger_support import all_seqs


async def test_seeding_over_many_transactions_gives_every_item_one_chained_accession(
    runtime,
):
    plan = seeding.SeedPlan(
        storerooms=1, shelves=4, boxes=6, files=30, envelope_every=5, per_commit=7
    )
    policy = LedgerPolicy(max_batch=3)  # several ledger batches per transaction
    result = await seeding.seed(plan, runtime.uow, runtime.clock, policy)
    items = result.boxes + result.files + result.envelopes
    assert (result.boxes, result.files, result.envelopes) == (6, 30, 6)

    assert await all_seqs() == list(range(1, items + 1))
    report = await ledger.verify_ledger(runtime.queries)
    assert report.intact and report.checked == items
    accessions = await fetch(
        current(),
        "SELECT m.item, count(*) AS n FROM movement m JOIN position p"
        " ON p.item_id = m.item AND p.last_seq = m.seq"
        " WHERE m.kind = 'accession' GROUP BY m.item",
    )
    assert len(accessions) == items and {r["n"] for r in accessions} == {1}
    homed = await fetch(
        current(),
        "SELECT kind, count(*) AS n FROM item"
        " WHERE home_location IS NOT NULL OR home_container IS NOT NULL GROUP BY kind",
    )
    assert {r["kind"]: r["n"] for r in homed} == {"box": 6, "file": 30, "envelope": 6}
