"""Modification pages: a project's modifications (grozījumi) and contract versions, the form
that proposes or changes a draft, one modification with its readable difference and the steps
its status allows, and one contract version whole.

The form is prefilled with the whole contract (or a draft's changes over it) and sends it all
back: the domain keeps only what differs from the newest version. Rows are numbered by their
fields' names ("budget-3-year"), blank rows are left out, and a refused form is shown again from
the rows as read, so each problem's row number names the row it is shown at.
"""

import re
from datetime import date
from decimal import Decimal

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.core.access import Action, Principal
from grants.core.errors import Refused, blank
from grants.core.i18n import (
    category_names,
    format_day,
    label,
    quantity_input,
    translate_error,
    typed_date,
    typed_money,
    typed_rate,
)
from grants.core.money import to_cents, to_hundredths
from grants.core.vocabulary import FundingBase, FundingKind, ModificationStatus, PartnerRole
from grants.db import possible_id
from grants.finance.budget import (
    BudgetLineInput,
    base_parts,
    budget_by_category,
    snapshot_lines,
)
from grants.finance.expenditures import cost_categories
from grants.modifications import versions
from grants.modifications.compare import plan_of
from grants.modifications.modifications import (
    IndicatorChange,
    ModificationInput,
    ModificationRow,
    PartnerChange,
    approve,
    get_modification,
    list_modifications,
    modification_row,
    project_rounding,
    propose,
    reject,
    submit,
    update_draft,
    withdraw,
)
from grants.projects.editing import FundingLineInput
from grants.projects.periods import riga_today
from grants.projects.reading import get_project
from grants.web import CurrentPrincipal, form_errors, refusal_status, renamed_fields

MAX_ROWS = 500  # a form with more rows than this is not ours
PER_PAGE = 50  # modifications on the list page
BLANK_ROWS = {"funding": 2, "budget": 3, "milestones": 2, "new_partners": 1}
MORE_ROWS = 3  # what "Add rows" adds to each list
_FUNDING_FIELDS = ("source", "kind", "base", "rate", "amount", "partner_id")
_BUDGET_FIELDS = ("category", "year", "amount", "flat_rate")
_NEW_PARTNER_FIELDS = ("organisation", "role", "budget")
_FIELDS = ("reason", "start_date", "end_date", "total_cost", "eligible_cost")

Typed = dict  # the form as typed: see `_typed_contract`


def _numbers(form, prefix: str) -> list[int]:
    pattern = re.compile(re.escape(prefix) + r"-([0-9]{1,4})-")
    return sorted({int(m[1]) for key in form if (m := pattern.match(key))})[:MAX_ROWS]


def _text(form, name: str) -> str:
    return str(form.get(name, ""))


