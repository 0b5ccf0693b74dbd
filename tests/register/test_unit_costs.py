"""Unit costs and lump sums from the service register (issue 13, item 5): what a period may
claim is units × rate on the total, half-up to the cent, and it reaches the expenditure
register through the register's own functions."""

import pytest

from grants.core.access import AccessDenied
from grants.core.vocabulary import PeriodStatus, RecordState, Role
from grants.register.services import cancel_receipt
from grants.register.unit_costs import (
    CostOptionInput,
    record_simplified_costs,
    set_cost_option,
    set_simplified_costs,
    simplified_costs,
    units_amount,
)
from grants.tables.audit import AuditEvent
from grants.tables.expenditures import Expenditure
from grants.tables.participants import Service
from tests.builders import participant, receipt, service
from tests.helpers import api_headers, d, period_at, post, principal, refusal, sign_in

HOUR = CostOptionInput("unit_cost", "42,50")


async def consultations(pid: int, *, allowed: bool = True) -> int:
    """A consultation hour at 42,50 in a project allowed simplified costs; the service's id."""
    if allowed:
        await set_simplified_costs(await principal(Role.FINANCE), pid, True)
    hour = await service(pid, "Konsultācija", "30,00")
    await set_cost_option(await principal(Role.FINANCE), hour.id, HOUR)
    await participant(pid, "P-1")
    return hour.id


def test_units_times_rate_is_rounded_once_half_up():
    assert units_amount(325, 4250) == 13813  # 3,25 × 42,50 = 138,125
    assert units_amount(100, 4250) == 4250
    assert units_amount(1, 1) == 0  # 0,01 × 0,01
    assert units_amount(333, 3333) == 11099  # 3,33 × 33,33 = 110,9889


async def test_the_period_claims_the_sum_of_units_times_the_rate(families):
    pid = families
    hour = await consultations(pid)
    await receipt(pid, "P-1", hour, "10.02.2026", "30", units="1,25")
    await receipt(pid, "P-1", hour, "11.02.2026", "30", units="2")
    await receipt(pid, "P-1", hour, "10.04.2026", "30", units="7")  # the next quarter
    q1 = await period_at(pid, d("2026-02-15"))
    costs = await simplified_costs(await principal(Role.VIEWER), pid, q1)
    [line] = costs.lines
    assert (line.units, line.rate, line.amount, line.claimable) == (325, 4250, 13813, True)
    assert line.invoice_number == f"SCO-{hour}-1"
    assert costs.total == 13813


async def test_no_option_on_the_project_refuses_a_unit_cost_and_writes_nothing(families):
    pid = families
    hour = await service(pid, "Konsultācija", "30,00")
    before = await AuditEvent.count()
    refused = await refusal(set_cost_option(await principal(Role.FINANCE), hour.id, HOUR))
    assert [p.field for p in refused.problems] == ["kind"]
    assert "no simplified cost option" in refused.problems[0].message
    row = (
        await Service.select(Service.sco_kind, Service.sco_rate)
        .where(Service.id == hour.id)
        .first()
    )
    assert row == {"sco_kind": "", "sco_rate": None}
    assert await AuditEvent.count() == before


async def test_every_problem_at_once(families):
    pid = families
    await set_simplified_costs(await principal(Role.FINANCE), pid, True)
    hour = await service(pid, "Konsultācija")
    bad = CostOptionInput("unit_cost", "", "catering", "01.03.2026")
    refused = await refusal(set_cost_option(await principal(Role.FINANCE), hour.id, bad))
    assert [p.field for p in refused.problems] == ["rate", "category", "deliverable_done"]


async def test_the_option_cannot_be_taken_away_while_a_service_carries_one(families):
    pid = families
    await consultations(pid)
    await refusal(set_simplified_costs(await principal(Role.FINANCE), pid, False))


