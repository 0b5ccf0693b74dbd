"""The portfolio report's to-date figures, aggregated in SQL (`projects_to_date`), are the ones
the per-period path (`projects_progress`, what the project pages show) gives, for every rule."""

from decimal import Decimal

from grants.core.vocabulary import PeriodStatus
from grants.results.progress import projects_progress, projects_to_date
from grants.tables.periods import ReportingPeriod
from grants.tables.projects import Project
from tests.builders import entry, indicator

FIGURES = (
    "target_rule",
    "target_hundredths",
    "to_date",
    "numerator_to_date",
    "denominator_to_date",
    "percent_of_target",
)


def figures(progress: dict) -> dict[int, dict[int, tuple]]:
    return {
        pid: {line.indicator_id: tuple(getattr(line, name) for name in FIGURES) for line in lines}
        for pid, lines in progress.items()
    }


async def test_to_date_figures_match_the_per_period_path_on_the_demo(demo):
    ids = [row["id"] for row in await Project.select(Project.id)]
    drafts = await (
        ReportingPeriod.select(ReportingPeriod.id, ReportingPeriod.project)
        .where(ReportingPeriod.status == PeriodStatus.DRAFT)
        .order_by(ReportingPeriod.start_date)
    )
    pid = drafts[0]["project"]
    first, second = [p["id"] for p in drafts if p["project"] == pid][:2]
    # cumulative: the later period's value wins, though it was typed first
    latest = await indicator(pid, "CUM01", target="40", aggregation="cumulative")
    await entry(latest.id, second, "25")
    await entry(latest.id, first, "30")
    await indicator(pid, "NONE01", target="5")  # nothing logged
    share = await indicator(pid, "PCT01", target="50", aggregation="percentage")
    await entry(share.id, first, None, numerator="1", denominator="3")
    await entry(share.id, second, None, numerator="2", denominator="4")

    new = figures(await projects_to_date(ids))
    assert new == figures(await projects_progress(ids))
    assert new[pid][latest.id][2:] == (2500, None, None, Decimal("62.5"))
    assert new[pid][share.id][2:] == (4286, 300, 700, Decimal("85.7"))  # 3 of 7, not a mean
    assert sum(len(lines) for lines in new.values()) > 20  # the demo's own indicators too
    assert await projects_to_date([]) == {}
