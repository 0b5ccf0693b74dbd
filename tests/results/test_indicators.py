"""Indicators and their values: definitions, logging per period, superseding, and progress."""

import dataclasses
import json
from decimal import Decimal

import pytest

from grants.core.access import AccessDenied
from grants.core.errors import NotFound
from grants.core.vocabulary import ProjectStatus, RecordState, Role
from grants.projects.periods import list_periods, submit
from grants.register.participants import add_participant, update_participant
from grants.results.entries import EntryInput, entry_history, log_entry
from grants.results.indicators import (
    IndicatorInput,
    MilestoneRow,
    create_indicator,
    get_indicator,
    update_indicator,
)
from grants.results.progress import BreakdownTotal, indicator_progress
from grants.tables.audit import AuditEvent
from grants.tables.indicators import Indicator, IndicatorEntry, Milestone
from grants.tables.projects import Project
from tests.builders import person, project, result_indicators
from tests.helpers import (
    CONNECTINGEN,
    FAMILIES,
    count_queries,
    d,
    principal,
    project_id,
    refusal,
)

# FAMILIES: 01.01.2026–31.12.2027, quarterly; with `results`, R1 (12 families), R2 (48 persons)


@pytest.fixture
async def results(families: int) -> int:
    """`families` with the demo's R1 and R2, counted from the register."""
    await result_indicators(families)
    return families


async def periods(code: str = FAMILIES) -> list[int]:
    rows = await list_periods(await principal(Role.ADMIN), await project_id(code))
    return [row.id for row in rows]


async def indicator_id(code: str) -> int:
    pid = await project_id(FAMILIES)
    row = await (
        Indicator.select(Indicator.id)
        .where((Indicator.project == pid) & (Indicator.code == code))
        .first()
    )
    return row["id"]


async def new_indicator(code: str, **fields) -> int:
    data = IndicatorInput(code=code, name=f"Rādītājs {code}", **fields)
    return (
        await create_indicator(await principal(Role.COORDINATOR), await project_id(FAMILIES), data)
    ).id


async def log(indicator: int, period: int, value: str | None = None, **fields):
    data = EntryInput(period_id=period, value=value, **fields)
    return await log_entry(await principal(Role.COORDINATOR), indicator, data)


async def families_sum(code: str = "F1") -> int:
    """A typed indicator like R1 used to be ("12 families", summed per period): the seed's R1
    and R2 are counted from the register now."""
    return await new_indicator(code, target="12", target_rule="exactly")


async def submitted(*period_ids: int) -> None:
    """Submit the periods: "previously reported" counts only submitted or approved ones."""
    for period_id in period_ids:
        await submit(await principal(Role.ADMIN), period_id)


async def progress(period: int | None = None) -> dict:
    rows = await indicator_progress(
        await principal(Role.VIEWER), await project_id(FAMILIES), period
    )
    return {row.code: row for row in rows}


async def audit_events(entity: str) -> list[dict]:
    return await AuditEvent.select().where(AuditEvent.entity == entity).order_by(AuditEvent.id)


async def not_editors() -> list:
    """The project's viewer, finance and auditor, who read but do not edit its results, and a
    coordinator of no project."""
    readers = [await principal(role) for role in (Role.VIEWER, Role.FINANCE, Role.AUDITOR)]
    return [
        *readers,
        dataclasses.replace(await principal(Role.COORDINATOR), project_ids=frozenset()),
    ]


def fields(refused) -> list[str | None]:
    return [problem.field for problem in refused.problems]


# Defining indicators ----------------------------------------------------------------------------


