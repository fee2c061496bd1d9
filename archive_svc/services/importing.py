"""Bulk registration from an inventory CSV: bad rows are reported, the rest lands."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from archive_svc.domain import barcodes, commands, errors
from archive_svc.domain.model import Item, ItemKind, Virtual
from archive_svc.domain.outcomes import Outcome
from archive_svc.interop.tabular import ImportRow, RowError
from archive_svc.services import custody, registry
from archive_svc.services.ports import AbstractUnitOfWork, Clock

CHUNK = 500


@dataclass
class ImportReport:
    registered: int = 0
    placed: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)


async def import_inventory(
    rows: Iterable[ImportRow | RowError | None],
    uow_factory: Callable[[], AbstractUnitOfWork],
    clock: Clock,
    policy: custody.LedgerPolicy,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportReport:
    """Register and place every good row; collect every bad one with its line number."""
    report = ImportReport()
    chunk: list[ImportRow] = []
    for row in rows:
        if row is None:
            report.skipped += 1
        elif isinstance(row, RowError):
            report.errors.append(row)
        else:
            chunk.append(row)
        if len(chunk) >= CHUNK:
            await _import_chunk(chunk, uow_factory, clock, policy, report)
            progress(len(chunk))
            chunk = []
    if chunk:
        await _import_chunk(chunk, uow_factory, clock, policy, report)
        progress(len(chunk))
    report.errors.sort(key=lambda e: e.line)
    return report


async def _import_chunk(
    rows: list[ImportRow],
    uow_factory: Callable[[], AbstractUnitOfWork],
    clock: Clock,
    policy: custody.LedgerPolicy,
    report: ImportReport,
) -> None:
    uow = uow_factory()
    async with uow:
        placed = await _register(rows, uow, report)
        await uow.commit()
    report.registered += len(placed)
    moves = [_accession(row, item) for row, item in placed]
    cmd = commands.RecordMovements(
        tuple(m for m in moves), commands.Submitter.operator("import"), "import"
    )
    results = await custody.record_movements(cmd, uow_factory(), clock, policy)
    for (row, item), result in zip(placed, results, strict=True):
        if result.status is Outcome.REJECTED:
            report.errors.append(
                RowError(
                    row.line,
                    f"{item.barcode} registered but not placed: {result.message}",
                )
            )
        else:
            report.placed += 1


async def _register(
    rows: list[ImportRow], uow: AbstractUnitOfWork, report: ImportReport
) -> list[tuple[ImportRow, Item]]:
    items: list[tuple[ImportRow, Item]] = []
    for row in rows:
        try:
            items.append((row, _item(row)))
        except errors.DomainError as exc:
            report.errors.append(RowError(row.line, exc.message))
    known = await uow.items.by_barcodes(i.barcode for _, i in items if i.barcode)
    unique: list[tuple[ImportRow, Item]] = []
    seen: set[str] = set()
    for row, item in items:
        if item.barcode and (item.barcode in known or item.barcode in seen):
            report.errors.append(
                RowError(row.line, f"{item.barcode} is already registered")
            )
            continue
        seen.add(item.barcode)
        unique.append((row, item))
    unique = await _allocate(unique, uow)
    await uow.items.add_many([i for _, i in unique])
    return unique


def _item(row: ImportRow) -> Item:
    kind = ItemKind(row.item.kind)
    if row.item.barcode:
        barcode = barcodes.parse(row.item.barcode)[1]
    elif kind is ItemKind.FILE:
        barcode = barcodes.file_barcode(row.item.number)
    else:
        barcode = ""
    return Item(
        registry.new_id(),
        barcode,
        kind,
        row.item.number,
        row.item.width_mm,
        None,
        None,
        row.item.division,
    )


async def _allocate(
    rows: list[tuple[ImportRow, Item]], uow: AbstractUnitOfWork
) -> list[tuple[ImportRow, Item]]:
    out = []
    for kind, prefix in (
        (ItemKind.BOX, barcodes.Kind.BOX),
        (ItemKind.ENVELOPE, barcodes.Kind.ENVELOPE),
    ):
        need = [
            i
            for i, (_, item) in enumerate(rows)
            if not item.barcode and item.kind is kind
        ]
        codes = (
            iter(await registry.allocate_barcodes(uow, prefix, len(need)))
            if need
            else iter(())
        )
        for index in need:
            row, item = rows[index]
            rows[index] = (row, replace(item, barcode=next(codes)))
    out = rows
    return out


def _accession(row: ImportRow, item: Item) -> commands.MovementRequest:
    target = row.container or row.location or Virtual.INTAKE.value
    return commands.MovementRequest(
        event_id=str(uuid.uuid4()),
        item=item.barcode,
        kind="accession",
        to=target,
        actor=registry.SYSTEM_PRINCIPAL,
        entry_mode="batch",
        reason="inventory import",
    )
