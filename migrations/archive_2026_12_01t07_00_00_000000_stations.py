"""Registered scanner stations with the hash of their MQTT password (issue 10,
finding 5). Hand-written raw SQL, valid on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registered scanner stations and their MQTT credentials"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="archive", description=DESCRIPTION)
    manager.add_raw(_stations)
    return manager


async def _stations():
    await engine_finder().run_ddl(
        "CREATE TABLE IF NOT EXISTS station ("
        " device_id VARCHAR(64) PRIMARY KEY,"
        " site VARCHAR(64) NOT NULL,"
        " password_hash TEXT NOT NULL,"
        " active BOOLEAN NOT NULL DEFAULT TRUE,"
        " registered_at TIMESTAMPTZ NOT NULL,"
        " disabled_at TIMESTAMPTZ NULL)"
    )
