"""API for the money side: the expenditure register, the co-financing check, the budget."""

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from msgspec import Struct, field

from grants.controllers.api_schemas import (
    In,
    Money,
    Page,
    Rate,
    decimal_str,
    money_fields,
    page_out,
    to_input,
    to_output,
)
from grants.controllers.procurement_api import threshold_warning
from grants.core.access import Action, Principal
from grants.core.errors import Refused
from grants.core.i18n import (
    category_names,
    current_locale,
    format_money,
    gettext,
    translate_error,
)
from grants.core.money import money_str, quantity_str, rate_str
from grants.core.paging import DEFAULT_PER_PAGE, check_per_page
from grants.finance import imports as expenditure_imports
from grants.finance.budget import (
    BudgetLineInput,
    BudgetWarning,
    CategoryReport,
    budget_warnings,
    category_report,
    set_budget,
)
from grants.finance.cofinancing import Cofinancing, DeclaredTotals, cofinancing
from grants.finance.evidence import Upload
from grants.finance.expenditures import (
    ExpenditureInput,
    ExpenditureRow,
    add_files,
    cancel_expenditure,
    cost_categories,
    edit_expenditure,
    expenditure_history,
    list_expenditures,
    record_expenditure,
    remove_file,
)
from grants.projects.attachments import MAX_BYTES
from grants.register.unit_costs import (
    CostOptionInput,
    SimplifiedCosts,
    record_simplified_costs,
    set_cost_option,
    set_simplified_costs,
    simplified_costs,
)
from grants.web import CurrentPrincipal
from grants.web.page_cache import cached_page
from reports import expenditure_export


class ExpenditureIn(In):
    """Amounts as decimal strings, Latvian style accepted ("1 234,50"); dates ISO or dd.mm.yyyy.
    `eligible_amount` defaults to `amount`, `vat` to 0. On PATCH, `note` says why. Evidence
    files are uploaded to `/expenditures/{id}/attachments`; `attachment_id` links a file the
    project stored already (another entry's) as well; on PATCH the entry keeps its files."""

    date: str
    amount: Money
    category: str
    supplier: str
    invoice_number: str
    eligible_amount: Money | None = None
    vat: Money | None = None
    payment_date: str | None = None
    description: str = ""
    evidence_ref: str = ""
    partner_id: int | None = None
    attachment_id: int | None = None
    contract_id: int | None = None  # the procurement contract it is held against
    note: str = ""


class CancelIn(In):
    note: str


@dataclass
class EvidenceUpload:
    """A multipart body with one or more evidence files, each in a part named `file`."""

    file: list[UploadFile] = dataclass_field(default_factory=list)


class AttachmentOut(Struct):
    id: int
    name: str
    size: int
    content_type: str


class ExpenditureOut(Struct):
    id: int
    entry_no: int
    version: int
    state: str
    date: date
    amount: str
    eligible_amount: str
    ineligible_amount: str
    vat: str
    category: str
    supplier: str
    invoice_number: str
    payment_date: date | None
    description: str
    evidence_ref: str
    partner_id: int | None
    attachments: list[AttachmentOut]  # the entry's, the same on every version
    change_note: str
    created_by: str | None
    created_at: datetime
    contract_id: int | None
    # above the measure's procurement threshold without a contract: a warning, not a refusal
    procurement_warning: str | None


class ExpendituresOut(Page):
    items: list[ExpenditureOut]


class SourceOut(Struct):
    source: str
    kind: str
    base: str
    rate: str | None
    residual: bool
    planned: str | None
    planned_share: str | None
    this_period: str
    to_date: str
    actual_share: str | None
    remaining: str | None
    absorption: str | None
    over_plan: bool
    drift: bool


class TotalsOut(Struct):
    amount: str
    eligible: str
    ineligible: str
    vat: str


class CofinancingOut(Struct):
    period_id: int | None
    sources: list[SourceOut]
    this_period: TotalsOut
    to_date: TotalsOut


class BudgetLineIn(In):
    """One line of the budget by cost category and year: an `amount` as a decimal string
    (Latvian style accepted, "100 000,00"), or a `flat_rate` in percent ("15") of a base,
    `flat_rate_base`: a list of cost categories, or "direct" for every category with an
    amount. A category is its code ("staff") or its name in Latvian or English, in any case,
    with or without diacritics ("personals"). A flat-rate category's amounts are computed,
    never sent."""

    category: str
    year: int
    amount: Money | None = None
    flat_rate: Rate | None = None
    flat_rate_base: list[str] | str = field(default_factory=list)


