"""Several evidence files per expenditure, kept across its versions: `expenditure_file` links
an attachment to a register entry (project, entry_no), unique per entry and file. Each file an
existing version had in `expenditure.attachment` is linked to its entry, so no file is lost;
that column stays as it was, legacy and no longer written.

The table is made in the raw step (which Piccolo runs before its own operations), from the
class below: its columns as they were when this was written, whatever grants.tables says later.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-01T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "expenditure files"


class Project(Table, tablename="project"):
    id = Serial(primary_key=True)


class Attachment(Table, tablename="attachment"):
    id = Serial(primary_key=True)


class User(Table, tablename="grants_user"):
    id = Serial(primary_key=True)


class ExpenditureFile(Table, tablename="expenditure_file"):
    project = ForeignKey(references=Project, null=False)
    entry_no = Integer()
    attachment = ForeignKey(references=Attachment, null=False, on_delete=OnDelete.cascade)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


INDEX = "uq_expenditure_file_entry"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def create_and_copy():
        engine = engine_finder()
        ExpenditureFile._meta.db = engine
        await ExpenditureFile.create_table(if_not_exists=True)
        await engine.run_ddl(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {INDEX} "
            "ON expenditure_file (project, entry_no, attachment)"
        )
        # each file linked once, by whoever wrote the first version that had it
        await engine.run_ddl(
            "INSERT INTO expenditure_file (project, entry_no, attachment, created_by, created_at) "
            "SELECT e.project, e.entry_no, e.attachment, e.created_by, e.created_at "
            "FROM expenditure e WHERE e.attachment IS NOT NULL AND e.version = ("
            " SELECT MIN(f.version) FROM expenditure f WHERE f.project = e.project"
            " AND f.entry_no = e.entry_no AND f.attachment = e.attachment)"
        )

    async def drop():
        engine = engine_finder()
        await engine.run_ddl(f"DROP INDEX IF EXISTS {INDEX}")
        await engine.run_ddl("DROP TABLE IF EXISTS expenditure_file")

    manager.add_raw(create_and_copy)
    manager.add_raw_backwards(drop)
    return manager
