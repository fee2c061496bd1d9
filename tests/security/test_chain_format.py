"""Issue 10, finding 1: the submitter is hashed with each new movement.

The canonical form is versioned: entries hashed before the fix (format 1) still
verify, entries since (format 2) carry their submitter, and neither changing a
new entry's submitter nor downgrading it to the old form goes unnoticed.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from archive_svc import cli
from archive_svc.domain import chain
from archive_svc.domain.chain import GENESIS_HASH, LedgerEntry, verify_chain
from archive_svc.services import custody, ledger
from tests import builders as b
from tests.security.test_ledger_tampering import shelve


def _entry(seq: int, prev: str, fmt: int, submitter: str = "st-01") -> LedgerEntry:
    v2 = fmt == chain.FORMAT_V2
    return LedgerEntry(
        seq=seq, event_id=f"00000000-0000-4000-8000-{seq:012d}", kind="verify",
        item_id="item-1", from_ref=None, to_ref="location:l1", actor_ref="agent.x",
        device_id=None, device_seq=None, scanned_at=None, recorded_at=b.T0,
        effective_at=b.T0, time_source="server", entry_mode="manual",
        request_id=None, task_ref=None, reason="", payload={}, prev_hash=prev,
        submitter_kind="station" if v2 else None,
        submitter_ref=submitter if v2 else None, format=fmt,
    ).sealed()  # fmt: skip


def _mixed_chain(old: int, new: int) -> list[LedgerEntry]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, old + new + 1):
        fmt = chain.FORMAT_V1 if seq <= old else chain.FORMAT_V2
        entries.append(_entry(seq, prev, fmt))
        prev = entries[-1].hash
    return entries


def test_an_old_format_chain_followed_by_new_entries_verifies():
    entries = _mixed_chain(old=3, new=3)
    assert verify_chain(entries) is None
    assert b'"submitter_ref":"st-01"' in entries[-1].canonical()
    assert b"submitter" not in entries[0].canonical()


def test_the_old_canonical_form_is_unchanged():
    old = _entry(1, GENESIS_HASH, chain.FORMAT_V1)
    assert old.canonical() == (
        b'{"actor_ref":"agent.x","device_id":null,"device_seq":null,'
        b'"effective_at":"2026-03-02T09:00:00.000000Z","entry_mode":"manual",'
        b'"event_id":"00000000-0000-4000-8000-000000000001","from_ref":null,'
        b'"item_id":"item-1","kind":"verify","payload":{},'
        b'"prev_hash":"' + GENESIS_HASH.encode() + b'","reason":"",'
        b'"recorded_at":"2026-03-02T09:00:00.000000Z","request_id":null,'
        b'"scanned_at":null,"seq":1,"task_ref":null,"time_source":"server",'
        b'"to_ref":"location:l1"}'
    )


def test_changing_the_submitter_of_a_new_entry_breaks_the_chain():
    entries = _mixed_chain(old=2, new=3)
    entries[3] = replace(entries[3], submitter_ref="st-99")
    broken = verify_chain(entries)
    assert broken is not None and broken.seq == 4
    assert broken.problem == "content does not match its hash"


def test_dropping_the_submitter_by_downgrading_a_new_entry_breaks_the_chain():
    entries = _mixed_chain(old=2, new=2)
    downgraded = replace(
        entries[3], format=chain.FORMAT_V1, submitter_kind=None, submitter_ref=None
    ).sealed()
    broken = verify_chain([*entries[:3], downgraded])
    assert broken is not None and broken.seq == 4
    assert "format 1 after an entry of format 2" in broken.problem


async def test_a_stored_old_chain_plus_new_movements_verifies(runtime):
    await b.people(runtime)
    shelves = await b.storeroom(runtime, shelves=2)
    (box,) = await b.items(runtime, "box", 1)
    old = [
        replace(e, item_id=box.id, to_ref=f"location:{shelves[0].id}").sealed()
        for e in _mixed_chain(old=1, new=0)
    ]
    uow = runtime.uow()
    async with uow:
        await uow.ledger.lock_head()
        await uow.ledger.append_many(old)
        await uow.ledger.set_head(old[-1].seq, old[-1].hash)
        await uow.commit()
    results = await custody.record_movements(
        b.batch(b.move(box.barcode, "accession", shelves[1].barcode)),
        runtime.uow(),
        runtime.clock,
        runtime.policy,
    )
    assert results[0].status == "recorded"
    report = await ledger.verify_ledger(runtime.queries)
    assert report.intact and report.checked == 2
    stored = [e async for e in runtime.queries.ledger()]
    assert [(e.format, e.submitter_kind, e.submitter_ref) for e in stored] == [
        (1, None, None),
        (2, "operator", "test"),
    ]


def _verify(capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["audit", "verify"])
    return code, " ".join(capsys.readouterr().err.split())


def test_audit_verify_finds_a_stored_movement_whose_submitter_was_changed(
    audited, insider, capsys
):
    asyncio.run(shelve(audited.rt, 3))
    asyncio.run(insider.without_guards("movement"))
    asyncio.run(
        insider.run("UPDATE movement SET submitter_ref = 'st-99' WHERE seq = 2")
    )
    code, out = _verify(capsys)
    assert code == 1 and "registre des mouvements NON intact" in out
    assert "n° 2" in out


def test_audit_verify_finds_a_last_movement_downgraded_to_drop_its_submitter(
    audited, insider, capsys
):
    asyncio.run(shelve(audited.rt, 3))
    entries = asyncio.run(_all(audited.rt))
    downgraded = replace(
        entries[-1], format=chain.FORMAT_V1, submitter_kind=None, submitter_ref=None
    ).sealed()
    asyncio.run(insider.without_guards("movement"))
    asyncio.run(insider.without_guards("chain_head"))
    asyncio.run(
        insider.run(
            "UPDATE movement SET hash_format = 1, submitter_kind = NULL,"
            " submitter_ref = NULL, hash = {} WHERE seq = 3",
            downgraded.hash,
        )
    )
    asyncio.run(
        insider.run("UPDATE chain_head SET hash = {} WHERE id = 1", downgraded.hash)
    )
    code, out = _verify(capsys)
    assert code == 1 and "registre des mouvements NON intact" in out
    assert "n° 3" in out and "format 1 after one of format 2" in out


async def _all(runtime) -> list[LedgerEntry]:  # type: ignore[no-untyped-def]
    store = runtime.audit_uow().audit
    head = await store.ledger_head()
    return [e async for e in store.ledger(0, head[0])]
