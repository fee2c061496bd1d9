"""Explicit conversions between API structs and commands / read models."""

from archive_svc.api.json import schemas as s
from archive_svc.domain import chain, commands, events
from archive_svc.domain.model import Location
from archive_svc.services.ports import custody as ports


def record_command(
    data: s.MovementBatch, submitter: commands.Submitter
) -> commands.RecordMovements:
    movements = tuple(
        commands.MovementRequest(
            event_id=m.id,
            item=m.item,
            kind=m.kind,
            to=m.to,
            actor=m.actor,
            device_id=m.device_id,
            device_seq=m.device_seq,
            scanned_at=m.scanned_at,
            reason=m.reason,
            force=m.force,
            request_id=m.request_id,
            task_ref=m.task_ref,
            payload=m.payload,
            entry_mode=m.entry_mode,
        )
        for m in data.movements
    )
    return commands.RecordMovements(movements, submitter, source="api")


def batch_result(results: list[events.MovementResult]) -> s.MovementBatchResult:
    out = [
        s.MovementResultOut(r.id, r.status, r.code, r.message, r.seq, list(r.flags))  # type: ignore[arg-type]
        for r in results
    ]
    count = {
        k: sum(1 for r in results if r.status == k)
        for k in ("recorded", "duplicate", "rejected")
    }
    return s.MovementBatchResult(
        out, count["recorded"], count["duplicate"], count["rejected"]
    )


def location_out(loc: Location) -> s.LocationOut:
    return s.LocationOut(
        loc.barcode,
        loc.code,
        loc.kind.value,
        loc.path,
        loc.capacity_mm,
        loc.neutralised,
    )


def item_out(view: ports.ItemView) -> s.ItemOut:
    pos = view.position
    loc = view.location
    return s.ItemOut(
        barcode=view.item.barcode,
        kind=view.item.kind.value,
        number=view.item.number,
        division=view.item.division,
        width_mm=view.item.width_mm,
        state=pos.state.value if pos else None,
        custodian=s.CustodianOut(
            pos.custodian.kind.value, pos.custodian.id, pos.custodian.label
        )
        if pos
        else None,
        location=s.LocationRef(loc.barcode, loc.code, loc.kind.value, loc.path)
        if loc
        else None,
        chain=list(view.chain),
        since=pos.since if pos else None,
        last_verified_at=pos.last_verified_at if pos else None,
        movement=s.LastMovement(pos.last_seq, view.movement_kind, pos.event_id)
        if pos
        else None,
    )


def history_entry(e: chain.LedgerEntry) -> s.HistoryEntry:
    return s.HistoryEntry(
        e.seq,
        e.event_id,
        e.kind,
        e.from_ref,
        e.to_ref,
        e.actor_ref,
        e.device_id,
        e.effective_at,
        e.recorded_at,
        e.time_source,
        e.entry_mode,
        e.reason,
        e.hash,
    )


def contents_out(c: ports.LocationContents) -> s.LocationContentsOut:
    return s.LocationContentsOut(
        location=location_out(c.location),
        occupied_mm=c.occupied_mm,
        free_mm=c.free_mm,
        items=[
            s.ContentOut(
                line.item.barcode,
                line.item.kind.value,
                line.item.number,
                line.state,
                line.since,
            )
            for line in c.items
        ],
        children=[location_out(child) for child in c.children],
    )


def item_command(data: s.ItemCreate) -> commands.RegisterItem:
    return commands.RegisterItem(
        data.kind, data.number, data.division, data.width_mm, data.barcode
    )


def location_command(data: s.LocationCreate) -> commands.RegisterLocation:
    return commands.RegisterLocation(
        data.kind, data.code, data.name, data.parent, data.capacity_mm, data.walk_order
    )
