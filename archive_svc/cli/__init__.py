"""``archive-svc`` command line: loads settings once, builds the runtime, runs a command.

One module per command group. Each has ``register(sub)``, which adds its subcommands
and gives each a handler: ``set_defaults(run=...)`` for an async command (run here in
a fresh event loop) or ``set_defaults(sync=...)`` for a blocking one. A new group is a
new module plus its line in ``GROUPS`` (which is also the order ``--help`` lists).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from typing import Protocol

from archive_svc.cli import (
    access,
    audit,
    gateway,
    inventory,
    labels,
    seed,
    serve,
    station,
    token,
    user,
)
from archive_svc.cli.common import Subcommands, console
from archive_svc.config import SettingsError, load_settings
from archive_svc.domain import errors


class CommandGroup(Protocol):
    """A module of this package: adds its commands to the ``archive-svc`` parser."""

    def register(self, sub: Subcommands) -> None: ...


GROUPS: tuple[CommandGroup, ...] = (
    serve,  # serve, demo, migrate
    seed,
    token,
    audit,
    inventory,  # export inventory, import inventory
    labels,
    gateway,
    station,  # station register, disable, list, mosquitto-config
    user,
    access,  # access decide
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive-svc", description="Physical archives of an asylum office"
    )
    parser.add_argument("--config", help="TOML settings file (else ARCHIVE_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(sub)
    return parser


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