async def test_a_coordinator_defines_an_indicator_with_breakdowns_and_milestones(results):
    coordinator = await principal(Role.COORDINATOR)
    pid = await project_id(FAMILIES)
    data = IndicatorInput(
        code=" R3 ",
        name="Konsultācijas",
        name_en="Consultations",
        unit="konsultācijas",
        unit_en="consultations",
        target="1 234,5",
        baseline="0",
        target_rule="at_least",
        aggregation="sum",
        vocabulary="project",
        kind="output",
        breakdowns=["age", "gender"],
        milestones=[("2027-12-31", "1 000"), ("30.06.2026", "300")],
    )
    before = len(await audit_events("indicator"))
    created = await create_indicator(coordinator, pid, data)
    assert (created.code, created.name_lv, created.target_hundredths) == (
        "R3",
        "Konsultācijas",
        123450,
    )
    assert (created.baseline_hundredths, created.position, created.project_id) == (0, 2, pid)
    assert created.breakdowns == ("gender", "age")
    assert created.milestones == (
        MilestoneRow(d("2026-06-30"), 30000),
        MilestoneRow(d("2027-12-31"), 100000),
    )
    stored = await Indicator.select().where(Indicator.id == created.id).first()
    assert stored["breakdowns"] == "gender,age"
    assert await get_indicator(await principal(Role.VIEWER), created.id) == created
    [event] = (await audit_events("indicator"))[before:]
    assert (event["action"], event["entity_id"], event["actor"]) == (
        "create",
        created.id,
        coordinator.email,
    )
    assert json.loads(event["after"])["milestones"][0] == {
        "due_date": "2026-06-30",
        "value_hundredths": 30000,
    }


async def test_an_indicator_with_every_mistake_is_refused_with_every_problem(families):
    pid = await project_id(FAMILIES)
    typed = {  # every field wrong, as a form or the API would send it
        "code": "",
        "name": " ",
        "target": "12 €",
        "baseline": "-1",
        "target_rule": "more_or_less",
        "aggregation": "average",
        "vocabulary": "esf",
        "kind": "impact",
        "breakdowns": ["gender", "income"],
        "milestones": [("31.12.2025", "3"), ("31.02.2026", "4"), ("", "5"), ("30.06.2026", "")],
    }
    data = IndicatorInput(**typed)
    indicators = await Indicator.count()
    refused = await refusal(create_indicator(await principal(Role.ADMIN), pid, data))
    assert not refused.conflict
    assert fields(refused) == [
        "code",
        "name",
        "aggregation",
        "target_rule",
        "target",
        "breakdowns",
        "baseline",
        "vocabulary",
        "kind",
        "milestones.0.date",
        "milestones.1.date",
        "milestones.2.date",
        "milestones.3.value",
    ]
    problems = {p.field: p for p in refused.problems}
    assert problems["aggregation"].params == {
        "value": "average",
        "allowed": "completed, cumulative, households, participants, percentage, sum",
    }
    assert (
        problems["baseline"].english() == "“-1” is negative; a negative number is not allowed here."
    )
    assert problems["milestones.0.date"].english() == (
        "The date 31.12.2025 is outside the project period 01.01.2026–31.12.2027."
    )
    assert await Indicator.count() == indicators
    assert await Milestone.count() == 0
    assert await audit_events("indicator") == []


async def test_targets_must_suit_the_rule_and_percentages_stay_within_100(families):
    pid = await project_id(FAMILIES)
    admin = await principal(Role.ADMIN)
    refused = await refusal(
        create_indicator(admin, pid, IndicatorInput("P", "P", target="5", target_rule="none"))
    )
    assert fields(refused) == ["target"]
    refused = await refusal(
        create_indicator(
            admin, pid, IndicatorInput("P", "P", target="100,01", aggregation="percentage")
        )
    )
    assert fields(refused) == ["target"]


async def test_a_duplicate_code_is_a_conflict_whatever_its_case(results):
    pid = await project_id(FAMILIES)
    refused = await refusal(
        create_indicator(await principal(Role.ADMIN), pid, IndicatorInput("r1", "Again"))
    )
    assert refused.conflict
    [problem] = refused.problems
    assert (problem.field, problem.params) == ("code", {"code": "r1"})
    # The same code in another project is fine.
    other = await project(CONNECTINGEN)
    assert (
        await create_indicator(await principal(Role.ADMIN), other, IndicatorInput("R1", "R1"))
    ).id


