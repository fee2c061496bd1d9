"""``token create|list|revoke``: API tokens (machine roles or personal, expiring)."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time

from archive_svc import bootstrap
from archive_svc.access.principals import MACHINE_ROLES
from archive_svc.cli.common import Subcommands, console
from archive_svc.config import Settings
from archive_svc.domain import chain, errors
from archive_svc.services import registry


def _expires(raw: str | None) -> datetime | None:
    """``--expires YYYY-MM-DD``: the token works until that day ends (UTC)."""
    if raw is None:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise errors.InvalidInput(
            f"--expires {raw!r} is not a date (YYYY-MM-DD)"
        ) from None
    return datetime.combine(day, time.max, UTC)


async def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    token = await registry.create_token(
        args.name,
        args.role,
        runtime.uow(),
        runtime.clock,
        person=args.person,
        expires_at=_expires(args.expires),
    )
    print(token)
    return 0


async def cmd_token_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    now = runtime.clock.now()
    for t in await registry.tokens(runtime.uow()):
        until = registry.expiry(t)
        status = (
            "revoked"
            if t.revoked
            else "expired"
            if until is not None and until <= now
            else "valid"
        )
        holder = f"person={t.person}" if t.person else f"role={t.role}"
        expires = chain.iso(until)[:10] if until else "-"
        print(f"{t.id}  {t.name}  {holder}  expires={expires}  {status}")
    return 0


async def cmd_token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    record = await registry.revoke_token(args.token, runtime.uow())
    console.print(f"revoked {record.name} ({record.id}): refused from now on")
    return 0


def register(sub: Subcommands) -> None:
    token = sub.add_parser("token", help="API tokens").add_subparsers(
        dest="action", required=True
    )
    create = token.add_parser(
        "create",
        help="create a token and print it once",
        description=(
            "A token carries a machine role (--role "
            + "|".join(sorted(MACHINE_ROLES))
            + "; a station's token is named after its device id) or signs in as"
            " a person (--person ID, with their roles)."
        ),
    )
    create.add_argument("--name", required=True)
    holder = create.add_mutually_exclusive_group(required=True)
    holder.add_argument("--role", help="|".join(sorted(MACHINE_ROLES)))
    holder.add_argument("--person", help="a personal token: signs in as this person")
    create.add_argument(
        "--expires",
        help=f"last valid day, YYYY-MM-DD (default: {registry.DEFAULT_TOKEN_DAYS} days)",
    )
    create.set_defaults(run=cmd_token_create)
    listing = token.add_parser("list", help="every token: holder, expiry, status")
    listing.set_defaults(run=cmd_token_list)
    revoke = token.add_parser("revoke", help="revoke a token by name or id (at once)")
    revoke.add_argument("token", metavar="NAME|ID")
    revoke.set_defaults(run=cmd_token_revoke)
