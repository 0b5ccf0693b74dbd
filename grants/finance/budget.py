"""The budget by cost category: planned per year and in total, declared, remaining, absorbed.

A flat-rate category (a simplified cost option: indirect costs 7 % of direct costs, office
15 % of staff, staff 20 % of other direct costs, …) is computed from its base categories,
never typed, rounded the way the measure says (Jems truncates). The same rule computes its
declared amount from the declared base costs. Totals are computed on total bases, so a total
can differ by a cent from the sum of its years.

Finance staff enter the budget as lines by category and year (`set_budget`): an amount, or a
flat rate with its base; the whole budget is replaced at once, after every rule is checked. A
category is named by its code or by its name in either language, typed in any case and with or
without diacritics. Warnings (`budget_warnings`) point out what deserves a look without refusing
it: a budget that does not add up to the eligible costs, a category declared beyond its budget.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import Problems, blank
from grants.core.i18n import LABELS, LOCALES, translations
from grants.core.messages import (
    CATEGORY_REQUIRED,
    CATEGORY_UNKNOWN,
    RATE_OR_AMOUNT,
    RATE_OR_AMOUNT_NOT_BOTH,
    YEAR_MALFORMED,
    YEAR_REQUIRED,
)
from grants.core.money import money_str, percentage, rate_str, share_of
from grants.core.text import comparable
from grants.core.translatable import N_
from grants.core.vocabulary import Rounding, category_key
from grants.db import first_or_not_found, row_or_not_found, write_transaction
from grants.finance.expenditures import (
    DeclaredSum,
    DeclaredSums,
    cost_categories,
    declared_sums,
)
from grants.modifications.lock import check_contract_changes, finish_correction
from grants.modifications.versions import in_force
from grants.projects.periods import PeriodRow, for_update
from grants.tables.funding import BudgetLine
from grants.tables.projects import Partner, Project

DIRECT = "direct"  # in a flat-rate base: every category with a real amount

Amounts = dict[str, dict[int, int]]  # category → year → cents


class BudgetLineLike(Protocol):
    category: str
    year: int
    amount: int | None
    flat_rate_bp: int | None
    flat_rate_base: str


@dataclass(frozen=True)
class PlannedLine:
    """A BudgetLine as read from the table."""

    category: str
    year: int
    amount: int | None = None
    flat_rate_bp: int | None = None
    flat_rate_base: str = ""


@dataclass(frozen=True)
class FlatRate:
    rate_bp: int
    base: tuple[str, ...]  # base categories, or DIRECT
    years: frozenset[int]  # the years it has lines for


@dataclass(frozen=True)
class CategoryBudget:
    category: str
    flat_rate_bp: int | None  # None for a category with real amounts
    flat_rate_base: tuple[str, ...]
    by_year: dict[int, int]
    total: int


@dataclass(frozen=True)
class CategoryLine:
    category: str
    flat_rate_bp: int | None
    planned: int  # all years
    this_period: int
    to_date: int
    remaining: int  # planned − to date
    absorption: Decimal | None  # to date / planned, %; None when nothing is planned
    flat_rate_base: tuple[str, ...] = ()  # a flat rate's base categories, or DIRECT


@dataclass(frozen=True)
class Reconciliation:
    """How the declared eligible costs (what the split by source is computed on) become the
    budget table's total: the amounts recorded on a flat-rate category do not count there (the
    flat rate stands for them), and the flat-rate amounts computed from their base are added."""

    declared: int  # eligible parts of the declared expenditures
    on_flat_rate: int  # of them, recorded on a flat-rate category
    flat_rate: int  # the flat-rate categories' computed amounts

    @property
    def total(self) -> int:
        return self.declared - self.on_flat_rate + self.flat_rate


@dataclass(frozen=True)
class CategoryReport:
    project_id: int
    period: PeriodRow | None  # None: the whole project, so this period = to date
    rounding: Rounding
    lines: list[CategoryLine]
    this_period: Reconciliation
    to_date: Reconciliation


def base_parts(text: str) -> tuple[str, ...]:
    """A flat rate's base as stored or typed, "staff, travel" or "direct", as its parts."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def flat_rates(lines: Iterable[BudgetLineLike]) -> dict[str, FlatRate]:
    """The flat-rate rule of each flat-rate category; one rate and base per category."""
    rates: dict[str, FlatRate] = {}
    for line in lines:
        if line.flat_rate_bp is None:
            continue
        base = base_parts(line.flat_rate_base)
        known = rates.get(line.category)
        if known is not None and (known.rate_bp, known.base) != (line.flat_rate_bp, base):
            raise ValueError(f"flat rate of {line.category!r} differs between its lines")
        years = known.years if known else frozenset()
        rates[line.category] = FlatRate(line.flat_rate_bp, base, years | {line.year})
    return rates


