"""Modifications: drafts checked as a new project is, approval making the next version whole,
the readable difference, who may do what, and the audit trail."""

from datetime import date

import pytest

from grants.core.access import AccessDenied
from grants.core.errors import Refused
from grants.core.vocabulary import Role
from grants.finance.budget import BudgetLineInput, set_budget
from grants.modifications import versions
from grants.modifications.modifications import (
    IndicatorChange,
    ModificationInput,
    PartnerChange,
    approve,
    get_modification,
    list_modifications,
    propose,
    reject,
    submit,
    update_draft,
    withdraw,
)
from grants.projects.editing import FundingLineInput
from grants.projects.history import project_history
from grants.tables.audit import AuditEvent
from grants.tables.funding import BudgetLine, FundingLine
from grants.tables.indicators import Indicator, Milestone
from grants.tables.modifications import ContractVersion, Modification
from grants.tables.projects import Partner, Project
from tests import builders
from tests.helpers import principal

BUDGET = [
    BudgetLineInput("staff", "2026", amount="88 412,37"),
    BudgetLineInput("staff", "2027", amount="91 803,55"),
    BudgetLineInput("external_services", "2026", amount="31 900,00"),
    BudgetLineInput("external_services", "2027", amount="32 780,12"),
    BudgetLineInput("equipment", "2026", amount="24 650,00"),
    BudgetLineInput("office_admin", "2026", flat_rate="15", flat_rate_base="staff"),
    BudgetLineInput("office_admin", "2027", flat_rate="15", flat_rate_base="staff"),
]
# 5 000,00 moved from equipment to external services in 2026: the total and the split stay
MOVED = [
    *BUDGET[:2],
    BudgetLineInput("external_services", "2026", amount="36 900,00"),
    BUDGET[3],
    BudgetLineInput("equipment", "2026", amount="19 650,00"),
    *BUDGET[5:],
]


@pytest.fixture
async def contracted(families: int) -> int:
    await set_budget(builders.BUILDER, families, BUDGET)
    await builders.indicator(families, "EECO01", target="48")
    return families


async def _rows(table) -> int:
    return await table.count()


async def test_a_budget_move_makes_version_2_and_keeps_version_1_whole(contracted: int) -> None:
    finance = await principal(Role.FINANCE)
    mod = await propose(
        finance, contracted, ModificationInput(reason="Vairāk konsultāciju", budget=MOVED)
    )
    detail = await get_modification(finance, mod)
    assert detail.problems == []
    diff = detail.diff
    assert [(b.category, b.year, b.before, b.after, b.difference) for b in diff.budget] == [
        ("external_services", 2026, 3_190_000, 3_690_000, 500_000),
        ("equipment", 2026, 2_465_000, 1_965_000, -500_000),
        ("", None, 29_657_843, 29_657_843, 0),
    ]
    assert [(s.source, s.before, s.after, s.difference) for s in diff.sources] == [
        ("ESF+", 25_209_167, 25_209_167, 0),
        ("Valsts budžets", 4_448_676, 4_448_676, 0),
        (builders.MUNICIPALITY, 7_263_600, 7_263_600, 0),
    ]
    assert diff.fields == [] and diff.funding == []

    await submit(finance, mod)
    admin = await principal(Role.ADMIN)
    number = await approve(
        admin, mod, decision_date="2026-06-15", reference="CFLA 2.1-14/123", in_force_from=None
    )
    assert number == 2
    listed = await versions.list_versions(finance, contracted)
    assert [(v.number, v.in_force_from, v.current) for v in listed] == [
        (1, None, False),
        (2, date(2026, 6, 15), True),
    ]
    _, first = await versions.get_version(finance, contracted, 1)
    _, second = await versions.get_version(finance, contracted, 2)
    equipment = [b["amount"] for b in first["budget"] if b["category"] == "equipment"]
    assert equipment == [2_465_000]
    assert [b["amount"] for b in second["budget"] if b["category"] == "equipment"] == [1_965_000]
    stored = await BudgetLine.select(BudgetLine.amount).where(
        (BudgetLine.project == contracted) & (BudgetLine.category == "equipment")
    )
    assert stored == [{"amount": 1_965_000}]
    assert (await versions.in_force(contracted, date(2026, 3, 31))).number == 1
    assert (await versions.in_force(contracted, date(2026, 6, 30))).current
    approved = (await list_modifications(finance, contracted)).rows[0]
    assert (approved.status, approved.version, approved.reference) == (
        "approved",
        2,
        "CFLA 2.1-14/123",
    )
    after = await get_modification(finance, mod)
    assert after.diff.budget[0].difference == 500_000
    actions = [
        r["action"]
        for r in await AuditEvent.select(AuditEvent.action)
        .where(AuditEvent.entity == "modification")
        .order_by(AuditEvent.id)
    ]
    assert actions == ["create", "submit", "approve"]


