"""The console's read models on the engine of this run: the day's figures, what is
out and who holds it, totals rolled up from shelves, completions."""

from __future__ import annotations

from datetime import timedelta

from archive_svc.demo import seeding
from archive_svc.domain.model import Location
from archive_svc.persistence.console_queries import PiccoloConsoleQueries
from archive_svc.services import custody
from archive_svc.services.ports import console as console_views
from archive_svc.services.ports.scans import ScanRecord
from tests import builders

PLAN = seeding.SeedPlan(storerooms=1, shelves=4, boxes=6, files=18, envelope_every=0)


async def _seeded(runtime):  # type: ignore[no-untyped-def]
    result = await seeding.seed(PLAN, runtime.uow, runtime.clock, runtime.policy)
    people = {p.id: p for p in result.people}
    return people, runtime.console  # the seeded people, the read models


async def _record(runtime, *moves) -> None:  # type: ignore[no-untyped-def]
    results = await custody.record_movements(
        builders.batch(*moves), runtime.uow(), runtime.clock, runtime.policy
    )
    assert [r.status for r in results] == ["recorded"] * len(moves), results


async def _files(console) -> list:  # type: ignore[no-untyped-def]
    return await console.find_items("20", 50)


async def test_what_is_out_comes_oldest_first_with_its_holder(runtime):
    _, console = await _seeded(runtime)
    first, second = [f for f in await _files(console) if f.kind == "file"][:2]
    await _record(
        runtime,
        builders.move(first.barcode, "pick", actor="agent.martin", reason="urgent"),
        builders.move(
            first.barcode, "hand_over", "officer.nguyen", actor="agent.martin"
        ),
    )
    runtime.clock.advance(days=40)
    await _record(
        runtime,
        builders.move(
            second.barcode, "in_transit", "Site de Rosny", actor="agent.martin"
        ),
    )
    runtime.clock.advance(hours=2)
    now = runtime.clock.now()

    lines, total = await console.out_of_stores(0, 10)
    assert total == 2
    assert [(ln.item.barcode, ln.holder_kind, ln.holder_label) for ln in lines] == [
        (first.barcode, "person", "Linh Nguyen"),
        (second.barcode, "location", "TRANSIT"),
    ]
    held = await console.held_by("officer.nguyen")
    assert [h.item.barcode for h in held] == [first.barcode]
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    figures = await console.day_figures(day, now, now - console_views.LOAN_PERIOD)
    assert (figures.movements_today, figures.out, figures.overdue) == (1, 2, 1)
    assert figures.stations == ()


async def test_a_storeroom_adds_up_its_shelves(runtime):
    _, console = await _seeded(runtime)
    storeroom = (await runtime.queries.location_lineage("M1"))[-1]
    shelves = await runtime.queries.locations_under("M1", "shelf")
    per_shelf = [await console.totals(s) for s in shelves]
    total = await console.totals(storeroom)
    assert (total.shelves, total.boxes, total.files) == (4, 6, 18)
    assert total.used_mm == sum(t.used_mm for t in per_shelf) == 6 * 100
    assert total.capacity_mm == sum(s.capacity_mm or 0 for s in shelves)
    assert 0 < total.fill < 1 and total.free_mm == total.capacity_mm - total.used_mm


async def test_a_box_lists_its_files_page_by_page(runtime):
    _, console = await _seeded(runtime)
    box = (await console.find_items("B-000001", 1))[0]
    first = await console.held_in(box.id, 0, 2)
    rest = await console.held_in(box.id, 2, 50)
    assert first.total == rest.total == len(first.lines) + len(rest.lines) == 3
    assert {ln.item.kind for ln in first.lines + rest.lines} == {"file"}
    shelf = (await runtime.queries.where_is(box.barcode)).location
    on_shelf = await console.held_in(shelf.id, 0, 50)
    assert [ln.contains for ln in on_shelf.lines if ln.item.id == box.id] == [3]


async def test_a_number_typed_without_its_dash_finds_the_file(runtime):
    _, console = await _seeded(runtime)
    a_file = next(f for f in await _files(console) if f.kind == "file")
    found = await console.find_items(a_file.number.replace("-", ""), 5)
    assert a_file.barcode in [f.barcode for f in found]


async def test_people_are_found_by_name_or_id_and_completions_mix_kinds(runtime):
    _, console = await _seeded(runtime)
    assert [p.id for p in await console.find_people("nguy", 5)] == ["officer.nguyen"]
    assert [p.id for p in await console.find_people("Aminata", 5)] == ["officer.diallo"]
    assert {s.kind for s in await console.suggest("M1-E01", 20)} == {"location"}
    boxes = await console.suggest("B-00000", 20)
    assert {s.kind for s in boxes} == {"box"} and len(boxes) == 6
    assert [s.value for s in await console.suggest("officer.n", 5)] == [
        "officer.nguyen"
    ]


async def test_a_discrepancy_stays_pending_until_the_item_moves(runtime):
    _, console = await _seeded(runtime)
    box = (await console.find_items("B-000002", 1))[0]
    shelves = await runtime.queries.locations_under("M1", "shelf")
    runtime.clock.advance(minutes=5)
    uow = runtime.uow()
    async with uow:
        await uow.scans.add(
            ScanRecord(
                scan_id=builders.uid(),
                device_id="st-1",
                device_seq=1,
                code=box.barcode,
                aim=None,
                source="scan",
                scanned_at=None,
                received_at=runtime.clock.now(),
                outcome="rejected",
                reason_code="location_mismatch",
                message="elsewhere",
                movement_event_id=None,
            )
        )
        await uow.commit()
    now = runtime.clock.now()
    figures = await console.day_figures(now - timedelta(days=1), now, now)
    assert figures.discrepancies == 1
    assert [(s.device_id, s.last_code, s.last_reason) for s in figures.stations] == [
        ("st-1", box.barcode, "location_mismatch")
    ]
    here = (await runtime.queries.where_is(box.barcode)).location
    other = next(s for s in shelves if s.id != here.id)
    runtime.clock.advance(minutes=1)
    await _record(
        runtime,
        builders.move(box.barcode, "relocate", other.code, actor="agent.martin"),
    )
    later = runtime.clock.now() + timedelta(hours=2)
    assert (await console.day_figures(later, later, later)).discrepancies == 0
    assert isinstance(console, PiccoloConsoleQueries)
    assert isinstance(here, Location)
