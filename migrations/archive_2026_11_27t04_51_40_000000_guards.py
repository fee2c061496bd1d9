"""Indexes the auto migration cannot express, append-only triggers, chain head row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-27T04:51:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique index, ledger append-only triggers, chain head"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="archive", description=DESCRIPTION)
    manager.add_raw(_constraints_and_guards)
    return manager


_APPEND_ONLY = ("movement", "rejection_journal", "movement_inbox")


async def _constraints_and_guards():
    """Indexes the auto migration cannot express, append-only triggers, chain head."""
    engine = engine_finder()
    statements = [
        "CREATE UNIQUE INDEX IF NOT EXISTS item_kind_number ON item (kind, number)",
        "CREATE INDEX IF NOT EXISTS movement_item_seq ON movement (item, seq)",
        "CREATE INDEX IF NOT EXISTS movement_effective ON movement (effective_at)",
        "CREATE INDEX IF NOT EXISTS rejection_received ON rejection_journal (received_at)",
        "INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '"
        + "0" * 64
        + "')",
    ]
    if engine.engine_type == "postgres":
        statements.append(
            "CREATE OR REPLACE FUNCTION archive_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ "
            "LANGUAGE plpgsql"
        )
        for table in _APPEND_ONLY:
            statements.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION archive_append_only()"
            )
    else:
        for table in _APPEND_ONLY:
            for op in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    for sql in statements:
        await engine.run_ddl(sql)
