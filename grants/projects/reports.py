"""A period's progress report as stored: its narrative, and the versions frozen on submission.

The narrative is written per section (NARRATIVE) while the period is a draft or returned; a
submitted or approved period's narrative is locked. A frozen version keeps the report's files
in every format (FORMATS) exactly as they were sent, with a hash of the report's data; versions
are numbered per period and never change. Beside them it keeps the same report without the
register's service tables (REDUCED_FORMATS; the CSV has none), which is what a reader who may
not see the register is given.

This module only stores and reads: building and rendering a report, and freezing it on
submission, is `reports.versions`, which calls `store_version` here. Nothing here imports
`reports`.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from grants.core import audit
from grants.core.access import AccessDenied, Action, Principal
from grants.core.errors import Problems, Refused
from grants.core.translatable import N_
from grants.core.vocabulary import LOCKED_PERIOD_STATUSES
from grants.db import first_or_not_found, from_row, write_transaction
from grants.modifications.versions import ContractOn, contracts_on, current_number
from grants.projects.periods import PeriodRow, for_update, get_period, locked_problem
from grants.tables.periods import ReportingPeriod
from grants.tables.projects import Project
from grants.tables.reports import PeriodNarrative, ReportVersion

# The narrative sections of the report, in order: (key, title msgid).
NARRATIVE = {
    "activities": N_("Activities"),
    "results": N_("Results"),
    "problems_risks": N_("Problems and risks"),
    "next_steps": N_("Next steps"),
}
ENTITY_NARRATIVE = "period_narrative"
ENTITY_VERSION = "report_version"
MAX_NARRATIVE = 20_000
# The formats a version is stored in (ReportVersion's file columns), with their media types.
FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# The formats whose files show the register's service tables: a version keeps them twice.
REDUCED_FORMATS = ("html", "pdf", "xlsx")
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
    contract_version: int | None  # the contract version it was made under; None: before versions


# Narrative -----------------------------------------------------------------------------------


async def narrative(principal: Principal, period_id: int) -> dict[str, str]:
    """The period's narrative texts, every section of NARRATIVE present ("" when unwritten)."""
    await get_period(principal, period_id)  # exists and readable
    return await _narrative(period_id)


async def _narrative(period_id: int) -> dict[str, str]:
    return _texts(await _narrative_rows(period_id))


async def _narrative_rows(period_id: int) -> list[dict]:
    return await PeriodNarrative.raw(
        "SELECT section, text, updated_at FROM period_narrative WHERE period = {}", period_id
    )


def _texts(rows: list[dict]) -> dict[str, str]:
    """Every section of NARRATIVE, "" where unwritten."""
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
        cleaned[key] = problems.text(
            (text or "").replace("\r\n", "\n"), key, limit=MAX_NARRATIVE, multiline=True
        )
    async with write_transaction():
        period = await _locked_period_row(period_id)
        principal.require(Action.EDIT_INDICATORS, period["project"])
        if period["status"] in LOCKED_PERIOD_STATUSES:
            start, end = period["start_date"], period["end_date"]
            raise Refused(
                [locked_problem(period["status"], start, end, "period_id")], conflict=True
            )
        problems.raise_if_any()
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
    """The period's row, locked against a concurrent status change until the transaction ends."""
    return await first_or_not_found(
        for_update(
            ReportingPeriod.select().where(ReportingPeriod.id == period_id), strength="SHARE"
        )
    )


# Frozen versions -----------------------------------------------------------------------------


def check_format(fmt: str) -> None:
    """Refused unless `fmt` is one of FORMATS."""
    if fmt not in FORMATS:
        raise Refused.one(UNKNOWN_FORMAT, field="format")


def data_hash(csv_bytes: bytes) -> str:
    """sha256 of the CSV: every figure of the report, one a row."""
    return hashlib.sha256(csv_bytes).hexdigest()


async def store_version(
    principal: Principal,
    period: PeriodRow,
    files: Mapping[str, bytes],
    *,
    reduced: Mapping[str, bytes],
    report_date: date,
    locale: str,
) -> VersionRow:
    """Store the rendered files (one per format of FORMATS, and the `reduced` ones without
    the service tables, one per REDUCED_FORMATS) as the period's next version, with the hash
    of their CSV (the full data sent to the funder), and record it in the audit trail."""
    principal.require(Action.SUBMIT_PERIOD, period.project_id)
    if set(files) != set(FORMATS):
        raise ValueError(f"a version needs the formats {sorted(FORMATS)}, got {sorted(files)}")
    if set(reduced) != set(REDUCED_FORMATS):
        raise ValueError(f"a version needs reduced {REDUCED_FORMATS}, got {sorted(reduced)}")
    async with write_transaction():
        contract = (await contracts_on(period.project_id, [period.end]))[0]
        last = await (
            ReportVersion.select(ReportVersion.version)
            .where(ReportVersion.period == period.id)
            .order_by(ReportVersion.version, ascending=False)
            .first()
        )
        row = ReportVersion(
            period=period.id,
            version=(last["version"] if last else 0) + 1,
            created_by=principal.email,
            report_date=report_date,
            locale=locale,
            contract_version=contract.number,
            data_hash=data_hash(files["csv"]),
            **files,
            **{f"{fmt}_reduced": data for fmt, data in reduced.items()},
        )
        await row.save()
        await audit.record(
            "freeze",
            ENTITY_VERSION,
            row.id,
            actor=principal,
            project_id=period.project_id,
            after={
                "period": period.id,
                "version": row.version,
                "data_hash": row.data_hash,
                "contract_version": row.contract_version,
            },
        )
        return (await _versions(period.id, version=row.version))[0]


