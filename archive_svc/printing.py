"""Read models -> label specs -> PDF bytes (used by the API and the CLI).

A selection is either explicit barcodes (as ``export inventory`` prints them) or a
query: ``contents:<location or box>`` (what it holds now) or ``shelves:<location>``
(every shelf below it, in walk order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import labels
from archive_svc.domain import barcodes, errors
from archive_svc.domain.model import Item, ItemKind, Location
from archive_svc.services.ports import CustodyQueries

KINDS = ("location", "box", "file", "envelope", "command", "badge")
_ITEM_KIND = {"box": ItemKind.BOX, "file": ItemKind.FILE, "envelope": ItemKind.ENVELOPE}


class SelectionError(errors.InvalidInput):
    code = "invalid_selection"


@dataclass(frozen=True)
class PrintJob:
    kind: str
    layout: str
    codes: tuple[str, ...] = ()
    query: str | None = None
    start: int = 1
    lang: str = "fr"


async def render(job: PrintJob, queries: CustodyQueries) -> labels.RenderResult:
    """Resolve the selection, build specs and render the sheet."""
    if job.kind not in KINDS:
        raise SelectionError(
            f"unknown label kind {job.kind!r}; valid: {', '.join(KINDS)}"
        )
    labels.get_layout(job.layout)
    specs = await _specs(job, queries)
    if not specs:
        raise SelectionError("the selection is empty: nothing to print")
    return labels.render_label_sheet(specs, job.layout, start=job.start, lang=job.lang)


async def _specs(job: PrintJob, queries: CustodyQueries) -> Sequence[labels.LabelSpec]:
    if job.kind == "command":
        return labels.command_sheet_specs()
    codes = list(job.codes)
    if job.query:
        codes += await _query(job.query, job.kind, queries)
    if job.kind == "badge":
        return await _badges(codes, queries)
    if job.kind == "location":
        return [_location_label(await _location(code, queries)) for code in codes]
    return [await _item_label(code, job.kind, queries) for code in codes]


async def _query(query: str, kind: str, queries: CustodyQueries) -> list[str]:
    verb, _, arg = query.partition(":")
    if verb == "shelves" and arg:
        return [loc.barcode for loc in await queries.locations_under(arg, "shelf")]
    if verb == "contents" and arg:
        contents = await queries.location_contents(arg)
        if contents is not None:
            return [
                line.item.barcode
                for line in contents.items
                if line.item.kind.value == kind
            ]
        view = await queries.where_is(barcodes.normalise(arg))
        if view is None:
            raise errors.UnknownBarcode(arg)
        return [
            i.barcode
            for i in await queries.container_contents(view.item.id)
            if i.kind.value == kind
        ]
    raise SelectionError(
        f"query {query!r}: use contents:<location or box> or shelves:<location>"
    )


async def _location(code: str, queries: CustodyQueries) -> Location:
    contents = await queries.location_contents(code.strip())
    if contents is None:
        contents = await queries.location_contents(barcodes.normalise(code))
    if contents is None:
        raise errors.UnknownBarcode(code)
    return contents.location


def short_path(path: str, levels: int = 4) -> str:
    """The storeroom-level end of a location path (site and building are implied)."""
    return " > ".join(path.split(" > ")[-levels:])


def _location_label(location: Location) -> labels.LocationLabel:
    return labels.LocationLabel(
        location.barcode, location.code, short_path(location.path), location.kind.value
    )


async def _item_label(
    code: str, kind: str, queries: CustodyQueries
) -> labels.LabelSpec:
    view = await queries.where_is(barcodes.parse(code)[1])
    if view is None:
        raise errors.UnknownBarcode(code)
    item = view.item
    if item.kind is not _ITEM_KIND[kind]:
        raise errors.WrongKind(f"{item.barcode} is a {item.kind.value}, not a {kind}")
    if item.kind is ItemKind.FILE:
        return labels.FileLabel(item.barcode, item.number, item.division)
    if item.kind is ItemKind.BOX:
        return await _box_label(item, view.location, queries)
    parent = view.position.custodian.id if view.position else None
    owner = (await queries.items_by_ids([parent])).get(parent) if parent else None
    return labels.EnvelopeLabel(
        item.barcode, owner.number if owner else "", item.number, "documents originaux"
    )


async def _box_label(
    item: Item, location: Location | None, queries: CustodyQueries
) -> labels.BoxLabel:
    files = [
        i.number
        for i in await queries.container_contents(item.id)
        if i.kind is ItemKind.FILE
    ]
    path = short_path(location.path) if location else ""
    return labels.BoxLabel(
        item.barcode,
        item.number,
        path,
        first_file=min(files, default=""),
        last_file=max(files, default=""),
    )


async def _badges(
    codes: Sequence[str], queries: CustodyQueries
) -> list[labels.LabelSpec]:
    people = await queries.principals(
        [c.strip() for c in codes] + [barcodes.normalise(c) for c in codes]
    )
    specs: list[labels.LabelSpec] = []
    for code in codes:
        person = people.get(code.strip()) or people.get(barcodes.normalise(code))
        if person is None or not person.badge_barcode:
            raise errors.UnknownPrincipal(f"{code!r} is not a person with a badge")
        specs.append(
            labels.BadgeLabel(
                person.badge_barcode,
                person.display_name,
                ", ".join(sorted(person.roles)),
                person.unit,
            )
        )
    return specs
