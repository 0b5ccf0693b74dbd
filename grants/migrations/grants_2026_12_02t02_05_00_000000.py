"""ESF+ labour-market status (issue 13): the statuses older records kept among a participant's
flags (unemployed, long_term_unemployed, inactive, employed) move to `labour_status`.

A participant has exactly one status at entry. Long-term unemployed with unemployed is the
long-term status (the long-term unemployed are counted among the unemployed too); any other
pair (e.g. employed with unemployed) cannot be told apart here, so such a record keeps its
flags and an empty status: the coordinator chooses one on the participant's page, and the
first change drops the old flags. NEET stays a flag: PROTI un DARI 2.0 counts NEET young
people, a programme's target group rather than an Annex I status.

Raw SQL, the same on SQLite and PostgreSQL: the rows are read, each one's new values worked
out by `moved` and written by id, and each move recorded in the audit trail (as the system,
without special-category flags, which the trail never holds). Backwards puts the status back
among the flags.
"""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-02T02:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "labour-market status moved from participant flags"

STATUSES = ("unemployed", "long_term_unemployed", "inactive", "employed")
SPECIAL = ("disability", "minority")  # the trail never holds these
NOTE = "ESF+: labour-market status moved from the flags"

_FOUND = (
    "SELECT id, project, flags FROM participant WHERE labour_status = '' AND ("
    + " OR ".join(f"',' || flags || ',' LIKE '%,{status},%'" for status in STATUSES)
    + ")"
)
_MOVE = "UPDATE participant SET labour_status = {}, flags = {} WHERE id = {}"
_BACK = (
    "UPDATE participant SET flags = CASE WHEN flags = '' THEN labour_status "
    "ELSE flags || ',' || labour_status END, labour_status = '' WHERE labour_status IN ("
    + ", ".join(f"'{status}'" for status in STATUSES)
    + ")"
)


class Participant(Table, tablename="participant"):
    id = Serial(primary_key=True)


class AuditEvent(Table, tablename="audit_event"):
    at = Timestamptz(default=TimestamptzNow())
    actor = Varchar(length=255)
    action = Varchar(length=30)
    entity = Varchar(length=50)
    entity_id = Integer(null=True, default=None)
    project = Integer(null=True, default=None)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    note = Text(default="")


def moved(flags: str) -> tuple[str, str] | None:
    """(labour_status, the other flags) for a record whose flags hold one status (or the
    unemployed and long-term unemployed pair); None when they hold none or conflicting ones."""
    items = [flag for flag in flags.split(",") if flag]
    found = {flag for flag in items if flag in STATUSES}
    if found == {"unemployed", "long_term_unemployed"}:
        found = {"long_term_unemployed"}
    if len(found) != 1:
        return None
    rest = ",".join(flag for flag in items if flag not in STATUSES)
    return found.pop(), rest


def _json(value: dict) -> str:
    """As grants.core.audit stores it (Piccolo passes strings through)."""
    return json.dumps(value, ensure_ascii=False)


def _visible(flags: str) -> list[str]:
    return [flag for flag in flags.split(",") if flag and flag not in SPECIAL]


async def move_labour_flags() -> int:
    """Move the statuses; how many participants got one. The tables use the engine of the
    moment (the classes outlive a switch of databases, as in the tests)."""
    engine = engine_finder()
    Participant._meta.db = AuditEvent._meta.db = engine
    count = 0
    for row in await Participant.raw(_FOUND):
        result = moved(row["flags"])
        if result is None:
            continue
        status, rest = result
        await Participant.raw(_MOVE, status, rest, row["id"])
        await AuditEvent.insert(
            AuditEvent(
                actor="system",
                action="update",
                entity="participant",
                entity_id=row["id"],
                project=row["project"],
                before=_json({"flags": _visible(row["flags"]), "labour_status": ""}),
                after=_json({"flags": _visible(rest), "labour_status": status}),
                note=NOTE,
            )
        )
        count += 1
    return count


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def move() -> None:
        await move_labour_flags()

    async def back() -> None:
        Participant._meta.db = engine_finder()
        await Participant.raw(_BACK)

    manager.add_raw(move)
    manager.add_raw_backwards(back)
    return manager
