"""record_scan on the real engine of this run: workflows, idempotency, gaps, bad input."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from archive_svc.domain import barcodes, commands
from archive_svc.domain.stations import DeviceSession
from archive_svc.persistence.engine import current
from archive_svc.persistence.sql import fetch
from archive_svc.services import registry
from archive_svc.services.scanning import (
    ScanPolicy,
    record_missing_reads,
    record_scan,
    record_scans,
)
from tests import builders as b

DEVICE = "st-01"


class Station:
    """Types reads like a gateway would: fresh scan ids, increasing device_seq."""

    def __init__(self, runtime, device: str = DEVICE) -> None:
        self.runtime, self.device, self.seq = runtime, device, 0

    def read(
        self, code: str, seq: int | None = None, scanned_at=None
    ) -> commands.RecordScan:
        if seq is None:
            self.seq += 1
            seq = self.seq
        return commands.RecordScan(
            str(uuid.uuid4()), self.device, seq, code, scanned_at=scanned_at,
            received_at=self.runtime.clock.now(),
        )  # fmt: skip

    async def send(self, cmd: commands.RecordScan, **kw):
        rt = self.runtime
        return await record_scan(
            cmd, rt.uow(), rt.clock, rt.policy, texts=rt.texts, **kw
        )

    async def scan(self, *codes: str):
        return [await self.send(self.read(c)) for c in codes]


@pytest.fixture
async def world(runtime):
    await b.people(runtime)
    badge = barcodes.make(barcodes.Kind.BADGE, 4242)
    officer_badge = barcodes.make(barcodes.Kind.BADGE, 4243)
    from archive_svc.domain.model import Principal

    await registry.add_principal(
        Principal(
            "agent.scan",
            "Agent Scan",
            frozenset({"archive_agent"}),
            badge_barcode=badge,
        ),
        runtime.uow(),
    )
    await registry.add_principal(
        Principal(
            "officer.scan",
            "Officer Scan",
            frozenset({"protection_officer"}),
            "africa",
            badge_barcode=officer_badge,
        ),
        runtime.uow(),
    )
    shelves = await b.storeroom(runtime, shelves=3, capacity_mm=250)
    boxes = await b.items(runtime, "box", 4)
    return runtime, badge, officer_badge, shelves, boxes


async def movements(kind: str | None = None) -> list[dict]:
    rows = await fetch(
        current(),
        "SELECT kind, event_id, device_seq FROM movement WHERE device_id = {} ORDER BY seq",
        DEVICE,
    )
    return [r for r in rows if kind is None or r["kind"] == kind]


async def test_shelving_new_boxes_accessions_them_then_a_rescan_verifies(world):
    runtime, badge, _, shelves, boxes = world
    st = Station(runtime)
    outs = await st.scan(
        badge, "CMD-SHELVE", shelves[0].barcode, boxes[0].barcode, boxes[0].barcode
    )
    assert [o.code for o in outs] == [
        "agent_set",
        "mode_set",
        "location_selected",
        "recorded",
        "recorded",
    ]
    assert [m["kind"] for m in await movements()] == ["accession", "verify"]
    assert outs[3].movement_id == outs[3].scan_id


async def test_pick_with_reason_hand_over_to_badge_return_and_reshelve(world):
    runtime, badge, officer, shelves, boxes = world
    st = Station(runtime)
    box = boxes[0].barcode
    await st.scan(badge, "CMD-SHELVE", shelves[0].barcode, box)
    outs = await st.scan(
        "CMD-PICK",
        box,
        "RSN-URGENT",
        box,
        "CMD-HANDOVER",
        box,
        officer,
        box,
        "CMD-RETURN",
        box,
        "CMD-SHELVE",
        shelves[1].barcode,
        box,
    )
    codes = [o.code for o in outs]
    assert codes == [
        "mode_set",
        "reason_required",
        "reason_set",
        "recorded",
        "mode_set",
        "requester_required",
        "requester_set",
        "recorded",
        "mode_set",
        "recorded",
        "mode_set",
        "location_selected",
        "recorded",
    ]
    assert [m["kind"] for m in await movements()] == [
        "accession",
        "pick",
        "hand_over",
        "return",
        "shelve",
    ]


async def test_resent_read_is_a_duplicate_with_the_first_outcome(world):
    runtime, badge, _, shelves, boxes = world
    st = Station(runtime)
    await st.scan(badge, "CMD-SHELVE", shelves[0].barcode)
    cmd = st.read(boxes[0].barcode)
    first = await st.send(cmd)
    again = await st.send(cmd)
    assert again.outcome == "duplicate" and again.movement_id == first.movement_id
    assert len(await movements()) == 1


async def test_bad_inputs_get_specific_rejections_and_are_journaled(world):
    runtime, badge, _, shelves, boxes = world
    st = Station(runtime)
    unknown_box = barcodes.make(barcodes.Kind.BOX, 99_999_999)
    outs = await st.scan(
        boxes[0].barcode,
        badge,
        "CMD-RETURN",
        boxes[0].barcode,
        unknown_box,
        "CMD-PICK",
        shelves[0].barcode,
        "CMD-FOO",
        "CMD-CANCEL",
    )
    assert [o.code for o in outs] == [
        "no_mode",
        "agent_set",
        "mode_set",
        "not_on_loan",
        "unknown_barcode",
        "mode_set",
        "wrong_kind_for_mode",
        "malformed_barcode",
        "mode_cancelled",
    ]
    journal = await fetch(
        current(),
        "SELECT code FROM rejection_journal WHERE source = 'scan' ORDER BY id",
    )
    assert [r["code"] for r in journal] == [
        "no_mode",
        "not_on_loan",
        "unknown_barcode",
        "wrong_kind_for_mode",
        "malformed_barcode",
    ]
    rows = await fetch(current(), "SELECT outcome FROM scan_inbox")
    assert len(rows) == len(outs)


async def test_a_box_too_wide_and_a_full_shelf_are_refused_as_shelf_full(world):
    runtime, badge, _, _, boxes = world
    (shelf,) = await b.storeroom(runtime, shelves=1, capacity_mm=200)
    st = Station(runtime)
    await st.scan(badge, "CMD-SHELVE", shelf.barcode, boxes[0].barcode)
    outs = await st.scan(
        boxes[1].barcode, boxes[2].barcode, "CMD-SHELVE", shelf.barcode
    )
    assert [o.code for o in outs] == [
        "recorded",
        "shelf_full",
        "mode_set",
        "shelf_full",
    ]
    assert all(o.outcome == "rejected" for o in (outs[1], outs[3]))


async def test_a_gap_holds_the_read_back_then_reports_it_after_the_wait(world):
    runtime, badge, _, _shelves, _ = world
    st = Station(runtime)
    await st.scan(badge)
    ahead = st.read("CMD-SHELVE", seq=4)
    held = await st.send(ahead)
    assert held.outcome == "deferred" and held.gap == 2
    runtime.clock.advance(seconds=31)
    done = await st.send(ahead, scan_policy=ScanPolicy())
    assert done.outcome == "accepted" and done.gap == 2
    rows = await fetch(
        current(), "SELECT flags FROM scan_inbox WHERE scan_id = {}", ahead.scan_id
    )
    assert rows[0]["flags"] == "gap:2"


async def journal(code: str) -> list[dict]:
    return await fetch(
        current(),
        "SELECT event_id, source, code, message, body FROM rejection_journal"
        " WHERE code = {} ORDER BY id",
        code,
    )


async def session_of(runtime, device: str = DEVICE) -> DeviceSession:
    async with runtime.uow() as uow:
        stored = await uow.device_sessions.get(device)
    assert stored is not None
    return DeviceSession.from_json(stored.state)


async def test_a_gap_is_journaled_logged_and_names_the_reads_to_ask_again(
    world, caplog
):
    runtime, badge, _, _shelves, _ = world
    st = Station(runtime)
    await st.scan(badge)
    ahead = st.read("CMD-SHELVE", seq=1002)  # a +1,000 jump
    held = await st.send(ahead)
    assert (held.outcome, held.gap, held.missing) == ("deferred", 1000, (2, 1001))
    again = await st.send(ahead)  # resent by the gateway: asked again, one journal row
    assert again.missing == (2, 1001)
    rows = await journal("sequence_gap")
    assert [(r["event_id"], r["source"]) for r in rows] == [(ahead.scan_id, "scan")]
    assert "1000" in rows[0]["message"]
    assert any("2..1001 missing" in r.getMessage() for r in caplog.records)
    capped = await st.send(ahead, scan_policy=ScanPolicy(resend_most=50))
    assert capped.missing == (2, 51)


async def test_a_group_of_held_reads_asks_the_station_once(world):
    runtime, badge, _, _shelves, _ = world
    st = Station(runtime)
    await st.scan(badge)
    held = [st.read("CMD-SHELVE", seq=5), st.read("CMD-VERIFY", seq=6)]
    outs = await record_scans(held, runtime.uow(), runtime.clock, texts=runtime.texts)
    assert [(o.outcome, o.missing) for o in outs] == [
        ("deferred", (2, 4)), ("deferred", None),
    ]  # fmt: skip


async def test_reads_a_station_lost_are_journaled_and_passed_over(world):
    runtime, badge, _, _shelves, _ = world
    st = Station(runtime)
    await st.scan(badge)
    ahead = st.read("CMD-SHELVE", seq=5)
    assert (await st.send(ahead)).outcome == "deferred"
    lost = commands.RecordMissingReads(
        DEVICE, 2, 4, newest=5, received_at=runtime.clock.now()
    )
    await record_missing_reads(lost, runtime.uow(), runtime.clock)
    done = await st.send(ahead)  # no wait: the station said they are gone
    assert (done.outcome, done.code, done.gap) == ("accepted", "mode_set", 0)
    (row,) = await journal("seq_missing")
    assert json.loads(row["body"])["first_seq"] == 2 and row["source"] == "scan"


async def test_seqs_a_station_never_gave_out_are_journaled_and_not_passed_over(world):
    runtime, badge, _, _shelves, _ = world
    st = Station(runtime)
    await st.scan(badge)  # seq 1
    forged = st.read("CMD-SHELVE", seq=1001)
    assert (await st.send(forged)).outcome == "deferred"
    never = commands.RecordMissingReads(
        DEVICE, 2, 1000, newest=1, received_at=runtime.clock.now()
    )
    await record_missing_reads(never, runtime.uow(), runtime.clock)
    assert [r["code"] for r in await journal("seq_never_issued")] == [
        "seq_never_issued"
    ]
    session = await session_of(runtime)
    assert (session.last_seq, session.gap_since) == (1, None)
    st.seq = 1
    nxt = await st.send(st.read("CMD-SHELVE"))  # the station's real next read
    assert (nxt.outcome, nxt.code) == ("accepted", "mode_set")


async def test_a_replayed_read_with_an_old_seq_is_refused_and_leaves_the_session(world):
    runtime, badge, _, shelves, boxes = world
    st = Station(runtime)
    await st.scan(badge, "CMD-SHELVE", shelves[0].barcode)
    before = await session_of(runtime)
    replay = st.read("CMD-VERIFY", seq=2)  # a fresh scan id with an old seq
    out = await st.send(replay)
    assert (out.outcome, out.code) == ("rejected", "stale_seq")
    assert await session_of(runtime) == before
    (row,) = await journal("stale_seq")
    assert row["event_id"] == replay.scan_id
    again = await st.send(replay)
    assert (again.outcome, again.code) == ("duplicate", "stale_seq")
    flags = await fetch(
        current(), "SELECT flags FROM scan_inbox WHERE scan_id = {}", replay.scan_id
    )
    assert [r["flags"] for r in flags] == ["stale"]
    shelved = await st.scan(boxes[0].barcode)  # the station goes on where it was
    assert shelved[0].outcome == "accepted" and len(await movements()) == 1


async def test_a_read_older_than_the_window_is_refused_journaled_and_the_station_goes_on(
    world,
):
    runtime, badge, _, shelves, boxes = world
    st = Station(runtime)
    await st.scan(badge, "CMD-SHELVE", shelves[0].barcode)
    now = runtime.clock.now()
    old = st.read(boxes[0].barcode, scanned_at=now - timedelta(days=31))
    out = await st.send(old)
    assert (out.outcome, out.code) == ("rejected", "scan_too_old")
    assert "30" in out.message
    assert [r["event_id"] for r in await journal("scan_too_old")] == [old.scan_id]
    assert await movements() == []
    session = await session_of(runtime)
    assert (session.last_seq, session.location) == (4, shelves[0].barcode)
    week = timedelta(days=7)
    strict = await st.send(
        st.read(boxes[0].barcode, scanned_at=now - timedelta(days=8)),
        scan_policy=ScanPolicy(max_age=week),
    )
    assert strict.code == "scan_too_old"
    ok = await st.send(st.read(boxes[0].barcode, scanned_at=now - timedelta(days=29)))
    assert ok.outcome == "accepted"
    (moved,) = await movements()
    assert moved["kind"] == "accession"


async def test_missing_read_arriving_fills_the_gap_in_order(world):
    runtime, badge, _, shelves, _ = world
    st = Station(runtime)
    await st.scan(badge)
    second, third = st.read("CMD-SHELVE", seq=2), st.read(shelves[0].barcode, seq=3)
    assert (await st.send(third)).outcome == "deferred"
    assert (await st.send(second)).code == "mode_set"
    assert (await st.send(third)).code == "location_selected"


async def test_the_session_survives_a_restart_mid_workflow(world, database_url, clock):
    runtime, badge, _, shelves, boxes = world
    await Station(runtime).scan(badge, "CMD-SHELVE", shelves[0].barcode)
    from archive_svc import bootstrap
    from archive_svc.config import load_settings

    fresh = bootstrap.build_runtime(
        load_settings(env={"ARCHIVE_DATABASE_URL": database_url}), clock=clock
    )
    st = Station(fresh)
    st.seq = 3
    (out,) = await st.scan(boxes[0].barcode)
    assert out.code == "recorded"
