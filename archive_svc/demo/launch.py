"""``archive-svc demo``: a working archive on a laptop in one command."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from datetime import timedelta

from rich.console import Console

from archive_svc import bootstrap, signing, web
from archive_svc.config import Settings
from archive_svc.demo import seeding, simulation
from archive_svc.domain.model import Principal
from archive_svc.services import people, registry

console = Console()
DEMO_PLAN = seeding.SeedPlan(storerooms=3, shelves=120, boxes=600, files=6000)
BANNER_WIDTH = 80
"""The start-up banner fits an 80-column terminal; no line of it is ever wrapped."""


async def prepare(runtime: bootstrap.Runtime) -> str:
    """Migrate, seed a small realistic set with a past when empty, and mint a demo
    token (personal: it signs in as the demo archive manager)."""
    await runtime.migrate()
    counts = await runtime.queries.counts()
    if counts["item"] == 0:
        console.print(
            "seeding a small realistic archive (3 storerooms, 600 boxes, 6,000 files)..."
        )
        then = runtime.clock.now() - timedelta(days=simulation.SEEDED_DAYS_AGO)
        await seeding.seed(
            DEMO_PLAN, runtime.uow, simulation.FixedClock(then), runtime.policy
        )
        await simulation.past_weeks(runtime)
    await simulation.station_agents(runtime)
    name = f"demo-{secrets.token_hex(3)}"
    return await registry.create_token(
        name, None, runtime.uow(), runtime.clock, person="manager.durand"
    )


DEMO_ADMIN = Principal(
    "admin.moreau", "Sophie Moreau", frozenset({"administrator"}), unit="DSI"
)
DEMO_SIGN_INS = (
    ("agent.martin", "archive agent"),
    ("manager.durand", "archive manager"),
    (DEMO_ADMIN.id, "administrator"),
)
"""People who sign in to the demo, each with a password of their own."""


async def demo_passwords(runtime: bootstrap.Runtime) -> dict[str, str]:
    """A fresh password for each demo person (printed, valid until the next start)."""
    if not await runtime.queries.principals([DEMO_ADMIN.id]):
        await registry.add_principal(DEMO_ADMIN, runtime.uow())
    passwords: dict[str, str] = {}
    for person, _role in DEMO_SIGN_INS:
        passwords[person] = "demo-" + secrets.token_urlsafe(9)
        await people.reset_password(
            person, passwords[person], runtime.uow(), runtime.clock
        )
    return passwords


def banner(
    url: str,
    passwords: Mapping[str, str],
    token: str,
    stations: Sequence[simulation.Station],
    mqtt_port: int | None,
    audit_key: str = "",
) -> list[str]:
    """What the demo prints at start: every line fits 80 columns, the token and the
    curl command are never cut (the command is split where a shell allows it)."""
    roles = dict(DEMO_SIGN_INS)
    lines = [
        f"archive-svc demo: {url}",
        f"  sign in at {url}/login",
        "  (new passwords at each start)",
        *(
            f"    {pid:<15} {password:<19} {roles.get(pid, '')}"
            for pid, password in passwords.items()
        ),
        f"  API docs: {url}/schema/swagger",
        "  API token (role archive_manager), and a first call:",
        f"    export TOKEN={token}",
        '    curl -H "Authorization: Bearer $TOKEN" \\',
        f"      {url}/api/locations/M1/contents",
    ]
    if audit_key:
        lines += [
            "  audit key (archive-svc audit verify / anchor):",
            f"    {audit_key}",
        ]
    if mqtt_port is not None and stations:
        names = ", ".join(s.device_id for s in stations)
        lines += [
            f"  scanners: {names} (simulated), broker on port {mqtt_port}",
            "  each worked by its own agent, morning after morning",
        ]
    return lines


def checkpoint_key(settings: Settings) -> str:
    """The demo's checkpoint key, created on first start (mode 600, in the data dir)."""
    key = settings.audit.key_path(settings.data_dir)
    if not key.exists():
        signing.generate_key(key, settings.audit.retired_path(settings.data_dir))
    return str(key)


def run(settings: Settings, port: int) -> int:
    runtime = bootstrap.build_runtime(settings)
    key = checkpoint_key(settings)
    token = asyncio.run(prepare(runtime))
    passwords = asyncio.run(demo_passwords(runtime))
    url = f"http://127.0.0.1:{port}"
    embedded = settings.mqtt.broker == "embedded"
    stations = simulation.STATIONS if settings.mqtt.broker_url else ()
    mqtt_port = settings.mqtt.embedded_port if embedded else None
    for line in banner(url, passwords, token, stations, mqtt_port, key):
        console.print(line, soft_wrap=True, highlight=False, markup=False)
    if not stations:
        return web.serve(settings, "127.0.0.1", port)
    # Registered before the service starts: the embedded broker reads its users then.
    station_passwords = asyncio.run(simulation.register_stations(runtime))
    jobs = simulation.station_jobs(
        station_passwords, say=lambda text: console.print(text, markup=False)
    )
    return web.serve(settings, "127.0.0.1", port, jobs)
