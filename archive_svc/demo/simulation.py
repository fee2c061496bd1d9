"""The demo's simulated agent: a scanner on a pty, a real gateway, and a morning's work.

``start_station`` plugs a :class:`devices.sim.SimulatedScanner`, runs a real
:class:`devices.scanner.Gateway` on it (console off, outbox under the data dir) and
replays :func:`plan_morning`'s reads a few seconds apart, so the movements appear in
the API (``GET /api/items/{barcode}``) and the console while the demo runs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive_svc import bootstrap, station
from archive_svc.demo import seeding
from archive_svc.domain import commands, stations
from archive_svc.domain.model import Virtual
from archive_svc.services import custody, registry
from devices.sim import SimulatedScanner

log = logging.getLogger(__name__)
DEVICE = "demo-01"


@dataclass(frozen=True)
class Step:
    code: str
    note: str


async def plan_morning(runtime: bootstrap.Runtime) -> list[Step]:
    """Register three new boxes at INTAKE, then script an agent's morning on them and
    on the seeded holdings."""
    q = runtime.queries
    people = await q.principals(["agent.martin", "officer.nguyen"])
    agent, officer = people["agent.martin"], people["officer.nguyen"]
    assert agent.badge_barcode and officer.badge_barcode
    shelves = await q.locations_under(seeding.SITE_CODE, "shelf")
    new_boxes = await _new_boxes_at_intake(runtime)
    target, other = shelves[-1], shelves[-2]
    contents = await q.location_contents(shelves[0].barcode)
    assert contents is not None and contents.items
    box = contents.items[0].item
    folder = (await q.container_contents(box.id))[0]
    moved = contents.items[-1].item
    s = Step
    return [
        s(agent.badge_barcode, "Claire Martin badges in"),
        s(stations.CMD_SHELVE, "shelve the morning's new boxes"),
        s(target.barcode, f"on shelf {target.code}"),
        *[s(b, f"new box {b} (from INTAKE)") for b in new_boxes],
        s(stations.CMD_PICK, "an urgent request by phone"),
        s("RSN-URGENT", "reason: urgent"),
        s(folder.barcode, f"file {folder.number} taken from box {box.number}"),
        s(stations.CMD_HANDOVER, "hand it over"),
        s(officer.badge_barcode, "to Linh Nguyen (protection officer)"),
        s(folder.barcode, f"file {folder.number} handed over"),
        s(stations.CMD_RETURN, "later: the officer brings it back"),
        s(folder.barcode, f"file {folder.number} returned"),
        s(stations.CMD_SHELVE, "reshelve it"),
        s(shelves[0].barcode, f"on shelf {shelves[0].code}"),
        s(folder.barcode, f"file {folder.number} reshelved"),
        s(stations.CMD_RELOCATE, "make room: move a box"),
        s(other.barcode, f"to shelf {other.code}"),
        s(moved.barcode, f"box {moved.number} relocated"),
        s(stations.CMD_CONFIRM, "done for the morning"),
    ]


async def _new_boxes_at_intake(runtime: bootstrap.Runtime) -> list[str]:
    stamp = time.strftime("%y%m%d%H%M%S")
    created = await registry.register_items(
        [commands.RegisterItem("box", f"NEW-{stamp}-{i}") for i in range(1, 4)],
        runtime.uow(),
    )
    moves = tuple(
        commands.MovementRequest(
            registry.new_id(), b.barcode, "accession", to=Virtual.INTAKE,
            actor=registry.SYSTEM_PRINCIPAL, reason="versement du jour",
        )
        for b in created
    )  # fmt: skip
    await custody.record_movements(
        commands.RecordMovements(moves, commands.Submitter.operator("demo")), runtime.uow(), runtime.clock,
        runtime.policy,
    )  # fmt: skip
    return [b.barcode for b in created]


def start_station(
    runtime: bootstrap.Runtime,
    steps: list[Step],
    pace: float = 3.0,
    say: Callable[[str], None] = print,
    *,
    password: str,
) -> Callable[[], None]:
    """Plug the simulated scanner, run the gateway (as the registered station
    :data:`DEVICE` with its MQTT ``password``) and the script; returns ``stop``."""
    settings = runtime.settings
    url = settings.mqtt.broker_url or "mqtt://127.0.0.1:11883"
    scanner = SimulatedScanner()
    gateway = station.build_gateway(
        scanner.path, DEVICE, url, settings.site,
        Path(settings.data_dir) / f"outbox-{DEVICE}.db", profile="zebra-like",
        console=False, credentials=(DEVICE, password), tls=settings.mqtt,
    )  # fmt: skip
    done = threading.Event()
    gw_thread = threading.Thread(target=gateway.run, name="demo-gateway", daemon=True)
    gw_thread.start()

    def script() -> None:
        if done.wait(pace * 2):
            return
        for step in steps:
            say(f"[scanner {DEVICE}] {step.code:<14} {step.note}")
            scanner.type(step.code)
            if done.wait(pace):
                return
        say(f"[scanner {DEVICE}] morning replayed: see GET /api/items/<barcode>")

    threading.Thread(target=script, name="demo-agent", daemon=True).start()

    def stop() -> None:
        done.set()
        gateway.stop()
        gw_thread.join(10)
        scanner.close()

    return stop


async def register_station(runtime: bootstrap.Runtime) -> str:
    """(Re-)register the simulated station :data:`DEVICE`; its new MQTT password."""
    settings = runtime.settings
    return await station.register_station(
        DEVICE, settings.site, runtime.stations(), runtime.clock,
        settings.mqtt.username,
    )  # fmt: skip
