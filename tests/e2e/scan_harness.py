"""Shared by the scan fault tests and bench/scan_e2e.py: a seeded SQLite archive, the
real ``archive-svc serve`` as a subprocess, reads to type, and exact counts."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from archive_svc import bootstrap, station
from archive_svc.config import load_settings
from archive_svc.domain import barcodes, commands
from archive_svc.domain.model import Principal
from archive_svc.services import custody, registry

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).with_name("archive-svc")
DEVICE = "st-01"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate, timeout: float = 30.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout} s: {predicate}")


@dataclass(frozen=True)
class World:
    url: str
    badge: str
    shelf: str
    boxes: tuple[str, ...]
    station_password: str
    """MQTT password of the registered station ``DEVICE``."""

    @property
    def db_path(self) -> Path:
        assert self.url.startswith("sqlite:///"), "exact counts read the SQLite file"
        return Path(self.url.removeprefix("sqlite:///"))


async def _prepare(url: str, site: str, boxes: int, migrate: bool) -> World:
    runtime = bootstrap.build_runtime(load_settings(env={"ARCHIVE_DATABASE_URL": url}))
    if migrate:
        await runtime.migrate()
    badge = barcodes.make(barcodes.Kind.BADGE, 777)
    await registry.add_principal(
        Principal("agent.e2e", "Agent E2E", frozenset({"archive_agent"}), badge_barcode=badge),
        runtime.uow(),
    )  # fmt: skip
    loc = commands.RegisterLocation
    tree = [
        loc("site", "S-E2E", "Site"),
        loc("storeroom", "M-E2E", "Magasin", "S-E2E"),
        loc("shelf", "M-E2E-S1", "Tablette", "M-E2E", None),
    ]
    created = await registry.register_locations(tree, runtime.uow())
    shelf = created[-1].barcode
    items = await registry.register_items(
        [commands.RegisterItem("box", f"E2E-{i:05d}") for i in range(boxes)],
        runtime.uow(),
    )
    moves = tuple(
        commands.MovementRequest(
            str(uuid.uuid4()), i.barcode, "accession", to=shelf, actor="system"
        )
        for i in items
    )
    results = await custody.record_movements(
        commands.RecordMovements(moves, commands.Submitter.operator("e2e")), runtime.uow(), runtime.clock,
        runtime.policy,
    )  # fmt: skip
    assert all(r.status == "recorded" for r in results), results[:1]
    password = await station.register_station(
        DEVICE, site, runtime.stations(), runtime.clock, "archive-svc"
    )
    return World(url, badge, shelf, tuple(i.barcode for i in items), password)


def prepare_world(db: Path | str, site: str, boxes: int = 40) -> World:
    """Seed an agent with a badge, one shelf and ``boxes`` boxes on it, and register
    the station ``DEVICE`` on ``site``; ``db`` is a SQLite file path or a database URL."""
    if isinstance(db, str):
        migrate(db)
        return asyncio.run(_prepare(db, site, boxes, migrate=False))
    # piccolo migrates once per process (its engine finder is cached): copy a template
    shutil.copy(_template(), db)
    return asyncio.run(_prepare(f"sqlite:///{db}", site, boxes, migrate=False))


_TEMPLATES: list[Path] = []


def migrate(url: str) -> None:
    """``archive-svc migrate`` in a subprocess: piccolo's migration state is cached
    per process (on the first database migrated there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    subprocess.run(
        [str(EXE), "migrate"], env={**env, "ARCHIVE_DATABASE_URL": url}, cwd=ROOT,
        check=True, capture_output=True,
    )  # fmt: skip


def _template() -> Path:
    if not _TEMPLATES:
        path = Path(tempfile.mkdtemp(prefix="scan-e2e-")) / "template.db"
        migrate(f"sqlite:///{path}")
        _TEMPLATES.append(path)
    return _TEMPLATES[0]


UNKNOWN_BOX = barcodes.make(barcodes.Kind.BOX, 99_999_999)


def verify_reads(world: World, n: int, unknown_every: int = 0) -> list[str]:
    """Sign in, start a récolement on the shelf, then item reads (all verify)."""
    head = [world.badge, "CMD-VERIFY", world.shelf]
    body = []
    for i in range(n - len(head)):
        if unknown_every and i % unknown_every == unknown_every - 1:
            body.append(UNKNOWN_BOX)
        else:
            body.append(world.boxes[i % len(world.boxes)])
    return head + body


def expected_movements(reads: list[str], world: World) -> int:
    boxes = set(world.boxes)
    return sum(1 for r in reads if r in boxes)


class Service:
    """``archive-svc serve`` as a subprocess (SIGKILL-able)."""

    def __init__(self, world: World, workdir: Path, **env: str) -> None:
        self.port = free_port()
        self.log = workdir / "serve.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")},
            "ARCHIVE_DATABASE_URL": world.url,
            "ARCHIVE_DATA_DIR": str(workdir / "var"),
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(EXE), "serve", "--port", str(self.port)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            )  # fmt: skip
        self.starts += 1
        wait_until(self._healthy, timeout=30)

    def _healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"serve exited: {self.log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


