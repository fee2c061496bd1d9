"""Agents' console pages: decode, call one query or service, render."""

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from archive_svc.access.rules import Action
from archive_svc.api import inputs
from archive_svc.api.auth import Caller
from archive_svc.api.journal import RequestJournal
from archive_svc.api.portals.agents.schemas import RecordForm, Ref
from archive_svc.api.portals.common import PAGE_MAX_BODY, page
from archive_svc.domain import barcodes, commands, errors
from archive_svc.services import custody, ports
from archive_svc.services.custody import LedgerPolicy
from archive_svc.services.ports import AbstractUnitOfWork, Clock

Queries = NamedDependency[ports.Queries]
MANUAL_KINDS = (
    "verify",
    "relocate",
    "shelve",
    "pick",
    "hand_over",
    "return",
    "in_transit",
    "send_to_digitisation",
    "declare_missing",
)


class ConsoleController(Controller):
    path = "/console"
    include_in_schema = False
    opt = {"action": Action.USE_CONSOLE}
    request_max_body_size = PAGE_MAX_BODY

    @get("/")
    async def console(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "agents/index.html", q="")

    @get("/search")
    async def search(
        self,
        request: Request[Any, Any, Any],
        queries: Queries,
        q: Annotated[str, FromQuery, msgspec.Meta(max_length=128)] = "",
    ) -> Template | Redirect:
        """A barcode (item or location), a location code, or the start of a file number."""
        term = q.strip()
        if not term:
            return page(request, "agents/index.html", q="")
        if barcodes.is_valid(term):
            kind, code = barcodes.parse(term)
            if kind is barcodes.Kind.LOCATION:
                return Redirect(f"/console/locations/{code}", status_code=303)
            return Redirect(f"/console/items/{code}", status_code=303)
        if await queries.location_contents(term) is not None:
            return Redirect(f"/console/locations/{term}", status_code=303)
        found = await queries.search_items(term, 50)
        exact = [i for i in found if i.number.upper() == term.upper()]
        if len(found) == 1 or len(exact) == 1:
            match = exact[0] if exact else found[0]
            return Redirect(f"/console/items/{match.barcode}", status_code=303)
        return page(request, "agents/results.html", q=term, items=found)

    @get("/items/{barcode:str}")
    async def item(
        self,
        request: Request[Any, Any, Any],
        barcode: Ref,
        queries: Queries,
        journal: NamedDependency[RequestJournal],
        page_no: inputs.PageNo = 1,
    ) -> Template:
        """Where it is now and its full history (a confidential read: journaled)."""
        code = barcodes.parse(barcode)[1]
        view = await queries.where_is(code)
        if view is None:
            raise errors.UnknownBarcode(code)
        entries, total = await queries.history(view.item.id, (page_no - 1) * 100, 100)
        await journal.read("read_item", code)
        await journal.read("read_history", code)
        return page(
            request,
            "agents/item.html",
            view=view,
            entries=entries,
            labels=await queries.ref_labels(e.to_ref for e in entries),
            total=total,
            page_no=page_no,
            pages=max(1, (total + 99) // 100),
        )

    @get("/locations/{ref:str}")
    async def location(
        self, request: Request[Any, Any, Any], ref: Ref, queries: Queries
    ) -> Template:
        contents = await barcodes.look_up(queries.location_contents, ref)
        if contents is None:
            raise errors.UnknownBarcode(ref.strip())
        return page(request, "agents/location.html", contents=contents)

    @get("/feed")
    async def feed(self, request: Request[Any, Any, Any], queries: Queries) -> Template:
        """The latest movements (the console polls it with HTMX)."""
        moves = await queries.recent_movements(20)
        return page(request, "agents/_feed.html", moves=moves)

    @get("/record")
    async def record_form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "agents/record.html", **_form_context(RecordForm(), None))

    @post("/record", status_code=200)
    async def record(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[RecordForm],
        caller: NamedDependency[Caller],
        uow: NamedDependency[AbstractUnitOfWork],
        clock: NamedDependency[Clock],
        policy: NamedDependency[LedgerPolicy],
    ) -> Template:
        """One manual movement through ``custody.record_movements``; Enter submits."""
        cmd = commands.RecordMovements(
            (
                commands.MovementRequest(
                    event_id=data.event_id or str(uuid.uuid4()),
                    item=data.item,
                    kind=data.kind,
                    to=data.to.strip() or None,
                    actor=caller.id,
                    reason=data.reason,
                    entry_mode="manual",
                ),
            ),
            caller.submitter,
            source="web",
        )
        (result,) = await custody.record_movements(cmd, uow, clock, policy)
        template = (
            "agents/_record.html"
            if request.headers.get("hx-request")
            else "agents/record.html"
        )
        keep = RecordForm(kind=data.kind, to=data.to)
        return page(request, template, **_form_context(keep, result, data.item))


def _form_context(form: RecordForm, result: Any, item: str = "") -> dict[str, Any]:
    return {
        "form": form,
        "kinds": MANUAL_KINDS,
        "result": result,
        "item_typed": item,
        "event_id": str(uuid.uuid4()),
    }
