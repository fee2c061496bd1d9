"""Properties of the hash-chained ledger, on the engine of this run (issue 2, item 10).

For any sequence of movements: the projection equals the fold of the ledger, the
chain verifies, and changing any stored column of any movement makes the audit fail
at exactly that movement. Each hypothesis example registers fresh items and shelves
(the database is shared by the examples of one test) and looks only at those.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, event, given, settings
from hypothesis import strategies as st

from archive_svc import bootstrap, cli
from archive_svc.domain import chain, commands, custody
from archive_svc.domain.model import Item, Location, State, Virtual
from archive_svc.services import audit, ledger, registry
from archive_svc.services.custody import record_movements
from tests import builders as b
from tests.integration.ledger_support import (
    FIXED_STATE,
    Attacker,
    all_seqs,
    as_folded,
    fold,
    movement_rows,
    unguarded,
)

# No shrinking: each example replays movements against a growing ledger, and a
# failing run must still finish in seconds (the drawn histories are short anyway).
PROPERTY = settings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TARGETS = (
    "shelf0", "shelf1", "box0", "box1", "file0", "file1", "env0",
    b.AGENT, b.MANAGER, b.OFFICER_A, b.OFFICER_B, "CNDA", "INTAKE", None,
)  # fmt: skip
PAYLOADS = (
    {},
    {"corrects_seq": 1},
    {"corrects_seq": 1, "state": "on_loan"},
    {"action": "unseal"},
    {"action": "reseal", "seal_number": "SN-9"},
)
ITEM_NAMES = ("box0", "box1", "file0", "file1", "env0")
#: Where each item is accessioned before the random steps (box0 always).
PREFIX = {"box1": "shelf1", "file0": "box0", "file1": "shelf0", "env0": "file0"}


@dataclass(frozen=True)
class Step:
    kind: str
    item: str
    to: str | None
    actor: str
    reason: str
    force: bool
    payload: dict[str, Any]
    request_id: str | None
    scanned_ago_s: int | None


#: Targets that suit each kind; a step mostly draws from these, sometimes from anything.
SUITABLE: dict[str, tuple[str | None, ...]] = {
    "accession": ("shelf0", "shelf1", "box0", "file0", "INTAKE"),
    "shelve": ("shelf0", "shelf1", "box0", "box1", "file0", "file1"),
    "relocate": ("shelf0", "shelf1", "box0", "box1", "file0", "file1"),
    "pick": (None, b.AGENT),
    "hand_over": (b.OFFICER_A, b.OFFICER_B),
    "transfer_between_requesters": (b.OFFICER_A, b.OFFICER_B),
    "return": (None, b.AGENT),
    "in_transit": ("Site B",),
    "send_to_digitisation": ("DIGITISATION",),
    "send_to_history_mission": ("HISTORY_MISSION",),
    "send_outside": ("CNDA",),
    "verify": ("shelf0", "shelf1", "box0", "file0"),
    "declare_missing": (None,),
    "destroy": (None,),
    "seal_event": (None,),
    "correction": ("shelf0", "box0", b.OFFICER_A, "INTAKE"),
}
#: Everyday kinds come up more often than rare ones.
KIND_WEIGHTS = [k.value for k in custody.MovementKind] + [
    "pick", "pick", "pick", "hand_over", "hand_over", "return", "return", "return",
    "shelve", "shelve", "shelve", "relocate", "transfer_between_requesters",
    "verify", "send_to_digitisation", "send_outside", "in_transit",
]  # fmt: skip


#: Rough state after each kind, for steering the generator only (the service decides):
#: the ledger fold's fixed states, plus the kinds whose target decides the state.
STEERING = {
    "accession": State.IN_STORAGE,
    **FIXED_STATE,
    "correction": State.IN_STORAGE,
}


def step(draw: st.DrawFn, model: dict[str, State | None]) -> Step:
    """One movement, usually one that the item's (guessed) state allows."""
    item = draw(st.sampled_from(ITEM_NAMES))
    state = model[item]
    fitting = [
        k
        for k in KIND_WEIGHTS
        if state in custody.ALLOWED_FROM[custody.MovementKind(k)]
        and (k != "seal_event" or item == "env0")
    ]
    plausible = draw(st.integers(0, 9)) > 0 and fitting
    kind = draw(st.sampled_from(fitting if plausible else KIND_WEIGHTS))
    suitable = draw(st.integers(0, 9)) > 0
    needs_reason = kind in custody.REASON_REQUIRED or kind in ("pick", "seal_event")
    reasons = ["found"] if kind == "shelve" and state is State.MISSING else ["RSN-1"]
    model[item] = STEERING.get(kind, state)
    return Step(
        kind=kind,
        item=item,
        to=draw(st.sampled_from(SUITABLE[kind] if suitable else TARGETS)),
        actor=draw(
            st.sampled_from(
                [b.MANAGER] * 3 + [b.AGENT]
                if kind in custody.MANAGER_ONLY
                else [b.AGENT, b.AGENT, b.MANAGER]
            )
        ),
        reason=draw(
            st.sampled_from(
                reasons * 3 + [""] if needs_reason else ["", "found", "RSN-1"]
            )
        ),
        force=draw(st.booleans()),
        payload=draw(st.sampled_from(PAYLOADS)),
        request_id=draw(st.sampled_from([None, "REQ-1", "REQ-1"])),
        scanned_ago_s=draw(st.sampled_from([None] * 6 + [20, 7200])),
    )


