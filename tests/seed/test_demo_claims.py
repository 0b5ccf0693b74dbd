"""The demo's money cycle (`grants.seed.claims`): 4.4.1.1./2/004's claim schedule adding up to
296 578,43, its advance, a paid interim claim with a deduction and a draft; ConnectinGen's
partner report certified at 80 % ERDF. Exact to the cent, in the audit trail, loaded once."""

from datetime import date

from grants.claims.claims import list_claims
from grants.claims.schedule import get_schedule
from grants.core.vocabulary import ClaimKind, ClaimStatus, Role
from grants.seed.demo import load_demo
from grants.tables.audit import AuditEvent
from grants.tables.claims import Claim, ClaimItem, ClaimPayment, ClaimSchedule
from grants.tables.expenditures import Expenditure
from tests.helpers import CONNECTINGEN, FAMILIES, principal, project_id


async def claims_of(code: str):
    finance = await principal(Role.FINANCE)
    return (await list_claims(finance, await project_id(code))).rows


def split(row) -> list[tuple[str, int, int | None, int]]:
    return [(s.source, s.requested, s.approved, s.paid) for s in row.sources]


async def test_the_schedule_adds_up_to_296_578_43_with_the_exact_split(demo):
    schedule = await get_schedule(await principal(Role.FINANCE), await project_id(FAMILIES))
    assert schedule.version == 1
    assert [(r.planned_date, r.amount) for r in schedule.rows] == [
        (date(2026, 7, 31), 6_150_000),
        (date(2027, 1, 29), 9_672_423),
        (date(2027, 7, 30), 6_900_000),
        (date(2028, 2, 29), 6_935_420),
    ]
    assert [[(s.source, s.amount) for s in r.sources] for r in schedule.rows] == [
        [("ESF+", 5_227_500), ("Valsts budžets", 922_500)],
        [("ESF+", 8_221_560), ("Valsts budžets", 1_450_863)],
        [("ESF+", 5_865_000), ("Valsts budžets", 1_035_000)],
        [("ESF+", 5_895_107), ("Valsts budžets", 1_040_313)],
    ]
    assert (schedule.total, schedule.difference) == (29_657_843, 0)
    # the whole split as the funding plan: 252 091,67 ESF+ + 44 486,76 state budget
    assert [(s.source, s.amount) for s in schedule.sources] == [
        ("ESF+", 25_209_167),
        ("Valsts budžets", 4_448_676),
    ]


async def test_the_advance_is_20_percent_received_and_partly_cleared(demo):
    advance, interim, draft = await claims_of(FAMILIES)
    assert (advance.number, advance.kind, advance.status) == (1, ClaimKind.ADVANCE, "paid")
    # 20 % of 296 578,43 = 59 315,686 → 59 315,69, over ESF+ and the state budget as planned
    assert (advance.requested, advance.approved, advance.paid, advance.outstanding) == (
        5_931_569,
        5_931_569,
        5_931_569,
        0,
    )
    assert split(advance) == [
        ("ESF+", 5_041_834, 5_041_834, 5_041_834),
        ("Valsts budžets", 889_735, 889_735, 889_735),
    ]
    assert [(p.paid_on, p.amount) for p in advance.payments] == [
        (date(2026, 2, 24), 5_041_834),
        (date(2026, 2, 24), 889_735),
    ]
    # the interim claim cleared 30 000,00 and the draft clears 15 000,00 of it
    assert (interim.advance_cleared, draft.advance_cleared) == (3_000_000, 1_500_000)