def _id(text: str) -> int | None:
    """An id typed or chosen in the form; one no row can have is -1, for the domain to refuse."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdecimal() and possible_id(int(text)) else -1


# The form: the contract as a person types it, read back from the form, and as input


def _typed_contract(snapshot: dict) -> Typed:
    """A contract snapshot (`versions.capture`) as the form shows it."""
    return {
        "reason": "",
        "start_date": typed_date(_day(snapshot["start_date"])),
        "end_date": typed_date(_day(snapshot["end_date"])),
        "total_cost": typed_money(snapshot["total_cost"]),
        "eligible_cost": typed_money(snapshot["eligible_cost"]),
        "funding": [
            {
                "source": ln["source"],
                "kind": ln["kind"],
                "base": ln["base"],
                "rate": typed_rate(ln["rate_bp"]),
                "amount": typed_money(ln["fixed_amount"]),
                "residual": bool(ln["residual"]),
                "partner_id": str(ln["partner"] or ""),
            }
            for ln in snapshot["funding"]
        ],
        "budget": [
            {
                "category": ln["category"],
                "year": str(ln["year"]),
                "amount": typed_money(ln["amount"]),
                "flat_rate": typed_rate(ln["flat_rate_bp"]),
                "flat_rate_base": list(base_parts(ln["flat_rate_base"] or "")),
            }
            for ln in snapshot["budget"]
        ],
        "indicators": [
            {
                "code": i["code"],
                "target": quantity_input(i["target_hundredths"]),
                "baseline": quantity_input(i["baseline_hundredths"]),
                "milestones": [
                    {
                        "date": typed_date(_day(m["due_date"])),
                        "value": quantity_input(m["value_hundredths"]),
                    }
                    for m in i["milestones"]
                ],
            }
            for i in snapshot["indicators"]
        ],
        "partners": [
            {
                "id": str(p["id"]),
                "role": p["role"],
                "budget": typed_money(p["budget"]),
                "leaves": bool(p.get("leaves")),
            }
            for p in snapshot["partners"]
            if p["id"] is not None
        ],
        "new_partners": [
            {"organisation": p["name"], "role": p["role"], "budget": typed_money(p["budget"])}
            for p in snapshot["partners"]
            if p["id"] is None
        ],
    }


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _cents(text: str | None) -> int | None:
    return None if text is None else to_cents(Decimal(text))


def _with_changes(current: dict, changes: dict) -> dict:
    """The newest version with a draft's stored changes (the API's shapes) laid over it, for
    the form; a partner the draft leaves out is marked as leaving."""
    after = {**current}
    for name in ("start_date", "end_date"):
        if name in changes:
            after[name] = changes[name]
    for name in ("total_cost", "eligible_cost"):
        if name in changes:
            after[name] = _cents(changes[name])
    if "funding" in changes:
        after["funding"] = [
            {
                "source": ln["source"],
                "kind": ln["kind"],
                "base": ln["base"],
                "rate_bp": None if ln["rate"] is None else int(Decimal(ln["rate"]) * 100),
                "fixed_amount": _cents(ln["amount"]),
                "residual": ln["residual"],
                "partner": ln["partner_id"],
            }
            for ln in changes["funding"]
        ]
    if "budget" in changes:
        after["budget"] = [
            {
                "category": ln["category"],
                "year": ln["year"],
                "amount": _cents(ln["amount"]),
                "flat_rate_bp": (
                    None if ln["flat_rate"] is None else int(Decimal(ln["flat_rate"]) * 100)
                ),
                "flat_rate_base": ",".join(ln["flat_rate_base"]),
            }
            for ln in changes["budget"]
        ]
    if "indicators" in changes:
        changed = {i["code"]: i for i in changes["indicators"]}

        def figure(text: str | None) -> int | None:
            return None if text is None else to_hundredths(Decimal(text))

        after["indicators"] = [
            {
                **i,
                "target_hundredths": figure(changed[i["code"]]["target"]),
                "baseline_hundredths": figure(changed[i["code"]]["baseline"]),
                "milestones": [
                    {"due_date": m["date"], "value_hundredths": figure(m["value"])}
                    for m in changed[i["code"]]["milestones"]
                ],
            }
            if i["code"] in changed
            else i
            for i in current["indicators"]
        ]
    if "partners" in changes:
        staying = {p["id"]: p for p in changes["partners"] if p["id"] is not None}
        after["partners"] = [
            {**p, "role": staying[p["id"]]["role"], "budget": _cents(staying[p["id"]]["budget"])}
            if p["id"] in staying
            else {**p, "leaves": True}
            for p in current["partners"]
        ] + [
            {
                "id": None,
                "name": p["organisation"],
                "role": p["role"],
                "budget": _cents(p["budget"]),
            }
            for p in changes["partners"]
            if p["id"] is None
        ]
    return after


def _read_form(form) -> Typed:
    """The form as typed, blank rows left out."""
    typed: Typed = {name: _text(form, name) for name in _FIELDS}
    typed["funding"] = []
    for i in _numbers(form, "funding"):
        line = {f: _text(form, f"funding-{i}-{f}") for f in _FUNDING_FIELDS}
        line["residual"] = bool(form.get(f"funding-{i}-residual"))
        if not all(blank(line[f]) for f in ("source", "rate", "amount")):
            typed["funding"].append(line)
    typed["budget"] = []
    for i in _numbers(form, "budget"):
        line = {f: _text(form, f"budget-{i}-{f}") for f in _BUDGET_FIELDS}
        base = [str(v) for v in form.getall(f"budget-{i}-flat_rate_base", []) if str(v).strip()]
        if base or not all(blank(v) for v in line.values()):
            typed["budget"].append({**line, "flat_rate_base": base})
    typed["indicators"] = []
    for i in _numbers(form, "indicators"):
        key = f"indicators-{i}"
        milestones = []
        for j in _numbers(form, f"{key}-milestones"):
            row = {f: _text(form, f"{key}-milestones-{j}-{f}") for f in ("date", "value")}
            if not all(blank(v) for v in row.values()):
                milestones.append(row)
        typed["indicators"].append(
            {
                "code": _text(form, f"{key}-code"),
                "target": _text(form, f"{key}-target"),
                "baseline": _text(form, f"{key}-baseline"),
                "milestones": milestones,
            }
        )
    typed["partners"] = [
        {
            "id": _text(form, f"partners-{i}-id"),
            "role": _text(form, f"partners-{i}-role"),
            "budget": _text(form, f"partners-{i}-budget"),
            "leaves": bool(form.get(f"partners-{i}-leaves")),
        }
        for i in _numbers(form, "partners")
    ]
    typed["new_partners"] = []
    for i in _numbers(form, "new_partners"):
        row = {f: _text(form, f"new_partners-{i}-{f}") for f in _NEW_PARTNER_FIELDS}
        if not all(blank(row[f]) for f in ("organisation", "budget")):
            typed["new_partners"].append(row)
    return typed


def _input(typed: Typed, current: dict) -> tuple[ModificationInput, dict[str, str]]:
    """The form as the domain takes it: the whole contract (what equals the newest version is
    dropped there). A part the contract does not have and the form leaves empty is not sent.
    Also the partners' positions in the input → their rows' names, for the errors."""

    def given(name: str) -> str | None:
        return None if blank(typed[name]) else typed[name]

    funding = [
        FundingLineInput(
            source=ln["source"],
            rate=ln["rate"] or None,
            amount=ln["amount"] or None,
            residual=ln["residual"],
            base=ln["base"] or FundingBase.ELIGIBLE,
            kind=ln["kind"] or None,
            partner_id=_id(ln["partner_id"]),
        )
        for ln in typed["funding"]
    ]
    budget = [
        BudgetLineInput(
            category=ln["category"],
            year=ln["year"],
            amount=ln["amount"],
            flat_rate=ln["flat_rate"],
            flat_rate_base=tuple(ln["flat_rate_base"]),
        )
        for ln in typed["budget"]
    ]
    indicators = [
        IndicatorChange(
            code=i["code"],
            target=i["target"],
            baseline=i["baseline"],
            milestones=[(m["date"], m["value"]) for m in i["milestones"]],
        )
        for i in typed["indicators"]
    ]
    partners, rows = [], {}
    for n, p in enumerate(typed["partners"]):
        if not p["leaves"]:
            rows[f"partners[{len(partners)}]."] = f"partners-{n}-"
            partners.append(PartnerChange(id=_id(p["id"]), role=p["role"], budget=p["budget"]))
    for n, p in enumerate(typed["new_partners"]):
        rows[f"partners[{len(partners)}]."] = f"new_partners-{n}-"
        partners.append(
            PartnerChange(organisation=p["organisation"], role=p["role"], budget=p["budget"])
        )
    data = ModificationInput(
        reason=typed["reason"],
        start_date=given("start_date"),
        end_date=given("end_date"),
        total_cost=given("total_cost"),
        eligible_cost=given("eligible_cost"),
        funding=funding if funding or current["funding"] else None,
        budget=budget if budget or current["budget"] else None,
        indicators=indicators or None,
        partners=partners if typed["partners"] or typed["new_partners"] else None,
    )
    return data, rows


def _errors(refused: Refused, rows: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Translated messages by the form's field names: "partners[1].role" → the row's name,
    "indicators[0].milestones.2.date" → "indicators-0-milestones-2-date"."""

    renamed = renamed_fields(refused, rows or {})
    return {key.replace(".", "-"): messages for key, messages in form_errors(renamed).items()}


