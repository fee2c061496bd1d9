"""Fixtures for device integration tests: brokers, a fake scan service, runners.

Every test gets its own site id, so tests sharing the machine's Mosquitto never see
each other's topics. Tests that stop a broker start their own Mosquitto process.
"""

import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devices.mqtt import MqttClient, MqttParams, payloads, topics
from devices.mqtt.client import Message
from devices.scanner import Gateway
from devices.sim import SimulatedScanner

SHARED_MQTT = ("127.0.0.1", 1883)


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, step=0.02):
    """Poll ``predicate`` until truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout} s: {predicate}")


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def free_tcp_port() -> int:
    return free_port()


@pytest.fixture
def shared_mqtt_url() -> str:
    if not reachable(*SHARED_MQTT):
        msg = "Mosquitto is not reachable on 127.0.0.1:1883"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return f"mqtt://{SHARED_MQTT[0]}:{SHARED_MQTT[1]}"


@pytest.fixture
def site() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def sim():
    with SimulatedScanner() as scanner:
        yield scanner


class OwnMosquitto:
    """A Mosquitto process on a free port with persistence in a temp dir."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self.conf = workdir / "mosquitto.conf"
        self.log = workdir / "mosquitto.log"
        (workdir / "data").mkdir()
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            f"persistence_location {workdir / 'data'}/",
            "autosave_interval 1",
            "max_queued_messages 100000",
        ]
        if os.geteuid() == 0:
            lines.append(
                "user root"
            )  # otherwise it drops to 'mosquitto' and can't save
        self.conf.write_text("\n".join(lines) + "\n")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [exe, "-c", str(self.conf)], stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(lambda: reachable("127.0.0.1", self.port), timeout=10)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None


@pytest.fixture
def own_mosquitto(tmp_path):
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("mosquitto binary not installed (CI must provide it)")
        pytest.skip("mosquitto binary not installed")
    broker = OwnMosquitto(tmp_path)
    broker.start()
    yield broker
    broker.kill()


@dataclass
class FakeScanService:
    """Test-side stand-in for the service: subscribes to scans, answers feedback.

    Codes starting with ``UNK`` are rejected as unknown; a scan_id seen before is
    answered ``duplicate``. Manual ack after "commit", like the real consumer.
    """

    url: str
    site: str
    name: str = "svc1"
    username: str | None = None
    password: str | None = None
    seen: dict[str, int] = field(default_factory=dict)  # scan_id -> deliveries
    accepted: list[payloads.ScanMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    client: MqttClient | None = None

    def start(self) -> "FakeScanService":
        params = MqttParams(
            url=self.url,
            client_id=f"svc-{self.site}-{self.name}",
            manual_ack=True,
            status_topic=topics.service_status(self.site, self.name),
            username=self.username,
            password=self.password,
        )
        self.client = MqttClient(params, on_message=self._on_message)
        self.client.subscribe(topics.all_scans(self.site), 1)
        self.client.start()
        wait_until(lambda: self.client.connected, timeout=10)
        return self

    def stop(self) -> None:
        if self.client is not None:
            self.client.stop()
            self.client = None

    def _on_message(self, msg: Message) -> None:
        scan = payloads.decode_scan(msg.payload)
        with self.lock:
            first = scan.scan_id not in self.seen
            self.seen[scan.scan_id] = self.seen.get(scan.scan_id, 0) + 1
            if first and not scan.code.startswith("UNK"):
                self.accepted.append(scan)
        outcome = (
            "duplicate"
            if not first
            else ("rejected" if scan.code.startswith("UNK") else "accepted")
        )
        fb = payloads.Feedback(
            scan.scan_id,
            scan.device_seq,
            outcome,
            "unknown_barcode" if outcome == "rejected" else None,
            "Code inconnu" if outcome == "rejected" else "OK",
            None if outcome == "rejected" else f"mv-{scan.scan_id}",
        )
        assert self.client is not None
        self.client.publish(
            topics.feedback(self.site, scan.device_id), payloads.encode_feedback(fb), 1
        )
        self.client.ack(msg.mid, msg.qos)

    def accepted_codes(self) -> list[str]:
        with self.lock:
            return [s.code for s in self.accepted]


@pytest.fixture
def fake_service():
    started: list[FakeScanService] = []

    def make(
        url: str, site: str, name: str = "svc1", credentials=(None, None)
    ) -> FakeScanService:
        svc = FakeScanService(url, site, name, *credentials).start()
        started.append(svc)
        return svc

    yield make
    for svc in started:
        svc.stop()


@pytest.fixture
def run_gateway():
    """Start ``gateway.run()`` in a thread; stopped and joined at teardown."""
    running: list[tuple[Gateway, threading.Thread]] = []

    def start(gw: Gateway) -> Callable[[], None]:
        t = threading.Thread(target=gw.run, kwargs={"tick": 0.05}, daemon=True)
        t.start()
        running.append((gw, t))

        def stop() -> None:
            gw.stop()
            t.join(10)
            assert not t.is_alive(), "gateway did not stop"

        return stop

    yield start
    for gw, t in running:
        gw.stop()
        t.join(10)


@pytest.fixture
def wait():
    """``wait(predicate, timeout=10)``: poll until true or fail the test."""
    return wait_until