async def test_only_coordinators_and_admins_of_the_project_define_indicators(families):
    pid = await project_id(FAMILIES)
    data = IndicatorInput("R9", "R9")
    for nobody in await not_editors():
        with pytest.raises(AccessDenied):
            await create_indicator(nobody, pid, data)
    with pytest.raises(NotFound):
        await create_indicator(await principal(Role.COORDINATOR), 999_999, data)
    assert (await create_indicator(await principal(Role.ADMIN), pid, data)).code == "R9"


async def test_updating_replaces_the_milestones_and_records_before_and_after(results):
    r1 = await indicator_id("R1")
    no_contract = {Project.status: ProjectStatus.APPROVED}  # so the targets change directly
    await Project.update(no_contract).where(Project.id == await project_id(FAMILIES))
    coordinator = await principal(Role.COORDINATOR)
    first = IndicatorInput(
        "R1", "Ģimenes", target="12", target_rule="exactly", milestones=[("31.12.2026", "6")]
    )
    await update_indicator(coordinator, r1, first)
    changed = await update_indicator(
        coordinator,
        r1,
        dataclasses.replace(
            first, target="14", milestones=[("30.06.2027", "10")], breakdowns=["gender"]
        ),
    )
    assert (changed.code, changed.target_hundredths, changed.breakdowns) == (
        "R1",
        1400,
        ("gender",),
    )
    assert changed.milestones == (MilestoneRow(d("2027-06-30"), 1000),)
    assert await Milestone.count().where(Milestone.indicator == r1) == 1
    last = (await audit_events("indicator"))[-1]
    assert last["action"] == "update"
    before, after = json.loads(last["before"]), json.loads(last["after"])
    assert (before["target_hundredths"], after["target_hundredths"]) == (1200, 1400)
    assert before["milestones"] == [{"due_date": "2026-12-31", "value_hundredths": 600}]
    assert (before["breakdowns"], after["breakdowns"]) == ([], ["gender"])


async def test_updating_refuses_a_taken_code_and_a_new_aggregation_once_values_exist(results):
    r2 = await indicator_id("R2")
    admin = await principal(Role.ADMIN)
    refused = await refusal(update_indicator(admin, r2, IndicatorInput("R1", "Personas")))
    assert refused.conflict and fields(refused) == ["code"]
    f1 = await families_sum()
    await log(f1, (await periods())[0], "1")
    for aggregation in ("cumulative", "participants"):
        refused = await refusal(
            update_indicator(admin, f1, IndicatorInput("F1", "F", aggregation=aggregation))
        )
        assert fields(refused) == ["aggregation"]
    assert (await get_indicator(admin, f1)).aggregation == "sum"
    with pytest.raises(NotFound):
        await update_indicator(admin, 999_999, IndicatorInput("X", "X"))


# Logging values ---------------------------------------------------------------------------------


async def test_logging_a_value_and_superseding_it_keeps_the_history(families):
    r1 = await families_sum()
    p1 = (await periods())[0]
    first = await log(r1, p1, "3", comment="Three families", evidence_ref="Akts 1/2026")
    assert (first.value_hundredths, first.state, first.breakdown_complete) == (300, "current", True)
    assert (first.comment, first.evidence_ref) == ("Three families", "Akts 1/2026")
    assert first.created_by_email == "coordinator@tukums.demo"
    second = await log(r1, p1, "4,5")
    history = await entry_history(await principal(Role.AUDITOR), r1, p1)
    assert [(e.id, e.value_hundredths, e.state) for e in history] == [
        (second.id, 450, RecordState.CURRENT),
        (first.id, 300, RecordState.SUPERSEDED),
    ]
    assert (await progress(p1))["F1"].this_period == 450
    events = await audit_events("indicator_entry")
    assert [(e["action"], e["entity_id"]) for e in events] == [
        ("create", first.id),
        ("update", second.id),
    ]
    assert json.loads(events[1]["before"])["value_hundredths"] == 300
    assert json.loads(events[1]["after"])["value_hundredths"] == 450


