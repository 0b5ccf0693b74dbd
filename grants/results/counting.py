"""Counting indicators from the participant register: persons, households, completed stays.

Person counts are not logged at all: they are counted from the participant register
(`grants.register.participants`) whenever progress is shown.
"""

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from grants.core.vocabulary import (
    GENDER_BREAKDOWN,
    Aggregation,
    Breakdown,
)
from grants.db import marks
from grants.register.participants import age_group, stayed_months
from grants.results.indicators import DEFAULT_MIN_STAY_MONTHS, ONE
from grants.tables.participants import Participant

# Counting from the register ---------------------------------------------------------------------


@dataclass(frozen=True)
class ToDate:
    """A figure to date with its parts (percentages) and its breakdown, in hundredths."""

    value: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    breakdown: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Unit:
    """One person or household an indicator counts, from the day it counts."""

    day: date
    gender: str | None = None  # breakdown category; None for households
    age: str | None = None


async def register_people(project_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Each project's participants, with what the counts need, in one query."""
    ids = list(project_ids)
    people: dict[int, list[dict]] = {pid: [] for pid in ids}
    if ids:
        for person in await Participant.raw(
            "SELECT project, gender, birth_year, entry_date, exit_date, household, target_group"
            f" FROM participant WHERE project IN ({marks(ids)})",
            *ids,
        ):
            people[person["project"]].append(person)
    return people


def register_units(indicator: dict, people: list[dict]) -> list[_Unit]:
    """What the indicator counts, each once, dated by when it starts to count:

    participants: every participant (a code is a person, so a returning person counts once),
    from their entry; completed: participants whose stay from entry to exit lasted at least
    `min_stay_months` calendar months, from their exit; households: each non-empty household
    code once, from its first member's entry, or, with `min_stay_months`, only households with
    at least one member who completed such a stay, from the first such exit. The indicator's
    target group, if any, limits the participants looked at.
    """
    group = indicator["target_group"].casefold()
    chosen = [p for p in people if not group or p["target_group"].casefold() == group]
    aggregation, months = indicator["aggregation"], indicator["min_stay_months"]
    if aggregation == Aggregation.PARTICIPANTS:
        return [_person(p, p["entry_date"]) for p in chosen]
    if aggregation == Aggregation.COMPLETED:
        months = DEFAULT_MIN_STAY_MONTHS if months is None else months
        return [_person(p, p["exit_date"]) for p in chosen if _completed(p, months)]
    first: dict[str, date] = {}
    for person in chosen:
        key = person["household"].strip().casefold()
        day = person["exit_date"] if months is not None else person["entry_date"]
        if key and (months is None or _completed(person, months)):
            first[key] = min(first.get(key, day), day)
    return [_Unit(day) for day in first.values()]


def _completed(person: dict, months: int) -> bool:
    return stayed_months(person["entry_date"], person["exit_date"], months)


def _person(person: dict, day: date) -> _Unit:
    return _Unit(
        day,
        GENDER_BREAKDOWN.get(person["gender"]),
        age_group(person["birth_year"], person["entry_date"]),
    )


def count_units(units: list[_Unit], start: date | None, end: date | None) -> ToDate:
    """The units counting from `start` to `end` (either open), with their breakdown in
    hundredths; complete by construction, since every person has a gender and an age."""
    counted = [u for u in units if (not start or start <= u.day) and (not end or u.day <= end)]
    breakdown = {
        Breakdown.GENDER: _hundredths(Counter(u.gender for u in counted if u.gender)),
        Breakdown.AGE: _hundredths(Counter(u.age for u in counted if u.age)),
    }
    return ToDate(value=len(counted) * ONE, breakdown=breakdown)


def counts_to(units: list[_Unit], ends: list[date]) -> list[int]:
    """How many units count up to each end date, in hundredths: one sort and a search per
    date, not a pass over every unit per date (a sparkline has a point per period)."""
    days = sorted(u.day for u in units)
    return [bisect_right(days, end) * ONE for end in ends]


def _hundredths(counts: Counter) -> dict[str, int]:
    return {category: count * ONE for category, count in counts.items()}
