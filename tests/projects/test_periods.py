"""Reporting periods: bounds, generation from project dates, listing, and the approval workflow."""

import dataclasses

import pytest

from grants.core.access import AccessDenied
from grants.core.errors import NotFound, Refused
from grants.core.vocabulary import PeriodStatus, ReportingRhythm, Role
from grants.projects.periods import (
    approve,
    generate_periods,
    get_period,
    list_periods,
    next_deadlines,
    period_bounds,
    period_containing,
    reopen,
    return_period,
    submit,
)
from grants.tables.audit import AuditEvent
from grants.tables.periods import ReportingPeriod
from grants.tables.programmes import Measure
from grants.tables.projects import Project
from tests.builders import entry, indicator, partner_project, project
from tests.helpers import (
    CONNECTINGEN,
    FAMILIES,
    PROTI,
    SIF_002,
    count_queries,
    d,
    principal,
    project_id,
)

NO_DATES = {"start": None, "end": None}


def spans(rows) -> list[str]:
    """Each period as "number: start – end, due deadline", dates in ISO."""
    return [f"{r.number}: {r.start} – {r.end}, due {r.deadline}" for r in rows]


async def periods_of(code: str) -> list:
    return await list_periods(await principal(Role.ADMIN), await project_id(code))


async def status_events() -> list[dict]:
    return await AuditEvent.select().where(
        (AuditEvent.entity == "reporting_period") & (AuditEvent.action == "status")
    )


# period_bounds ----------------------------------------------------------------------------------


QUARTERLY, HALF_YEARLY, YEARLY = (
    ReportingRhythm.QUARTERLY,
    ReportingRhythm.HALF_YEARLY,
    ReportingRhythm.YEARLY,
)
BOUNDS = {
    "a project starting on 1 January gets calendar quarters": (
        "2026-01-01", "2027-12-31", QUARTERLY,
        [
            ("2026-01-01", "2026-03-31"),
            ("2026-04-01", "2026-06-30"),
            ("2026-07-01", "2026-09-30"),
            ("2026-10-01", "2026-12-31"),
            ("2027-01-01", "2027-03-31"),
            ("2027-04-01", "2027-06-30"),
            ("2027-07-01", "2027-09-30"),
            ("2027-10-01", "2027-12-31"),
        ],
    ),
    "periods run from the start and the last one ends with the project": (
        "2025-04-01", "2026-11-15", HALF_YEARLY,
        [
            ("2025-04-01", "2025-09-30"),
            ("2025-10-01", "2026-03-31"),
            ("2026-04-01", "2026-09-30"),
            ("2026-10-01", "2026-11-15"),
        ],
    ),
    "a year from the start day": (
        "2024-06-12", "2026-06-11", YEARLY,
        [("2024-06-12", "2025-06-11"), ("2025-06-12", "2026-06-11")],
    ),
    "month-end starts clamp to shorter months without drifting": (
        "2026-01-31", "2026-12-31", QUARTERLY,
        [
            ("2026-01-31", "2026-04-29"),  # 31 Jan + 3 months = 30 Apr
            ("2026-04-30", "2026-07-30"),
            ("2026-07-31", "2026-10-30"),  # back on the 31st, not the 30th
            ("2026-10-31", "2026-12-31"),
        ],
    ),
    "month-end starts in a leap year": (
        "2027-11-30", "2028-08-31", QUARTERLY,
        [
            ("2027-11-30", "2028-02-28"),  # 2028 is a leap year: next starts 29 Feb
            ("2028-02-29", "2028-05-29"),
            ("2028-05-30", "2028-08-29"),
            ("2028-08-30", "2028-08-31"),
        ],
    ),
    "one day": ("2026-05-05", "2026-05-05", QUARTERLY, [("2026-05-05", "2026-05-05")]),
    "reversed dates": ("2026-05-05", "2026-05-04", QUARTERLY, []),
}  # fmt: skip


