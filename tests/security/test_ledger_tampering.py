"""Issue 10, finding 3: truncations and full rewrites of the ledger are found.

A chain walk alone accepts a ledger whose last rows were deleted, or whose hashes
were recomputed after an edit. ``audit verify`` now compares the rows with the
chain head and with the checkpoints signed by a key the database does not hold.
"""

from __future__ import annotations

import asyncio
import base64
import re
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from archive_svc import bootstrap, cli
from archive_svc.cli import audit as cli_audit
from archive_svc.domain import audit as audit_rules
from archive_svc.domain import chain
from archive_svc.services import ledger
from archive_svc.services.custody import record_movements
from tests import builders as b
from tests.security.tamper import Insider


def run(coro):
    return asyncio.run(coro)


def checkpoints(runtime: bootstrap.Runtime) -> list[audit_rules.Checkpoint]:
    return run(runtime.audit_uow().audit.checkpoints("ledger"))


async def add_checkpoint(
    runtime: bootstrap.Runtime, cp: audit_rules.Checkpoint
) -> None:
    uow = runtime.audit_uow()
    async with uow:
        await uow.audit.add_checkpoint(cp)
        await uow.commit()


def verify(capsys, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["audit", "verify", *extra])
    return code, " ".join(capsys.readouterr().err.split())


async def shelve(runtime: bootstrap.Runtime, count: int) -> list[str]:
    """``count`` boxes accessioned on shelves: ``count`` movements."""
    await b.people(runtime)
    return await more(runtime, count)


async def more(runtime: bootstrap.Runtime, count: int) -> list[str]:
    shelves = await b.storeroom(runtime, shelves=count)
    boxes = await b.items(runtime, "box", count)
    moves = [
        b.move(box.barcode, "accession", shelf.barcode)
        for box, shelf in zip(boxes, shelves, strict=True)
    ]
    results = await record_movements(
        b.batch(*moves), runtime.uow(), runtime.clock, runtime.policy
    )
    assert {r.status for r in results} == {"recorded"}
    return [box.id for box in boxes]


async def recompute_from(
    runtime: bootstrap.Runtime, insider: Insider, seq: int
) -> None:
    """Rewrite every hash from ``seq`` on, then the chain head: a consistent chain."""
    store = runtime.audit_uow().audit
    head = await store.ledger_head()
    entries = [e async for e in store.ledger(0, head[0])]
    prev = entries[seq - 2].hash if seq > 1 else chain.GENESIS_HASH
    for entry in entries[seq - 1 :]:
        sealed = replace(entry, prev_hash=prev).sealed()
        await insider.run(
            "UPDATE movement SET prev_hash = {}, hash = {} WHERE seq = {}",
            sealed.prev_hash, sealed.hash, sealed.seq,
        )  # fmt: skip
        prev = sealed.hash
    await insider.run("UPDATE chain_head SET hash = {} WHERE id = 1", prev)


def test_an_untouched_ledger_is_intact_and_each_verify_writes_a_checkpoint(
    audited, capsys
):
    run(shelve(audited.rt, 3))
    code, out = verify(capsys)
    assert code == 0, out
    assert "registre des mouvements intact : 3 éléments vérifiés, tête n° 3" in out
    assert len(checkpoints(audited.rt)) == 1
    assert verify(capsys)[0] == 0
    assert len(checkpoints(audited.rt)) == 2


def test_deleting_the_last_movement_is_found_against_the_chain_head(
    audited, insider, capsys
):
    run(shelve(audited.rt, 5))
    run(insider.without_guards("movement"))
    run(insider.run("DELETE FROM movement WHERE seq = 5"))
    code, out = verify(capsys)
    assert code == 1
    assert "registre des mouvements NON intact" in out
    assert "mouvement n° 5 manquant" in out


def test_deleting_every_movement_is_found(audited, insider, capsys):
    run(shelve(audited.rt, 4))
    run(insider.without_guards("movement"))
    run(insider.run("DELETE FROM movement"))
    code, out = verify(capsys)
    assert code == 1
    assert "mouvement n° 1 manquant" in out


def test_a_truncation_with_the_chain_head_rewound_is_found_by_the_checkpoint(
    audited, insider, capsys
):
    run(shelve(audited.rt, 6))
    assert verify(capsys)[0] == 0  # signs the head at 6
    run(insider.without_guards("movement"))
    kept = run(insider.run("SELECT hash FROM movement WHERE seq = 4"))
    run(insider.run("DELETE FROM movement WHERE seq > 4"))
    run(
        insider.run(
            "UPDATE chain_head SET seq = 4, hash = {} WHERE id = 1", kept[0]["hash"]
        )
    )
    code, out = verify(capsys)
    assert code == 1
    assert "mouvement n° 5 manquant" in out


def test_an_edit_with_every_later_hash_recomputed_is_found_and_located(
    audited, insider, capsys
):
    run(shelve(audited.rt, 12))
    assert verify(capsys)[0] == 0  # checkpoint at 12
    run(more(audited.rt, 10))
    assert verify(capsys)[0] == 0  # checkpoint at 22
    run(insider.without_guards("movement"))
    run(insider.without_guards("chain_head"))
    run(insider.run("UPDATE movement SET reason = 'edited' WHERE seq = 15"))
    run(recompute_from(audited.rt, insider, 15))
    code, out = verify(capsys)
    assert code == 1
    assert (
        "chaîne recalculée : le premier mouvement altéré se situe entre le n° 13"
        " et le n° 22" in out
    )
    assert len(checkpoints(audited.rt)) == 2


