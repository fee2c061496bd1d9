"""Backlog drain after an outage: ``N`` reads of one station queued in Mosquitto for the
service's persistent session while ``serve`` is down, then ``serve`` is started and
the drain is timed (first to last feedback, and from the process start), with live
reads published meanwhile at ``--live-rate`` to show when feedback latency is back to
normal after the last backlog read.

Baseline, measured in the same run on the same broker: a bare MQTT subscriber with a
persistent session receiving the same number of queued messages. Ratio = drain rate /
bare rate.

    python bench/scan_backlog.py [--db sqlite|postgres] [--backlog 10000]

Targets (issue 11): drain >= 1,000 reads/s (group commit: several reads per
transaction, each judged, chained, answered and acked after the commit); feedback
latency back to normal within 10 s of the last backlog read.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import fresh_database, percentile
from devices.mqtt import MqttClient, MqttParams, payloads, topics
from devices.mqtt.client import Message
from tests.e2e.scan_harness import (
    DEVICE,
    Service,
    inbox_count,
    prepare_world,
    verify_reads,
    wait_until,
)
from tests.integration.devices.conftest import OwnMosquitto

NORMAL_MS = 50.0
"""Feedback latency counted as normal (the live target's p99)."""


class Feedback:
    """Feedback arrival time per device_seq (paho's thread)."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}
        self.lock = threading.Lock()

    def __call__(self, msg: Message) -> None:
        now = time.perf_counter()
        seq = payloads.decode_feedback(msg.payload).device_seq
        with self.lock:
            self.at.setdefault(seq, now)

    def has(self, seq: int) -> bool:
        with self.lock:
            return seq in self.at

    def count(self) -> int:
        with self.lock:
            return len(self.at)


def scan_payload(seq: int, code: str, source: str = "batch") -> bytes:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    msg = payloads.ScanMessage(str(uuid.uuid4()), DEVICE, seq, code, None, code,
                               now, now, source)  # type: ignore[arg-type]  # fmt: skip
    return payloads.encode_scan(msg)


def bare_rate(url: str, n: int) -> float:
    """Messages/s a bare persistent subscriber receives from a queue of ``n``."""
    topic = f"bench/b{uuid.uuid4().hex[:8]}/raw"
    got = [0]
    done = threading.Event()

    def on(msg: Message) -> None:
        got[0] += 1
        if got[0] >= n:
            done.set()

    params = MqttParams(url=url, client_id=f"bench-raw-{uuid.uuid4().hex[:6]}")
    sub = MqttClient(params, on_message=on)
    sub.subscribe(topic, 1)
    sub.start()
    wait_until(lambda: sub.connected, 10)
    time.sleep(0.3)
    sub.stop()
    pub = MqttClient(MqttParams(url=url, client_id=f"bench-pub-{uuid.uuid4().hex[:6]}",
                                persistent=False))  # fmt: skip
    pub.start()
    wait_until(lambda: pub.connected, 10)
    body = scan_payload(1, "BX00000000W")
    for _ in range(n):
        pub.publish(topic, body, 1)
    time.sleep(2.0)  # let the broker queue them all
    pub.stop()
    sub = MqttClient(params, on_message=on)
    sub.subscribe(topic, 1)
    start = time.perf_counter()
    sub.start()
    done.wait(300)
    elapsed = time.perf_counter() - start
    sub.stop()
    return n / elapsed


def drain(url: str, db_url: str, n: int, live_rate: float) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-backlog-"))
    site = f"b{uuid.uuid4().hex[:8]}"
    world = prepare_world(db_url, site, boxes=40)
    svc = Service(world, tmp, ARCHIVE_MQTT_BROKER="external", ARCHIVE_MQTT_URL=url,
                  ARCHIVE_SITE=site)  # fmt: skip
    fb = Feedback()
    watcher = MqttClient(
        MqttParams(url=url, client_id=f"bench-fb-{site}", persistent=False),
        on_message=fb,
    )
    watcher.subscribe(topics.feedback(site, DEVICE), 1)
    watcher.start()
    pub = MqttClient(
        MqttParams(url=url, client_id=f"bench-gw-{site}", persistent=False)
    )
    pub.start()
    wait_until(lambda: watcher.connected and pub.connected, 10)
    scans = topics.scan(site, DEVICE)
    codes = verify_reads(world, 3 + n + 100_000)
    svc.start()  # creates the service's persistent session
    for seq in (1, 2, 3):  # sign in, start the récolement
        pub.publish(scans, scan_payload(seq, codes[seq - 1], "scan"), 1)
    wait_until(lambda: fb.count() == 3, 30)
    svc.stop()  # the outage: the backlog queues for the service's session
    for seq in range(4, 4 + n):
        pub.publish(scans, scan_payload(seq, codes[seq - 1]), 1)
    time.sleep(2.0)
    last_backlog = 3 + n
    sent: dict[int, float] = {}
    stop_live = threading.Event()

    def live() -> None:
        seq, interval = last_backlog + 1, 1.0 / live_rate
        start = time.perf_counter()
        while not stop_live.is_set():
            delay = start + (seq - last_backlog - 1) * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent[seq] = time.perf_counter()
            pub.publish(scans, scan_payload(seq, codes[seq - 1], "scan"), 1)
            seq += 1

    started = time.perf_counter()
    svc.start()
    up = time.perf_counter()
    live_thread = threading.Thread(target=live, daemon=True)
    live_thread.start()
    try:
        wait_until(lambda: fb.has(last_backlog), 600, 0.01)
        time.sleep(12.0)  # live reads for 12 s after the last backlog read
        stop_live.set()
        live_thread.join(10)
        last_live = max(sent)
        wait_until(lambda: fb.has(last_live), 60, 0.01)
        total = inbox_count(world) if db_url.startswith("sqlite") else -1
    finally:
        stop_live.set()
        svc.stop()
        watcher.stop()
        pub.stop()
    with fb.lock:
        at = dict(fb.at)
    first = min(at[s] for s in range(4, last_backlog + 1))
    end = at[last_backlog]
    after = sorted(s for s in sent if sent[s] >= end)
    lat_after = [(at[s] - sent[s]) * 1000 for s in after]
    slow = [s for s in after if (at[s] - sent[s]) * 1000 > NORMAL_MS]
    back = (sent[slow[-1]] - end) if slow else 0.0
    during = [(at[s] - sent[s]) * 1000 for s in sent if sent[s] < end]
    return {
        "rate": n / (end - first),
        "rate_from_start": n / (end - started),
        "startup": up - started,
        "drain": end - first,
        "live_during_p50": percentile(during, 50) if during else 0.0,
        "live_after_p50": percentile(lat_after, 50),
        "live_after_p99": percentile(lat_after, 99),
        "back_to_normal": back,
        "live_reads": len(sent),
        "inbox": total,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--backlog", type=int, default=10_000)
    parser.add_argument("--live-rate", type=float, default=20.0)
    args = parser.parse_args()
    if args.db == "postgres":
        db_url = asyncio.run(fresh_database("archive_bench_scan_backlog"))
    else:
        db_url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-db-')}/archive.db"
    own = OwnMosquitto(Path(tempfile.mkdtemp(prefix="bench-mqtt-")))
    with own.conf.open("a") as conf:
        conf.write("set_tcp_nodelay true\nmax_queued_bytes 0\n")
    own.start()
    try:
        bare = bare_rate(own.url, args.backlog)
        r = drain(own.url, db_url, args.backlog, args.live_rate)
    finally:
        own.kill()
    print(f"scan backlog on {args.db}: {args.backlog} reads queued in Mosquitto for"
          f" the service's persistent session, then serve started")  # fmt: skip
    print(f"  bare MQTT subscriber:  {bare:8.0f} msgs/s")
    print(f"  service drain:         {r['rate']:8.0f} reads/s (first -> last feedback,"
          f" {r['drain']:.1f} s); {r['rate_from_start']:.0f} reads/s from process"
          f" start (start-up {r['startup']:.1f} s)")  # fmt: skip
    print(f"  ratio drain/bare:      {r['rate'] / bare:8.3f}")
    print(f"  live reads at {args.live_rate:g}/s meanwhile ({r['live_reads']:.0f}):"
          f" p50 {r['live_during_p50']:.0f} ms while draining; after the last backlog"
          f" read p50 {r['live_after_p50']:.1f} ms, p99 {r['live_after_p99']:.1f} ms;"
          f" last live read over {NORMAL_MS:g} ms sent {r['back_to_normal']:.2f} s"
          f" after the last backlog read")  # fmt: skip
    ok_rate, ok_back = r["rate"] >= 1000, r["back_to_normal"] <= 10
    print(f"  target >= 1,000 reads/s: {'met' if ok_rate else 'NOT met'}; latency"
          f" normal within 10 s: {'met' if ok_back else 'NOT met'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
