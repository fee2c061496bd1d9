"""The scan consumer on the machine's Mosquitto and this run's database: a scan is
committed, acked and answered on the station's feedback topic; an unreadable message
is quarantined in the rejection journal and does not block the next scan."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest

from archive_svc.ingest import Consumer, ScanIngest
from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch
from devices.mqtt import MqttClient, MqttParams, payloads, topics
from tests.conftest import require_service

pytestmark = pytest.mark.mqtt
URL = "mqtt://127.0.0.1:1883"


async def until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


def scan(site: str, seq: int, code: str) -> bytes:
    msg = payloads.ScanMessage(str(uuid.uuid4()), "st-01", seq, code, None, code, None,
                               "2026-03-02T09:00:00.000000Z", "scan")  # fmt: skip
    return payloads.encode_scan(msg)


def scan_consumer(runtime, site: str, **kw) -> Consumer:
    scans = ScanIngest(site, runtime.record_scan)
    return Consumer(
        URL, site, "svc1", {scans.topic_filter: scans}, runtime.quarantine, **kw
    )


async def test_scans_are_answered_after_commit_and_garbage_is_quarantined(runtime):
    require_service("Mosquitto", "127.0.0.1", 1883)
    site = f"t{uuid.uuid4().hex[:10]}"
    answers: list[payloads.Feedback] = []
    station = MqttClient(
        MqttParams(url=URL, client_id=f"gw-{site}", persistent=False),
        on_message=lambda m: answers.append(payloads.decode_feedback(m.payload)),
    )
    station.subscribe(topics.feedback(site, "st-01"), 1)
    station.start()
    consumer = scan_consumer(runtime, site)
    await consumer.start()
    try:
        await until(lambda: consumer.connected and station.connected)
        await asyncio.sleep(0.3)  # subscriptions settle
        scans = topics.scan(site, "st-01")
        station.publish(scans, b"\xff not json", 1)
        station.publish(scans, scan(site, 1, "CMD-SHELVE"), 1)
        station.publish(scans, scan(site, 2, "BX00000000Q"), 1)
        await until(lambda: len(answers) == 2)
    finally:
        await consumer.stop()
        station.stop()
    assert [(a.outcome, a.code) for a in answers] == [
        ("accepted", "mode_set"), ("rejected", "malformed_barcode"),
    ]  # fmt: skip
    journal = await fetch(
        current(),
        "SELECT source, code, body FROM rejection_journal WHERE source = 'mqtt'",
    )
    assert [r["code"] for r in journal] == ["bad_payload"]
    assert json.loads(journal[0]["body"])["topic"] == scans


async def test_a_backlog_is_drained_in_groups_each_read_answered_on_its_own_in_order(
    runtime,
):
    """Reads queued while the service was away: several per transaction, a refused
    read and a quarantined message in the middle fail none of the others, every
    read is answered with its own outcome, in order, and nothing is left unacked."""
    require_service("Mosquitto", "127.0.0.1", 1883)
    site = f"t{uuid.uuid4().hex[:10]}"
    groups: list[int] = []

    async def record_many(cmds):
        groups.append(len(cmds))
        return await runtime.record_scans(cmds)

    def consumer() -> Consumer:
        scans = ScanIngest(site, runtime.record_scan, record_many=record_many, group=16)
        return Consumer(URL, site, "svc1", {scans.topic_filter: scans},
                        runtime.quarantine)  # fmt: skip

    answers: list[payloads.Feedback] = []
    station = MqttClient(
        MqttParams(url=URL, client_id=f"gw-{site}", persistent=False),
        on_message=lambda m: answers.append(payloads.decode_feedback(m.payload)),
    )
    station.subscribe(topics.feedback(site, "st-01"), 1)
    station.start()
    first = consumer()
    await first.start()  # creates the service's persistent session
    await until(lambda: first.connected and station.connected)
    await asyncio.sleep(0.3)
    await first.stop()
    scans = topics.scan(site, "st-01")
    codes = ["CMD-SHELVE"] + [
        "BX00000000Q" if i % 10 == 3 else "CMD-VERIFY" for i in range(59)
    ]
    for seq, code in enumerate(codes, start=1):
        station.publish(scans, scan(site, seq, code), 1)
        if seq == 30:
            station.publish(scans, b"\xff not json", 1)
    await asyncio.sleep(0.5)
    again = consumer()
    await again.start()
    try:
        await until(lambda: len(answers) == len(codes), timeout=30)
    finally:
        await again.stop()
        station.stop()
    assert [a.device_seq for a in answers] == list(range(1, len(codes) + 1))
    assert [a.code for a in answers] == [
        "mode_set" if i == 0 else
        "malformed_barcode" if c == "BX00000000Q" else "mode_set"
        for i, c in enumerate(codes)
    ]  # fmt: skip
    assert max(groups) > 1 and sum(groups) <= len(codes)
    inbox = await fetch(
        current(), "SELECT count(*) AS n FROM scan_inbox WHERE device_id = 'st-01'"
    )
    assert inbox[0]["n"] == len(codes)
    journal = await fetch(
        current(), "SELECT code FROM rejection_journal WHERE source = 'mqtt'"
    )
    assert [r["code"] for r in journal] == ["bad_payload"]
