"""``access decide``: the item-level access decision for audits and legal affairs.

Reads one JSON object (or an array) on standard input, prints the decision(s) as JSON
on standard output (format in ``decide_input``). Pure: nothing is read or written
elsewhere. Bad input prints a message naming the field on standard error, exit 2,
and nothing on standard output.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

from archive_svc import access
from archive_svc.cli import decide_input
from archive_svc.cli.common import Subcommands
from archive_svc.config import Settings


def rule_set(citations_file: str | None, granularity: str | None) -> access.RuleSet:
    """The shipped rules, with citations confirmed in ``citations_file`` (TOML:
    ``[citations.KEY] code = "...", status = "confirmed"``)."""
    overrides = {}
    if citations_file:
        with Path(citations_file).open("rb") as handle:
            data = tomllib.load(handle)
        unknown = set(data) - {"citations"}
        if unknown:
            raise ValueError(f"unknown section(s) {sorted(unknown)}")
        overrides = data.get("citations", {})
        if not isinstance(overrides, dict) or not all(
            isinstance(v, dict) for v in overrides.values()
        ):
            raise ValueError("[citations.KEY] tables expected")
    return access.DEFAULT_RULES.configured(citations=overrides, granularity=granularity)


def cmd_access_decide(args: argparse.Namespace, settings: Settings) -> int:
    try:
        rules = rule_set(args.citations, args.granularity)
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"citations file {args.citations}: {exc}\n")
        return 2
    try:
        requests, many = decide_input.parse(
            sys.stdin.buffer.read(decide_input.MAX_INPUT_BYTES + 1)
        )
    except decide_input.InputError as exc:
        sys.stderr.write(f"invalid input: {exc}\n")
        return 2
    answers = [
        decide_input.to_json(
            access.decide(r.principal, r.purpose, r.file, r.at,
                          request_documents=r.request_documents,
                          derogation=r.derogation, rules=rules),
            rules,
        )
        for r in requests
    ]  # fmt: skip
    json.dump(answers if many else answers[0], sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def register(sub: Subcommands) -> None:
    group = sub.add_parser(
        "access", help="item-level access decisions (access-rules.md)"
    )
    actions = group.add_subparsers(dest="action", required=True)
    decide = actions.add_parser(
        "decide",
        help="decide the JSON request(s) on stdin; print the decision(s) as JSON",
    )
    decide.add_argument(
        "--citations",
        metavar="FILE.toml",
        help="confirm or correct citations: [citations.KEY] code=..., status=...",
    )
    decide.add_argument(
        "--granularity",
        choices=sorted(access.GRANULARITIES),
        help="date arithmetic of the opening dates (default: day)",
    )
    decide.set_defaults(sync=cmd_access_decide)