@pytest.mark.parametrize(("start", "end", "rhythm", "expected"), BOUNDS.values(), ids=BOUNDS)
def test_period_bounds(start, end, rhythm, expected):
    bounds = period_bounds(d(start), d(end), rhythm)
    assert [(first.isoformat(), last.isoformat()) for first, last in bounds] == expected


# generate_periods -------------------------------------------------------------------------------


# FAMILIES' quarters, each report due 20 days after
FAMILIES_QUARTERS = [
    "1: 2026-01-01 – 2026-03-31, due 2026-04-20",
    "2: 2026-04-01 – 2026-06-30, due 2026-07-20",
    "3: 2026-07-01 – 2026-09-30, due 2026-10-20",
    "4: 2026-10-01 – 2026-12-31, due 2027-01-20",
    "5: 2027-01-01 – 2027-03-31, due 2027-04-20",
    "6: 2027-04-01 – 2027-06-30, due 2027-07-20",
    "7: 2027-07-01 – 2027-09-30, due 2027-10-20",
    "8: 2027-10-01 – 2027-12-31, due 2028-01-20",
]


async def test_demo_projects_get_their_periods_with_deadlines_20_days_after(demo):
    assert spans(await periods_of(FAMILIES)) == FAMILIES_QUARTERS
    assert spans(await periods_of(CONNECTINGEN)) == [
        "1: 2025-04-01 – 2025-09-30, due 2025-10-20",
        "2: 2025-10-01 – 2026-03-31, due 2026-04-20",
        "3: 2026-04-01 – 2026-09-30, due 2026-10-20",
        "4: 2026-10-01 – 2027-03-31, due 2027-04-20",
    ]
    proti = spans(await periods_of(PROTI))
    assert len(proti) == 15
    assert proti[0] == "1: 2024-06-12 – 2024-09-11, due 2024-10-01"
    assert proti[-1] == "15: 2027-12-12 – 2027-12-31, due 2028-01-20"
    assert await periods_of(SIF_002) == []
    assert {p.status for p in await periods_of(FAMILIES)} == {PeriodStatus.DRAFT}


async def test_generating_again_changes_nothing(families):
    pid = families
    before = await ReportingPeriod.select().where(ReportingPeriod.project == pid)
    events = await AuditEvent.count()
    assert await generate_periods(pid) == 0
    assert await ReportingPeriod.select().where(ReportingPeriod.project == pid) == before
    assert await AuditEvent.count() == events


async def test_generating_is_audited_once_per_project_as_the_system(database):
    ids = [await project(code, **NO_DATES) for code in (FAMILIES, CONNECTINGEN, SIF_002)]
    dates = {Project.start_date: d("2026-01-01"), Project.end_date: d("2027-12-31")}
    await Project.update(dates).where(Project.id.is_in(ids[:2]))  # SIF_002 stays without
    assert [await generate_periods(pid) for pid in ids] == [8, 8, 0]
    assert [await generate_periods(pid) for pid in ids] == [0, 0, 0]
    events = await AuditEvent.select().where(
        (AuditEvent.entity == "reporting_period") & (AuditEvent.action == "generate")
    )
    assert len(events) == 2
    assert {e["actor"] for e in events} == {"system"}
    families = next(e for e in events if e["project"] == ids[0])
    assert '"start": "2026-01-01"' in families["after"]


async def test_projects_without_dates_get_no_periods(database):
    assert await generate_periods(await project(SIF_002, **NO_DATES)) == 0
    with pytest.raises(NotFound):
        await generate_periods(999_999)


async def test_a_longer_project_gets_only_the_new_periods(families):
    pid = families
    ids = [p.id for p in await periods_of(FAMILIES)]
    await Project.update({Project.end_date: d("2028-05-15")}).where(Project.id == pid)
    assert await generate_periods(pid) == 2
    rows = await periods_of(FAMILIES)
    assert [p.id for p in rows[:8]] == ids
    assert spans(rows[8:]) == [
        "9: 2028-01-01 – 2028-03-31, due 2028-04-20",
        "10: 2028-04-01 – 2028-05-15, due 2028-06-04",
    ]