async def test_a_breakdown_that_does_not_add_up_is_stored_and_flagged(families):
    r3 = await new_indicator("R3", breakdowns=["gender", "age"])
    p1 = (await periods())[0]
    entry = await log(
        r3,
        p1,
        "5",
        breakdown={
            "gender": {"women": "3", "men": "2", "non_binary": ""},
            "age": {"30_54": "4"},
        },
    )
    assert entry.breakdown == {"gender": {"women": 300, "men": 200}, "age": {"30_54": 400}}
    assert (entry.breakdown_complete, entry.breakdown_differences) == (False, {"age": 100})
    row = await IndicatorEntry.select(IndicatorEntry.breakdown).where(IndicatorEntry.id == entry.id)
    assert json.loads(row[0]["breakdown"]) == entry.breakdown
    missing = await log(r3, p1, "2")  # no breakdown at all: both dimensions are short
    assert missing.breakdown_differences == {"gender": 200, "age": 200}
    assert (await log(r3, p1, "0")).breakdown_complete


async def test_a_value_with_every_mistake_is_refused_and_nothing_is_written(families):
    r3 = await new_indicator("R3", breakdowns=["gender"])
    p1 = (await periods())[0]
    await project(CONNECTINGEN)
    data = EntryInput(
        period_id=(await periods(CONNECTINGEN))[0],
        value="-1",
        breakdown={"gender": {"women": "x", "kids": "1"}, "income": {"low": "1"}},
        evidence_ref="E" * 256,
        attachment_id=999_999,
    )
    entries, events = await IndicatorEntry.count(), len(await AuditEvent.select())
    refused = await refusal(log_entry(await principal(Role.COORDINATOR), r3, data))
    assert not refused.conflict
    assert fields(refused) == [
        "period_id",
        "value",
        "breakdown.gender.women",
        "breakdown.gender.kids",
        "breakdown.income",
        "evidence_ref",
        "attachment_id",
    ]
    refused = await refusal(log(r3, p1, None))
    assert [(p.field, p.message) for p in refused.problems] == [("value", "Enter a number.")]
    refused = await refusal(log(r3, p1, "12 persons"))
    assert fields(refused) == ["value"]
    assert await IndicatorEntry.count() == entries
    assert len(await AuditEvent.select()) == events


async def test_a_locked_period_refuses_values_as_a_conflict(families):
    r1 = await families_sum()
    p1 = (await periods())[0]
    await log(r1, p1, "3")
    await submit(await principal(Role.COORDINATOR), p1)
    entries, events = await IndicatorEntry.count(), len(await AuditEvent.select())
    refused = await refusal(log(r1, p1, "4"))
    assert refused.conflict
    [problem] = refused.problems
    assert problem.field == "period_id"
    assert problem.english() == "The period 01.01.2026–31.03.2026 is submitted and locked."
    assert await IndicatorEntry.count() == entries
    assert len(await AuditEvent.select()) == events
    assert (await progress(p1))["F1"].this_period == 300


async def test_a_percentage_needs_a_numerator_and_a_denominator_that_make_sense(families):
    share = await new_indicator("S1", aggregation="percentage", target="80")
    p1 = (await periods())[0]
    refused = await refusal(log(share, p1))
    assert fields(refused) == ["numerator", "denominator"]
    refused = await refusal(log(share, p1, numerator="0", denominator="0"))
    assert fields(refused) == ["denominator"]
    refused = await refusal(log(share, p1, numerator="301", denominator="300"))
    assert fields(refused) == ["numerator"]
    entry = await log(share, p1, numerator="109", denominator="300")
    assert (entry.numerator_hundredths, entry.denominator_hundredths) == (10900, 30000)
    assert entry.value_hundredths == 3633  # 36,33 %


async def test_register_counted_indicators_take_no_typed_values(families):
    pid = families
    counted = (
        await Indicator.insert(
            Indicator(
                project=pid, code="U1", name_lv="Unikālas personas", aggregation="participants"
            )
        )
    )[0]["id"]
    refused = await refusal(log(counted, (await periods())[0], "3"))
    assert [p.message for p in refused.problems] == [
        "This indicator is counted from the participant register."
    ]
    row = (await progress())["U1"]  # an empty register counts nobody
    assert (row.to_date, row.this_period, row.breakdown) == (0, None, [])
    assert {value for _, value in row.series} == {0}


