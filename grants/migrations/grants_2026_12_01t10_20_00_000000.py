"""When a period was last submitted, so lateness can be shown; periods already submitted or
approved take the time of their last submission from the audit trail.

Raw DDL, as Piccolo runs a migration's raw steps before its add_column: the back-fill needs
the column first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from grants.tables.periods import ReportingPeriod

ID = "2026-12-01T10:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reporting period submitted_at"

_ADD = "ALTER TABLE reporting_period ADD COLUMN submitted_at TIMESTAMPTZ NULL DEFAULT NULL"
# The audit trail's status events store `after` as '{"status": "submitted"}' (json.dumps).
_BACK_FILL = """
UPDATE reporting_period SET submitted_at = (
    SELECT MAX(audit_event.at) FROM audit_event
    WHERE audit_event.entity = 'reporting_period'
      AND audit_event.action = 'status'
      AND audit_event.entity_id = reporting_period.id
      AND CAST(audit_event.after AS TEXT) LIKE {}
)
WHERE status IN ('submitted', 'approved')
"""
_SUBMITTED = '%"status": "submitted"%'


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def add_and_back_fill():
        await ReportingPeriod.raw(_ADD)
        await ReportingPeriod.raw(_BACK_FILL, _SUBMITTED)

    manager.add_raw(add_and_back_fill)
    return manager