async def test_a_new_rhythm_replaces_fresh_drafts_and_keeps_everything_else(families):
    pid = families
    admin = await principal(Role.ADMIN)
    p1, p2, p3, p4, *_ = await periods_of(FAMILIES)
    await submit(admin, p1.id)  # submitted: never touched
    await submit(admin, p2.id)
    await approve(admin, p2.id)
    await reopen(admin, p2.id, "correction")  # a draft again, but with a history
    await entry((await indicator(pid, "R1", target="12")).id, p4.id, "1")  # a draft with values
    await Project.update({Project.reporting: ReportingRhythm.HALF_YEARLY}).where(Project.id == pid)
    assert await generate_periods(pid) == 2
    rows = await periods_of(FAMILIES)
    assert spans(rows) == [
        *FAMILIES_QUARTERS[:4],  # Q1, Q2, Q4 kept; what the half-year leaves around Q4 is Q3
        "5: 2027-01-01 – 2027-06-30, due 2027-07-20",
        "6: 2027-07-01 – 2027-12-31, due 2028-01-20",
    ]
    assert [r.id for r in rows[:4]] == [p1.id, p2.id, p3.id, p4.id]  # Q3 fits as it is
    assert [r.status for r in rows[:2]] == [PeriodStatus.SUBMITTED, PeriodStatus.DRAFT]
    assert await generate_periods(pid) == 0


async def test_kept_periods_keep_their_numbers_and_new_ones_fill_the_gaps(families):
    pid = families
    admin = await principal(Role.ADMIN)
    p1 = (await periods_of(FAMILIES))[0]
    await submit(admin, p1.id)
    await Project.update(
        {Project.start_date: d("2025-11-01"), Project.reporting: ReportingRhythm.HALF_YEARLY}
    ).where(Project.id == pid)
    assert await generate_periods(pid) == 6
    assert spans(await periods_of(FAMILIES)) == [
        "2: 2025-11-01 – 2025-12-31, due 2026-01-20",  # before the submitted period
        "1: 2026-01-01 – 2026-03-31, due 2026-04-20",
        "3: 2026-04-01 – 2026-04-30, due 2026-05-20",
        "4: 2026-05-01 – 2026-10-31, due 2026-11-20",
        "5: 2026-11-01 – 2027-04-30, due 2027-05-20",
        "6: 2027-05-01 – 2027-10-31, due 2027-11-20",
        "7: 2027-11-01 – 2027-12-31, due 2028-01-20",
    ]


async def test_a_changed_report_deadline_moves_the_fresh_drafts_only(families):
    pid = families
    p1 = (await periods_of(FAMILIES))[0]
    await submit(await principal(Role.ADMIN), p1.id)
    await Measure.update({Measure.report_due_days: 30}).where(Measure.code == "4.4.1.1")
    assert await generate_periods(pid) == 7
    deadlines = [p.deadline.isoformat() for p in await periods_of(FAMILIES)]
    assert deadlines[:3] == ["2026-04-20", "2026-07-30", "2026-10-30"]


async def test_removing_the_dates_removes_the_fresh_drafts(families):
    pid = families
    p1 = (await periods_of(FAMILIES))[0]
    await submit(await principal(Role.ADMIN), p1.id)
    await Project.update({Project.start_date: None, Project.end_date: None}).where(
        Project.id == pid
    )
    assert await generate_periods(pid) == 0
    assert [p.id for p in await periods_of(FAMILIES)] == [p1.id]


# Reading ----------------------------------------------------------------------------------------


async def test_overdue_means_the_deadline_passed_while_draft_or_returned(families):
    admin = await principal(Role.ADMIN)
    pid = families
    on_deadline = await list_periods(admin, pid, today=d("2026-04-20"))
    assert [p.overdue for p in on_deadline[:2]] == [False, False]
    day_after = await list_periods(admin, pid, today=d("2026-04-21"))
    assert [p.overdue for p in day_after[:2]] == [True, False]
    await submit(admin, day_after[0].id)
    first = (await list_periods(admin, pid, today=d("2026-04-21")))[0]
    assert (first.overdue, first.locked) == (False, True)
    await return_period(admin, first.id, "Add the evidence")
    first = (await list_periods(admin, pid, today=d("2026-04-21")))[0]
    assert (first.overdue, first.locked, first.status) == (True, False, PeriodStatus.RETURNED)


