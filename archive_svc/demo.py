"""``archive-svc demo``: a working archive on a laptop in one command."""

from __future__ import annotations

import asyncio
import secrets

from rich.console import Console

from archive_svc import bootstrap, web
from archive_svc.config import Settings
from archive_svc.services import registry, seeding

console = Console()
DEMO_PLAN = seeding.SeedPlan(storerooms=3, shelves=120, boxes=600, files=6000)


async def prepare(runtime: bootstrap.Runtime) -> str:
    """Migrate, seed a small realistic set when empty, and mint a demo token."""
    await runtime.migrate()
    counts = await runtime.queries.counts()
    if counts["item"] == 0:
        console.print(
            "seeding a small realistic archive (3 storerooms, 600 boxes, 6,000 files)..."
        )
        await seeding.seed(DEMO_PLAN, runtime.uow, runtime.clock, runtime.policy)
    name = f"demo-{secrets.token_hex(3)}"
    return await registry.create_token(name, "archive_manager", runtime.uow())


def run(settings: Settings, port: int) -> int:
    runtime = bootstrap.build_runtime(settings)
    token = asyncio.run(prepare(runtime))
    url = f"http://127.0.0.1:{port}"
    console.print(f"[bold]archive-svc demo[/bold] — {url}")
    console.print(f"  API docs:   {url}/schema/swagger")
    console.print(f"  API token:  {token}   (role archive_manager)")
    console.print(
        f"  try:        curl -H 'Authorization: Bearer {token}' {url}/api/locations/M1/contents"
    )
    return web.serve(settings, "127.0.0.1", port)