def computed(
    category: str,
    years: Iterable[int],
    real: Amounts,
    rates: dict[str, FlatRate],
    rounding: Rounding | str,
    _path: frozenset[str] = frozenset(),
) -> int:
    """A category's amount over `years`: real amounts added up; a flat rate of its base's
    amount over the years it covers (a base may itself be flat-rate)."""
    rate = rates.get(category)
    if rate is None:
        return sum(real.get(category, {}).get(year, 0) for year in years)
    if category in _path:
        raise ValueError(f"flat rates refer to each other through {category!r}")
    covered = rate.years.intersection(years)
    base = sum(
        computed(part, covered, real, rates, rounding, _path | {category})
        for part in _expand(rate.base, real, rates)
    )
    return share_of(base, rate.rate_bp, rounding=Rounding(rounding).value)


def _expand(base: tuple[str, ...], real: Amounts, rates: dict[str, FlatRate]) -> list[str]:
    direct = [category for category in real if category not in rates]
    parts = [p for token in base for p in (direct if token == DIRECT else [token])]
    return list(dict.fromkeys(parts))


def _ordered(categories: Iterable[str]) -> list[str]:
    return sorted(set(categories), key=category_key)


def budget_by_category(
    lines: Sequence[BudgetLineLike], *, rounding: Rounding | str
) -> list[CategoryBudget]:
    """Each category's planned amount per year and in total, flat rates computed."""
    rates = flat_rates(lines)
    real: Amounts = defaultdict(lambda: defaultdict(int))
    for line in lines:
        if line.category not in rates:
            real[line.category][line.year] += line.amount or 0
    all_years = {line.year for line in lines}
    result = []
    for category in _ordered(line.category for line in lines):
        rate = rates.get(category)
        years = sorted(rate.years if rate else real[category])
        result.append(
            CategoryBudget(
                category=category,
                flat_rate_bp=rate.rate_bp if rate else None,
                flat_rate_base=rate.base if rate else (),
                by_year={y: computed(category, [y], real, rates, rounding) for y in years},
                total=computed(category, all_years, real, rates, rounding),
            )
        )
    return result


def _declared(sums: Iterable[DeclaredSum]) -> Amounts:
    """Eligible amounts by category and year of the invoice."""
    amounts: Amounts = defaultdict(lambda: defaultdict(int))
    for item in sums:
        amounts[item.category][item.year] += item.eligible_amount
    return amounts


async def category_report(
    principal: Principal,
    project_id: int,
    period_id: int | None = None,
    *,
    declared: DeclaredSums | None = None,
    newest: bool = False,
) -> CategoryReport:
    """Planned, declared this period and to date, remaining and absorption per category.

    Declared amounts are the eligible parts of current expenditures; a flat-rate category's
    declared amount is computed from the declared base, so one recorded on it directly does
    not count. A page that shows the co-financing split too passes the `declared` sums (of the
    same period) it has read for that. A period's budget is the one of the contract version in
    force at its end (`_planned_lines`); `newest`: the caller knows that is the newest.
    """
    if declared is None:
        declared = await declared_sums(principal, project_id, period_id)
    rounding = await _rounding(project_id)
    lines = await _planned_lines(project_id, None if newest else declared.period)
    planned = {c.category: c for c in budget_by_category(lines, rounding=rounding)}
    rates = flat_rates(lines)
    this_period, to_date = _declared(declared.this_period), _declared(declared.to_date)
    years = {line.year for line in lines} | {s.year for s in declared.to_date}
    report = []
    for category in _ordered([*planned, *to_date]):
        budget = planned.get(category)
        total = budget.total if budget else 0
        spent = computed(category, years, to_date, rates, rounding)
        report.append(
            CategoryLine(
                category=category,
                flat_rate_bp=budget.flat_rate_bp if budget else None,
                planned=total,
                this_period=computed(category, years, this_period, rates, rounding),
                to_date=spent,
                remaining=total - spent,
                absorption=percentage(spent, total),
                flat_rate_base=budget.flat_rate_base if budget else (),
            )
        )
    flat = [line for line in report if line.flat_rate_bp is not None]

    def reconciliation(sums: list[DeclaredSum], amount: str) -> Reconciliation:
        return Reconciliation(
            declared=sum(s.eligible_amount for s in sums),
            on_flat_rate=sum(s.eligible_amount for s in sums if s.category in rates),
            flat_rate=sum(getattr(line, amount) for line in flat),
        )

    return CategoryReport(
        project_id,
        declared.period,
        rounding,
        report,
        this_period=reconciliation(declared.this_period, "this_period"),
        to_date=reconciliation(declared.to_date, "to_date"),
    )


