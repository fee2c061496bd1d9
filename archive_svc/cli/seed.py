"""``seed``: realistic synthetic holdings, with a progress bar per stage."""

from __future__ import annotations

import argparse
from typing import Any

from archive_svc import bootstrap
from archive_svc.cli.common import Subcommands, console, progress
from archive_svc.config import Settings
from archive_svc.demo import seeding


async def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    await runtime.migrate()
    plan = seeding.SeedPlan(
        storerooms=args.storerooms,
        shelves=args.shelves,
        boxes=args.boxes,
        files=args.files,
    )
    result = await _seed_with_progress(runtime, plan)
    console.print(
        f"seeded {result.locations} shelves, {result.boxes} boxes, {result.files} files,"
        f" {result.envelopes} envelopes, {len(result.people)} people"
    )
    return 0


async def _seed_with_progress(
    runtime: bootstrap.Runtime, plan: seeding.SeedPlan
) -> seeding.SeedResult:
    with progress() as bar:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.advance(tasks[stage], done)

        return await seeding.seed(
            plan, runtime.uow, runtime.clock, runtime.policy, report
        )


def register(sub: Subcommands) -> None:
    seed = sub.add_parser("seed", help="create realistic synthetic holdings")
    seed.add_argument("--files", type=int, default=200_000)
    seed.add_argument("--boxes", type=int, default=10_000)
    seed.add_argument("--shelves", type=int, default=1000)
    seed.add_argument("--storerooms", type=int, default=3)
    seed.set_defaults(run=cmd_seed)
