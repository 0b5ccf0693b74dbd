"""Small builders: exactly the data a test needs, made through the domain functions, or through
the tables where the domain has no creator (programmes, measures, organisations, partners).

The defaults make a project like Tukums' 4.4.1.1./2/004: its dates, its costs 369 214,43 and
296 578,43, and its plan (ESF+ 85 % of the eligible cost = 252 091,67, the state budget the
remaining 44 486,76, the municipality 100 % of the ineligible 72 636,00), so the figures worked
out by hand in the README hold for it. Users are by default the demo user of their role (the
same email and password), so `tests.helpers.sign_in`, `api_headers` and `principal` find them.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date

from grants import db
from grants.accounts.users import add_user, list_users, principal_for_user, update_user
from grants.core.access import Principal
from grants.core.vocabulary import (
    FundingBase,
    OrganisationKind,
    PartnerRole,
    ProjectStatus,
    Role,
)
from grants.finance.budget import BudgetLineInput, set_budget
from grants.finance.expenditures import ExpenditureInput, ExpenditureRow, record_expenditure
from grants.projects.editing import (
    FundingLineInput,
    ProjectInput,
    create_project,
    update_project,
)
from grants.register.participants import ParticipantInput, ParticipantRow, add_participant
from grants.register.services import (
    ReceiptInput,
    ReceiptRow,
    ServiceInput,
    ServiceRow,
    add_receipt,
    add_service,
)
from grants.results.entries import EntryInput, EntryRow, log_entry
from grants.results.indicators import IndicatorDetail, IndicatorInput, create_indicator
from grants.seed.demo import DEMO_USERS
from grants.seed.portfolio import MEASURES, PROGRAMMES
from grants.tables.expenditures import Expenditure
from grants.tables.organisations import Organisation
from grants.tables.programmes import Measure, Programme
from grants.tables.projects import Partner
from tests.helpers import (
    CONNECTINGEN,
    FAMILIES,
    PILOT,
    PROTI,
    SIF_002,
    SIF_014,
    SIF_019,
    demo_user,
    period_at,
    principal,
)

# The builders write as an administrator who is no user: their audit events say "builder".
BUILDER = Principal(user_id=None, email="builder", role=Role.ADMIN, project_ids=frozenset())

MUNICIPALITY = "Tukuma novada pašvaldība"
SOCIAL_SERVICE = "Tukuma novada sociālais dienests"  # Tukums' partner in ConnectinGen
PLANNING_REGION = "Kurzemes plānošanas reģions"

FAMILIES_FUNDING = (
    FundingLineInput("ESF+", rate="85"),
    FundingLineInput("Valsts budžets", rate="15", residual=True),
    FundingLineInput(MUNICIPALITY, rate="100", base=FundingBase.INELIGIBLE, residual=True),
)
_NO_COSTS = {"total": None, "eligible": None, "funding": ()}

# Programmes, measures, organisations


async def _get_or_create(table, where, **values) -> int:
    row = await table.select(table.id).where(where).first()
    if row is not None:
        return row["id"]
    return (await table.insert(table(**values)))[0]["id"]


async def measure(code: str = "4.4.1.1", **changes) -> int:
    """A measure and its programme, as the seed defines the code (4.4.1.1, 4.2.3.4, III, 9.2.2:
    their fund, reporting rhythm and rounding), else an ESF+ measure reporting quarterly; made
    once. `changes` sets other columns, e.g. report_due_days=30."""
    seed = next((m for m in MEASURES if m[1] == code), None)
    programme_code, _, name_lv, name_en, fund, _, reporting, rounding = seed or (
        PROGRAMMES[0][0], code, f"Pasākums {code}", f"Measure {code}", "ESF+", None,
        "quarterly", "half_up",
    )  # fmt: skip
    _, programme_lv, programme_en, _ = next(p for p in PROGRAMMES if p[0] == programme_code)
    programme = await _get_or_create(
        Programme,
        Programme.code == programme_code,
        code=programme_code,
        name_lv=programme_lv,
        name_en=programme_en,
    )
    values = {"name_lv": name_lv, "name_en": name_en, "fund": fund, "reporting": reporting}
    return await _get_or_create(
        Measure,
        (Measure.programme == programme) & (Measure.code == code),
        programme=programme,
        code=code,
        **(values | {"rounding": rounding} | changes),
    )


async def organisation(name: str, *, is_own: bool = False, country: str = "LV") -> int:
    """An organisation, made once by name; `is_own`: one of the installation's own."""
    return await _get_or_create(
        Organisation,
        Organisation.name == name,
        name=name,
        kind=OrganisationKind.PUBLIC_BODY,
        country=country,
        is_own=is_own,
    )


