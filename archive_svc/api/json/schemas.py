"""msgspec Structs of the JSON API. Input structs forbid unknown fields."""

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar.params import PathParameter
from msgspec import Meta

from archive_svc.api.inputs import LINE_PATTERN, check_json, line, text

Barcode = Annotated[
    str,
    Meta(min_length=1, max_length=64, pattern=LINE_PATTERN, examples=["BX00012345W"]),
]
ShortText = Annotated[str, text(500)]
BarcodePath = Annotated[str, PathParameter(max_length=64)]
"""A barcode in a route path (``/api/items/{barcode}``)."""


class MovementIn(msgspec.Struct, forbid_unknown_fields=True):
    """One movement. ``id`` is a UUID chosen by the client: resending is harmless."""

    id: Annotated[
        str,
        line(64),
        Meta(description="client-made UUID, the idempotency key"),
    ]
    item: Barcode
    kind: Annotated[str, line(40), Meta(examples=["shelve"])]
    to: Annotated[str, line(120)] | None = None
    actor: (
        Annotated[
            str,
            line(64),
            Meta(
                description=(
                    "Not trusted, and best left out: the movement is recorded as done"
                    " by the authenticated person (a personal token's owner; for a"
                    " scanner station's token, the agent whose badge signed in on"
                    " that station). When given, it must name that person (id or"
                    " badge), else the movement is rejected with code"
                    " 'actor_not_caller'."
                ),
            ),
        ]
        | None
    ) = None
    device_id: (
        Annotated[
            str,
            line(64),
            Meta(
                description="A station's token may only name its own device id.",
            ),
        ]
        | None
    ) = None
    device_seq: Annotated[int, Meta(ge=0, le=2**62)] | None = None
    scanned_at: (
        Annotated[str, line(40), Meta(description="ISO 8601 with zone, or null")] | None
    ) = None
    reason: ShortText = ""
    force: bool = False
    request_id: Annotated[str, line(64)] | None = None
    task_ref: Annotated[str, line(64)] | None = None
    payload: dict[str, Any] = {}
    entry_mode: Literal["scan", "manual", "batch"] = "manual"

    def __post_init__(self) -> None:
        check_json(self.payload)


class MovementBatch(msgspec.Struct, forbid_unknown_fields=True):
    movements: list[MovementIn]


class MovementResultOut(msgspec.Struct):
    id: str
    status: Literal["recorded", "duplicate", "rejected"]
    code: str | None = None
    message: str = ""
    seq: int | None = None
    flags: list[str] = []


class MovementBatchResult(msgspec.Struct):
    results: list[MovementResultOut]
    recorded: int
    duplicates: int
    rejected: int


class CustodianOut(msgspec.Struct):
    kind: str
    id: str
    label: str


class LocationRef(msgspec.Struct):
    barcode: str
    code: str
    kind: str
    path: str


class LastMovement(msgspec.Struct):
    seq: int
    kind: str | None
    event_id: str


class ItemOut(msgspec.Struct):
    barcode: str
    kind: str
    number: str
    division: str
    width_mm: int | None
    state: str | None
    custodian: CustodianOut | None
    location: LocationRef | None
    chain: list[str]
    since: datetime | None
    last_verified_at: datetime | None
    movement: LastMovement | None


class ItemCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["box", "file", "envelope"]
    number: Annotated[str, line(64, min_length=1)]
    division: Annotated[str, line(32)] = ""
    width_mm: Annotated[int, Meta(gt=0, le=2000)] | None = None
    barcode: Annotated[str, line(64)] | None = None


class ItemCreated(msgspec.Struct):
    barcode: str
    kind: str
    number: str


class LocationCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["site", "building", "storeroom", "range", "bay", "shelf", "virtual"]
    code: Annotated[
        str, Meta(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9:_\-\.]+$")
    ]
    name: Annotated[str, line(200)] = ""
    parent: Annotated[str, line(128)] | None = None
    capacity_mm: Annotated[int, Meta(ge=0, le=100_000)] | None = None
    walk_order: Annotated[int, Meta(ge=0, le=1_000_000)] = 0


class LocationOut(msgspec.Struct):
    barcode: str
    code: str
    kind: str
    path: str
    capacity_mm: int | None
    neutralised: bool


class HistoryEntry(msgspec.Struct):
    seq: int
    event_id: str
    kind: str
    from_ref: str | None
    to_ref: str | None
    actor_ref: str | None
    device_id: str | None
    effective_at: datetime
    recorded_at: datetime
    time_source: str
    entry_mode: str
    reason: str
    hash: str


class HistoryPage(msgspec.Struct):
    barcode: str
    items: list[HistoryEntry]
    total: int
    page: int
    page_size: int


class ContentOut(msgspec.Struct):
    barcode: str
    kind: str
    number: str
    state: str
    since: datetime


class LocationContentsOut(msgspec.Struct):
    location: LocationOut
    occupied_mm: int
    free_mm: int | None
    items: list[ContentOut]
    children: list[LocationOut]
