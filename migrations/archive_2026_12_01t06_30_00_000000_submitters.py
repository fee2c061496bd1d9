"""Movements name their submitter; personal and expiring tokens; internal principals.

Hand-written raw SQL, valid on SQLite and PostgreSQL (columns are only added:
stack-notes §6). Existing movements keep ``hash_format`` 1 and their hashes;
new ones are hashed with their submitter (``domain.chain`` format 2).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T06:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "movement submitter and hash format; token person and expiry; internal principals"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="archive", description=DESCRIPTION)
    manager.add_raw(_columns)
    return manager


async def _columns():
    engine = engine_finder()
    statements = [
        "ALTER TABLE movement ADD COLUMN submitter_kind VARCHAR(16) NULL",
        "ALTER TABLE movement ADD COLUMN submitter_ref VARCHAR(100) NULL",
        "ALTER TABLE movement ADD COLUMN hash_format INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE api_token ADD COLUMN person VARCHAR(64) NULL",
        "ALTER TABLE api_token ADD COLUMN expires_at TIMESTAMPTZ NULL",
        "ALTER TABLE principal ADD COLUMN internal BOOLEAN NOT NULL DEFAULT FALSE",
        "UPDATE principal SET internal = TRUE WHERE id = 'system'",
    ]
    for sql in statements:
        await engine.run_ddl(sql)