async def _rounding(project_id: int) -> Rounding:
    """How the project's measure rounds flat rates; NotFound for an unknown project."""
    row = row_or_not_found(
        await Project.raw(  # raw SQL: the co-financing page asks every time
            "SELECT m.rounding FROM project p JOIN measure m ON m.id = p.measure WHERE p.id = {}",
            project_id,
        )
    )
    return Rounding(row["rounding"])


def _line_order(line: BudgetLineLike) -> tuple[tuple[int, str], int]:
    return category_key(line.category), line.year


async def _stored_lines(project_id: int) -> list[PlannedLine]:
    """The project's budget lines, by category (standard order) and year."""
    rows = await BudgetLine.raw(  # raw SQL: the co-financing page asks every time
        "SELECT category, year, amount, flat_rate_bp, flat_rate_base FROM budget_line"
        " WHERE project = {}",
        project_id,
    )
    return sorted((PlannedLine(**row) for row in rows), key=_line_order)


_LINE_FIELDS = ("category", "year", "amount", "flat_rate_bp", "flat_rate_base")


async def _planned_lines(project_id: int, period: PeriodRow | None) -> list[PlannedLine]:
    """The budget lines of the contract version in force at the period's end: an older
    version's from its snapshot, else the stored ones (one query more, only for a period)."""
    if period is not None:
        snapshot = (await in_force(project_id, period.end)).snapshot
        if snapshot is not None:
            return snapshot_lines(snapshot)
    return await _stored_lines(project_id)


def snapshot_lines(snapshot: dict) -> list[PlannedLine]:
    """The budget lines of a contract version's snapshot (`grants.modifications.versions`),
    by category (standard order) and year."""
    lines = (PlannedLine(**{f: b[f] for f in _LINE_FIELDS}) for b in snapshot["budget"])
    return sorted(lines, key=_line_order)


# Reading the budget for entry


@dataclass(frozen=True)
class ProjectBudget:
    """The budget as entered (`lines`) and as computed: per category and year, per year, total.

    A flat-rate total is computed on the total base, so `total` can differ by a cent from the
    sum of `year_totals`.
    """

    project_id: int
    rounding: Rounding
    lines: list[PlannedLine]
    categories: list[CategoryBudget]
    years: list[int]
    year_totals: dict[int, int]
    total: int


async def project_budget(principal: Principal, project_id: int) -> ProjectBudget:
    """The entered budget lines with every amount computed, flat rates included."""
    rounding = await _rounding(project_id)
    principal.require(Action.READ, project_id)
    lines = await _stored_lines(project_id)
    categories = budget_by_category(lines, rounding=rounding)
    years = sorted({line.year for line in lines})
    return ProjectBudget(
        project_id=project_id,
        rounding=rounding,
        lines=lines,
        categories=categories,
        years=years,
        year_totals={y: sum(c.by_year.get(y, 0) for c in categories) for y in years},
        total=sum(c.total for c in categories),
    )


# Warnings: what deserves a look, never a refusal

TOTAL_DIFFERS = "total_differs"
OVER_BUDGET = "over_budget"
_TOTAL_DIFFERS = N_(
    "The budget total %(actual)s differs from the project's eligible costs %(expected)s "
    "by %(difference)s."
)
_PARTNER_DIFFERS = N_(
    "The budget total %(actual)s differs from our partner budget %(expected)s by %(difference)s."
)
_OVER_BUDGET = N_(
    "“%(category)s”: the eligible costs declared to date, %(actual)s, exceed its budget "
    "%(expected)s by %(difference)s."
)


