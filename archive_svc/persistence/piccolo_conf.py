"""Piccolo's configuration module (``PICCOLO_CONF``): engine and app registry."""

from piccolo.conf.apps import AppRegistry

from archive_svc.persistence import engine as _engine

DB = _engine.current()
APP_REGISTRY = AppRegistry(apps=["archive_svc.persistence.piccolo_app"])
