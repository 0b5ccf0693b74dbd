"""The portfolio view: project summaries filtered, sorted, paged and totalled in SQL.

Rows show and sort by the figures as counted (`ProjectSummary.shown_total` etc.): a partner
project at our share. Totals come in two groups that are never added together: our projects
(own projects at their full amounts, partner projects at our share) and other organisations'
approvals that we follow (SIF's twelve), whose amounts are not ours.

The database filters, sorts and sums every matching project; only the rows of the page shown
become summaries, so a page costs the same at 26 projects and at 500.
"""

from dataclasses import dataclass

from grants.core.access import Principal
from grants.core.paging import Paged, offset, shown_page
from grants.db import marks
from grants.projects.reading import ProjectSummary, listed_sql, summary_from_row
from grants.tables.projects import Project

# Sort keys and the columns they order by, as the page's column headers name them. A title
# sorts by LOWER, which SQLite applies to ASCII letters only: a title's first letter is a
# capital either way, so the order of Latvian titles holds.
SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "title": ("LOWER(title_lv)",),
    "programme": ("programme_code", "measure_code"),
    "period": ("start_date",),
    "total": ("shown_total",),
    "eligible": ("shown_eligible",),
    "eu": ("shown_eu_share",),
    "status": ("status",),
}

# CAST: PostgreSQL sums BIGINT as NUMERIC, which would arrive as Decimal, not cents.
_TOTALS = """
SELECT CASE WHEN counted_as = 'other_organisation' THEN 'others' ELSE 'ours' END AS grp,
    COUNT(*) AS projects,
    CAST(COALESCE(SUM(shown_total), 0) AS BIGINT) AS total_cost,
    COUNT(shown_total) AS total_known,
    CAST(COALESCE(SUM(shown_eligible), 0) AS BIGINT) AS eligible_cost,
    COUNT(shown_eligible) AS eligible_known,
    CAST(COALESCE(SUM(shown_eu_share), 0) AS BIGINT) AS eu_share,
    COUNT(shown_eu_share) AS eu_known
FROM ({listed}) s {where}
GROUP BY CASE WHEN counted_as = 'other_organisation' THEN 'others' ELSE 'ours' END
"""
_OPTIONS = """
SELECT DISTINCT g.code AS programme_code, g.name_lv, g.name_en, m.code AS measure_code, p.status
FROM project p JOIN measure m ON m.id = p.measure JOIN programme g ON g.id = m.programme
{where}
"""


@dataclass(frozen=True)
class PortfolioFilter:
    """What the reader asked to see, as the page's URL keeps it; empty means all."""

    programme: str | None = None
    measure: str | None = None
    status: str | None = None
    sort: str = "code"
    descending: bool = False


@dataclass(frozen=True)
class GroupTotals:
    """Column sums over one group of the matching rows, as counted; `*_known` counts the rows
    that have the figure."""

    projects: int
    total_cost: int
    total_known: int
    eligible_cost: int
    eligible_known: int
    eu_share: int
    eu_known: int


NO_PROJECTS = GroupTotals(0, 0, 0, 0, 0, 0, 0)


@dataclass(frozen=True)
class Totals:
    """`ours`: own projects at full amounts and partner projects at our share; `others`:
    other organisations' approvals, totalled apart."""

    projects: int
    ours: GroupTotals
    others: GroupTotals


@dataclass(frozen=True)
class Portfolio:
    """A page of the matching rows, the totals over all of them, and the choices the filters
    offer (from every project the reader may see, before filtering)."""

    shown: Paged[ProjectSummary]
    totals: Totals
    programmes: list[tuple[str, str, str]]  # (code, name_lv, name_en)
    measures: list[str]
    statuses: list[str]


def _matching(listed: tuple[str, list], chosen: PortfolioFilter) -> tuple[str, str, list]:
    """The listing, the WHERE clause the filter makes on it, and the arguments."""
    sql, args = listed
    where, args = [], list(args)
    for column, value in (
        ("programme_code", chosen.programme),
        ("measure_code", chosen.measure),
        ("status", chosen.status),
    ):
        if value:
            where.append(f"{column} = {{}}")
            args.append(value)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return sql, clause, args


def _order(chosen: PortfolioFilter) -> str:
    """Unknown figures last either way; equal keys by code."""
    columns = SORT_COLUMNS.get(chosen.sort, SORT_COLUMNS["code"])
    direction = " DESC" if chosen.descending else ""
    keys = [f"CASE WHEN {columns[0]} IS NULL THEN 1 ELSE 0 END"]
    keys += [f"{column}{direction}" for column in columns]
    return "ORDER BY " + ", ".join([*keys, "code"])


async def portfolio_totals(principal: Principal, chosen: PortfolioFilter) -> Totals:
    """The two groups' totals over every project matching the filter."""
    listed = listed_sql(principal)
    if listed is None:
        return Totals(0, NO_PROJECTS, NO_PROJECTS)
    sql, where, args = _matching(listed, chosen)
    sql = _TOTALS.format(listed=sql, where=where)
    groups = {row.pop("grp"): GroupTotals(**row) for row in await Project.raw(sql, *args)}
    ours, others = groups.get("ours", NO_PROJECTS), groups.get("others", NO_PROJECTS)
    return Totals(ours.projects + others.projects, ours, others)


async def portfolio_rows(
    principal: Principal, chosen: PortfolioFilter, page: tuple[int, int] | None = None
) -> list[ProjectSummary]:
    """The matching projects in the chosen order; `page`: (limit, offset)."""
    listed = listed_sql(principal)
    if listed is None:
        return []
    sql, where, args = _matching(listed, chosen)
    sql = f"SELECT * FROM ({sql}) s {where} {_order(chosen)}"
    if page:
        sql += " LIMIT {} OFFSET {}"
        args += page
    return [summary_from_row(row) for row in await Project.raw(sql, *args)]


async def _options(principal: Principal) -> tuple[list[tuple[str, str, str]], list, list]:
    where, args = "", []
    if not principal.sees_all_projects:
        ids = sorted(principal.project_ids) or [0]
        where = f"WHERE p.id IN ({marks(ids)})"
        args = ids
    rows = await Project.raw(_OPTIONS.format(where=where), *args)
    return (
        sorted({(r["programme_code"], r["name_lv"], r["name_en"]) for r in rows}),
        sorted({r["measure_code"] for r in rows}),
        sorted({r["status"] for r in rows}),
    )


async def portfolio_page(
    principal: Principal, chosen: PortfolioFilter, *, page: int, per_page: int
) -> Portfolio:
    """One page of the portfolio (the last one when `page` is beyond it), with the totals of
    every matching project and the filter choices."""
    totals = await portfolio_totals(principal, chosen)
    number = shown_page(page, totals.projects, per_page)
    rows = await portfolio_rows(principal, chosen, (per_page, offset(number, per_page)))
    programmes, measures, statuses = await _options(principal)
    return Portfolio(
        shown=Paged(rows, totals.projects, number, per_page),
        totals=totals,
        programmes=programmes,
        measures=measures,
        statuses=statuses,
    )
