"""The demo's modification: 4.4.1.1./2/004 moves 6 000,00 of its budget from equipment (the
furniture for “Rīti” cost less than planned) to external services in 2027 (more consultations
with the psychologist), approved in September 2026 and in force from October. The total, the
flat-rate indirect costs and the ESF+ 85 % / state budget 15 % split stay as they were.
Illustrative, like the demo budget it changes (see grants/seed/budgets.py)."""

from datetime import UTC, date, datetime

from grants.core.errors import Refused
from grants.finance.budget import BudgetLineInput
from grants.modifications.modifications import ModificationInput, approve, propose, submit
from grants.seed.budgets import EQUIPMENT, EXTERNAL, FAMILIES, FAMILIES_BUDGET
from grants.seed.data import SEED_PRINCIPAL
from grants.tables.funding import BudgetLine
from grants.tables.modifications import Modification

REASON = (
    "Mēbeles un aprīkojums pakalpojumu vietai “Rīti” iegādāti lētāk, nekā plānots; atlikums "
    "6 000,00 EUR novirzīts psihologa konsultācijām ģimenēm 2027. gadā."
)
REFERENCE = "Vienošanās par grozījumiem Nr. 1"
DECISION_DATE = date(2026, 9, 15)
IN_FORCE_FROM = date(2026, 10, 1)
_MOVED = {(EQUIPMENT, "2026"): "18 650,00", (EXTERNAL, "2027"): "38 780,12"}


def moved_budget() -> list[BudgetLineInput]:
    """The demo budget with the 6 000,00 moved."""
    return [
        BudgetLineInput(
            line.category,
            line.year,
            amount=_MOVED.get((line.category, line.year), line.amount),
            flat_rate=line.flat_rate,
            flat_rate_base=line.flat_rate_base,
        )
        for line in FAMILIES_BUDGET
    ]


async def load_modifications(project_ids_by_code: dict[str, int]) -> int:
    """Propose, submit and approve the demo's modification in a project that has its budget
    and no modification yet; how many were approved."""
    project_id = project_ids_by_code.get(FAMILIES)
    if (
        project_id is None
        or await Modification.exists().where(Modification.project == project_id)
        or not await BudgetLine.exists().where(BudgetLine.project == project_id)
    ):
        return 0
    try:
        modification_id = await propose(
            SEED_PRINCIPAL, project_id, ModificationInput(reason=REASON, budget=moved_budget())
        )
        await submit(SEED_PRINCIPAL, modification_id)
        await approve(
            SEED_PRINCIPAL,
            modification_id,
            decision_date=DECISION_DATE,
            reference=REFERENCE,
            in_force_from=IN_FORCE_FROM,
        )
    except Refused:  # the budget was changed meanwhile: this move no longer fits it
        return 0
    await Modification.update(  # as it happened: prepared and sent before the decision
        {
            Modification.created_at: datetime(2026, 8, 24, 9, tzinfo=UTC),
            Modification.updated_at: datetime(2026, 8, 26, 9, tzinfo=UTC),
            Modification.submitted_at: datetime(2026, 8, 26, 9, tzinfo=UTC),
            Modification.decided_at: datetime(2026, 9, 16, 9, tzinfo=UTC),
        }
    ).where(Modification.id == modification_id)
    return 1