async def test_members_read_periods_and_others_do_not(families):
    pid = families
    viewer = await principal(Role.VIEWER)
    auditor = await principal(Role.AUDITOR)
    p1 = (await list_periods(viewer, pid))[0]
    assert (await get_period(auditor, p1.id)).start == d("2026-01-01")
    stranger = dataclasses.replace(viewer, project_ids=frozenset())
    with pytest.raises(AccessDenied):
        await list_periods(stranger, pid)
    with pytest.raises(AccessDenied):
        await get_period(stranger, p1.id)
    with pytest.raises(NotFound):
        await get_period(viewer, 999_999)
    with pytest.raises(NotFound):
        await list_periods(viewer, 999_999)


async def test_period_containing_a_day(families):
    pid = families
    assert (await period_containing(pid, d("2026-03-31"))).number == 1
    assert (await period_containing(pid, d("2026-04-01"))).number == 2
    assert (await period_containing(pid, d("2027-12-31"))).number == 8
    assert await period_containing(pid, d("2025-12-31")) is None
    assert await period_containing(pid, d("2028-01-01")) is None


async def test_next_deadline_is_the_first_period_not_yet_approved(families):
    admin = await principal(Role.ADMIN)
    connectingen, sif = await partner_project(), await project(SIF_002, **NO_DATES)
    p1 = (await periods_of(FAMILIES))[0]
    await submit(admin, p1.id)
    found = await next_deadlines([families, connectingen, sif], today=d("2026-05-01"))
    assert set(found) == {families, connectingen}
    assert (found[families].number, found[families].status) == (1, PeriodStatus.SUBMITTED)
    assert (found[connectingen].number, found[connectingen].overdue) == (1, True)
    await approve(admin, p1.id)
    found = await next_deadlines([families], today=d("2026-05-01"))
    assert (found[families].number, found[families].deadline) == (2, d("2026-07-20"))
    assert await next_deadlines([]) == {}


async def test_next_deadlines_is_one_query_for_any_number_of_projects(database, monkeypatch):
    ids = [await project(FAMILIES), await partner_project(), await project(PROTI)]
    queries = count_queries(monkeypatch)
    assert len(await next_deadlines(ids)) == 3
    assert len(queries) == 1


# Workflow ---------------------------------------------------------------------------------------


async def test_submit_approve_return_reopen_round_trip_with_audit(families):
    coordinator = await principal(Role.COORDINATOR)
    admin = await principal(Role.ADMIN)
    p1 = (await periods_of(FAMILIES))[0]

    submitted = await submit(coordinator, p1.id)
    assert (submitted.status, submitted.locked) == (PeriodStatus.SUBMITTED, True)
    returned = await return_period(admin, p1.id, "  Evidence for R1 is missing  ")
    assert (returned.status, returned.status_note) == (
        PeriodStatus.RETURNED,
        "Evidence for R1 is missing",
    )
    assert (await submit(coordinator, p1.id)).status_note == ""
    assert (await approve(admin, p1.id)).status == PeriodStatus.APPROVED
    reopened = await reopen(admin, p1.id, "Funder asked for a correction")
    assert (reopened.status, reopened.locked) == (PeriodStatus.DRAFT, False)
    assert (await get_period(admin, p1.id)).status_note == "Funder asked for a correction"

    events = await status_events()
    assert [(e["before"], e["after"], e["note"], e["actor"]) for e in events] == [
        ('{"status": "draft"}', '{"status": "submitted"}', "", coordinator.email),
        (
            '{"status": "submitted"}',
            '{"status": "returned"}',
            "Evidence for R1 is missing",
            admin.email,
        ),
        ('{"status": "returned"}', '{"status": "submitted"}', "", coordinator.email),
        ('{"status": "submitted"}', '{"status": "approved"}', "", admin.email),
        (
            '{"status": "approved"}',
            '{"status": "draft"}',
            "Funder asked for a correction",
            admin.email,
        ),
    ]
    assert {e["entity_id"] for e in events} == {p1.id}
    assert {e["project"] for e in events} == {families}