@dataclass
class Scene:
    """One example's own shelves and items, and what the service answered."""

    shelves: list[Location]
    items: dict[str, Item]
    results: list[Any] = field(default_factory=list)

    def ref(self, name: str | None) -> str | None:
        if name is not None and name.startswith("shelf"):
            return self.shelves[int(name[-1])].barcode
        if name in self.items:
            return self.items[name].barcode
        return name


async def record(
    runtime: bootstrap.Runtime, *moves: commands.MovementRequest
) -> list[Any]:
    return await record_movements(
        b.batch(*moves), runtime.uow(), runtime.clock, runtime.policy
    )


async def fresh_items(runtime: bootstrap.Runtime) -> dict[str, Item]:
    kinds = {
        "box0": "box",
        "box1": "box",
        "file0": "file",
        "file1": "file",
        "env0": "envelope",
    }
    cmds = [
        commands.RegisterItem(kind, f"P-{b.uid()[:13].upper()}", width_mm=None)
        for kind in kinds.values()
    ]
    created = await registry.register_items(cmds, runtime.uow())
    return dict(zip(kinds, created, strict=True))


def request(scene: Scene, step: Step, now: datetime) -> commands.MovementRequest:
    scanned = (
        None
        if step.scanned_ago_s is None
        else chain.iso(now - timedelta(seconds=step.scanned_ago_s))
    )
    return b.move(
        scene.ref(step.item) or "",
        step.kind,
        scene.ref(step.to),
        actor=step.actor,
        reason=step.reason,
        force=step.force,
        payload=step.payload,
        request_id=step.request_id,
        scanned_at=scanned,
    )


async def play(
    runtime: bootstrap.Runtime,
    accessioned: list[bool],
    draw: st.DrawFn | None = None,
    batches: int = 0,
) -> Scene:
    """Register a fresh small world, accession some of it, then play drawn batches.

    Each batch is drawn against the items' actual states, so most movements are
    plausible; the service still judges every one of them.
    """
    scene = Scene(
        await b.storeroom(runtime, shelves=2, capacity_mm=230),
        await fresh_items(runtime),
    )
    prefix = [("box0", "shelf0")] + [
        (name, to)
        for (name, to), keep in zip(PREFIX.items(), accessioned, strict=True)
        if keep
    ]
    runtime.clock.advance(seconds=1)
    scene.results += await record(
        runtime,
        *[b.move(scene.ref(n) or "", "accession", scene.ref(t)) for n, t in prefix],
    )
    for _ in range(batches):
        assert draw is not None
        runtime.clock.advance(minutes=1)
        now = runtime.clock.now()
        model = await states(runtime, scene)
        size = draw(st.integers(1, 8))
        batch = [request(scene, step(draw, model), now) for _ in range(size)]
        scene.results += await record(runtime, *batch)
    return scene


async def states(runtime: bootstrap.Runtime, scene: Scene) -> dict[str, State | None]:
    found = await runtime.uow().positions.get_many(i.id for i in scene.items.values())
    return {
        name: (found[item.id].state if item.id in found else None)
        for name, item in scene.items.items()
    }