async def _form_page(
    principal: Principal,
    project_id: int,
    typed: Typed | None = None,
    *,
    modification: ModificationRow | None = None,
    errors: dict | None = None,
    more: int = 0,
    status_code: int = 200,
) -> Template:
    """The form for a new modification or a draft: `typed` as read back, else the newest
    version (with the draft's changes over it)."""
    project = await get_project(principal, project_id)
    principal.require(Action.PROPOSE_MODIFICATION, project_id)
    current = await versions.capture(project_id)
    if typed is None:
        changed = _with_changes(current, modification.changes) if modification else current
        typed = _typed_contract(changed)
        typed["reason"] = modification.reason if modification else ""
    blanks = {name: count + more for name, count in BLANK_ROWS.items()}
    indicator_names = {i.code: i for i in project.indicators}
    partner_names = {str(p["id"]): p["name"] for p in current["partners"] if p["id"]}
    return Template(
        "modifications/form.html",
        context={
            "principal": principal,
            "project": project,
            "modification": modification,
            "typed": typed,
            "funding": typed["funding"] + [{} for _ in range(blanks["funding"])],
            "budget": typed["budget"] + [{} for _ in range(blanks["budget"])],
            "new_partners": typed["new_partners"] + [{} for _ in range(blanks["new_partners"])],
            "milestone_blanks": blanks["milestones"],
            "more": more,
            "indicator_names": indicator_names,
            "partner_names": partner_names,
            "categories": category_names(await cost_categories(project_id)),
            "kinds": [(v.value, label(v)) for v in FundingKind],
            "bases": [(v.value, label(v)) for v in FundingBase],
            "roles": [(v.value, label(v)) for v in PartnerRole],
            "errors": errors or {},
        },
        status_code=status_code,
    )


