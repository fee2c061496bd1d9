"""Index the ledger by movement kind and recording time (new-accession label runs).

Hand-written raw SQL, valid on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-30T23:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "movement (kind, recorded_at) index for accession selections"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="archive", description=DESCRIPTION)
    manager.add_raw(_index)
    return manager


async def _index():
    await engine_finder().run_ddl(
        "CREATE INDEX IF NOT EXISTS movement_kind_recorded ON movement (kind, recorded_at)"
    )
