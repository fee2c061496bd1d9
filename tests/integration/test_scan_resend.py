"""Sequence gaps and replays with a real gateway on a pty, the machine's Mosquitto and
this run's database: a gap is journaled and the missing reads asked again from the
station, which answers from its outbox (or says which it does not have, journaled);
a read replayed with an old ``device_seq`` is refused and journaled."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest

from archive_svc import station
from archive_svc.domain import barcodes
from archive_svc.domain.model import Principal
from archive_svc.domain.stations import DeviceSession
from archive_svc.ingest import Consumer, MissingReadsIngest, ScanIngest
from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch
from archive_svc.services import registry
from devices.mqtt import MqttClient, MqttParams, payloads, topics
from devices.scanner import Gateway, Outbox
from devices.sim import SimulatedScanner
from tests.conftest import require_service

pytestmark = pytest.mark.mqtt
URL = "mqtt://127.0.0.1:1883"
DEVICE = "st-01"


async def until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


async def inbox(device: str = DEVICE) -> list[dict]:
    return await fetch(
        current(),
        "SELECT device_seq, code, outcome, reason_code, flags FROM scan_inbox"
        " WHERE device_id = {} ORDER BY device_seq, received_at",
        device,
    )


async def journal() -> list[tuple[str, str | None]]:
    rows = await fetch(
        current(),
        "SELECT code, event_id FROM rejection_journal WHERE source = 'scan' ORDER BY id",
    )
    return [(r["code"], r["event_id"]) for r in rows]


async def session_seq(runtime) -> int:
    async with runtime.uow() as uow:
        stored = await uow.device_sessions.get(DEVICE)
    assert stored is not None
    return DeviceSession.from_json(stored.state).last_seq


def forged(site: str, seq: int, code: str) -> tuple[str, bytes, str]:
    scan_id = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    msg = payloads.ScanMessage(scan_id, DEVICE, seq, code, None, code, now, now, "scan")
    return topics.scan(site, DEVICE), payloads.encode_scan(msg), scan_id


async def test_a_gap_is_asked_again_from_the_station_and_a_replay_is_refused(
    runtime, tmp_path
):
    require_service("Mosquitto", "127.0.0.1", 1883)
    site = f"t{uuid.uuid4().hex[:10]}"
    badge = barcodes.make(barcodes.Kind.BADGE, 4711)
    await registry.add_principal(
        Principal("agent.gap", "Agent Gap", frozenset({"archive_agent"}),
                  badge_barcode=badge),
        runtime.uow(),
    )  # fmt: skip
    scans = ScanIngest(site, runtime.record_scan)
    missing = MissingReadsIngest(site, runtime.record_missing)
    consumer = Consumer(
        URL, site, "svc1", {scans.topic_filter: scans, missing.topic_filter: missing},
        runtime.quarantine,
    )  # fmt: skip
    asked: list[payloads.SeqRange] = []
    forger = MqttClient(
        MqttParams(url=URL, client_id=f"forger-{site}", persistent=False),
        on_message=lambda m: asked.append(payloads.decode_seq_range(m.payload)),
    )
    forger.subscribe(topics.resend(site, DEVICE), 1)
    outbox_path = tmp_path / "outbox.db"
    with SimulatedScanner() as sim:
        gw = Gateway(
            sim.path, DEVICE, site, outbox_path, MqttParams(url=URL),
            station.validation_error, resend_after=1.0, allow_silent=True,
        )  # fmt: skip
        thread = threading.Thread(target=gw.run, kwargs={"tick": 0.05}, daemon=True)
        await consumer.start()
        forger.start()
        thread.start()
        try:
            await until(
                lambda: consumer.connected and forger.connected
                and gw.stats().mqtt == "connected"
                and gw.stats().serial == "connected"
            )  # fmt: skip
            await asyncio.sleep(0.3)  # subscriptions settle
            for code in (badge, "CMD-SHELVE"):
                sim.type(code)
            await until(lambda: gw.stats().confirmed == 2)

            # A +1,000 jump the station never made: held, journaled, asked again;
            # the gateway says it never gave those seqs out (journaled).
            topic, body, jump_id = forged(site, 1003, "CMD-VERIFY")
            forger.publish(topic, body, 1)
            await until(lambda: len(asked) == 1)
            assert (asked[0].first_seq, asked[0].last_seq) == (3, 1002)
            for _ in range(200):
                if ("seq_never_issued", None) in await journal():
                    break
                await asyncio.sleep(0.05)
            assert await journal() == [
                ("sequence_gap", jump_id), ("seq_never_issued", None),
            ]  # fmt: skip
            assert await session_seq(runtime) == 2

            # A replay: a fresh scan id with an old seq is refused and journaled.
            topic, body, replay_id = forged(site, 1, "CMD-PICK")
            forger.publish(topic, body, 1)
            for _ in range(200):
                if ("stale_seq", replay_id) in await journal():
                    break
                await asyncio.sleep(0.05)
            assert await session_seq(runtime) == 2

            # The station's next real read goes on from seq 3.
            sim.type("CMD-VERIFY")
            await until(lambda: gw.stats().confirmed == 3)

            # A read the station journaled and then lost (seq 4 given out, row gone):
            # the service asks for it, the station says it lost it, the next read
            # (seq 5) is then processed at its resend, without waiting the gap out.
            with sqlite3.connect(outbox_path) as db:
                db.execute("UPDATE device_seq SET last_seq = last_seq + 1")
            sim.type("CMD-SHELVE")
            await until(lambda: gw.stats().confirmed == 4, timeout=20)
        finally:
            gw.stop()
            thread.join(10)
            forger.stop()
            await consumer.stop()
    rows = await inbox()
    assert [(r["device_seq"], r["outcome"], r["reason_code"]) for r in rows] == [
        (1, "accepted", "agent_set"),
        (1, "rejected", "stale_seq"),
        (2, "accepted", "mode_set"),
        (3, "accepted", "mode_set"),
        (5, "accepted", "mode_set"),
    ]
    codes = [code for code, _ in await journal()]
    assert codes == [
        "sequence_gap", "seq_never_issued", "stale_seq", "sequence_gap", "seq_missing",
    ]  # fmt: skip
    assert [(r.device_seq, r.state) for r in Outbox(outbox_path).rows()] == [
        (1, "confirmed"), (2, "confirmed"), (3, "confirmed"), (5, "confirmed"),
    ]  # fmt: skip
