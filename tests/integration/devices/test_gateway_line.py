"""The gateway on a real pty and Mosquitto: every read carries the time it was read,
no unreadable frame goes without a journal row and a bad beep, input waiting on the
port survives a gateway restart, a backlog drains within an in-flight window, and a
scanner that cannot beep is refused."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from devices.mqtt import MqttParams
from devices.scanner import Gateway, Outbox, SilentProfile, get_profile

ZEBRA = get_profile("zebra-like")


def check_w(code: str) -> str | None:
    return None if code.endswith("W") else "bad_check_character"


def codes(n: int, start: int = 0) -> list[str]:
    return [f"BX{i:08d}W" for i in range(start, start + n)]


def make_gateway(sim, url, site, path, **kw) -> Gateway:
    kw.setdefault("profile", ZEBRA)
    return Gateway(sim.path, "st-01", site, path, MqttParams(url=url), check_w, **kw)


def ready(gw) -> bool:
    s = gw.stats()
    return s.serial == "connected" and s.mqtt == "connected"


def test_reads_typed_at_50_per_second_each_carry_the_time_they_were_read(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait
):
    svc = fake_service(shared_mqtt_url, site)
    gw = make_gateway(sim, shared_mqtt_url, site, tmp_path / "o.db", allow_silent=True,
                      profile=get_profile("generic-cr"))  # fmt: skip
    run_gateway(gw)
    wait(lambda: ready(gw))
    typed: list[datetime] = []
    for code in codes(40):
        typed.append(datetime.now(UTC))
        sim.type(code)
        time.sleep(0.02)
    wait(lambda: gw.stats().confirmed == 40, timeout=20)
    got = sorted(svc.accepted, key=lambda s: s.device_seq)
    assert all(s.scanned_at is not None for s in got)
    for at, s in zip(typed, got, strict=True):
        lag = (datetime.fromisoformat(s.scanned_at) - at).total_seconds()
        assert 0 <= lag < 0.5, (s.code, at, s.scanned_at)


def test_every_unreadable_frame_is_journaled_refused_with_a_bad_beep(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait
):
    svc = fake_service(shared_mqtt_url, site)
    path = tmp_path / "o.db"
    gw = make_gateway(sim, shared_mqtt_url, site, path)
    run_gateway(gw)
    wait(lambda: ready(gw))
    sim.write(b"\x01\x02\x03\x04\r")  # line noise
    sim.write(b"B" * 50_000 + b"\r")  # one 50 kB line
    sim.write(b"BX\xc3\xa9\xff\xfe00W\r")  # not ASCII, not even UTF-8
    beeps = b""
    deadline = time.monotonic() + 5
    while beeps.count(ZEBRA.bad_read) < 3 and time.monotonic() < deadline:
        beeps += sim.read_host(timeout=0.5)
    sim.type("BX00000001W")
    wait(lambda: gw.stats().confirmed == 1, timeout=10)
    beeps += sim.read_host(timeout=2)
    assert beeps == ZEBRA.bad_read * 3 + ZEBRA.good_read
    rows = Outbox(path).rows()
    refused = [(r.state, r.reason_code) for r in rows if r.state == "rejected_local"]
    assert refused == [
        ("rejected_local", "garbage"),
        ("rejected_local", "too_long"),
        ("rejected_local", "non_ascii"),
    ]
    assert all(r.device_seq is None for r in rows if r.state == "rejected_local")
    assert svc.accepted_codes() == ["BX00000001W"]


GATEWAY = """
import sys
from devices.mqtt import MqttParams
from devices.scanner import Gateway
port, site, path, url = sys.argv[1:5]
Gateway(port, "st-01", site, path, MqttParams(url=url), allow_silent=True).run()
"""


def test_reads_typed_while_the_gateway_is_down_are_read_when_it_starts(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait
):
    svc = fake_service(shared_mqtt_url, site)
    path = tmp_path / "o.db"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    first = subprocess.Popen(
        [sys.executable, "-c", GATEWAY, sim.path, site, str(path), shared_mqtt_url],
        env=env,
    )
    sim.type_many(codes(5), rate=50)
    wait(lambda: len(svc.accepted) == 5, timeout=20)
    first.kill()  # the station restarts...
    first.wait(10)
    sim.type_many(codes(20, start=5), rate=50)  # ...while the agent keeps scanning
    gw = make_gateway(sim, shared_mqtt_url, site, path, allow_silent=True)
    run_gateway(gw)
    wait(lambda: len(svc.accepted) == 25, timeout=20)
    assert sorted(svc.accepted_codes()) == codes(25)


def test_a_backlog_drains_within_the_in_flight_window_with_backoff(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait
):
    path = tmp_path / "o.db"
    gw = make_gateway(sim, shared_mqtt_url, site, path, allow_silent=True,
                      resend_after=0.4, window=8)  # fmt: skip
    run_gateway(gw)
    wait(lambda: ready(gw))
    sim.write(b"".join(c.encode() + b"\r" for c in codes(60)))  # nobody answers
    wait(lambda: gw.stats().reads == 60)
    time.sleep(3.0)  # resends due at 0.4, 1.2, 2.8 s after the first publication
    s = gw.stats()
    assert s.published == 8  # only the window's first reads ever left
    sends = [r.sent_count for r in Outbox(path).rows(100)]
    assert max(sends) <= 4 and sends.count(0) == 52, sends
    svc = fake_service(shared_mqtt_url, site)
    wait(lambda: gw.stats().depth == 0, timeout=30)
    assert sorted(svc.accepted_codes()) == codes(60)
    assert max(r.sent_count for r in Outbox(path).rows(100)) <= 5


def test_a_scanner_profile_that_cannot_beep_is_refused(sim, site, tmp_path):
    with pytest.raises(SilentProfile, match="zebra-like"):
        Gateway(sim.path, "st-01", site, tmp_path / "o.db", MqttParams(),
                profile=get_profile("generic-cr"))  # fmt: skip
    assert not (tmp_path / "o.db").exists()
