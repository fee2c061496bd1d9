"""Builders for test data; random identifiers so tests sharing a service never collide."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from archive_svc.domain import commands
from archive_svc.domain.model import Item, Location, Principal
from archive_svc.services import registry

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = "agent.test"
MANAGER = "manager.test"
OFFICER_A = "officer.a"
OFFICER_B = "officer.b"


def uid() -> str:
    return str(uuid.uuid4())


def move(
    item: str, kind: str, to: str | None = None, actor: str = AGENT, **extra: object
) -> commands.MovementRequest:
    return commands.MovementRequest(
        event_id=uid(), item=item, kind=kind, to=to, actor=actor, **extra
    )  # type: ignore[arg-type]


def batch(
    *moves: commands.MovementRequest, by: str = "test"
) -> commands.RecordMovements:
    return commands.RecordMovements(tuple(moves), commands.Submitter.operator(by))


async def people(runtime) -> dict[str, Principal]:  # type: ignore[no-untyped-def]
    specs = [
        (AGENT, "Agent Test", {"archive_agent"}, ""),
        (MANAGER, "Manager Test", {"archive_manager"}, ""),
        (OFFICER_A, "Officer A", {"protection_officer"}, "africa"),
        (OFFICER_B, "Officer B", {"protection_officer"}, "asia"),
    ]
    out = {}
    for pid, name, roles, division in specs:
        person = Principal(pid, name, frozenset(roles), division)
        await registry.add_principal(person, runtime.uow())
        out[pid] = person
    return out


async def storeroom(
    runtime, shelves: int = 3, capacity_mm: int = 1000
) -> list[Location]:  # type: ignore[no-untyped-def]
    """A small tree: site > storeroom > range > bay > N shelves; returns the shelves."""
    suffix = uuid.uuid4().hex[:6].upper()
    loc = commands.RegisterLocation
    tree = [
        loc("site", f"S-{suffix}", "Site"),
        loc("storeroom", f"M-{suffix}", "Magasin", f"S-{suffix}"),
        loc("range", f"M-{suffix}-E1", "Épi 1", f"M-{suffix}"),
        loc("bay", f"M-{suffix}-E1-T1", "Travée 1", f"M-{suffix}-E1"),
    ] + [
        loc(
            "shelf",
            f"M-{suffix}-E1-T1-S{i}",
            f"Tablette {i}",
            f"M-{suffix}-E1-T1",
            capacity_mm,
            walk_order=i,
        )
        for i in range(1, shelves + 1)
    ]
    created = await registry.register_locations(tree, runtime.uow())
    return [c for c in created if c.is_shelf]


async def items(runtime, kind: str, count: int, **kw: object) -> list[Item]:  # type: ignore[no-untyped-def]
    cmds = [
        commands.RegisterItem(
            kind, f"{kind[:1].upper()}-{uuid.uuid4().hex[:10].upper()}", **kw
        )  # type: ignore[arg-type]
        for _ in range(count)
    ]
    return await registry.register_items(cmds, runtime.uow())
