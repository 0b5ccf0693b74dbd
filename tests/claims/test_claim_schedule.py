"""The planned claim schedule: the identity with the eligible cost, exact splits by source,
versions, roles, the audit trail, and the cash flow of planned, claimed and received."""

import json
from datetime import UTC, date, datetime

import pytest

from grants.claims.schedule import (
    ScheduleRowInput,
    cash_flow,
    get_schedule,
    save_schedule,
    schedule_versions,
)
from grants.core.access import AccessDenied
from grants.core.errors import NotFound
from grants.core.i18n import set_locale
from grants.core.vocabulary import ClaimKind, ClaimStatus, Role
from grants.tables.audit import AuditEvent
from grants.tables.claims import Claim, ClaimPayment, ClaimSchedule, ClaimScheduleRow
from tests.builders import outsider
from tests.helpers import api_headers, principal, refusal

NBSP = "\u00a0"

# 296 578,43 in five claims; the fourth is the awkward 1,01 (0,86 ESF+ + 0,15 state).
PLAN = [
    ("2026-06-30", "70 000,00"),
    ("2026-12-31", "80 000,00"),
    ("2027-06-30", "80 000,00"),
    ("2027-09-30", "1,01"),
    ("2028-02-29", "66 577,42"),  # the final claim, two months after the end
]
SPLITS = [
    ("70000.00", [("ESF+", "59500.00"), ("Valsts budžets", "10500.00")]),
    ("80000.00", [("ESF+", "68000.00"), ("Valsts budžets", "12000.00")]),
    ("80000.00", [("ESF+", "68000.00"), ("Valsts budžets", "12000.00")]),
    ("1.01", [("ESF+", "0.86"), ("Valsts budžets", "0.15")]),
    ("66577.42", [("ESF+", "56590.81"), ("Valsts budžets", "9986.61")]),
]


def rows(plan=PLAN) -> list[ScheduleRowInput]:
    return [ScheduleRowInput(day, amount) for day, amount in plan]


def plain(text: str) -> str:
    """A message with the no-break spaces Latvian amounts are grouped with made plain."""
    return text.replace(NBSP, " ")


@pytest.fixture(autouse=True)
def latvian():
    set_locale("lv")
    yield
    set_locale("lv")


async def stored() -> tuple[int, int, int]:
    audit = await AuditEvent.count().where(AuditEvent.entity == "claim_schedule")
    return await ClaimSchedule.count(), await ClaimScheduleRow.count(), audit


async def test_a_schedule_adding_up_to_the_eligible_cost_is_split_by_source(families):
    finance = await principal(Role.FINANCE)
    saved = await save_schedule(finance, families, rows(), "Pēc līguma")
    assert (saved.version, saved.total, saved.eligible, saved.difference) == (
        1,
        29_657_843,
        29_657_843,
        0,
    )
    assert [
        (r.planned_date.isoformat(), r.amount, [(s.source, s.amount) for s in r.sources])
        for r in saved.rows
    ] == [
        ("2026-06-30", 7_000_000, [("ESF+", 5_950_000), ("Valsts budžets", 1_050_000)]),
        ("2026-12-31", 8_000_000, [("ESF+", 6_800_000), ("Valsts budžets", 1_200_000)]),
        ("2027-06-30", 8_000_000, [("ESF+", 6_800_000), ("Valsts budžets", 1_200_000)]),
        ("2027-09-30", 101, [("ESF+", 86), ("Valsts budžets", 15)]),
        ("2028-02-29", 6_657_742, [("ESF+", 5_659_081), ("Valsts budžets", 998_661)]),
    ]
    # the total's split is the plan's own: 252 091,67 + 44 486,76
    assert [(s.source, s.amount) for s in saved.sources] == [
        ("ESF+", 25_209_167),
        ("Valsts budžets", 4_448_676),
    ]
    assert saved.note == "Pēc līguma"
    assert saved.created_by == finance.email and saved.created_at is not None