@dataclass(frozen=True)
class BudgetWarning:
    """A figure that does not match the one it is compared with. `message` is an English
    msgid; the edge fills in the category's name and the amounts in the reader's language."""

    code: str  # TOTAL_DIFFERS or OVER_BUDGET
    message: str
    category: str | None  # the category an OVER_BUDGET warning is about
    expected: int  # the eligible costs, or the category's budget
    actual: int  # the budget total, or the category's declared eligible costs to date

    @property
    def difference(self) -> int:
        return self.actual - self.expected


async def budget_warnings(principal: Principal, project_id: int) -> list[BudgetWarning]:
    """The budget against the project's eligible costs (our partner budget when the project's
    are not ours to know), and each category's declared eligible costs to date against its
    budget. Nothing to say about a project without a budget."""
    report = await category_report(principal, project_id)
    if not any(line.planned for line in report.lines):
        return []
    warnings = []
    planned = sum(line.planned for line in report.lines)
    message, expected = await _eligible_cost(project_id)
    if expected is not None and planned != expected:
        warnings.append(BudgetWarning(TOTAL_DIFFERS, message, None, expected, planned))
    warnings.extend(
        BudgetWarning(OVER_BUDGET, _OVER_BUDGET, line.category, line.planned, line.to_date)
        for line in report.lines
        if line.to_date > line.planned
    )
    return warnings


async def _eligible_cost(project_id: int) -> tuple[str, int | None]:
    """What the budget should add up to: the project's eligible costs, or, for a project we
    are a partner in without them, our own partner budget."""
    project = await first_or_not_found(
        Project.select(Project.eligible_cost).where(Project.id == project_id)
    )
    if project["eligible_cost"] is not None:
        return _TOTAL_DIFFERS, project["eligible_cost"]
    own = await Partner.select(Partner.budget).where(
        (Partner.project == project_id) & Partner.organisation.is_own.eq(True)
    )
    budgets = [row["budget"] for row in own if row["budget"] is not None]
    return _PARTNER_DIFFERS, (budgets[0] if len(budgets) == 1 else None)


# Writing the budget

_YEAR_OUTSIDE = N_("The year %(year)s is outside the project's years %(start)s–%(end)s.")
_BASE_REQUIRED = N_(
    "Give the base of the flat rate: the cost categories it is a share of, or “direct”."
)
_BASE_ITSELF = N_("A flat rate cannot be a share of its own category.")
_BASE_WITHOUT_RATE = N_("Only a flat rate has a base; leave it empty for an amount.")
_TWICE = N_("“%(category)s” is planned twice for %(year)s; give one line per category and year.")
_TYPED_AND_FLAT = N_(
    "“%(category)s” has both amounts and a flat rate; a category is either typed or computed."
)
_RATE_DIFFERS = N_("The flat rate of “%(category)s” must have the same rate and base every year.")
_LOOP = N_("The flat rate of “%(category)s” is computed, through its base, from itself.")

_YEAR_RE = re.compile(r"[1-9][0-9]{3}")


@dataclass(frozen=True)
class BudgetLineInput:
    """One budget line as typed: an amount ("12 000,00"), or a flat rate ("15") of a base:
    cost categories (codes or names) as a list or separated by commas, or "direct" ("direct
    costs") for every category with an amount."""

    category: str
    year: str
    amount: str | None = None
    flat_rate: str | None = None
    flat_rate_base: str | Sequence[str] = ""


@dataclass(frozen=True)
class _Rules:
    """What the checks need to know about the project."""

    categories: frozenset[str]
    start_year: int | None
    end_year: int | None
    rounding: Rounding
    names: dict[str, str]  # a category's code or name, made comparable → its code


_DIRECT_NAME = N_("direct costs")


def _aliases(categories: dict[str, tuple[str, str] | None]) -> dict[str, str]:
    """Every way a person may name a category, made `comparable` (case and diacritics do not
    matter), to its code: the code, and its name in each language; "direct" and "direct costs"
    to DIRECT. A name two categories share names neither."""
    found: dict[str, set[str]] = defaultdict(set)
    for code, own in [*categories.items(), (DIRECT, None)]:
        msgid = _DIRECT_NAME if code == DIRECT else LABELS.get(code, code)
        names = own or tuple(translations(locale).gettext(msgid) for locale in LOCALES)
        for name in (code, *names):
            found[comparable(name)].add(code)
    return {name: codes.pop() for name, codes in found.items() if len(codes) == 1}


