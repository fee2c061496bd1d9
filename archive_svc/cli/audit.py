"""``audit ...``: the commands live in ``archive_svc.cli_audit``."""

from __future__ import annotations

from archive_svc import cli_audit
from archive_svc.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    cli_audit.add_audit_commands(sub)