# Projects


async def project(
    code: str = FAMILIES,
    *,
    title: str = "Intensīvais sociālais darbs ģimenēm ar bērniem",
    title_en: str = "Intensive social work with families with children",
    measure_code: str = "4.4.1.1",
    start: date | None = date(2026, 1, 1),
    end: date | None = date(2027, 12, 31),
    total: str | None = "369 214,43",
    eligible: str | None = "296 578,43",
    funding: Sequence[FundingLineInput] = FAMILIES_FUNDING,
    status: str = ProjectStatus.IN_PROGRESS,
    reporting: str | None = None,
) -> int:
    """A project through `create_project`, with its funding plan and its reporting periods (from
    its dates and the measure's rhythm, unless `reporting` says otherwise). Its id."""
    await measure(measure_code)
    return await create_project(
        BUILDER,
        ProjectInput(
            code=code,
            title=title,
            title_en=title_en,
            measure=measure_code,
            status=status,
            start_date=start,
            end_date=end,
            total_cost=total,
            eligible_cost=eligible,
            reporting=reporting,
            funding=list(funding),
        ),
    )


async def portfolio() -> None:
    """Six projects, one of each kind the demo has: FAMILIES (4.4.1.1, in progress, 369 214,43
    of which ESF+ 252 091,67), SIF's approvals 4.4.1.1./019 (299 990,00) and 4.4.1.1./014
    (83 742,00) with no dates and no plan, PROTI (4.2.3.4, in progress, no costs), ConnectinGen
    (`partner_project`: ERAF 38 684,00, no total) and the closed pilot IB-2020 (9.2.2, no costs).
    Known totals: 752 946,43 (3 of 6); EU share 290 775,67 (2 of 6)."""
    await project(FAMILIES)
    for code, total in ((SIF_019, "299 990,00"), (SIF_014, "83 742,00")):
        await project(code, total=total, eligible=None, funding=(), start=None, end=None,
                      status=ProjectStatus.APPROVED)  # fmt: skip
    await project(PROTI, measure_code="4.2.3.4", start=date(2024, 6, 12), **_NO_COSTS)
    await partner_project()
    await project(PILOT, measure_code="9.2.2", status=ProjectStatus.CLOSED, start=None,
                  end=None, **_NO_COSTS)  # fmt: skip


async def partner(
    project_id: int,
    name: str,
    *,
    budget: int | None = None,
    is_own: bool = False,
    country: str = "LV",
    role: PartnerRole = PartnerRole.PARTNER,
) -> int:
    """An organisation taking part in the project, with its budget in cents if known."""
    position = await Partner.count().where(Partner.project == project_id)
    return (
        await Partner.insert(
            Partner(
                project=project_id,
                organisation=await organisation(name, is_own=is_own, country=country),
                role=role,
                budget=budget,
                position=position,
            )
        )
    )[0]["id"]


async def partner_project(code: str = CONNECTINGEN) -> int:
    """A project funded on our own partner's budget only, like ConnectinGen (LL-00241): Interreg
    priority III (half-yearly, flat rates truncated), 01.04.2025–31.03.2027, the planning region
    as a partner without a budget, and Tukums' social service with 48 355,00 split ERAF 80 %
    = 38 684,00, the municipality the remaining 9 671,00. Its id."""
    pid = await project(
        code,
        title="Paaudžu savienošana daudzveidībā (ConnectinGen)",
        title_en="Connecting generations in diversity (ConnectinGen)",
        measure_code="III",
        start=date(2025, 4, 1),
        end=date(2027, 3, 31),
        **_NO_COSTS,
    )
    await partner(pid, PLANNING_REGION)
    own = await partner(pid, SOCIAL_SERVICE, budget=4_835_500, is_own=True)
    on_budget = {"base": FundingBase.PARTNER_BUDGET, "partner_id": own}
    plan = [
        FundingLineInput("ERAF", rate="80", **on_budget),
        FundingLineInput(MUNICIPALITY, rate="20", residual=True, **on_budget),
    ]
    await update_project(BUILDER, pid, ProjectInput(funding=plan))
    return pid


# People


@dataclass(frozen=True)
class User:
    id: int
    email: str
    password: str
    role: Role
    principal: Principal


