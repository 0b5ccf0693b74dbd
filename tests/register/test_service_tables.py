"""Service tables from the register, in the shape of the seed reports (digest §2.1, §2.2)."""

from datetime import date
from decimal import Decimal

import pytest

from grants.core.access import AccessDenied
from grants.core.vocabulary import Role
from grants.register.participants import add_participant
from grants.register.service_tables import service_table
from grants.register.services import ReceiptInput, ServiceInput, add_service, import_receipts
from tests.builders import person, project
from tests.helpers import SIF_002, count_queries, d, principal


async def catalogue(pid: int, *services: tuple[str, str | None]) -> None:
    coordinator = await principal(Role.COORDINATOR)
    for name, price in services:
        await add_service(coordinator, pid, ServiceInput(name, f"{name} (en)", unit_price=price))


async def people(pid: int, *rows) -> None:
    coordinator = await principal(Role.COORDINATOR)
    for row in rows:
        await add_participant(coordinator, pid, row)


async def receive(pid: int, *rows: tuple[str, ...]) -> None:
    """Receipts imported by the coordinator, each (participant, service, date[, units])."""
    receipts = [ReceiptInput(*row) for row in rows]
    await import_receipts(await principal(Role.COORDINATOR), pid, receipts)


async def table(pid: int, **options):
    return await service_table(await principal(Role.COORDINATOR), pid, **options)


async def test_unique_persons_are_counted_apart_from_the_service_rows(families):
    """Seed 003: the service rows add up to 69, but they are 63 people."""
    pid = families
    await catalogue(pid, ("Dienas aprūpe", "10"), ("Konsultācija", "20"), ("Grupa", "5"))
    await people(
        pid, *(person(f"G-{n}", entry="01.02.2026", exit="31.05.2026") for n in range(1, 6))
    )
    await receive(
        pid,
        *((f"G-{n}", "Dienas aprūpe", "01.03.2026") for n in (1, 2, 3)),
        ("G-1", "Dienas aprūpe", "02.03.2026"),  # a second time: one person still
        *((f"G-{n}", "Konsultācija", "01.03.2026") for n in (1, 4)),
        *((f"G-{n}", "Grupa", "01.04.2026", "2") for n in (2, 5)),
    )
    result = await table(pid)
    assert [(line.service, line.persons, line.receipts, line.amount) for line in result.lines] == [
        ("Dienas aprūpe", 3, 4, 4000),
        ("Konsultācija", 2, 2, 4000),
        ("Grupa", 2, 2, 2000),
    ]
    assert result.lines[0].name_en == "Dienas aprūpe (en)"
    assert (result.service_persons, result.unique_persons, result.receipts) == (7, 5, 8)
    assert result.total_amount == 10000


async def test_a_service_with_eight_persons_and_31_513_12_eur(families):
    """Seed 002, Table B's first line: 8 persons, 31 513,12 EUR; a service nobody received
    stays in the table with zeros."""
    pid = families
    await catalogue(
        pid,
        ("Atbalsta personas lēmumu pieņemšanā pakalpojums", "3 939,14"),
        ("Kanisterapijas nodarbība", "75"),
    )
    await people(pid, *(person(f"GRT-{n}", entry="01.01.2026") for n in range(1, 9)))
    await receive(
        pid,
        *(
            (f"GRT-{n}", "Atbalsta personas lēmumu pieņemšanā pakalpojums", "01.02.2026")
            for n in range(1, 9)
        ),
    )
    result = await table(pid, until=d("2026-12-31"))
    support, canine = result.lines
    assert (support.persons, support.receipts, support.amount) == (8, 8, 3151312)
    assert (canine.persons, canine.receipts, canine.amount) == (0, 0, 0)
    assert (result.unique_persons, result.total_amount) == (8, 3151312)


async def test_eur_per_person_per_month_and_average_months(families):
    """Seed 002's headline shape: 290 EUR per child per month, 12 months on average. Four
    children stayed 365, 365, 365 and 366 days: 1 461 days, 48 months exactly."""
    pid = families
    await catalogue(pid, ("Fizioterapeita nodarbība", "3 480"))
    stays = [("31.12.2026",)] * 3 + [("01.01.2027",)]
    await people(
        pid,
        *(
            person(f"B-{n}", "male", "2015", "01.01.2026", left)
            for n, (left,) in enumerate(stays, start=1)
        ),
    )
    await receive(
        pid,
        *((f"B-{n}", "Fizioterapeita nodarbība", "15.06.2026") for n in range(1, 5)),
    )
    result = await table(pid, until=d("2027-12-31"))
    assert (result.person_days, result.person_months) == (1461, Decimal("48.00"))
    assert result.total_amount == 1392000
    assert result.eur_per_person_month == 29000
    assert result.average_months == Decimal("12.0")


