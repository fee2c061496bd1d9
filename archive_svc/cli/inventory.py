"""``export inventory`` and ``import inventory``: the CSV of barcode, kind, number,
location."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archive_svc import bootstrap
from archive_svc.cli.common import Subcommands, console, progress
from archive_svc.config import Settings
from archive_svc.interop import tabular
from archive_svc.services import importing


async def cmd_export_inventory(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    rows = [
        (r.barcode, r.kind, r.number, r.location)
        async for r in runtime.queries.inventory()
    ]
    if args.output in (None, "-"):
        count = tabular.write_inventory(rows, sys.stdout)
    else:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            count = tabular.write_inventory(rows, out)
    console.print(f"exported {count} rows")
    return 0


async def cmd_import_inventory(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    path = Path(args.file)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(tabular.parse_inventory(handle))
    except OSError as exc:
        console.print(f"[red]cannot read {path}: {exc.strerror}[/red]")
        return 2
    except tabular.HeaderError as exc:
        console.print(f"[red]{path}: {exc}[/red]")
        return 2
    with progress() as bar:
        task = bar.add_task("import", total=len(rows))
        report = await importing.import_inventory(
            rows,
            runtime.uow,
            runtime.clock,
            runtime.policy,
            lambda n: bar.advance(task, n),
        )
    for error in report.errors:
        console.print(f"[yellow]{path}:{error.line}: {error.message}[/yellow]")
    console.print(
        f"registered {report.registered}, placed {report.placed}, skipped {report.skipped}"
        f" location rows, {len(report.errors)} row(s) in error"
    )
    return 1 if report.errors else 0


def register(sub: Subcommands) -> None:
    export = sub.add_parser("export", help="export data").add_subparsers(
        dest="what", required=True
    )
    inv = export.add_parser("inventory", help="CSV: barcode,kind,number,location")
    inv.add_argument("-o", "--output")
    inv.set_defaults(run=cmd_export_inventory)
    imp = sub.add_parser("import", help="import data").add_subparsers(
        dest="what", required=True
    )
    inv_in = imp.add_parser("inventory", help="register items from a CSV")
    inv_in.add_argument("file")
    inv_in.set_defaults(run=cmd_import_inventory)