async def user(
    role: Role = Role.ADMIN,
    projects: Sequence[str] = (),
    *,
    email: str | None = None,
    password: str | None = None,
) -> User:
    """A user of `role`, a member of the projects with these codes. By default the demo user of
    that role: the same email and password."""
    demo = demo_user(role)
    email, password = email or demo.email, password or demo.password
    user_id = await add_user(email, password, role, list(projects), full_name=role.title())
    return User(user_id, email, password, role, await principal_for_user(user_id))


async def team(*projects: str) -> dict[Role, User]:
    """The five demo users, one of each role, as the demo makes them: finance, coordinator and
    viewer are members of the projects with these codes; admin and auditor see every project."""
    return {
        u.role: await user(u.role, projects if u.member_of_tukums_projects else ())
        for u in DEMO_USERS
    }


async def join(project_id: int, *roles: Role) -> None:
    """Make the demo users of `roles` (by default finance, coordinator and viewer, the demo's
    members) members of one more project, through `update_user`."""
    roles = roles or tuple(u.role for u in DEMO_USERS if u.member_of_tukums_projects)
    emails = {demo_user(role).email for role in roles}
    for row in await list_users(BUILDER):
        if row.email in emails:
            await update_user(
                BUILDER,
                row.id,
                role=row.role,
                active=row.active,
                project_ids={*row.project_ids, project_id},
                full_name=row.full_name,
            )


async def outsider(role: Role = Role.FINANCE) -> User:
    """A user of `role` who works on another project only: a member of SIF_002 (made here)."""
    await project(SIF_002, start=None, end=None, **_NO_COSTS)
    return await user(role, [SIF_002], email=f"{role}@sif.demo", password=f"sif-{role}-2026")


# Money


def invoice_form(**changes) -> dict:
    """An invoice as the register's form and the API take it, typed as people type it: Latvian
    amounts, 1 000,00 of 1 234,50 eligible; tests change what they are about."""
    return {
        "date": "15.03.2026",
        "amount": "1 234,50",
        "eligible_amount": "1 000,00",
        "vat": "214,26",
        "category": "external_services",
        "supplier": 'SIA "Birojs"',
        "invoice_number": "BR-001",
    } | changes


def invoice(**changes) -> ExpenditureInput:
    """`invoice_form` as the domain takes it, paid, described and with its evidence."""
    paid = {"payment_date": "2026-03-20", "description": "Office supplies"}
    evidence = {"evidence_ref": "Rīkojums Nr. 12"}
    return ExpenditureInput(**invoice_form(**(paid | evidence | changes)))


async def expenditure(project_id: int, **changes) -> ExpenditureRow:
    """An expenditure recorded through the register (`invoice` with `changes`)."""
    return await record_expenditure(BUILDER, project_id, invoice(**changes))


async def declare(
    project: int,
    day: date,
    amount: int,
    eligible: int | None = None,
    *,
    count: int = 1,
    category: str = "external_services",
    partner: int | None = None,
    vat: int = 0,
) -> None:
    """`count` current expenditures of `amount` cents written straight to the table, for sums
    over many invoices (the register would take far longer; it checks nothing these need)."""
    last = await (
        Expenditure.select(Expenditure.entry_no)
        .where(Expenditure.project == project)
        .order_by(Expenditure.entry_no, ascending=False)
        .first()
    )
    start = (last["entry_no"] if last else 0) + 1
    await Expenditure.insert(
        *(
            Expenditure(
                project=project,
                partner=partner,
                entry_no=n,
                spent_on=day,
                amount=amount,
                eligible_amount=amount if eligible is None else eligible,
                vat=vat,
                category=category,
                supplier="SIA Test",
                supplier_key="sia test",
                invoice_number=f"T-{n}",
                invoice_key=f"t-{n}",
            )
            for n in range(start, start + count)
        )
    )


# Results


async def indicator(
    project_id: int, code: str = "EECO01", *, target: str | None = "48", **changes
) -> IndicatorDetail:
    """An indicator through `create_indicator`: by default participants in total, 48 persons;
    `changes` are other IndicatorInput fields (aggregation, breakdowns, target_rule, …)."""
    typed = {"name": "Dalībnieki kopā", "unit": "personas"} | changes
    return await create_indicator(
        BUILDER, project_id, IndicatorInput(code=code, target=target, **typed)
    )