class BudgetIn(In):
    """The whole budget with a correction's reason: a project with a contract (contracted, in
    progress or closed) changes a budget it has only through a modification, or by an
    administrator correcting an obvious typo with a `correction_reason` the audit trail
    records."""

    lines: list[BudgetLineIn]
    correction_reason: str | None = None


class BudgetWarningOut(Struct):
    """`code`: "total_differs" (the budget against the eligible costs) or "over_budget" (a
    category's declared eligible costs to date against its budget); `difference` = actual −
    expected."""

    code: str
    category: str | None
    expected: str
    actual: str
    difference: str
    message: str


class CategoryOut(Struct):
    category: str
    flat_rate: str | None
    planned: str
    this_period: str
    to_date: str
    remaining: str
    absorption: str | None


def _input(body: ExpenditureIn) -> ExpenditureInput:
    return to_input(body, ExpenditureInput, leave_out=("note",))


def budget_line_input(line: BudgetLineIn) -> BudgetLineInput:
    base = line.flat_rate_base
    return to_input(
        line,
        BudgetLineInput,
        year=str(line.year),
        flat_rate_base=base if isinstance(base, str) else tuple(base),
    )


def budget_warning_text(warning: BudgetWarning, names: dict[str, str]) -> str:
    """The warning in the current language, amounts in its format (shared with the page)."""
    category = warning.category or ""
    return gettext(
        warning.message,
        category=names.get(category, category),
        expected=format_money(warning.expected),
        actual=format_money(warning.actual),
        difference=format_money(abs(warning.difference)),
    )


def warnings_out(warnings: list[BudgetWarning], names: dict[str, str]) -> list[BudgetWarningOut]:
    return [
        to_output(
            w,
            BudgetWarningOut,
            message=budget_warning_text(w, names),
            **money_fields(w, "expected", "actual", "difference"),
        )
        for w in warnings
    ]


def expenditure_out(row: ExpenditureRow) -> ExpenditureOut:
    return to_output(
        row,
        ExpenditureOut,
        procurement_warning=threshold_warning(row),
        date=row.spent_on,
        attachments=[to_output(f, AttachmentOut) for f in row.files],
        **money_fields(row, "amount", "eligible_amount", "ineligible_amount", "vat"),
    )


async def read_uploads(files: list[UploadFile]) -> list[Upload]:
    """The uploaded files, parts without a file name left out; each read up to one byte past
    the limit, enough to refuse it as too large without holding more."""
    return [Upload(f.filename, await f.read(MAX_BYTES + 1)) for f in files if f.filename]


_AGAINST_PLAN = ("planned", "this_period", "to_date", "remaining")  # sources and categories


def cofinancing_out(c: Cofinancing) -> CofinancingOut:
    return CofinancingOut(
        period_id=c.period.id if c.period else None,
        sources=[
            to_output(
                s,
                SourceOut,
                rate=rate_str(s.rate_bp),
                planned_share=decimal_str(s.planned_share),
                actual_share=decimal_str(s.actual_share),
                absorption=decimal_str(s.absorption),
                **money_fields(s, *_AGAINST_PLAN),
            )
            for s in c.sources
        ],
        this_period=_totals(c.this_period),
        to_date=_totals(c.to_date),
    )


def _totals(t: DeclaredTotals) -> TotalsOut:
    return TotalsOut(**money_fields(t, "amount", "eligible", "ineligible", "vat"))


def categories_out(report: CategoryReport) -> list[CategoryOut]:
    return [
        to_output(
            line,
            CategoryOut,
            flat_rate=rate_str(line.flat_rate_bp),
            absorption=decimal_str(line.absorption),
            **money_fields(line, *_AGAINST_PLAN),
        )
        for line in report.lines
    ]


# Simplified cost options from the service register (issue 13)


class SimplifiedCostsOptionIn(In):
    """Whether the project's contract allows unit costs and lump sums."""

    allowed: bool


class CostOptionIn(In):
    """A service's simplified cost option: `kind` "unit_cost", "lump_sum" or "" (none);
    `rate` per unit or the lump sum; `deliverable_done` (lump sums) a date."""

    kind: str = ""
    rate: Money | None = None
    category: str = ""
    deliverable_done: str | None = None