async def test_a_modification_that_breaks_a_sum_is_refused_with_the_difference(
    contracted: int,
) -> None:
    finance = await principal(Role.FINANCE)
    broken = [*MOVED[:4], BudgetLineInput("equipment", "2026", amount="20 650,00"), *MOVED[5:]]
    with pytest.raises(Refused) as refused:
        await propose(finance, contracted, ModificationInput(reason="x", budget=broken))
    problems = [(p.field, p.params) for p in refused.value.problems]
    assert problems == [
        (
            "budget",
            {
                "expected": "296\xa0578,43\xa0€",
                "actual": "297\xa0578,43\xa0€",
                "difference": "1\xa0000,00\xa0€",
            },
        )
    ]
    with pytest.raises(Refused) as refused:
        await propose(
            finance,
            contracted,
            ModificationInput(
                reason="",
                funding=[
                    FundingLineInput("ESF+", rate="80"),
                    FundingLineInput("Valsts budžets", rate="15"),
                ],
            ),
        )
    fields = [p.field for p in refused.value.problems]
    assert fields == ["reason", "funding"]
    assert await _rows(Modification) == 0


async def test_dates_costs_funding_targets_and_partners_change_together(contracted: int) -> None:
    admin = await principal(Role.ADMIN)
    extended = [
        *MOVED,
        BudgetLineInput("staff", "2028", amount="20 000,00"),
        BudgetLineInput("office_admin", "2028", flat_rate="15", flat_rate_base="staff"),
    ]
    mod = await propose(
        admin,
        contracted,
        ModificationInput(
            reason="Pagarināts līdz 2028",
            end_date="2028-06-30",
            total_cost="392 214,43",
            eligible_cost="319 578,43",
            budget=extended,
            indicators=[IndicatorChange("eeco01", target="52", milestones=[("2026-12-31", "20")])],
            partners=[PartnerChange(organisation="Biedrība Rīti", budget="1 000,00")],
        ),
    )
    diff = (await get_modification(admin, mod)).diff
    assert [(f.name, f.before, f.after, f.difference) for f in diff.fields] == [
        ("end_date", "2027-12-31", "2028-06-30", None),
        ("total_cost", 36_921_443, 39_221_443, 2_300_000),
        ("eligible_cost", 29_657_843, 31_957_843, 2_300_000),
    ]
    assert [
        (ln.source, ln.amount_before, ln.amount_after, ln.difference) for ln in diff.funding
    ] == [
        ("ESF+", 25_209_167, 27_164_167, 1_955_000),
        ("Valsts budžets", 4_448_676, 4_793_676, 345_000),
    ]
    assert [
        (i.code, i.target_before, i.target_after, i.milestones_after) for i in diff.indicators
    ] == [("EECO01", 4800, 5200, (("2026-12-31", 2000),))]
    assert [(p.name, p.role_before, p.role_after, p.budget_after) for p in diff.partners] == [
        ("Biedrība Rīti", None, "partner", 100_000)
    ]
    await submit(admin, mod)
    await approve(
        admin, mod, decision_date="2026-09-01", reference="Nr. 5", in_force_from="2026-10-01"
    )
    project = await Project.select(Project.end_date, Project.eligible_cost).first()
    assert project == {"end_date": date(2028, 6, 30), "eligible_cost": 31_957_843}
    amounts = await FundingLine.select(FundingLine.amount).order_by(FundingLine.position)
    assert [a["amount"] for a in amounts] == [27_164_167, 4_793_676, 7_263_600]
    assert await Milestone.select(Milestone.value_hundredths) == [{"value_hundredths": 2000}]
    _, first = await versions.get_version(admin, contracted, 1)
    assert (first["end_date"], first["eligible_cost"], first["partners"]) == (
        "2027-12-31",
        29_657_843,
        [],
    )
    assert first["indicators"][0]["target_hundredths"] == 4800


