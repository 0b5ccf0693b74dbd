"""Demo money cycle for the tour: the claim schedule, claims and what the funder paid.

From the documents: only the totals (4.4.1.1./2/004's eligible costs 296 578,43 = ESF+ 85 % +
the state budget the rest; Tukums' partner budget in LL-00241 48 355,00 at 80 % ERDF). Every
invoice, claim, date and deduction below is illustrative (demo figures, not from the seeds),
kept within the demo budgets (`grants.seed.budgets`) so that no category is overspent:

- 4.4.1.1./2/004: a half-yearly claim schedule adding up to 296 578,43 (2026: 158 224,23 and
  2027: 138 354,20, as the budget's years; the final claim after the project ends); an advance
  of 20 % of the eligible costs (59 315,69), paid; the first interim claim over January–June
  2026 (61 141,20 of invoices), clearing 30 000,00 of the advance, approved less a deduction of
  312,40 on the furniture (priced above the market survey) and paid in full; and the interim
  claim for July–December 2026 in preparation (a draft clearing 15 000,00).
- LL-00241: Tukums' first partner report (April–September 2025, 9 453,78), certified by the
  controller less 36,40 of daily allowance, so 9 417,38 certified and 7 533,90 ERDF due at 80 %,
  not yet forwarded by the lead partner.

Everything goes through the app's own functions (`record_expenditure`, `save_schedule`,
`create_claim`, `submit_claim`, `approve_claim`, `pay_claim`) as the demo's administrator, so
it passes the same checks as typed data and is in the audit trail. The claim documents are not
frozen here: the domain (and so the seed) does not import `reports`. The funder's steps are
then dated as they would have happened (submitted, decided), since the functions stamp them
with the moment the demo is loaded.

Idempotent, like the rest of the demo: a project gets its invoices and claims only while it has
neither (each project in one transaction: all of it or nothing), and its schedule only while it
has none.
"""

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from grants.claims.claims import ClaimInput, create_claim
from grants.claims.schedule import ScheduleRowInput, save_schedule
from grants.claims.workflow import (
    DeductionInput,
    PaymentInput,
    approve_claim,
    pay_claim,
    submit_claim,
)
from grants.core.errors import Refused
from grants.core.i18n import RIGA
from grants.core.money import cents_to_str
from grants.core.vocabulary import ClaimKind, CostCategory
from grants.db import write_transaction
from grants.finance.expenditures import ExpenditureInput, record_expenditure
from grants.seed.data import SEED_PRINCIPAL
from grants.tables.claims import Claim, ClaimSchedule
from grants.tables.expenditures import Expenditure

FAMILIES = "4.4.1.1./2/004"
CONNECTINGEN = "LL-00241"

STAFF = CostCategory.STAFF.value
TRAVEL = CostCategory.TRAVEL.value
EXTERNAL = CostCategory.EXTERNAL_SERVICES.value
EQUIPMENT = CostCategory.EQUIPMENT.value

SOCIAL_SERVICE = "Tukuma novada sociālais dienests"

# 31.07.2026 61 500,00 + 29.01.2027 96 724,23 = 158 224,23 (2026's budget);
# 30.07.2027 69 000,00 + 29.02.2028 69 354,20 = 138 354,20 (2027's); 296 578,43 in all
FAMILIES_SCHEDULE = [
    ScheduleRowInput("31.07.2026", "61 500,00"),
    ScheduleRowInput("29.01.2027", "96 724,23"),
    ScheduleRowInput("30.07.2027", "69 000,00"),
    ScheduleRowInput("29.02.2028", "69 354,20"),
]
SCHEDULE_NOTE = "Plānotais maksājuma pieprasījumu grafiks: reizi pusgadā, noslēguma pēc beigām."

ADVANCE = "59 315,69"  # 20 % of 296 578,43 = 59 315,686, half-up


@dataclass(frozen=True)
class SeedInvoice:
    day: str
    amount: str
    category: str
    supplier: str
    invoice_number: str
    description: str


def _salaries(months: list[tuple[str, str]], amount: str, prefix: str) -> list[SeedInvoice]:
    """A month's pay of the project's staff, recorded from the payroll."""
    return [
        SeedInvoice(
            day, amount, STAFF, SOCIAL_SERVICE, f"{prefix}-{label}", f"Darba samaksa, {label}"
        )
        for day, label in months
    ]


