""" "Previously reported" is what the funder was sent: the earlier periods submitted or approved,
never a draft or a returned one; the pages, the API and the report file say the same."""

from grants.core.vocabulary import Role
from grants.projects.periods import approve, list_periods, return_period, submit
from grants.register.participants import add_participant
from grants.results.entries import EntryInput, log_entry
from grants.results.progress import indicator_progress
from reports.frames import records
from reports.project_report import build_project_report
from tests.builders import indicator, person
from tests.helpers import api_headers, principal


async def quarters(project: int) -> list[int]:
    return [p.id for p in await list_periods(await principal(Role.ADMIN), project)]


async def log(indicator_id: int, period_id: int, value=None, **fields) -> None:
    data = EntryInput(period_id, value=value, **fields)
    await log_entry(await principal(Role.COORDINATOR), indicator_id, data)


async def line(project: int, period_id: int, code: str):
    rows = await indicator_progress(await principal(Role.VIEWER), project, period_id)
    return next(r for r in rows if r.code == code)


async def mixed_statuses(project: int) -> list[int]:
    """Q1 approved, Q2 returned, Q3 submitted, Q4 draft; the quarters' ids."""
    admin = await principal(Role.ADMIN)
    q1, q2, q3, *rest = await quarters(project)
    for period in (q1, q2, q3):
        await submit(admin, period)
    await approve(admin, q1)
    await return_period(admin, q2, "Jāprecizē")
    return [q1, q2, q3, *rest]


async def test_only_submitted_and_approved_periods_count_as_reported(families, client):
    total = (await indicator(families, "S")).id
    share = (await indicator(families, "P", aggregation="percentage", target="80")).id
    level = (await indicator(families, "C", aggregation="cumulative", target="10")).id
    q1, q2, q3, q4, q5, *_ = await quarters(families)
    for period, value, numerator, denominator, current in (
        (q1, "3", "109", "300", "4"),
        (q2, "4", "154", "331", "6"),
        (q3, "2", "10", "100", "5"),
        (q4, "5", "1", "1", "9"),
        (q5, "1", "1", "9", "8"),
    ):
        await log(total, period, value)
        await log(share, period, numerator=numerator, denominator=denominator)
        await log(level, period, current)
    await mixed_statuses(families)
    summed = await line(families, q5, "S")
    assert (summed.previously, summed.this_period, summed.to_date) == (500, 100, 1500)  # 3 + 2
    assert (await line(families, q3, "S")).previously == 300  # Q2 was returned
    assert (await line(families, q2, "S")).previously == 300
    assert (await line(families, q1, "S")).previously is None  # nothing before
    percent = await line(families, q5, "P")
    assert percent.previously == 2975  # (109 + 10) / (300 + 100) = 29,75 %, Q1 and Q3 only
    assert (await line(families, q3, "P")).previously == 3633  # 109 / 300, not with Q2
    assert (await line(families, q5, "C")).previously == 500  # Q3's level, not Q4's 9
    assert (await line(families, q3, "C")).previously == 400  # Q1's, not Q2's 6
    progress = await client.get(
        f"/api/v1/projects/{families}/indicators",
        params={"period_id": q5},
        headers=await api_headers(Role.VIEWER),
    )
    assert {p["code"]: p["previously"] for p in progress.json()} == {
        "S": "5",
        "P": "29.75",
        "C": "5",
    }
    built = await build_project_report(await principal(Role.ADMIN), q5)
    assert {r["code"]: r["previously"] for r in records(built.indicators)} == {
        "S": 500,
        "P": 2975,
        "C": 500,
    }


async def test_nothing_reported_yet_means_no_previous_figure(families):
    total = (await indicator(families, "S")).id
    q1, q2, *_ = await quarters(families)
    await log(total, q1, "3")
    assert (await line(families, q2, "S")).previously is None  # Q1 still a draft


async def test_register_counts_previously_reported_to_the_last_period_sent(families):
    await indicator(families, "N", aggregation="participants")
    coordinator = await principal(Role.COORDINATOR)
    for code, entry in (("A", "15.01.2026"), ("B", "10.05.2026"), ("C", "10.08.2026")):
        await add_participant(coordinator, families, person(code, entry=entry))
    _, _, q3, q4, *_ = await mixed_statuses(families)
    assert (await line(families, q4, "N")).previously == 300  # to the end of Q3, submitted
    assert (await line(families, q3, "N")).previously == 100  # to the end of Q1: Q2 returned
