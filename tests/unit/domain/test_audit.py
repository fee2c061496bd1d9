"""The pure audit rules: journal chaining, findings against head and checkpoints."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from archive_svc.domain import audit, journal_chain, projection
from archive_svc.domain.chain import GENESIS_HASH

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIELDS = (
    "archive_agent",
    "read_item",
    "BX00000001",
    "allow",
    "route:read_item",
    "",
    "",
    "web",
)


def rows(count: int) -> list[journal_chain.JournalRow]:
    return [
        journal_chain.JournalRow(
            i + 1, T0 + timedelta(seconds=i), f"agent.{i}", *FIELDS
        )
        for i in range(count)
    ]


def walked(
    sealed: list[journal_chain.JournalRow], wanted=frozenset()
) -> audit.ChainWalk:
    walk = audit.ChainWalk(wanted)
    for r in sealed:
        assert r.seq is not None and r.prev_hash is not None and r.hash is not None
        if not walk.step(
            r.seq, r.prev_hash, r.hash, journal_chain.journal_recomputed(r)
        ):
            break
    return walk


def cp(seq: int, hash_: str) -> audit.Checkpoint:
    return audit.Checkpoint("journal", seq, hash_, T0, "k", "s")


def test_sealed_rows_link_in_order_and_move_the_head():
    sealed, head = journal_chain.seal_rows(rows(3), (0, GENESIS_HASH))
    assert [r.seq for r in sealed] == [1, 2, 3]
    assert sealed[0].prev_hash == GENESIS_HASH and sealed[1].prev_hash == sealed[0].hash
    assert head == (3, sealed[2].hash)
    assert audit.judge(walked(sealed), head, []) == []


@given(st.text(max_size=40), st.integers(min_value=0, max_value=4))
def test_any_edited_field_breaks_the_chain_at_that_row(text, index):
    sealed, head = journal_chain.seal_rows(rows(5), (0, GENESIS_HASH))
    if sealed[index].reason == text:
        return
    sealed[index] = replace(sealed[index], reason=text)
    findings = audit.judge(walked(sealed), head, [])
    assert findings[0].problem is audit.Problem.ALTERED
    assert findings[0].seq == index + 1


def test_a_missing_tail_is_named_against_the_head():
    sealed, head = journal_chain.seal_rows(rows(5), (0, GENESIS_HASH))
    (finding,) = audit.judge(walked(sealed[:3]), head, [])
    assert (finding.problem, finding.seq) == (audit.Problem.MISSING, 4)


def test_a_recomputed_chain_is_located_between_two_checkpoints():
    sealed, _ = journal_chain.seal_rows(rows(8), (0, GENESIS_HASH))
    marks = [cp(3, sealed[2].hash), cp(8, sealed[7].hash)]
    forged = [*sealed[:5], replace(sealed[5], reason="x"), *sealed[6:]]
    rechained, new_head = journal_chain.seal_rows(forged, (0, GENESIS_HASH))
    wanted = frozenset({3, 8})
    (finding,) = audit.judge(
        walked(rechained, wanted), new_head, [(m, True) for m in marks]
    )
    assert (finding.problem, finding.seq, finding.upto) == (
        audit.Problem.REWRITTEN,
        4,
        8,
    )


def test_a_bad_signature_is_forged_and_not_trusted():
    sealed, head = journal_chain.seal_rows(rows(2), (0, GENESIS_HASH))
    findings = audit.judge(walked(sealed), head, [(cp(9, "0" * 64), False)])
    assert [f.problem for f in findings] == [audit.Problem.FORGED]


def test_purge_summaries_must_follow_each_other():
    first = journal_chain.PurgeSummary(1, 10, 10, "a", "b", T0, T0)
    gap = journal_chain.PurgeSummary(12, 20, 9, "c", "d", T0, T0)
    findings, start = journal_chain.purge_findings([(first, True), (gap, True)])
    assert [(f.problem, f.seq) for f in findings] == [(audit.Problem.MISSING, 11)]
    assert start == (21, "d")


def test_checkpoint_payload_is_canonical_json():
    payload = audit.checkpoint_payload("ledger", 3, "ab", T0)
    assert payload == (
        b'{"at":"2026-03-02T09:00:00.000000Z","chain":"ledger","hash":"ab",'
        b'"seq":3,"v":1,"what":"checkpoint"}'
    )


def test_projection_differences_name_the_item_and_fields():
    p = projection.ProjectedPosition("in_storage", "location", "L1", T0, 1, "e1")
    diffs = projection.compare_projection(
        {"a": p, "b": p}, {"a": replace(p, custodian_id="L2"), "c": p}
    )
    assert diffs == [
        projection.ProjectionDiff("a", ("custodian_id",)),
        projection.ProjectionDiff("b", ("missing",)),
        projection.ProjectionDiff("c", ("extra",)),
    ]
