"""The demo keeps living: a simulated station plays morning after morning through a
real gateway, the machine's Mosquitto and the scan consumer, as its own agent."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from archive_svc import bootstrap
from archive_svc.config import load_settings
from archive_svc.demo import seeding, simulation
from archive_svc.persistence.sql import fetch
from tests.conftest import require_service

pytestmark = pytest.mark.mqtt
PLAN = seeding.SeedPlan(storerooms=1, shelves=6, boxes=12, files=60, envelope_every=0)


async def test_a_station_works_two_mornings_as_its_own_agent(database_url, tmp_path):
    require_service("Mosquitto", "127.0.0.1", 1883)
    settings = load_settings(
        env={
            "ARCHIVE_DATABASE_URL": database_url,
            "ARCHIVE_MQTT_BROKER": "external",
            "ARCHIVE_MQTT_URL": "mqtt://127.0.0.1:1883",
            "ARCHIVE_SITE": f"t{uuid.uuid4().hex[:10]}",
            "ARCHIVE_DATA_DIR": str(tmp_path),
        }
    )
    runtime = bootstrap.build_runtime(settings)
    await runtime.migrate()
    past = runtime.clock.now() - timedelta(days=simulation.SEEDED_DAYS_AGO)
    await seeding.seed(PLAN, runtime.uow, simulation.FixedClock(past), runtime.policy)
    await simulation.past_weeks(runtime)
    said: list[str] = []
    passwords = await simulation.register_stations(runtime)
    await runtime.start_ingest()
    try:
        station = simulation.STATIONS[0]
        await simulation.work_station(
            runtime, station, said.append, pace=0.4, pause=0.1, mornings=2,
            password=passwords[station.device_id],
        )  # fmt: skip
    finally:
        await runtime.stop_ingest()

    moves = await fetch(
        runtime.engine,
        "SELECT m.kind, m.actor_ref, i.kind AS item_kind FROM movement m"
        " JOIN item i ON i.id = m.item WHERE m.device_id = 'demo-01' ORDER BY m.seq",
    )
    assert {m["actor_ref"] for m in moves} == {"agent.leroy"}, "its own agent"
    kinds = [(m["kind"], m["item_kind"]) for m in moves]
    assert kinds.count(("pick", "file")) == 2, kinds  # one request each morning
    assert kinds.count(("hand_over", "file")) == 2, kinds
    assert ("shelve", "box") in kinds and ("return", "file") in kinds
    assert {k for k, item in kinds if item != "file"} == {"shelve"}, "files as files"
    refiled = await fetch(
        runtime.engine,
        "SELECT p.custodian_kind, i.home_container, p.custodian_id FROM movement m"
        " JOIN item i ON i.id = m.item JOIN position p ON p.item_id = i.id"
        " WHERE m.kind = 'return' AND m.device_id = 'demo-01'",
    )
    assert refiled and all(
        r["custodian_kind"] == "container" and r["custodian_id"] == r["home_container"]
        for r in refiled
    ), "a returned file goes back into its own box"
    assert sum("badges in" in line for line in said) == 2
