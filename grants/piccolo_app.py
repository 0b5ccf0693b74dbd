"""Piccolo's view of the app: where the tables and the migrations are."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

# table_finder cannot look inside a package with exclude_imported: name every module.
TABLE_MODULES = [
    "grants.tables.organisations",
    "grants.tables.programmes",
    "grants.tables.projects",
    "grants.tables.funding",
    "grants.tables.indicators",
    "grants.tables.periods",
    "grants.tables.attachments",
    "grants.tables.expenditures",
    "grants.tables.participants",
    "grants.tables.accounts",
    "grants.tables.audit",
    "grants.tables.reports",
    "grants.tables.claims",
    "grants.tables.staff",
    "grants.tables.procurement",
    "grants.tables.modifications",
]

APP_CONFIG = AppConfig(
    app_name="grants",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=TABLE_MODULES, exclude_imported=True),
)
