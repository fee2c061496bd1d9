"""Registering locations, items, principals and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from archive_svc.access.principals import MACHINE_ROLES, parse_role
from archive_svc.domain import barcodes, commands, errors
from archive_svc.domain.custody import EXTERNAL_PREFIX
from archive_svc.domain.model import (
    Item,
    ItemKind,
    Location,
    LocationKind,
    Principal,
    Virtual,
)
from archive_svc.services.ports import AbstractUnitOfWork, Clock, SystemClock
from archive_svc.services.ports.people import ApiTokenRecord, PeopleQueries

SYSTEM_PRINCIPAL = "system"
DEFAULT_EXTERNAL_BODIES = ("CNDA", "TA", "PREFECTURE")
_ITEM_PREFIX = {
    ItemKind.BOX: barcodes.Kind.BOX,
    ItemKind.FILE: barcodes.Kind.FILE,
    ItemKind.ENVELOPE: barcodes.Kind.ENVELOPE,
}


def new_id() -> str:
    return str(uuid.uuid4())


async def allocate_barcodes(
    uow: AbstractUnitOfWork, kind: barcodes.Kind, count: int
) -> list[str]:
    """Reserve ``count`` fresh keyable barcodes of ``kind`` (never reused)."""
    codes: list[str] = []
    while len(codes) < count:
        need = count - len(codes)
        first = await uow.items.next_serials(kind.value, need)
        codes.extend(
            code
            for serial in range(first, first + need)
            if (code := barcodes.make(kind, serial))[-1] != "*"
        )
    return codes


def _location_kind(raw: str) -> LocationKind:
    try:
        return LocationKind(raw)
    except ValueError:
        valid = ", ".join(k.value for k in LocationKind)
        raise errors.InvalidInput(
            f"unknown location kind {raw!r}; valid: {valid}"
        ) from None


def _item_kind(raw: str) -> ItemKind:
    try:
        return ItemKind(raw)
    except ValueError:
        valid = ", ".join(k.value for k in ItemKind)
        raise errors.InvalidInput(
            f"unknown item kind {raw!r}; valid: {valid}"
        ) from None


async def register_locations(
    cmds: Sequence[commands.RegisterLocation], uow: AbstractUnitOfWork
) -> list[Location]:
    """Register locations in order (a parent may precede its children in the batch)."""
    async with uow:
        created = await _locations(cmds, uow)
        await uow.commit()
    return created


async def _locations(
    cmds: Sequence[commands.RegisterLocation], uow: AbstractUnitOfWork
) -> list[Location]:
    parents = await uow.locations.by_refs(
        k for c in cmds if c.parent for k in barcodes.lookup_keys(c.parent)
    )
    fresh = iter(
        await allocate_barcodes(
            uow, barcodes.Kind.LOCATION, sum(1 for c in cmds if not c.barcode)
        )
    )
    created: list[Location] = []
    for c in cmds:
        kind = _location_kind(c.kind)
        parent = None
        if c.parent:
            parent = barcodes.find(parents, c.parent)
            if parent is None:
                raise errors.UnknownTarget(
                    f"parent location {c.parent!r} is not registered"
                )
        if c.capacity_mm is not None and (
            kind is not LocationKind.SHELF or c.capacity_mm < 0
        ):
            raise errors.InvalidInput(
                "capacity_mm is a non-negative width, on shelves only"
            )
        barcode = barcodes.parse(c.barcode)[1] if c.barcode else next(fresh)
        label = c.name or c.code
        path = f"{parent.path} > {label}" if parent else label
        loc = Location(
            new_id(),
            barcode,
            kind,
            c.code,
            path,
            parent.id if parent else None,
            c.capacity_mm,
            0,
            False,
            c.walk_order,
        )
        created.append(loc)
        parents[loc.code] = parents[loc.barcode] = loc
    await uow.locations.add_many(created)
    return created


async def register_items(
    cmds: Sequence[commands.RegisterItem], uow: AbstractUnitOfWork
) -> list[Item]:
    async with uow:
        created = await build_items(cmds, uow)
        await uow.items.add_many(created)
        await uow.commit()
    return created


async def build_items(
    cmds: Sequence[commands.RegisterItem], uow: AbstractUnitOfWork
) -> list[Item]:
    """Items with their barcodes (given, derived from the file number, or allocated)."""
    kinds = [_item_kind(c.kind) for c in cmds]
    serial_kinds = [
        k
        for k, c in zip(kinds, cmds, strict=True)
        if not c.barcode and k is not ItemKind.FILE
    ]
    pools: dict[ItemKind, Iterator[str]] = {
        k: iter(await allocate_barcodes(uow, _ITEM_PREFIX[k], serial_kinds.count(k)))
        for k in set(serial_kinds)
    }
    items = []
    for kind, c in zip(kinds, cmds, strict=True):
        if not c.number.strip():
            raise errors.InvalidInput(f"a {kind.value} needs its number")
        if c.width_mm is not None and not 0 < c.width_mm <= 2000:
            raise errors.InvalidInput(f"width_mm {c.width_mm} is not a plausible width")
        barcode = _item_barcode(kind, c, pools)
        items.append(
            Item(
                new_id(),
                barcode,
                kind,
                c.number.strip(),
                c.width_mm,
                None,
                None,
                c.division,
            )
        )
    return items


def _item_barcode(
    kind: ItemKind, c: commands.RegisterItem, pools: Mapping[ItemKind, Iterator[str]]
) -> str:
    if c.barcode:
        prefix, code = barcodes.parse(c.barcode)
        if prefix is not _ITEM_PREFIX[kind]:
            raise errors.WrongKind(
                f"{code} is not a {kind.value} barcode (expected {_ITEM_PREFIX[kind].value}...)"
            )
        return code
    if kind is ItemKind.FILE:
        return barcodes.file_barcode(c.number)
    return next(pools[kind])


async def ensure_reference_data(uow: AbstractUnitOfWork) -> None:
    """Virtual locations, default outside bodies and the system principal (idempotent)."""
    async with uow:
        codes = [v.value for v in Virtual] + [
            EXTERNAL_PREFIX + b for b in DEFAULT_EXTERNAL_BODIES
        ]
        existing = await uow.locations.by_refs(codes)
        missing = [
            commands.RegisterLocation("virtual", code)
            for code in codes
            if code not in existing
        ]
        if missing:
            await _locations(missing, uow)
        if SYSTEM_PRINCIPAL not in await uow.principals.by_refs([SYSTEM_PRINCIPAL]):
            await uow.principals.add(
                Principal(
                    SYSTEM_PRINCIPAL,
                    "archive-svc",
                    frozenset({"archive_manager"}),
                    internal=True,
                )
            )
        await uow.commit()


async def add_principal(principal: Principal, uow: AbstractUnitOfWork) -> None:
    for role in principal.roles:
        parse_role(role)
    async with uow:
        await uow.principals.add(principal)
        await uow.commit()


def hash_token(token: str) -> str:
    """Tokens are 256-bit random strings: a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


