"""People's credentials and the append-only access journal (hand-written, both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-27T06:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "credential table, access journal (append-only)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="archive", description=DESCRIPTION)
    manager.add_raw(_people_and_journal)
    return manager


async def _people_and_journal():
    """Password hashes apart from principals; access journal with append-only triggers."""
    engine = engine_finder()
    postgres = engine.engine_type == "postgres"
    journal_id = "BIGSERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
    statements = [
        "CREATE TABLE IF NOT EXISTS credential ("
        " principal_id VARCHAR(64) PRIMARY KEY REFERENCES principal (id)"
        " ON DELETE RESTRICT ON UPDATE RESTRICT,"
        " password_hash TEXT NOT NULL,"
        " failed_count INTEGER NOT NULL DEFAULT 0,"
        " locked_until TIMESTAMPTZ NULL,"
        " changed_at TIMESTAMPTZ NOT NULL)",
        "CREATE TABLE IF NOT EXISTS access_journal ("
        f" id {journal_id},"
        " at TIMESTAMPTZ NOT NULL,"
        " principal_ref VARCHAR(100) NOT NULL,"
        " role VARCHAR(400) NOT NULL DEFAULT '',"
        " action VARCHAR(64) NOT NULL,"
        " object_ref VARCHAR(300) NOT NULL DEFAULT '',"
        " decision VARCHAR(8) NOT NULL,"
        " rule VARCHAR(64) NOT NULL DEFAULT '',"
        " reason VARCHAR(200) NOT NULL DEFAULT '',"
        " client VARCHAR(64) NOT NULL DEFAULT '',"
        " channel VARCHAR(8) NOT NULL DEFAULT 'web')",
        "CREATE INDEX IF NOT EXISTS access_journal_at ON access_journal (at)",
        "CREATE INDEX IF NOT EXISTS access_journal_principal ON access_journal (principal_ref, at)",
    ]
    if postgres:
        statements.append(
            "CREATE OR REPLACE FUNCTION archive_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ "
            "LANGUAGE plpgsql"
        )
        statements.append(
            "CREATE TRIGGER access_journal_append_only BEFORE UPDATE OR DELETE ON access_journal "
            "FOR EACH ROW EXECUTE FUNCTION archive_append_only()"
        )
    else:
        for op in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER access_journal_no_{op.lower()} BEFORE {op} ON access_journal "
                "BEGIN SELECT RAISE(ABORT, 'access_journal is append-only'); END"
            )
    for sql in statements:
        await engine.run_ddl(sql)