async def test_roles_and_states(contracted: int) -> None:
    viewer = await principal(Role.VIEWER)
    coordinator = await principal(Role.COORDINATOR)
    data = ModificationInput(reason="Mērķis", indicators=[IndicatorChange("EECO01", target="52")])
    with pytest.raises(AccessDenied):
        await propose(viewer, contracted, data)
    mod = await propose(coordinator, contracted, data)
    await update_draft(coordinator, mod, ModificationInput(reason="Mērķis pārskatīts"))
    await submit(coordinator, mod)
    with pytest.raises(Refused):
        await update_draft(coordinator, mod, ModificationInput(reason="vēlāk"))
    with pytest.raises(AccessDenied):
        await approve(coordinator, mod, decision_date="2026-06-01", reference="x")
    await reject(await principal(Role.FINANCE), mod, "Nepamatots")
    row = (await list_modifications(coordinator, contracted)).rows[0]
    assert (row.status, row.decision_note, row.reason) == (
        "rejected",
        "Nepamatots",
        "Mērķis pārskatīts",
    )
    assert await Indicator.select(Indicator.target_hundredths).first() == {
        "target_hundredths": 4800
    }
    second = await propose(coordinator, contracted, data)
    await withdraw(coordinator, second, "Kļūda")
    assert await ContractVersion.count() == 0
    assert await Milestone.count() == 0
    assert await FundingLine.count() == 3
    assert await Project.count() == 1


async def test_the_history_names_each_step(contracted: int) -> None:
    finance = await principal(Role.FINANCE)
    mod = await propose(finance, contracted, ModificationInput(reason="Pārdale", budget=MOVED))
    await submit(finance, mod)
    await approve(finance, mod, decision_date="2026-06-15", reference="Nr. 1")
    page = await project_history(finance, contracted, builders.FAMILIES)
    headings = [e.heading for e in page.entries if e.entity == "modification"]
    assert headings == [
        "Grozījumi Nr. 1 apstiprināti",
        "Grozījumi Nr. 1 iesniegti finansētājam",
        "Ierosināti grozījumi Nr. 1",
    ]


async def test_a_partner_with_costs_cannot_leave_and_dates_must_follow(contracted: int) -> None:
    admin = await principal(Role.ADMIN)
    riti = await builders.partner(contracted, "Biedrība Rīti", budget=100_000)
    empty = await builders.partner(contracted, "Biedrība Tukšā", budget=None)
    await builders.expenditure(contracted, partner_id=riti)
    keep_riti = [PartnerChange(id=riti, budget="1 000,00")]
    with pytest.raises(Refused) as refused:
        await propose(admin, contracted, ModificationInput(reason="Aiziet", partners=[]))
    assert [p.params for p in refused.value.problems] == [{"name": "Biedrība Rīti"}]
    mod = await propose(admin, contracted, ModificationInput(reason="Aiziet", partners=keep_riti))
    await submit(admin, mod)
    with pytest.raises(Refused) as refused:
        await approve(admin, mod, decision_date="2099-01-01", reference="")
    assert [p.field for p in refused.value.problems] == ["decision_date", "reference"]
    await approve(admin, mod, decision_date="2026-06-15", reference="Nr. 1")
    assert await Partner.select(Partner.id).where(Partner.project == contracted) == [{"id": riti}]
    assert empty not in {p["id"] for p in (await versions.capture(contracted))["partners"]}
    _, first = await versions.get_version(admin, contracted, 1)
    assert [p["name"] for p in first["partners"]] == ["Biedrība Rīti", "Biedrība Tukšā"]
    later = await propose(admin, contracted, ModificationInput(reason="Vēl", end_date="2028-03-31"))
    await submit(admin, later)
    with pytest.raises(Refused) as refused:
        await approve(
            admin, later, decision_date="2026-06-01", reference="Nr. 2", in_force_from="2026-06-01"
        )
    assert [p.field for p in refused.value.problems] == ["in_force_from"]
    assert await ContractVersion.count() == 2


async def test_every_sum_is_checked_at_once_and_no_line_goes_below_zero(contracted: int) -> None:
    finance = await principal(Role.FINANCE)
    broken = [*MOVED[:4], BudgetLineInput("equipment", "2026", amount="20 650,00"), *MOVED[5:]]
    wrong_rates = [
        FundingLineInput("ESF+", rate="80"),
        FundingLineInput("Valsts budžets", rate="15"),
    ]
    with pytest.raises(Refused) as refused:
        await propose(
            finance, contracted, ModificationInput(reason="x", funding=wrong_rates, budget=broken)
        )
    assert [p.field for p in refused.value.problems] == ["funding", "budget"]
    too_much = [
        FundingLineInput("ESF+", amount="300 000,00"),
        FundingLineInput("Valsts budžets", residual=True),
        FundingLineInput(builders.MUNICIPALITY, rate="100", base="ineligible", residual=True),
    ]
    with pytest.raises(Refused) as refused:
        await propose(finance, contracted, ModificationInput(reason="x", funding=too_much))
    assert [(p.field, p.params) for p in refused.value.problems] == [
        ("funding[1]", {"source": "Valsts budžets", "amount": "-3\xa0421,57\xa0€"})
    ]
    assert await Modification.count() == 0
