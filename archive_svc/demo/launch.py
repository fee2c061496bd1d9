"""``archive-svc demo``: a working archive on a laptop in one command."""

from __future__ import annotations

import asyncio
import secrets

from rich.console import Console

from archive_svc import bootstrap, signing, web
from archive_svc.config import Settings
from archive_svc.demo import seeding, simulation
from archive_svc.domain.model import Principal
from archive_svc.services import people, registry

console = Console()
DEMO_PLAN = seeding.SeedPlan(storerooms=3, shelves=120, boxes=600, files=6000)


async def prepare(runtime: bootstrap.Runtime) -> str:
    """Migrate, seed a small realistic set when empty, and mint a demo token
    (personal: it signs in as the demo archive manager)."""
    await runtime.migrate()
    counts = await runtime.queries.counts()
    if counts["item"] == 0:
        console.print(
            "seeding a small realistic archive (3 storerooms, 600 boxes, 6,000 files)..."
        )
        await seeding.seed(DEMO_PLAN, runtime.uow, runtime.clock, runtime.policy)
    name = f"demo-{secrets.token_hex(3)}"
    return await registry.create_token(
        name, None, runtime.uow(), runtime.clock, person="manager.durand"
    )


DEMO_ADMIN = Principal(
    "admin.moreau", "Sophie Moreau", frozenset({"administrator"}), unit="DSI"
)
DEMO_SIGN_INS = ("agent.martin", "manager.durand", DEMO_ADMIN.id)
"""People who get a demo password (archive agent, archive manager, administrator)."""


async def demo_passwords(runtime: bootstrap.Runtime) -> str:
    """A fresh password for the demo people (printed, valid until the next start)."""
    password = "demo-" + secrets.token_urlsafe(9)
    if not await runtime.queries.principals([DEMO_ADMIN.id]):
        await registry.add_principal(DEMO_ADMIN, runtime.uow())
    for person in DEMO_SIGN_INS:
        await people.reset_password(person, password, runtime.uow(), runtime.clock)
    return password


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
    password = asyncio.run(demo_passwords(runtime))
    url = f"http://127.0.0.1:{port}"
    console.print(f"[bold]archive-svc demo[/bold] — {url}")
    console.print(f"  sign in:    {url}/login   as {DEMO_SIGN_INS[0]} (archive agent)")
    console.print(f"              or {DEMO_SIGN_INS[1]} (archive manager)")
    console.print(f"              or {DEMO_SIGN_INS[2]} (administrator: people)")
    console.print(f"  password:   {password}")
    console.print(f"  API docs:   {url}/schema/swagger")
    console.print(f"  API token:  {token}   (role archive_manager)")
    console.print(f"  audit key:  {key}   (archive-svc audit verify / anchor)")
    console.print(
        f"  try:        curl -H 'Authorization: Bearer {token}' {url}/api/locations/M1/contents"
    )
    if settings.mqtt.broker_url is None:
        return web.serve(settings, "127.0.0.1", port)
    steps = asyncio.run(simulation.plan_morning(runtime))
    # Registered before the service starts: the embedded broker reads its users then.
    station_password = asyncio.run(simulation.register_station(runtime))
    console.print(
        f"  scanner:    simulated station {simulation.DEVICE} replays a morning"
    )
    stop = simulation.start_station(
        runtime, steps, say=console.print, password=station_password
    )
    try:
        return web.serve(settings, "127.0.0.1", port)
    finally:
        stop()
