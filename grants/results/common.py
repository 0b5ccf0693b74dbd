"""The ESF+ common indicators (Regulation (EU) 2021/1057, Annex I), counted from the register.

Codes are the Commission's (SFC2021): the regulation lists the indicators without codes, and
the Commission numbers them EECO01 (total participants) to EECO17 and EECR01 to EECR06.

Output indicators count each participant once, on the day they entered (a person who left and
came back is the same row, so counts once); result indicators count a participant's result on
the day of its stage: the exit date for "exit" (within 4 weeks of leaving), six calendar months
after it for "six_months". "refused" and an unrecorded "" count in no indicator, neither as a
yes nor as a no. Both are broken down by gender and by age group at entry.

Counted in SQL, two grouped queries per call whatever the size of the register: participants by
project, entry day, gender and age group with one sum per indicator, and results by project,
exit day, stage, gender and age group. Windows (a period, to date, a year) are then counted over
those few rows in Python.

Disability (EECO12) and minority (EECO15) are special-category data (GDPR Art. 9): even as
counts they are shown only to roles with `Action.READ_SPECIAL_CATEGORY`; others get them
withheld (no value, no breakdown), not as zero.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from piccolo.engine.sqlite import SQLiteEngine

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.dates import stored_date
from grants.core.errors import NotFound
from grants.core.translatable import N_
from grants.core.vocabulary import (
    AGE_GROUPS,
    GENDER_BREAKDOWN,
    GENDERS,
    Breakdown,
    Education,
    IndicatorKind,
    LabourStatus,
    ParticipantFlag,
    ParticipantOutcome,
    ResultStage,
)
from grants.db import first_or_not_found, write_transaction
from grants.projects.periods import add_months
from grants.projects.reading import project_dates
from grants.results.counting import ToDate
from grants.results.indicators import ONE
from grants.tables.participants import Participant
from grants.tables.periods import ReportingPeriod
from grants.tables.projects import Project

SIX_MONTHS = 6


@dataclass(frozen=True)
class CommonIndicator:
    """One common indicator: its code, English name (msgid), output or result, the counted
    column of the grouped rows, and for the age indicators the one age group it takes."""

    code: str
    name: str
    kind: str
    column: str
    age: str | None = None
    special: bool = False  # special-category data (GDPR Art. 9)
    stage: str | None = None  # result indicators: the stage they are counted at


def _output(code: str, name: str, column: str, **more: object) -> CommonIndicator:
    return CommonIndicator(code, name, IndicatorKind.OUTPUT, column, **more)


def _result(code: str, name: str, stage: str, column: str) -> CommonIndicator:
    return CommonIndicator(code, name, IndicatorKind.RESULT, column, stage=stage)


COMMON_INDICATORS: tuple[CommonIndicator, ...] = (
    _output("EECO01", N_("Total number of participants"), "total"),
    _output("EECO02", N_("Unemployed, including long-term unemployed"), "unemployed"),
    _output("EECO03", N_("Long-term unemployed"), "long_term_unemployed"),
    _output("EECO04", N_("Inactive"), "inactive"),
    _output("EECO05", N_("Employed, including self-employed"), "employed"),
    _output("EECO06", N_("Children below 18 years of age"), "total", age=AGE_GROUPS[0]),
    _output(
        "EECO07", N_("Young people between 18 and 29 years of age"), "total", age=AGE_GROUPS[1]
    ),
    _output("EECO08", N_("Participants of 55 years of age and above"), "total", age=AGE_GROUPS[3]),
    _output("EECO09", N_("With lower secondary education or less (ISCED 0–2)"), "isced_0_2"),
    _output(
        "EECO10",
        N_("With upper secondary (ISCED 3) or post-secondary education (ISCED 4)"),
        "isced_3_4",
    ),
    _output("EECO11", N_("With tertiary education (ISCED 5 to 8)"), "isced_5_8"),
    _output("EECO12", N_("Participants with disabilities"), "disability", special=True),
    _output("EECO13", N_("Third-country nationals"), "third_country_national"),
    _output("EECO14", N_("Participants with a foreign background"), "foreign_background"),
    _output(
        "EECO15",
        N_("Minorities (including marginalised communities such as the Roma)"),
        "minority",
        special=True,
    ),
    _output("EECO16", N_("Homeless or affected by housing exclusion"), "homeless"),
    _output("EECO17", N_("Participants from rural areas"), "rural"),
    _result(
        "EECR01", N_("Participants engaged in job searching upon leaving"), "exit", "job_searching"
    ),
    _result(
        "EECR02",
        N_("Participants in education or training upon leaving"),
        "exit",
        "education_training",
    ),
    _result(
        "EECR03", N_("Participants gaining a qualification upon leaving"), "exit", "qualification"
    ),
    _result(
        "EECR04",
        N_("Participants in employment, including self-employment, upon leaving"),
        "exit",
        "employed",
    ),
    _result(
        "EECR05",
        N_("Participants in employment, including self-employment, six months after leaving"),
        "six_months",
        "employed",
    ),
    _result(
        "EECR06",
        N_("Participants with an improved labour market situation six months after leaving"),
        "six_months",
        "better_situation",
    ),
)
BY_CODE = {indicator.code: indicator for indicator in COMMON_INDICATORS}
COMMON_CODES = tuple(BY_CODE)


def common_code(text: str | None) -> str | None:
    """The common indicator code `text` names ("eeco01 " is EECO01), or None."""
    code = (text or "").strip().upper()
    return code if code in BY_CODE else None


# The grouped rows -------------------------------------------------------------------------------


def _quoted(value: str) -> str:
    """A vocabulary value as an SQL literal (fixed machine names, never user text)."""
    assert value.replace("_", "").isalnum()
    return f"'{value}'"


def _has(column: str, value: str) -> str:
    """Whether a comma-separated column holds `value`."""
    return f"(',' || {column} || ',') LIKE '%,{value},%'"


# Output columns: name -> the condition on participant p.
_OUTPUT_CONDITIONS: dict[str, str] = {
    "unemployed": f"p.labour_status IN ({_quoted(LabourStatus.UNEMPLOYED)}, "
    f"{_quoted(LabourStatus.LONG_TERM_UNEMPLOYED)})",
    "long_term_unemployed": f"p.labour_status = {_quoted(LabourStatus.LONG_TERM_UNEMPLOYED)}",
    "inactive": f"p.labour_status = {_quoted(LabourStatus.INACTIVE)}",
    "employed": f"p.labour_status = {_quoted(LabourStatus.EMPLOYED)}",
    "labour_refused": f"p.labour_status = {_quoted(LabourStatus.REFUSED)}",
    "labour_missing": "p.labour_status = ''",
    "isced_0_2": f"p.education = {_quoted(Education.ISCED_0_2)}",
    "isced_3_4": f"p.education = {_quoted(Education.ISCED_3_4)}",
    "isced_5_8": f"p.education = {_quoted(Education.ISCED_5_8)}",
    "education_refused": f"p.education = {_quoted(Education.REFUSED)}",
    "education_missing": "p.education = ''",
    **{
        flag.value: _has("p.flags", flag.value)
        for flag in (
            ParticipantFlag.DISABILITY,
            ParticipantFlag.THIRD_COUNTRY_NATIONAL,
            ParticipantFlag.FOREIGN_BACKGROUND,
            ParticipantFlag.MINORITY,
            ParticipantFlag.HOMELESS,
            ParticipantFlag.RURAL,
        )
    },
}
_RESULT_CONDITIONS: dict[str, str] = {
    outcome.value: _has("r.outcomes", outcome.value)
    for outcome in (
        ParticipantOutcome.JOB_SEARCHING,
        ParticipantOutcome.EDUCATION_TRAINING,
        ParticipantOutcome.QUALIFICATION,
        ParticipantOutcome.EMPLOYED,
        ParticipantOutcome.BETTER_SITUATION,
    )
}


def _age_sql() -> str:
    """The ESF+ age group at entry (entry year − birth year), as `age_group` has it."""
    if isinstance(Participant._meta.db, SQLiteEngine):
        year = "CAST(strftime('%Y', p.entry_date) AS INTEGER)"
    else:
        year = "CAST(EXTRACT(YEAR FROM p.entry_date) AS INTEGER)"
    under_18, young, middle, older = (_quoted(group) for group in AGE_GROUPS)
    age = f"({year} - p.birth_year)"
    return (
        f"CASE WHEN {age} < 18 THEN {under_18} WHEN {age} < 30 THEN {young}"
        f" WHEN {age} < 55 THEN {middle} ELSE {older} END"
    )


def _sums(conditions: dict[str, str]) -> str:
    return ", ".join(
        f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {name}"
        for name, condition in conditions.items()
    )


def _outputs_sql(count: int) -> str:
    marks = ", ".join(["{}"] * count)
    return (
        f"SELECT p.project AS project, p.entry_date AS day, p.gender AS gender,"
        f" {_age_sql()} AS age, COUNT(*) AS total, {_sums(_OUTPUT_CONDITIONS)}"
        f" FROM participant p WHERE p.project IN ({marks})"
        " GROUP BY p.project, p.entry_date, p.gender, 4"
    )


def _results_sql(count: int) -> str:
    marks = ", ".join(["{}"] * count)
    return (
        f"SELECT p.project AS project, p.exit_date AS day, r.stage AS stage,"
        f" p.gender AS gender, {_age_sql()} AS age, {_sums(_RESULT_CONDITIONS)}"
        " FROM participant_result r JOIN participant p ON p.id = r.participant"
        f" WHERE p.project IN ({marks}) AND p.exit_date IS NOT NULL"
        " GROUP BY p.project, p.exit_date, r.stage, p.gender, 5"
    )


def _exits_sql(count: int) -> str:
    marks = ", ".join(["{}"] * count)
    return (
        f"SELECT p.project AS project, p.exit_date AS day, p.gender AS gender,"
        f" {_age_sql()} AS age, COUNT(*) AS total"
        f" FROM participant p WHERE p.project IN ({marks}) AND p.exit_date IS NOT NULL"
        " GROUP BY p.project, p.exit_date, p.gender, 4"
    )


@dataclass(frozen=True)
class Group:
    """Participants (or results) sharing a day, gender and age group, with their counts."""

    day: date
    gender: str  # breakdown category: women, men, non_binary
    age: str
    counts: dict[str, int]
    stage: str | None = None  # results only


@dataclass
class RegisterFacts:
    """A project's register, grouped: what every common indicator is counted from."""

    entered: list[Group] = field(default_factory=list)
    results: list[Group] = field(default_factory=list)
    left: list[Group] = field(default_factory=list)  # read only when asked (`exits=True`)


