"""Demo budgets by cost category and year, for the tour's Budget and Co-financing pages.

From the documents: only the totals. 4.4.1.1./2/004's eligible costs are 296 578,43 (seed 000)
and its budget adds up to them exactly; Tukums' partner budget in LL-00241 is 48 355,00 (seed
001) and its budget adds up to that. The documents give no split by category or year, so the
split below is illustrative (demo figures, not from the seeds), built on the programmes' rules:

- 4.4.1.1./2/004 (ESF+): indirect costs are a flat rate of 15 % of direct staff costs (CPR Art.
  54(b)), half-up as the measure rounds; staff for the team at “Rīti”, external services
  (specialists' consultations, supervision, group sessions), equipment to furnish the site in
  2026. Whether measure 4.4.1.1's regulation (Cabinet regulation No. 820) chooses this flat
  rate is not in the seeds. The 72 636,00 the municipality adds beyond the eligible costs is
  not in this budget.
- LL-00241 (Interreg VI-A LV–LT): office and administration 15 % of staff (Regulation
  2021/1059 Art. 41), truncated to the cent as Jems does; staff at 1 031,23 a month for 24
  months (9 in 2025, 12 in 2026, 3 in 2027), so 15 % of the total staff cost is 3 712,428: Jems
  gives 3 712,42 where half-up would give 3 712,43. Travel, external expertise and equipment
  are real costs.

Both are saved through `set_budget`, so they pass the same checks as a budget typed in, and only
into a project without a budget: `grants demo` run again, or after someone changed a budget,
leaves it as it is; so it does a project whose dates were changed so that the budget's years no
longer fit.
"""

from grants.core.errors import Refused
from grants.core.vocabulary import CostCategory
from grants.finance.budget import BudgetLineInput, set_budget
from grants.seed.data import SEED_PRINCIPAL
from grants.seed.portfolio import INDIRECT
from grants.tables.funding import BudgetLine

FAMILIES = "4.4.1.1./2/004"
CONNECTINGEN = "LL-00241"

STAFF = CostCategory.STAFF.value
OFFICE = CostCategory.OFFICE_ADMIN.value
TRAVEL = CostCategory.TRAVEL.value
EXTERNAL = CostCategory.EXTERNAL_SERVICES.value
EQUIPMENT = CostCategory.EQUIPMENT.value


def _amounts(category: str, by_year: dict[int, str]) -> list[BudgetLineInput]:
    return [BudgetLineInput(category, str(year), amount=a) for year, a in by_year.items()]


def _flat(category: str, years: list[int], rate: str, base: str) -> list[BudgetLineInput]:
    return [
        BudgetLineInput(category, str(year), flat_rate=rate, flat_rate_base=base) for year in years
    ]


# 2026 158 224,23 + 2027 138 354,20 = 296 578,43; indirect 13 261,86 + 13 770,53 = 27 032,39
FAMILIES_BUDGET = [
    *_amounts(STAFF, {2026: "88 412,37", 2027: "91 803,55"}),
    *_amounts(EXTERNAL, {2026: "31 900,00", 2027: "32 780,12"}),
    *_amounts(EQUIPMENT, {2026: "24 650,00"}),
    *_flat(INDIRECT, [2026, 2027], "15", STAFF),
]

# 2025 16 723,23 + 2026 25 530,97 + 2027 6 100,80 = 48 355,00; office 3 712,42
CONNECTINGEN_BUDGET = [
    *_amounts(STAFF, {2025: "9 281,07", 2026: "12 374,76", 2027: "3 093,69"}),
    *_amounts(TRAVEL, {2025: "1 450,00", 2026: "2 900,00", 2027: "650,00"}),
    *_amounts(EXTERNAL, {2025: "3 200,00", 2026: "8 400,00", 2027: "1 893,06"}),
    *_amounts(EQUIPMENT, {2025: "1 400,00"}),
    *_flat(OFFICE, [2025, 2026, 2027], "15", STAFF),
]

BUDGETS = {FAMILIES: FAMILIES_BUDGET, CONNECTINGEN: CONNECTINGEN_BUDGET}


async def load_budgets(project_ids_by_code: dict[str, int]) -> int:
    """Save the demo budgets into projects that have none and take them; how many were saved."""
    saved = 0
    for code, lines in BUDGETS.items():
        project_id = project_ids_by_code.get(code)
        if project_id is None or await BudgetLine.exists().where(BudgetLine.project == project_id):
            continue
        try:
            await set_budget(SEED_PRINCIPAL, project_id, lines)
        except Refused:
            continue
        saved += 1
    return saved
