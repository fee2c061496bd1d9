"""Piccolo app config: our tables and the top-level ``migrations/`` folder."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from archive_svc.persistence.tables import TABLES

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

APP_CONFIG = AppConfig(
    app_name="archive",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=list(TABLES),
)