def _code(rules: _Rules, typed: str) -> str | None:
    """The category (or DIRECT) a person named, by code or by name; None when unknown."""
    if typed in rules.categories or typed == DIRECT:
        return typed
    return rules.names.get(comparable(typed))


def _canonical_base(parts: Iterable[str]) -> tuple[str, ...]:
    """DIRECT first, then the categories in their order, each once, so that the same base
    typed in another order is the same base."""
    parts = list(parts)
    return ((DIRECT,) if DIRECT in parts else ()) + tuple(_ordered(p for p in parts if p != DIRECT))


def _parse_line(
    rules: _Rules, i: int, data: BudgetLineInput, problems: Problems
) -> PlannedLine | None:
    """One line's values, or None after adding a problem for each field that is wrong."""
    where = f"lines[{i}]"
    found = len(problems.items)
    typed = (data.category or "").strip()
    category = _code(rules, typed) if typed else None
    if not typed:
        problems.add(CATEGORY_REQUIRED, f"{where}.category")
    elif category is None or category == DIRECT:
        problems.add(CATEGORY_UNKNOWN, f"{where}.category", category=typed)

    year = None
    year_text = str(data.year or "").strip()
    if not year_text:
        problems.add(YEAR_REQUIRED, f"{where}.year")
    elif not _YEAR_RE.fullmatch(year_text):
        problems.add(YEAR_MALFORMED, f"{where}.year", text=year_text)
    else:
        year = int(year_text)
        if (rules.start_year and year < rules.start_year) or (
            rules.end_year and year > rules.end_year
        ):
            problems.add(
                _YEAR_OUTSIDE,
                f"{where}.year",
                year=year,
                start=rules.start_year or "…",
                end=rules.end_year or "…",
            )

    amount = rate_bp = None
    has_amount, has_rate = not blank(data.amount), not blank(data.flat_rate)
    if has_amount and has_rate:
        problems.add(RATE_OR_AMOUNT_NOT_BOTH, f"{where}.flat_rate")
    elif not has_amount and not has_rate:
        problems.add(RATE_OR_AMOUNT, f"{where}.amount")
    elif has_amount:
        amount = problems.cents(data.amount, f"{where}.amount")
    else:
        rate_bp = problems.rate(data.flat_rate, f"{where}.flat_rate")

    typed_base = data.flat_rate_base or ""
    if isinstance(typed_base, str):
        parts = base_parts(typed_base)
    else:
        parts = tuple(part.strip() for part in typed_base if part.strip())
    base: tuple[str, ...] = ()
    if has_amount and has_rate:
        pass  # which of the two is meant decides whether a base belongs here
    elif has_amount and parts:
        problems.add(_BASE_WITHOUT_RATE, f"{where}.flat_rate_base")
    elif has_rate and not parts:
        problems.add(_BASE_REQUIRED, f"{where}.flat_rate_base")
    elif has_rate:
        codes = [_code(rules, part) for part in parts]
        for part, code in zip(parts, codes, strict=True):
            if code is None:
                problems.add(CATEGORY_UNKNOWN, f"{where}.flat_rate_base", category=part)
        base = _canonical_base(code for code in codes if code is not None)
        if category in base:
            problems.add(_BASE_ITSELF, f"{where}.flat_rate_base")

    if len(problems.items) > found:
        return None
    assert year is not None and category is not None
    return PlannedLine(category, year, amount, rate_bp, ",".join(base))


def _looping(rates: dict[str, FlatRate]) -> list[str]:
    """The flat-rate categories whose base leads back to them."""

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for part in rates[start].base:
            if part == target:
                return True
            if part in rates and part not in seen:
                seen.add(part)
                if reaches(part, target, seen):
                    return True
        return False

    return [category for category in rates if reaches(category, category, set())]