async def test_the_interim_claim_is_approved_less_one_deduction_and_paid_in_full(demo):
    _, interim, _ = await claims_of(FAMILIES)
    assert (interim.number, interim.kind, interim.status) == (2, ClaimKind.INTERIM, "paid")
    assert (interim.period_start, interim.period_end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert len(interim.items) == 9
    # 6 × 7 367,70 + 12 480,00 + 2 640,00 + 1 815,00
    assert (interim.eligible, interim.requested) == (6_114_120, 6_114_120)
    assert (interim.deducted, interim.approved) == (31_240, 6_082_880)
    deducted = [i for i in interim.items if i.deducted]
    assert [(i.invoice_number, i.eligible, i.deducted, i.approved) for i in deducted] == [
        ("BM-2026/118", 1_248_000, 31_240, 1_216_760)
    ]
    assert "cenu aptaujā" in deducted[0].reason
    assert split(interim) == [
        ("ESF+", 5_197_002, 5_170_448, 2_620_448),
        ("Valsts budžets", 917_118, 912_432, 462_432),
    ]
    # due = 60 828,80 approved − 30 000,00 advance cleared; paid in full
    assert (interim.due, interim.paid, interim.outstanding) == (3_082_880, 3_082_880, 0)
    assert {p.paid_on for p in interim.payments} == {date(2026, 9, 8)}
    assert interim.submitted_at.date() == date(2026, 7, 24)
    assert interim.decided_at.date() == date(2026, 8, 21)


async def test_the_next_interim_claim_is_a_draft(demo):
    *_, draft = await claims_of(FAMILIES)
    assert (draft.number, draft.kind, draft.status) == (3, ClaimKind.INTERIM, "draft")
    assert (draft.period_start, draft.period_end) == (date(2026, 7, 1), date(2026, 12, 31))
    # July–November: 5 × 7 367,70 + 1 936,00 + 2 420,00
    assert (len(draft.items), draft.eligible) == (7, 4_119_450)
    assert split(draft) == [("ESF+", 3_501_533, None, 0), ("Valsts budžets", 617_917, None, 0)]
    assert (draft.approved, draft.paid, draft.submitted_at) == (None, 0, None)


async def test_connectingen_has_a_partner_report_certified_at_80_percent_erdf(demo):
    (report,) = await claims_of(CONNECTINGEN)
    assert (report.number, report.kind, report.status) == (
        1,
        ClaimKind.PARTNER_REPORT,
        ClaimStatus.APPROVED,
    )
    assert (report.period_start, report.period_end) == (date(2025, 4, 1), date(2025, 9, 30))
    # Tukums' April–September 2025: 6 × 1 031,23 + 1 180,00 + 486,40 + 1 600,00
    assert (len(report.items), report.eligible) == (9, 945_378)
    assert (report.deducted, report.approved) == (3_640, 941_738)
    (cut,) = [i for i in report.items if i.deducted]
    assert (cut.invoice_number, cut.eligible, cut.error_type) == (
        "KOM-2025/06",
        48_640,
        "aprēķina kļūda",
    )
    # certified 9 417,38 × 80 % = 7 533,904 → 7 533,90 ERDF; the municipality the rest
    assert split(report) == [
        ("ERAF", 756_302, 753_390, 0),
        ("Tukuma novada pašvaldība", 189_076, 188_348, 0),
    ]
    assert (report.due, report.paid, report.outstanding) == (753_390, 0, 753_390)
    partners = {i.partner_id for i in report.items}
    assert partners == {report.partner_id}


async def test_every_step_is_in_the_audit_trail(demo):
    events = await AuditEvent.select(AuditEvent.action).where(AuditEvent.entity == "claim")
    actions = sorted(e["action"] for e in events)
    # 4 claims created; 3 submitted and approved; the advance and the interim claim paid
    assert actions == sorted(["create"] * 4 + ["submit"] * 3 + ["approve"] * 3 + ["pay"] * 2)
    assert await AuditEvent.count().where(AuditEvent.entity == "claim_schedule") == 1
    assert await AuditEvent.count().where(AuditEvent.entity == "expenditure") == 16 + 9


async def test_loading_the_demo_again_adds_nothing(demo):
    tables = (Claim, ClaimItem, ClaimPayment, ClaimSchedule, Expenditure, AuditEvent)
    before = [await t.count() for t in tables]
    await load_demo()
    assert [await t.count() for t in tables] == before
