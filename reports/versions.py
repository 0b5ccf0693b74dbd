"""A period's progress report: its narrative, and the versions frozen on submission.

Submitting a period (`submit_and_freeze`) renders its report in every format and stores the
files with a hash of the report's data, in the same transaction as the status change. From then
on that version's files are returned exactly as stored, whatever changes in the project later;
a reopened period submitted again gets the next version, and every version stays downloadable.
A draft or returned period's report is rendered live.
"""

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import NotFound, Problems, Refused
from grants.core.messages import LOCKED_PERIOD, TOO_LONG
from grants.core.translatable import N_
from grants.core.vocabulary import LOCKED_PERIOD_STATUSES, PeriodStatus, Role
from grants.db import write_transaction
from grants.projects.periods import PeriodRow, for_update, get_period, submit
from grants.tables.periods import ReportingPeriod
from grants.tables.projects import Project
from grants.tables.reports import PeriodNarrative, ReportVersion
from reports.project_report import NARRATIVE, ProjectReport, build_project_report
from reports.render_csv import render_csv
from reports.render_html import render_html
from reports.render_pdf import render_pdf
from reports.render_xlsx import render_xlsx

ENTITY_NARRATIVE = "period_narrative"
ENTITY_VERSION = "report_version"
FROZEN_LOCALE = "lv"  # the report goes to the funder in Latvian
MAX_NARRATIVE = 20_000
FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
UNKNOWN_SECTION = N_("“%(section)s” is not a section of the report.")
UNKNOWN_FORMAT = N_("Choose one of the formats html, pdf, xlsx, csv.")
UNKNOWN_VERSION = N_("The period has no report version %(version)s.")


@dataclass(frozen=True)
class VersionRow:
    id: int
    period_id: int
    version: int
    created_at: datetime
    created_by: str
    report_date: date
    locale: str
    data_hash: str


# Narrative -----------------------------------------------------------------------------------


async def narrative(principal: Principal, period_id: int) -> dict[str, str]:
    """The period's narrative texts, every section of NARRATIVE present ("" when unwritten)."""
    await get_period(principal, period_id)  # exists and readable
    return await _narrative(period_id)


async def _narrative(period_id: int) -> dict[str, str]:
    rows = await PeriodNarrative.select(PeriodNarrative.section, PeriodNarrative.text).where(
        PeriodNarrative.period == period_id
    )
    texts = {row["section"]: row["text"] for row in rows}
    return {key: texts.get(key, "") for key in NARRATIVE}


async def save_narrative(
    principal: Principal, period_id: int, texts: dict[str, str]
) -> dict[str, str]:
    """Write the given sections' texts (others stay); refused while the period is locked."""
    problems = Problems()
    cleaned = {}
    for key, text in texts.items():
        if key not in NARRATIVE:
            problems.add(UNKNOWN_SECTION, key, section=key)
            continue
        cleaned[key] = (text or "").replace("\r\n", "\n").strip()
        if len(cleaned[key]) > MAX_NARRATIVE:
            problems.add(TOO_LONG, key, max=MAX_NARRATIVE)
    async with write_transaction():
        period = await _locked_period_row(period_id)
        principal.require(Action.EDIT_INDICATORS, period["project"])
        if period["status"] in LOCKED_PERIOD_STATUSES:
            raise Refused.one(
                LOCKED_PERIOD[period["status"]],
                field="period_id",
                conflict=True,
                start=period["start_date"].strftime("%d.%m.%Y"),
                end=period["end_date"].strftime("%d.%m.%Y"),
            )
        if problems.items:
            raise Refused(problems.items)
        before = await _narrative(period_id)
        changed = {k: v for k, v in cleaned.items() if before[k] != v}
        for key, text in changed.items():
            where = (PeriodNarrative.period == period_id) & (PeriodNarrative.section == key)
            if await PeriodNarrative.exists().where(where):
                await PeriodNarrative.update(
                    {
                        PeriodNarrative.text: text,
                        PeriodNarrative.updated_by: principal.user_id,
                        PeriodNarrative.updated_at: datetime.now().astimezone(),
                    }
                ).where(where)
            else:
                await PeriodNarrative.insert(
                    PeriodNarrative(
                        period=period_id, section=key, text=text, updated_by=principal.user_id
                    )
                )
        if changed:
            await audit.record(
                "update",
                ENTITY_NARRATIVE,
                period_id,
                actor=principal,
                project_id=period["project"],
                before={k: before[k] for k in changed},
                after=changed,
            )
        return before | changed


async def _locked_period_row(period_id: int) -> dict:
    row = await for_update(
        ReportingPeriod.select().where(ReportingPeriod.id == period_id), strength="SHARE"
    ).first()
    if row is None:
        raise NotFound()
    return row