async def test_a_lump_sum_is_claimable_only_once_its_deliverable_is_done(families):
    pid = families
    finance = await principal(Role.FINANCE)
    await set_simplified_costs(finance, pid, True)
    guide = await service(pid, "Metodiskais materiāls")
    await set_cost_option(finance, guide.id, CostOptionInput("lump_sum", "1 500,00"))
    q1 = await period_at(pid, d("2026-02-15"))
    [line] = (await simplified_costs(finance, pid, q1)).lines
    assert (line.claimable, line.amount) == (False, 0)
    assert [r.action for r in await record_simplified_costs(finance, pid, q1)] == ["nothing"]
    assert await Expenditure.count() == 0
    done = CostOptionInput("lump_sum", "1 500,00", deliverable_done="20.03.2026")
    await set_cost_option(finance, guide.id, done)
    [line] = (await simplified_costs(finance, pid, q1)).lines
    assert (line.claimable, line.amount) == (True, 150000)
    [recorded] = await record_simplified_costs(finance, pid, q1)
    assert recorded.action == "created"
    q2 = await period_at(pid, d("2026-04-15"))
    [line] = (await simplified_costs(finance, pid, q2)).lines
    assert (line.claimable, line.amount) == (False, 0)  # once, in the period it was done


async def test_recording_makes_one_line_and_corrects_it_after_more_receipts(families):
    pid = families
    hour = await consultations(pid)
    finance = await principal(Role.FINANCE)
    q1 = await period_at(pid, d("2026-02-15"))
    await receipt(pid, "P-1", hour, "10.02.2026", "30", units="3,25")
    [first] = await record_simplified_costs(finance, pid, q1)
    assert (first.action, first.version) == ("created", 1)
    row = await Expenditure.select().where(Expenditure.id == first.expenditure_id).first()
    assert (row["amount"], row["eligible_amount"], row["spent_on"]) == (
        13813,
        13813,
        d("2026-03-31"),
    )
    assert row["invoice_number"] == f"SCO-{hour}-1"
    assert row["category"] == "external_services"
    assert row["description"] == "Konsultācija: 3,25 × 42,50"
    [again] = await record_simplified_costs(finance, pid, q1)
    assert again.action == "unchanged"
    await receipt(pid, "P-1", hour, "12.02.2026", "30", units="1")
    [second] = await record_simplified_costs(finance, pid, q1)
    assert (second.action, second.entry_no, second.version) == ("corrected", first.entry_no, 2)
    current = await Expenditure.select(Expenditure.amount, Expenditure.version).where(
        (Expenditure.project == pid) & (Expenditure.state == RecordState.CURRENT)
    )
    assert current == [{"amount": 18063, "version": 2}]  # 4,25 × 42,50 = 180,625
    costs = await simplified_costs(finance, pid, q1)
    assert costs.lines[0].recorded_amount == 18063


async def test_a_locked_period_refuses_and_writes_nothing(families):
    pid = families
    hour = await consultations(pid)
    await receipt(pid, "P-1", hour, "10.02.2026", "30", units="2")
    q1 = await period_at(pid, d("2026-02-15"), PeriodStatus.SUBMITTED)
    refused = await refusal(record_simplified_costs(await principal(Role.FINANCE), pid, q1))
    assert refused.conflict
    assert await Expenditure.count() == 0


async def test_roles(families):
    pid = families
    hour = await consultations(pid)
    q1 = await period_at(pid, d("2026-02-15"))
    coordinator = await principal(Role.COORDINATOR)
    await receipt(pid, "P-1", hour, "10.02.2026", "30", units="2")  # the register as before
    for role in (Role.COORDINATOR, Role.VIEWER, Role.AUDITOR):
        with pytest.raises(AccessDenied):
            await record_simplified_costs(await principal(role), pid, q1)
        with pytest.raises(AccessDenied):
            await set_cost_option(await principal(role), hour, HOUR)
    assert (await simplified_costs(coordinator, pid, q1)).total == 8500
    [done] = await record_simplified_costs(await principal(Role.ADMIN), pid, q1)
    assert done.action == "created"


