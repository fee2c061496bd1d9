"""Issue 10, finding 4: the access journal can no longer be rewritten unnoticed.

Rows are written as before (one INSERT on the request path), then chained in
order by the sealer; ``audit verify-journal`` checks the chain, its head and its
signed checkpoints, and accepts a chain that starts right after a signed purge.
"""

from __future__ import annotations

import asyncio
import getpass
import io
from datetime import UTC, datetime, timedelta

import pytest

from archive_svc import bootstrap, cli
from archive_svc.domain import journal_chain
from archive_svc.domain.chain import GENESIS_HASH
from archive_svc.services import journal_audit
from archive_svc.services.ports.journal import JournalEntry
from tests.security.tamper import Insider

OLD = datetime(2020, 1, 6, 8, 0, tzinfo=UTC)


def run(coro):
    return asyncio.run(coro)


def entry(at: datetime, n: int) -> JournalEntry:
    return JournalEntry(
        at=at + timedelta(minutes=n), principal_ref=f"agent.{n}", role="archive_agent",
        action="read_item", object_ref=f"BX{n:08d}", decision="allow",
        rule="route:read_item", reason="read", client="10.0.0.1",
    )  # fmt: skip


async def write(runtime: bootstrap.Runtime, at: datetime, count: int) -> None:
    """The request path: one INSERT of the rows, outside any transaction."""
    await runtime.uow().access_journal.add_many([entry(at, n) for n in range(count)])


def verify(capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["audit", "verify-journal"])
    return code, " ".join(capsys.readouterr().err.split())


def now() -> datetime:
    return datetime.now(UTC)


async def recompute(runtime: bootstrap.Runtime, insider: Insider) -> None:
    """Re-chain every row from the start and move the head: a consistent rewrite."""
    store = runtime.audit_uow().audit
    head = await store.journal_head()
    rows = [r async for r in store.journal(0, head[0])]
    sealed, new_head = journal_chain.seal_rows(rows, (0, GENESIS_HASH))
    for row in sealed:
        await insider.run(
            "UPDATE access_journal SET prev_hash = {}, hash = {} WHERE seq = {}",
            row.prev_hash, row.hash, row.seq,
        )  # fmt: skip
    await insider.run(
        "UPDATE journal_head SET seq = {}, hash = {} WHERE id = 1", *new_head
    )


def test_journal_rows_are_chained_and_verified(audited, capsys):
    run(write(audited.rt, now(), 5))
    code, out = verify(capsys)
    assert code == 0, out
    assert "journal des accès intact : 5 éléments vérifiés, tête n° 5" in out
    seqs = run(Insider(audited.settings.database.url).run(
        "SELECT seq FROM access_journal ORDER BY id"
    ))  # fmt: skip
    assert [r["seq"] for r in seqs] == [1, 2, 3, 4, 5]


def test_the_guard_refuses_changes_to_sealed_rows(audited, insider, capsys):
    run(write(audited.rt, now(), 2))
    assert verify(capsys)[0] == 0
    with pytest.raises(Exception, match="append-only"):
        run(insider.run("UPDATE access_journal SET reason = 'x' WHERE seq = 1"))
    with pytest.raises(Exception, match="append-only"):
        run(insider.run("UPDATE access_journal SET seq = 9 WHERE seq = 1"))
    with pytest.raises(Exception, match="append-only"):
        run(insider.run("DELETE FROM access_journal WHERE seq = 2"))


def test_an_edited_row_is_found(audited, insider, capsys):
    run(write(audited.rt, now(), 5))
    assert verify(capsys)[0] == 0
    run(insider.without_guards("access_journal"))
    run(insider.run("UPDATE access_journal SET principal_ref = 'nobody' WHERE seq = 3"))
    code, out = verify(capsys)
    assert code == 1
    assert "journal des accès NON intact" in out
    assert "ligne du journal des accès n° 3 altéré" in out


def test_a_deleted_row_is_found(audited, insider, capsys):
    run(write(audited.rt, now(), 5))
    assert verify(capsys)[0] == 0
    run(insider.without_guards("access_journal"))
    run(insider.run("DELETE FROM access_journal WHERE seq = 3"))
    code, out = verify(capsys)
    assert code == 1 and "ligne du journal des accès n° 3 manquant" in out


def test_deleted_last_rows_are_found_against_the_head(audited, insider, capsys):
    run(write(audited.rt, now(), 5))
    assert verify(capsys)[0] == 0
    run(insider.without_guards("access_journal"))
    run(insider.run("DELETE FROM access_journal WHERE seq >= 4"))
    code, out = verify(capsys)
    assert code == 1 and "n° 4 manquant" in out


def test_a_rechained_journal_is_found_by_its_signed_checkpoint(
    audited, insider, capsys
):
    run(write(audited.rt, now(), 6))
    assert verify(capsys)[0] == 0  # signs the head at 6
    run(insider.without_guards("access_journal"))
    run(insider.without_guards("journal_head"))
    run(insider.run("DELETE FROM access_journal WHERE seq = 2"))
    run(insider.run("UPDATE access_journal SET seq = seq - 1 WHERE seq > 2"))
    run(recompute(audited.rt, insider))
    code, out = verify(capsys)
    assert code == 1
    assert "n° 6 manquant" in out


