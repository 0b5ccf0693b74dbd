"""Reading projects: the portfolio list and one project with its plan, partners and indicators."""

import re
from dataclasses import dataclass
from datetime import date

from grants.core.access import AccessDenied, Principal
from grants.core.dates import stored_date
from grants.core.paging import Paged, offset
from grants.core.text import comparable
from grants.core.vocabulary import AmountKind, FundingBase, FundingKind, OurRole, ProjectStatus
from grants.db import first_or_not_found, from_row, marks, row_or_not_found
from grants.modifications.versions import in_force
from grants.projects.funding_plan import FundingPlan, LineInput, compute_plan, ineligible_cost
from grants.tables.funding import FundingLine
from grants.tables.indicators import Indicator
from grants.tables.programmes import Measure
from grants.tables.projects import Partner, Project

# Roles in which the project is someone else's and ours is a part: the portfolio counts it at
# our share (our organisation's partner budget), not at the whole project's amounts.
SHARE_ROLES = frozenset({OurRole.LEAD_PARTNER, OurRole.PARTNER, OurRole.COOPERATION_PARTY})

# Spaces, dashes and underscores join a code's parts in one document and not in another.
_JOINERS = re.compile(r"[\s_\-\u2010-\u2015\u2212]+")


def normalise_code(code: str) -> str:
    """A key that treats "4.4.1.1./2/004" and "4.4.1.1/2/004" alike, and "ll 00241" and
    "LL-00241", but keeps every segment; look-alike characters count as the same
    (`grants.core.text.comparable`). The unique index on `Project.code_key` holds it.

    Separators vary between documents; the round segment ("/2/") does not, so it stays.
    """
    text = _JOINERS.sub("", comparable(code)).upper().removeprefix("NR.")
    return re.sub(r"\.(?=/)", "", text)


@dataclass(frozen=True)
class ProjectSummary:
    id: int
    code: str
    title_lv: str
    title_en: str
    programme_code: str
    programme_name_lv: str
    programme_name_en: str
    measure_code: str
    fund: str
    our_role: OurRole
    status: ProjectStatus
    amount_kind: AmountKind
    start_date: date | None
    end_date: date | None
    total_cost: int | None
    eligible_cost: int | None
    eu_share: int | None
    our_share: int | None = None  # our organisation's partner budget(s), where known
    our_eu_share: int | None = None  # the EU-fund lines computed on that budget

    @property
    def ineligible_cost(self) -> int | None:
        return ineligible_cost(self.total_cost, self.eligible_cost)

    @property
    def counted_as(self) -> str:
        """How the portfolio counts the project: "own_project" at its full amounts, "our_share"
        (we are a partner or cooperation party), or "other_organisation" (an approval of
        someone else's project that we follow), which stays out of our totals."""
        if self.our_role == OurRole.NONE:
            return "other_organisation"
        return "our_share" if self.our_role in SHARE_ROLES else "own_project"

    @property
    def shown_total(self) -> int | None:
        """The total the portfolio shows and counts: our share for a partner project."""
        return self.our_share if self.counted_as == "our_share" else self.total_cost

    @property
    def shown_eligible(self) -> int | None:
        """Eligible cost as counted; unknown for our share, which the plan does not split."""
        return None if self.counted_as == "our_share" else self.eligible_cost

    @property
    def shown_eu_share(self) -> int | None:
        """EU share as counted: of our share for a partner project."""
        return self.our_eu_share if self.counted_as == "our_share" else self.eu_share


@dataclass(frozen=True)
class PartnerRow:
    id: int
    organisation: str
    country: str
    role: str
    budget: int | None
    is_own: bool


@dataclass(frozen=True)
class IndicatorRow:
    id: int
    code: str
    name_lv: str
    name_en: str
    kind: str
    vocabulary: str
    unit_lv: str
    unit_en: str
    baseline_hundredths: int | None
    target_hundredths: int | None
    target_rule: str
    aggregation: str
    measured_after_end: bool


@dataclass(frozen=True)
class ProjectDetail:
    summary: ProjectSummary
    holder: str | None
    intermediate_body: str | None
    reporting: str
    eu_ceiling: int | None
    decision_date: date | None
    contract_ref: str
    note_lv: str
    note_en: str
    partners: list[PartnerRow]
    plan: FundingPlan
    indicators: list[IndicatorRow]
    contract_version: int | None = None  # the version read, when asked for one (`as_of`)

    def partner_name(self, partner_id: int | None) -> str:
        return next((p.organisation for p in self.partners if p.id == partner_id), "")


