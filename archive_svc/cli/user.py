"""``user create|disable|enable|reset-password``: people who sign in."""

from __future__ import annotations

import argparse
import getpass
import sys

from archive_svc import bootstrap
from archive_svc.cli.common import Subcommands, console
from archive_svc.config import Settings
from archive_svc.domain import commands, errors
from archive_svc.services import people


def _operator() -> people.Administrator:
    """Whoever runs the command, as the access journal names them."""
    return people.Administrator.command_line(f"cli:{getpass.getuser()}")


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
        cmd, _read_password(args), runtime.uow(), runtime.clock, _operator()
    )
    console.print(f"created {person.id} ({', '.join(sorted(person.roles))})")
    return 0


async def cmd_user_disable(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    await people.set_active(args.id, False, runtime.uow(), _operator())
    console.print(f"disabled {args.id}: their sessions are refused from now on")
    return 0


async def cmd_user_enable(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    await people.set_active(args.id, True, runtime.uow(), _operator())
    console.print(f"enabled {args.id}: they may sign in again")
    return 0


async def cmd_user_reset(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    await people.reset_password(
        args.id, _read_password(args), runtime.uow(), runtime.clock
    )
    console.print(f"password of {args.id} reset")
    return 0


async def cmd_user_roles(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    person = await people.set_roles(
        args.id, args.role, runtime.uow(), runtime.clock, _operator()
    )
    console.print(f"roles of {person.id}: {', '.join(sorted(person.roles))}")
    return 0


def register(sub: Subcommands) -> None:
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
    grant = user.add_parser("roles", help="replace a person's roles (journaled)")
    grant.add_argument("id")
    grant.add_argument("--role", required=True, help="role(s), comma-separated")
    grant.set_defaults(run=cmd_user_roles)
