"""``audit verify``: recompute the ledger's hash chain (exit 1 at the first break)."""

from __future__ import annotations

import argparse

from archive_svc import bootstrap
from archive_svc.cli.common import Subcommands, console
from archive_svc.config import Settings
from archive_svc.services import ledger


async def cmd_audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    report = await ledger.verify_ledger(runtime.queries)
    if report.broken is not None:
        b = report.broken
        console.print(
            f"[red]ledger broken at movement seq {b.seq} (event {b.event_id}): {b.problem}[/red]"
        )
        console.print(f"{report.checked} movements verified before it")
        return 1
    console.print(f"ledger intact: {report.checked} movements, head {report.head_hash}")
    return 0


def register(sub: Subcommands) -> None:
    audit = sub.add_parser("audit", help="ledger checks").add_subparsers(
        dest="action", required=True
    )
    audit.add_parser("verify", help="recompute the hash chain").set_defaults(
        run=cmd_audit_verify
    )