class CostOptionOut(Struct):
    service_id: int
    kind: str
    rate: str | None
    category: str
    deliverable_done: date | None


class SimplifiedCostLineOut(Struct):
    service_id: int
    service: str
    kind: str
    category: str
    rate: str
    units: str | None  # delivered in the period; None for a lump sum
    deliverable_done: date | None
    claimable: bool
    amount: str
    invoice_number: str
    expenditure_id: int | None
    recorded_amount: str | None


class SimplifiedCostsOut(Struct):
    period_id: int
    allowed: bool
    lines: list[SimplifiedCostLineOut]
    total: str


class RecordedLineOut(Struct):
    service_id: int
    action: str
    expenditure_id: int | None
    entry_no: int | None
    version: int | None


def simplified_costs_out(costs: SimplifiedCosts) -> SimplifiedCostsOut:
    english = current_locale() == "en"
    return SimplifiedCostsOut(
        period_id=costs.period.id,
        allowed=costs.allowed,
        lines=[
            to_output(
                line,
                SimplifiedCostLineOut,
                service=(line.service_en or line.service) if english else line.service,
                units=quantity_str(line.units),
                **money_fields(line, "rate", "amount", "recorded_amount"),
            )
            for line in costs.lines
        ],
        total=money_str(costs.total) or "0.00",
    )