# Freezing ------------------------------------------------------------------------------------


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


def data_hash(csv_bytes: bytes) -> str:
    """sha256 of the CSV: every figure of the report, one a row."""
    return hashlib.sha256(csv_bytes).hexdigest()


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
        files = {fmt: render(report, fmt) for fmt in FORMATS}
        last = await (
            ReportVersion.select(ReportVersion.version)
            .where(ReportVersion.period == period_id)
            .order_by(ReportVersion.version, ascending=False)
            .first()
        )
        row = ReportVersion(
            period=period_id,
            version=(last["version"] if last else 0) + 1,
            created_by=principal.email,
            report_date=report.report_date,
            locale=report.locale,
            data_hash=data_hash(files["csv"]),
            **files,
        )
        await row.save()
        await audit.record(
            "freeze",
            ENTITY_VERSION,
            row.id,
            actor=principal,
            project_id=period.project_id,
            after={"period": period_id, "version": row.version, "data_hash": row.data_hash},
        )
    return (await _versions(period_id, version=row.version))[0]


async def submit_and_freeze(principal: Principal, period_id: int) -> PeriodRow:
    """Submit the period and freeze its report, both or neither."""
    async with write_transaction():
        submitted = await submit(principal, period_id)
        await freeze(principal, period_id)
    return submitted


# Reading -------------------------------------------------------------------------------------

_VERSION_COLUMNS = (
    ReportVersion.id,
    ReportVersion.period,
    ReportVersion.version,
    ReportVersion.created_at,
    ReportVersion.created_by,
    ReportVersion.report_date,
    ReportVersion.locale,
    ReportVersion.data_hash,
)


async def _versions(period_id: int, *, version: int | None = None) -> list[VersionRow]:
    query = ReportVersion.select(*_VERSION_COLUMNS).where(ReportVersion.period == period_id)
    if version is not None:
        query = query.where(ReportVersion.version == version)
    rows = await query.order_by(ReportVersion.version)
    return [
        VersionRow(
            id=r["id"],
            period_id=r["period"],
            version=r["version"],
            created_at=r["created_at"],
            created_by=r["created_by"],
            report_date=r["report_date"],
            locale=r["locale"],
            data_hash=r["data_hash"],
        )
        for r in rows
    ]


async def list_versions(principal: Principal, period_id: int) -> list[VersionRow]:
    """The period's frozen versions, oldest first."""
    await get_period(principal, period_id)
    return await _versions(period_id)


def filename(code: str, period_number: int, fmt: str, version: int | None) -> str:
    """e.g. 4.4.1.1._2_004-periods-3-v1.pdf (a live report ends in -draft)."""
    safe = re.sub(r"[^\w.-]+", "_", code, flags=re.ASCII).strip("_") or "report"
    suffix = f"v{version}" if version else "draft"
    return f"{safe}-periods-{period_number}-{suffix}.{fmt}"


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
    language (Latvian).
    """
    if fmt not in FORMATS:
        raise Refused.one(UNKNOWN_FORMAT, field="format")
    period = await get_period(principal, period_id)
    code = (await Project.select(Project.code).where(Project.id == period.project_id).first())[
        "code"
    ]
    frozen = period.status in (PeriodStatus.SUBMITTED, PeriodStatus.APPROVED)
    if version is None and not frozen:
        report = await build(principal, period_id, locale=locale)
        return render(report, fmt), FORMATS[fmt], filename(code, period.number, fmt, None)
    query = ReportVersion.select(ReportVersion.version, getattr(ReportVersion, fmt)).where(
        ReportVersion.period == period_id
    )
    if version is not None:
        query = query.where(ReportVersion.version == version)
    row = await query.order_by(ReportVersion.version, ascending=False).first()
    if row is None:
        if version is not None:
            raise Refused.one(UNKNOWN_VERSION, field="version", version=version)
        # submitted before reports were frozen: nothing stored, so the live report
        report = await build(principal, period_id, locale=locale)
        return render(report, fmt), FORMATS[fmt], filename(code, period.number, fmt, None)
    data = bytes(row[fmt])
    return data, FORMATS[fmt], filename(code, period.number, fmt, row["version"])


async def report_panel(principal: Principal, period: PeriodRow, form: dict | None = None) -> dict:
    """What the project page shows of the chosen period's report: download formats, stored
    versions, and the narrative (editable while the period is a draft or returned)."""
    texts = await _narrative(period.id)
    return {
        "formats": list(FORMATS),
        "versions": await _versions(period.id),
        "sections": list(NARRATIVE.items()),
        "values": texts | ((form or {}).get("values") or {}),
        "errors": (form or {}).get("errors") or {},
        "editable": period.status not in LOCKED_PERIOD_STATUSES
        and principal.can(Action.EDIT_INDICATORS, period.project_id),
    }
