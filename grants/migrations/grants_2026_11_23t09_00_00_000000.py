"""Sessions know their user, so a password change can end the user's other sessions; indexes
for purging expired sessions and for counting failed sign-ins by email and address."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "session user, sign-in indexes"

INDEXES = {
    "ix_web_session_user": 'INDEX {name} ON web_session ("user")',
    "ix_web_session_expires_at": "INDEX {name} ON web_session (expires_at)",
    "ix_login_attempt_email_ip": "INDEX {name} ON login_attempt (email, ip, at)",
    "ix_login_attempt_ip": "INDEX {name} ON login_attempt (ip, at)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def add_user_and_indexes():
        engine = engine_finder()
        await engine.run_ddl(
            'ALTER TABLE web_session ADD COLUMN "user" INTEGER NULL '
            "REFERENCES grants_user (id) ON DELETE CASCADE"
        )
        for name, ddl in INDEXES.items():
            kind, rest = ddl.split(" {name} ", 1)
            await engine.run_ddl(f"CREATE {kind} IF NOT EXISTS {name} {rest}")

    async def drop_user_and_indexes():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
        await engine.run_ddl('ALTER TABLE web_session DROP COLUMN "user"')

    manager.add_raw(add_user_and_indexes)
    manager.add_raw_backwards(drop_user_and_indexes)
    return manager
