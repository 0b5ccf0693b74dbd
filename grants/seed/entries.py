"""Demo values of a typed indicator, with their gender and age breakdowns, for the tour.

PROTI un DARI 2.0's N1 "NEET young people engaged" (target 39, seed 001) is logged per period,
not counted from a register. From the documents: the target, the ages (15–29, so only the first
two age groups) and that in 2024 mentors were still being sought (seed 001), read here as
nobody engaged in the first two periods. Every figure after that is illustrative (demo, not
from the seeds): 23 young people in periods 3–9, 11 women and 12 men, 6 under 18 and 17 aged
18–29, each period's breakdowns adding up to its value. The current period is left for the
tour to log.
"""

from dataclasses import dataclass

from grants.core.vocabulary import AGE_GROUPS, GENDERS, LOCKED_PERIOD_STATUSES
from grants.results.entries import EntryInput, log_entry
from grants.results.indicators import breakdown_dimensions
from grants.seed.data import SEED_PRINCIPAL
from grants.tables.indicators import Indicator, IndicatorEntry
from grants.tables.periods import ReportingPeriod

PROTI = "4.2.3.4/1/24/I/001"
INDICATOR = "N1"
_MENTORS = "2024. gadā vēl tika meklēti mentori; jaunieši vēl nebija iesaistīti."


@dataclass(frozen=True)
class SeedEntry:
    period: int  # the period's number
    women: int
    men: int
    under_18: int
    aged_18_29: int
    comment: str = ""

    @property
    def value(self) -> int:
        return self.women + self.men

    def breakdown(self) -> dict[str, dict[str, str]]:
        """Every category, the empty ones as 0, so that each dimension adds up to the value."""
        gender = dict.fromkeys(GENDERS, "0") | {"women": str(self.women), "men": str(self.men)}
        age = dict.fromkeys(AGE_GROUPS, "0") | {
            "under_18": str(self.under_18),
            "18_29": str(self.aged_18_29),
        }
        return {"gender": gender, "age": age}


# (period, women, men, under 18, 18–29)
N1_ENTRIES = [
    SeedEntry(1, 0, 0, 0, 0, _MENTORS),
    SeedEntry(2, 0, 0, 0, 0, _MENTORS),
    SeedEntry(3, 1, 1, 1, 1),
    SeedEntry(4, 2, 2, 1, 3),
    SeedEntry(5, 1, 2, 0, 3),
    SeedEntry(6, 3, 2, 2, 3),
    SeedEntry(7, 2, 1, 1, 2),
    SeedEntry(8, 1, 3, 1, 3),
    SeedEntry(9, 1, 1, 0, 2),
]


async def load_entries(project_ids_by_code: dict[str, int]) -> int:
    """Log N1's values unless it already has any, lacks the gender and age breakdowns (a demo
    loaded before they were added) or one of their periods is locked; how many were logged."""
    project_id = project_ids_by_code.get(PROTI)
    if project_id is None:
        return 0
    indicator = (
        await Indicator.select(Indicator.id, Indicator.breakdowns)
        .where((Indicator.project == project_id) & (Indicator.code == INDICATOR))
        .first()
    )
    if (
        indicator is None
        or set(breakdown_dimensions(indicator["breakdowns"])) != {"gender", "age"}
        or await IndicatorEntry.exists().where(IndicatorEntry.indicator == indicator["id"])
    ):
        return 0
    rows = await ReportingPeriod.select(
        ReportingPeriod.id, ReportingPeriod.number, ReportingPeriod.status
    ).where(ReportingPeriod.project == project_id)
    periods = {row["number"]: row for row in rows}
    wanted = [periods.get(entry.period) for entry in N1_ENTRIES]
    if any(row is None or row["status"] in LOCKED_PERIOD_STATUSES for row in wanted):
        return 0
    for entry in N1_ENTRIES:
        await log_entry(
            SEED_PRINCIPAL,
            indicator["id"],
            EntryInput(
                period_id=periods[entry.period]["id"],
                value=str(entry.value),
                breakdown=entry.breakdown(),
                comment=entry.comment,
            ),
        )
    return len(N1_ENTRIES)
