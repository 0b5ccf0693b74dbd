"""Columns for hardening: a participant's code as compared (its unique index follows in the
next migration), and each report version's files without the register's service tables."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Bytea, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-23T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "participant code keys, reduced report versions"

_NULLABLE = {
    "default": None,
    "null": True,
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Participant",
        tablename="participant",
        column_name="code_key",
        db_column_name="code_key",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 50, **_NULLABLE},
        schema=None,
    )
    for fmt in ("html", "pdf", "xlsx"):
        manager.add_column(
            table_class_name="ReportVersion",
            tablename="report_version",
            column_name=f"{fmt}_reduced",
            db_column_name=f"{fmt}_reduced",
            column_class_name="Bytea",
            column_class=Bytea,
            params=dict(_NULLABLE),
            schema=None,
        )
    return manager
