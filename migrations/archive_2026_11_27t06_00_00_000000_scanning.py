"""Scan inbox (one outcome per read, keyed by scan_id) and per-device scanning sessions
(hand-written raw SQL, valid on SQLite and PostgreSQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-27T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "scan inbox and device sessions for scanner stations"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="archive", description=DESCRIPTION)
    manager.add_raw(_scan_tables)
    return manager


async def _scan_tables():
    """scan_inbox and device_session, with the indexes the consumer and reports use."""
    engine = engine_finder()
    statements = [
        "CREATE TABLE IF NOT EXISTS scan_inbox ("
        " scan_id VARCHAR(64) PRIMARY KEY,"
        " device_id VARCHAR(64) NOT NULL,"
        " device_seq BIGINT NOT NULL,"
        " code VARCHAR(128) NOT NULL,"
        " aim VARCHAR(8) NULL,"
        " source VARCHAR(16) NOT NULL DEFAULT 'scan',"
        " scanned_at TIMESTAMPTZ NULL,"
        " received_at TIMESTAMPTZ NOT NULL,"
        " outcome VARCHAR(16) NOT NULL,"
        " reason_code VARCHAR(64) NOT NULL DEFAULT '',"
        " message TEXT NOT NULL DEFAULT '',"
        " movement_event_id VARCHAR(36) NULL,"
        " flags VARCHAR(200) NOT NULL DEFAULT '')",
        "CREATE INDEX IF NOT EXISTS scan_inbox_device_seq ON scan_inbox (device_id, device_seq)",
        "CREATE INDEX IF NOT EXISTS scan_inbox_received ON scan_inbox (received_at)",
        "CREATE TABLE IF NOT EXISTS device_session ("
        " device_id VARCHAR(64) PRIMARY KEY,"
        " state TEXT NOT NULL,"
        " last_seq BIGINT NOT NULL DEFAULT 0,"
        " updated_at TIMESTAMPTZ NOT NULL)",
    ]
    for sql in statements:
        await engine.run_ddl(sql)