async def play_drawn(runtime: bootstrap.Runtime, data: st.DataObject) -> Scene:
    accessioned = data.draw(
        st.lists(st.booleans(), min_size=4, max_size=4), label="accessioned"
    )
    batches = data.draw(st.integers(1, 5), label="batches")
    return await play(runtime, accessioned, data.draw, batches)


async def virtual_places(runtime: bootstrap.Runtime) -> dict[str, Location]:
    codes = [v.value for v in Virtual] + [
        "EXTERNAL:CNDA",
        "EXTERNAL:TA",
        "EXTERNAL:PREFECTURE",
    ]
    found = await runtime.uow().locations.by_refs(codes)
    return {loc.id: loc for loc in found.values()}


@pytest.fixture
async def world(runtime: bootstrap.Runtime) -> AsyncIterator[bootstrap.Runtime]:
    await runtime.start_pool()
    await b.people(runtime)
    yield runtime
    await runtime.close_pool()


@pytest.fixture
async def attacker(
    world: bootstrap.Runtime, database_url: str
) -> AsyncIterator[Attacker]:
    """A raw connection that has switched off the append-only guard of ``movement``."""
    async with unguarded(database_url) as conn:
        yield conn


# --- (a) projection = fold of the ledger, (b) the chain verifies ------------------------


@PROPERTY
@given(data=st.data())
async def test_projection_equals_the_fold_of_the_ledger_and_the_chain_verifies(
    world: bootstrap.Runtime, data: st.DataObject
) -> None:
    scene = await play_drawn(world, data)
    ids = {i.id for i in scene.items.values()}
    rows = await movement_rows(ids)
    expected = fold(rows, await virtual_places(world))
    projected = await world.uow().positions.get_many(ids)

    assert {k: as_folded(p) for k, p in projected.items()} == expected
    for item in scene.items.values():
        view = await world.queries.where_is(item.barcode)
        assert view is not None
        assert (view.position and as_folded(view.position)) == expected.get(item.id)
    recorded = {r.seq: r.id for r in scene.results if r.status == "recorded"}
    for r in scene.results:
        event(f"code {r.code}")
    event(f"recorded {min(len(recorded) // 4 * 4, 12)}+")
    event(f"custody states {sorted({f.state.value for f in expected.values()})}"[:60])
    assert recorded == {r["seq"]: r["event_id"] for r in rows}
    report = await ledger.verify_ledger(world.queries)
    assert report.intact, report.broken
    assert await audit.verify_projection(world.audit_uow().audit) == []
    seqs = await all_seqs()
    assert seqs == list(range(1, len(seqs) + 1)) and report.checked == len(seqs)


async def test_rejected_movements_leave_no_ledger_entry_but_a_journal_line(
    world: bootstrap.Runtime,
) -> None:
    scene = await play(world, [False] * 4)
    (refused,) = await record(world, b.move(scene.ref("box0") or "", "pick"))
    assert (refused.status, refused.code) == ("rejected", "reason_required")
    assert await all_seqs() == [1]
    journal = await world.queries.counts()
    assert journal["rejection_journal"] == 1


# --- (c) tampering with any stored column is found at that movement ----------------------

HEX = "0123456789abcdef"
TEXT_COLUMNS = (
    "event_id", "kind", "from_ref", "to_ref", "actor_ref", "device_id", "time_source",
    "entry_mode", "request_id", "task_ref", "reason",
)  # fmt: skip
TIME_COLUMNS = ("recorded_at", "effective_at", "scanned_at")
TAMPERABLE = (
    *TEXT_COLUMNS,
    *TIME_COLUMNS,
    "device_seq",
    "payload",
    "prev_hash",
    "hash",
)


def flip_char(value: str, position: int, alphabet: str) -> str:
    i = position % len(value)
    replacement = next(c for c in alphabet if c != value[i])
    return value[:i] + replacement + value[i + 1 :]


def string_positions(text: str) -> list[int]:
    """Offsets of characters inside JSON string literals (keys or values)."""
    inside, escaped, found = False, False, []
    for i, c in enumerate(text):
        if inside and not escaped and c == '"':
            inside = False
        elif inside:
            found.append(i)
        elif c == '"':
            inside = True
        escaped = inside and c == "\\" and not escaped
    return found