def _group(row: dict, names: Iterable[str], stage: str | None = None) -> Group:
    return Group(
        day=stored_date(row["day"]),
        gender=GENDER_BREAKDOWN.get(row["gender"], row["gender"]),
        age=row["age"],
        counts={name: int(row[name] or 0) for name in names},
        stage=stage,
    )


async def register_facts(
    project_ids: Iterable[int], *, exits: bool = False
) -> dict[int, RegisterFacts]:
    """Each project's register grouped for counting: two queries (three with `exits`) whatever
    the number of projects and participants. No access check: for the domain's callers."""
    ids = sorted(set(project_ids))
    facts = {pid: RegisterFacts() for pid in ids}
    if not ids:
        return facts
    outputs = ("total", *_OUTPUT_CONDITIONS)
    for row in await Participant.raw(_outputs_sql(len(ids)), *ids):
        facts[row["project"]].entered.append(_group(row, outputs))
    for row in await Participant.raw(_results_sql(len(ids)), *ids):
        stage = row["stage"]
        exit_day = stored_date(row["day"])
        group = _group(row, _RESULT_CONDITIONS, stage)
        if stage == ResultStage.SIX_MONTHS:
            group = Group(
                add_months(exit_day, SIX_MONTHS), group.gender, group.age, group.counts, stage
            )
        facts[row["project"]].results.append(group)
    if exits:
        for row in await Participant.raw(_exits_sql(len(ids)), *ids):
            facts[row["project"]].left.append(_group(row, ("total",)))
    return facts