# January–June 2026: 6 × 7 367,70 + 12 480,00 + 2 640,00 + 1 815,00 = 61 141,20
FAMILIES_H1 = [
    *_salaries(
        [
            ("30.01.2026", "2026/01"),
            ("27.02.2026", "2026/02"),
            ("31.03.2026", "2026/03"),
            ("30.04.2026", "2026/04"),
            ("29.05.2026", "2026/05"),
            ("30.06.2026", "2026/06"),
        ],
        "7 367,70",
        "AS",
    ),
    SeedInvoice(
        "12.03.2026",
        "12 480,00",
        EQUIPMENT,
        "SIA Biroja mēbeles",
        "BM-2026/118",
        "Mēbeles pakalpojumu vietai “Rīti”, Slampē",
    ),
    SeedInvoice(
        "15.04.2026",
        "2 640,00",
        EXTERNAL,
        "SIA Ģimenes psihologi",
        "GP-0415",
        "Psihologa konsultācijas ģimenēm, aprīlis",
    ),
    SeedInvoice(
        "10.06.2026", "1 815,00", EXTERNAL, "SIA Supervīzija", "SV-26-06", "Komandas supervīzija"
    ),
]
# July–November 2026: 5 × 7 367,70 + 1 936,00 + 2 420,00 = 41 194,50
FAMILIES_H2 = [
    *_salaries(
        [
            ("31.07.2026", "2026/07"),
            ("31.08.2026", "2026/08"),
            ("30.09.2026", "2026/09"),
            ("30.10.2026", "2026/10"),
            ("30.11.2026", "2026/11"),
        ],
        "7 367,70",
        "AS",
    ),
    SeedInvoice(
        "14.08.2026",
        "1 936,00",
        EXTERNAL,
        "SIA Ģimenes psihologi",
        "GP-0814",
        "Grupu nodarbības vecākiem",
    ),
    SeedInvoice(
        "22.10.2026",
        "2 420,00",
        EXTERNAL,
        "SIA Ģimenes psihologi",
        "GP-1022",
        "Psihologa konsultācijas ģimenēm, oktobris",
    ),
]
FURNITURE = "BM-2026/118"
FURNITURE_DEDUCTION = "312,40"
FURNITURE_REASON = "Krēslu cena pārsniedz cenu aptaujā noteikto; starpība nav attiecināma."

# April–September 2025: 6 × 1 031,23 + 486,40 + 1 600,00 + 1 180,00 = 9 453,78
CONNECTINGEN_H1 = [
    *_salaries(
        [
            ("30.04.2025", "2025/04"),
            ("30.05.2025", "2025/05"),
            ("30.06.2025", "2025/06"),
            ("31.07.2025", "2025/07"),
            ("29.08.2025", "2025/08"),
            ("30.09.2025", "2025/09"),
        ],
        "1 031,23",
        "CG",
    ),
    SeedInvoice(
        "20.05.2025",
        "1 180,00",
        EQUIPMENT,
        "SIA Datortehnika",
        "DT-5521",
        "Portatīvais dators metodes izstrādei",
    ),
    SeedInvoice(
        "12.06.2025",
        "486,40",
        TRAVEL,
        SOCIAL_SERVICE,
        "KOM-2025/06",
        "Pieredzes apmaiņas brauciens uz Kretingu: ceļš un dienas nauda",
    ),
    SeedInvoice(
        "18.09.2025",
        "1 600,00",
        EXTERNAL,
        "SIA Paaudžu tilts",
        "PT-25/09",
        "Eksperta pakalpojumi paaudžu metodes izstrādē",
    ),
]
TRAVEL_INVOICE = "KOM-2025/06"
TRAVEL_DEDUCTION = "36,40"
TRAVEL_REASON = "Dienas nauda aprēķināta par vienu dienu vairāk, nekā ilga komandējums."
TRAVEL_ERROR = "aprēķina kļūda"


def _moment(day: str) -> datetime:
    """Noon in Riga on a day written as 24.07.2026."""
    return datetime.combine(datetime.strptime(day, "%d.%m.%Y").date(), time(12), tzinfo=RIGA)


async def _invoices(project_id: int, invoices: list[SeedInvoice]) -> dict[str, int]:
    """Record the invoices; their expenditure ids by invoice number."""
    ids = {}
    for invoice in invoices:
        row = await record_expenditure(
            SEED_PRINCIPAL,
            project_id,
            ExpenditureInput(
                date=invoice.day,
                amount=invoice.amount,
                category=invoice.category,
                supplier=invoice.supplier,
                invoice_number=invoice.invoice_number,
                payment_date=invoice.day,
                description=invoice.description,
            ),
        )
        ids[invoice.invoice_number] = row.id
    return ids