async def test_a_schedule_that_does_not_add_up_says_by_how_much_and_writes_nothing(families):
    finance = await principal(Role.FINANCE)
    short = [*PLAN[:4], ("2028-02-29", "65 999,00")]  # 296 000,01
    refused = await refusal(save_schedule(finance, families, rows(short)))
    assert [(p.field, plain(p.english())) for p in refused.problems] == [
        (
            "rows",
            "The schedule adds up to 296 000,01; the eligible cost is 296 578,43: "
            "578,42 is missing.",
        )
    ]
    over = [*PLAN[:4], ("2028-02-29", "66 600,00")]
    refused = await refusal(save_schedule(finance, families, rows(over)))
    assert plain(refused.problems[0].english()) == (
        "The schedule adds up to 296 601,01; the eligible cost is 296 578,43: 22,58 too much."
    )
    set_locale("en")
    refused = await refusal(save_schedule(finance, families, rows(short)))
    assert refused.problems[0].english() == (
        "The schedule adds up to 296,000.01; the eligible cost is 296,578.43: 578.42 is missing."
    )
    assert await stored() == (0, 0, 0)


async def test_every_problem_of_every_row_at_once_numbered_as_seen(families):
    finance = await principal(Role.FINANCE)
    bad = [
        ("", "1 000,00"),
        ("2025-12-31", "1,234"),
        ("31.13.2026", ""),
        ("2028-07-02", "0"),
        ("2027-03-31", "296 578,43"),  # fine on its own; the same date twice is fine too
        ("2027-03-31", "10,00"),
    ]
    refused = await refusal(save_schedule(finance, families, rows(bad), "x\x07"))
    assert [(p.field, p.english()) for p in refused.problems] == [
        ("note", "The field note contains an invisible control character (U+0007); remove it."),
        ("rows[0].planned_date", "Row 1: enter the planned date."),
        (
            "rows[1].amount",
            "“1,234” is ambiguous: the comma or point could separate thousands or decimals. "
            "Write 1234 for a whole amount, or at most two decimals, e.g. 1,23.",
        ),
        (
            "rows[1].planned_date",
            "Row 2: the planned date 31.12.2025 is before the project starts (01.01.2026).",
        ),
        ("rows[2].planned_date", "“31.13.2026” is not a date: write 15.03.2026 or 2026-03-15."),
        ("rows[2].amount", "Row 3: enter the amount of eligible cost the claim will carry."),
        ("rows[3].amount", "Row 4: a planned claim carries an amount above zero."),
        (
            "rows[3].planned_date",
            "Row 4: the planned date 02.07.2028 is more than half a year after the project "
            "ends (31.12.2027).",
        ),
    ]
    refused = await refusal(save_schedule(finance, families, []))
    assert [p.field for p in refused.problems] == ["rows"]
    assert await stored() == (0, 0, 0)


async def test_every_save_adds_a_version_and_the_earlier_stay_readable(families):
    finance = await principal(Role.FINANCE)
    admin = await principal(Role.ADMIN)
    await save_schedule(finance, families, rows(), "first")
    moved = [("2026-09-30", "150 000,00"), ("2027-12-31", "146 578,43")]
    second = await save_schedule(admin, families, rows(moved), "moved")
    assert (second.version, [r.amount for r in second.rows]) == (2, [15_000_000, 14_657_843])
    viewer = await principal(Role.VIEWER)
    current = await get_schedule(viewer, families)
    assert (current.version, current.note, current.total) == (2, "moved", 29_657_843)
    first = await get_schedule(viewer, families, 1)
    assert (first.version, len(first.rows), first.rows[3].amount) == (1, 5, 101)
    history = await schedule_versions(viewer, families)
    assert [(v.version, v.rows, v.total, v.note) for v in history.rows] == [
        (2, 2, 29_657_843, "moved"),
        (1, 5, 29_657_843, "first"),
    ]
    assert history.total == 2
    with pytest.raises(NotFound):
        await get_schedule(viewer, families, 3)
    with pytest.raises(NotFound):
        await get_schedule(viewer, families, 2**31)


async def test_each_save_is_in_the_audit_trail(families):
    finance = await principal(Role.FINANCE)
    await save_schedule(finance, families, rows(), "first")
    await save_schedule(finance, families, rows(PLAN[::-1]), "reordered")
    events = await (
        AuditEvent.select()
        .where(AuditEvent.entity == "claim_schedule")
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )
    assert [(e["action"], e["actor"], e["project"], e["note"]) for e in events] == [
        ("create", finance.email, families, "first"),
        ("update", finance.email, families, "reordered"),
    ]
    after = events[1]["after"]
    after = json.loads(after) if isinstance(after, str) else after
    assert after["version"] == 2 and after["total"] == "296578.43"
    assert after["rows"][0] == {"planned_date": "2028-02-29", "amount": "66577.42"}
    before = events[1]["before"]
    before = json.loads(before) if isinstance(before, str) else before
    assert before["version"] == 1 and before["rows"][0]["planned_date"] == "2026-06-30"


