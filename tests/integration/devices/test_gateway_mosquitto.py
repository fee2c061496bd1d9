"""Gateway against the shared Mosquitto: reads -> outbox -> MQTT -> feedback -> beep.

A fake service (conftest) answers each scan; each test uses its own site id.
"""

import json
import threading
import time
from datetime import UTC, datetime

import pytest

from devices.mqtt import MqttClient, MqttParams, topics
from devices.scanner import Gateway, Outbox, TimestampPrefix, get_profile

pytestmark = pytest.mark.mqtt

HONEYWELL = get_profile("honeywell-like")


def check_w(code: str) -> str | None:
    """Fake check-character validator: valid codes end with W."""
    return None if code.endswith("W") else "bad_check_character"


def make_gateway(sim, url, site, path, **kw) -> Gateway:
    kw.setdefault("profile", get_profile("generic-cr"))
    kw.setdefault("resend_after", 1.0)
    kw.setdefault("allow_silent", True)  # nobody drains the pty's host side here
    return Gateway(sim.path, "st-01", site, path, MqttParams(url=url), check_w, **kw)


def codes(n: int, start: int = 0) -> list[str]:
    return [f"BX{i:08d}W" for i in range(start, start + n)]


def wait_ready(gw, wait):
    wait(lambda: gw.stats().serial == "connected" and gw.stats().mqtt == "connected")


def test_every_read_is_confirmed_once_and_the_outbox_empties(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait
):
    svc = fake_service(shared_mqtt_url, site)
    gw = make_gateway(sim, shared_mqtt_url, site, tmp_path / "o.db")
    stop = run_gateway(gw)
    wait_ready(gw, wait)
    sent = codes(50)
    sim.type_many(sent, rate=200, aim="]C0")
    wait(lambda: gw.stats().confirmed == 50, timeout=20)
    stats = gw.stats()
    stop()
    assert stats.depth == 0 and stats.reads == 50 and stats.resent == 0
    assert svc.accepted_codes() == sent
    assert [s.device_seq for s in svc.accepted] == list(range(1, 51))
    assert all(n == 1 for n in svc.seen.values())
    rows = Outbox(tmp_path / "o.db").rows()
    assert [(r.code, r.state, r.outcome) for r in rows] == [
        (c, "confirmed", "accepted") for c in sent
    ]
    first = svc.accepted[0]
    assert (first.aim, first.raw, first.source) == ("]C0", "]C0" + sent[0], "scan")
    assert first.scanned_at.endswith("Z") and first.device_id == "st-01"


def test_bad_check_character_is_refused_on_the_spot_and_never_published(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait
):
    svc = fake_service(shared_mqtt_url, site)
    sim.terminator = HONEYWELL.terminator
    gw = make_gateway(sim, shared_mqtt_url, site, tmp_path / "o.db", profile=HONEYWELL)
    run_gateway(gw)
    wait_ready(gw, wait)
    sim.type("BX00000001Q")
    assert sim.read_host(timeout=2) == HONEYWELL.bad_read
    sim.type("BX00000002W")
    assert sim.read_host(timeout=5) == HONEYWELL.good_read
    stats = gw.stats()
    assert (stats.rejected_local, stats.confirmed) == (1, 1)
    assert svc.accepted_codes() == ["BX00000002W"] and len(svc.seen) == 1
    assert svc.accepted[0].device_seq == 1  # the refused read took no sequence number
    assert (stats.recent[0].status, stats.recent[0].detail) == (
        "refused",
        "bad_check_character",
    )


def test_rejected_feedback_gives_a_bad_read_signal_and_is_kept(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait
):
    fake_service(shared_mqtt_url, site)
    sim.terminator = HONEYWELL.terminator
    gw = make_gateway(sim, shared_mqtt_url, site, tmp_path / "o.db", profile=HONEYWELL)
    stop = run_gateway(gw)
    wait_ready(gw, wait)
    sim.type("UNK0000001W")
    assert sim.read_host(timeout=5) == HONEYWELL.bad_read
    wait(lambda: gw.stats().recent[-1].status == "rejected")
    stop()
    [row] = Outbox(tmp_path / "o.db").rows()
    assert (row.state, row.outcome, row.reason_code, row.message) == (
        "confirmed",
        "rejected",
        "unknown_barcode",
        "Code inconnu",
    )


def test_pending_reads_are_republished_by_a_new_gateway_on_the_same_outbox(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait
):
    path = tmp_path / "o.db"
    gw = make_gateway(sim, shared_mqtt_url, site, path)
    stop = run_gateway(gw)
    wait_ready(gw, wait)
    sim.type_many(codes(10), rate=100)
    wait(lambda: gw.stats().published == 10)  # sent, but nobody answers
    stop()
    assert gw.stats().depth == 10
    svc = fake_service(shared_mqtt_url, site)
    gw2 = make_gateway(sim, shared_mqtt_url, site, path)
    run_gateway(gw2)
    wait_ready(gw2, wait)
    sim.type_many(codes(5, start=10), rate=100)
    wait(lambda: gw2.stats().confirmed == 15 and gw2.stats().depth == 0, timeout=20)
    assert svc.accepted_codes() == codes(15)
    assert [s.device_seq for s in svc.accepted] == list(range(1, 16))


