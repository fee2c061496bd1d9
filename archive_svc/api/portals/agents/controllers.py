"""Agents' console pages: decode, call one query or service, render."""

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from archive_svc.access.rules import Action
from archive_svc.api import inputs
from archive_svc.api.journal import RequestJournal
from archive_svc.api.portals.agents import links
from archive_svc.api.portals.agents.schemas import Ref
from archive_svc.api.portals.common import PAGE_MAX_BODY, page
from archive_svc.domain import barcodes, errors
from archive_svc.domain.model import Item, ItemKind
from archive_svc.services import ports
from archive_svc.services.ports import Clock
from archive_svc.services.ports import console as views

Queries = NamedDependency[ports.Queries]
Console = NamedDependency[views.ConsoleQueries]
Now = NamedDependency[Clock]
PageNo = inputs.PageNo
PER_PAGE = 50


class ConsoleController(Controller):
    path = "/console"
    include_in_schema = False
    opt = {"action": Action.USE_CONSOLE}
    request_max_body_size = PAGE_MAX_BODY

    @get("/")
    async def console(
        self, request: Request[Any, Any, Any], console: Console, clock: Now
    ) -> Template:
        """The day's work: figures, stations heard from, the latest movements."""
        now = clock.now()
        figures = await console.day_figures(
            links.paris_day_start(now), now, now - views.LOAN_PERIOD
        )
        return page(
            request,
            "agents/index.html",
            q="",
            figures=figures,
            now=now,
            loan_days=views.LOAN_PERIOD.days,
        )

    @get("/search")
    async def search(
        self,
        request: Request[Any, Any, Any],
        queries: Queries,
        console: Console,
        q: Annotated[str, FromQuery, msgspec.Meta(max_length=128)] = "",
    ) -> Template | Redirect:
        """A barcode, a cote, a file or box number (dash optional), or a person."""
        term = q.strip()
        if not term:
            return Redirect("/console/", status_code=303)
        if barcodes.is_valid(term):
            kind, code = barcodes.parse(term)
            if kind is barcodes.Kind.LOCATION:
                return Redirect(links.location_url(code), status_code=303)
            return Redirect(links.item_url(code), status_code=303)
        lineage = await queries.location_lineage(term)
        if lineage:
            return Redirect(links.location_url(lineage[-1].code), status_code=303)
        items = await console.find_items(term, PER_PAGE)
        people = await console.find_people(term, 20)
        bare = barcodes.normalise(term)
        exact = [i for i in items if barcodes.normalise(i.number) == bare]
        if len(exact) == 1 or (len(items) == 1 and not people):
            match = exact[0] if len(exact) == 1 else items[0]
            return Redirect(links.item_url(match.barcode), status_code=303)
        if len(people) == 1 and not items:
            return Redirect(links.person_url(people[0].id), status_code=303)
        return page(request, "agents/results.html", q=term, items=items, people=people)

    @get("/items/{barcode:str}")
    async def item(
        self,
        request: Request[Any, Any, Any],
        queries: Queries,
        console: Console,
        clock: Now,
        barcode: Ref,
        journal: NamedDependency[RequestJournal],
        page_no: PageNo = 1,
    ) -> Template:
        """Where it is, what it holds (a box's files), its history (journaled)."""
        code = barcodes.parse(barcode)[1]
        view = await queries.where_is(code)
        if view is None:
            raise errors.UnknownBarcode(code)
        entries, total = await queries.history(view.item.id, (page_no - 1) * 100, 100)
        held = None
        if view.item.kind is not ItemKind.ENVELOPE:
            held = await console.held_in(
                view.item.id, (page_no - 1) * PER_PAGE, PER_PAGE
            )
        await journal.read("read_item", code)
        await journal.read("read_history", code)
        refs = [e.to_ref for e in entries] + [e.from_ref for e in entries]
        refs += [e.actor_ref for e in entries]
        if view.position is not None:
            refs.append(view.position.custodian.ref)
        home = _home_ref(view.item)
        refs.append(home)
        lineage = (
            await queries.location_lineage(view.location.code) if view.location else []
        )
        return page(
            request,
            "agents/item.html",
            view=view,
            entries=entries,
            refs=await links.ref_links(refs, queries),
            crumbs=links.breadcrumb(lineage),
            held=held,
            home=home,
            total=total,
            page_no=page_no,
            pages=links.pages(max(total, held.total if held else 0), 100),
            now=clock.now(),
        )

    @get("/locations/{ref:str}")
    async def location(
        self,
        request: Request[Any, Any, Any],
        queries: Queries,
        console: Console,
        ref: Ref,
        page_no: PageNo = 1,
    ) -> Template:
        """Its cote, its path, its totals rolled up from its shelves, what it holds."""
        lineage = await queries.location_lineage(ref.strip())
        if not lineage and barcodes.is_valid(ref):
            lineage = await queries.location_lineage(barcodes.normalise(ref))
        if not lineage:
            raise errors.UnknownBarcode(ref.strip())
        location = lineage[-1]
        held = await console.held_in(location.id, (page_no - 1) * PER_PAGE, PER_PAGE)
        return page(
            request,
            "agents/location.html",
            location=location,
            crumbs=links.breadcrumb(lineage[:-1]),
            totals=await console.totals(location),
            children=[
                (child, await console.totals(child))
                for child in await console.children(location.id)
            ],
            held=held,
            page_no=page_no,
            pages=links.pages(held.total, PER_PAGE),
        )

    @get("/people/{person_id:str}")
    async def person(
        self,
        request: Request[Any, Any, Any],
        queries: Queries,
        console: Console,
        clock: Now,
        person_id: Ref,
    ) -> Template:
        """Who they are and what they hold, since when."""
        found = (await queries.principals([person_id])).get(person_id)
        if found is None:
            raise errors.UnknownPrincipal(person_id)
        return page(
            request,
            "agents/person.html",
            who=found,
            held=await console.held_by(found.id),
            now=clock.now(),
        )

    @get("/out")
    async def out(
        self,
        request: Request[Any, Any, Any],
        console: Console,
        clock: Now,
        page_no: PageNo = 1,
    ) -> Template:
        """Everything out of the stores, oldest first, with how long it has been out."""
        lines, total = await console.out_of_stores((page_no - 1) * PER_PAGE, PER_PAGE)
        now = clock.now()
        return page(
            request,
            "agents/out.html",
            lines=lines,
            total=total,
            page_no=page_no,
            pages=links.pages(total, PER_PAGE),
            now=now,
            overdue_before=now - views.LOAN_PERIOD,
            loan_days=views.LOAN_PERIOD.days,
        )

    @get("/feed")
    async def feed(
        self, request: Request[Any, Any, Any], queries: Queries, clock: Now
    ) -> Template:
        """The latest movements (the console polls it with HTMX)."""
        moves = await queries.recent_movements(20)
        wanted = [m.actor_ref for m in moves] + [m.to_ref for m in moves]
        refs = await links.ref_links(wanted, queries)
        return page(
            request,
            "agents/_feed.html",
            moves=moves,
            refs=refs,
            now=clock.now(),
        )


def _home_ref(item: Item) -> str | None:
    """The place an item belongs (its cote): a shelf for a box, a box for a file."""
    if item.home_location_id:
        return f"location:{item.home_location_id}"
    if item.home_container_id:
        return f"container:{item.home_container_id}"
    return None
