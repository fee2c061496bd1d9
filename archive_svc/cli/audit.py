"""``archive-svc audit ...``: key generation, verification, anchoring, journal purge.

Exit codes: 0 intact, 1 a finding (tampering or a forged checkpoint), 2 no usable
checkpoint key.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from rich.markup import escape

from archive_svc import bootstrap, signing
from archive_svc.cli.common import Subcommands, console
from archive_svc.config import Settings
from archive_svc.domain.audit import Finding, Problem
from archive_svc.domain.chain import iso
from archive_svc.domain.projection import ProjectionDiff
from archive_svc.services import audit, journal_audit
from archive_svc.services.ports.audit import Signer

_WHAT = {"ledger": "mouvement", "journal": "ligne du journal des accès"}
_NAME = {"ledger": "registre des mouvements", "journal": "journal des accès"}


def describe(chain: str, f: Finding) -> str:
    """A finding in French, naming the first missing or altered entry."""
    what = _WHAT[chain]
    messages = {
        Problem.MISSING: f"{what} n° {f.seq} manquant (et tous les suivants)",
        Problem.ALTERED: f"{what} n° {f.seq} altéré",
        Problem.REWRITTEN: (
            f"chaîne recalculée : le premier {what} altéré se situe entre le n° {f.seq}"
            f" et le n° {f.upto}"
        ),
        Problem.HEAD_MISMATCH: f"la tête de chaîne ne correspond plus, dès le n° {f.seq}",
        Problem.FORGED: f"signature invalide (falsifiée) : élément signé au n° {f.seq}",
    }
    return f"{messages[f.problem]} [{f.problem.value}: {f.detail}]"


def _signer(runtime: bootstrap.Runtime) -> Signer | None:
    try:
        return runtime.signer()
    except signing.SigningKeyError as exc:
        console.print(
            "[red]clé de signature des points de contrôle inutilisable : "
            f"{escape(str(exc))} (créez-la : archive-svc audit keygen)[/red]"
        )
        return None


def _report(report: audit.ChainReport) -> int:
    name = _NAME[report.chain]
    if not report.intact:
        console.print(f"[red]{name} NON intact[/red]")
        for finding in report.findings:
            console.print(f"[red]- {escape(describe(report.chain, finding))}[/red]")
        console.print(f"{report.checked} éléments vérifiés avant la première anomalie")
        return 1
    seq, hash_ = report.head
    console.print(
        f"{name} intact : {report.checked} éléments vérifiés, tête n° {seq} {hash_}"
    )
    if report.checkpoint is not None:
        console.print(f"point de contrôle signé écrit (clé {report.checkpoint.key_id})")
    return 0


async def cmd_keygen(args: argparse.Namespace, settings: Settings) -> int:
    key = settings.audit.key_path(settings.data_dir)
    retired = settings.audit.retired_path(settings.data_dir)
    try:
        key_id = signing.generate_key(key, retired, rotate=args.rotate)
    except signing.SigningKeyError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        return 2
    console.print(f"clé de signature écrite dans {key} (mode 600), empreinte {key_id}")
    if args.rotate:
        console.print(f"l'ancienne clé publique est conservée dans {retired}")
    return 0


async def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    signer = _signer(runtime)
    if signer is None:
        return 2
    report = await audit.verify_and_checkpoint_ledger(
        runtime.audit_uow(), signer, runtime.clock
    )
    code = _report(report)
    if args.projection:
        code = max(
            code, _projection(await audit.verify_projection(runtime.audit_uow().audit))
        )
    return code


def _projection(diffs: list[ProjectionDiff]) -> int:
    if not diffs:
        console.print("projection des positions conforme au registre")
        return 0
    console.print(
        f"[red]projection des positions NON conforme : {len(diffs)} objet(s)[/red]"
    )
    for diff in diffs[:50]:
        console.print(f"[red]- objet {diff.item_id} : {', '.join(diff.fields)}[/red]")
    return 1


async def cmd_anchor(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    signer = _signer(runtime)
    if signer is None:
        return 2
    report = await audit.verify_and_checkpoint_ledger(
        runtime.audit_uow(), signer, runtime.clock
    )
    if report.checkpoint is None:
        return _report(report)
    cp = report.checkpoint
    print(f"registre des mouvements — ancrage du {iso(cp.at)}")
    print(f"seq: {cp.seq}")
    print(f"hash: {cp.hash}")
    print(f"time: {iso(cp.at)}")
    print(f"signature: {cp.signature}")
    print(f"key: {cp.key_id}")
    print(f"public_key: {signer.public_key}")
    return 0


async def cmd_verify_journal(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    signer = _signer(runtime)
    if signer is None:
        return 2
    report = await journal_audit.verify_and_checkpoint_journal(
        runtime.audit_uow, signer, runtime.clock
    )
    if report.start_seq > 1:
        console.print(
            f"journal purgé jusqu'au n° {report.start_seq - 1} (résumé signé)"
        )
    return _report(report)


async def cmd_purge_journal(args: argparse.Namespace, settings: Settings) -> int:
    runtime = bootstrap.build_runtime(settings)
    signer = _signer(runtime)
    if signer is None:
        return 2
    days = args.retention_days or settings.audit.journal_retention_days
    try:
        summary = await journal_audit.purge_journal(
            runtime.audit_uow, signer, runtime.clock, timedelta(days=days)
        )
    except journal_audit.JournalNotIntact as exc:
        console.print("[red]purge refusée : le journal n'est pas intact[/red]")
        return _report(exc.report)
    if summary is None:
        console.print(f"rien à purger (conservation {days} jours)")
        return 0
    console.print(
        f"{summary.count} lignes purgées (n° {summary.first_seq} à {summary.last_seq},"
        f" antérieures au {iso(summary.before)}) ; résumé signé conservé"
    )
    return 0


def register(sub: Subcommands) -> None:
    group = sub.add_parser(
        "audit", help="ledger and access-journal integrity"
    ).add_subparsers(dest="action", required=True)
    keygen = group.add_parser("keygen", help="create the checkpoint signing key")
    keygen.add_argument(
        "--rotate",
        action="store_true",
        help="replace the key, keeping the old public key",
    )
    keygen.set_defaults(run=cmd_keygen)
    verify = group.add_parser(
        "verify", help="check the ledger, its head and signed checkpoints"
    )
    verify.add_argument(
        "--projection", action="store_true", help="also rebuild and compare positions"
    )
    verify.set_defaults(run=cmd_verify)
    group.add_parser(
        "anchor", help="print a signed head for a report or an outside log"
    ).set_defaults(run=cmd_anchor)
    group.add_parser(
        "verify-journal", help="check the access journal chain"
    ).set_defaults(run=cmd_verify_journal)
    purge = group.add_parser(
        "purge-journal", help="remove old journal rows, leaving a signed summary"
    )
    purge.add_argument("--retention-days", type=int)
    purge.set_defaults(run=cmd_purge_journal)