def shift_time(value: Any, micros: int) -> Any:
    """The stored time moved by ``micros``; SQLite keeps piccolo's text form."""
    if isinstance(value, str):
        moved = datetime.fromisoformat(value) + timedelta(microseconds=micros)
        return str(moved)
    return value + timedelta(microseconds=micros)


def tampered(column: str, value: Any, position: int, sqlite: bool) -> Any:
    """A different stored value, as close to ``value`` as the column allows."""
    if column in TIME_COLUMNS and value is None:
        return str(b.T0) if sqlite else b.T0
    if column in TIME_COLUMNS:
        return shift_time(value, 1)
    if column == "device_seq":
        return 1 if value is None else value + 1
    if column in ("prev_hash", "hash"):
        return flip_char(value, position, HEX)
    if column == "payload":
        inside = string_positions(value)
        if not inside:
            return value.replace("{", "[").replace("}", "]")  # {} -> [] : still JSON
        i = inside[position % len(inside)]
        return value[:i] + ("x" if value[i] != "x" else "y") + value[i + 1 :]
    if not value:
        return "x"
    return flip_char(value, position, "abcdefghijklmnopqrstuvwxyz0123456789-_:")


@PROPERTY
@given(
    data=st.data(),
    pick=st.floats(0, 1, exclude_max=True),
    column=st.sampled_from(TAMPERABLE),
    position=st.integers(0, 200),
)
async def test_changing_any_column_of_any_movement_breaks_the_chain_at_that_seq(
    world: bootstrap.Runtime,
    attacker: Attacker,
    data: st.DataObject,
    pick: float,
    column: str,
    position: int,
) -> None:
    await play_drawn(world, data)
    seqs = await all_seqs()
    seq = seqs[int(pick * len(seqs))]
    original = (await attacker.row(seq))[column]
    await attacker.set(
        seq, column, tampered(column, original, position, attacker.sqlite)
    )
    try:
        report = await ledger.verify_ledger(world.queries)
        assert report.broken is not None, f"{column} of seq {seq} changed unnoticed"
        assert report.broken.seq == seq
        assert report.checked == seq - 1
    finally:
        await attacker.set(seq, column, original)
    assert (await ledger.verify_ledger(world.queries)).intact


@PROPERTY
@given(
    pick=st.floats(0, 1, exclude_max=True),
    column=st.sampled_from(("recorded_at", "effective_at")),
    position=st.integers(0, 40),
    replacement=st.characters(codec="ascii", categories=["L", "N", "P", "S", "Zs"]),
)
async def test_any_byte_of_a_stored_time_text_changed_is_found_at_that_seq(
    world: bootstrap.Runtime,
    attacker: Attacker,
    pick: float,
    column: str,
    position: int,
    replacement: str,
) -> None:
    """SQLite stores times as text, and ``T`` for `` ``, ``+01:00`` for ``+00:00`` or a
    dropped fraction parse to a time that may hash the same: the stored text itself is
    checked, so any byte changed is found at its movement."""
    if not attacker.sqlite:
        pytest.skip("PostgreSQL stores times as binary timestamps (see the test above)")
    await play(world, [True, False, True, True])
    seqs = await all_seqs()
    seq = seqs[int(pick * len(seqs))]
    original = (await attacker.row(seq))[column]
    i = position % len(original)
    assume(original[i] != replacement)
    await attacker.set(seq, column, original[:i] + replacement + original[i + 1 :])
    try:
        report = await ledger.verify_ledger(world.queries)
        assert report.broken is not None, f"{column}[{i}] -> {replacement!r} unnoticed"
        assert report.broken.seq == seq
    finally:
        await attacker.set(seq, column, original)
    assert (await ledger.verify_ledger(world.queries)).intact


async def test_renumbering_a_movement_is_reported_as_a_gap_at_its_seq(
    world: bootstrap.Runtime, attacker: Attacker
) -> None:
    await play(world, [True] * 4)
    await attacker.set(3, "seq", 1000)
    report = await ledger.verify_ledger(world.queries)
    assert report.broken is not None and "expected 3" in report.broken.problem


async def test_payload_garbled_into_invalid_json_is_reported_at_its_seq(
    world: bootstrap.Runtime, attacker: Attacker
) -> None:
    """Flip one byte of ``{}``: the audit must name the movement, not crash."""
    await play(world, [True] * 4)
    assert (await attacker.row(2))["payload"] == "{}"
    await attacker.set(2, "payload", "{]")
    report = await ledger.verify_ledger(world.queries)
    assert report.broken is not None and report.broken.seq == 2