# Counting ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """A count in persons with its breakdown: every gender and age group, zeros included."""

    value: int
    breakdown: dict[str, dict[str, int]]

    def hundredths(self) -> ToDate:
        """As an indicator's figure (hundredths), for progress."""
        return ToDate(
            value=self.value * ONE,
            breakdown={
                dimension: {category: n * ONE for category, n in categories.items()}
                for dimension, categories in self.breakdown.items()
            },
        )


def _within(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or start <= day) and (end is None or day <= end)


def count_groups(
    groups: Iterable[Group],
    column: str,
    start: date | None,
    end: date | None,
    *,
    age: str | None = None,
    stage: str | None = None,
) -> Count:
    """Σ `column` over the groups dated from `start` to `end` (either open), by gender and age."""
    genders = dict.fromkeys(GENDERS, 0)
    ages = dict.fromkeys(AGE_GROUPS, 0)
    for group in groups:
        if stage is not None and group.stage != stage:
            continue
        if (age is not None and group.age != age) or not _within(group.day, start, end):
            continue
        n = group.counts[column]
        if n:
            genders[group.gender] = genders.get(group.gender, 0) + n
            ages[group.age] = ages.get(group.age, 0) + n
    return Count(sum(genders.values()), {Breakdown.GENDER: genders, Breakdown.AGE: ages})