def _checked_lines(rules: _Rules, lines: list[BudgetLineInput]) -> list[PlannedLine]:
    """The lines to store, or Refused with every problem: each line's own, then those between
    lines (one line per category and year; a category typed or flat-rate, with one rate and
    base; no flat rate computed from itself)."""
    problems = Problems()
    parsed = [(i, _parse_line(rules, i, line, problems)) for i, line in enumerate(lines)]
    valid: list[tuple[int, PlannedLine]] = [(i, ln) for i, ln in parsed if ln is not None]

    model: list[tuple[int, PlannedLine]] = []
    seen: set[tuple[str, int]] = set()
    first: dict[str, PlannedLine] = {}
    for i, line in valid:
        where = f"lines[{i}]"
        known = first.setdefault(line.category, line)
        if (line.category, line.year) in seen:
            problems.add(_TWICE, f"{where}.year", category=line.category, year=line.year)
        elif (known.flat_rate_bp is None) != (line.flat_rate_bp is None):
            field = "amount" if line.flat_rate_bp is None else "flat_rate"
            problems.add(_TYPED_AND_FLAT, f"{where}.{field}", category=line.category)
        elif (known.flat_rate_bp, known.flat_rate_base) != (
            line.flat_rate_bp,
            line.flat_rate_base,
        ):
            problems.add(_RATE_DIFFERS, f"{where}.flat_rate", category=line.category)
        else:
            model.append((i, line))
        seen.add((line.category, line.year))

    try:
        budget_by_category([line for _, line in model], rounding=rules.rounding)
    except ValueError:
        looping = _looping(flat_rates(line for _, line in model))
        if not looping:
            raise  # not a loop: a programming error, not the user's input
        for category in looping:
            i = next(i for i, line in model if line.category == category)
            problems.add(_LOOP, f"lines[{i}].flat_rate_base", category=category)

    problems.raise_if_any()
    return sorted((line for _, line in model), key=_line_order)


def _snapshot(lines: Iterable[PlannedLine]) -> list[dict]:
    """The budget for the audit trail: amounts and rates as decimal strings."""
    return [
        {
            "category": line.category,
            "year": line.year,
            "amount": money_str(line.amount),
            "flat_rate": rate_str(line.flat_rate_bp),
            "flat_rate_base": list(base_parts(line.flat_rate_base)),
        }
        for line in lines
    ]


async def _rules(project_id: int) -> _Rules:
    """Read with the project row locked, so two budgets saved at once replace each other in
    turn instead of both inserting their lines."""
    project = await first_or_not_found(
        for_update(
            Project.select(
                Project.start_date, Project.end_date, Project.measure.rounding.as_alias("rounding")
            ).where(Project.id == project_id)
        )
    )
    start, end = project["start_date"], project["end_date"]
    categories = await cost_categories(project_id)
    return _Rules(
        categories=frozenset(categories),
        start_year=start.year if start else None,
        end_year=end.year if end else None,
        rounding=Rounding(project["rounding"]),
        names=_aliases(categories),
    )


async def check_budget(
    project_id: int, lines: list[BudgetLineInput], *, start: date | None, end: date | None
) -> tuple[list[PlannedLine], Rounding]:
    """The lines as `set_budget` would store them for a project running from `start` to `end`
    (a modification may move its dates), with the measure's rounding; Refused with every
    problem. No access check and no lock: for a modification, which checks both."""
    project = await first_or_not_found(
        Project.select(Project.measure.rounding.as_alias("rounding")).where(
            Project.id == project_id
        )
    )
    categories = await cost_categories(project_id)
    rules = _Rules(
        categories=frozenset(categories),
        start_year=start.year if start else None,
        end_year=end.year if end else None,
        rounding=Rounding(project["rounding"]),
        names=_aliases(categories),
    )
    return _checked_lines(rules, lines), rules.rounding


async def set_budget(
    principal: Principal,
    project_id: int,
    lines: list[BudgetLineInput],
    *,
    correction_reason: str | None = None,
) -> None:
    """Replace the project's whole budget with `lines`, recorded in the audit trail; refused
    with every problem and nothing written. Saving the same budget again changes nothing. A
    project with a contract changes a budget it has only as an administrator's correction with
    a reason (`grants.modifications.lock`)."""
    principal.require(Action.EDIT_PROJECT, project_id)
    async with write_transaction():
        checked = _checked_lines(await _rules(project_id), lines)
        before, after = _snapshot(await _stored_lines(project_id)), _snapshot(checked)
        if before == after:
            return
        correction = await check_contract_changes(
            principal, project_id, {"lines": before}, correction_reason
        )
        await BudgetLine.delete().where(BudgetLine.project == project_id)
        if checked:
            await BudgetLine.insert(
                *(BudgetLine(project=project_id, **asdict(line)) for line in checked)
            )
        await finish_correction(project_id, correction)
        await audit.record(
            "update",
            "budget",
            project_id,
            actor=principal,
            project_id=project_id,
            before=before,
            after=after,
            note=correction,
        )
