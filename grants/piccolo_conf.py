"""Piccolo configuration: the engine comes from GRANTS_DATABASE_URL (see grants.db)."""

from piccolo.conf.apps import AppRegistry

from grants.db import engine_from_url
from grants.settings import Settings

DB = engine_from_url(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(apps=["grants.piccolo_app"])
