"""Existing indicators that count whole units take no decimals: counts from the register and
units that are persons, families or households; the others keep 2."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from grants.tables.indicators import Indicator

ID = "2026-11-24T09:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "whole-unit indicators take no decimals"

# As in grants.results.indicators when this was written: kept here, so later edits there do
# not change what this migration did.
_REGISTER = ("participants", "households", "completed")
_WHOLE_UNIT_WORDS = (
    "person", "people", "participant", "famil", "household", "child", "cilvēk", "dalībniek",
    "ģimen", "mājsaimniec", "bērn", "jaunie",
)  # fmt: skip


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def whole_units():
        register = ", ".join("{}" for _ in _REGISTER)
        words = " OR ".join(
            "LOWER(unit_lv) LIKE {} OR LOWER(unit_en) LIKE {}" for _ in _WHOLE_UNIT_WORDS
        )
        await Indicator.raw(
            f"UPDATE indicator SET decimals = 0 WHERE aggregation IN ({register}) OR {words}",
            *_REGISTER,
            *(f"%{word}%" for word in _WHOLE_UNIT_WORDS for _ in range(2)),
        )

    manager.add_raw(whole_units)
    return manager