def test_a_purge_leaves_a_signed_summary_the_verification_accepts(audited, capsys):
    run(write(audited.rt, OLD, 3))
    run(write(audited.rt, now(), 2))
    capsys.readouterr()
    assert cli.main(["audit", "purge-journal"]) == 0
    out = " ".join(capsys.readouterr().err.split())
    assert "3 lignes purgées (n° 1 à 3," in out
    code, out = verify(capsys)
    assert code == 0, out
    assert "journal purgé jusqu'au n° 3 (résumé signé)" in out
    assert "2 éléments vérifiés, tête n° 5" in out


def test_old_rows_deleted_without_a_signed_purge_are_found(audited, insider, capsys):
    run(write(audited.rt, OLD, 3))
    run(write(audited.rt, now(), 2))
    assert verify(capsys)[0] == 0
    run(insider.without_guards("access_journal"))
    run(insider.run("DELETE FROM access_journal WHERE seq <= 3"))
    code, out = verify(capsys)
    assert code == 1 and "n° 1 manquant" in out


def test_a_forged_purge_summary_is_reported(audited, insider, capsys):
    run(write(audited.rt, OLD, 3))
    run(write(audited.rt, now(), 2))
    assert verify(capsys)[0] == 0
    rows = run(insider.run("SELECT hash FROM access_journal WHERE seq = 3"))
    run(
        insider.run(
            "INSERT INTO access_journal_purge (first_seq, last_seq, row_count,"
            " first_hash, last_hash, before_at, at, key_id, signature)"
            " VALUES (1, 3, 3, {}, {}, {}, {}, {}, {})",
            "a" * 64,
            rows[0]["hash"],
            now(),
            now(),
            "b" * 32,
            "c" * 128,
        )
    )
    run(insider.run("DELETE FROM access_journal WHERE seq <= 3"))  # the guard lets it
    code, out = verify(capsys)
    assert code == 1 and "falsifiée" in out


def test_a_purge_is_refused_on_a_tampered_journal(audited, insider, capsys):
    run(write(audited.rt, OLD, 3))
    assert verify(capsys)[0] == 0
    run(insider.without_guards("access_journal"))
    run(insider.run("UPDATE access_journal SET decision = 'allow' WHERE seq = 2"))
    run(insider.run("UPDATE access_journal SET rule = 'x' WHERE seq = 2"))
    capsys.readouterr()
    assert cli.main(["audit", "purge-journal"]) == 1
    assert "purge refusée" in capsys.readouterr().err


def test_retention_is_a_setting(audited, capsys, monkeypatch):
    run(write(audited.rt, now() - timedelta(days=40), 2))
    capsys.readouterr()
    assert cli.main(["audit", "purge-journal"]) == 0
    assert "rien à purger (conservation 365 jours)" in capsys.readouterr().err
    monkeypatch.setenv("ARCHIVE_AUDIT_JOURNAL_RETENTION_DAYS", "30")
    assert cli.main(["audit", "purge-journal"]) == 0
    assert "2 lignes purgées" in " ".join(capsys.readouterr().err.split())


def test_serve_seals_checkpoints_and_purges_on_schedule(audited, clock):
    rt = audited.rt
    run(write(rt, OLD, 2))
    run(write(rt, clock.now(), 1))
    jobs = rt.audit_jobs()
    run(jobs.tick())
    store = rt.audit_uow().audit
    assert run(store.journal_head())[0] == 3
    assert run(store.checkpoints("journal")) == []
    clock.advance(days=1)
    run(jobs.tick())
    assert {c.seq for c in run(store.checkpoints("journal"))} == {3}
    assert [(p.first_seq, p.last_seq) for p in run(store.purges())] == [(1, 2)]
    report = run(journal_audit.verify_journal(store, rt.signer()))
    assert report.intact and report.start_seq == 3


def test_a_user_creation_is_journaled_with_the_id_and_roles(
    audited, capsys, monkeypatch
):
    monkeypatch.setattr("sys.stdin", io.StringIO("correct-horse-battery-9\n"))
    argv = ["user", "create", "--id", "agent.new", "--name", "Agent New"]
    argv += ["--role", "archive_agent", "--password-stdin"]
    assert cli.main(argv) == 0
    rows = run(
        Insider(audited.settings.database.url).run(
            "SELECT principal_ref, action, object_ref, reason, channel"
            " FROM access_journal"
        )
    )
    assert rows == [
        {
            "principal_ref": f"cli:{getpass.getuser()}",
            "action": "create_person",
            "object_ref": "agent.new",
            "reason": "roles=archive_agent",
            "channel": "cli",
        }
    ]
    assert verify(capsys)[0] == 0