async def test_only_admin_and_finance_save_and_every_reader_reads(families):
    for role in (Role.COORDINATOR, Role.VIEWER, Role.AUDITOR):
        with pytest.raises(AccessDenied):
            await save_schedule(await principal(role), families, rows())
    assert await stored() == (0, 0, 0)
    empty = await get_schedule(await principal(Role.VIEWER), families)
    assert (empty.version, empty.rows, empty.total, empty.eligible) == (None, [], 0, 29_657_843)
    elsewhere = (await outsider(Role.FINANCE)).principal
    with pytest.raises(AccessDenied):
        await get_schedule(elsewhere, families)
    with pytest.raises(AccessDenied):
        await save_schedule(elsewhere, families, rows())


async def test_a_partner_project_plans_our_partner_budget(connectingen):
    finance = await principal(Role.FINANCE)
    plan = [("2025-10-15", "24 177,51"), ("2026-10-15", "24 177,49")]
    saved = await save_schedule(finance, connectingen, rows(plan))
    assert saved.eligible == 4_835_500
    assert [[(s.source, s.amount) for s in r.sources] for r in saved.rows] == [
        [("ERAF", 1_934_201), ("Tukuma novada pašvaldība", 483_550)],
        [("ERAF", 1_934_199), ("Tukuma novada pašvaldība", 483_550)],
    ]


async def claim(project: int, number: int, kind: ClaimKind, status: ClaimStatus, **values) -> int:
    row = Claim(
        project=project,
        number=number,
        kind=kind,
        status=status,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        **values,
    )
    return (await Claim.insert(row))[0]["id"]