async def test_the_api_in_decimal_strings(families, client):
    pid = families
    headers = await api_headers(Role.FINANCE)
    hour = await service(pid, "Konsultācija", "30,00")
    url = f"/api/v1/services/{hour.id}/cost-option"
    option = {"kind": "unit_cost", "rate": "42,50"}
    refused = await client.put(url, json=option, headers=headers)
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["kind"]
    allow = f"/api/v1/projects/{pid}/simplified-costs/option"
    response = await client.put(allow, json={"allowed": True}, headers=headers)
    assert response.status_code == 200, response.text
    response = await client.put(url, json=option, headers=headers)
    assert response.json() == {
        "service_id": hour.id,
        "kind": "unit_cost",
        "rate": "42.50",
        "category": "external_services",
        "deliverable_done": None,
    }
    await participant(pid, "P-1")
    await receipt(pid, "P-1", hour.id, "10.02.2026", "30", units="3,25")
    q1 = await period_at(pid, d("2026-02-15"))
    costs = f"/api/v1/projects/{pid}/simplified-costs?period_id={q1}"
    body = (await client.get(costs, headers=headers)).json()
    assert body["total"] == "138.13"
    assert body["lines"][0] | {"service_id": 0} == {
        "service_id": 0,
        "service": "Konsultācija",
        "kind": "unit_cost",
        "category": "external_services",
        "rate": "42.50",
        "units": "3.25",
        "deliverable_done": None,
        "claimable": True,
        "amount": "138.13",
        "invoice_number": f"SCO-{hour.id}-1",
        "expenditure_id": None,
        "recorded_amount": None,
    }
    record = f"/api/v1/projects/{pid}/simplified-costs/record?period_id={q1}"
    viewer = await client.post(record, headers=await api_headers(Role.COORDINATOR))
    assert viewer.status_code in (403, 404)
    response = await client.post(record, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()[0]["action"] == "created"
    split = (await client.get(f"/api/v1/projects/{pid}/cofinancing", headers=headers)).json()
    assert split["to_date"]["eligible"] == "138.13"
    body = (await client.get(costs, headers=headers)).json()
    assert body["lines"][0]["recorded_amount"] == "138.13"


async def test_the_cofinancing_page_shows_and_records_them(families, client):
    pid = families
    hour = await consultations(pid)
    await receipt(pid, "P-1", hour, "10.02.2026", "30", units="3,25")
    q1 = await period_at(pid, d("2026-02-15"))
    await sign_in(client, Role.COORDINATOR)
    page = (await client.get(f"/projects/{pid}/cofinancing?period={q1}")).text
    assert "simplified-costs" in page and "138,13" in page and "42,50" in page
    assert "/simplified-costs/record" not in page  # finance records them
    await sign_in(client, Role.FINANCE)
    page = (await client.get(f"/projects/{pid}/cofinancing?period={q1}")).text
    assert "/simplified-costs/record" in page
    response = await post(client, f"/projects/{pid}/simplified-costs/record", {"period": q1})
    assert response.status_code == 303, response.text
    assert await Expenditure.count() == 1
    await period_at(pid, d("2026-02-15"), PeriodStatus.SUBMITTED)
    await receipt(pid, "P-1", hour, "11.02.2026", "30", units="1")
    refused = await post(client, f"/projects/{pid}/simplified-costs/record", {"period": q1})
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    assert await Expenditure.count() == 1


async def test_a_line_with_nothing_left_to_claim_is_cancelled(families):
    pid = families
    hour = await consultations(pid)
    finance = await principal(Role.FINANCE)
    q1 = await period_at(pid, d("2026-02-15"))
    given = await receipt(pid, "P-1", hour, "10.02.2026", "30", units="2")
    [first] = await record_simplified_costs(finance, pid, q1)
    assert first.action == "created"
    await cancel_receipt(await principal(Role.COORDINATOR), given.id, "entered twice")
    [gone] = await record_simplified_costs(finance, pid, q1)
    assert gone.action == "cancelled"
    states = await Expenditure.select(Expenditure.state).where(Expenditure.project == pid)
    assert states == [{"state": RecordState.CANCELLED}]
    [line] = (await simplified_costs(finance, pid, q1)).lines
    assert (line.amount, line.expenditure_id) == (0, None)
