"""Staff costs (CPR Art. 55(2)): hourly rates and caps from documented annual costs, monthly
timesheets that become staff-cost lines of the register, exact to the cent, the cap, versioned
corrections, the fixed-share option, locked periods and the audit trail."""

from datetime import date

import pytest

from grants.core.access import AccessDenied
from grants.core.vocabulary import PeriodStatus, RecordState, Role
from grants.finance.expenditures import expenditure_history
from grants.staff.staff import (
    StaffInput,
    TimesheetInput,
    add_staff,
    correct_timesheet,
    get_staff,
    hourly_rate,
    line_amount,
    list_timesheets,
    record_timesheet,
    update_staff,
)
from grants.tables.audit import AuditEvent
from grants.tables.expenditures import Expenditure
from grants.tables.staff import StaffMember, StaffTimesheet, StaffYear
from tests.helpers import period_at, principal, refusal


def person(**changes) -> StaffInput:
    values = {
        "name": "Sociālā darbiniece A",
        "role": "social worker",
        "share": "1",
        "year": "2026",
        "annual_cost": "25 800,00",
    }
    return StaffInput(**(values | changes))


async def written() -> tuple[int, int, int, int]:
    return (
        await StaffMember.count(),
        await StaffTimesheet.count(),
        await Expenditure.count(),
        await AuditEvent.count(),
    )


async def test_rate_is_the_annual_cost_over_1720_hours(families):
    finance = await principal(Role.FINANCE)
    row = await add_staff(finance, families, person())
    (year,) = row.years
    assert (year.year, year.annual_cost, year.hourly_rate, year.hours_cap) == (
        2026,
        2_580_000,
        1_500,
        172_000,
    )
    assert year.hours_remaining == 172_000


async def test_half_time_caps_at_860_hours_and_keeps_the_rate(families):
    finance = await principal(Role.FINANCE)
    row = await add_staff(finance, families, person(share="0,5", annual_cost="12 900,00"))
    (year,) = row.years
    assert (year.hourly_rate, year.hours_cap) == (1_500, 86_000)  # 15,00 and 860,00 h


def test_rates_and_lines_round_half_up_to_the_cent():
    # 31 234,57 ÷ (1 720 × 0,75 = 1 290) = 24,21283… → 24,21
    assert hourly_rate(3_123_457, 75) == 2_421
    # 2 000,00 ÷ 1 720 = 1,16279… → 1,16; 10 000,00 ÷ 1 720 = 5,81395… → 5,81
    assert hourly_rate(200_000, 100) == 116
    assert hourly_rate(1_000_000, 100) == 581
    # 0,5 h × 0,05 = 0,025 → 0,03 (half-up)
    assert line_amount(50, 5) == 3
    assert line_amount(3_733, 2_421) == 90_376  # 37,33 h × 24,21 = 903,7593


async def test_a_timesheet_makes_the_staff_cost_line_exact_to_the_cent(families):
    finance = await principal(Role.FINANCE)
    staff = await add_staff(
        finance, families, person(share="0,75", annual_cost="31 234,57", name="Ref. SD-07")
    )
    sheet = await record_timesheet(finance, staff.id, TimesheetInput("2026-03", "37,33"))
    assert (sheet.hours, sheet.rate, sheet.amount, sheet.version) == (3_733, 2_421, 90_376, 1)
    line = await Expenditure.select().where(Expenditure.id == sheet.expenditure_id).first()
    assert line["amount"] == line["eligible_amount"] == 90_376
    assert line["category"] == "staff"
    assert line["spent_on"] == date(2026, 3, 31)
    assert line["supplier"] == "Ref. SD-07"
    assert line["invoice_number"] == f"TS-{staff.id}-2026-03"
    assert line["evidence_ref"] == f"timesheet {staff.id}/2026-03 v1"
    assert line["state"] == RecordState.CURRENT
    year = (await get_staff(finance, staff.id)).years[0]
    assert (year.hours_used, year.hours_remaining) == (3_733, 129_000 - 3_733)


