"""The demo registers reproduce seed 002's tables to the cent, and 4.4.1.1./2/004 is part-way.

The expected tables are typed here again from the seed, apart from `grants.seed.register`, and
the figures are counted in plain Python from the database rows.
"""

import re
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from grants.projects.periods import add_months
from grants.seed.demo import load_demo
from grants.seed.register import load_register
from grants.tables.audit import AuditEvent
from grants.tables.indicators import Indicator
from grants.tables.participants import Participant, Service, ServiceReceipt
from grants.tables.periods import ReportingPeriod
from grants.tables.projects import Project
from tests.helpers import FAMILIES, PILOT

# Seed 002, children and parents: service, persons, EUR spent.
TABLE_A = {
    "Fizioterapeita nodarbība": (6, "4946.00"),
    "Ergoterapeita nodarbība": (6, "1470.00"),
    "Logopēda nodarbība": (5, "3889.00"),
    "Psihologa konsultācija vecākiem": (5, "2250.00"),
    "Mūzikas terapijas nodarbība": (5, "1764.00"),
    "Montesori metodikas speciālista nodarbība": (4, "2210.00"),
    "Psihologa konsultācija": (4, "2250.00"),
    "Ģimenes asistenta pakalpojums": (4, "1394.00"),
    "Reitterapijas nodarbība": (4, "1141.00"),
    "Transporta pakalpojums": (4, "622.02"),
    "Valsts apmaksātais asistents pašvaldībā": (3, "5914.26"),
    "Psihoterapeita konsultācija vecākiem": (2, "1200.00"),
    "Ergoterapeita nodarbība mājās": (2, "230.00"),
    "ABA terapijas nodarbība": (1, "2054.00"),
    "Psihoterapeita konsultācija": (1, "1170.00"),
    "Atelpas brīža pakalpojums institūcijā": (1, "932.21"),
    "Audiologopēda konsultācija": (1, "774.00"),
    "Specializētā transporta pakalpojums": (1, "413.92"),
    "Portridžas agrīnās korekcijas un audzināšanas metodes nodarbība": (1, "200.00"),
    "Uztura speciālista konsultācija": (1, "30.00"),
}

# Seed 002, persons with mental disabilities (GRT).
TABLE_B = {
    "Atbalsta personas lēmumu pieņemšanā pakalpojums": (8, "31513.12"),
    "Fizioterapeita nodarbība": (6, "1650.00"),
    "Pedagoga nodarbība": (5, "10060.00"),
    "Dienas aprūpes centra pakalpojums": (5, "5354.23"),
    "Mūzikas terapijas nodarbība": (5, "1475.00"),
    "Deju un kustību terapijas nodarbība": (5, "1225.00"),
    "Grupu mājas (dzīvokļa) pakalpojums": (4, "16155.28"),
    "Psihologa konsultācija": (4, "2460.00"),
    "Transporta pakalpojums": (3, "339.41"),
    "Atelpas brīža pakalpojums mājās": (2, "4070.00"),
    "Ģimenes asistenta pakalpojums": (2, "3715.64"),
    "Asistents": (2, "2089.97"),
    "Ergoterapeita nodarbība": (2, "845.00"),
    "Mūzikas terapijas nodarbība mājās": (2, "560.00"),
    "Uztura speciālista konsultācija": (2, "93.00"),
    "Valsts apmaksātais asistents pašvaldībā": (1, "1874.37"),
    "Aprūpes mājās pakalpojums": (1, "210.00"),
    "Individuālā atbalsta programma": (1, "174.00"),
    "Kanisterapijas nodarbība": (1, "75.00"),
    "Klīniskā psihologa konsultācija": (1, "70.00"),
}

MONTH_DAYS = Fraction(36525, 100) / 12  # 365.25 / 12


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


def rounded(value: Fraction, places: str) -> Decimal:
    """Half-up to `places` ("0.1", "1"); exact enough: 28 significant digits."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


async def register(code: str) -> tuple[dict, list[dict], dict[int, dict], dict[int, str]]:
    """The project row, its receipts, its participants by id and its services' names by id."""
    project = await Project.select().where(Project.code == code).first()
    pid = project["id"]
    people = {p["id"]: p for p in await Participant.select().where(Participant.project == pid)}
    services = {s["id"]: s["name_lv"] for s in await Service.select().where(Service.project == pid)}
    receipts = await ServiceReceipt.select().where(ServiceReceipt.project == pid)
    return project, receipts, people, services


async def test_pilot_reproduces_both_seed_tables_to_the_cent(demo):
    _, receipts, people, services = await register(PILOT)
    persons: dict[tuple[str, str], set[int]] = defaultdict(set)
    spent: dict[tuple[str, str], int] = defaultdict(int)
    for r in receipts:
        key = (people[r["participant"]]["target_group"], services[r["service"]])
        persons[key].add(r["participant"])
        spent[key] += r["amount"]
    for group, table in (("children", TABLE_A), ("grt", TABLE_B)):
        found = {
            name: (len(persons[(g, name)]), spent[(g, name)]) for g, name in spent if g == group
        }
        assert found == {name: (n, cents(eur)) for name, (n, eur) in table.items()}
        assert len(found) == 20
    assert sum(v for (g, _), v in spent.items() if g == "children") == 3485441  # 34 854,41
    assert sum(v for (g, _), v in spent.items() if g == "grt") == 8400902  # 84 009,02
    assert len(services) == 32  # eight services are in both tables: one catalogue entry each


