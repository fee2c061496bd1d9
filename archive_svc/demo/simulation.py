"""The demo's life: scanner stations working through realistic mornings, for as long
as the demo runs.

Each station is a :class:`devices.sim.SimulatedScanner` on a pty read by a real
:class:`devices.scanner.Gateway` (console off, outbox under the data dir), worked by
its own agent: the agent badges in with their own badge, never as the person signed
in to the pages. Reads go a few seconds apart, through MQTT and the scan consumer,
so movements appear in the console as they happen.

- ``demo-01`` (shelving and requests): shelves the morning's new boxes from INTAKE,
  picks files asked for by phone and hands them to protection officers, and takes
  back, refiling each in its own box at the desk, files handed over on earlier
  mornings.
- ``demo-02`` (verification and digitisation): verifies a shelf box by box; now and
  then a box recorded on another shelf turns up there (a discrepancy, left for the
  agents to settle); sends a file to digitisation and takes back the ones that came
  back.

Before the first morning, :func:`past_weeks` gives the seeded archive a past: files
handed over weeks ago and still out, so the home page's figures mean something.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from archive_svc import bootstrap, station
from archive_svc.demo import seeding
from archive_svc.domain import barcodes, commands, stations
from archive_svc.domain.model import Item, ItemKind, Principal, Virtual
from archive_svc.services import custody, registry
from archive_svc.services.ports import Clock
from devices.sim import SimulatedScanner

log = logging.getLogger(__name__)

PACE_S = 3.0
"""Seconds between two reads of a station."""
PAUSE_S = 45.0
"""Seconds between two mornings of a station."""
OFFICERS = ("officer.nguyen", "officer.diallo")
FORGOTTEN = timedelta(days=20)
"""Files out longer than this are not brought back by the simulated mornings."""
SEEDED_DAYS_AGO = 120
"""The demo's holdings are seeded as if this many days ago (they have a past)."""


@dataclass(frozen=True)
class Station:
    device_id: str
    agent_id: str
    agent_name: str
    work: str
    """``shelving`` or ``verification``: which morning it plays."""


STATIONS = (
    Station("demo-01", "agent.leroy", "Hugo Leroy", "shelving"),
    Station("demo-02", "agent.roux", "Inès Roux", "verification"),
)


@dataclass(frozen=True)
class Step:
    code: str
    note: str


Say = Callable[[str], None]


class FixedClock(Clock):
    """A clock stopped at one moment (to give the seeded archive a past)."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at


async def station_agents(runtime: bootstrap.Runtime) -> dict[str, Principal]:
    """The stations' agents, each with a badge of their own (created once)."""
    wanted = [s.agent_id for s in STATIONS]
    known = await runtime.queries.principals(wanted)
    missing = [s for s in STATIONS if s.agent_id not in known]
    if missing:
        uow = runtime.uow()
        async with uow:
            badges = await registry.allocate_barcodes(
                uow, barcodes.Kind.BADGE, len(missing)
            )
            for s, badge in zip(missing, badges, strict=True):
                await uow.principals.add(
                    Principal(
                        s.agent_id,
                        s.agent_name,
                        frozenset({"archive_agent"}),
                        unit="service des archives",
                        badge_barcode=badge,
                    )
                )
            await uow.commit()
        known = await runtime.queries.principals(wanted)
    return known


async def _record(
    runtime: bootstrap.Runtime,
    moves: Sequence[commands.MovementRequest],
    clock: Clock | None = None,
) -> None:
    results = await custody.record_movements(
        commands.RecordMovements(tuple(moves), commands.Submitter.operator("demo")), runtime.uow(),
        clock or runtime.clock, runtime.policy,
    )  # fmt: skip
    for result in results:
        if result.status == "rejected":
            log.info("demo movement refused: %s %s", result.code, result.message)


def _move(
    item: str, kind: str, actor: str, to: str | None = None, reason: str = ""
) -> commands.MovementRequest:
    return commands.MovementRequest(
        registry.new_id(), item, kind, to=to, actor=actor, reason=reason,
        entry_mode="manual",
    )  # fmt: skip


async def _files_in_boxes(
    runtime: bootstrap.Runtime, rng: random.Random, count: int
) -> list[tuple[Item, Item]]:
    """``count`` (file, its box) pairs of files stored in their box, at random."""
    shelves = await runtime.queries.locations_under(seeding.SITE_CODE, "shelf")
    found: list[tuple[Item, Item]] = []
    for shelf in rng.sample(shelves, min(len(shelves), count * 3)):
        contents = await runtime.queries.location_contents(shelf.barcode)
        boxes = [
            ln.item
            for ln in (contents.items if contents else ())
            if ln.item.kind is ItemKind.BOX and ln.state == "in_storage"
        ]
        if not boxes:
            continue
        box = rng.choice(boxes)
        files = [
            f
            for f in await runtime.queries.container_contents(box.id)
            if f.kind is ItemKind.FILE
        ]
        if files:
            found.append((rng.choice(files), box))
        if len(found) == count:
            break
    return found


