"""Registered scanner stations (piccolo queries, one statement each)."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine

from archive_svc.persistence.tables import Station
from archive_svc.services.ports import stations as ports

_COLUMNS = (
    Station.device_id, Station.site, Station.password_hash, Station.active,
    Station.registered_at, Station.disabled_at,
)  # fmt: skip


def _record(row: dict[str, Any]) -> ports.StationRecord:
    return ports.StationRecord(
        row["device_id"], row["site"], row["password_hash"], bool(row["active"]),
        row["registered_at"], row["disabled_at"],
    )  # fmt: skip


class PiccoloStations(ports.StationRepository):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def get(self, device_id: str) -> ports.StationRecord | None:
        rows = (
            await Station.select(*_COLUMNS).where(Station.device_id == device_id).run()
        )
        return _record(rows[0]) if rows else None

    async def save(self, station: ports.StationRecord) -> None:
        row = Station(
            device_id=station.device_id, site=station.site,
            password_hash=station.password_hash, active=station.active,
            registered_at=station.registered_at, disabled_at=station.disabled_at,
        )  # fmt: skip
        await (
            Station.insert(row)
            .on_conflict(
                action="DO UPDATE",
                target=Station.device_id,
                values=[c for c in _COLUMNS if c is not Station.device_id],
            )
            .run()
        )

    async def all(self) -> list[ports.StationRecord]:
        rows = await Station.select(*_COLUMNS).order_by(Station.device_id).run()
        return [_record(r) for r in rows]