# The pages that read


def _iso_day(text: str | None) -> str:
    return format_day(_day(text))


async def _detail_page(
    principal: Principal,
    modification_id: int,
    *,
    form: str = "",
    values: dict | None = None,
    refused: Refused | None = None,
) -> Template:
    """One modification; `form` names the form a refusal (and the values typed) belong to."""
    detail = await get_modification(principal, modification_id)
    row = detail.row
    pid = row.project_id
    project = await get_project(principal, pid, indicators=False)
    can_propose = principal.can(Action.PROPOSE_MODIFICATION, pid)
    can_decide = principal.can(Action.DECIDE_MODIFICATION, pid)
    draft = row.status == ModificationStatus.DRAFT
    submitted = row.status == ModificationStatus.SUBMITTED
    return Template(
        "modifications/modification.html",
        context={
            "principal": principal,
            "project": project,
            "m": row,
            "diff": detail.diff,
            "problems": [translate_error(p.message, p.params) for p in detail.problems],
            "categories": category_names(await cost_categories(pid)),
            "iso_day": _iso_day,
            "today": riga_today(),
            "can_edit": can_propose and draft,
            "can_withdraw": can_propose and (draft or submitted),
            "can_decide": can_decide and submitted,
            "form": form,
            "values": values or {},
            "errors": _errors(refused) if refused else {},
        },
        status_code=200 if refused is None else refusal_status(refused),
    )


