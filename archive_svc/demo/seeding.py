"""Realistic synthetic holdings for demos, benchmarks and tests.

Every item enters through an ``accession`` movement, so the seeded ledger is a
real one: ``audit verify`` checks it and the projection is its fold.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from archive_svc.domain import barcodes, commands, errors
from archive_svc.domain.model import Item, Location, Principal
from archive_svc.domain.outcomes import Outcome
from archive_svc.services import custody, registry
from archive_svc.services.ports import AbstractUnitOfWork, Clock

DIVISIONS = ("africa", "americas_maghreb", "asia", "europe_middle_east")
SITE_CODE = "SITE-FONTENAY"
BAYS_PER_RANGE = 10
SHELVES_PER_BAY = 6
SHELF_CAPACITY_MM = 1100

Progress = Callable[[str, int, int], None]
"""(stage, done in this step, stage total)."""


@dataclass(frozen=True)
class SeedPlan:
    storerooms: int = 3
    shelves: int = 1000
    boxes: int = 10_000
    files: int = 200_000
    envelope_every: int = 20
    seed: int = 1952
    per_commit: int = 10_000
    """Items registered and accessioned per transaction. Accessions are still judged
    and chained in batches of ``LedgerPolicy.max_batch``; one commit for many
    batches writes each touched page once, and the new item rows are still in the
    page cache when their accessions set their homes."""


@dataclass(frozen=True)
class SeedResult:
    locations: int
    boxes: int
    files: int
    envelopes: int
    people: tuple[Principal, ...]


DEMO_PEOPLE = (
    ("agent.martin", "Claire Martin", "archive_agent", "", "service des archives"),
    ("manager.durand", "Paul Durand", "archive_manager", "", "service des archives"),
    ("officer.nguyen", "Linh Nguyen", "protection_officer", "asia", "division Asie"),
    (
        "officer.diallo",
        "Aminata Diallo",
        "protection_officer",
        "africa",
        "division Afrique",
    ),
    (
        "legal.bernard",
        "Hélène Bernard",
        "legal_consultant",
        "",
        "division des affaires juridiques",
    ),
    (
        "registrar.petit",
        "Jérôme Petit",
        "civil_registrar",
        "",
        "protection des réfugiés",
    ),
    (
        "mission.lefebvre",
        "Anne Lefebvre",
        "history_mission_staff",
        "",
        "mission histoire",
    ),
)


async def seed(
    plan: SeedPlan,
    uow_factory: Callable[[], AbstractUnitOfWork],
    clock: Clock,
    policy: custody.LedgerPolicy,
    progress: Progress = lambda stage, n, total: None,
) -> SeedResult:
    """Create a location tree, people, boxes on shelves, files in boxes, envelopes."""
    rng = random.Random(plan.seed)
    existing = await uow_factory().locations.by_refs([SITE_CODE])
    if existing:
        raise errors.AlreadyExists(
            "this database is seeded already (site SITE-FONTENAY exists)"
        )
    shelves = await _locations(plan, uow_factory, progress)
    people = await _people(uow_factory)
    stocking = _Stocking(uow_factory, clock, policy, progress, plan.per_commit)
    boxes = await stocking.stock(
        [commands.RegisterItem("box", f"B-{n:06d}") for n in range(1, plan.boxes + 1)],
        shelves,
        "boxes",
        "boxes on shelves",
    )
    files = await stocking.stock(
        [_file(rng, n) for n in range(1, plan.files + 1)],
        boxes,
        "files",
        "files in boxes",
    )
    owners = files[:: plan.envelope_every] if plan.envelope_every else []
    envelopes = await stocking.stock(
        [
            commands.RegisterItem("envelope", f"SC-{n:07d}")
            for n in range(1, len(owners) + 1)
        ],
        owners,
        "envelopes",
        "envelopes in files",
    )
    return SeedResult(len(shelves), len(boxes), len(files), len(envelopes), people)


@dataclass(frozen=True)
class _Stocking:
    """What every stage of seeding items needs: units of work, clock, policy,
    progress, and how many items go in one transaction."""

    uow_factory: Callable[[], AbstractUnitOfWork]
    clock: Clock
    policy: custody.LedgerPolicy
    progress: Progress
    per_commit: int

    async def stock(
        self,
        cmds: Sequence[commands.RegisterItem],
        holders: Sequence[Item] | Sequence[Location],
        registered: str,
        placed: str,
    ) -> list[Item]:
        """Register ``cmds``, then accession them into ``holders``, spread evenly.

        Each run of ``per_commit`` items is registered and accessioned in one
        transaction. ``registered`` and ``placed`` name the two progress stages.
        """
        targets = _spread_over(holders, len(cmds))
        created: list[Item] = []
        step = max(self.per_commit, 1)
        for first in range(0, len(cmds), step):
            last = min(first + step, len(cmds))
            uow = self.uow_factory()
            async with uow:
                items = await self._register(
                    cmds[first:last], uow, registered, len(cmds)
                )
                await self._accession(
                    items, targets[first:last], uow, placed, len(cmds)
                )
                await uow.commit()
            created.extend(items)
        return created

    async def _register(
        self,
        cmds: Sequence[commands.RegisterItem],
        uow: AbstractUnitOfWork,
        stage: str,
        total: int,
    ) -> list[Item]:
        created: list[Item] = []
        for start in range(0, len(cmds), 1000):
            items = await registry.build_items(cmds[start : start + 1000], uow)
            await uow.items.add_many(items)
            created.extend(items)
            self.progress(f"register {stage}", len(items), total)
        return created

    async def _accession(
        self,
        items: Sequence[Item],
        targets: Sequence[str],
        uow: AbstractUnitOfWork,
        stage: str,
        total: int,
    ) -> None:
        """Accession ``items[i]`` into ``targets[i]`` in batches of the ledger's
        ``max_batch``, through ``custody.record_in`` (what ``record_movements`` runs)."""
        size = self.policy.max_batch
        for start in range(0, len(items), size):
            batch = _accessions(
                items[start : start + size], targets[start : start + size]
            )
            results = await custody.record_in(batch, uow, self.clock.now(), self.policy)
            refused = [r for r in results if r.status is not Outcome.RECORDED]
            if refused:
                raise errors.DomainError(
                    f"seeding refused a movement: {refused[0].code}: {refused[0].message}"
                )
            self.progress(stage, len(batch.movements), total)


def _spread_over(holders: Sequence[Item] | Sequence[Location], count: int) -> list[str]:
    """Barcodes of ``holders`` for ``count`` items in order, shared out evenly.

    With as many items as holders, item ``i`` goes into holder ``i``.
    """
    return [holders[i * len(holders) // max(count, 1)].barcode for i in range(count)]


def _file(rng: random.Random, n: int) -> commands.RegisterItem:
    year = rng.randint(2005, 2024)
    return commands.RegisterItem(
        "file", f"{year}-{n:06d}", rng.choice(DIVISIONS), rng.choice((15, 20, 30, 40))
    )


def _tree(plan: SeedPlan) -> list[commands.RegisterLocation]:
    loc = commands.RegisterLocation
    tree = [
        loc("site", SITE_CODE, "Site de Fontenay-sous-Bois"),
        loc("building", "BAT-A", "Bâtiment A", SITE_CODE),
    ]
    per_room = max(plan.shelves // max(plan.storerooms, 1), 1)
    for m in range(1, plan.storerooms + 1):
        room = f"M{m}"
        tree.append(loc("storeroom", room, f"Magasin {m}", "BAT-A", walk_order=m))
        bays = -(-per_room // SHELVES_PER_BAY)
        for b in range(bays):
            rng_code = f"{room}-E{b // BAYS_PER_RANGE + 1:02d}"
            if b % BAYS_PER_RANGE == 0:
                tree.append(
                    loc(
                        "range",
                        rng_code,
                        f"Épi {b // BAYS_PER_RANGE + 1:02d}",
                        room,
                        walk_order=b // BAYS_PER_RANGE,
                    )
                )
            bay_code = f"{rng_code}-T{b % BAYS_PER_RANGE + 1:02d}"
            tree.append(
                loc(
                    "bay",
                    bay_code,
                    f"Travée {b % BAYS_PER_RANGE + 1:02d}",
                    rng_code,
                    walk_order=b % BAYS_PER_RANGE,
                )
            )
            count = min(SHELVES_PER_BAY, per_room - b * SHELVES_PER_BAY)
            tree.extend(
                loc(
                    "shelf",
                    f"{bay_code}-S{s}",
                    f"Tablette {s}",
                    bay_code,
                    SHELF_CAPACITY_MM,
                    walk_order=s,
                )
                for s in range(1, count + 1)
            )
    return tree


async def _locations(
    plan: SeedPlan, uow_factory: Callable[[], AbstractUnitOfWork], progress: Progress
) -> list[Location]:
    tree = _tree(plan)
    created = await registry.register_locations(tree, uow_factory())
    progress("locations", len(created), len(created))
    return [loc for loc in created if loc.is_shelf]


async def _people(
    uow_factory: Callable[[], AbstractUnitOfWork],
) -> tuple[Principal, ...]:
    uow = uow_factory()
    async with uow:
        badges = await registry.allocate_barcodes(
            uow, barcodes.Kind.BADGE, len(DEMO_PEOPLE)
        )
        people = tuple(
            Principal(pid, name, frozenset({role}), division, unit, badge)
            for (pid, name, role, division, unit), badge in zip(
                DEMO_PEOPLE, badges, strict=True
            )
        )
        known = await uow.principals.by_refs(p.id for p in people)
        for person in people:
            if person.id not in known:
                await uow.principals.add(person)
        await uow.commit()
    return people


def _accessions(
    items: Sequence[Item], targets: Sequence[str]
) -> commands.RecordMovements:
    """One accession per item, into the target at the same position."""
    moves = tuple(
        commands.MovementRequest(
            str(uuid.uuid4()),
            item.barcode,
            "accession",
            to=target,
            actor=registry.SYSTEM_PRINCIPAL,
            entry_mode="batch",
            reason="seed",
        )
        for item, target in zip(items, targets, strict=True)
    )
    return commands.RecordMovements(
        moves, commands.Submitter.operator("seed"), "import"
    )