def _readable(principal: Principal, code: str | None) -> tuple[str, list] | None:
    """The WHERE clause (on `project p`) for the projects the principal may read, optionally
    the one with this code, with its arguments; None when the principal may read none."""
    where, args = [], []
    if not principal.sees_all_projects:
        if not principal.project_ids:
            return None
        ids = sorted(principal.project_ids)
        where.append(f"p.id IN ({marks(ids)})")
        args += ids
    if code:
        where.append("p.code_key = {}")
        args.append(normalise_code(code))
    return (f"WHERE {' AND '.join(where)} " if where else ""), args


# Each listed project's EU shares, summed in SQL from the stored line amounts
# (`FundingLine.amount`, which editing keeps equal to the computed plan): unknown (NULL) without
# such lines or when one line's amount is unknown, as `FundingPlan.eu_share` says. Grouped
# joins, not a subquery per project, so the database plans and runs it once for all rows.
# The listing also says how the portfolio counts each project (`ProjectSummary.counted_as`)
# and the figures as counted (`shown_*`), as the summary's properties do, so the portfolio
# can filter, sort and total in SQL.
# CAST: PostgreSQL sums BIGINT as NUMERIC, which would arrive as Decimal, not cents.
_KNOWN_SUM = "CASE WHEN COUNT(f.id) = COUNT(f.amount) THEN CAST(SUM(f.amount) AS BIGINT) END"
_SHARE = ", ".join(f"'{role.value}'" for role in sorted(SHARE_ROLES))
_LISTED = f"""
SELECT p.id, p.code, p.title_lv, p.title_en, p.our_role, p.status, p.amount_kind,
    p.start_date, p.end_date, p.total_cost, p.eligible_cost,
    m.code AS measure_code, m.fund AS fund, g.code AS programme_code,
    g.name_lv AS programme_name_lv, g.name_en AS programme_name_en,
    eu.eu_share, ours.our_share, our_eu.our_eu_share,
    CASE WHEN p.our_role = '{OurRole.NONE.value}' THEN 'other_organisation'
        WHEN p.our_role IN ({_SHARE}) THEN 'our_share' ELSE 'own_project' END AS counted_as,
    CASE WHEN p.our_role IN ({_SHARE}) THEN ours.our_share ELSE p.total_cost END AS shown_total,
    CASE WHEN p.our_role IN ({_SHARE}) THEN NULL ELSE p.eligible_cost END AS shown_eligible,
    CASE WHEN p.our_role IN ({_SHARE}) THEN our_eu.our_eu_share ELSE eu.eu_share END
        AS shown_eu_share
FROM project p JOIN measure m ON m.id = p.measure JOIN programme g ON g.id = m.programme
LEFT JOIN (SELECT f.project, {_KNOWN_SUM} AS eu_share FROM funding_line f
    WHERE f.kind = {{}} GROUP BY f.project) eu ON eu.project = p.id
LEFT JOIN (SELECT pa.project, CAST(SUM(pa.budget) AS BIGINT) AS our_share FROM partner pa
    JOIN organisation o ON o.id = pa.organisation
    WHERE o.is_own = {{}} GROUP BY pa.project) ours ON ours.project = p.id
LEFT JOIN (SELECT f.project, {_KNOWN_SUM} AS our_eu_share FROM funding_line f
    JOIN partner pa ON pa.id = f.partner JOIN organisation o ON o.id = pa.organisation
    WHERE f.kind = {{}} AND f.base = {{}} AND o.is_own = {{}} GROUP BY f.project) our_eu
    ON our_eu.project = p.id
"""
_LISTED_ARGS = (FundingKind.EU_FUND.value, True, FundingKind.EU_FUND.value,
                FundingBase.PARTNER_BUDGET.value, True)  # fmt: skip


def listed_sql(principal: Principal, code: str | None = None) -> tuple[str, list] | None:
    """The statement listing the summaries of the projects the principal may read (optionally
    the one with this code), unordered, with its arguments; None when they may read none. The
    portfolio wraps it to filter, sort and total in SQL on its `counted_as` and `shown_*`
    columns."""
    readable = _readable(principal, code)
    if readable is None:
        return None
    where, args = readable
    return _LISTED + where, [*_LISTED_ARGS, *args]