# Raw SQL for the reads every project page makes: Piccolo's building of a select took longer
# than the database's answer.
_VERSIONS = """
SELECT id, period, version, created_at, created_by, report_date, locale, data_hash,
    contract_version
FROM report_version
"""


async def _versions(period_id: int, *, version: int | None = None) -> list[VersionRow]:
    where, args = "WHERE period = {}", [period_id]
    if version is not None:
        where, args = where + " AND version = {}", [*args, version]
    rows = await ReportVersion.raw(f"{_VERSIONS}{where} ORDER BY version", *args)
    return [from_row(VersionRow, r, period_id=r["period"]) for r in rows]


async def list_versions(principal: Principal, period_id: int) -> list[VersionRow]:
    """The period's frozen versions, oldest first."""
    await get_period(principal, period_id)
    return await _versions(period_id)


async def newest_contract(principal: Principal, period_id: int) -> int:
    """The number of the project's newest contract version, which a version made under an
    older one is compared with."""
    period = await get_period(principal, period_id)
    return await current_number(period.project_id)


async def stored_file(
    period: PeriodRow, fmt: str, *, version: int | None = None, full: bool = True
) -> tuple[int, bytes] | None:
    """(version, bytes) of a stored version's file in `fmt`, byte for byte: the latest version,
    or `version`. None when the period has no stored version at all (and none was asked for).
    Without `full` (a reader who may not see the register), the file without the service
    tables; AccessDenied for a version frozen before that was kept.

    `period` is read with the reader's rights (`get_period`). Refused for an unknown format,
    and for a `version` the period does not have.
    """
    check_format(fmt)
    column = fmt if full or fmt not in REDUCED_FORMATS else f"{fmt}_reduced"
    query = ReportVersion.select(ReportVersion.version, getattr(ReportVersion, column)).where(
        ReportVersion.period == period.id
    )
    if version is not None:
        query = query.where(ReportVersion.version == version)
    row = await query.order_by(ReportVersion.version, ascending=False).first()
    if row is None:
        if version is not None:
            raise Refused.one(UNKNOWN_VERSION, field="version", version=version)
        return None
    if row[column] is None:
        raise AccessDenied()
    return row["version"], bytes(row[column])


def filename(code: str, period_number: int, fmt: str, version: int | None) -> str:
    """e.g. 4.4.1.1._2_004-periods-3-v1.pdf (a live report ends in -draft)."""
    safe = re.sub(r"[^\w.-]+", "_", code, flags=re.ASCII).strip("_") or "report"
    suffix = f"v{version}" if version else "draft"
    return f"{safe}-periods-{period_number}-{suffix}.{fmt}"


async def report_filename(period: PeriodRow, fmt: str, version: int | None) -> str:
    """The file name of the period's report in `fmt`: a stored `version`, or None for live."""
    row = await Project.select(Project.code).where(Project.id == period.project_id).first()
    return filename(row["code"], period.number, fmt, version)


# The project page ----------------------------------------------------------------------------


async def report_panel(
    principal: Principal,
    period: PeriodRow,
    form: dict | None = None,
    *,
    contract: ContractOn | None = None,
) -> dict:
    """What the project page shows of the chosen period's report: download formats, stored
    versions (with the contract version each was made under), the contract version in force at
    the period's end, and the narrative (editable while the period is a draft or returned),
    with when it was last saved. `form` re-shows typed `values` with their `errors`, or a save
    just made (`saved_at`, the time as shown). A page that has read the period's `contract`
    version (`contracts_on`) passes it."""
    rows = await _narrative_rows(period.id)
    texts = _texts(rows)
    return {
        "saved_at": (form or {}).get("saved_at") or "",
        "last_saved": max((row["updated_at"] for row in rows), default=None),
        "formats": list(FORMATS),
        "versions": await _versions(period.id),
        "contract": contract or (await contracts_on(period.project_id, [period.end]))[0],
        "sections": list(NARRATIVE.items()),
        "values": texts | ((form or {}).get("values") or {}),
        "errors": (form or {}).get("errors") or {},
        "editable": period.status not in LOCKED_PERIOD_STATUSES
        and principal.can(Action.EDIT_INDICATORS, period.project_id),
    }
