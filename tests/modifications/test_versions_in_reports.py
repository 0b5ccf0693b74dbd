"""A period is reported under the contract version in force at its end: its co-financing split,
budget and indicator targets are that version's, the frozen report and the payment claim record
the version, and a report made under an older version says so once a newer one is approved
(issue 15)."""

from datetime import date

from grants.claims.claims import ClaimInput, create_claim
from grants.claims.workflow import submit_claim
from grants.core.vocabulary import Role
from grants.finance.budget import category_report
from grants.finance.cofinancing import cofinancing
from grants.modifications.versions import capture
from grants.projects.editing import store_plan_amounts
from grants.projects.reading import get_project
from grants.results.progress import indicator_progress
from grants.tables.funding import BudgetLine, FundingLine
from grants.tables.indicators import Indicator
from grants.tables.modifications import ContractVersion
from grants.tables.projects import Partner, Project
from grants.tables.reports import ReportVersion
from reports.project_report import build_project_report
from reports.versions import submit_and_freeze
from tests.builders import PLANNING_REGION, SOCIAL_SERVICE, partner
from tests.helpers import api_headers, period_at, principal, sign_in

MODIFIED_ON = date(2026, 4, 1)  # version 2 in force from the second quarter


async def modified(pid: int) -> dict[str, int]:
    """Version 1 as the builders made the project (with two partners), stored; then version 2
    in force from 01.04.2026: eligible costs 300 000,00, ESF+ 80 %, staff 12 000,00 in 2026,
    EECO01's target 60, the social service's budget 20 000,00 as lead partner, the planning
    region in and the other partner out. Partner ids by name."""
    social = await partner(pid, SOCIAL_SERVICE, budget=1_000_000)
    leaving = await partner(pid, "SIA Aizgājējs", budget=500_000)
    await ContractVersion.insert(
        ContractVersion(project=pid, number=1, in_force_from=None, snapshot=await capture(pid))
    )
    await Project.update({Project.eligible_cost: 30_000_000}).where(Project.id == pid)
    await FundingLine.update({FundingLine.rate_bp: 8000}).where(
        (FundingLine.project == pid) & (FundingLine.source == "ESF+")
    )
    await BudgetLine.update({BudgetLine.amount: 1_200_000}).where(
        (BudgetLine.project == pid) & (BudgetLine.category == "staff")
    )
    await Indicator.update({Indicator.target_hundredths: 6000}).where(Indicator.project == pid)
    await Partner.update({Partner.budget: 2_000_000, Partner.role: "lead_partner"}).where(
        Partner.id == social
    )
    await Partner.delete().where(Partner.id == leaving)
    region = await partner(pid, PLANNING_REGION)
    await store_plan_amounts([pid])
    await ContractVersion.insert(
        ContractVersion(
            project=pid, number=2, in_force_from=MODIFIED_ON, snapshot=await capture(pid)
        )
    )
    return {"social": social, "leaving": leaving, "region": region}


async def test_a_period_is_read_with_the_version_in_force_at_its_end(reported):
    pid, q2 = reported["project"], reported["period"]
    ids = await modified(pid)
    finance = await principal(Role.FINANCE)
    q1 = await period_at(pid, date(2026, 2, 1))

    then = await get_project(finance, pid, as_of=date(2026, 3, 31))
    assert then.contract_version == 1
    assert (then.summary.eligible_cost, then.plan.eu_share) == (29_657_843, 25_209_167)
    assert [
        (p.id, p.organisation, p.role, p.budget, p.country, p.is_own) for p in then.partners
    ] == [
        (ids["social"], SOCIAL_SERVICE, "partner", 1_000_000, "LV", False),
        (ids["leaving"], "SIA Aizgājējs", "partner", 500_000, "", False),
    ]
    assert [i.target_hundredths for i in then.indicators] == [4800]
    now = await get_project(finance, pid, as_of=date(2026, 6, 30))
    assert (now.contract_version, now.summary.eligible_cost, now.plan.eu_share) == (
        2,
        30_000_000,
        24_000_000,
    )
    assert [(p.organisation, p.role, p.budget) for p in now.partners] == [
        (SOCIAL_SERVICE, "lead_partner", 2_000_000),
        (PLANNING_REGION, "partner", None),
    ]
    assert (await get_project(finance, pid)).contract_version is None

    # Q1: eligible 1 101,01, ineligible 234,50, split by version 1 (ESF+ 85 %)
    first = await cofinancing(finance, pid, q1)
    assert [(s.source, s.planned, s.this_period) for s in first.sources] == [
        ("ESF+", 25_209_167, 93_586),
        ("Valsts budžets", 4_448_676, 16_515),
        ("Tukuma novada pašvaldība", 7_263_600, 23_450),
    ]
    # Q2: eligible 1 999,99 (ineligible 0,04) in the period, 3 101,00 to date, by version 2
    second = await cofinancing(finance, pid, q2)
    assert [(s.source, s.planned, s.this_period, s.to_date) for s in second.sources] == [
        ("ESF+", 24_000_000, 159_999, 248_080),
        ("Valsts budžets", 6_000_000, 40_000, 62_020),
        ("Tukuma novada pašvaldība", 6_921_443, 4, 23_454),
    ]
    # a page that passes the project it read (the newest) still gets the period's version
    live = await get_project(finance, pid, indicators=False)
    passed = await cofinancing(finance, pid, q1, project=live)
    assert passed.sources[0].planned == 25_209_167

    planned = {c.category: c.planned for c in (await category_report(finance, pid, q1)).lines}
    assert (planned["staff"], planned["office_admin"]) == (1_000_000, 150_000)
    planned = {c.category: c.planned for c in (await category_report(finance, pid, q2)).lines}
    assert (planned["staff"], planned["office_admin"]) == (1_200_000, 180_000)

    [eeco] = await indicator_progress(finance, pid, q1)
    assert (eeco.target_hundredths, str(eeco.percent_of_target)) == (4800, "20.8")
    [eeco] = await indicator_progress(finance, pid, q2)
    assert (eeco.target_hundredths, str(eeco.percent_of_target)) == (6000, "25.8")
    [eeco] = await indicator_progress(finance, pid)  # the whole project: the newest
    assert eeco.target_hundredths == 6000