async def test_who_may_log_values(families):
    r1 = await families_sum()
    p1 = (await periods())[0]
    data = EntryInput(period_id=p1, value="1")
    for nobody in await not_editors():
        with pytest.raises(AccessDenied):
            await log_entry(nobody, r1, data)
    assert await IndicatorEntry.count() == 0
    assert (await log_entry(await principal(Role.ADMIN), r1, data)).value_hundredths == 100
    with pytest.raises(NotFound):
        await log_entry(await principal(Role.COORDINATOR), 999_999, data)
    stranger = dataclasses.replace(await principal(Role.VIEWER), project_ids=frozenset())
    with pytest.raises(AccessDenied):
        await entry_history(stranger, r1, p1)


# Progress ---------------------------------------------------------------------------------------


async def test_sum_indicators_add_up_the_periods(families):
    r1 = await families_sum()
    await families_sum("F2")  # nothing logged
    p1, p2, p3, *_ = await periods()
    await log(r1, p1, "3")
    await log(r1, p2, "4")
    await log(r1, p3, "2")
    await submitted(p1)
    line = (await progress(p2))["F1"]
    assert (line.target_hundredths, line.target_rule) == (1200, "exactly")
    assert (line.previously, line.this_period, line.to_date) == (300, 400, 700)
    assert line.percent_of_target == Decimal("58.3")  # 7 / 12 = 58,33 %
    assert line.series == [(d("2026-03-31"), 300), (d("2026-06-30"), 700)]
    assert line.entry.value_hundredths == 400
    first = (await progress(p1))["F1"]
    assert (first.previously, first.this_period, first.to_date) == (None, 300, 300)
    whole = (await progress())["F1"]
    assert (whole.previously, whole.this_period, whole.to_date, whole.entry) == (
        None,
        None,
        900,
        None,
    )
    assert whole.percent_of_target == Decimal("75.0")
    assert [value for _, value in whole.series] == [300, 700, 900, 900, 900, 900, 900, 900]
    nothing = (await progress(p2))["F2"]
    assert (nothing.to_date, nothing.percent_of_target, nothing.previously) == (None, None, None)


async def test_cumulative_takes_the_latest_period_value_even_when_typed_later(families):
    level = await new_indicator("C1", aggregation="cumulative", target="10")
    p1, p2, p3, *_ = await periods()
    await log(level, p2, "6")
    await log(level, p1, "4")  # back-dated: typed after P2, but P2 is later
    await submitted(p1)
    line = (await progress(p2))["C1"]
    assert (line.previously, line.this_period, line.to_date) == (400, 600, 600)
    assert line.percent_of_target == Decimal("60.0")
    assert (await progress(p3))["C1"].to_date == 600  # nothing in P3: the latest value stays
    await log(level, p2, "7")  # a correction supersedes
    assert (await progress())["C1"].to_date == 700
    assert [value for _, value in (await progress(p3))["C1"].series] == [400, 700, 700]


async def test_percentage_is_the_sum_of_numerators_over_the_sum_of_denominators(families):
    share = await new_indicator("S1", aggregation="percentage", target="80")
    p1, p2, *_ = await periods()
    await log(share, p1, numerator="109", denominator="300")  # 36,33 %
    await log(share, p2, numerator="154", denominator="331")  # 46,53 %
    await submitted(p1)
    line = (await progress(p2))["S1"]
    assert (line.numerator_to_date, line.denominator_to_date) == (26300, 63100)
    assert line.to_date == 4168  # 263 / 631 = 41,68 %, not (36,33 + 46,53) / 2 = 41,43 %
    assert (line.previously, line.this_period) == (3633, 4653)
    assert line.percent_of_target == Decimal("52.1")  # 41,68 of 80


