"""How many SQL statements one scanner read costs (the facts are loaded once)."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from archive_svc.domain import barcodes, commands
from archive_svc.domain.model import Principal
from archive_svc.persistence.unit_of_work import PiccoloUnitOfWork
from archive_svc.services import registry
from archive_svc.services.scanning import record_scan
from tests import builders as b
from tests.integration.statements import CountingPostgresEngine, Log, counting_engine

MAX_STATEMENTS_PER_ITEM_READ = {"sqlite": 19, "postgres": 16}
"""An item read that records a movement, BEGIN and COMMIT included (on PostgreSQL
the two COPY inserts, ledger and inbox, are not seen). Before the facts were loaded
once: 23 on SQLite, 20 on PostgreSQL."""


@pytest.fixture
async def station(runtime, database_url):
    badge = barcodes.make(barcodes.Kind.BADGE, 4242)
    await registry.add_principal(
        Principal("agent.scan", "Agent Scan", frozenset({"archive_agent"}),
                  badge_barcode=badge),
        runtime.uow(),
    )  # fmt: skip
    shelves = await b.storeroom(runtime, shelves=2, capacity_mm=2000)
    boxes = await b.items(runtime, "box", 2)
    log = Log()
    engine = counting_engine(database_url, log)
    if isinstance(engine, CountingPostgresEngine):
        await engine.start()
    seq = iter(range(1, 1000))

    async def scan(code: str):
        cmd = commands.RecordScan(
            str(uuid.uuid4()), "st-count", next(seq), code,
            received_at=runtime.clock.now(),
        )  # fmt: skip
        uow = PiccoloUnitOfWork(engine)
        return await record_scan(
            cmd, uow, runtime.clock, runtime.policy, texts=runtime.texts
        )

    for code in (badge, "CMD-SHELVE", shelves[0].barcode, boxes[1].barcode):
        await scan(code)  # the last one warms the connection up
    yield dataclasses.make_dataclass("Station", ["scan", "log", "boxes", "shelves"])(
        scan, log, boxes, shelves
    )
    if isinstance(engine, CountingPostgresEngine):
        await engine.close_connection_pool()


async def test_an_accession_read_loads_its_facts_once(station, db_kind):
    with station.log.counting() as statements:
        out = await station.scan(station.boxes[0].barcode)
    assert (out.outcome, out.code) == ("accepted", "recorded")
    assert len(statements) <= MAX_STATEMENTS_PER_ITEM_READ[db_kind]
    item_loads = [
        s for s in statements if s.startswith("SELECT id, barcode, kind, number")
    ]
    assert len(item_loads) == 1