async def test_hours_beyond_the_cap_are_refused_saying_how_many_remain(families):
    finance = await principal(Role.FINANCE)
    staff = await add_staff(finance, families, person(share="0.5", annual_cost="12 900,00"))
    await record_timesheet(finance, staff.id, TimesheetInput("2026-03", "800"))
    before = await written()
    refused = await refusal(record_timesheet(finance, staff.id, TimesheetInput("2026-04", "70")))
    (problem,) = refused.problems
    assert problem.field == "hours"
    assert problem.english() == (
        "70 hours are more than the hours left in 2026: 60 of the 860 hours cap remain."
    )
    assert await written() == before
    # the rest fits exactly
    await record_timesheet(finance, staff.id, TimesheetInput("2026-04", "60"))
    assert (await get_staff(finance, staff.id)).years[0].hours_remaining == 0


async def test_a_month_without_its_year_or_twice_is_refused(families):
    finance = await principal(Role.FINANCE)
    staff = await add_staff(finance, families, person())
    refused = await refusal(record_timesheet(finance, staff.id, TimesheetInput("2027-01", "10")))
    assert [p.field for p in refused.problems] == ["month"]
    await record_timesheet(finance, staff.id, TimesheetInput("2026-03", "10"))
    again = await refusal(record_timesheet(finance, staff.id, TimesheetInput("2026-03", "5")))
    assert again.conflict
    bad = await refusal(record_timesheet(finance, staff.id, TimesheetInput("March", "-1")))
    assert {p.field for p in bad.problems} == {"month", "hours"}


async def test_a_correction_versions_the_timesheet_and_its_line(families):
    finance = await principal(Role.FINANCE)
    staff = await add_staff(finance, families, person())
    first = await record_timesheet(finance, staff.id, TimesheetInput("2026-03", "100"))
    second = await correct_timesheet(
        finance, staff.id, TimesheetInput("2026-03", "90,5"), "timesheet signed again"
    )
    assert (second.version, second.amount, second.entry_no) == (2, 135_750, first.entry_no)
    assert second.expenditure_id != first.expenditure_id
    history = await list_timesheets(finance, staff.id, include_history=True)
    assert [(t.version, t.state, t.hours) for t in history.rows] == [
        (1, RecordState.SUPERSEDED, 10_000),
        (2, RecordState.CURRENT, 9_050),
    ]
    lines = await expenditure_history(finance, second.expenditure_id)
    assert [(x.version, x.state, x.amount, x.evidence_ref) for x in lines] == [
        (1, RecordState.SUPERSEDED, 150_000, f"timesheet {staff.id}/2026-03 v1"),
        (2, RecordState.CURRENT, 135_750, f"timesheet {staff.id}/2026-03 v2"),
    ]
    assert lines[1].change_note == "timesheet signed again"
    assert (await get_staff(finance, staff.id)).years[0].hours_used == 9_050
    no_note = await refusal(
        correct_timesheet(finance, staff.id, TimesheetInput("2026-03", "1"), "")
    )
    assert [p.field for p in no_note.problems] == ["note"]


async def test_the_correction_can_use_the_hours_it_replaces(families):
    finance = await principal(Role.FINANCE)
    staff = await add_staff(finance, families, person(share="0,5", annual_cost="12 900,00"))
    await record_timesheet(finance, staff.id, TimesheetInput("2026-03", "860"))
    fixed = await correct_timesheet(finance, staff.id, TimesheetInput("2026-03", "859"), "typo")
    assert fixed.hours == 85_900
    over = await refusal(
        correct_timesheet(finance, staff.id, TimesheetInput("2026-03", "861"), "typo")
    )
    assert over.problems[0].params["remaining"] == "860"


async def test_a_fixed_share_of_the_monthly_cost(families):
    finance = await principal(Role.FINANCE)
    staff = await add_staff(
        finance,
        families,
        StaffInput(name="Ref. PV-02", role="psychologist", kind="fixed_share", fixed_share="0,3"),
    )
    assert (staff.fixed_share, staff.years) == (30, ())
    sheet = await record_timesheet(
        finance, staff.id, TimesheetInput("2026-02", monthly_cost="1 234,57")
    )
    assert (sheet.amount, sheet.hours, sheet.rate) == (37_037, None, None)  # 370,371 → 370,37
    line = await Expenditure.select().where(Expenditure.id == sheet.expenditure_id).first()
    assert (line["amount"], line["spent_on"]) == (37_037, date(2026, 2, 28))
    hours = await refusal(record_timesheet(finance, staff.id, TimesheetInput("2026-03", "10")))
    assert {p.field for p in hours.problems} == {"hours", "monthly_cost"}


