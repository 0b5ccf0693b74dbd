"""Codes as compared: a participant's code enters a project once, and a project's code the
system once, also when two writers race.

Fills `participant.code_key` and recomputes `project.code_key` as the domain compares codes
now (look-alike spellings are one code), then adds the unique index on the participant's
(project, code_key); the project's key already has one. Rows that collide already (entered by
racing writers before the index) keep keys apart: the later row's key ends in a zero-width
space and its id, which no typed code can give, so the upgrade runs and both rows stay to be
merged by hand.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from grants.projects.reading import normalise_code
from grants.register.participants import code_key
from grants.tables.participants import Participant
from grants.tables.projects import Project

ID = "2026-11-23T09:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "code keys and their unique index"

INDEXES = {
    "uq_participant_project_code_key": "UNIQUE INDEX {name} ON participant (project, code_key)",
}
_BATCH = 500  # rows per UPDATE: two parameters each, well under both databases' limits
_APART = "\u200b"


def _keys(rows: list[dict], scope: str | None, key, length: int) -> dict[int, str]:
    """Each row's key by id, the later of colliding rows kept apart."""
    seen: set[tuple] = set()
    keys = {}
    for row in sorted(rows, key=lambda r: r["id"]):
        value = key(row["code"])[:length]
        if (row.get(scope), value) in seen:
            suffix = f"{_APART}{row['id']}"
            value = value[: length - len(suffix)] + suffix
        seen.add((row.get(scope), value))
        keys[row["id"]] = value
    return keys


async def _write(table, keys: dict[int, str]) -> None:
    """Set `code_key` of many rows, a batch per statement."""
    items = list(keys.items())
    for start in range(0, len(items), _BATCH):
        batch = items[start : start + _BATCH]
        cases = " ".join("WHEN {} THEN {}" for _ in batch)
        ids = ", ".join("{}" for _ in batch)
        await table.raw(
            f"UPDATE {table._meta.tablename} SET code_key = CASE id {cases} END "
            f"WHERE id IN ({ids})",
            *(value for pair in batch for value in pair),
            *(row_id for row_id, _ in batch),
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def fill_keys():
        participants = await Participant.raw("SELECT id, project, code FROM participant")
        await _write(Participant, _keys(participants, "project", code_key, 50))
        projects = await Project.raw("SELECT id, code, code_key FROM project")
        keys = _keys(projects, None, normalise_code, 100)
        changed = {r["id"]: keys[r["id"]] for r in projects if keys[r["id"]] != r["code_key"]}
        # first out of each other's way: the project's key is unique after every row
        await _write(Project, {row_id: f"{_APART}{row_id}" for row_id in changed})
        await _write(Project, changed)
        engine = engine_finder()
        for name, ddl in INDEXES.items():
            kind, rest = ddl.split(" {name} ", 1)
            await engine.run_ddl(f"CREATE {kind} IF NOT EXISTS {name} {rest}")

    async def drop_indexes():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(fill_keys)
    manager.add_raw_backwards(drop_indexes)
    return manager
