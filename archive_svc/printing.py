"""Read models -> label specs -> PDF bytes (used by the API and the CLI).

A selection is either explicit barcodes (as ``export inventory`` prints them) or a
query:

- ``contents:<location or box>`` — what it holds now (for a storeroom, range or bay:
  what its shelves hold, shelf by shelf in walk order);
- ``shelves:<location>`` — every shelf below it, in walk order;
- ``range:<first shelf>..<last shelf>`` — the shelves between two shelves (inclusive,
  in walk order; either end may come first);
- ``accessions:<YYYY-MM-DD>[..<YYYY-MM-DD>]`` — items accessioned from that day on
  (up to and including the second day), by barcode; days are Paris days.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import labels
from archive_svc.domain import barcodes, errors
from archive_svc.domain.model import Item, ItemKind, Location
from archive_svc.services.ports import Queries

KINDS = ("location", "box", "file", "envelope", "command", "badge")
MAX_LABELS = 5000
"""Largest selection one print job resolves (a bigger one is refused, not cut)."""
ARCHIVE_TZ = ZoneInfo("Europe/Paris")
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)
"""Days an accession query may name (Python dates and stored timestamps end at 9999)."""
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


async def render(job: PrintJob, queries: Queries) -> labels.RenderResult:
    """Resolve the selection, build specs and render the sheet."""
    if job.kind not in KINDS:
        raise SelectionError(
            f"unknown label kind {job.kind!r}; valid: {', '.join(KINDS)}",
            reason="unknown_kind",
        )
    labels.get_layout(job.layout)
    specs = await _specs(job, queries)
    if not specs:
        raise SelectionError("the selection is empty: nothing to print", reason="empty")
    return labels.render_label_sheet(specs, job.layout, start=job.start, lang=job.lang)


async def _specs(job: PrintJob, queries: Queries) -> Sequence[labels.LabelSpec]:
    if job.kind == "command":
        return labels.command_sheet_specs()
    codes = list(job.codes)
    if job.query:
        codes += await _query(job.query, job.kind, queries)
    if len(codes) > MAX_LABELS:
        raise SelectionError(
            f"the selection holds more than {MAX_LABELS} labels: narrow it down",
            reason="too_many",
            value=str(MAX_LABELS),
        )
    if job.kind == "badge":
        return await _badges(codes, queries)
    if job.kind == "location":
        return [_location_label(await _location(code, queries)) for code in codes]
    return [await _item_label(code, job.kind, queries) for code in codes]


async def _query(query: str, kind: str, queries: Queries) -> list[str]:
    verb, _, arg = query.partition(":")
    if verb == "shelves" and arg:
        return [loc.barcode for loc in await queries.locations_under(arg, "shelf")]
    if verb == "contents" and arg:
        contents = await queries.location_contents(arg)
        if contents is not None:
            held = [contents]
            if contents.children:  # a bay, a range, a storeroom: its shelves too
                for shelf in await queries.locations_under(arg, "shelf"):
                    below = await queries.location_contents(shelf.barcode)
                    held += [below] if below is not None else []
            return [
                line.item.barcode
                for place in held
                for line in place.items
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
    if verb == "range" and ".." in arg:
        first, _, last = arg.partition("..")
        return [loc.barcode for loc in await shelf_range(first, last, queries)]
    if verb == "accessions" and arg and kind in _ITEM_KIND:
        since, until = day_span(arg)
        found = await queries.accessions(since, until, kind, MAX_LABELS + 1)
        return [i.barcode for i in found]
    raise SelectionError(
        f"query {query!r}: use contents:<location or box>, shelves:<location>,"
        " range:<first shelf>..<last shelf> or accessions:<YYYY-MM-DD>[..<YYYY-MM-DD>]"
        " (box, file or envelope labels)",
        reason="bad_query",
    )


def _lineage(queries: Queries) -> Callable[[str], Awaitable[list[Location] | None]]:
    async def lineage(ref: str) -> list[Location] | None:
        return await queries.location_lineage(ref) or None

    return lineage


async def shelf_range(first: str, last: str, queries: Queries) -> list[Location]:
    """The shelves from ``first`` to ``last`` in walk order, both included."""
    ends = []
    for ref in (first.strip(), last.strip()):
        lineage = await barcodes.look_up(_lineage(queries), ref)
        if not lineage:
            raise errors.UnknownBarcode(ref)
        if not lineage[-1].is_shelf:
            raise SelectionError(
                f"{ref} is a {lineage[-1].kind.value}, not a shelf",
                reason="not_a_shelf",
                value=ref,
            )
        ends.append(lineage)
    common = [a for a, b in zip(*ends, strict=False) if a.id == b.id]
    if not common:
        raise SelectionError(
            f"{first} and {last} are not in the same site", reason="different_sites"
        )
    shelves = await queries.locations_under(common[-1].barcode, "shelf")
    index = {loc.id: n for n, loc in enumerate(shelves)}
    low, high = sorted(index[lineage[-1].id] for lineage in ends)
    return shelves[low : high + 1]


def day_span(text: str) -> tuple[datetime, datetime]:
    """``YYYY-MM-DD[..YYYY-MM-DD]`` as a half-open interval of Paris days."""
    start_text, _, end_text = text.partition("..")
    try:
        start = date.fromisoformat(start_text.strip())
        end = date.fromisoformat(end_text.strip()) if end_text else None
    except ValueError:
        raise SelectionError(
            f"{text!r} is not a day or a span of days (YYYY-MM-DD[..YYYY-MM-DD])",
            reason="bad_day",
            value=text,
        ) from None
    if end is not None and end < start:
        raise SelectionError(
            f"{text!r}: the span ends before it starts", reason="span_reversed"
        )
    if (
        not FIRST_DAY <= start <= LAST_DAY
        or not FIRST_DAY <= (end or start) <= LAST_DAY
    ):
        raise SelectionError(
            f"{text!r}: days from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}",
            reason="day_range",
            value=f"{FIRST_DAY.isoformat()} / {LAST_DAY.isoformat()}",
        )
    since = datetime.combine(start, time(), ARCHIVE_TZ)
    until = (
        datetime.combine(end + timedelta(days=1), time(), ARCHIVE_TZ)
        if end is not None
        else datetime(9999, 1, 1, tzinfo=UTC)
    )
    # Stored timestamps are UTC (SQLite compares them as text): query in UTC too.
    return since.astimezone(UTC), until.astimezone(UTC)


async def _location(code: str, queries: Queries) -> Location:
    contents = await barcodes.look_up(queries.location_contents, code)
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


async def _item_label(code: str, kind: str, queries: Queries) -> labels.LabelSpec:
    view = await queries.where_is(barcodes.parse(code)[1])
    if view is None:
        raise errors.UnknownBarcode(code)
    item = view.item
    if item.kind is not _ITEM_KIND[kind]:
        raise errors.WrongKind(
            f"{item.barcode} is a {item.kind.value}, not a {kind}",
            reason="label_kind",
            value=item.barcode,
        )
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
    item: Item, location: Location | None, queries: Queries
) -> labels.BoxLabel:
    files = [
        i.number
        for i in await queries.container_contents(item.id)
        if i.kind is ItemKind.FILE
    ]
    home = await _home(item, queries) or location
    path = f"{home.code} · {short_path(home.path, 2)}" if home else ""
    return labels.BoxLabel(
        item.barcode,
        item.number,
        path,
        first_file=min(files, default=""),
        last_file=max(files, default=""),
    )


async def _home(item: Item, queries: Queries) -> Location | None:
    """The shelf a box belongs on (its cote), wherever it is now."""
    if item.home_location_id is None:
        return None
    ref = f"location:{item.home_location_id}"
    code = (await queries.ref_labels([ref])).get(ref)
    lineage = await queries.location_lineage(code) if code else []
    return lineage[-1] if lineage else None


async def _badges(codes: Sequence[str], queries: Queries) -> list[labels.LabelSpec]:
    people = await queries.principals(k for c in codes for k in barcodes.lookup_keys(c))
    specs: list[labels.LabelSpec] = []
    for code in codes:
        person = barcodes.find(people, code)
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