def count_common(facts: RegisterFacts, code: str, start: date | None, end: date | None) -> Count:
    """One common indicator over a window (dates included; either end open)."""
    indicator = BY_CODE[code]
    if indicator.kind == IndicatorKind.OUTPUT:
        return count_groups(facts.entered, indicator.column, start, end, age=indicator.age)
    return count_groups(facts.results, indicator.column, start, end, stage=indicator.stage)


# For a reader ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommonValue:
    """A common indicator as a reader sees it: to date (up to the period's end, or everything
    without a period) and in the period; both None when withheld from the reader."""

    code: str
    name: str  # msgid: translate on output
    kind: str
    special: bool
    withheld: bool
    to_date: Count | None
    period: Count | None


def may_see(principal: Principal, project_id: int, indicator: CommonIndicator) -> bool:
    return not indicator.special or principal.can(Action.READ_SPECIAL_CATEGORY, project_id)


def common_values(
    principal: Principal,
    project_id: int,
    facts: RegisterFacts,
    start: date | None,
    end: date | None,
    *,
    cumulative_from: date | None = None,
) -> list[CommonValue]:
    """Every common indicator over the window [start, end], and to date (from
    `cumulative_from`, by default the beginning, up to `end`)."""
    values = []
    for indicator in COMMON_INDICATORS:
        hidden = not may_see(principal, project_id, indicator)
        to_date = None if hidden else count_common(facts, indicator.code, cumulative_from, end)
        period = (
            None
            if hidden or (start is None and end is None)
            else count_common(facts, indicator.code, start, end)
        )
        values.append(
            CommonValue(
                indicator.code,
                indicator.name,
                indicator.kind,
                indicator.special,
                hidden,
                to_date,
                period,
            )
        )
    return values


@dataclass(frozen=True)
class CommonIndicators:
    """A project's common indicators as of a period (or over everything without one)."""

    period_id: int | None
    start: date | None
    end: date | None
    values: list[CommonValue]


async def common_indicators(
    principal: Principal, project_id: int, period_id: int | None = None
) -> CommonIndicators:
    """The project's ESF+ common indicators for the period and to its end, or to date without a
    period. Counts only, never persons; special categories withheld from roles that may not see
    them. NotFound for a period of another project."""
    await project_dates(project_id)
    principal.require(Action.READ, project_id)
    start = end = None
    if period_id is not None:
        row = await (
            ReportingPeriod.select(ReportingPeriod.start_date, ReportingPeriod.end_date)
            .where((ReportingPeriod.id == period_id) & (ReportingPeriod.project == project_id))
            .first()
        )
        if row is None:
            raise NotFound()
        start, end = row["start_date"], row["end_date"]
    facts = (await register_facts([project_id]))[project_id]
    values = common_values(principal, project_id, facts, start, end)
    return CommonIndicators(period_id, start, end, values)


@dataclass(frozen=True)
class ReportedRegister:
    """What the annual participant report is counted from: the project's code and title and
    its register grouped (with the exits)."""

    code: str
    title_lv: str
    title_en: str
    facts: RegisterFacts


async def register_for_report(principal: Principal, project_id: int, note: str) -> ReportedRegister:
    """The grouped register taken out of the system in a report: only for roles that read the
    register (AccessDenied otherwise; NotFound for an unknown project), recorded in the audit
    trail as an export with `note`."""
    project = await first_or_not_found(
        Project.select(Project.code, Project.title_lv, Project.title_en).where(
            Project.id == project_id
        )
    )
    principal.require(Action.READ_REGISTER, project_id)
    async with write_transaction():
        facts = (await register_facts([project_id], exits=True))[project_id]
        await audit.record(
            "export", "participant", None, actor=principal, project_id=project_id, note=note
        )
    return ReportedRegister(project["code"], project["title_lv"], project["title_en"], facts)