def test_unanswered_reads_are_republished_after_the_timeout(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait
):
    gw = make_gateway(sim, shared_mqtt_url, site, tmp_path / "o.db", resend_after=0.3)
    run_gateway(gw)
    wait_ready(gw, wait)
    sim.type("BX00000001W")
    wait(lambda: gw.stats().resent >= 2, timeout=5)
    svc = fake_service(shared_mqtt_url, site)
    wait(lambda: gw.stats().depth == 0, timeout=5)
    assert svc.accepted_codes() == ["BX00000001W"]


def test_a_burst_of_stored_reads_is_published_as_batch(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait
):
    svc = fake_service(shared_mqtt_url, site)
    gw = make_gateway(
        sim,
        shared_mqtt_url,
        site,
        tmp_path / "o.db",
        timestamp_prefix=TimestampPrefix(),
    )
    run_gateway(gw)
    wait_ready(gw, wait)
    before = datetime.now(UTC)
    sim.write(b"".join(c.encode() + b"\r" for c in codes(30)))
    wait(lambda: gw.stats().confirmed == 30, timeout=20)
    after = datetime.now(UTC)
    sim.write(b"20261127073000,BX00000099W\r")
    wait(lambda: gw.stats().confirmed == 31, timeout=20)
    batch, stamped = svc.accepted[:30], svc.accepted[30]
    # "batch" says how they travelled; each still has the time it was read
    assert {s.source for s in batch} == {"batch"}
    times = [datetime.fromisoformat(s.scanned_at) for s in batch]
    assert all(before <= t <= after for t in times), (before, times, after)
    assert (stamped.source, stamped.code) == ("batch", "BX00000099W")
    assert stamped.scanned_at == "2026-11-27T07:30:00.000000Z"


def test_status_topic_is_online_while_running_and_offline_after_stop(
    sim, site, tmp_path, shared_mqtt_url, run_gateway, wait
):
    seen: list[bytes] = []
    watcher = MqttClient(
        MqttParams(url=shared_mqtt_url, persistent=False),
        on_message=lambda m: seen.append(m.payload),
    )
    watcher.subscribe(topics.scanner_status(site, "st-01"), 1)
    watcher.start()
    try:
        gw = make_gateway(sim, shared_mqtt_url, site, tmp_path / "o.db")
        stop = run_gateway(gw)
        wait(lambda: b"online" in seen)
        stop()
        wait(lambda: seen[-1:] == [b"offline"])
    finally:
        watcher.stop()


def test_malformed_feedback_is_counted_and_ignored(
    sim, site, tmp_path, shared_mqtt_url, run_gateway, wait
):
    gw = make_gateway(sim, shared_mqtt_url, site, tmp_path / "o.db")
    run_gateway(gw)
    wait_ready(gw, wait)
    pub = MqttClient(MqttParams(url=shared_mqtt_url, persistent=False))
    pub.start()
    try:
        wait(lambda: pub.connected)
        pub.publish(topics.feedback(site, "st-01"), b"{not json", 1)
        pub.publish(
            topics.feedback(site, "st-01"),
            json.dumps({"v": 1, "scan_id": "x"}).encode(),
            1,
        )
        wait(lambda: gw.stats().bad_feedback == 2)
    finally:
        pub.stop()
    assert gw.stats().mqtt == "connected"


def test_throughput_of_reads_through_the_gateway(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait, capsys
):
    svc = fake_service(shared_mqtt_url, site)
    gw = make_gateway(sim, shared_mqtt_url, site, tmp_path / "o.db")
    run_gateway(gw)
    wait_ready(gw, wait)
    n = 300
    start = time.monotonic()
    typer = threading.Thread(target=sim.type_many, args=(codes(n),), kwargs={"rate": 0})
    typer.start()
    wait(lambda: gw.stats().confirmed == n, timeout=30, step=0.005)
    elapsed = time.monotonic() - start
    typer.join(5)
    assert svc.accepted_codes() == codes(n)
    with capsys.disabled():
        print(
            f"\n[gateway] {n} reads confirmed in {elapsed:.2f} s: {n / elapsed:.0f} reads/s"
        )


def test_gateway_runs_with_the_live_console(
    sim, site, tmp_path, shared_mqtt_url, fake_service, run_gateway, wait, capsys
):
    fake_service(shared_mqtt_url, site)
    gw = make_gateway(sim, shared_mqtt_url, site, tmp_path / "o.db", console=True)
    stop = run_gateway(gw)
    wait_ready(gw, wait)
    sim.type_many(codes(3), rate=50)
    wait(lambda: gw.stats().confirmed == 3)
    time.sleep(0.3)  # let the console refresh once more
    stop()
    out = capsys.readouterr().out
    assert f"{site}/st-01" in out and codes(3)[-1] in out