class ModificationsPages(Controller):
    """A project's modifications and versions, the modification form and one modification."""

    include_in_schema = False

    @get("/projects/{project_id:int}/modifications")
    async def modifications(
        self, principal: CurrentPrincipal, project_id: FromPath[int], page: FromQuery[int] = 1
    ) -> Template:
        project = await get_project(principal, project_id, indicators=False)
        shown = await list_modifications(principal, project_id, page=page, per_page=PER_PAGE)
        if page > shown.pages:  # an old link beyond the last page: the last page instead
            shown = await list_modifications(
                principal, project_id, page=shown.pages, per_page=PER_PAGE
            )
        return Template(
            "modifications/list.html",
            context={
                "principal": principal,
                "project": project,
                "shown": shown,
                "versions": await versions.list_versions(principal, project_id),
                "can_propose": principal.can(Action.PROPOSE_MODIFICATION, project_id),
            },
        )

    @get("/projects/{project_id:int}/modifications/new")
    async def new(self, principal: CurrentPrincipal, project_id: FromPath[int]) -> Template:
        return await _form_page(principal, project_id)

    @post("/projects/{project_id:int}/modifications/new")
    async def create(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """A new draft from the form; "Add rows" shows it again with more rows, saving
        nothing; a refusal shows it again as typed with every problem at its field."""
        form = await request.form()
        typed = _read_form(form)
        more = _more(form)
        if form.get("add_rows"):
            return await _form_page(principal, project_id, typed, more=more + MORE_ROWS)
        principal.require(Action.PROPOSE_MODIFICATION, project_id)
        data, rows = _input(typed, await versions.capture(project_id))
        try:
            created = await propose(principal, project_id, data)
        except Refused as refused:
            return await _form_page(
                principal,
                project_id,
                typed,
                errors=_errors(refused, rows),
                more=more,
                status_code=refusal_status(refused),
            )
        return Redirect(f"/modifications/{created}", status_code=303)

    @get("/modifications/{modification_id:int}")
    async def modification(
        self, principal: CurrentPrincipal, modification_id: FromPath[int]
    ) -> Template:
        return await _detail_page(principal, modification_id)

    @get("/modifications/{modification_id:int}/edit")
    async def edit(
        self, principal: CurrentPrincipal, modification_id: FromPath[int]
    ) -> Template | Redirect:
        """The form for a draft; any other status goes back to the modification's page."""
        row = (await get_modification(principal, modification_id)).row
        if row.status != ModificationStatus.DRAFT:
            return Redirect(f"/modifications/{modification_id}", status_code=303)
        return await _form_page(principal, row.project_id, modification=row)

    @post("/modifications/{modification_id:int}/edit")
    async def update(
        self, principal: CurrentPrincipal, modification_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        row = (await get_modification(principal, modification_id)).row
        form = await request.form()
        typed = _read_form(form)
        more = _more(form)
        if form.get("add_rows"):
            return await _form_page(
                principal, row.project_id, typed, modification=row, more=more + MORE_ROWS
            )
        principal.require(Action.PROPOSE_MODIFICATION, row.project_id)
        data, rows = _input(typed, await versions.capture(row.project_id))
        try:
            await update_draft(principal, modification_id, data)
        except Refused as refused:
            return await _form_page(
                principal,
                row.project_id,
                typed,
                modification=row,
                errors=_errors(refused, rows),
                more=more,
                status_code=refusal_status(refused),
            )
        return Redirect(f"/modifications/{modification_id}", status_code=303)

    @post("/modifications/{modification_id:int}/submit")
    async def submit(
        self, principal: CurrentPrincipal, modification_id: FromPath[int]
    ) -> Template | Redirect:
        """Send the draft to the funder: from now on it stays as sent."""
        try:
            await submit(principal, modification_id)
        except Refused as refused:
            return await _detail_page(principal, modification_id, form="submit", refused=refused)
        return Redirect(f"/modifications/{modification_id}", status_code=303)

    @post("/modifications/{modification_id:int}/approve")
    async def approve(
        self, principal: CurrentPrincipal, modification_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """The funder's approval: the next contract version, in force from the date given."""
        form = await request.form()
        values = {
            name: _text(form, name) for name in ("decision_date", "reference", "in_force_from")
        }
        try:
            await approve(
                principal,
                modification_id,
                decision_date=values["decision_date"],
                reference=values["reference"],
                in_force_from=values["in_force_from"] or None,
            )
        except Refused as refused:
            return await _detail_page(
                principal, modification_id, form="approve", values=values, refused=refused
            )
        return Redirect(f"/modifications/{modification_id}", status_code=303)

    @post("/modifications/{modification_id:int}/reject")
    async def reject(
        self, principal: CurrentPrincipal, modification_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """The funder's refusal, with what it said."""
        note = _text(await request.form(), "reject_note")
        try:
            await reject(principal, modification_id, note)
        except Refused as refused:
            return await _closing_refused(principal, modification_id, "reject", note, refused)
        return Redirect(f"/modifications/{modification_id}", status_code=303)

    @post("/modifications/{modification_id:int}/withdraw")
    async def withdraw(
        self, principal: CurrentPrincipal, modification_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """Take back a draft or a submitted modification, saying why."""
        note = _text(await request.form(), "withdraw_note")
        try:
            await withdraw(principal, modification_id, note)
        except Refused as refused:
            return await _closing_refused(principal, modification_id, "withdraw", note, refused)
        return Redirect(f"/modifications/{modification_id}", status_code=303)

    @get("/projects/{project_id:int}/versions/{number:int}")
    async def version(
        self, principal: CurrentPrincipal, project_id: FromPath[int], number: FromPath[int]
    ) -> Template:
        """One contract version whole, its plan and budget computed as the project's are."""
        project = await get_project(principal, project_id)
        row, snapshot = await versions.get_version(principal, project_id, number)
        rounding = await project_rounding(project_id)
        lines = snapshot_lines(snapshot)
        categories = budget_by_category(lines, rounding=rounding)
        years = sorted({line.year for line in lines})
        made_by = None
        if row.modification_id:
            made_by = await modification_row(principal, row.modification_id)
        partner_names = {p["id"]: p["name"] for p in snapshot["partners"] if p["id"]}
        return Template(
            "modifications/version.html",
            context={
                "principal": principal,
                "project": project,
                "version": row,
                "snapshot": snapshot,
                "iso_day": _iso_day,
                "plan": plan_of(snapshot),
                "categories": categories,
                "years": years,
                "year_totals": {y: sum(c.by_year.get(y, 0) for c in categories) for y in years},
                "budget_total": sum(c.total for c in categories),
                "rounding": rounding,
                "names": category_names(await cost_categories(project_id)),
                "partner_names": partner_names,
                "indicator_names": {i.id: i for i in project.indicators},
                "made_by": made_by,
            },
        )


def _more(form) -> int:
    """The extra blank rows the form had ("Add rows" pressed before)."""
    text = _text(form, "more")
    return min(int(text), 60) if text.isdecimal() and len(text) < 4 else 0


async def _closing_refused(
    principal: Principal, modification_id: int, form: str, note: str, refused: Refused
) -> Template:
    return await _detail_page(
        principal,
        modification_id,
        form=form,
        values={"note": note},
        refused=renamed_fields(refused, {"note": f"{form}_note"}),
    )
