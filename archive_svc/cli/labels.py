"""``labels render`` and ``labels layouts``: label sheets as PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

import labels
from archive_svc import bootstrap, printing
from archive_svc.cli.common import Subcommands, console
from archive_svc.config import Settings


async def cmd_labels_render(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    job = printing.PrintJob(
        args.kind,
        args.layout,
        tuple(args.codes or ()),
        args.query,
        args.start,
        args.lang,
    )
    try:
        result = await printing.render(job, runtime.queries)
    except labels.LabelError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    Path(args.output).write_bytes(result.pdf)
    for warning in result.warnings:
        console.print(f"[yellow]warning: {warning}[/yellow]")
    console.print(f"wrote {args.output}: {result.pages} page(s)")
    return 0


def cmd_labels_layouts(args: argparse.Namespace, settings: Settings) -> int:
    for layout in labels.layouts():
        print(labels.describe_layout(layout))
    return 0


def register(sub: Subcommands) -> None:
    group = sub.add_parser("labels", help="label sheets (PDF)").add_subparsers(
        dest="action", required=True
    )
    render = group.add_parser("render", help="render a label sheet to PDF")
    render.add_argument("--kind", required=True, choices=printing.KINDS)
    selection = render.add_mutually_exclusive_group()
    selection.add_argument(
        "--codes",
        nargs="+",
        metavar="CODE",
        help="barcodes as export inventory prints them",
    )
    selection.add_argument(
        "--query",
        help=(
            "contents:<location or box> | shelves:<location> |"
            " range:<first shelf>..<last shelf> |"
            " accessions:<YYYY-MM-DD>[..<YYYY-MM-DD>]"
        ),
    )
    render.add_argument(
        "--layout", required=True, help="see: archive-svc labels layouts"
    )
    render.add_argument(
        "--start", type=int, default=1, help="first free slot on a used sheet"
    )
    render.add_argument("--lang", choices=("fr", "en"), default="fr")
    render.add_argument("-o", "--output", required=True)
    render.set_defaults(run=cmd_labels_render)
    group.add_parser("layouts", help="list sheet layouts").set_defaults(
        sync=cmd_labels_layouts
    )
