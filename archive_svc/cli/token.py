"""``token create``: an API token, printed once."""

from __future__ import annotations

import argparse

from archive_svc import bootstrap
from archive_svc.cli.common import Subcommands
from archive_svc.config import Settings
from archive_svc.services import registry


async def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    token = await registry.create_token(args.name, args.role, runtime.uow())
    print(token)
    return 0


def register(sub: Subcommands) -> None:
    token = sub.add_parser("token", help="API tokens").add_subparsers(
        dest="action", required=True
    )
    create = token.add_parser("create", help="create a token and print it once")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True)
    create.set_defaults(run=cmd_token_create)