DEFAULT_TOKEN_DAYS = 365
"""How long a token is valid unless told otherwise (``token create --expires``)."""


@dataclass(frozen=True)
class TokenHolder:
    """Whom a valid token authenticates: a machine role, or a person (live)."""

    record: ApiTokenRecord
    person: Principal | None = None


def expiry(record: ApiTokenRecord) -> datetime | None:
    """When ``record`` stops working: its date, or a year after its creation for
    tokens made before expiry dates existed."""
    if record.expires_at is not None:
        return record.expires_at
    if record.created_at is None:
        return None
    return record.created_at + timedelta(days=DEFAULT_TOKEN_DAYS)


async def create_token(
    name: str,
    role: str | None,
    uow: AbstractUnitOfWork,
    clock: Clock | None = None,
    *,
    person: str | None = None,
    expires_at: datetime | None = None,
) -> str:
    """Create an API token; return it (shown once, only its hash is stored).

    A token carries a machine role (``MACHINE_ROLES``: a scanner station, named
    after its device id; an integration), or it is personal: it signs in as
    ``person`` with their roles, re-read at every request. It expires at
    ``expires_at`` (default: ``DEFAULT_TOKEN_DAYS`` from now).
    """
    if not name.strip():
        raise errors.InvalidInput("a token needs a name")
    if (role is None) == (person is None):
        raise errors.InvalidInput("a token has either a machine role or a person")
    if role is not None and role not in MACHINE_ROLES:
        valid = ", ".join(sorted(MACHINE_ROLES))
        raise errors.InvalidInput(
            f"tokens carry machine roles only ({valid}); a person gets a personal"
            " token (--person) or signs in"
        )
    now = (clock or SystemClock()).now()
    expires_at = expires_at or now + timedelta(days=DEFAULT_TOKEN_DAYS)
    if expires_at <= now:
        raise errors.InvalidInput("a token's expiry date is in the future")
    token = "as_" + secrets.token_urlsafe(32)
    async with uow:
        if person is not None:
            await _token_person(person, uow)
        await uow.tokens.add(
            ApiTokenRecord(
                new_id(),
                name.strip(),
                role or "",
                hash_token(token),
                False,
                person,
                now,
                expires_at,
            )
        )
        await uow.commit()
    return token


async def _token_person(person_id: str, uow: AbstractUnitOfWork) -> Principal:
    person = (await uow.principals.by_refs([person_id])).get(person_id)
    if person is None or person.id != person_id:
        raise errors.UnknownPrincipal(f"no person {person_id!r}")
    if person.internal:
        raise errors.AccessDenied(f"{person_id} is internal: it gets no token")
    return person


async def tokens(uow: AbstractUnitOfWork) -> list[ApiTokenRecord]:
    async with uow:
        return await uow.tokens.all()


async def revoke_token(name_or_id: str, uow: AbstractUnitOfWork) -> ApiTokenRecord:
    """Revoke a token by name or id: refused from the next request on, everywhere."""
    async with uow:
        record = await uow.tokens.revoke(name_or_id)
        if record is None:
            raise errors.NotFound(f"no token named {name_or_id!r}")
        await uow.commit()
    return record


async def authenticate(
    token: str, queries: PeopleQueries, now: datetime
) -> TokenHolder | None:
    """The holder of a valid token, read from the database on every call (one
    statement, no transaction).

    ``None`` when the token is unknown, revoked or expired, when a personal
    token's person is disabled or internal, and for tokens made before personal
    tokens existed that carry a person's role (re-issue them).
    """
    found = await queries.token_holder(hash_token(token))
    if found is None:
        return None
    record, person = found
    until = expiry(record)
    if record.revoked or (until is not None and until <= now):
        return None
    if record.person is None:
        return TokenHolder(record) if record.role in MACHINE_ROLES else None
    if person is None or not person.active or person.internal:
        return None
    return TokenHolder(record, person)