async def result_indicators(project_id: int) -> list[IndicatorDetail]:
    """The demo's two result indicators of 4.4.1.1./2/004, counted from the register: R1, 12
    families through a full 3–6 month cycle (households, 3 months), and R2, the 48 persons in
    them (completed, 3 months, by gender and age)."""
    counted = {"target_rule": "exactly", "kind": "result", "min_stay_months": "3"}
    return [
        await indicator(
            project_id,
            "R1",
            target="12",
            name="Ģimenes, kas saņēmušas pilnu 3–6 mēnešu pakalpojuma ciklu",
            unit="ģimenes",
            aggregation="households",
            **counted,
        ),
        await indicator(
            project_id,
            "R2",
            target="48",
            name="Personas ģimenēs, kas saņēmušas pilnu pakalpojuma ciklu",
            unit="personas",
            aggregation="completed",
            breakdowns=["gender", "age"],
            **counted,
        ),
    ]


async def entry(indicator_id: int, period_id: int, value: str, **changes) -> EntryRow:
    """A period's value of an indicator through `log_entry`."""
    return await log_entry(BUILDER, indicator_id, EntryInput(period_id, value=value, **changes))


async def two_quarters(project_id: int) -> int:
    """Two quarters of work on a project like FAMILIES, invoices and budget by the team's
    finance, indicator values by its coordinator (make `team` first): invoices of 1 234,50
    (1 000,00 eligible, VAT 214,26) and 101,01 in Q1 and 2 000,03 (1 999,99 eligible, staff) in
    Q2; a 2026 budget (staff 10 000,00, external services 5 000,00, office 15 % of staff);
    indicator EECO01 (48 persons, by gender) with 10 in Q1 (6 women, 4 men) and 5,5 in Q2 (no
    breakdown). The id of Q2, whose report it is."""
    finance, coordinator = await principal(Role.FINANCE), await principal(Role.COORDINATOR)
    for day, amount, eligible, vat, number, category in (
        ("15.02.2026", "1 234,50", "1 000,00", "214,26", "BR-001", "external_services"),
        ("20.03.2026", "101,01", "101,01", None, "BR-002", "external_services"),
        ("10.05.2026", "2 000,03", "1 999,99", None, "BR-003", "staff"),
    ):
        data = ExpenditureInput(day, amount, eligible, vat, category, 'SIA "Birojs"', number)
        await record_expenditure(finance, project_id, data)
    await set_budget(
        finance,
        project_id,
        [
            BudgetLineInput("staff", "2026", amount="10 000,00"),
            BudgetLineInput("external_services", "2026", amount="5 000,00"),
            BudgetLineInput("office_admin", "2026", flat_rate="15", flat_rate_base="staff"),
        ],
    )
    eeco = await indicator(
        project_id, name_en="Participants in total", unit_en="persons", breakdowns=["gender"]
    )
    q1, q2 = [await period_at(project_id, date(2026, month, 1)) for month in (2, 5)]
    gender = {"gender": {"women": "6", "men": "4"}}
    await log_entry(coordinator, eeco.id, EntryInput(q1, value="10", breakdown=gender))
    await log_entry(coordinator, eeco.id, EntryInput(q2, value="5,5", comment="Jauni"))
    return q2


# The register


def person(
    code: str,
    gender: str = "female",
    birth_year: str = "1990",
    entry: str = "01.02.2026",
    exit: str | None = None,
    *,
    household: str = "",
    target_group: str = "",
    flags: Sequence[str] = (),
) -> ParticipantInput:
    """A participant as typed: by default a woman born in 1990 who entered on 01.02.2026."""
    return ParticipantInput(
        code, gender, birth_year, entry, exit, household, target_group, list(flags)
    )


async def participant(project_id: int, code: str, *args, **kwargs) -> ParticipantRow:
    """A pseudonymous participant through `add_participant` (`person`'s arguments)."""
    return await add_participant(BUILDER, project_id, person(code, *args, **kwargs))


async def service(project_id: int, name: str, unit_price: str | None = None) -> ServiceRow:
    """A service in the project's catalogue through `add_service`."""
    return await add_service(BUILDER, project_id, ServiceInput(name, unit_price=unit_price))


async def receipt(
    project_id: int, code: str, service_id: int, day: str, amount: str, units: str = "1"
) -> ReceiptRow:
    """A service the participant with `code` received, through `add_receipt`."""
    return await add_receipt(
        BUILDER, project_id, ReceiptInput(code, service_id, day, units=units, amount=amount)
    )


# The command line


def build_at(url: str, make: Callable[[], Awaitable[object]]) -> None:
    """Run `make`, some builders, on the database at `url`: for the command line, from a test
    that is not async (the command runs an event loop of its own)."""

    async def run() -> None:
        db.use_engine(db.engine_from_url(url))
        await make()

    asyncio.run(run())
