"""Signed checkpoints, the chained access journal and its signed purges (issue 10).

Hand-written raw SQL, valid on SQLite and PostgreSQL. The access journal gains
``seq``/``prev_hash``/``hash`` (filled by the sealer after the insert); its guard
now lets the sealer fill them once, and lets a purge delete only rows a stored
purge summary covers.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T05:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit checkpoints, chained access journal, journal purges"

_GENESIS = "0" * 64
_CONTENT = (
    "id", "at", "principal_ref", "role", "action", "object_ref", "decision", "rule",
    "reason", "client", "channel",
)  # fmt: skip
_APPEND_ONLY = ("audit_checkpoint", "access_journal_purge")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="archive", description=DESCRIPTION)
    manager.add_raw(_audit)
    return manager


def _tables(postgres):
    serial = "BIGSERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
    return [
        "ALTER TABLE access_journal ADD COLUMN seq BIGINT NULL",
        "ALTER TABLE access_journal ADD COLUMN prev_hash VARCHAR(64) NULL",
        "ALTER TABLE access_journal ADD COLUMN hash VARCHAR(64) NULL",
        "CREATE UNIQUE INDEX IF NOT EXISTS access_journal_seq ON access_journal (seq)",
        "CREATE INDEX IF NOT EXISTS access_journal_unsealed ON access_journal (id)"
        " WHERE hash IS NULL",
        "CREATE TABLE IF NOT EXISTS journal_head ("
        " id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash VARCHAR(64) NOT NULL)",
        f"INSERT INTO journal_head (id, seq, hash) VALUES (1, 0, '{_GENESIS}')",
        "CREATE TABLE IF NOT EXISTS audit_checkpoint ("
        f" id {serial},"
        " chain VARCHAR(16) NOT NULL,"
        " seq BIGINT NOT NULL,"
        " hash VARCHAR(64) NOT NULL,"
        " at TIMESTAMPTZ NOT NULL,"
        " key_id VARCHAR(64) NOT NULL,"
        " signature VARCHAR(256) NOT NULL)",
        "CREATE INDEX IF NOT EXISTS audit_checkpoint_chain ON audit_checkpoint (chain, id)",
        "CREATE TABLE IF NOT EXISTS access_journal_purge ("
        f" id {serial},"
        " first_seq BIGINT NOT NULL,"
        " last_seq BIGINT NOT NULL,"
        " row_count BIGINT NOT NULL,"
        " first_hash VARCHAR(64) NOT NULL,"
        " last_hash VARCHAR(64) NOT NULL,"
        " before_at TIMESTAMPTZ NOT NULL,"
        " at TIMESTAMPTZ NOT NULL,"
        " key_id VARCHAR(64) NOT NULL,"
        " signature VARCHAR(256) NOT NULL)",
    ]


_PURGED = "(SELECT COALESCE(MAX(last_seq), 0) FROM access_journal_purge)"


def _postgres_guards():
    same = " AND ".join(f"NEW.{c} = OLD.{c}" for c in _CONTENT)
    statements = [
        "DROP TRIGGER IF EXISTS access_journal_append_only ON access_journal",
        "CREATE OR REPLACE FUNCTION access_journal_guard() RETURNS trigger AS $$ "
        "BEGIN "
        f"IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND {same} THEN RETURN NEW; END IF; "
        "IF TG_OP = 'DELETE' AND OLD.seq IS NOT NULL "
        f"AND OLD.seq <= {_PURGED} THEN RETURN OLD; END IF; "
        "RAISE EXCEPTION 'access_journal is append-only'; "
        "END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER access_journal_guard BEFORE UPDATE OR DELETE ON access_journal "
        "FOR EACH ROW EXECUTE FUNCTION access_journal_guard()",
    ]
    for table in _APPEND_ONLY:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION archive_append_only()"
        )
    return statements


def _sqlite_guards():
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _CONTENT)
    statements = [
        "DROP TRIGGER IF EXISTS access_journal_no_update",
        "DROP TRIGGER IF EXISTS access_journal_no_delete",
        "CREATE TRIGGER access_journal_no_update BEFORE UPDATE ON access_journal "
        f"WHEN OLD.hash IS NOT NULL OR {changed} "
        "BEGIN SELECT RAISE(ABORT, 'access_journal is append-only'); END",
        "CREATE TRIGGER access_journal_no_delete BEFORE DELETE ON access_journal "
        f"WHEN OLD.seq IS NULL OR OLD.seq > {_PURGED} "
        "BEGIN SELECT RAISE(ABORT, 'access_journal is append-only'); END",
    ]
    for table in _APPEND_ONLY:
        for op in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    return statements


async def _audit():
    engine = engine_finder()
    postgres = engine.engine_type == "postgres"
    statements = _tables(postgres)
    statements += _postgres_guards() if postgres else _sqlite_guards()
    for sql in statements:
        await engine.run_ddl(sql)
