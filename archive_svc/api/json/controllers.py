"""JSON API controllers: decode, call one service or query, encode."""

import asyncio
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from archive_svc.access.rules import Action
from archive_svc.api.errors import error_responses
from archive_svc.api.guards import journal_read, requires_permission
from archive_svc.api.json import convert
from archive_svc.api.json import schemas as s
from archive_svc.domain import barcodes, errors
from archive_svc.services import custody, ports, registry

BarcodePath = Annotated[str, PathParameter(max_length=64)]


async def _read_item(
    request: Request[object, object, State], state: State, barcode: str, action: str
) -> ports.ItemView:
    """The item's where-is view, its read journaled as ``action``.

    The journal row is written while the lookup runs (one round trip less on the
    hot path): it records the read asked for, and both have finished before
    anything is answered. ``UnknownBarcode`` (404) when no item has the code.
    """
    code = barcodes.parse(barcode)[1]
    view: ports.ItemView | BaseException | None
    journaled: BaseException | None
    view, journaled = await asyncio.gather(
        state.queries.where_is(code),
        journal_read(request, action, code),
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
    guards = [requires_permission]
    tags = ["custody"]

    @post(
        opt={"action": Action.RECORD_MOVEMENTS},
        status_code=HTTP_200_OK,
        responses=error_responses(400, 401, 403, 413),
    )
    async def record(
        self,
        request: Request[object, object, State],
        state: State,
        data: JSONBody[s.MovementBatch],
    ) -> s.MovementBatchResult:
        """Record a batch; one result per movement (recorded, duplicate, rejected)."""
        cmd = convert.record_command(data, request.scope["state"]["caller"].name)
        results = await custody.record_movements(
            cmd, state.uow_factory(), state.clock, state.policy
        )
        return convert.batch_result(results)


class ItemController(Controller):
    path = "/api/items"
    guards = [requires_permission]
    tags = ["custody"]

    @get(
        "/{barcode:str}",
        opt={"action": Action.READ_CUSTODY},
        responses=error_responses(400, 401, 403, 404),
    )
    async def where_is(
        self,
        request: Request[object, object, State],
        state: State,
        barcode: BarcodePath,
    ) -> s.ItemOut:
        """Where an item is now: custodian, location path or holder, since when."""
        return convert.item_out(await _read_item(request, state, barcode, "read_item"))

    @get(
        "/{barcode:str}/history",
        opt={"action": Action.READ_CUSTODY},
        responses=error_responses(400, 401, 403, 404),
    )
    async def history(
        self,
        request: Request[object, object, State],
        state: State,
        barcode: BarcodePath,
        page: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> s.HistoryPage:
        """Every movement of an item, newest first, paged."""
        view = await _read_item(request, state, barcode, "read_history")
        code = view.item.barcode
        entries, total = await state.queries.history(
            view.item.id, (page - 1) * page_size, page_size
        )
        return s.HistoryPage(
            code, [convert.history_entry(e) for e in entries], total, page, page_size
        )

    @post(
        opt={"action": Action.REGISTER_ITEMS},
        status_code=HTTP_201_CREATED,
        responses=error_responses(400, 401, 403, 404, 409, 413),
    )
    async def register(
        self, state: State, data: JSONBody[s.ItemCreate]
    ) -> s.ItemCreated:
        """Register a box, file or envelope (barcode allocated unless given)."""
        (item,) = await registry.register_items(
            [convert.item_command(data)], state.uow_factory()
        )
        return s.ItemCreated(item.barcode, item.kind.value, item.number)


class LocationController(Controller):
    path = "/api/locations"
    guards = [requires_permission]
    tags = ["locations"]

    @get(
        "/{barcode:str}/contents",
        opt={"action": Action.READ_CUSTODY},
        responses=error_responses(400, 401, 403, 404),
    )
    async def contents(
        self, state: State, barcode: BarcodePath
    ) -> s.LocationContentsOut:
        """What a location holds now, with occupancy of its shelf space."""
        contents = await state.queries.location_contents(barcode.strip())
        contents = contents or await state.queries.location_contents(
            barcodes.normalise(barcode)
        )
        if contents is None:
            raise errors.UnknownBarcode(barcodes.normalise(barcode))
        return convert.contents_out(contents)

    @post(
        opt={"action": Action.REGISTER_LOCATIONS},
        status_code=HTTP_201_CREATED,
        responses=error_responses(400, 401, 403, 404, 409, 413),
    )
    async def register(
        self, state: State, data: JSONBody[s.LocationCreate]
    ) -> s.LocationOut:
        """Register a location under an existing parent (barcode allocated)."""
        (loc,) = await registry.register_locations(
            [convert.location_command(data)], state.uow_factory()
        )
        return convert.location_out(loc)
