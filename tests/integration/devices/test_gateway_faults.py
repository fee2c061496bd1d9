"""Fault tests: our own Mosquitto killed and restarted mid-stream; the gateway process
killed with SIGKILL. Every journaled read must end confirmed exactly once, in order."""

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from devices.mqtt import MqttParams
from devices.scanner import Gateway, Outbox

pytestmark = pytest.mark.mqtt


def codes(n: int, start: int = 0) -> list[str]:
    return [f"BX{i:08d}W" for i in range(start, start + n)]


def make_gateway(sim, url, site, path) -> Gateway:
    return Gateway(sim.path, "st-01", site, path, MqttParams(url=url), resend_after=1.0,
                   allow_silent=True)  # fmt: skip


def assert_exactly_once_in_order(svc, path: Path, sent: list[str], strict=True) -> int:
    """Each read accepted once, numbered in read order; returns arrival inversions.

    ``strict``: first deliveries also arrived in read order. Not guaranteed when the
    broker dies: paho re-sends its un-PUBACKed messages before the outbox resends
    older rows whose PUBACK the dead broker had sent but not persisted.
    """
    by_seq = sorted(svc.accepted, key=lambda s: s.device_seq)
    assert [s.code for s in by_seq] == sent
    assert [s.device_seq for s in by_seq] == list(range(1, len(sent) + 1))
    arrival = [s.device_seq for s in svc.accepted]
    if strict:
        assert arrival == sorted(arrival)
    rows = Outbox(path).rows(10_000)
    assert [r.code for r in rows] == sent
    assert {r.state for r in rows} == {"confirmed"}
    # "duplicate" = the service had recorded it, but its first answer was lost
    assert {r.outcome for r in rows} <= {"accepted", "duplicate"}
    return sum(a > b for a, b in itertools.pairwise(arrival))


def test_mosquitto_killed_and_restarted_mid_stream_loses_nothing(
    sim, site, tmp_path, own_mosquitto, fake_service, run_gateway, wait, capsys
):
    svc = fake_service(own_mosquitto.url, site)
    path = tmp_path / "o.db"
    gw = make_gateway(sim, own_mosquitto.url, site, path)
    run_gateway(gw)
    wait(lambda: gw.stats().mqtt == "connected")
    sent = codes(120)
    typer = threading.Thread(target=sim.type_many, args=(sent,), kwargs={"rate": 40})
    typer.start()
    wait(lambda: gw.stats().confirmed >= 20, timeout=10)
    own_mosquitto.kill()  # SIGKILL, mid-stream
    wait(lambda: gw.stats().mqtt == "disconnected", timeout=10)
    time.sleep(1.0)  # reads keep coming while the broker is unreachable
    during = gw.stats().reads - gw.stats().confirmed
    own_mosquitto.start()
    typer.join(10)
    wait(lambda: gw.stats().confirmed == 120 and gw.stats().depth == 0, timeout=30)
    stats = gw.stats()
    inversions = assert_exactly_once_in_order(svc, path, sent, strict=False)
    with capsys.disabled():
        redelivered = sum(n - 1 for n in svc.seen.values())
        print(
            f"\n[broker restart] 120 reads, {during} unconfirmed at restart,"
            f" {stats.resent} republished, {redelivered} answered duplicate,"
            f" {inversions} arrival inversions"
        )


def test_broker_unreachable_for_a_whole_run_of_reads(
    sim, site, tmp_path, own_mosquitto, fake_service, run_gateway, wait, capsys
):
    svc = fake_service(own_mosquitto.url, site)
    path = tmp_path / "o.db"
    gw = make_gateway(sim, own_mosquitto.url, site, path)
    run_gateway(gw)
    wait(lambda: gw.stats().mqtt == "connected")
    sim.type_many(codes(10), rate=100)
    wait(lambda: gw.stats().confirmed == 10)
    own_mosquitto.kill()
    wait(lambda: gw.stats().mqtt == "disconnected")
    sim.type_many(codes(200, start=10), rate=0)
    wait(lambda: gw.stats().reads == 210)
    assert gw.stats().depth == 200
    own_mosquitto.start()
    wait(lambda: gw.stats().confirmed == 210 and gw.stats().depth == 0, timeout=30)
    # Not strict: if the dead broker had not yet saved the service's session, the
    # first resends reach nobody and come back only after resend_after.
    inversions = assert_exactly_once_in_order(svc, path, codes(210), strict=False)
    with capsys.disabled():
        print(f"\n[broker down] 200 reads journaled offline, {inversions} inversions")


GATEWAY_SCRIPT = textwrap.dedent("""
    import sys, threading, time
    from devices.mqtt import MqttParams
    from devices.scanner import Gateway
    port, site, path, url = sys.argv[1:5]
    gw = Gateway(port, "st-01", site, path, MqttParams(url=url), resend_after=1.0,
                 allow_silent=True)

    def announce():  # once the port is open
        while gw.stats().serial != "connected":
            time.sleep(0.01)
        print("connected", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    gw.run()
""")


def journaled(path: Path) -> int:
    if not path.exists():
        return 0
    box = Outbox(path)
    try:
        return len(box.rows())
    finally:
        box.close()


def test_gateway_process_killed_then_restarted_republishes_its_pending_reads(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait
):
    path = tmp_path / "o.db"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[3])}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            GATEWAY_SCRIPT,
            sim.path,
            site,
            str(path),
            shared_mqtt_url,
        ],
        env=env,
        stdout=subprocess.PIPE,
    )
    try:
        ready: list[bytes] = []
        threading.Thread(target=lambda: ready.append(proc.stdout.readline())).start()
        wait(lambda: ready, timeout=15)
        assert ready == [b"connected\n"]
        sim.type_many(codes(20), rate=50)
        wait(lambda: journaled(path) == 20, timeout=15)
    finally:
        proc.send_signal(signal.SIGKILL)  # no service yet: all 20 still pending
        proc.wait(10)
        proc.stdout.close()
    svc = fake_service(shared_mqtt_url, site)
    gw = make_gateway(sim, shared_mqtt_url, site, path)
    run_gateway(gw)
    wait(lambda: gw.stats().serial == "connected" and gw.stats().mqtt == "connected")
    sim.type_many(codes(5, start=20), rate=50)
    wait(lambda: gw.stats().confirmed == 25 and gw.stats().depth == 0, timeout=20)
    assert_exactly_once_in_order(svc, path, codes(25))