async def test_the_report_names_its_version_and_a_frozen_one_records_it(reported, client):
    pid, q2 = reported["project"], reported["period"]
    await modified(pid)
    coordinator = await principal(Role.COORDINATOR)
    q1 = await period_at(pid, date(2026, 2, 1))

    report = await build_project_report(coordinator, q1, locale="en")
    assert (report.header["contract_version"], report.header["contract_line"]) == (
        1,
        "Contract version 1, in force from the start",
    )
    assert report.header["eligible_cost"] == 29_657_843
    assert list(report.sources["planned"]) == [25_209_167, 4_448_676, 7_263_600]
    assert list(report.indicators["target"]) == [4800]
    later = await build_project_report(coordinator, q2)
    assert later.header["contract_version"] == 2
    assert later.header["contract_line"] == "Līguma versija 2, spēkā no 01.04.2026"
    assert list(later.sources["planned"]) == [24_000_000, 6_000_000, 6_921_443]

    await submit_and_freeze(coordinator, q1)
    await submit_and_freeze(coordinator, q2)
    stored = await ReportVersion.select(ReportVersion.period, ReportVersion.contract_version)
    assert sorted((r["period"], r["contract_version"]) for r in stored) == [(q1, 1), (q2, 2)]

    headers = await api_headers(Role.COORDINATOR)
    listed = await client.get(f"/api/v1/periods/{q1}/report/versions", headers=headers)
    assert [(v["contract_version"], v["newer_contract_version"]) for v in listed.json()] == [(1, 2)]
    listed = await client.get(f"/api/v1/periods/{q2}/report/versions", headers=headers)
    assert [(v["contract_version"], v["newer_contract_version"]) for v in listed.json()] == [
        (2, None)
    ]
    periods = await client.get(f"/api/v1/projects/{pid}/periods", headers=headers)
    assert [p["contract_version"] for p in periods.json()] == [1, 2, 2, 2, 2, 2, 2, 2]

    await sign_in(client, Role.COORDINATOR)
    page = (await client.get(f"/projects/{pid}", params={"period": q1})).text
    assert "Līguma versija 1, spēkā no sākuma" in page
    assert "līguma versija 1" in page
    assert "Sagatavots saskaņā ar līguma versiju 1; kopš tā laika apstiprināta versija 2." in page
    page = (await client.get(f"/projects/{pid}", params={"period": q2})).text
    assert "Līguma versija 2, spēkā no 01.04.2026" in page
    assert "Sagatavots saskaņā ar" not in page
    page = (await client.get(f"/projects/{pid}/cofinancing", params={"period": q1})).text
    assert "Līguma versija 1, spēkā no sākuma" in page
    assert "252\u00a0091,67" in page  # ESF+ planned by version 1


async def test_a_claim_is_split_by_and_records_the_version_in_force_at_its_end(reported, client):
    """Q1 ends before version 2 (ESF+ 80 %) came in force: its claim keeps ESF+ 85 %."""
    pid = reported["project"]
    await modified(pid)
    finance = await principal(Role.FINANCE)
    claim = await create_claim(finance, pid, ClaimInput("interim", "2026-01-01", "2026-03-31"))
    assert claim.contract_version is None
    # 1 101,01 × 85 % = 935,8585 → 935,86; the state budget the remaining 165,15
    assert [(x.source, x.requested) for x in claim.sources][:2] == [
        ("ESF+", 93_586),
        ("Valsts budžets", 16_515),
    ]
    sent = await submit_claim(finance, claim.id)
    assert sent.contract_version == 1
    later = await create_claim(finance, pid, ClaimInput("interim", "2026-04-01", "2026-06-30"))
    # 1 999,99 × 80 % = 1 599,992 → 1 599,99; the state budget 400,00
    assert [(x.source, x.requested) for x in later.sources][:2] == [
        ("ESF+", 159_999),
        ("Valsts budžets", 40_000),
    ]
    assert (await submit_claim(finance, later.id)).contract_version == 2

    headers = await api_headers(Role.FINANCE)
    out = await client.get(f"/api/v1/claims/{claim.id}", headers=headers)
    assert out.json()["contract_version"] == 1
    await sign_in(client, Role.FINANCE)
    page = (await client.get(f"/claims/{claim.id}")).text
    version = f'<a href="/projects/{pid}/versions/1">1</a>'
    assert f'<dd class="claim-contract-version">{version}</dd>' in page