async def test_pilot_stays_average_12_and_15_months_at_290_and_560_eur_a_month(demo):
    """Days of stay count the entry and the exit day; a month is 365.25 / 12 days."""
    project, receipts, people, _ = await register(PILOT)
    for group, months, per_month in (("children", "12.0", 290), ("grt", "15.0", 560)):
        members = [p for p in people.values() if p["target_group"] == group]
        assert len(members) == 10
        person_months = (
            sum((p["exit_date"] - p["entry_date"]).days + 1 for p in members) / MONTH_DAYS
        )
        assert str(rounded(person_months / len(members), "0.1")) == months
        ids = {p["id"] for p in members}
        total = sum(r["amount"] for r in receipts if r["participant"] in ids)
        assert rounded(Fraction(total, 100) / person_months, "1") == per_month
        for p in members:
            assert project["start_date"] <= p["entry_date"] <= p["exit_date"]
            assert p["exit_date"] <= project["end_date"]


async def test_pilot_is_a_closed_project_with_no_contract_sum_and_no_periods(demo):
    project, *_ = await register(PILOT)
    assert (project["status"], project["our_role"]) == ("closed", "implementer")
    assert (project["start_date"], project["end_date"]) == (date(2019, 11, 1), date(2021, 1, 31))
    assert project["total_cost"] is None and project["eligible_cost"] is None
    assert "9.2.2.2./16/I/001" in project["note_en"] and "118 863,43" in project["note_lv"]
    assert await ReportingPeriod.count().where(ReportingPeriod.project == project["id"]) == 0


async def test_every_receipt_falls_within_its_persons_stay(demo):
    for code in (PILOT, FAMILIES):
        _, receipts, people, _ = await register(code)
        assert receipts
        for r in receipts:
            p = people[r["participant"]]
            assert p["entry_date"] <= r["received_on"]
            assert p["exit_date"] is None or r["received_on"] <= p["exit_date"]
            assert r["amount"] > 0 and r["units_hundredths"] > 0


async def test_no_participant_field_looks_like_a_name(demo):
    rows = await Participant.select()
    assert len(rows) == 39
    capitalised_word = re.compile(r"[A-ZĀČĒĢĪĶĻŅŠŪŽ][a-zāčēģīķļņšūž]{2,}")
    for row in rows:
        assert re.fullmatch(r"[BG]-\d\d|Ģ-\d\d-\d", row["code"])
        assert re.fullmatch(r"(Ģ-\d\d)?", row["household"])
        assert row["gender"] in ("female", "male", "non-binary")
        for field in ("code", "target_group", "household", "flags"):
            assert not capitalised_word.search(row[field])


async def test_families_project_is_part_way_with_two_families_through_a_cycle(demo):
    project, receipts, people, services = await register(FAMILIES)
    households: dict[str, list[dict]] = defaultdict(list)
    for p in people.values():
        households[p["household"]].append(p)
        assert project["start_date"] <= p["entry_date"] <= date(2026, 11, 22)
        assert 1985 <= p["birth_year"] <= 2025
    assert (len(households), len(people)) == (5, 19)
    completed = [
        h
        for h, members in households.items()
        if all(
            p["exit_date"] is not None
            and add_months(p["entry_date"], 3) <= p["exit_date"] <= add_months(p["entry_date"], 6)
            and p["exit_date"] < date(2026, 11, 22)
            for p in members
        )
    ]
    assert sorted(completed) == ["Ģ-01", "Ģ-02"]
    still_in = [p for p in people.values() if p["exit_date"] is None]
    assert len(still_in) == 19 - 7
    assert len(services) == 3
    assert {r["participant"] for r in receipts} == set(people)


async def test_register_counted_indicators(demo):
    rows = await Indicator.select(
        Indicator.project.code,
        Indicator.code,
        Indicator.aggregation,
        Indicator.min_stay_months,
        Indicator.target_group,
        Indicator.target_hundredths,
    ).where(Indicator.project.code.is_in([PILOT, FAMILIES]))
    found = {
        (r["project.code"], r["code"]): (
            r["aggregation"],
            r["min_stay_months"],
            r["target_group"],
            r["target_hundredths"],
        )
        for r in rows
    }
    assert found == {
        (FAMILIES, "R1"): ("households", 3, "", 1200),
        (FAMILIES, "R2"): ("completed", 3, "", 4800),
        (PILOT, "P1"): ("participants", None, "children", None),
        (PILOT, "P2"): ("participants", None, "grt", None),
    }


async def test_loading_again_changes_nothing(demo):
    tables = (Participant, Service, ServiceReceipt, Indicator, AuditEvent)
    counts = [await t.count() for t in tables]
    result = await load_demo()
    assert result.participants_created == 0
    ids = {r["code"]: r["id"] for r in await Project.select(Project.id, Project.code)}
    assert await load_register(ids) == 0
    assert [await t.count() for t in tables] == counts