async def test_the_breakdown_to_date_adds_up_categories_and_says_when_it_is_short(families):
    r3 = await new_indicator("R3", breakdowns=["gender"])
    p1, p2, *_ = await periods()
    await log(r3, p1, "5", breakdown={"gender": {"women": "3", "men": "2"}})
    await log(r3, p2, "4", breakdown={"gender": {"women": "1"}})
    [gender] = (await progress(p2))["R3"].breakdown
    assert gender.dimension == "gender"
    assert gender.categories == {"women": 400, "men": 200, "non_binary": 0}
    assert (gender.total, gender.difference, gender.complete) == (900, 300, False)
    [gender] = (await progress(p1))["R3"].breakdown
    assert (gender.total, gender.difference, gender.complete) == (500, 0, True)


async def test_the_milestone_shown_is_the_latest_due_by_the_period(families):
    await new_indicator("M1", target="12", milestones=[("30.06.2026", "6"), ("31.12.2027", "12")])
    p1, p2, *_, p8 = await periods()
    assert (await progress(p1))["M1"].milestone is None
    assert (await progress(p2))["M1"].milestone == MilestoneRow(d("2026-06-30"), 600)
    assert (await progress(p8))["M1"].milestone == MilestoneRow(d("2027-12-31"), 1200)


async def test_progress_keeps_the_indicators_in_position_order_and_checks_access(results):
    await new_indicator("A0")
    pid = await project_id(FAMILIES)
    rows = await indicator_progress(await principal(Role.AUDITOR), pid)
    assert [row.code for row in rows] == ["R1", "R2", "A0"]
    stranger = dataclasses.replace(await principal(Role.VIEWER), project_ids=frozenset())
    with pytest.raises(AccessDenied):
        await indicator_progress(stranger, pid)
    await project(CONNECTINGEN)
    other_period = (await periods(CONNECTINGEN))[0]
    with pytest.raises(NotFound):
        await indicator_progress(await principal(Role.ADMIN), pid, other_period)


async def test_progress_runs_the_same_queries_for_two_indicators_or_six(results, monkeypatch):
    p1, p2, *_ = await periods()
    for code in ("F1", "F2"):
        await log(await families_sum(code), p1, "1")
    viewer = await principal(Role.VIEWER)
    pid = await project_id(FAMILIES)
    queries = count_queries(monkeypatch)
    await indicator_progress(viewer, pid, p2)
    few = len(queries)
    monkeypatch.undo()
    for code in ("X1", "X2", "X3", "X4"):
        await log(await new_indicator(code, breakdowns=["age"]), p1, "2")
    queries = count_queries(monkeypatch)
    assert len(await indicator_progress(viewer, pid, p2)) == 8
    assert len(queries) == few


async def test_percent_of_target_of_a_percentage_is_not_rounded_twice(families):
    share = await new_indicator("S2", aggregation="percentage", target="60")
    p1 = (await periods())[0]
    await log(share, p1, numerator="5", denominator="7")
    line = (await progress(p1))["S2"]
    assert line.to_date == 7143  # 71,43 % shown
    assert line.percent_of_target == Decimal("119.0")  # 71,428…/60, not 71,43/60 = 119,05


# Counted from the register ----------------------------------------------------------------------


async def enter(*rows) -> list[int]:
    """Participants of 4.4.1.1./2/004, entered by its coordinator; their ids."""
    coordinator, pid = await principal(Role.COORDINATOR), await project_id(FAMILIES)
    return [(await add_participant(coordinator, pid, row)).id for row in rows]


def totals(line) -> dict[str, dict[str, int]]:
    return {b.dimension: b.categories for b in line.breakdown}


async def test_register_counted_indicators_are_defined_with_their_rules(families):
    admin = await principal(Role.ADMIN)
    pid = await project_id(FAMILIES)
    persons = await create_indicator(
        admin,
        pid,
        IndicatorInput("P", "Personas", aggregation="participants", breakdowns=["gender"]),
    )
    assert (persons.breakdowns, persons.min_stay_months, persons.target_group) == (
        ("gender", "age"),  # ESF+ asks for both, always
        None,
        "",
    )
    completed = await create_indicator(
        admin, pid, IndicatorInput("C", "Pabeiguši", aggregation="completed", target_group=" GRT ")
    )
    assert (completed.min_stay_months, completed.target_group) == (3, "grt")
    half_year = await create_indicator(
        admin, pid, IndicatorInput("C6", "Pusgads", aggregation="completed", min_stay_months="6")
    )
    assert half_year.min_stay_months == 6
    families = await create_indicator(
        admin,
        pid,
        IndicatorInput("H", "Ģimenes", aggregation="households", min_stay_months=" 3 "),
    )
    assert (families.breakdowns, families.min_stay_months) == ((), 3)
    after = json.loads((await audit_events("indicator"))[-1]["after"])
    assert (after["aggregation"], after["min_stay_months"], after["target_group"]) == (
        "households",
        3,
        "",
    )
    assert await get_indicator(admin, families.id) == families
    refused = await refusal(log(families.id, (await periods())[0], "1"))
    assert refused.problems[0].message == (
        "This indicator is counted from the participant register."
    )


