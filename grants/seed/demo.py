"""`grants demo`: load the seed portfolio and demo users. Safe to run twice: what exists stays.

Besides the projects from the documents, it loads what the README's short tour walks through:
the registers (`grants.seed.register`), budgets by cost category (`grants.seed.budgets`) and a
typed indicator's values with their breakdowns (`grants.seed.entries`) and the money cycle:
claim schedule, claims and payments (`grants.seed.claims`).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from grants.accounts.users import add_user
from grants.core import audit
from grants.core.money import parse_amount, parse_rate, to_cents, to_hundredths
from grants.core.vocabulary import ProjectStatus, Role
from grants.db import write_transaction
from grants.projects.editing import store_plan_amounts
from grants.projects.periods import generate_periods
from grants.projects.reading import normalise_code
from grants.results.indicators import default_decimals
from grants.seed.budgets import load_budgets
from grants.seed.claims import load_claims
from grants.seed.data import Org, SeedProject
from grants.seed.entries import load_entries
from grants.seed.modifications import load_modifications
from grants.seed.portfolio import (
    MEASURE_COST_CATEGORIES,
    MEASURES,
    ORGANISATIONS,
    PROGRAMMES,
    TUKUMS_CLOSED_PROJECTS,
    TUKUMS_PROJECTS,
)
from grants.seed.register import load_register
from grants.seed.sif import SIF_APPLICANTS, SIF_PROJECTS
from grants.tables.accounts import User
from grants.tables.funding import FundingLine
from grants.tables.indicators import Indicator
from grants.tables.organisations import Organisation
from grants.tables.programmes import Measure, MeasureCostCategory, Programme
from grants.tables.projects import Partner, Project

SEED_PROJECTS: list[SeedProject] = [*TUKUMS_PROJECTS, *SIF_PROJECTS, *TUKUMS_CLOSED_PROJECTS]
_MEASURE_REPORTING = {m[1]: m[6] for m in MEASURES}  # a project reports as its measure does


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    role: Role
    member_of_tukums_projects: bool


DEMO_USERS = [
    DemoUser("admin@tukums.demo", "demo-admin-2026", Role.ADMIN, False),
    DemoUser("finance@tukums.demo", "demo-finance-2026", Role.FINANCE, True),
    DemoUser("coordinator@tukums.demo", "demo-coordinator-2026", Role.COORDINATOR, True),
    DemoUser("viewer@tukums.demo", "demo-viewer-2026", Role.VIEWER, True),
    DemoUser("auditor@tukums.demo", "demo-auditor-2026", Role.AUDITOR, False),
]


@dataclass(frozen=True)
class DemoResult:
    projects_created: int
    projects_existing: int
    users_created: list[DemoUser]
    users_existing: list[DemoUser]
    participants_created: int = 0


def _cents(text: str | None) -> int | None:
    return None if text is None else to_cents(parse_amount(text))


def _date(text: str | None) -> date | None:
    return None if text is None else datetime.strptime(text, "%d.%m.%Y").date()


def _hundredths(text: str | None) -> int | None:
    return None if text is None else to_hundredths(Decimal(text))


async def load_demo() -> DemoResult:
    async with write_transaction():
        org_ids = {org.name: await _organisation(org) for org in [*ORGANISATIONS, *SIF_APPLICANTS]}
        programme_ids = {}
        for code, name_lv, name_en, managing_body in PROGRAMMES:
            programme_ids[code] = await _get_or_create(
                Programme,
                Programme.code == code,
                code=code,
                name_lv=name_lv,
                name_en=name_en,
                managing_body=org_ids.get(managing_body),
            )
        measure_ids = {}
        for programme, code, name_lv, name_en, fund, body, reporting, rounding in MEASURES:
            measure_ids[code] = await _get_or_create(
                Measure,
                (Measure.programme == programme_ids[programme]) & (Measure.code == code),
                programme=programme_ids[programme],
                code=code,
                name_lv=name_lv,
                name_en=name_en,
                fund=fund,
                intermediate_body=org_ids.get(body),
                reporting=reporting,
                rounding=rounding,
            )
        for measure, code, name_lv, name_en in MEASURE_COST_CATEGORIES:
            await _get_or_create(
                MeasureCostCategory,
                (MeasureCostCategory.measure == measure_ids[measure])
                & (MeasureCostCategory.code == code),
                measure=measure_ids[measure],
                code=code,
                name_lv=name_lv,
                name_en=name_en,
            )
        created = 0
        for seed in SEED_PROJECTS:
            if await Project.exists().where(Project.code_key == normalise_code(seed.code)):
                continue
            await _create_project(seed, measure_ids[seed.measure], org_ids)
            created += 1
        await _generate_periods()
        project_ids = await _seed_project_ids()
        participants = await load_register(project_ids)
    # each saves through the app's own function, in a transaction of its own
    await load_budgets(project_ids)
    await load_entries(project_ids)
    await load_claims(project_ids)
    await load_modifications(project_ids)
    users_created, users_existing = [], []
    tukums_codes = [p.code for p in TUKUMS_PROJECTS]
    for user in DEMO_USERS:
        if await User.exists().where(User.email == user.email):
            users_existing.append(user)
            continue
        codes = tukums_codes if user.member_of_tukums_projects else []
        await add_user(user.email, user.password, user.role, codes, full_name=user.role.title())
        users_created.append(user)
    return DemoResult(
        created, len(SEED_PROJECTS) - created, users_created, users_existing, participants
    )


async def _generate_periods() -> None:
    """Reporting periods of the seed projects that have dates; idempotent, like the rest.

    A closed project reported before the tracker existed: it gets none, or its reports would
    show as overdue drafts."""
    keys = [
        normalise_code(seed.code)
        for seed in SEED_PROJECTS
        if seed.start and seed.end and seed.status != ProjectStatus.CLOSED
    ]
    for row in await Project.select(Project.id).where(Project.code_key.is_in(keys)):
        await generate_periods(row["id"])


async def _seed_project_ids() -> dict[str, int]:
    """The seed projects' ids by their verbatim code."""
    rows = await Project.select(Project.id, Project.code_key).where(
        Project.code_key.is_in([normalise_code(seed.code) for seed in SEED_PROJECTS])
    )
    ids = {row["code_key"]: row["id"] for row in rows}
    return {seed.code: ids[normalise_code(seed.code)] for seed in SEED_PROJECTS}


