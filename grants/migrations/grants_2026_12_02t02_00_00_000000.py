"""ESF+ participant data (issue 13): the labour-market status and education at entry on the
participant, and the results after leaving (`participant_result`, one row per participant and
stage). Columns and the table by raw DDL in one step, as a manager's raw steps run before its
own operations; the table from the class below, as it was when this was written."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Date, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-02T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "participant data at entry and results after leaving"


class Project(Table, tablename="project"):
    id = Serial(primary_key=True)


class Participant(Table, tablename="participant"):
    id = Serial(primary_key=True)


class User(Table, tablename="grants_user"):
    id = Serial(primary_key=True)


class ParticipantResult(Table, tablename="participant_result"):
    project = ForeignKey(references=Project, null=False)
    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade)
    stage = Varchar(length=20)
    recorded_on = Date()
    outcomes = Varchar(length=255, default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


COLUMNS = {
    "labour_status": "VARCHAR(30) NOT NULL DEFAULT ''",
    "education": "VARCHAR(20) NOT NULL DEFAULT ''",
}
INDEXES = {
    "uq_participant_result_stage": "UNIQUE INDEX {} ON participant_result (participant, stage)",
    "ix_participant_result_project": "INDEX {} ON participant_result (project)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def add():
        engine = engine_finder()
        for name, ddl in COLUMNS.items():
            await engine.run_ddl(f"ALTER TABLE participant ADD COLUMN {name} {ddl}")
        ParticipantResult._meta.db = engine
        await ParticipantResult.create_table(if_not_exists=True)
        for name, ddl in INDEXES.items():
            kind, _, on = ddl.partition(" {} ")
            await engine.run_ddl(f"CREATE {kind} IF NOT EXISTS {name} {on}")

    async def drop():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
        await engine.run_ddl("DROP TABLE IF EXISTS participant_result")
        for name in COLUMNS:
            await engine.run_ddl(f"ALTER TABLE participant DROP COLUMN {name}")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
