"""A period's progress report as a file: built and rendered live, or frozen on submission.

Submitting a period (`submit_and_freeze`) renders its report in every format and has the domain
store the files with a hash of the report's data (`grants.projects.reports.store_version`), in
the same transaction as the status change. The funder's copy is complete; a second rendering
without the register's service tables is stored beside it, and a reader who may not see the
register is given that one. From then on that version's files are returned
exactly as stored, whatever changes in the project later; a reopened period submitted again
gets the next version, and every version stays downloadable. A draft or returned period's
report is rendered live.

The narrative, the stored versions and the report panel of the project page are the domain's
(`grants.projects.reports`); this module adds what needs the report builders and renderers.
"""

from dataclasses import replace
from datetime import date

from grants.core.access import Action, Principal
from grants.core.vocabulary import PeriodStatus, Role
from grants.db import write_transaction
from grants.projects.periods import PeriodRow, get_period, submit
from grants.projects.reports import (
    FORMATS,
    REDUCED_FORMATS,
    VersionRow,
    check_format,
    narrative,
    report_filename,
    store_version,
    stored_file,
)
from reports.project_report import ProjectReport, build_project_report
from reports.render_csv import render_csv
from reports.render_html import render_html
from reports.render_pdf import render_pdf
from reports.render_xlsx import render_xlsx
from reports.threads import off_loop

FROZEN_LOCALE = "lv"  # the report goes to the funder in Latvian


def _reporter(principal: Principal, project_id: int) -> Principal:
    """Who the frozen report is read as: the funder's copy is complete (service tables
    included) whoever presses "submit"; the audit trail still names the submitter."""
    return replace(principal, role=Role.ADMIN, project_ids=frozenset({project_id}))


async def build(
    principal: Principal,
    period_id: int,
    *,
    locale: str = FROZEN_LOCALE,
    report_date: date | None = None,
) -> ProjectReport:
    """The period's report with its narrative, read with the principal's rights."""
    return await build_project_report(
        principal,
        period_id,
        locale=locale,
        narrative=await narrative(principal, period_id),
        report_date=report_date,
    )


def render(report: ProjectReport, fmt: str) -> bytes:
    return {"html": render_html, "pdf": render_pdf, "xlsx": render_xlsx, "csv": render_csv}[fmt](
        report
    )


def _render_all(
    report: ProjectReport, reduced: ProjectReport
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Every format of the report, and of its copy without the register's service tables."""
    return (
        {fmt: render(report, fmt) for fmt in FORMATS},
        {fmt: render(reduced, fmt) for fmt in REDUCED_FORMATS},
    )


# Freezing ------------------------------------------------------------------------------------


async def freeze(
    principal: Principal, period_id: int, *, report_date: date | None = None
) -> VersionRow:
    """Render the period's report in every format and store it as the next version."""
    period = await get_period(principal, period_id)
    principal.require(Action.SUBMIT_PERIOD, period.project_id)
    async with write_transaction():
        report = await build(
            _reporter(principal, period.project_id), period_id, report_date=report_date
        )
        reduced = replace(report, services=None, service_totals=None)
        files, reduced_files = await off_loop(_render_all, report, reduced)
        return await store_version(
            principal,
            period,
            files,
            reduced=reduced_files,
            report_date=report.report_date,
            locale=report.locale,
        )


async def submit_and_freeze(principal: Principal, period_id: int) -> PeriodRow:
    """Submit the period and freeze its report, both or neither."""
    async with write_transaction():
        submitted = await submit(principal, period_id)
        await freeze(principal, period_id)
    return submitted


# Serving -------------------------------------------------------------------------------------


async def report_file(
    principal: Principal,
    period_id: int,
    fmt: str,
    *,
    version: int | None = None,
    locale: str = "lv",
) -> tuple[bytes, str, str]:
    """(bytes, media type, file name) of the period's report.

    A submitted or approved period returns its latest stored version, byte for byte (`version`
    picks an older one, also of a reopened period); a draft or returned period without a
    `version` asked for is rendered live, in `locale`. Stored versions are in their own
    language (Latvian). A reader who may not see the register gets the stored version without
    its service tables (AccessDenied for a version frozen before that was kept).
    """
    check_format(fmt)
    period = await get_period(principal, period_id)
    frozen = period.status in (PeriodStatus.SUBMITTED, PeriodStatus.APPROVED)
    stored = None
    if version is not None or frozen:
        full = principal.can(Action.READ_REGISTER, period.project_id)
        # Refused: no such version
        stored = await stored_file(period, fmt, version=version, full=full)
    if stored is None:
        # a draft, or submitted before reports were frozen (nothing stored): the live report
        report = await build(principal, period_id, locale=locale)
        data = await off_loop(render, report, fmt)
        return data, FORMATS[fmt], await report_filename(period, fmt, None)
    number, data = stored
    return data, FORMATS[fmt], await report_filename(period, fmt, number)