async def test_a_locked_month_refuses_with_the_registers_reason(families):
    finance = await principal(Role.FINANCE)
    staff = await add_staff(finance, families, person())
    await record_timesheet(finance, staff.id, TimesheetInput("2026-02", "10"))
    await period_at(families, date(2026, 3, 1), PeriodStatus.SUBMITTED)
    before = await written()
    refused = await refusal(record_timesheet(finance, staff.id, TimesheetInput("2026-03", "10")))
    assert refused.conflict and [p.field for p in refused.problems] == ["month"]
    corrected = await refusal(
        correct_timesheet(finance, staff.id, TimesheetInput("2026-02", "12"), "late sheet")
    )
    assert corrected.conflict
    assert await written() == before


async def test_later_years_and_what_timesheets_fix(families):
    finance = await principal(Role.FINANCE)
    staff = await add_staff(finance, families, person())
    await record_timesheet(finance, staff.id, TimesheetInput("2026-03", "10"))
    row = await update_staff(finance, staff.id, StaffInput(year="2027", annual_cost="27 520,00"))
    assert [(y.year, y.hourly_rate) for y in row.years] == [(2026, 1_500), (2027, 1_600)]
    used = await refusal(
        update_staff(finance, staff.id, StaffInput(year="2026", annual_cost="30 000"))
    )
    assert used.conflict and used.problems[0].field == "annual_cost"
    share = await refusal(update_staff(finance, staff.id, StaffInput(share="0,5")))
    assert share.conflict
    renamed = await update_staff(finance, staff.id, StaffInput(role="lead social worker"))
    assert (renamed.role, renamed.share, renamed.name) == ("lead social worker", 100, staff.name)
    assert await StaffYear.count() == 2


async def test_names_not_personal_codes_and_every_problem_at_once(families):
    finance = await principal(Role.FINANCE)
    before = await written()
    refused = await refusal(
        add_staff(
            finance,
            families,
            person(name="Anna 010190-12345", role="", share="1,5", year="2031", annual_cost="0"),
        )
    )
    assert [p.field for p in refused.problems] == ["name", "role", "share", "year", "annual_cost"]
    assert await written() == before


async def test_only_finance_and_admins_record_and_every_change_is_audited(families):
    viewer = await principal(Role.VIEWER)
    with pytest.raises(AccessDenied):
        await add_staff(viewer, families, person())
    finance = await principal(Role.FINANCE)
    staff = await add_staff(finance, families, person())
    coordinator = await principal(Role.COORDINATOR)
    with pytest.raises(AccessDenied):
        await record_timesheet(coordinator, staff.id, TimesheetInput("2026-03", "10"))
    sheet = await record_timesheet(finance, staff.id, TimesheetInput("2026-03", "10"))
    await correct_timesheet(finance, staff.id, TimesheetInput("2026-03", "12"), "re-signed")
    events = await (
        AuditEvent.select(AuditEvent.action, AuditEvent.entity)
        .where(AuditEvent.entity.is_in(["staff_member", "timesheet", "expenditure"]))
        .order_by(AuditEvent.id)
    )
    assert [(e["entity"], e["action"]) for e in events] == [
        ("staff_member", "create"),
        ("expenditure", "create"),
        ("timesheet", "create"),
        ("expenditure", "update"),
        ("timesheet", "update"),
    ]
    last = (
        await AuditEvent.select()
        .where(AuditEvent.entity == "timesheet")
        .order_by(AuditEvent.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    assert last["before"]["hours"] == "10" and last["after"]["hours"] == "12"
    assert last["after"]["amount"] == "180.00" and last["note"] == "re-signed"
    assert sheet.entry_no == last["after"]["entry_no"]


async def test_a_line_in_a_submitted_claim_refuses_the_correction(families):
    from grants.claims.claims import ClaimInput, create_claim
    from grants.claims.workflow import submit_claim

    finance = await principal(Role.FINANCE)
    staff = await add_staff(finance, families, person())
    await record_timesheet(finance, staff.id, TimesheetInput("2026-03", "10"))
    claim = await create_claim(finance, families, ClaimInput("interim", "2026-01-01", "2026-03-31"))
    await submit_claim(finance, claim.id)
    before = await written()
    refused = await refusal(
        correct_timesheet(finance, staff.id, TimesheetInput("2026-03", "12"), "re-signed")
    )
    assert refused.conflict and [p.field for p in refused.problems] == ["claim"]
    assert await written() == before