@pytest.mark.parametrize(
    ("move", "status"),
    [
        ("approve", "draft"),
        ("return", "draft"),
        ("reopen", "draft"),
        ("submit_twice", "submitted"),
        ("reopen_submitted", "submitted"),
    ],
)
async def test_a_wrong_transition_is_a_conflict_naming_the_status(families, move, status):
    admin = await principal(Role.ADMIN)
    p1 = (await periods_of(FAMILIES))[0]
    if status == "submitted":
        await submit(admin, p1.id)
    events = len(await status_events())
    attempt = {
        "approve": lambda: approve(admin, p1.id),
        "return": lambda: return_period(admin, p1.id, "why"),
        "reopen": lambda: reopen(admin, p1.id, "why"),
        "submit_twice": lambda: submit(admin, p1.id),
        "reopen_submitted": lambda: reopen(admin, p1.id, "why"),
    }[move]
    with pytest.raises(Refused) as excinfo:
        await attempt()
    assert excinfo.value.conflict
    [problem] = excinfo.value.problems
    assert (problem.field, problem.params) == ("status", {"status": status})
    assert f"“{status}”" in problem.english()
    assert (await get_period(admin, p1.id)).status == status
    assert len(await status_events()) == events


async def test_returning_and_reopening_need_a_reason(families):
    admin = await principal(Role.ADMIN)
    p1 = (await periods_of(FAMILIES))[0]
    await submit(admin, p1.id)
    with pytest.raises(Refused) as excinfo:
        await return_period(admin, p1.id, "   ")
    assert not excinfo.value.conflict
    assert [(p.field, p.message) for p in excinfo.value.problems] == [("reason", "Give a reason.")]
    await approve(admin, p1.id)
    with pytest.raises(Refused) as excinfo:
        await reopen(admin, p1.id, "")
    assert [p.field for p in excinfo.value.problems] == ["reason"]
    assert (await get_period(admin, p1.id)).status == PeriodStatus.APPROVED
    assert len(await status_events()) == 2


async def test_a_wrong_transition_without_a_reason_reports_both(families):
    admin = await principal(Role.ADMIN)
    p1 = (await periods_of(FAMILIES))[0]
    with pytest.raises(Refused) as excinfo:
        await reopen(admin, p1.id, "")
    assert excinfo.value.conflict
    assert [p.field for p in excinfo.value.problems] == ["status", "reason"]


async def test_who_may_move_a_period(families):
    admin = await principal(Role.ADMIN)
    coordinator = await principal(Role.COORDINATOR)
    finance = await principal(Role.FINANCE)
    viewer = await principal(Role.VIEWER)
    auditor = await principal(Role.AUDITOR)
    p1, p2, *_ = await periods_of(FAMILIES)
    outsider = dataclasses.replace(coordinator, project_ids=frozenset())

    for nobody in (viewer, auditor, outsider):
        with pytest.raises(AccessDenied):
            await submit(nobody, p1.id)
    assert (await submit(finance, p1.id)).status == PeriodStatus.SUBMITTED
    for nobody in (coordinator, finance, viewer):
        with pytest.raises(AccessDenied):
            await approve(nobody, p1.id)
        with pytest.raises(AccessDenied):
            await return_period(nobody, p1.id, "why")
    await approve(admin, p1.id)
    for nobody in (coordinator, finance, viewer, auditor):
        with pytest.raises(AccessDenied):
            await reopen(nobody, p1.id, "why")
    assert (await get_period(admin, p1.id)).status == PeriodStatus.APPROVED
    assert (await get_period(admin, p2.id)).status == PeriodStatus.DRAFT
    assert len(await status_events()) == 2
    with pytest.raises(NotFound):
        await submit(admin, 999_999)