async def test_register_rules_are_refused_where_they_do_not_belong(families):
    admin = await principal(Role.ADMIN)
    pid = await project_id(FAMILIES)
    cases = [
        ({"min_stay_months": "3"}, "min_stay_months"),
        ({"aggregation": "participants", "min_stay_months": "3"}, "min_stay_months"),
        ({"target_group": "children"}, "target_group"),
        ({"aggregation": "completed", "min_stay_months": "3 months"}, "min_stay_months"),
        ({"aggregation": "completed", "min_stay_months": "-1"}, "min_stay_months"),
        ({"aggregation": "households", "breakdowns": ["gender"]}, "breakdowns"),
        ({"aggregation": "households", "target_group": "G" * 51}, "target_group"),
    ]
    count = await Indicator.count()
    for typed, field in cases:
        refused = await refusal(create_indicator(admin, pid, IndicatorInput("X", "X", **typed)))
        assert fields(refused) == [field], typed
    assert refused.problems[0].params == {"max": "50"}
    assert await Indicator.count() == count


async def test_participants_are_counted_once_from_their_entry_with_breakdowns(families):
    p1, p2, p3, p4, *_ = await periods()
    await submitted(p1)
    await new_indicator("P", aggregation="participants", target="48")
    await new_indicator("PC", aggregation="participants", target_group="children")
    _, b, _, _ = await enter(
        person("A", "female", "1990", "15.01.2026", target_group="children"),
        person("B", "male", "2010", "20.03.2026", "30.04.2026", target_group="children"),
        person("C", "non-binary", "1960", "10.05.2026", target_group="grt"),
        person("D", "female", "2008", "01.10.2026"),  # 18 at entry
    )
    line = (await progress(p2))["P"]
    assert (line.previously, line.this_period, line.to_date) == (200, 100, 300)
    assert totals(line) == {
        "gender": {"women": 100, "men": 100, "non_binary": 100},
        "age": {"under_18": 100, "18_29": 0, "30_54": 100, "55_plus": 100},
    }
    assert all(b.complete and b.total == 300 for b in line.breakdown)
    assert line.entry is None
    # B comes back: the same record, an open stay again; still one person.
    await update_participant(
        await principal(Role.COORDINATOR),
        b,
        person("B", "male", "2010", "20.03.2026", target_group="children"),
    )
    whole = (await progress())["P"]
    assert (whole.previously, whole.this_period, whole.to_date) == (None, None, 400)
    assert [value for _, value in whole.series] == [200, 300, 300, 400, 400, 400, 400, 400]
    assert whole.percent_of_target == Decimal("8.3")  # 4 of 48
    assert totals(whole)["age"] == {"under_18": 100, "18_29": 100, "30_54": 100, "55_plus": 100}
    assert (await progress(p3))["P"].this_period == 0
    assert (await progress(p4))["P"].this_period == 100
    children = (await progress())["PC"]
    assert (children.to_date, totals(children)["gender"]) == (
        200,
        {"women": 100, "men": 100, "non_binary": 0},
    )