async def test_cash_flow_shows_planned_claimed_received_and_the_gap(families):
    finance = await principal(Role.FINANCE)
    await save_schedule(finance, families, rows())
    advance = await claim(
        families,
        1,
        ClaimKind.ADVANCE,
        ClaimStatus.PAID,
        requested=5_000_000,
        submitted_at=datetime(2026, 2, 1, 9, tzinfo=UTC),
    )
    interim = await claim(
        families,
        2,
        ClaimKind.INTERIM,
        ClaimStatus.APPROVED,
        eligible=6_000_000,
        approved=5_900_000,
        submitted_at=datetime(2026, 7, 10, 22, 30, tzinfo=UTC),  # 11.07 in Riga
    )
    await claim(families, 3, ClaimKind.INTERIM, ClaimStatus.DRAFT, eligible=100_000)
    await claim(
        families,
        4,
        ClaimKind.INTERIM,
        ClaimStatus.REJECTED,
        eligible=200_000,
        submitted_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    await ClaimPayment.insert(
        ClaimPayment(claim=advance, paid_on=date(2026, 2, 20), source="ESF+", amount=4_250_000),
        ClaimPayment(
            claim=advance, paid_on=date(2026, 2, 20), source="Valsts budžets", amount=750_000
        ),
        ClaimPayment(claim=interim, paid_on=date(2026, 8, 31), source="ESF+", amount=1_000_000),
    )
    flow = await cash_flow(await principal(Role.VIEWER), families)
    assert [(p.day.isoformat(), p.planned, p.claimed, p.received, p.gap) for p in flow.points] == [
        # the advance is money received, not a cost claimed
        ("2026-02-20", 0, 0, 5_000_000, -5_000_000),
        ("2026-06-30", 7_000_000, 0, 5_000_000, 2_000_000),
        ("2026-07-11", 7_000_000, 6_000_000, 5_000_000, 2_000_000),
        ("2026-08-31", 7_000_000, 6_000_000, 6_000_000, 1_000_000),
        ("2026-12-31", 15_000_000, 6_000_000, 6_000_000, 9_000_000),
        ("2027-06-30", 23_000_000, 6_000_000, 6_000_000, 17_000_000),
        ("2027-09-30", 23_000_101, 6_000_000, 6_000_000, 17_000_101),
        ("2028-02-29", 29_657_843, 6_000_000, 6_000_000, 23_657_843),
    ]
    assert (flow.planned, flow.claimed, flow.received, flow.gap) == (
        29_657_843,
        6_000_000,
        6_000_000,
        23_657_843,
    )


async def test_cash_flow_reads_in_a_few_statements(families, monkeypatch):
    from tests.helpers import count_queries

    finance = await principal(Role.FINANCE)
    await save_schedule(finance, families, rows())
    for number in range(1, 21):
        await claim(
            families,
            number,
            ClaimKind.INTERIM,
            ClaimStatus.SUBMITTED,
            eligible=1000,
            submitted_at=datetime(2026, 3, number, tzinfo=UTC),
        )
    queries = count_queries(monkeypatch)
    flow = await cash_flow(finance, families)
    assert flow.claimed == 20_000
    assert len(queries) <= 8


# The API


URL = "/api/v1/projects/{}/claim-schedule"
BODY = {"rows": [{"planned_date": d, "amount": a} for d, a in PLAN], "note": "Pēc līguma"}


async def test_api_saves_and_reads_the_schedule_with_its_split(families, client):
    headers = await api_headers(Role.FINANCE)
    response = await client.put(URL.format(families), json=BODY, headers=headers)
    assert response.status_code == 200, response.text
    body = (await client.get(URL.format(families), headers=await api_headers(Role.VIEWER))).json()
    assert (body["version"], body["total"], body["eligible"], body["difference"]) == (
        1,
        "296578.43",
        "296578.43",
        "0.00",
    )
    assert [
        (r["amount"], [(s["source"], s["amount"]) for s in r["sources"]]) for r in body["rows"]
    ] == SPLITS
    assert body["rows"][4]["planned_date"] == "2028-02-29"
    assert body["sources"] == [
        {"source": "ESF+", "amount": "252091.67"},
        {"source": "Valsts budžets", "amount": "44486.76"},
    ]
    assert body["note"] == "Pēc līguma" and body["created_at"]


async def test_api_refuses_a_schedule_that_does_not_add_up(families, client):
    headers = await api_headers(Role.FINANCE) | {"Accept-Language": "en"}
    short = {"rows": [*BODY["rows"][:4], {"planned_date": "2028-02-29", "amount": "65999.00"}]}
    response = await client.put(URL.format(families), json=short, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "rows",
            "message": "The schedule adds up to 296,000.01; the eligible cost is 296,578.43: "
            "578.42 is missing.",
        }
    ]
    lv = await client.put(URL.format(families), json=short, headers=await api_headers(Role.FINANCE))
    assert lv.json()["status_code"] == 400
    assert "trūkst" in lv.json()["detail"] or "578,42" in lv.json()["detail"].replace(NBSP, " ")
    as_number = {"rows": [{"planned_date": "2026-06-30", "amount": 296578.43}]}
    response = await client.put(URL.format(families), json=as_number, headers=headers)
    assert response.status_code == 400
    unknown = BODY | {"reliability": "0.9"}
    assert (
        await client.put(URL.format(families), json=unknown, headers=headers)
    ).status_code == 400
    assert await stored() == (0, 0, 0)


async def test_api_keeps_versions_and_lists_them_a_page_at_a_time(families, client):
    headers = await api_headers(Role.FINANCE)
    for note in ("one", "two", "three"):
        response = await client.put(
            URL.format(families), json=BODY | {"note": note}, headers=headers
        )
        assert response.status_code == 200
    page = await client.get(
        URL.format(families) + "/versions", params={"per_page": 2}, headers=headers
    )
    body = page.json()
    assert (body["total"], body["page"], body["per_page"]) == (3, 1, 2)
    assert [(v["version"], v["rows"], v["total"], v["note"]) for v in body["items"]] == [
        (3, 5, "296578.43", "three"),
        (2, 5, "296578.43", "two"),
    ]
    old = await client.get(URL.format(families), params={"version": 1}, headers=headers)
    assert (old.json()["version"], old.json()["note"]) == (1, "one")
    missing = await client.get(URL.format(families), params={"version": 9}, headers=headers)
    assert missing.status_code == 404


async def test_api_roles(families, client):
    for role in (Role.COORDINATOR, Role.VIEWER, Role.AUDITOR):
        response = await client.put(
            URL.format(families), json=BODY, headers=await api_headers(role)
        )
        assert response.status_code == 403, role
        read = await client.get(URL.format(families), headers=await api_headers(role))
        assert read.status_code == 200, role
    admin = await client.put(URL.format(families), json=BODY, headers=await api_headers(Role.ADMIN))
    assert admin.status_code == 200
    assert (
        await client.get(URL.format(2**31), headers=await api_headers(Role.ADMIN))
    ).status_code == 404
