"""Scan inbox and device sessions, behind ``services.ports`` (raw SQL, both engines)."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine

from archive_svc.persistence import sql
from archive_svc.persistence.engine import is_sqlite
from archive_svc.services.ports import scans as ports

_SCAN_COLUMNS = (
    "scan_id, device_id, device_seq, code, aim, source, scanned_at, received_at,"
    " outcome, reason_code, message, movement_event_id, flags"
)


class PiccoloScanInbox(ports.ScanInboxRepository):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def get(self, scan_id: str) -> ports.ScanRecord | None:
        rows = await sql.fetch(
            self._engine,
            f"SELECT {_SCAN_COLUMNS} FROM scan_inbox WHERE scan_id = {{}}",
            scan_id,
        )
        return ports.ScanRecord(**rows[0]) if rows else None

    async def add(self, record: ports.ScanRecord) -> bool:
        r = record
        rows = await sql.fetch(
            self._engine,
            f"INSERT INTO scan_inbox ({_SCAN_COLUMNS}) VALUES ({sql.placeholders(13)})"
            " ON CONFLICT (scan_id) DO NOTHING RETURNING scan_id",
            r.scan_id, r.device_id, r.device_seq, r.code, r.aim, r.source,
            r.scanned_at, r.received_at, r.outcome, r.reason_code, r.message,
            r.movement_event_id, r.flags,
        )  # fmt: skip
        return bool(rows)


class PiccoloDeviceSessions(ports.DeviceSessionRepository):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def get(self, device_id: str) -> ports.DeviceSessionRecord | None:
        lock = "" if is_sqlite(self._engine) else " FOR UPDATE"
        rows = await sql.fetch(
            self._engine,
            "SELECT device_id, state, last_seq, updated_at FROM device_session"
            f" WHERE device_id = {{}}{lock}",
            device_id,
        )
        return ports.DeviceSessionRecord(**rows[0]) if rows else None

    async def put(self, record: ports.DeviceSessionRecord) -> None:
        await sql.fetch(
            self._engine,
            "INSERT INTO device_session (device_id, state, last_seq, updated_at)"
            " VALUES ({}, {}, {}, {}) ON CONFLICT (device_id) DO UPDATE SET"
            " state = excluded.state, last_seq = excluded.last_seq,"
            " updated_at = excluded.updated_at",
            record.device_id, record.state, record.last_seq, record.updated_at,
        )  # fmt: skip
