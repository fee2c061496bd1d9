"""An outage never changes the outcome of a read: the same reads, typed on a real pty
through the real gateway, Mosquitto and ``serve``, once without faults and once with
the service SIGKILLed and restarted, the broker killed and restarted, and the gateway
SIGKILLed and restarted, give the same ledger movement for movement (item, kind,
from, to, actor), each movement effective at its read's own ``scanned_at`` (the
gateway's stamp), and the same outcome for every read.

The reads move custody back and forth (pick with a reason, then shelve again), so a
read judged out of its station's order or with the processing time would be refused
``out_of_order`` or leave a box with the agent. ``SCAN_IDENTITY_READS`` sets the
length (600 in CI; ``bench/scan_e2e.py --faults`` runs 2,000).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from datetime import datetime

import pytest

from devices.scanner import Outbox
from tests.e2e.scan_harness import (
    DEVICE,
    EXE,
    ROOT,
    Service,
    World,
    inbox_count,
    prepare_world,
    wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.mqtt]
READS = int(os.environ.get("SCAN_IDENTITY_READS", "600"))
RATE = 150.0
GATEWAY_START = 5.0
PER_MODE = 10


@pytest.fixture(autouse=True)
def _once_per_ci_run(db_kind):
    """``serve`` runs on its own SQLite file here whatever ``--db`` says."""
    if db_kind == "postgres":
        pytest.skip("scan fault tests run in the SQLite pass")


def custody_reads(world: World, n: int) -> list[str]:
    """Sign in, then cycles of: pick ten boxes (with a reason), shelve them back."""
    reads = [world.badge]
    cycle = 0
    while len(reads) < n:
        first = (cycle * PER_MODE) % len(world.boxes)
        boxes = [world.boxes[(first + i) % len(world.boxes)] for i in range(PER_MODE)]
        reads += ["CMD-PICK", "RSN-AUDIT", *boxes, "CMD-SHELVE", world.shelf, *boxes]
        cycle += 1
    return reads[:n]


def ledger(world: World) -> list[tuple[object, ...]]:
    """The station's movements in chain order, ids replaced by barcodes."""
    con = sqlite3.connect(f"file:{world.db_path}?mode=ro", uri=True, timeout=30)
    try:
        names = dict(con.execute("SELECT id, barcode FROM location"))
        names.update(con.execute("SELECT id, barcode FROM item"))
        rows = con.execute(
            "SELECT m.device_seq, i.barcode, m.kind, m.from_ref, m.to_ref, m.actor_ref,"
            " m.effective_at, m.scanned_at FROM movement m JOIN item i ON i.id = m.item"
            " WHERE m.device_id = ? ORDER BY m.seq",
            (DEVICE,),
        ).fetchall()
        outcomes = con.execute(
            "SELECT device_seq, outcome, reason_code FROM scan_inbox"
            " WHERE device_id = ? ORDER BY device_seq",
            (DEVICE,),
        ).fetchall()
    finally:
        con.close()

    def name(ref: str | None) -> str | None:
        if ref is None or ":" not in ref:
            return ref
        kind, _, ident = ref.partition(":")
        return f"{kind}:{names.get(ident, ident)}"

    out: list[tuple[object, ...]] = []
    for seq, item, kind, src, dst, actor, effective, scanned in rows:
        assert effective is not None and _at(effective) == _at(scanned), (seq, item)
        out.append((seq, item, kind, name(src), name(dst), actor))
    return [*out, *(("outcome", *o) for o in outcomes)]


def _at(value: object) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def stamped(outbox_path, world: World) -> dict[int, datetime]:
    """Each read's scan time as the gateway stamped it."""
    return {
        r.device_seq: _at(r.scanned_at)
        for r in Outbox(outbox_path).rows(READS + 10)
        if r.device_seq is not None and r.scanned_at
    }


def run(tmp_path, mosquitto, sim, site, faults: bool) -> tuple[list, dict]:
    world = prepare_world(tmp_path / "archive.db", site)
    svc = Service(world, tmp_path, ARCHIVE_MQTT_BROKER="external",
                  ARCHIVE_MQTT_URL=mosquitto.url, ARCHIVE_SITE=site)  # fmt: skip
    svc.start()
    outbox = tmp_path / "outbox.db"
    gateway_log = (tmp_path / "gateway.log").open("ab")

    def gateway() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(EXE), "gateway", "--port", sim.path, "--device-id", DEVICE,
             "--broker", mosquitto.url, "--site", site, "--outbox", str(outbox),
             "--no-console", "--resend-after", "2", "--allow-silent"],
            stdout=gateway_log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip

    reads = custody_reads(world, READS)
    cut = [len(reads) * k // 5 for k in range(6)]
    gw = gateway()
    time.sleep(GATEWAY_START)
    try:
        sim.type(reads[0])
        wait_until(lambda: inbox_count(world) == 1, timeout=30)
        sim.type_many(reads[1 : cut[1]], rate=RATE)
        if faults:  # the service dies mid-stream and comes back
            svc.kill()
        sim.type_many(reads[cut[1] : cut[2]], rate=RATE)
        if faults:
            svc.start()
            mosquitto.kill()  # the broker dies with reads in flight
        sim.type_many(reads[cut[2] : cut[3]], rate=RATE)
        if faults:
            mosquitto.start()
        sim.type_many(reads[cut[3] : cut[4]], rate=RATE)
        if faults:  # the gateway dies with reads journaled and unconfirmed
            gw.send_signal(signal.SIGKILL)
            gw.wait(10)
            gw = gateway()
            time.sleep(GATEWAY_START)
        sim.type_many(reads[cut[4] :], rate=RATE)
        wait_until(lambda: inbox_count(world) == len(reads), timeout=300)
        wait_until(lambda: Outbox(outbox).depth() == 0, timeout=60)
    finally:
        gw.send_signal(signal.SIGTERM)
        gw.wait(15)
        gateway_log.close()
        svc.stop()
    moves = ledger(world)
    times = stamped(outbox, world)
    for row in moves:
        if row[0] != "outcome":
            assert row[0] in times
    return moves, times


def test_the_same_reads_with_and_without_faults_give_the_same_ledger(
    tmp_path, own_mosquitto, sim, site
):
    started = time.monotonic()
    (tmp_path / "calm").mkdir()
    (tmp_path / "faults").mkdir()
    calm, _ = run(tmp_path / "calm", own_mosquitto, sim, site, faults=False)
    stormy, _ = run(tmp_path / "faults", own_mosquitto, sim, f"{site}-f", faults=True)
    movements = [r for r in calm if r[0] != "outcome"]
    refused = [r for r in calm if r[0] == "outcome" and r[2] != "accepted"]
    assert len(movements) >= READS * 0.8 and refused == []
    assert stormy == calm
    print(f"\n{len(movements)} movements identical with and without faults,"
          f" {time.monotonic() - started:.1f} s")  # fmt: skip