async def past_weeks(runtime: bootstrap.Runtime) -> None:
    """Files handed over 45, 38, 12 and 3 days ago, still out; the seeded holdings
    must date from before (see ``SEEDED_DAYS_AGO``)."""
    rng = random.Random(7)
    pairs = await _files_in_boxes(runtime, rng, 4)
    for (file, _box), days, officer in zip(
        pairs, (45, 38, 12, 3), OFFICERS * 2, strict=False
    ):
        at = runtime.clock.now() - timedelta(days=days, hours=rng.randint(1, 6))
        await _record(
            runtime,
            [
                _move(file.barcode, "pick", "agent.martin", reason="urgent"),
                _move(file.barcode, "hand_over", "agent.martin", to=officer),
            ],
            FixedClock(at),
        )


async def _new_boxes_at_intake(runtime: bootstrap.Runtime, count: int) -> list[str]:
    stamp = time.strftime("%y%m%d-%H%M%S")
    created = await registry.register_items(
        [commands.RegisterItem("box", f"V-{stamp}-{i}") for i in range(1, count + 1)],
        runtime.uow(),
    )
    await _record(
        runtime,
        [
            _move(
                b.barcode,
                "accession",
                registry.SYSTEM_PRINCIPAL,
                to=Virtual.INTAKE,
                reason="versement du jour",
            )
            for b in created
        ],
    )
    return [b.barcode for b in created]


async def _held_by_officers(
    runtime: bootstrap.Runtime, older_than: timedelta
) -> list[str]:
    """Files officers hold since more than ``older_than``; the ones out for weeks
    stay out (somebody forgot them: the home page counts them as overdue)."""
    lines, _ = await runtime.console.out_of_stores(0, 200)
    now = runtime.clock.now()
    return [
        ln.item.barcode
        for ln in lines
        if ln.holder_id in OFFICERS
        and now - FORGOTTEN < ln.since < now - older_than
        and ln.item.kind is ItemKind.FILE
    ]


async def _refile(
    runtime: bootstrap.Runtime, barcodes_: Sequence[str], agent: str
) -> None:
    """Back at the desk: each file goes back into its own box (its home)."""
    for code in barcodes_:
        view = await runtime.queries.where_is(code)
        if view is None or view.item.home_container_id is None:
            continue
        box = await runtime.queries.items_by_ids([view.item.home_container_id])
        home = box.get(view.item.home_container_id)
        if home is not None:
            await _record(runtime, [_move(code, "shelve", agent, to=home.barcode)])


async def shelving_morning(
    runtime: bootstrap.Runtime, agent: Principal, rng: random.Random
) -> tuple[list[Step], list[str]]:
    """The reads of a shelving morning, and the files to refile once it is played."""
    s = Step
    assert agent.badge_barcode
    shelves = await runtime.queries.locations_under(seeding.SITE_CODE, "shelf")
    target = rng.choice(shelves)
    new_boxes = await _new_boxes_at_intake(runtime, rng.randint(1, 3))
    officers = await runtime.queries.principals(OFFICERS)
    officer = officers[rng.choice(OFFICERS)]
    assert officer.badge_barcode
    (file, box), *_ = await _files_in_boxes(runtime, rng, 1)
    back = (await _held_by_officers(runtime, timedelta(minutes=10)))[:2]
    steps = [
        s(agent.badge_barcode, f"{agent.display_name} badges in"),
        s(stations.CMD_SHELVE, "shelve the morning's new boxes"),
        s(target.barcode, f"on shelf {target.code}"),
        *[s(b, f"new box {b} (from INTAKE)") for b in new_boxes],
        s(stations.CMD_PICK, "a request by phone"),
        s("RSN-URGENT", "reason: urgent"),
        s(file.barcode, f"file {file.number} taken out of box {box.number}"),
        s(stations.CMD_HANDOVER, "hand it over"),
        s(officer.badge_barcode, f"to {officer.display_name}"),
        s(file.barcode, f"file {file.number} handed over"),
    ]
    if back:
        steps.append(s(stations.CMD_RETURN, "files brought back by officers"))
        steps += [s(code, f"{code} returned, to refile in its box") for code in back]
    steps.append(s(stations.CMD_CONFIRM, "done for the morning"))
    return steps, back