def summary_from_row(row: dict) -> ProjectSummary:
    """A summary from a row of `listed_sql` (extra columns are ignored)."""
    return from_row(
        ProjectSummary,
        row,
        our_role=OurRole(row["our_role"]),
        status=ProjectStatus(row["status"]),
        amount_kind=AmountKind(row["amount_kind"]),
        start_date=None if row["start_date"] is None else stored_date(row["start_date"]),
        end_date=None if row["end_date"] is None else stored_date(row["end_date"]),
    )


async def _listed(
    principal: Principal, code: str | None, page: tuple[int, int] | None = None
) -> list[ProjectSummary]:
    """Summaries of the projects the principal may read (optionally the one with this code),
    by code, in one statement: no plan is computed for a list. `page`: (limit, offset)."""
    listed = listed_sql(principal, code)
    if listed is None:
        return []
    sql, args = listed
    sql += "ORDER BY p.code"
    if page:
        sql += " LIMIT {} OFFSET {}"
        args += page
    return [summary_from_row(row) for row in await Project.raw(sql, *args)]


async def list_projects(principal: Principal, *, code: str | None = None) -> list[ProjectSummary]:
    """Every project the principal may read, with its EU share from the stored plan amounts."""
    return await _listed(principal, code)


async def projects_page(
    principal: Principal, *, page: int, per_page: int, code: str | None = None
) -> Paged[ProjectSummary]:
    """A page of the projects the principal may read, by code. A page beyond the last is
    empty."""
    readable = _readable(principal, code)
    if readable is None:
        return Paged([], 0, page, per_page)
    where, args = readable
    [counted] = await Project.raw(f"SELECT COUNT(*) AS n FROM project p {where}", *args)
    total = counted["n"]
    rows = await _listed(principal, code, (per_page, offset(page, per_page)))
    return Paged(rows, total, page, per_page)


# One project's reads, in raw SQL: each page of a project runs them, and Piccolo's building of
# the joined select cost more than the database's answer. Piccolo joins foreign keys with LEFT
# JOIN; so do these.
_PROJECT = """
SELECT p.id, p.code, p.title_lv, p.title_en, p.our_role, p.status, p.amount_kind,
    p.start_date, p.end_date, p.total_cost, p.eligible_cost,
    m.code AS measure_code, m.fund AS fund, g.code AS programme_code,
    g.name_lv AS programme_name_lv, g.name_en AS programme_name_en,
    h.name AS holder, ib.name AS intermediate_body, p.reporting, p.eu_ceiling, p.decision_date,
    p.contract_ref, p.note_lv, p.note_en
FROM project p LEFT JOIN measure m ON m.id = p.measure
LEFT JOIN programme g ON g.id = m.programme LEFT JOIN organisation h ON h.id = p.holder
LEFT JOIN organisation ib ON ib.id = m.intermediate_body
WHERE p.id = {}
"""
_FUNDING_LINES = """
SELECT id, project, partner, position, source, kind, base, rate_bp, fixed_amount, residual, amount
FROM funding_line WHERE project = {} ORDER BY position, id
"""
_PARTNERS = """
SELECT pa.id, o.name AS organisation, o.country, o.is_own, pa.role, pa.budget
FROM partner pa LEFT JOIN organisation o ON o.id = pa.organisation
WHERE pa.project = {} ORDER BY pa.position, pa.id
"""
_INDICATORS = f"""
SELECT {", ".join(IndicatorRow.__dataclass_fields__)} FROM indicator
WHERE project = {{}} ORDER BY position, id
"""