@dataclass(frozen=True)
class Counts:
    inbox: int
    inbox_distinct: int
    movements: int
    movements_distinct: int
    by_outcome: dict[str, int]
    seq_inversions: int
    movement_ids_not_scans: int


def counts(world: World, device: str = DEVICE) -> Counts:
    con = sqlite3.connect(f"file:{world.db_path}?mode=ro", uri=True, timeout=30)
    try:
        q = con.execute
        inbox = q(
            "SELECT count(*), count(DISTINCT scan_id) FROM scan_inbox WHERE device_id = ?",
            (device,),
        ).fetchone()
        moves = q(
            "SELECT count(*), count(DISTINCT event_id) FROM movement WHERE device_id = ?",
            (device,),
        ).fetchone()
        outcome = dict(
            q(
                "SELECT outcome, count(*) FROM scan_inbox WHERE device_id = ? GROUP BY outcome",
                (device,),
            ).fetchall()
        )
        seqs = [
            r[0]
            for r in q(
                "SELECT device_seq FROM movement WHERE device_id = ? ORDER BY seq",
                (device,),
            )
        ]
        orphans = q(
            "SELECT count(*) FROM movement m LEFT JOIN scan_inbox s ON s.scan_id = m.event_id"
            " WHERE m.device_id = ? AND s.scan_id IS NULL",
            (device,),
        ).fetchone()[0]
    finally:
        con.close()
    inversions = sum(1 for a, b in itertools.pairwise(seqs) if b < a)
    return Counts(inbox[0], inbox[1], moves[0], moves[1], outcome, inversions, orphans)  # fmt: skip


def inbox_count(world: World, device: str = DEVICE) -> int:
    con = sqlite3.connect(f"file:{world.db_path}?mode=ro", uri=True, timeout=30)
    try:
        return int(
            con.execute(
                "SELECT count(*) FROM scan_inbox WHERE device_id = ?", (device,)
            ).fetchone()[0]
        )
    finally:
        con.close()


def start_gateway(
    sim, url: str, site: str, path: Path, resend_after: float = 20.0,
    password: str | None = None,
):  # fmt: skip
    """A gateway on the simulated scanner's pty, in a thread, once its port is open;
    with ``password``, it signs in as the registered station ``DEVICE``."""
    from devices.mqtt import MqttParams
    from devices.scanner import Gateway

    params = MqttParams(
        url=url, username=DEVICE if password else None, password=password
    )
    gw = Gateway(
        sim.path, DEVICE, site, path, params, station.validation_error,
        resend_after=resend_after, allow_silent=True,  # nobody drains the pty's host side
    )  # fmt: skip
    thread = threading.Thread(target=gw.run, kwargs={"tick": 0.05}, daemon=True)
    thread.start()
    wait_until(lambda: gw.stats().serial == "connected", timeout=30)
    return gw, thread