def test_the_recomputed_chain_passes_the_plain_walk(audited, insider):
    """Why the checkpoints are needed: the chain walk alone accepts the rewrite."""
    run(shelve(audited.rt, 8))
    run(insider.without_guards("movement"))
    run(insider.without_guards("chain_head"))
    run(insider.run("UPDATE movement SET reason = 'edited' WHERE seq = 3"))
    run(recompute_from(audited.rt, insider, 3))
    assert run(ledger.verify_ledger(audited.rt.queries)).intact


def test_a_checkpoint_with_a_bad_signature_is_reported_as_forged(
    audited, insider, capsys
):
    run(shelve(audited.rt, 3))
    assert verify(capsys)[0] == 0
    run(insider.without_guards("audit_checkpoint"))
    run(insider.run("UPDATE audit_checkpoint SET seq = 2"))
    code, out = verify(capsys)
    assert code == 1
    assert "signature invalide (falsifiée) : élément signé au n° 2" in out


def test_a_checkpoint_signed_by_an_unknown_key_is_forged(audited, capsys):
    run(shelve(audited.rt, 2))
    stranger = Ed25519PrivateKey.generate()
    head = run(audited.rt.audit_uow().audit.ledger_head())
    cp = audit_rules.Checkpoint(
        "ledger", head[0], head[1], b.T0, "f" * 32,
        stranger.sign(audit_rules.checkpoint_payload("ledger", *head, b.T0)).hex(),
    )  # fmt: skip
    run(add_checkpoint(audited.rt, cp))
    code, out = verify(capsys)
    assert code == 1 and "falsifiée" in out


def test_an_edited_projection_is_named_by_verify_projection(audited, insider, capsys):
    ids = run(shelve(audited.rt, 3))
    assert verify(capsys, "--projection")[0] == 0
    run(
        insider.run(
            "UPDATE position SET custodian_id = 'elsewhere' WHERE item_id = {}", ids[1]
        )
    )
    code, out = verify(capsys, "--projection")
    assert code == 1
    assert "projection des positions NON conforme : 1 objet(s)" in out
    assert f"objet {ids[1]} : custodian_id" in out


def test_a_deleted_position_row_is_named(audited, insider, capsys):
    ids = run(shelve(audited.rt, 2))
    run(insider.run("DELETE FROM position WHERE item_id = {}", ids[0]))
    code, out = verify(capsys, "--projection")
    assert code == 1 and f"objet {ids[0]} : missing" in out


def test_anchor_prints_a_head_signed_by_the_printed_public_key(audited, capsys):
    run(shelve(audited.rt, 2))
    capsys.readouterr()
    assert cli.main(["audit", "anchor"]) == 0
    out = capsys.readouterr().out
    fields = dict(re.findall(r"^(\w+): (.+)$", out, re.M))
    assert fields["seq"] == "2"
    _, raw = fields["public_key"].split()
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(raw))
    stored = checkpoints(audited.rt)[-1]
    assert (stored.hash, stored.signature) == (fields["hash"], fields["signature"])
    public.verify(bytes.fromhex(fields["signature"]), audit_rules.payload_of(stored))
    assert fields["key"] == audited.rt.signer().key_id


def test_a_rotated_key_keeps_old_checkpoints_verifiable(audited, capsys):
    run(shelve(audited.rt, 2))
    assert verify(capsys)[0] == 0
    old = audited.rt.signer().key_id
    assert cli.main(["audit", "keygen"]) == 2  # never overwritten by accident
    assert cli.main(["audit", "keygen", "--rotate"]) == 0
    assert audited.rt.signer().key_id != old
    code, out = verify(capsys)
    assert code == 0, out
    keys = [c.key_id for c in checkpoints(audited.rt)]
    assert keys[0] == old and keys[-1] != old


def test_a_key_file_others_can_read_is_refused(audited, audit_env, capsys):
    audit_env.chmod(0o644)
    code, out = verify(capsys)
    assert code == 2
    assert "mode 644, must be 600" in out


def test_serve_checkpoints_on_schedule_and_refuses_to_sign_a_rewritten_chain(
    audited, insider, clock
):
    rt = audited.rt
    run(shelve(rt, 4))
    jobs = rt.audit_jobs()
    run(jobs.tick())
    assert checkpoints(rt) == []  # the first one comes an interval after start
    clock.advance(hours=1)
    run(jobs.tick())
    assert [c.seq for c in checkpoints(rt)] == [4]
    run(jobs.tick())  # not due yet
    assert len(checkpoints(rt)) == 1
    run(insider.without_guards("movement"))
    run(insider.without_guards("chain_head"))
    run(insider.run("UPDATE movement SET reason = 'x' WHERE seq = 2"))
    run(recompute_from(rt, insider, 2))
    clock.advance(hours=2)
    run(jobs.tick())
    assert [c.seq for c in checkpoints(rt)] == [4]


@pytest.mark.parametrize("problem", list(audit_rules.Problem))
def test_every_finding_has_a_french_message(problem):
    text = cli_audit.describe("ledger", audit_rules.Finding(problem, 7, "d", upto=9))
    assert "n° 7" in text