async def get_project(
    principal: Principal, project_id: int, *, indicators: bool = True, as_of: date | None = None
) -> ProjectDetail:
    """One project; NotFound when there is no such id, AccessDenied when it is not the reader's.
    `indicators=False` leaves `indicators` empty, for a page that reads them with their
    progress (`indicator_progress`) and would otherwise read them twice.

    `as_of` (a period's end): the contract version in force that day, which a period's report
    is computed with: its dates, costs, funding lines, partners' budgets and roles and
    indicator targets (`in_force`, one more query, two for an older version); without it the
    newest version, as the project's tables hold it, and `contract_version` None."""
    row = row_or_not_found(await Project.raw(_PROJECT, project_id))
    if not principal.can_read_project(project_id):
        raise AccessDenied()
    lines = await FundingLine.raw(_FUNDING_LINES, project_id)
    partners = await Partner.raw(_PARTNERS, project_id)
    rows = await Indicator.raw(_INDICATORS, project_id) if indicators else []
    contract_version = None
    if as_of is not None:
        version = await in_force(project_id, as_of)
        contract_version = version.number
        if version.snapshot is not None:
            row, lines, partners, rows = _in_version(version.snapshot, row, partners, rows)
    # The plan from the partners read above: one read of them serves the plan and the list.
    plan = compute_plan(
        [from_row(LineInput, line, partner_id=line["partner"]) for line in lines],
        total=row["total_cost"],
        eligible=row["eligible_cost"],
        partner_budgets={p["id"]: p["budget"] for p in partners},
    )
    own_budgets = {p["id"]: p["budget"] for p in partners if p["is_own"]}
    return from_row(
        ProjectDetail,
        row,
        summary=_summary(row, plan, own_budgets),
        partners=[PartnerRow(**p) for p in partners],
        plan=plan,
        indicators=[IndicatorRow(**i) for i in rows],
        contract_version=contract_version,
    )


def _in_version(
    snapshot: dict, row: dict, partners: list[dict], indicators: list[dict]
) -> tuple[dict, list[dict], list[dict], list[dict]]:
    """The project's row, funding lines, partners and indicators as an older contract version
    (a `grants.modifications.versions` snapshot) has them. Its funding lines get ids of their
    own (negative, so no stored line's); a partner it does not have is left out, and one only
    it has (or whose id SQLite has given to another since) is shown by its stored name."""
    row = row | {
        "start_date": _day(snapshot["start_date"]),
        "end_date": _day(snapshot["end_date"]),
        "total_cost": snapshot["total_cost"],
        "eligible_cost": snapshot["eligible_cost"],
    }
    lines = [{**line, "id": -n} for n, line in enumerate(snapshot["funding"], start=1)]
    live = {p["id"]: p for p in partners}
    gone = {"country": "", "is_own": False}
    then = [
        (
            live[p["id"]]
            if p["id"] in live and live[p["id"]]["organisation"] == p["name"]  # not a reused id
            else gone | {"organisation": p["name"]}
        )
        | {"id": p["id"], "role": p["role"], "budget": p["budget"]}
        for p in snapshot["partners"]
    ]
    targets = {i["id"]: i for i in snapshot["indicators"]}
    shown = [
        i | {k: targets[i["id"]][k] for k in ("baseline_hundredths", "target_hundredths")}
        if i["id"] in targets
        else i
        for i in indicators
    ]
    return row, lines, then, shown


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


async def project_dates(project_id: int) -> tuple[date | None, date | None]:
    """The project's start and end, which dated input must fall between; NotFound when there is
    no such project. No access check: for other domain modules."""
    row = await first_or_not_found(
        Project.select(Project.start_date, Project.end_date).where(Project.id == project_id)
    )
    return row["start_date"], row["end_date"]


async def list_measures() -> list[dict]:
    """Measures for choosing one in a form: id, code, names, programme code."""
    return await Measure.select(
        Measure.id,
        Measure.code,
        Measure.name_lv,
        Measure.name_en,
        Measure.programme.code.as_alias("programme_code"),
    ).order_by(Measure.code)


def _our_eu_share(plan: FundingPlan, own_budgets: dict[int, int | None]) -> int | None:
    """The EU-fund lines on our partner budget(s); None without such lines or when one is
    not computable (ConnectinGen: ERDF 80 % of 48 355,00 = 38 684,00)."""
    amounts = [
        line.amount
        for line in plan.lines
        if line.kind == FundingKind.EU_FUND
        and line.base == FundingBase.PARTNER_BUDGET
        and line.partner_id in own_budgets
    ]
    if not amounts or any(a is None for a in amounts):
        return None
    return sum(amounts)


def _summary(row: dict, plan: FundingPlan, own_budgets: dict[int, int | None]) -> ProjectSummary:
    known = [b for b in own_budgets.values() if b is not None]
    return from_row(
        ProjectSummary,
        row,
        our_role=OurRole(row["our_role"]),
        status=ProjectStatus(row["status"]),
        amount_kind=AmountKind(row["amount_kind"]),
        eu_share=plan.eu_share,
        our_share=sum(known) if known else None,
        our_eu_share=_our_eu_share(plan, own_budgets),
    )