class FinanceApi(Controller):
    path = "/api/v1"
    tags = ("finance",)

    @get("/projects/{project_id:int}/expenditures")
    async def expenditures(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        history: FromQuery[bool] = False,
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> ExpendituresOut:
        """The register: current entries by date, or every version with `history=true`, a
        page at a time (`page` from 1, `per_page` up to 500, 100 if not given; `total`: how
        many on all pages)."""
        check_per_page(per_page)
        found = await list_expenditures(
            principal, project_id, include_history=history, page=page, per_page=per_page
        )
        return page_out(ExpendituresOut, found, expenditure_out)

    @post("/projects/{project_id:int}/expenditures")
    async def record(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ExpenditureIn]
    ) -> ExpenditureOut:
        """Record an invoice; refused with every problem and nothing written (400, or 409 for
        a duplicate invoice or a locked period)."""
        return expenditure_out(await record_expenditure(principal, project_id, _input(data)))

    @patch("/expenditures/{expenditure_id:int}")
    async def edit(
        self,
        principal: CurrentPrincipal,
        expenditure_id: FromPath[int],
        data: JSONBody[ExpenditureIn],
    ) -> ExpenditureOut:
        """Correct an entry: a new version; the old one stays in the history. `note` required."""
        row = await edit_expenditure(principal, expenditure_id, _input(data), data.note)
        return expenditure_out(row)

    @post("/expenditures/{expenditure_id:int}/cancel", status_code=200)
    async def cancel(
        self, principal: CurrentPrincipal, expenditure_id: FromPath[int], data: JSONBody[CancelIn]
    ) -> ExpenditureOut:
        """Cancel an entry with a reason; it stays in the history and stops counting."""
        return expenditure_out(await cancel_expenditure(principal, expenditure_id, data.note))

    @post("/expenditures/{expenditure_id:int}/attachments")
    async def attach(
        self,
        principal: CurrentPrincipal,
        expenditure_id: FromPath[int],
        data: MultipartBody[EvidenceUpload],
    ) -> ExpenditureOut:
        """Add evidence files (multipart, each in a part named `file`) to a current entry; no
        new version. Refused with every problem and nothing stored (400, or 409 when the entry
        was changed meanwhile or its period is locked)."""
        uploads = await read_uploads(data.file)
        return expenditure_out(await add_files(principal, expenditure_id, uploads))

    @delete("/expenditures/{expenditure_id:int}/attachments/{attachment_id:int}", status_code=200)
    async def detach(
        self,
        principal: CurrentPrincipal,
        expenditure_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> ExpenditureOut:
        """Take an evidence file off a current entry (409 in a locked period); it is recorded
        in the audit trail, and the stored file stays."""
        return expenditure_out(await remove_file(principal, expenditure_id, attachment_id))

    @get("/expenditures/{expenditure_id:int}/history")
    async def history(
        self, principal: CurrentPrincipal, expenditure_id: FromPath[int]
    ) -> list[ExpenditureOut]:
        return [expenditure_out(r) for r in await expenditure_history(principal, expenditure_id)]

    @get("/projects/{project_id:int}/cofinancing", middleware=[cached_page])
    async def cofinancing(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        period_id: FromQuery[int | None] = None,
    ) -> CofinancingOut:
        """Per funding source: planned, declared this period and to date, shares, remaining,
        absorption, and flags for overspending and drift. Split on totals, never per invoice."""
        return cofinancing_out(await cofinancing(principal, project_id, period_id))

    @get("/projects/{project_id:int}/budget")
    async def budget(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        period_id: FromQuery[int | None] = None,
    ) -> list[CategoryOut]:
        """Budget by cost category with flat rates computed, against what is declared."""
        return categories_out(await category_report(principal, project_id, period_id))

    @put("/projects/{project_id:int}/budget")
    async def replace_budget(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        data: JSONBody[list[BudgetLineIn] | BudgetIn],
    ) -> list[CategoryOut]:
        """Replace the whole budget by cost category and year, sent as the list of lines or
        as `{"lines", "correction_reason"}`; returns it as GET does. Refused with every
        problem and nothing written (400); a project with a contract refuses a change to a
        budget it has (409: propose a modification) unless an administrator gives a
        `correction_reason`."""
        lines = data if isinstance(data, list) else data.lines
        reason = None if isinstance(data, list) else data.correction_reason
        await set_budget(
            principal,
            project_id,
            [budget_line_input(line) for line in lines],
            correction_reason=reason,
        )
        return categories_out(await category_report(principal, project_id))

    @get("/projects/{project_id:int}/budget/warnings")
    async def warnings(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> list[BudgetWarningOut]:
        """What deserves a look in the budget, never a refusal: its total against the eligible
        costs (our partner budget where we are a partner), and each category whose declared
        eligible costs to date exceed its budget. Messages in the request's language."""
        warnings = await budget_warnings(principal, project_id)
        names = category_names(await cost_categories(project_id))
        return warnings_out(warnings, names)

    @put("/projects/{project_id:int}/simplified-costs/option")
    async def simplified_costs_option(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        data: JSONBody[SimplifiedCostsOptionIn],
    ) -> SimplifiedCostsOptionIn:
        """Allow or stop unit costs and lump sums for the project, as its contract says (admin
        or finance); stopping is refused (400) while a service carries one."""
        allowed = await set_simplified_costs(principal, project_id, data.allowed)
        return SimplifiedCostsOptionIn(allowed=allowed)

    @put("/services/{service_id:int}/cost-option")
    async def cost_option(
        self, principal: CurrentPrincipal, service_id: FromPath[int], data: JSONBody[CostOptionIn]
    ) -> CostOptionOut:
        """Set a catalogue service's unit cost or lump sum (admin or finance); refused with
        every problem (400) on a project without the simplified cost option."""
        option = await set_cost_option(principal, service_id, to_input(data, CostOptionInput))
        return to_output(option, CostOptionOut, rate=money_str(option.rate))

    @get("/projects/{project_id:int}/simplified-costs")
    async def simplified_costs(
        self, principal: CurrentPrincipal, project_id: FromPath[int], period_id: FromQuery[int]
    ) -> SimplifiedCostsOut:
        """Per service with a unit cost or lump sum: units delivered in the period, the rate,
        the claimable amount (units × rate, half-up on the total) and the register line."""
        return simplified_costs_out(await simplified_costs(principal, project_id, period_id))

    @post("/projects/{project_id:int}/simplified-costs/record", status_code=200)
    async def record_simplified_costs(
        self, principal: CurrentPrincipal, project_id: FromPath[int], period_id: FromQuery[int]
    ) -> list[RecordedLineOut]:
        """Record (or correct) the period's simplified costs in the expenditure register, one
        line per service (admin or finance); 409 for a locked period, nothing written."""
        done = await record_simplified_costs(principal, project_id, period_id)
        return [to_output(r, RecordedLineOut) for r in done]

    # Expenditure import and the register's export (issue 14)

    @post("/projects/{project_id:int}/expenditures/import", status_code=200)
    async def import_expenditures(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        data: "MultipartBody[ExpenditureImportUpload]",
        dry_run: FromQuery[bool],
    ) -> "ExpenditureImportOut":
        """Invoices from a CSV (`;` or `,`) or XLSX file in the multipart part `file`, with
        Latvian or English column headers (see `import-template`). `dry_run=true`: a preview,
        each row accepted or refused with its row number as the spreadsheet shows it (the
        header is row 1) and every problem; nothing is written. `dry_run=false`: all rows or
        none; a file with any refused row is refused (400, or 409 when only duplicates or
        locked periods stand in the way) with each problem's `field` as "row.column"
        ("7.amount"), and nothing is written. Admins and finance only."""
        return await expenditure_import_out(principal, project_id, data, dry_run=dry_run)

    @get("/projects/{project_id:int}/expenditures/export")
    async def export_expenditures(
        self, principal: CurrentPrincipal, project_id: FromPath[int], format: FromQuery[str] = "csv"
    ) -> "Response[bytes]":
        """Every column of the current register as `csv` (`;`, UTF-8 with BOM) or `xlsx`,
        headings in the request's language; text is never a formula, amounts are exact."""
        return await export_response(principal, project_id, format)

    @get("/projects/{project_id:int}/expenditures/import-template")
    async def expenditure_import_template(
        self, principal: CurrentPrincipal, project_id: FromPath[int], format: FromQuery[str] = "csv"
    ) -> "Response[bytes]":
        """An empty import file (`csv` or `xlsx`) with the header row the import reads, in
        the request's language."""
        return await import_template_response(principal, project_id, format)


@dataclass
class ExpenditureImportUpload:
    """A multipart body with the CSV or XLSX file in its `file` part."""

    file: UploadFile | None = None


class ImportProblemOut(Struct):
    field: str | None
    message: str


class ImportRowOut(Struct):
    """One data row of the file; `row` as the spreadsheet numbers it (the header is row 1).
    `entry_no`: the register entry it became (after an import, not a preview)."""

    row: int
    status: str  # "accepted" or "refused"
    problems: list[ImportProblemOut]
    entry_no: int | None = None


class ExpenditureImportOut(Struct):
    dry_run: bool
    rows: list[ImportRowOut]
    accepted: int
    refused: int


_DOWNLOAD_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_EXPORT_RENDERERS = {
    "csv": expenditure_export.render_csv,
    "xlsx": expenditure_export.render_xlsx,
}


def _download(content: bytes, suffix: str, name: str) -> Response[bytes]:
    return Response(
        content,
        media_type=_DOWNLOAD_MEDIA[suffix],
        headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'},
    )


def _check_format(format: str) -> None:
    if format not in _DOWNLOAD_MEDIA:
        raise Refused.one(expenditure_imports.FORMAT_UNKNOWN, field="format", format=format)


async def export_response(principal: Principal, project_id: int, format: str) -> Response[bytes]:
    """The current register as a CSV or XLSX download (the API's and the page's)."""
    table = await expenditure_imports.export_table(principal, project_id)
    _check_format(format)
    name = "izdevumi" if current_locale() == "lv" else "expenditures"
    return _download(_EXPORT_RENDERERS[format](table), format, name)


async def import_template_response(
    principal: Principal, project_id: int, format: str
) -> Response[bytes]:
    """The empty import file, for those who may read the project's register."""
    await expenditure_imports.require_on_project(principal, project_id, Action.READ)
    _check_format(format)
    english = current_locale() == "en"
    content = expenditure_imports.template(format, english=english)
    return _download(content, format, "invoice-import" if english else "rekinu-imports")


async def expenditure_import_out(
    principal: Principal, project_id: int, upload: ExpenditureImportUpload, *, dry_run: bool
) -> ExpenditureImportOut:
    """The preview or the import of the uploaded file; the file is read where it was spooled,
    in a worker thread."""
    expenditure_imports.require_file(upload.file and upload.file.filename)
    assert upload.file is not None
    result = await expenditure_imports.import_expenditures(
        principal, project_id, upload.file.file, upload.file.filename, dry_run=dry_run
    )
    return ExpenditureImportOut(
        dry_run=not result.written,
        rows=[
            ImportRowOut(
                row=r.row,
                status=r.status,
                problems=[
                    ImportProblemOut(p.field, translate_error(p.message, p.params))
                    for p in r.problems
                ],
                entry_no=r.entry_no,
            )
            for r in result.rows
        ],
        accepted=result.accepted,
        refused=result.refused,
    )
