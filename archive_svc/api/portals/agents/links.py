"""References as names with links: ``person:x``, ``location:<id>``, ``container:<id>``.

Movements and positions name places, boxes and people by reference; pages show
the place's cote (or the name of a virtual place), the box's number and the
person's name, each linked to its page.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from urllib.parse import quote

from archive_svc.api import i18n, vocabulary
from archive_svc.domain.model import Location
from archive_svc.services import ports


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def person_url(person_id: str) -> str:
    return "/console/people/" + quote(person_id, safe="")


def location_url(code: str) -> str:
    return "/console/locations/" + quote(code, safe="")


def item_url(barcode: str) -> str:
    return "/console/items/" + quote(barcode, safe="")


async def ref_links(
    refs: Iterable[str | None], queries: ports.Queries
) -> dict[str, Link]:
    """Every ``kind:id`` reference (and bare person id) as a name and a page."""
    wanted = {r for r in refs if r}
    codes = await queries.ref_labels(wanted)
    people = {r.partition(":")[2] if ":" in r else r for r in wanted}
    names = await queries.principals(people)
    boxes = await queries.items_by_ids(
        r.partition(":")[2] for r in wanted if r.startswith("container:")
    )
    links: dict[str, Link] = {}
    for ref in wanted:
        kind, _, ident = ref.partition(":")
        if not ident:
            kind, ident = "person", ref
        if ref in codes and kind == "location":
            code = codes[ref]
            links[ref] = Link(vocabulary.place(code), location_url(code))
        elif ref in codes and kind == "container":
            box = boxes.get(ident)
            label = (
                f"{vocabulary.label('item_kind', box.kind)} {box.number}" if box else ""
            )
            links[ref] = Link(label or codes[ref], item_url(codes[ref]))
        elif ident in names:
            links[ref] = Link(names[ident].display_name, person_url(ident))
    return links


def breadcrumb(lineage: list[Location]) -> list[Link]:
    """The path from the site down, each step linked (virtual places named)."""
    return [Link(vocabulary.place(loc.code), location_url(loc.code)) for loc in lineage]


def paris_day_start(now: datetime) -> datetime:
    """Midnight, Paris time, of the day ``now`` falls in (as an aware UTC time)."""
    local = i18n.paris(now)
    return datetime.combine(local.date(), time(), local.tzinfo).astimezone(UTC)


def pages(total: int, per_page: int) -> int:
    return max(1, (total + per_page - 1) // per_page)