async def _organisation(org: Org) -> int:
    return await _get_or_create(
        Organisation,
        Organisation.name == org.name,
        name=org.name,
        short_name=org.short_name,
        country=org.country,
        kind=org.kind,
        is_own=org.is_own,
    )


async def _get_or_create(table, where, **values) -> int:
    row = await table.select(table.id).where(where).first()
    if row is not None:
        return row["id"]
    return (await table.insert(table(**values)))[0]["id"]


async def _create_project(seed: SeedProject, measure_id: int, org_ids: dict[str, int]) -> None:
    project_id = (
        await Project.insert(
            Project(
                code=seed.code,
                code_key=normalise_code(seed.code),
                reporting=_MEASURE_REPORTING[seed.measure],
                title_lv=seed.title_lv,
                title_en=seed.title_en,
                measure=measure_id,
                holder=org_ids.get(seed.holder) if seed.holder else None,
                our_role=seed.our_role,
                status=seed.status,
                start_date=_date(seed.start),
                end_date=_date(seed.end),
                total_cost=_cents(seed.total),
                eligible_cost=_cents(seed.eligible),
                amount_kind=seed.amount_kind,
                eu_ceiling=_cents(seed.eu_ceiling),
                decision_date=_date(seed.decision_date),
                contract_ref=seed.contract_ref,
                note_lv=seed.note_lv,
                note_en=seed.note_en,
            )
        )
    )[0]["id"]
    partner_ids = {}
    for position, partner in enumerate(seed.partners):
        partner_ids[partner.organisation] = (
            await Partner.insert(
                Partner(
                    project=project_id,
                    organisation=org_ids[partner.organisation],
                    role=partner.role,
                    budget=_cents(partner.budget),
                    position=position,
                )
            )
        )[0]["id"]
    for position, line in enumerate(seed.funding):
        await FundingLine.insert(
            FundingLine(
                project=project_id,
                partner=partner_ids[line.partner] if line.partner else None,
                position=position,
                source=line.source,
                kind=line.kind,
                base=line.base,
                rate_bp=parse_rate(line.rate) if line.rate else None,
                fixed_amount=_cents(line.fixed),
                residual=line.residual,
            )
        )
    await store_plan_amounts([project_id])
    for position, ind in enumerate(seed.indicators):
        await Indicator.insert(
            Indicator(
                project=project_id,
                code=ind.code,
                name_lv=ind.name_lv,
                name_en=ind.name_en,
                kind=ind.kind,
                vocabulary=ind.vocabulary,
                unit_lv=ind.unit_lv,
                unit_en=ind.unit_en,
                target_hundredths=_hundredths(ind.target),
                target_rule=ind.rule,
                aggregation=ind.aggregation,
                measured_after_end=ind.measured_after_end,
                breakdowns=ind.breakdowns,
                min_stay_months=ind.min_stay_months,
                target_group=ind.target_group,
                decimals=(
                    default_decimals(ind.aggregation, ind.unit_lv, ind.unit_en)
                    if ind.decimals is None
                    else ind.decimals
                ),
                position=position,
            )
        )
    await audit.record(
        "create", "project", project_id, project_id=project_id, note="grants demo", after=seed.code
    )
