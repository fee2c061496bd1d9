"""Shared setup of the security reproductions: an API client, tokens, a station."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from litestar.testing import TestClient

from archive_svc.api.app import AppDeps, create_app
from archive_svc.domain import barcodes, commands
from archive_svc.domain.model import Item, Location, Principal
from archive_svc.services import custody, registry
from archive_svc.services.scanning import record_scan
from tests import builders as b

AGENT_BADGE = barcodes.make(barcodes.Kind.BADGE, 7101)
READER_BADGE = barcodes.make(barcodes.Kind.BADGE, 7102)
FOREIGN_BADGE = barcodes.make(barcodes.Kind.BADGE, 7103)
OFFICER_BADGE = barcodes.make(barcodes.Kind.BADGE, 7104)
MANAGER_BADGE = barcodes.make(barcodes.Kind.BADGE, 7105)
READER = "reader.x"
FOREIGN = "consulate.x"
AGENT_ON_STATION = "agent.station"


async def cast(runtime) -> None:  # type: ignore[no-untyped-def]
    """The people of builders, plus badged ones: an agent, a researcher, a consul."""
    await b.people(runtime)
    for person in (
        Principal(
            AGENT_ON_STATION, "Agent Station", frozenset({"archive_agent"}),
            badge_barcode=AGENT_BADGE,
        ),
        Principal(
            READER, "Lecteur X", frozenset({"researcher"}), badge_barcode=READER_BADGE
        ),
        Principal(
            FOREIGN, "Consulat X", frozenset({"foreign_authority"}),
            badge_barcode=FOREIGN_BADGE,
        ),
        Principal(
            "officer.badge", "Officer Badge", frozenset({"protection_officer"}),
            "africa", badge_barcode=OFFICER_BADGE,
        ),
        Principal(
            "manager.badge", "Manager Badge", frozenset({"archive_manager"}),
            badge_barcode=MANAGER_BADGE,
        ),
    ):  # fmt: skip
        await registry.add_principal(person, runtime.uow())


async def accession(runtime, items: list[Item], shelf: Location) -> None:  # type: ignore[no-untyped-def]
    """Shelve new ``items`` on ``shelf`` as an operator would (seeding, import)."""
    moves = [b.move(i.barcode, "accession", shelf.barcode) for i in items]
    results = await custody.record_movements(
        b.batch(*moves), runtime.uow(), runtime.clock, runtime.policy
    )
    assert all(r.status == "recorded" for r in results), results


async def personal_token(runtime, person: str) -> str:  # type: ignore[no-untyped-def]
    """A token that signs in as ``person``."""
    return await registry.create_token(
        f"{person}-{b.uid()[:8]}", None, runtime.uow(), runtime.clock, person=person
    )


async def station_token(runtime, station: str) -> str:  # type: ignore[no-untyped-def]
    """A scanner station's token, named after its device id."""
    return await registry.create_token(station, "gateway", runtime.uow(), runtime.clock)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def api_client(runtime) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(
        AppDeps(
            runtime.uow,
            runtime.queries,
            runtime.clock,
            runtime.policy,
            console=runtime.console,
        )
    )
    with TestClient(app) as client:
        yield client


def post(client: TestClient, token: str, *movements: dict) -> list[dict]:
    r = client.post(
        "/api/movements", json={"movements": list(movements)}, headers=auth(token)
    )
    assert r.status_code == 200, r.text
    results: list[dict] = r.json()["results"]
    return results


def movement(item: str, kind: str, to: str | None = None, **extra: object) -> dict:
    return {"id": b.uid(), "item": item, "kind": kind, "to": to, **extra}


async def scan(runtime, station: str, *codes: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Reads on ``station`` (as its gateway delivers them); their reply codes."""
    rt = runtime
    out = []
    for code in codes:
        cmd = commands.RecordScan(
            str(uuid.uuid4()), station, _next_seq(station), code,
            received_at=rt.clock.now(),
        )  # fmt: skip
        outcome = await record_scan(cmd, rt.uow(), rt.clock, rt.policy, texts=rt.texts)
        out.append(outcome.code)
    return out


_SEQS: dict[str, int] = {}
"""Last device_seq per station (tests use fresh station ids: ``new_station``)."""


def new_station() -> str:
    return f"st-{b.uid()[:8]}"


def _next_seq(station: str) -> int:
    _SEQS[station] = _SEQS.get(station, 0) + 1
    return _SEQS[station]
