"""The ingest consumer on the machine's Mosquitto and this run's database: no message
can stop scan ingest (every field bounded at decode, incurable handler errors
quarantined after a few attempts, outages still retried without ack), retained
messages are ignored and cleared, and two instances split a shared subscription."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from datetime import UTC, datetime

import pytest

from archive_svc.domain import commands
from archive_svc.ingest import Consumer, MessageHandler, ScanIngest
from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch
from devices.mqtt import Message, MqttClient, MqttParams, payloads, topics
from tests.conftest import require_service

pytestmark = pytest.mark.mqtt
URL = "mqtt://127.0.0.1:1883"


async def until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)


def scan_body(device: str, seq: int, text: str, **fields) -> dict:
    body = {
        "v": 1, "scan_id": str(uuid.uuid4()), "device_id": device, "device_seq": seq,
        "code": text, "aim": None, "raw": text,
        "scanned_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "sent_at": "2026-03-02T09:00:00.000000Z", "source": "scan",
    }  # fmt: skip
    body.update(fields)
    return body


class Station:
    """A bare MQTT client standing in for gateways: publishes scans, collects answers."""

    def __init__(self, site: str, protocol: int = 311) -> None:
        self.site = site
        self.answers: list[tuple[str, payloads.Feedback]] = []
        self.client = MqttClient(
            MqttParams(url=URL, client_id=f"gw-{uuid.uuid4().hex[:8]}",
                       persistent=False, protocol=protocol),  # type: ignore[arg-type]
            on_message=self._on_message,
        )  # fmt: skip
        self.client.subscribe(f"archive/{site}/scanners/+/feedback", 1)
        self.client.start()

    def _on_message(self, m: Message) -> None:
        self.answers.append((m.topic, payloads.decode_feedback(m.payload)))

    def send(self, device: str, body: dict | bytes) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.client.publish(f"archive/{self.site}/scanners/{device}/scans", raw, 1)

    def answered(self, device: str) -> list[payloads.Feedback]:
        topic = topics.feedback(self.site, device)
        return [fb for t, fb in self.answers if t == topic]


def scan_consumer(runtime, site: str, instance: str = "svc1", **kw) -> Consumer:
    scans = ScanIngest(site, runtime.record_scan)
    return Consumer(
        URL, site, instance, {scans.topic_filter: scans}, runtime.quarantine, **kw
    )


async def mqtt_journal() -> list[dict]:
    return await fetch(
        current(),
        "SELECT code, message, body FROM rejection_journal WHERE source = 'mqtt'"
        " ORDER BY id",
    )


LONG_ID = "d" * 70
BAD_FIELDS = {
    "code_129_chars": ("st-a", {"code": "B" * 129}, "code"),
    "code_1_MB": ("st-a", {"code": "B" * 1_000_000}, "payload"),
    "code_with_NUL": ("st-a", {"code": "BX0\x000012345W"}, "code"),
    "code_with_control_char": ("st-a", {"code": "BX\x1b[31m"}, "code"),
    "code_empty": ("st-a", {"code": ""}, "code"),
    "device_seq_10e20": ("st-a", {"device_seq": 10**20}, "device_seq"),
    "device_seq_negative": ("st-a", {"device_seq": -1}, "device_seq"),
    "scan_id_100_chars": ("st-a", {"scan_id": "a" * 100}, "scan_id"),
    "scan_id_not_uuid": ("st-a", {"scan_id": "x; DROP"}, "scan_id"),
    "device_id_70_chars": (LONG_ID, {"device_id": LONG_ID}, "device_id"),
    "aim_20_chars": ("st-a", {"aim": "]C0" * 7}, "aim"),
    "scanned_at_garbage": ("st-a", {"scanned_at": "yesterday"}, "scanned_at"),
    "scanned_at_no_zone": ("st-a", {"scanned_at": "2026-03-02T09:00:00"}, "scanned_at"),
    "scanned_at_year_9999": ("st-a", {"scanned_at": "9999-01-01T00:00:00Z"}, "scanned_at"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_FIELDS))
async def test_an_out_of_bounds_field_is_journaled_and_never_holds_up_another_station(
    runtime, case
):
    require_service("Mosquitto", "127.0.0.1", 1883)
    site = f"t{uuid.uuid4().hex[:10]}"
    device, fields, named = BAD_FIELDS[case]
    station = Station(site)
    consumer = scan_consumer(runtime, site, retry_max=0.5)
    await consumer.start()
    try:
        await until(lambda: consumer.connected and station.client.connected)
        await asyncio.sleep(0.3)  # subscriptions settle
        station.send(device, scan_body(device, 1, "CMD-SHELVE", **fields))
        station.send("st-b", scan_body("st-b", 1, "CMD-SHELVE"))
        await until(lambda: len(station.answered("st-b")) == 1, timeout=5)
    finally:
        await consumer.stop()
        station.client.stop()
    assert station.answered(device) == []
    journal = await mqtt_journal()
    assert [r["code"] for r in journal] == ["bad_payload"]
    assert named in journal[0]["message"]
    assert station.answered("st-b")[0].outcome == "accepted"


async def test_a_read_older_than_the_window_is_refused_with_its_reason_and_answered(
    runtime,
):
    """How old a read may be is the scan policy's (a setting, 30 days by default):
    the station hears the refusal (bad beep) and the journal keeps the reason."""
    require_service("Mosquitto", "127.0.0.1", 1883)
    site = f"t{uuid.uuid4().hex[:10]}"
    station = Station(site)
    consumer = scan_consumer(runtime, site, retry_max=0.5)
    await consumer.start()
    try:
        await until(lambda: consumer.connected and station.client.connected)
        await asyncio.sleep(0.3)  # subscriptions settle
        old = scan_body("st-a", 1, "CMD-SHELVE", scanned_at="1970-01-01T00:00:00Z")
        station.send("st-a", old)
        station.send("st-a", scan_body("st-a", 2, "CMD-SHELVE"))
        await until(lambda: len(station.answered("st-a")) == 2, timeout=5)
    finally:
        await consumer.stop()
        station.client.stop()
    first, second = station.answered("st-a")
    assert (first.outcome, first.code) == ("rejected", "scan_too_old")
    assert (second.outcome, second.code) == ("accepted", "mode_set")
    journal = await fetch(
        current(), "SELECT event_id, code FROM rejection_journal WHERE source = 'scan'"
    )
    assert [(r["event_id"], r["code"]) for r in journal] == [
        (old["scan_id"], "scan_too_old")
    ]
    assert await mqtt_journal() == []


class FlakyScans(MessageHandler[commands.RecordScan, str]):
    """Scans whose recording fails ``failures`` times per station with ``error``."""

    def __init__(self, site: str, errors: dict[str, tuple[int, Exception]]) -> None:
        self.inner = ScanIngest(site, self._never)
        self.errors = errors
        self.calls: dict[str, int] = {}
        self.recorded: list[str] = []

    async def _never(self, cmd):  # pragma: no cover - handle() is overridden
        raise AssertionError

    def decode(self, msg: Message, received_at: datetime) -> commands.RecordScan:
        return self.inner.decode(msg, received_at)

    async def handle(self, command: commands.RecordScan) -> str:
        n = self.calls[command.device_id] = self.calls.get(command.device_id, 0) + 1
        failures, error = self.errors.get(command.device_id, (0, None))
        if n <= failures:
            raise error
        self.recorded.append(command.device_id)
        return "ok"


async def test_an_error_retrying_cannot_cure_is_quarantined_after_three_attempts_and_an_outage_is_retried_until_it_ends(
    runtime,
):
    require_service("Mosquitto", "127.0.0.1", 1883)
    site = f"t{uuid.uuid4().hex[:10]}"
    out_of_range = OverflowError("value out of int64 range")
    outage = ConnectionRefusedError("database is down")
    handler = FlakyScans(site, {"st-a": (10**6, out_of_range), "st-b": (6, outage)})
    station = Station(site)
    consumer = Consumer(URL, site, "svc1", {topics.all_scans(site): handler},
                        runtime.quarantine, retry_max=0.05)  # fmt: skip
    await consumer.start()
    try:
        await until(lambda: consumer.connected and station.client.connected)
        await asyncio.sleep(0.3)
        station.send("st-a", scan_body("st-a", 1, "CMD-SHELVE"))
        station.send("st-b", scan_body("st-b", 1, "CMD-SHELVE"))
        station.send("st-c", scan_body("st-c", 1, "CMD-SHELVE"))
        await until(lambda: handler.recorded == ["st-b", "st-c"], timeout=10)
    finally:
        await consumer.stop()
        station.client.stop()
    assert handler.calls == {"st-a": 3, "st-b": 7, "st-c": 1}
    journal = await mqtt_journal()
    assert len(journal) == 1
    assert (
        "handler_error: OverflowError: value out of int64 range"
        in journal[0]["message"]
    )
    assert json.loads(journal[0]["body"])["topic"] == topics.scan(site, "st-a")


async def test_a_retained_scan_is_ignored_and_cleared(runtime):
    require_service("Mosquitto", "127.0.0.1", 1883)
    site = f"t{uuid.uuid4().hex[:10]}"
    stale = json.dumps(scan_body("st-a", 1, "CMD-SHELVE"))
    subprocess.run(
        ["mosquitto_pub", "-h", "127.0.0.1", "-p", "1883", "-q", "1", "-r",
         "-t", topics.scan(site, "st-a"), "-m", stale],
        check=True, timeout=10,
    )  # fmt: skip
    station = Station(site)
    consumer = scan_consumer(runtime, site)
    await consumer.start()
    try:
        await until(lambda: consumer.connected and station.client.connected)
        await asyncio.sleep(0.3)
        station.send("st-b", scan_body("st-b", 1, "CMD-SHELVE"))
        await until(lambda: len(station.answered("st-b")) == 1, timeout=5)
    finally:
        await consumer.stop()
        station.client.stop()
    assert station.answered("st-a") == []
    assert await mqtt_journal() == []
    inbox = await fetch(current(), "SELECT device_id FROM scan_inbox")
    assert [r["device_id"] for r in inbox] == ["st-b"]
    left = subprocess.run(
        ["mosquitto_sub", "-h", "127.0.0.1", "-p", "1883", "-t", topics.scan(site, "st-a"),
         "-C", "1", "-W", "1", "--retained-only"],
        capture_output=True, timeout=10,
    )  # fmt: skip
    assert left.stdout == b""  # the retained message is gone from the broker


async def test_two_instances_on_a_shared_subscription_each_take_part_and_answer_every_read_once(
    runtime,
):
    require_service("Mosquitto", "127.0.0.1", 1883)
    site = f"t{uuid.uuid4().hex[:10]}"
    station = Station(site, protocol=5)
    one = scan_consumer(runtime, site, "svc1", protocol=5, share_group="archive-svc")
    two = scan_consumer(runtime, site, "svc2", protocol=5, share_group="archive-svc")
    assert one.subscriptions == [f"$share/archive-svc/archive/{site}/scanners/+/scans"]
    await one.start()
    await two.start()
    devices = [f"st-{i:02d}" for i in range(20)]
    try:
        await until(
            lambda: one.connected and two.connected and station.client.connected
        )
        await asyncio.sleep(0.3)
        for device in devices:
            station.send(device, scan_body(device, 1, "CMD-SHELVE"))
        await until(lambda: len(station.answers) >= len(devices), timeout=15)
        await asyncio.sleep(0.3)  # no second answer arrives
    finally:
        await one.stop()
        await two.stop()
        station.client.stop()
    assert sorted(t.split("/")[3] for t, _ in station.answers) == devices
    assert {fb.outcome for _, fb in station.answers} == {"accepted"}
    assert one.processed > 0 and two.processed > 0
    assert one.processed + two.processed == len(devices)
