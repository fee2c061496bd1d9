"""Custody rules through the service layer, on the real engine of this run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from archive_svc.domain import barcodes, chain
from archive_svc.services import ledger
from archive_svc.services.custody import record_movements
from tests import builders as b


async def record(runtime, *moves):
    return await record_movements(
        b.batch(*moves), runtime.uow(), runtime.clock, runtime.policy
    )


async def rejections(runtime):
    from archive_svc.persistence.engine import current
    from archive_svc.persistence.sql import fetch

    return await fetch(
        current(), "SELECT event_id, code, message FROM rejection_journal ORDER BY id"
    )


@pytest.fixture
async def world(runtime):
    await b.people(runtime)
    shelves = await b.storeroom(runtime, shelves=3, capacity_mm=250)
    boxes = await b.items(runtime, "box", 4)
    files = await b.items(runtime, "file", 2, division="africa")
    return runtime, shelves, boxes, files


async def test_accessioned_box_is_found_on_its_shelf_with_the_full_path(world):
    runtime, shelves, boxes, _ = world
    (result,) = await record(
        runtime, b.move(boxes[0].barcode, "accession", shelves[0].barcode)
    )
    assert result.status == "recorded" and result.seq == 1
    view = await runtime.queries.where_is(boxes[0].barcode)
    assert view.location.barcode == shelves[0].barcode
    assert view.chain[0].endswith("Tablette 1")
    assert view.position.state == "in_storage"


async def test_file_in_box_is_located_through_its_box(world):
    runtime, shelves, boxes, files = world
    await record(
        runtime,
        b.move(boxes[0].barcode, "accession", shelves[1].barcode),
        b.move(files[0].barcode, "accession", boxes[0].barcode),
    )
    view = await runtime.queries.where_is(files[0].barcode)
    assert view.chain[0] == boxes[0].barcode
    assert view.location.barcode == shelves[1].barcode


async def test_full_shelf_refuses_a_box_unless_forced_with_a_reason(world):
    runtime, shelves, boxes, _ = world
    first = [b.move(x.barcode, "accession", shelves[0].barcode) for x in boxes[:2]]
    third = b.move(boxes[2].barcode, "accession", shelves[0].barcode)
    results = await record(runtime, *first, third)
    assert [r.status for r in results] == ["recorded", "recorded", "rejected"]
    assert results[2].code == "capacity_exceeded"
    forced = b.move(
        boxes[2].barcode,
        "accession",
        shelves[0].barcode,
        force=True,
        reason="temporary overflow",
    )
    (ok,) = await record(runtime, forced)
    assert ok.status == "recorded" and "forced" in ok.flags
    journal = await rejections(runtime)
    assert [j["code"] for j in journal] == ["capacity_exceeded"]


async def test_file_on_loan_to_one_officer_cannot_be_handed_to_another(world):
    runtime, shelves, _boxes, files = world
    f = files[0].barcode
    await record(runtime, b.move(f, "accession", shelves[0].barcode))
    results = await record(
        runtime,
        b.move(f, "pick", reason="RSN-URGENT"),
        b.move(f, "hand_over", b.OFFICER_A),
        b.move(f, "hand_over", b.OFFICER_B),
    )
    assert [r.status for r in results] == ["recorded", "recorded", "rejected"]
    assert results[2].code == "loan_open"
    (moved,) = await record(
        runtime, b.move(f, "transfer_between_requesters", b.OFFICER_B)
    )
    assert moved.status == "recorded"
    view = await runtime.queries.where_is(f)
    assert (
        view.position.state == "on_loan" and view.position.custodian.id == b.OFFICER_B
    )


async def test_return_then_shelve_brings_the_file_home(world):
    runtime, shelves, _, files = world
    f = files[0].barcode
    await record(
        runtime,
        b.move(f, "accession", shelves[0].barcode),
        b.move(f, "pick", reason="x"),
        b.move(f, "hand_over", b.OFFICER_A),
    )
    (refused,) = await record(runtime, b.move(f, "shelve", shelves[0].barcode))
    assert refused.code == "loan_open"
    results = await record(
        runtime, b.move(f, "return"), b.move(f, "shelve", shelves[0].barcode)
    )
    assert [r.status for r in results] == ["recorded", "recorded"]
    assert (await runtime.queries.where_is(f)).location.barcode == shelves[0].barcode


async def test_destroyed_item_can_never_move_again(world):
    runtime, shelves, boxes, _ = world
    x = boxes[0].barcode
    await record(runtime, b.move(x, "accession", shelves[0].barcode))
    (done,) = await record(runtime, b.move(x, "destroy", reason="visa V-2026-12"))
    assert done.status == "recorded"
    (after,) = await record(runtime, b.move(x, "relocate", shelves[1].barcode))
    assert after.code == "terminal_state"


async def test_envelope_stays_in_its_file_and_moves_with_it(world):
    runtime, shelves, boxes, files = world
    (env,) = await b.items(runtime, "envelope", 1)
    f = files[0].barcode
    await record(
        runtime,
        b.move(f, "accession", shelves[0].barcode),
        b.move(env.barcode, "accession", f),
    )
    (refused,) = await record(
        runtime, b.move(env.barcode, "relocate", shelves[1].barcode)
    )
    assert refused.code == "wrong_kind"
    (in_box,) = await record(runtime, b.move(env.barcode, "relocate", boxes[0].barcode))
    assert in_box.code in {"wrong_kind", "illegal_transition"}
    await record(runtime, b.move(f, "relocate", shelves[2].barcode))
    view = await runtime.queries.where_is(env.barcode)
    assert view.chain[0] == f and view.location.barcode == shelves[2].barcode


async def test_resent_movement_is_a_duplicate_and_different_content_is_a_conflict(
    world,
):
    runtime, shelves, boxes, _ = world
    m = b.move(boxes[0].barcode, "accession", shelves[0].barcode)
    (first,) = await record(runtime, m)
    (again,) = await record(runtime, m)
    assert again.status == "duplicate" and again.seq == first.seq
    other = b.move(boxes[1].barcode, "accession", shelves[0].barcode)
    clash = type(m)(**{**other.__dict__, "event_id": m.event_id})
    (conflict,) = await record(runtime, clash)
    assert conflict.status == "rejected" and conflict.code == "id_conflict"
    assert (await runtime.queries.counts())["movement"] == 1
    assert (await runtime.queries.where_is(boxes[1].barcode)).position is None


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("BX99999999" + barcodes.check_character("BX99999999"), "unknown_barcode"),
        ("BX0000000" + "1Z", "bad_check_character"),
        ("hello", "malformed_barcode"),
    ],
)
async def test_bad_item_barcodes_are_rejected_and_journaled(world, item, expected):
    runtime, shelves, _, _ = world
    (r,) = await record(runtime, b.move(item, "accession", shelves[0].barcode))
    assert (r.status, r.code) == ("rejected", expected)
    assert [j["code"] for j in await rejections(runtime)] == [expected]


async def test_location_barcode_cannot_be_moved_as_an_item(world):
    runtime, shelves, _, _ = world
    (r,) = await record(
        runtime, b.move(shelves[0].barcode, "relocate", shelves[1].barcode)
    )
    assert r.code == "wrong_kind"


async def test_scanned_at_in_the_future_or_garbled_is_rejected(world):
    runtime, shelves, boxes, _ = world
    future = chain.iso(runtime.clock.now() + timedelta(hours=1))
    results = await record(
        runtime,
        b.move(boxes[0].barcode, "accession", shelves[0].barcode, scanned_at=future),
        b.move(
            boxes[1].barcode,
            "accession",
            shelves[0].barcode,
            scanned_at="yesterday-ish",
        ),
    )
    assert [r.code for r in results] == ["future_timestamp", "invalid_timestamp"]


async def test_movement_older_than_the_current_position_is_refused(world):
    runtime, shelves, boxes, _ = world
    x = boxes[0].barcode
    await record(runtime, b.move(x, "accession", shelves[0].barcode))
    past = chain.iso(runtime.clock.now() - timedelta(hours=2))
    (r,) = await record(
        runtime, b.move(x, "relocate", shelves[1].barcode, scanned_at=past)
    )
    assert r.code == "out_of_order"


async def test_verify_at_the_recorded_shelf_passes_and_elsewhere_reports_a_mismatch(
    world,
):
    runtime, shelves, boxes, files = world
    await record(
        runtime,
        b.move(boxes[0].barcode, "accession", shelves[0].barcode),
        b.move(files[0].barcode, "accession", boxes[0].barcode),
    )
    runtime.clock.advance(minutes=5)
    ok = await record(runtime, b.move(files[0].barcode, "verify", shelves[0].barcode))
    wrong = await record(
        runtime, b.move(boxes[0].barcode, "verify", shelves[1].barcode)
    )
    assert ok[0].status == "recorded" and wrong[0].code == "location_mismatch"
    view = await runtime.queries.where_is(files[0].barcode)
    assert view.position.last_verified_at == runtime.clock.now()


async def test_declaring_missing_needs_an_archive_manager(world):
    runtime, shelves, boxes, _ = world
    x = boxes[0].barcode
    await record(runtime, b.move(x, "accession", shelves[0].barcode))
    (agent,) = await record(runtime, b.move(x, "declare_missing", reason="audit 2026"))
    (manager,) = await record(
        runtime, b.move(x, "declare_missing", reason="audit 2026", actor=b.MANAGER)
    )
    assert agent.code == "role_required" and manager.status == "recorded"
    (back,) = await record(runtime, b.move(x, "shelve", shelves[0].barcode))
    assert back.code == "reason_required"
    (found,) = await record(
        runtime, b.move(x, "shelve", shelves[0].barcode, reason="found")
    )
    assert found.status == "recorded"


async def test_batch_over_the_limit_is_refused_whole(world):
    from archive_svc.domain import errors

    runtime, shelves, boxes, _ = world
    moves = [
        b.move(boxes[0].barcode, "verify", shelves[0].barcode)
        for _ in range(runtime.policy.max_batch + 1)
    ]
    with pytest.raises(errors.BatchTooLarge):
        await record(runtime, *moves)


async def test_unknown_actor_and_unknown_kind_are_rejected(world):
    runtime, shelves, boxes, _ = world
    results = await record(
        runtime,
        b.move(boxes[0].barcode, "accession", shelves[0].barcode, actor="nobody"),
        b.move(boxes[0].barcode, "teleport", shelves[0].barcode),
    )
    assert [r.code for r in results] == ["unknown_principal", "unknown_kind"]


async def test_ledger_verifies_and_projection_follows_every_movement(world):
    runtime, shelves, boxes, _files = world
    await record(
        runtime,
        *[
            b.move(x.barcode, "accession", shelves[i % 3].barcode)
            for i, x in enumerate(boxes[:3])
        ],
    )
    await record(runtime, b.move(boxes[0].barcode, "relocate", shelves[2].barcode))
    report = await ledger.verify_ledger(runtime.queries)
    assert report.intact and report.checked == 4
