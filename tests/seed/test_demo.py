"""The seed portfolio, loaded by `grants demo`, reproduces the source documents to the cent."""

from grants.core.access import Principal
from grants.core.vocabulary import Role
from grants.projects.reading import get_project, list_projects
from grants.seed.demo import DEMO_USERS, load_demo
from grants.tables.accounts import Membership, User
from grants.tables.audit import AuditEvent
from grants.tables.funding import FundingLine
from grants.tables.participants import Participant, Service, ServiceReceipt
from grants.tables.projects import Partner, Project

ADMIN = Principal(user_id=0, email="test", role=Role.ADMIN, project_ids=frozenset())


async def project(code: str):
    [summary] = await list_projects(ADMIN, code=code)
    return await get_project(ADMIN, summary.id)


def amounts(detail) -> dict[str, int]:
    return {line.source: line.amount for line in detail.plan.lines}


async def test_intensive_family_support_splits_85_15_and_municipality_covers_the_rest(demo):
    p = await project("4.4.1.1./2/004")
    s = p.summary
    assert (s.total_cost, s.eligible_cost, s.ineligible_cost) == (36921443, 29657843, 7263600)
    assert amounts(p) == {
        "ESF+": 25209167,
        "Valsts budžets": 4448676,
        "Tukuma novada pašvaldība": 7263600,
    }
    assert s.eu_share == 25209167
    assert [c.passed for c in p.plan.checks] == [True, True, True]
    assert (s.start_date.isoformat(), s.end_date.isoformat()) == ("2026-01-01", "2027-12-31")
    targets = {i.code: i.target_hundredths for i in p.indicators}
    assert targets == {"R1": 1200, "R2": 4800}  # 12 families, 48 persons


async def test_proti_un_dari_is_a_cooperation_with_tukums_share_and_39_young_people(demo):
    p = await project("4.2.3.4/1/24/I/001")
    assert p.summary.our_role == "cooperation_party"
    assert p.holder == "Jaunatnes starptautisko programmu aģentūra"
    budgets = {x.organisation: x.budget for x in p.partners}
    assert budgets["Tukuma novada sociālais dienests"] == 8410451
    assert amounts(p) == {"PROTI un DARI 2.0 (JSPA)": 8410451}
    assert [(i.code, i.target_hundredths) for i in p.indicators] == [("N1", 3900)]
    assert p.contract_ref == "Nr. 6-9/15, 12.06.2024"


async def test_connectingen_has_four_partners_and_tukums_80_20_partner_budget(demo):
    p = await project("LL-00241")
    assert len(p.partners) == 4
    assert [x.country for x in p.partners] == ["LV", "LV", "LT", "LT"]
    tukums = next(x for x in p.partners if x.is_own)
    assert tukums.budget == 4835500
    assert amounts(p) == {"ERAF": 3868400, "Tukuma novada pašvaldība": 967100}
    assert p.eu_ceiling == 29148741
    assert p.summary.amount_kind == "conditional"
    assert p.summary.total_cost is None  # the whole project's cost is not in the source
    [check] = p.plan.checks
    assert (check.expected, check.actual, check.passed) == (4835500, 4835500, True)


async def test_sif_twelve_approvals_under_4_4_1_1_add_up_to_2_879_510_97(demo):
    sif = [p for p in await list_projects(ADMIN) if p.our_role == "none"]
    assert len(sif) == 12
    assert {p.measure_code for p in sif} == {"4.4.1.1"}
    assert sum(p.total_cost for p in sif) == 287951097
    assert min(p.total_cost for p in sif) == 8374200
    assert max(p.total_cost for p in sif) == 29999000
    assert {p.amount_kind for p in sif} == {"approved"}
    assert all(p.eligible_cost is None and p.eu_share is None for p in sif)


async def test_sif_targets_come_from_the_document(demo):
    p = await project("4.4.1.1./002")
    assert [(i.target_hundredths, i.target_rule, i.measured_after_end) for i in p.indicators] == [
        (3500, "exactly", False),
        (2400, "at_least", False),
        (10000, "at_least", False),
        (30000, "at_least", True),
    ]
    shares = await project("4.4.1.1./012")
    assert [i.target_hundredths for i in shares.indicators] == [8000, 7000, 6000]


async def test_4_4_1_1_004_and_4_4_1_1_2_004_are_different_projects(demo):
    sif = await project("4.4.1.1./004")
    tukums = await project("4.4.1.1./2/004")
    assert sif.summary.id != tukums.summary.id
    assert sif.holder == 'SIA "MĀJAS APRŪPE"'
    assert sif.summary.total_cost == 24896663
    assert tukums.holder == "Tukuma novada pašvaldība"


async def test_codes_match_whatever_the_separator(demo):
    assert (await project("4.4.1.1/2/004")).summary.code == "4.4.1.1./2/004"


async def test_demo_is_safe_to_run_twice(demo):
    tables = (Project, Partner, FundingLine, User, Membership, Participant, Service, ServiceReceipt)
    counts = [await t.count() for t in tables]
    events = await AuditEvent.count()
    result = await load_demo()
    assert result.projects_created == 0 and result.projects_existing == 16
    assert result.users_created == [] and len(result.users_existing) == len(DEMO_USERS)
    assert [await t.count() for t in tables] == counts
    assert await AuditEvent.count() == events


async def test_demo_records_what_it_created_in_the_audit_trail(demo):
    created = await AuditEvent.select(AuditEvent.entity).where(AuditEvent.action == "create")
    entities = [e["entity"] for e in created]
    assert entities.count("project") == 16
    assert entities.count("grants_user") == len(DEMO_USERS)
