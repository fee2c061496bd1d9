"""``archive-svc`` command line: loads settings once, builds the runtime, runs a command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

import labels
from archive_svc import bootstrap, printing
from archive_svc.config import Settings, SettingsError, load_settings
from archive_svc.domain import commands, errors
from archive_svc.interop import tabular
from archive_svc.services import importing, ledger, people, registry, seeding

console = Console(stderr=True)
Handler = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


async def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    console.print(await runtime.migrate())
    return 0


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
    with _progress() as bar:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.advance(tasks[stage], done)

        return await seeding.seed(
            plan, runtime.uow, runtime.clock, runtime.policy, report
        )


async def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    token = await registry.create_token(args.name, args.role, runtime.uow())
    print(token)
    return 0


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
        text = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    except OSError as exc:
        console.print(f"[red]cannot read {path}: {exc.strerror}[/red]")
        return 2
    try:
        rows = list(tabular.parse_inventory(text))
    except tabular.HeaderError as exc:
        console.print(f"[red]{path}: {exc}[/red]")
        return 2
    with _progress() as bar:
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


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from archive_svc import web

    return web.serve(
        settings, args.host or settings.http.host, args.port or settings.http.port
    )


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from archive_svc import demo

    return demo.run(settings, args.port)


def cmd_gateway(args: argparse.Namespace, settings: Settings) -> int:
    from archive_svc import station

    gateway = station.build_gateway(
        args.port, args.device_id,
        args.broker or settings.mqtt.broker_url or "mqtt://127.0.0.1:1883",
        args.site or settings.site,
        args.outbox or f"{settings.data_dir}/outbox-{args.device_id}.db",
        profile=args.profile, console=not args.no_console,
        resend_after=args.resend_after, protocol=settings.mqtt.protocol,
    )  # fmt: skip
    return station.run_gateway(gateway)


def add_gateway_command(sub: Any) -> None:
    gw = sub.add_parser("gateway", help="scanner station: serial -> outbox -> MQTT")
    gw.add_argument("--port", required=True, help="scanner URL or device path")
    gw.add_argument("--device-id", required=True, help="station id [a-z0-9-]+")
    gw.add_argument("--broker", help="mqtt://host:port (default: from settings)")
    gw.add_argument("--site", help="site id (default: from settings)")
    gw.add_argument("--outbox", help="outbox SQLite file")
    gw.add_argument("--profile", default="generic-cr", help="scanner model profile")
    gw.add_argument("--no-console", action="store_true", help="no live console")
    gw.add_argument("--resend-after", type=float, default=5.0, help="seconds")
    gw.set_defaults(sync=cmd_gateway)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise errors.InvalidInput("the two passwords differ")
    return first


async def cmd_user_create(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    cmd = commands.CreatePerson(
        args.id, args.name, args.role, args.division or "", args.unit or ""
    )
    person = await people.create_person(
        cmd, _read_password(args), runtime.uow(), runtime.clock
    )
    console.print(f"created {person.id} ({', '.join(sorted(person.roles))})")
    return 0


async def cmd_user_disable(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    await people.set_active(args.id, False, runtime.uow())
    console.print(f"disabled {args.id}: their sessions are refused from now on")
    return 0


async def cmd_user_enable(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    await people.set_active(args.id, True, runtime.uow())
    console.print(f"enabled {args.id}: they may sign in again")
    return 0


async def cmd_user_reset(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    await people.reset_password(
        args.id, _read_password(args), runtime.uow(), runtime.clock
    )
    console.print(f"password of {args.id} reset")
    return 0


def add_user_commands(sub: Any) -> None:
    user = sub.add_parser("user", help="people who sign in").add_subparsers(
        dest="action", required=True
    )
    create = user.add_parser("create", help="create a person with a password")
    create.add_argument("--id", required=True, help="sign-in name, e.g. agent.martin")
    create.add_argument("--name", required=True, help="display name")
    create.add_argument("--role", required=True, help="role(s), comma-separated")
    create.add_argument(
        "--division", help="africa|americas_maghreb|asia|europe_middle_east"
    )
    create.add_argument("--unit")
    create.add_argument("--password-stdin", action="store_true")
    create.set_defaults(run=cmd_user_create)
    disable = user.add_parser("disable", help="refuse a person's sign-ins and sessions")
    disable.add_argument("id")
    disable.set_defaults(run=cmd_user_disable)
    enable = user.add_parser("enable", help="let a disabled person sign in again")
    enable.add_argument("id")
    enable.set_defaults(run=cmd_user_enable)
    reset = user.add_parser("reset-password", help="set a new password")
    reset.add_argument("id")
    reset.add_argument("--password-stdin", action="store_true")
    reset.set_defaults(run=cmd_user_reset)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive-svc", description="Physical archives of an asylum office"
    )
    parser.add_argument("--config", help="TOML settings file (else ARCHIVE_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(sync=cmd_serve)
    demo = sub.add_parser(
        "demo", help="migrate, seed a small set, serve with simulators"
    )
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(sync=cmd_demo)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(
        run=cmd_migrate
    )
    seed = sub.add_parser("seed", help="create realistic synthetic holdings")
    seed.add_argument("--files", type=int, default=200_000)
    seed.add_argument("--boxes", type=int, default=10_000)
    seed.add_argument("--shelves", type=int, default=1000)
    seed.add_argument("--storerooms", type=int, default=3)
    seed.set_defaults(run=cmd_seed)
    token = sub.add_parser("token", help="API tokens").add_subparsers(
        dest="action", required=True
    )
    create = token.add_parser("create", help="create a token and print it once")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True)
    create.set_defaults(run=cmd_token_create)
    audit = sub.add_parser("audit", help="ledger checks").add_subparsers(
        dest="action", required=True
    )
    audit.add_parser("verify", help="recompute the hash chain").set_defaults(
        run=cmd_audit_verify
    )
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
    add_label_commands(sub)
    add_gateway_command(sub)
    add_user_commands(sub)
    return parser


def add_label_commands(sub: Any) -> None:
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(config_file=args.config)
        if hasattr(args, "sync"):
            return int(args.sync(args, settings))
        return int(asyncio.run(args.run(args, settings)))
    except SettingsError as exc:
        console.print(f"[red]configuration error: {exc}[/red]")
        return 2
    except errors.DomainError as exc:
        console.print(f"[red]{exc.code}: {exc.message}[/red]")
        return 1
    except KeyboardInterrupt:
        return 130
