"""JSON API controllers: decode, call one service or query, encode."""

import asyncio
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from archive_svc.access.rules import Action
from archive_svc.api import inputs
from archive_svc.api.auth import Caller
from archive_svc.api.errors import error_responses
from archive_svc.api.journal import RequestJournal
from archive_svc.api.json import convert
from archive_svc.api.json import schemas as s
from archive_svc.domain import barcodes, errors
from archive_svc.services import custody, ports, registry
from archive_svc.services.custody import LedgerPolicy
from archive_svc.services.ports import custody as custody_ports

Queries = NamedDependency[ports.Queries]
UnitOfWork = NamedDependency[ports.AbstractUnitOfWork]


async def _read_item(
    queries: ports.Queries,
    journal: RequestJournal,
    barcode: str,
    action: str,
) -> custody_ports.ItemView:
    """The item's where-is view, its read journaled as ``action``.

    The journal row is written while the lookup runs (one round trip less on the
    hot path): it records the read asked for, and both have finished before
    anything is answered. ``UnknownBarcode`` (404) when no item has the code.
    """
    code = barcodes.parse(barcode)[1]
    view: custody_ports.ItemView | BaseException | None
    journaled: BaseException | None
    view, journaled = await asyncio.gather(
        queries.where_is(code),
        journal.read(action, code),
        return_exceptions=True,
    )
    if isinstance(journaled, BaseException):
        raise journaled
    if isinstance(view, BaseException):
        raise view
    if view is None:
        raise errors.UnknownBarcode(code)
    return view


class MovementController(Controller):
    path = "/api/movements"
    tags = ["custody"]

    @post(
        before_request=inputs.refuse_unreadable_json,
        opt={"action": Action.RECORD_MOVEMENTS},
        status_code=HTTP_200_OK,
        responses=error_responses(400, 401, 403, 413, 415),
    )
    async def record(
        self,
        data: JSONBody[s.MovementBatch],
        caller: NamedDependency[Caller],
        uow: UnitOfWork,
        clock: NamedDependency[ports.Clock],
        policy: NamedDependency[LedgerPolicy],
    ) -> s.MovementBatchResult:
        """Record a batch; one result per movement (recorded, duplicate, rejected).

        Every movement is recorded as done by the authenticated person: the owner
        of a personal token or, for a scanner station's token, the agent whose
        badge signed in on that station. A movement whose ``actor`` names anyone
        else is rejected with ``actor_not_caller``; the submitter (token or
        station) is hashed with each movement.
        """
        cmd = convert.record_command(data, caller.submitter)
        results = await custody.record_movements(cmd, uow, clock, policy)
        return convert.batch_result(results)


class ItemController(Controller):
    path = "/api/items"
    tags = ["custody"]

    @get(
        "/{barcode:str}",
        opt={"action": Action.READ_CUSTODY},
        responses=error_responses(400, 401, 403, 404),
    )
    async def where_is(
        self,
        barcode: s.BarcodePath,
        queries: Queries,
        journal: NamedDependency[RequestJournal],
    ) -> s.ItemOut:
        """Where an item is now: custodian, location path or holder, since when."""
        view = await _read_item(queries, journal, barcode, "read_item")
        return convert.item_out(view)

    @get(
        "/{barcode:str}/history",
        opt={"action": Action.READ_CUSTODY},
        responses=error_responses(400, 401, 403, 404),
    )
    async def history(
        self,
        barcode: s.BarcodePath,
        queries: Queries,
        journal: NamedDependency[RequestJournal],
        page: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> s.HistoryPage:
        """Every movement of an item, newest first, paged."""
        view = await _read_item(queries, journal, barcode, "read_history")
        code = view.item.barcode
        entries, total = await queries.history(
            view.item.id, (page - 1) * page_size, page_size
        )
        return s.HistoryPage(
            code, [convert.history_entry(e) for e in entries], total, page, page_size
        )

    @post(
        before_request=inputs.refuse_unreadable_json,
        opt={"action": Action.REGISTER_ITEMS},
        status_code=HTTP_201_CREATED,
        responses=error_responses(400, 401, 403, 404, 409, 413, 415),
    )
    async def register(
        self, data: JSONBody[s.ItemCreate], uow: UnitOfWork
    ) -> s.ItemCreated:
        """Register a box, file or envelope (barcode allocated unless given)."""
        (item,) = await registry.register_items([convert.item_command(data)], uow)
        return s.ItemCreated(item.barcode, item.kind.value, item.number)


class LocationController(Controller):
    path = "/api/locations"
    tags = ["locations"]

    @get(
        "/{barcode:str}/contents",
        opt={"action": Action.READ_CUSTODY},
        responses=error_responses(400, 401, 403, 404),
    )
    async def contents(
        self, barcode: s.BarcodePath, queries: Queries
    ) -> s.LocationContentsOut:
        """What a location holds now, with occupancy of its shelf space."""
        contents = await barcodes.look_up(queries.location_contents, barcode)
        if contents is None:
            raise errors.UnknownBarcode(barcodes.normalise(barcode))
        return convert.contents_out(contents)

    @post(
        before_request=inputs.refuse_unreadable_json,
        opt={"action": Action.REGISTER_LOCATIONS},
        status_code=HTTP_201_CREATED,
        responses=error_responses(400, 401, 403, 404, 409, 413, 415),
    )
    async def register(
        self, data: JSONBody[s.LocationCreate], uow: UnitOfWork
    ) -> s.LocationOut:
        """Register a location under an existing parent (barcode allocated)."""
        (loc,) = await registry.register_locations(
            [convert.location_command(data)], uow
        )
        return convert.location_out(loc)