async def verification_morning(
    runtime: bootstrap.Runtime, agent: Principal, rng: random.Random
) -> tuple[list[Step], list[str]]:
    """Verify a shelf (sometimes finding a stray box); digitisation comes and goes."""
    s = Step
    assert agent.badge_barcode
    shelves = await runtime.queries.locations_under(seeding.SITE_CODE, "shelf")
    shelf, elsewhere = rng.sample(shelves, 2)
    here = await runtime.queries.location_contents(shelf.barcode)
    there = await runtime.queries.location_contents(elsewhere.barcode)
    boxes = [
        ln.item for ln in (here.items if here else ()) if ln.item.kind is ItemKind.BOX
    ]
    strays = [
        ln.item for ln in (there.items if there else ()) if ln.item.kind is ItemKind.BOX
    ]
    steps = [
        s(agent.badge_barcode, f"{agent.display_name} badges in"),
        s(stations.CMD_VERIFY, "verification (récolement)"),
        s(shelf.barcode, f"shelf {shelf.code}"),
        *[s(b.barcode, f"box {b.number} in its place") for b in boxes[:6]],
    ]
    if strays and rng.random() < 0.5:
        stray = strays[0]
        steps.append(s(stray.barcode, f"box {stray.number} found here: discrepancy"))
    steps.append(s(stations.CMD_VERIFY_END, "verification done"))
    (file, box), *_ = await _files_in_boxes(runtime, rng, 1)
    steps += [
        s(stations.CMD_PICK, "a file for digitisation"),
        s("RSN-CONSERVE", "reason: conservation"),
        s(file.barcode, f"file {file.number} out of box {box.number}"),
        s(stations.CMD_DIGITISE, "send to digitisation"),
        s(file.barcode, f"file {file.number} to the workshop"),
    ]
    back = [
        ln.item.barcode
        for ln in (await runtime.console.out_of_stores(0, 200))[0]
        if ln.state == "digitisation"
        and ln.since < runtime.clock.now() - timedelta(minutes=15)
    ][:1]
    if back:
        steps += [s(stations.CMD_RETURN, "back from digitisation")]
        steps += [s(code, f"{code} back") for code in back]
    steps.append(s(stations.CMD_CONFIRM, "done for the morning"))
    return steps, back


MORNINGS: dict[
    str,
    Callable[
        [bootstrap.Runtime, Principal, random.Random],
        Awaitable[tuple[list[Step], list[str]]],
    ],
] = {"shelving": shelving_morning, "verification": verification_morning}


async def work_station(
    runtime: bootstrap.Runtime,
    station_: Station,
    say: Say = print,
    pace: float = PACE_S,
    pause: float = PAUSE_S,
    mornings: int | None = None,
    password: str | None = None,
) -> None:
    """Play mornings on one simulated station until cancelled (or ``mornings`` of
    them); the gateway (the registered station, with its MQTT ``password``) runs in
    its own thread, the agent in this task."""
    settings = runtime.settings
    url = settings.mqtt.broker_url
    if url is None:
        return
    agent = (await station_agents(runtime))[station_.agent_id]
    scanner = SimulatedScanner()
    gateway = station.build_gateway(
        scanner.path, station_.device_id, url, settings.site,
        Path(settings.data_dir) / f"outbox-{station_.device_id}.db",
        profile="zebra-like", console=False, tls=settings.mqtt,
        credentials=(station_.device_id, password) if password else None,
    )  # fmt: skip
    thread = asyncio.get_running_loop().run_in_executor(None, gateway.run)
    rng = random.Random(station_.device_id)
    played = 0
    try:
        await asyncio.sleep(pace * 2)
        while mornings is None or played < mornings:
            steps, refile = await MORNINGS[station_.work](runtime, agent, rng)
            for step in steps:
                say(f"[{station_.device_id}] {step.code:<14} {step.note}")
                scanner.type(step.code)
                await asyncio.sleep(pace)
            await _refile(runtime, refile, agent.id)
            played += 1
            await asyncio.sleep(pause)
    except Exception:  # the demo goes on without this station; say why
        log.exception("simulated station %s stopped", station_.device_id)
    finally:
        gateway.stop()
        await asyncio.wait_for(thread, 10)
        scanner.close()


async def register_stations(runtime: bootstrap.Runtime) -> dict[str, str]:
    """(Re-)register every simulated station; device id -> its new MQTT password."""
    settings = runtime.settings
    return {
        s.device_id: await station.register_station(
            s.device_id,
            settings.site,
            runtime.stations(),
            runtime.clock,
            settings.mqtt.username,
        )
        for s in STATIONS
    }


def station_jobs(
    passwords: Mapping[str, str],
    say: Say = print,
) -> list[Callable[[bootstrap.Runtime], Coroutine[Any, Any, None]]]:
    """One background job per simulated station, for ``web.serve``."""

    def job(s: Station) -> Callable[[bootstrap.Runtime], Coroutine[Any, Any, None]]:
        async def run(runtime: bootstrap.Runtime) -> None:
            await work_station(runtime, s, say, password=passwords.get(s.device_id))

        return run

    return [job(s) for s in STATIONS]
