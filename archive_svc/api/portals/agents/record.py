"""The record form: one manual movement, Enter submits, the form keeps its mode.

A box or file number typed instead of a barcode is looked up; a verification
without a destination verifies the item where it is recorded; the destination
field completes cotes, boxes and people as one types (``/console/suggest``).
"""

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Template

from archive_svc.access.rules import Action
from archive_svc.api import vocabulary
from archive_svc.api.auth import Caller
from archive_svc.api.i18n import N_
from archive_svc.api.portals.agents import links
from archive_svc.api.portals.agents.schemas import RecordForm
from archive_svc.api.portals.common import PAGE_MAX_BODY, page
from archive_svc.domain import barcodes, commands, stations
from archive_svc.domain.custody import MovementKind as K
from archive_svc.services import custody, ports
from archive_svc.services.custody import LedgerPolicy
from archive_svc.services.ports import AbstractUnitOfWork, Clock
from archive_svc.services.ports.console import ConsoleQueries

Queries = NamedDependency[ports.Queries]
Console = NamedDependency[ConsoleQueries]
MANUAL_KINDS = (
    K.VERIFY,
    K.PICK,
    K.RETURN,
    K.SHELVE,
    K.RELOCATE,
    K.HAND_OVER,
    K.IN_TRANSIT,
    K.SEND_TO_DIGITISATION,
    K.DECLARE_MISSING,
)
REASONS = {
    "urgent": N_("Demande urgente"),
    "audit": N_("Contrôle"),
    "conservation": N_("Conservation"),
    "other": N_("Autre"),
}
"""The configured reasons (``RSN-*`` on the scanners' command sheet), by value."""
assert set(REASONS) == set(stations.REASONS.values())


class RecordController(Controller):
    path = "/console"
    include_in_schema = False
    opt = {"action": Action.USE_CONSOLE}
    request_max_body_size = PAGE_MAX_BODY

    @get("/record")
    async def record_form(
        self,
        request: Request[Any, Any, Any],
        item: Annotated[str, FromQuery, msgspec.Meta(max_length=64)] = "",
    ) -> Template:
        """The form, with the item filled in when coming from its page."""
        return page(request, "agents/record.html", **_context(RecordForm(item=item)))

    @post("/record", status_code=200)
    async def record(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[RecordForm],
        caller: NamedDependency[Caller],
        uow: NamedDependency[AbstractUnitOfWork],
        clock: NamedDependency[Clock],
        policy: NamedDependency[LedgerPolicy],
        queries: Queries,
        console: Console,
    ) -> Template:
        """One movement through ``custody.record_movements``; the answer names both ends."""
        item = await _item_code(data.item, console)
        to = data.to.strip() or await _default_place(data.kind, item, queries)
        cmd = commands.RecordMovements(
            (
                commands.MovementRequest(
                    event_id=data.event_id or str(uuid.uuid4()),
                    item=item,
                    kind=data.kind,
                    to=to or None,
                    actor=caller.id,
                    reason=data.reason.strip(),
                    entry_mode="manual",
                ),
            ),
            caller.submitter,
            source="web",
        )
        (result,) = await custody.record_movements(cmd, uow, clock, policy)
        view = await queries.where_is(barcodes.normalise(item))
        template = (
            "agents/_record.html"
            if request.headers.get("hx-request")
            else "agents/record.html"
        )
        keep = RecordForm(kind=data.kind, to=data.to, reason=data.reason)
        return page(
            request,
            template,
            **_context(keep, result, data.item.strip(), view, data.to.strip()),
        )

    @get("/suggest", opt={"background": True})
    async def suggest(
        self,
        request: Request[Any, Any, Any],
        console: Console,
        to: Annotated[str, FromQuery, msgspec.Meta(max_length=120)] = "",
    ) -> Template:
        """Options of the destination's datalist (HTMX, as one types)."""
        found = await console.suggest(to, 12)
        return page(request, "agents/_suggest.html", suggestions=found)


async def _item_code(typed: str, console: ConsoleQueries) -> str:
    """The barcode, or the one item whose number was typed (dash optional)."""
    if barcodes.is_valid(typed):
        return typed
    found = await console.find_items(typed.strip(), 2)
    bare = barcodes.normalise(typed)
    exact = [i for i in found if barcodes.normalise(i.number) == bare]
    return exact[0].barcode if len(exact) == 1 else typed


async def _default_place(kind: str, item: str, queries: ports.Queries) -> str:
    """A verification without destination checks the item where it is recorded."""
    if kind != K.VERIFY or not barcodes.is_valid(item):
        return ""
    view = await queries.where_is(barcodes.parse(item)[1])
    return view.location.code if view and view.location else ""


def _context(
    form: RecordForm,
    result: Any = None,
    typed: str = "",
    view: Any = None,
    to: str = "",
) -> dict[str, Any]:
    where = ""
    if view is not None and view.location is not None:
        where = view.location.code
    elif view is not None and view.chain:
        where = view.chain[0]
    return {
        "form": form,
        "kinds": [(k.value, vocabulary.label("movement", k)) for k in MANUAL_KINDS],
        "hints": {k.value: vocabulary.MOVEMENT_HINTS.get(k, "") for k in MANUAL_KINDS},
        "reasons": REASONS,
        "result": result,
        "item_typed": typed,
        "item_view": view,
        "where": where,
        "refusal": vocabulary.refusal(
            result.code or "", to if result.code == "unknown_target" else typed
        )
        if result is not None and result.status == "rejected"
        else "",
        "event_id": str(uuid.uuid4()),
        "links": links,
    }