@pytest.mark.parametrize("forged", ["[]", "null", "0", "false", '""'])
async def test_empty_payload_replaced_by_another_empty_json_value_is_reported(
    world: bootstrap.Runtime, attacker: Attacker, forged: str
) -> None:
    """``{}`` and ``[]`` (or null, 0, false) are different stored rows."""
    await play(world, [True] * 4)
    assert (await attacker.row(2))["payload"] == "{}"
    await attacker.set(2, "payload", forged)
    report = await ledger.verify_ledger(world.queries)
    assert report.broken is not None and report.broken.seq == 2


async def test_payload_with_whitespace_added_is_reported_at_its_seq(
    world: bootstrap.Runtime, attacker: Attacker
) -> None:
    """Add one byte to a stored payload that keeps equivalent JSON: still a changed row."""
    scene = await play(world, [True] * 4)
    box = scene.items["box0"].barcode
    world.clock.advance(seconds=1)
    (picked,) = await record(
        world,
        b.move(box, "pick", reason="RSN-1"),
    )
    assert picked.status == "recorded"
    world.clock.advance(seconds=1)
    (moving,) = await record(world, b.move(box, "in_transit", "Site B"))
    stored = (await attacker.row(moving.seq))["payload"]
    assert stored == '{"destination":"Site B"}', stored
    await attacker.set(moving.seq, "payload", stored.replace(":", ":\t", 1))
    report = await ledger.verify_ledger(world.queries)
    assert report.broken is not None and report.broken.seq == moving.seq


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE movement SET reason = 'edited' WHERE seq = 1",
        "DELETE FROM movement WHERE seq = 1",
    ],
    ids=["update", "delete"],
)
async def test_the_database_refuses_update_and_delete_of_a_movement(
    world: bootstrap.Runtime, database_url: str, statement: str
) -> None:
    await play(world, [False] * 4)
    conn = await Attacker(database_url).connect()
    try:
        if not conn.sqlite:  # a run killed mid-tamper would have left it disabled
            await conn.restore_guard()
        before = await conn.row(1)
        with pytest.raises(Exception, match="append-only"):
            await conn.execute(statement)
        assert await conn.row(1) == before
    finally:
        await conn.close()
    assert (await ledger.verify_ledger(world.queries)).intact


# --- archive-svc audit verify ------------------------------------------------------------


async def audit_verify(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    key_dir: Path,
) -> tuple[int, str]:
    """Run ``archive-svc audit verify`` as a user would (own thread, own event loop)."""
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_url)
    key = key_dir / "checkpoint.key"
    monkeypatch.setenv("ARCHIVE_AUDIT_KEY_FILE", str(key))
    if not key.exists():
        await asyncio.to_thread(cli.main, ["audit", "keygen"])
    capsys.readouterr()
    code = await asyncio.to_thread(cli.main, ["audit", "verify"])
    out = capsys.readouterr()
    return code, " ".join((out.out + out.err).split())


async def test_audit_verify_exits_zero_on_an_intact_ledger_and_names_the_broken_seq(
    world: bootstrap.Runtime,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    await play(world, [True] * 4)
    count = len(await all_seqs())
    code, text = await audit_verify(monkeypatch, database_url, capsys, tmp_path)
    assert code == 0
    assert f"registre des mouvements intact : {count} éléments vérifiés" in text

    async with unguarded(database_url) as conn:
        await conn.set(3, "to_ref", "location:elsewhere")
        code, text = await audit_verify(monkeypatch, database_url, capsys, tmp_path)
    assert code != 0
    assert "mouvement n° 3 altéré" in text
    assert "2 éléments vérifiés avant la première anomalie" in text


async def test_audit_verify_names_the_seq_when_a_payload_is_unreadable(
    world: bootstrap.Runtime,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    await play(world, [True] * 4)
    async with unguarded(database_url) as conn:
        await conn.set(2, "payload", json.dumps({}).replace("}", "]"))
        code, text = await audit_verify(monkeypatch, database_url, capsys, tmp_path)
    assert code != 0 and "mouvement n° 2 altéré" in text