async def test_ratios_are_rounded_half_up_once_from_exact_days(families):
    """10 days are 10 × 12 / 365.25 = 0.3285… months; 100,00 EUR over them is 304,375 per
    month, which rounds half-up to 304,38 (from the rounded 0.33 months it would be 303,03)."""
    pid = families
    await catalogue(pid, ("Konsultācija", "100"))
    await people(pid, person("T1", entry="01.03.2026", exit="10.03.2026"))
    await receive(pid, ("T1", "Konsultācija", "05.03.2026"))
    result = await table(pid)
    assert (result.person_days, result.person_months) == (10, Decimal("0.33"))
    assert result.eur_per_person_month == 30438
    assert result.average_months == Decimal("0.3")


async def test_until_cuts_receipts_and_stays_and_people_still_in_count_to_it(families):
    pid = families
    await catalogue(pid, ("Konsultācija", "10"))
    await people(
        pid,
        person("IN", entry="01.01.2026"),  # still in
        person("OUT", entry="01.01.2026", exit="31.01.2026"),
        person("LATE", entry="01.07.2026"),
    )
    await receive(
        pid,
        ("IN", "Konsultācija", "10.01.2026"),
        ("IN", "Konsultācija", "10.07.2026"),
        ("OUT", "Konsultācija", "10.01.2026"),
        ("LATE", "Konsultācija", "10.07.2026"),
    )
    half = await table(pid, until=d("2026-06-30"))
    assert (half.unique_persons, half.receipts, half.total_amount) == (2, 2, 2000)
    assert half.person_days == 181 + 31  # IN to 30.06, OUT to its exit
    year = await table(pid, until=d("2026-12-31"))
    assert (year.unique_persons, year.receipts, year.total_amount) == (3, 4, 4000)
    assert year.person_days == 365 + 31 + 184
    assert (await table(pid)).person_days >= (date.today() - d("2026-01-01")).days + 1


async def test_a_target_group_has_its_own_table(families):
    pid = families
    await catalogue(pid, ("Fizioterapeita nodarbība", "50"), ("Pedagoga nodarbība", "40"))
    await people(
        pid,
        person("C-1", entry="01.01.2026", exit="30.04.2026", target_group="children"),
        person("C-2", entry="01.01.2026", exit="30.04.2026", target_group="children"),
        person("G-1", entry="01.01.2026", exit="30.04.2026", target_group="grt"),
    )
    await receive(
        pid,
        ("C-1", "Fizioterapeita nodarbība", "01.02.2026"),
        ("C-2", "Fizioterapeita nodarbība", "01.02.2026"),
        ("G-1", "Fizioterapeita nodarbība", "01.02.2026"),
        ("G-1", "Pedagoga nodarbība", "01.02.2026"),
    )
    children = await table(pid, target_group="Children")
    assert [(line.persons, line.amount) for line in children.lines] == [(2, 10000), (0, 0)]
    assert (children.unique_persons, children.total_amount, children.person_days) == (
        2,
        10000,
        240,
    )
    grt = await table(pid, target_group="grt")
    assert [(line.persons, line.amount) for line in grt.lines] == [(1, 5000), (1, 4000)]
    assert grt.unique_persons == 1
    assert (await table(pid)).unique_persons == 3


async def test_an_empty_register_gives_an_empty_table(families):
    pid = families
    result = await table(pid)
    assert (result.lines, result.unique_persons, result.total_amount) == ([], 0, 0)
    assert (result.person_months, result.eur_per_person_month, result.average_months) == (
        Decimal("0.00"),
        None,
        None,
    )


async def test_the_table_takes_two_queries_however_big_the_register(families, monkeypatch):
    pid = families
    await catalogue(pid, ("A", "1"), ("B", "2"), ("C", "3"))
    await people(pid, *(person(f"T{n}") for n in range(30)))
    await receive(pid, *((f"T{n}", "ABC"[n % 3], "01.03.2026") for n in range(30) for _ in "xy"))
    coordinator = await principal(Role.COORDINATOR)
    queries = count_queries(monkeypatch)
    result = await service_table(coordinator, pid, target_group="", until=d("2026-12-31"))
    assert len(queries) == 2
    assert (result.unique_persons, result.receipts, result.total_amount) == (30, 60, 12000)


async def test_only_register_readers_of_the_project_see_the_table(families):
    pid = families
    for role in (Role.FINANCE, Role.VIEWER):
        with pytest.raises(AccessDenied):
            await service_table(await principal(role), pid)
    with pytest.raises(AccessDenied):
        await service_table(await principal(Role.COORDINATOR), await project(SIF_002))
    assert (await service_table(await principal(Role.AUDITOR), pid)).unique_persons == 0
