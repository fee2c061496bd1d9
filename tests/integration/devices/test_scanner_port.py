"""The serial reader on real ptys, loop:// and socket://: framing, unplug, replug."""

import socket
import threading
import time

import pytest

from devices.scanner import (
    Discard,
    PortBusy,
    PortReader,
    ScannerDisconnected,
    ScannerNotFound,
    ScanRead,
    open_port,
)
from devices.scanner.frames import FrameDecoder
from devices.sim import SimulatedScanner


class Recorder:
    """Collects what the reader thread reports."""

    def __init__(self) -> None:
        self.events: list = []
        self.statuses: list[str] = []
        self.lock = threading.Lock()

    def on_events(self, events) -> None:
        with self.lock:
            self.events += events

    def on_status(self, status, detail) -> None:
        with self.lock:
            self.statuses.append(status)

    def codes(self) -> list[str]:
        with self.lock:
            return [e.code for e in self.events if isinstance(e, ScanRead)]

    def discards(self) -> list[Discard]:
        with self.lock:
            return [e for e in self.events if isinstance(e, Discard)]


@pytest.fixture
def reader_for():
    readers: list[PortReader] = []

    def make(
        url: str, rec: Recorder, decoder: FrameDecoder | None = None
    ) -> PortReader:
        r = PortReader(
            url,
            9600,
            decoder or FrameDecoder(),
            rec.on_events,
            rec.on_status,
            backoff_min=0.02,
            backoff_max=0.2,
        )
        r.start()
        readers.append(r)
        return r

    yield make
    for r in readers:
        r.stop()


def test_reads_typed_on_a_pty_are_decoded_with_aim(sim, reader_for, wait):
    rec = Recorder()
    reader_for(sim.path, rec)
    wait(lambda: rec.statuses == ["connected"])
    sim.type("BX00012345W", aim="]C0")
    sim.type("BX00012346X")
    wait(lambda: len(rec.codes()) == 2)
    assert rec.events[0] == ScanRead("BX00012345W", "]C0", "]C0BX00012345W")


def test_unplug_mid_frame_reports_the_partial_frame_and_recovers_after_replug(
    sim, reader_for, wait
):
    rec = Recorder()
    reader = reader_for(sim.path, rec)
    wait(lambda: reader.status == "connected")
    sim.type("A0001")
    wait(lambda: rec.codes() == ["A0001"])
    sim.unplug(partial=b"]C0BX0001")
    wait(lambda: reader.status == "disconnected")
    assert rec.discards() == [Discard("partial_on_close", b"]C0BX0001")]
    assert rec.codes() == ["A0001"]  # the partial frame was not made a scan
    time.sleep(0.3)  # the reader keeps retrying while the device is away
    sim.plug()
    wait(lambda: reader.status == "connected", timeout=5)
    sim.type("A0002")
    wait(lambda: rec.codes() == ["A0001", "A0002"])
    assert rec.statuses == ["connected", "disconnected", "connected"]


def test_reader_started_before_the_device_exists_connects_when_it_appears(
    tmp_path, reader_for, wait
):
    scanner = SimulatedScanner(link_dir=tmp_path)
    scanner.unplug()
    rec = Recorder()
    reader = reader_for(scanner.path, rec)
    time.sleep(0.2)
    assert reader.status == "disconnected" and rec.statuses == []
    scanner.plug()
    wait(lambda: reader.status == "connected", timeout=5)
    scanner.type("A1")
    wait(lambda: rec.codes() == ["A1"])
    scanner.close()


def test_second_opener_of_a_port_is_refused_at_once(sim):
    port = open_port(sim.path)
    try:
        with pytest.raises(PortBusy):
            open_port(sim.path)
    finally:
        port.close()


def test_missing_device_is_reported_as_not_found(tmp_path):
    with pytest.raises(ScannerNotFound):
        open_port(str(tmp_path / "usb-nothing-if00"))


def test_host_commands_reach_the_scanner(sim, reader_for, wait):
    rec = Recorder()
    reader = reader_for(sim.path, rec)
    wait(lambda: reader.status == "connected")
    reader.write(b"\x16M\rBEPEXE1.")
    assert sim.read_host(timeout=2) == b"\x16M\rBEPEXE1."


def test_write_while_unplugged_raises_scanner_disconnected(sim, reader_for, wait):
    rec = Recorder()
    reader = reader_for(sim.path, rec)
    wait(lambda: reader.status == "connected")
    sim.unplug()
    wait(lambda: reader.status == "disconnected")
    with pytest.raises(ScannerDisconnected):
        reader.write(b"\x07")


def test_stop_reports_a_pending_partial_frame(sim, reader_for, wait):
    rec = Recorder()
    reader = reader_for(sim.path, rec)
    wait(lambda: reader.status == "connected")
    sim.write(b"BX00")
    time.sleep(0.15)
    reader.stop()
    assert rec.discards() == [Discard("partial_on_close", b"BX00")]


def test_loop_url_echoes_writes_into_the_decoder(reader_for, wait):
    rec = Recorder()
    reader = reader_for("loop://", rec, FrameDecoder(terminator=b"\r\n"))
    wait(lambda: reader.status == "connected")
    reader.write(b"]E04006381333931\r\nBX1\r\n")
    wait(lambda: len(rec.codes()) == 2)
    assert rec.events[0] == ScanRead("4006381333931", "]E0", "]E04006381333931")


def test_socket_url_reads_a_network_scanner_and_reconnects(reader_for, wait):
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(10)
        rec = Recorder()
        reader = reader_for(f"socket://127.0.0.1:{server.getsockname()[1]}", rec)
        with server.accept()[0] as conn:
            wait(lambda: reader.status == "connected")
            conn.sendall(b"NET1\rNE")
            wait(lambda: rec.codes() == ["NET1"])
        # the network scanner dropped the connection mid-frame
        wait(lambda: "disconnected" in rec.statuses)
        assert rec.discards() == [Discard("partial_on_close", b"NE")]
        with server.accept()[0] as conn:
            wait(lambda: rec.statuses == ["connected", "disconnected", "connected"])
            conn.sendall(b"NET2\r")
            wait(lambda: rec.codes() == ["NET1", "NET2"])