async def _dated(claim_id: int, submitted: str, decided: str | None = None) -> None:
    """The funder's steps dated as they would have happened, not when the demo was loaded."""
    sent = _moment(submitted)
    changes: dict = {Claim.submitted_at: sent, Claim.created_at: sent - timedelta(days=3)}
    if decided is not None:
        changes[Claim.decided_at] = _moment(decided)
    await Claim.update(changes).where(Claim.id == claim_id)


async def _families_claims(project_id: int) -> None:
    await _invoices(project_id, FAMILIES_H1)
    advance = await create_claim(
        SEED_PRINCIPAL,
        project_id,
        ClaimInput(ClaimKind.ADVANCE.value, "2026-01-01", "2027-12-31", amount=ADVANCE),
    )
    await submit_claim(SEED_PRINCIPAL, advance.id)
    await approve_claim(SEED_PRINCIPAL, advance.id)
    await pay_claim(SEED_PRINCIPAL, advance.id, PaymentInput("24.02.2026", ADVANCE))
    await _dated(advance.id, "20.01.2026", "10.02.2026")

    interim = await create_claim(
        SEED_PRINCIPAL,
        project_id,
        ClaimInput(ClaimKind.INTERIM.value, "2026-01-01", "2026-06-30", advance_clear="30 000,00"),
    )
    interim = await submit_claim(SEED_PRINCIPAL, interim.id)
    furniture = next(i for i in interim.items if i.invoice_number == FURNITURE)
    assert furniture.expenditure_id is not None
    interim = await approve_claim(
        SEED_PRINCIPAL,
        interim.id,
        [DeductionInput(furniture.expenditure_id, FURNITURE_DEDUCTION, FURNITURE_REASON)],
    )
    await pay_claim(
        SEED_PRINCIPAL,
        interim.id,
        PaymentInput("08.09.2026", cents_to_str(interim.outstanding or 0)),
    )
    await _dated(interim.id, "24.07.2026", "21.08.2026")

    await _invoices(project_id, FAMILIES_H2)
    await create_claim(
        SEED_PRINCIPAL,
        project_id,
        ClaimInput(ClaimKind.INTERIM.value, "2026-07-01", "2026-12-31", advance_clear="15 000,00"),
    )


async def _connectingen_claims(project_id: int) -> None:
    ids = await _invoices(project_id, CONNECTINGEN_H1)
    partner = (
        await Expenditure.select(Expenditure.partner)
        .where(Expenditure.id == ids[TRAVEL_INVOICE])
        .first()
    )
    report = await create_claim(
        SEED_PRINCIPAL,
        project_id,
        ClaimInput(
            ClaimKind.PARTNER_REPORT.value,
            "2025-04-01",
            "2025-09-30",
            partner_id=partner["partner"],
        ),
    )
    await submit_claim(SEED_PRINCIPAL, report.id)
    await approve_claim(
        SEED_PRINCIPAL,
        report.id,
        [
            DeductionInput(
                ids[TRAVEL_INVOICE], TRAVEL_DEDUCTION, TRAVEL_REASON, error_type=TRAVEL_ERROR
            )
        ],
    )
    await _dated(report.id, "20.10.2025", "15.12.2025")


CLAIMS = {FAMILIES: _families_claims, CONNECTINGEN: _connectingen_claims}


async def load_claims(project_ids_by_code: dict[str, int]) -> int:
    """The demo's schedule, invoices and claims, into projects that have none of them; how many
    projects got their claims."""
    loaded = 0
    families = project_ids_by_code.get(FAMILIES)
    if families is not None and not await ClaimSchedule.exists().where(
        ClaimSchedule.project == families
    ):
        with suppress(Refused):  # the eligible cost or dates were changed: no plan fits
            await save_schedule(SEED_PRINCIPAL, families, FAMILIES_SCHEDULE, SCHEDULE_NOTE)
    for code, load in CLAIMS.items():
        project_id = project_ids_by_code.get(code)
        if project_id is None or (
            await Expenditure.exists().where(Expenditure.project == project_id)
            or await Claim.exists().where(Claim.project == project_id)
        ):
            continue
        try:
            async with write_transaction():
                await load(project_id)
        except Refused:
            continue
        loaded += 1
    return loaded
