"""Run piccolo's migrations programmatically (``archive-svc migrate``)."""

from __future__ import annotations

import os
from typing import Any

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.base import Engine

from archive_svc.persistence.engine import is_sqlite


class MigrationFailed(RuntimeError):
    pass


async def migrate(engine: Engine[Any]) -> str:
    """Apply pending migrations; set WAL on SQLite. Returns piccolo's message."""
    os.environ.setdefault("PICCOLO_CONF", "archive_svc.persistence.piccolo_conf")
    if is_sqlite(engine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    result = await run_forwards(app_name="archive", migration_id="all")
    if not result.success:
        raise MigrationFailed(result.message or "migration failed")
    return result.message or "up to date"