async def test_a_completed_stay_lasts_the_minimum_months_and_counts_at_exit(families):
    p1, p2, p3, p4, *_ = await periods()
    await new_indicator("C", aggregation="completed")  # 3 months
    await new_indicator("C6", aggregation="completed", min_stay_months="6")
    await enter(
        person("E", "female", "1985", "15.01.2026", "14.04.2026"),  # 3 months to the day
        person("F", "male", "1985", "15.01.2026", "13.04.2026"),  # a day short
        person("G", "male", "1985", "01.02.2026"),  # still in
        person("H", "male", "2012", "01.01.2026", "31.03.2026"),  # 3 months
        person("I", "female", "1950", "01.06.2026", "30.11.2026"),  # 6 months
    )
    first = (await progress(p1))["C"]
    assert (first.previously, first.this_period, first.to_date) == (None, 100, 100)
    await submitted(p1)
    second = (await progress(p2))["C"]
    assert (second.previously, second.this_period, second.to_date) == (100, 100, 200)
    assert totals(second)["gender"] == {"women": 100, "men": 100, "non_binary": 0}
    assert (await progress(p3))["C"].this_period == 0
    fourth = (await progress(p4))["C"]
    assert (fourth.this_period, fourth.to_date) == (100, 300)
    assert totals(fourth)["age"] == {"under_18": 100, "18_29": 0, "30_54": 100, "55_plus": 100}
    assert (await progress())["C6"].to_date == 100  # only I stayed six months


async def test_families_count_once_when_a_member_completes_the_cycle(families):
    """R1 "12 families completed a full 3–6 month cycle": a household counts once, from the day
    its first member completed at least 3 months; without a minimum stay, from its first
    entry. Participants without a household code count in no household."""
    p1, p2, p3, *_ = await periods()
    await new_indicator("H", aggregation="households", min_stay_months="3", target="12")
    await new_indicator("HE", aggregation="households")
    await enter(
        person("Ģ-1-1", "female", "1990", "01.02.2026", "30.04.2026", household="Ģ-1"),
        person("Ģ-1-2", "male", "2019", "01.02.2026", "15.03.2026", household="Ģ-1"),
        person("Ģ-2-1", "female", "1988", "01.03.2026", household="Ģ-2"),
        person("Ģ-2-2", "male", "2020", "01.03.2026", household="ģ-2"),  # the same family
        person("Ģ-3-1", "male", "1979", "01.07.2026", "30.09.2026", household="Ģ-3"),
        person("Ģ-3-2", "female", "2016", "01.07.2026", "31.12.2026", household="Ģ-3"),
        person("ALONE", "female", "1970", "01.01.2026", "31.12.2026"),
    )
    first = (await progress(p1))["H"]
    assert (first.this_period, first.to_date) == (0, 0)
    await submitted(p1, p2)
    second = (await progress(p2))["H"]
    assert (second.previously, second.this_period, second.to_date) == (0, 100, 100)
    whole = (await progress())["H"]
    assert whole.to_date == 200  # Ģ-1 from 30.04, Ģ-3 from 30.09 (once, not twice)
    assert [value for _, value in whole.series][:4] == [0, 100, 200, 200]
    assert whole.percent_of_target == Decimal("16.7")
    assert whole.breakdown == []
    entered = (await progress(p3))["HE"]
    assert (entered.previously, entered.this_period, entered.to_date) == (200, 100, 300)


async def test_progress_reads_the_register_once_for_any_number_of_counts(families, monkeypatch):
    await enter(person("A", entry="15.01.2026", exit="30.04.2026", household="Ģ-1"))
    await new_indicator("P", aggregation="participants")
    viewer, pid = await principal(Role.VIEWER), await project_id(FAMILIES)
    queries = count_queries(monkeypatch)
    await indicator_progress(viewer, pid)
    few = len(queries)
    monkeypatch.undo()
    await new_indicator("C", aggregation="completed")
    await new_indicator("H", aggregation="households", min_stay_months="3")
    queries = count_queries(monkeypatch)
    lines = {line.code: line for line in await indicator_progress(viewer, pid)}
    assert len(queries) == few
    assert [lines[code].to_date for code in ("P", "C", "H")] == [100, 100, 100]
    assert lines["C"].breakdown[0] == BreakdownTotal(
        "gender", {"women": 100, "men": 0, "non_binary": 0}, 100, 0, True
    )
