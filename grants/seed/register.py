"""Demo participant and service registers, loaded by `grants demo` after the seed projects.

IB-2020, the Tukums individual-budget pilot (seed 002, digest §2.1): per target group every
service has exactly the seed table's number of persons and euros. Who the persons were, their
stays and who received what are invented, pseudonymous (codes, never names) and chosen so that
the average stay is 12 months for children and 15 months for persons with GRT, as the seed
says. The pilot's support plan was the child's, so services for parents ("… vecākiem") are
booked on the child, and the seed's "children/parents" counts are counts of children.

4.4.1.1./2/004 part-way to its 12 families: five families, two of which completed a 3–6 month
cycle. Its prices, and so its receipts, are demo figures, not from the seeds; so are its ESF+
data at entry (labour-market status, education, flags: one refusal and one education not yet
recorded among them) and the results after leaving recorded for the two families that left
(one person's exit result still missing, so the follow-up list has an overdue row).
"""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from grants.core import audit
from grants.core.money import parse_amount, to_cents, to_hundredths
from grants.core.vocabulary import Gender, ParticipantFlag, ResultStage
from grants.projects.periods import add_months
from grants.register.participants import code_key
from grants.tables.participants import Participant, ParticipantResult, Service, ServiceReceipt

PILOT = "IB-2020"
FAMILIES = "4.4.1.1./2/004"
REGISTER_AS_OF = date(2026, 11, 20)  # 4.4.1.1./2/004's register is filled up to this day
_CHUNK = 200  # rows per INSERT, well under SQLite's limit on bound variables

F, M = Gender.FEMALE, Gender.MALE
_DISABILITY = ParticipantFlag.DISABILITY.value

# The pilot's catalogue: Table A's services, then Table B's that Table A does not have; a name
# in both tables is one service. Table B writes three names with a double space (e.g.
# "Fizioterapeita  nodarbība"); here they have one.
# (name_lv, name_en)
PILOT_SERVICES = (
    ("Fizioterapeita nodarbība", "Physiotherapist session"),
    ("Ergoterapeita nodarbība", "Occupational therapist session"),
    ("Logopēda nodarbība", "Speech therapist session"),
    ("Psihologa konsultācija vecākiem", "Psychologist consultation for parents"),
    ("Mūzikas terapijas nodarbība", "Music therapy session"),
    ("Montesori metodikas speciālista nodarbība", "Montessori specialist session"),
    ("Psihologa konsultācija", "Psychologist consultation"),
    ("Ģimenes asistenta pakalpojums", "Family assistant service"),
    ("Reitterapijas nodarbība", "Riding (equine) therapy session"),
    ("Transporta pakalpojums", "Transport service"),
    ("Valsts apmaksātais asistents pašvaldībā", "State-paid assistant in the municipality"),
    ("Psihoterapeita konsultācija vecākiem", "Psychotherapist consultation for parents"),
    ("Ergoterapeita nodarbība mājās", "Occupational therapy at home"),
    ("ABA terapijas nodarbība", "ABA therapy session"),
    ("Psihoterapeita konsultācija", "Psychotherapist consultation"),
    ("Atelpas brīža pakalpojums institūcijā", "Respite care in an institution"),
    ("Audiologopēda konsultācija", "Audiologist-speech therapist consultation"),
    ("Specializētā transporta pakalpojums", "Specialised transport service"),
    (
        "Portridžas agrīnās korekcijas un audzināšanas metodes nodarbība",
        "Portage early-intervention and upbringing method session",
    ),
    ("Uztura speciālista konsultācija", "Nutritionist consultation"),
    ("Atbalsta personas lēmumu pieņemšanā pakalpojums", "Support person for decision-making"),
    ("Pedagoga nodarbība", "Special-education teacher session"),
    ("Dienas aprūpes centra pakalpojums", "Day care centre service"),
    ("Deju un kustību terapijas nodarbība", "Dance and movement therapy session"),
    ("Grupu mājas (dzīvokļa) pakalpojums", "Group home (flat) service"),
    ("Atelpas brīža pakalpojums mājās", "Respite care at home"),
    ("Asistents", "Assistant"),
    ("Mūzikas terapijas nodarbība mājās", "Music therapy at home"),
    ("Aprūpes mājās pakalpojums", "Home care service"),
    ("Individuālā atbalsta programma", "Individual support programme (work mentor)"),
    ("Kanisterapijas nodarbība", "Canine therapy session"),
    ("Klīniskā psihologa konsultācija", "Clinical psychologist consultation"),
)
PILOT_UNIT = ("mēnesis", "month")  # a receipt is one month's bill under the support plan

# Children and parents (target group "children"). Codes, genders, birth years and stays: demo.
# (code, gender, birth year, entry, exit)
CHILDREN = (
    ("B-01", M, 2016, "04.11.2019", "30.11.2020"),
    ("B-02", F, 2013, "04.11.2019", "29.01.2021"),
    ("B-03", M, 2015, "02.12.2019", "30.11.2020"),
    ("B-04", F, 2018, "06.01.2020", "29.01.2021"),
    ("B-05", M, 2011, "02.12.2019", "30.10.2020"),
    ("B-06", F, 2009, "03.02.2020", "29.01.2021"),
    ("B-07", M, 2014, "04.11.2019", "30.09.2020"),
    ("B-08", F, 2017, "02.03.2020", "29.01.2021"),
    ("B-09", M, 2012, "06.01.2020", "18.12.2020"),
    ("B-10", F, 2010, "02.12.2019", "17.11.2020"),
)

# Seed 002 Table A: service, persons, EUR spent (as the seed writes them). Then, demo: how many
# monthly bills each person had, and who the persons were.
# (service, persons, spent, months, codes)
CHILDREN_SERVICES = (
    ("Fizioterapeita nodarbība", 6, "4946.00", 10, "B-02 B-04 B-05 B-07 B-09 B-10"),
    ("Ergoterapeita nodarbība", 6, "1470.00", 8, "B-02 B-04 B-07 B-08 B-09 B-10"),
    ("Logopēda nodarbība", 5, "3889.00", 10, "B-01 B-03 B-04 B-08 B-10"),
    ("Psihologa konsultācija vecākiem", 5, "2250.00", 6, "B-01 B-03 B-07 B-08 B-10"),
    ("Mūzikas terapijas nodarbība", 5, "1764.00", 8, "B-01 B-03 B-06 B-08 B-10"),
    ("Montesori metodikas speciālista nodarbība", 4, "2210.00", 8, "B-04 B-07 B-08 B-10"),
    ("Psihologa konsultācija", 4, "2250.00", 6, "B-03 B-06 B-09 B-10"),
    ("Ģimenes asistenta pakalpojums", 4, "1394.00", 8, "B-05 B-06 B-09 B-10"),
    ("Reitterapijas nodarbība", 4, "1141.00", 5, "B-02 B-05 B-07 B-10"),
    ("Transporta pakalpojums", 4, "622.02", 10, "B-01 B-05 B-09 B-10"),
    ("Valsts apmaksātais asistents pašvaldībā", 3, "5914.26", 10, "B-02 B-05 B-07"),
    ("Psihoterapeita konsultācija vecākiem", 2, "1200.00", 5, "B-03 B-09"),
    ("Ergoterapeita nodarbība mājās", 2, "230.00", 2, "B-02 B-09"),
    ("ABA terapijas nodarbība", 1, "2054.00", 10, "B-03"),
    ("Psihoterapeita konsultācija", 1, "1170.00", 9, "B-06"),
    ("Atelpas brīža pakalpojums institūcijā", 1, "932.21", 2, "B-07"),
    ("Audiologopēda konsultācija", 1, "774.00", 6, "B-01"),
    ("Specializētā transporta pakalpojums", 1, "413.92", 8, "B-02"),
    ("Portridžas agrīnās korekcijas un audzināšanas metodes nodarbība", 1, "200.00", 4, "B-04"),
    ("Uztura speciālista konsultācija", 1, "30.00", 1, "B-08"),
)

# Persons with mental disabilities (target group "grt"): in the pilot from its start.
# (code, gender, birth year, entry, exit)
GRT = (
    ("G-01", F, 1988, "01.11.2019", "31.01.2021"),
    ("G-02", M, 1979, "01.11.2019", "31.01.2021"),
    ("G-03", F, 1993, "01.11.2019", "27.01.2021"),
    ("G-04", M, 1984, "01.11.2019", "31.01.2021"),
    ("G-05", F, 1970, "04.11.2019", "29.01.2021"),
    ("G-06", M, 1996, "01.11.2019", "29.01.2021"),
    ("G-07", F, 1981, "04.11.2019", "31.01.2021"),
    ("G-08", M, 1990, "01.11.2019", "31.01.2021"),
    ("G-09", M, 1965, "01.11.2019", "31.01.2021"),
    ("G-10", F, 1999, "01.11.2019", "31.01.2021"),
)

# Seed 002 Table B, then the demo columns as above.
# (service, persons, spent, months, codes)
GRT_SERVICES = (
    (
        "Atbalsta personas lēmumu pieņemšanā pakalpojums",
        8,
        "31 513.12",
        15,
        "G-01 G-02 G-03 G-04 G-05 G-06 G-07 G-08",
    ),
    ("Fizioterapeita nodarbība", 6, "1 650.00", 8, "G-02 G-04 G-05 G-07 G-09 G-10"),
    ("Pedagoga nodarbība", 5, "10 060.00", 12, "G-01 G-03 G-05 G-06 G-08"),
    ("Dienas aprūpes centra pakalpojums", 5, "5 354.23", 12, "G-03 G-04 G-06 G-09 G-10"),
    ("Mūzikas terapijas nodarbība", 5, "1 475.00", 8, "G-02 G-03 G-06 G-07 G-10"),
    ("Deju un kustību terapijas nodarbība", 5, "1 225.00", 8, "G-01 G-03 G-04 G-06 G-09"),
    ("Grupu mājas (dzīvokļa) pakalpojums", 4, "16 155.28", 12, "G-01 G-02 G-05 G-08"),
    ("Psihologa konsultācija", 4, "2 460.00", 6, "G-01 G-04 G-07 G-08"),
    ("Transporta pakalpojums", 3, "339.41", 10, "G-03 G-09 G-10"),
    ("Atelpas brīža pakalpojums mājās", 2, "4 070.00", 10, "G-09 G-10"),
    ("Ģimenes asistenta pakalpojums", 2, "3 715.64", 12, "G-04 G-07"),
    ("Asistents", 2, "2 089.97", 10, "G-02 G-06"),
    ("Ergoterapeita nodarbība", 2, "845.00", 4, "G-05 G-10"),
    ("Mūzikas terapijas nodarbība mājās", 2, "560.00", 6, "G-09 G-10"),
    ("Uztura speciālista konsultācija", 2, "93.00", 1, "G-05 G-07"),
    ("Valsts apmaksātais asistents pašvaldībā", 1, "1 874.37", 12, "G-10"),
    ("Aprūpes mājās pakalpojums", 1, "210.00", 3, "G-09"),
    ("Individuālā atbalsta programma", 1, "174.00", 3, "G-03"),
    ("Kanisterapijas nodarbība", 1, "75.00", 3, "G-06"),
    ("Klīniskā psihologa konsultācija", 1, "70.00", 1, "G-07"),
)

# 4.4.1.1./2/004's three ways to receive the service (seed 000). Units and prices are demo
# figures, not from the seeds.
# (key, name_lv, name_en, unit_lv, unit_en, price per person and unit)
FAMILY_SERVICES = (
    (
        "24h",
        "Pakalpojums ar diennakts izmitināšanu",
        "Service with 24-hour accommodation",
        "diennakts",
        "day and night",
        "40,00",
    ),
    (
        "workdays",
        "Pakalpojums ar diennakts izmitināšanu darba dienās",
        "Service with 24-hour accommodation on working days (weekends and holidays at home)",
        "darba diena",
        "working day",
        "32,00",
    ),
    (
        "individual",
        "Individuāls atbalsts pakalpojuma sniegšanas vietā",
        "Individual support at the service site (consultations, practical and group sessions)",
        "nedēļa",
        "week",
        "35,00",
    ),
)

# Five families (demo). The first two completed their cycle; the rest are still in.
# (household, service, entry, exit, members as (gender, birth year))
FAMILY_REGISTER = (
    ("Ģ-01", "24h", "12.01.2026", "26.06.2026", ((F, 1992), (M, 1989), (F, 2016), (M, 2019))),
    ("Ģ-02", "individual", "02.02.2026", "29.05.2026", ((F, 1998), (M, 2020), (F, 2023))),
    (
        "Ģ-03",
        "workdays",
        "15.06.2026",
        None,
        ((F, 1987), (M, 1985), (M, 2012), (F, 2015), (M, 2021)),
    ),
    ("Ģ-04", "24h", "14.09.2026", None, ((M, 1990), (F, 2017), (M, 2022))),
    ("Ģ-05", "individual", "02.11.2026", None, ((F, 1995), (M, 1994), (F, 2018), (M, 2025))),
)

# 4.4.1.1./2/004's ESF+ data at entry (demo), by participant code.
# (labour status, education, flags)
FAMILY_ENTRY_DATA = {
    "Ģ-01-1": ("unemployed", "isced_3_4", "rural"),
    "Ģ-01-2": ("long_term_unemployed", "isced_0_2", "rural"),
    "Ģ-01-3": ("inactive", "isced_0_2", "rural"),
    "Ģ-01-4": ("inactive", "isced_0_2", "disability,rural"),
    "Ģ-02-1": ("inactive", "isced_3_4", "homeless"),
    "Ģ-02-2": ("inactive", "isced_0_2", "homeless"),
    "Ģ-02-3": ("inactive", "isced_0_2", "homeless"),
    "Ģ-03-1": ("employed", "isced_5_8", "foreign_background"),
    "Ģ-03-2": ("refused", "refused", ""),
    "Ģ-03-3": ("inactive", "isced_0_2", ""),
    "Ģ-03-4": ("inactive", "isced_0_2", ""),
    "Ģ-03-5": ("inactive", "isced_0_2", ""),
    "Ģ-04-1": ("unemployed", "isced_3_4", "rural"),
    "Ģ-04-2": ("inactive", "isced_0_2", "rural"),
    "Ģ-04-3": ("inactive", "isced_0_2", "rural"),
    "Ģ-05-1": ("long_term_unemployed", "isced_0_2", "minority"),
    "Ģ-05-2": ("employed", "isced_3_4", "minority"),
    "Ģ-05-3": ("inactive", "isced_0_2", "minority"),
    "Ģ-05-4": ("inactive", "", "minority"),  # education not yet recorded
}

# Results after leaving recorded for the two families that left (demo); Ģ-02-3's exit result
# is still missing. (code, stage, recorded on, outcomes)
FAMILY_RESULTS = (
    ("Ģ-01-1", ResultStage.EXIT, "10.07.2026", "job_searching,qualification"),
    ("Ģ-01-2", ResultStage.EXIT, "10.07.2026", "job_searching"),
    ("Ģ-01-3", ResultStage.EXIT, "10.07.2026", "education_training"),
    ("Ģ-01-4", ResultStage.EXIT, "10.07.2026", "education_training"),
    ("Ģ-02-1", ResultStage.EXIT, "12.06.2026", "employed"),
    ("Ģ-02-2", ResultStage.EXIT, "12.06.2026", "not_known"),
)


@dataclass(frozen=True)
class SeedResult:
    participant: str  # code
    stage: str
    recorded_on: date
    outcomes: str


@dataclass(frozen=True)
class SeedService:
    name_lv: str
    name_en: str
    unit_lv: str = ""
    unit_en: str = ""
    unit_price: int | None = None  # cents


@dataclass(frozen=True)
class SeedParticipant:
    code: str
    gender: Gender
    birth_year: int
    entry: date
    exit: date | None
    target_group: str = ""
    household: str = ""
    flags: str = ""
    labour_status: str = ""
    education: str = ""


@dataclass(frozen=True)
class SeedReceipt:
    participant: str  # code
    service: str  # name_lv
    received_on: date
    units_hundredths: int
    amount: int  # cents


@dataclass(frozen=True)
class Register:
    project_code: str
    services: list[SeedService]
    participants: list[SeedParticipant]
    receipts: list[SeedReceipt]
    results: tuple[SeedResult, ...] = ()


def _date(text: str) -> date:
    return datetime.strptime(text, "%d.%m.%Y").date()


def _cents(text: str) -> int:
    return to_cents(parse_amount(text))


def split(cents: int, parts: int) -> list[int]:
    """`cents` in `parts` equal integer parts; the last one takes the remainder."""
    share, rest = divmod(cents, parts)
    return [share] * (parts - 1) + [share + rest]


def _group(rows: tuple[tuple, ...], group: str) -> list[SeedParticipant]:
    return [
        SeedParticipant(code, gender, year, _date(entry), _date(left), group, flags=_DISABILITY)
        for code, gender, year, entry, left in rows
    ]


def _pilot_receipts(
    table: tuple[tuple, ...], persons: dict[str, SeedParticipant]
) -> list[SeedReceipt]:
    """A table's euros split over its persons, and each person's share over monthly bills
    from their entry on."""
    receipts = []
    for service, count, spent, months, codes in table:
        recipients = codes.split()
        if len(recipients) != count:
            raise ValueError(f"{service}: {len(recipients)} persons, the seed has {count}")
        for code, share in zip(recipients, split(_cents(spent), count), strict=True):
            person = persons[code]
            for k, amount in enumerate(split(share, months)):
                day = add_months(person.entry, k)
                if person.exit is not None and day > person.exit:
                    raise ValueError(f"{service}: {code} has left by {day}")
                receipts.append(SeedReceipt(code, service, day, 100, amount))
    return receipts


def pilot_register() -> Register:
    """IB-2020: seed 002's Tables A and B as participants and receipts."""
    unit_lv, unit_en = PILOT_UNIT
    services = [SeedService(lv, en, unit_lv, unit_en) for lv, en in PILOT_SERVICES]
    participants = _group(CHILDREN, "children") + _group(GRT, "grt")
    persons = {p.code: p for p in participants}
    receipts = _pilot_receipts(CHILDREN_SERVICES, persons) + _pilot_receipts(GRT_SERVICES, persons)
    return Register(PILOT, services, participants, receipts)


def _months(start: date, end: date) -> Iterator[tuple[date, date]]:
    """(first, last) day of the stay in each calendar month from `start` to `end`."""
    first = start
    while first <= end:
        last = min(
            date(first.year, first.month, calendar.monthrange(first.year, first.month)[1]), end
        )
        yield first, last
        first = last + timedelta(days=1)


def _units(service: str, first: date, last: date) -> int:
    """Days, working days or weeks begun (the service's unit) from `first` to `last`."""
    days = (last - first).days + 1
    if service == "24h":
        return days
    if service == "workdays":
        return sum((first + timedelta(days=n)).weekday() < 5 for n in range(days))
    return (days + 6) // 7


def families_register() -> Register:
    """4.4.1.1./2/004: five families, a bill per person and month of stay up to REGISTER_AS_OF."""
    prices = {key: _cents(price) for key, *_, price in FAMILY_SERVICES}
    names = {key: name_lv for key, name_lv, *_ in FAMILY_SERVICES}
    services = [
        SeedService(name_lv, name_en, unit_lv, unit_en, prices[key])
        for key, name_lv, name_en, unit_lv, unit_en, _ in FAMILY_SERVICES
    ]
    participants, receipts = [], []
    for household, service, entry, left, members in FAMILY_REGISTER:
        start, end = _date(entry), _date(left) if left else None
        for n, (gender, year) in enumerate(members, start=1):
            code = f"{household}-{n}"
            labour, education, flags = FAMILY_ENTRY_DATA[code]
            participants.append(
                SeedParticipant(
                    code,
                    gender,
                    year,
                    start,
                    end,
                    household=household,
                    flags=flags,
                    labour_status=labour,
                    education=education,
                )
            )
            for first, last in _months(start, end or REGISTER_AS_OF):
                units = _units(service, first, last)
                receipts.append(
                    SeedReceipt(
                        code, names[service], last, to_hundredths(units), units * prices[service]
                    )
                )
    results = tuple(
        SeedResult(code, stage, _date(day), outcomes)
        for code, stage, day, outcomes in FAMILY_RESULTS
    )
    return Register(FAMILIES, services, participants, receipts, results)


async def load_register(project_ids_by_code: dict[str, int]) -> int:
    """Load the demo registers into their projects; a project whose register already has
    participants is left as it is. Returns how many participants were added."""
    added = 0
    for register in (pilot_register(), families_register()):
        project_id = project_ids_by_code.get(register.project_code)
        if project_id is None or await Participant.exists().where(
            Participant.project == project_id
        ):
            continue
        added += await _load(project_id, register)
    return added


async def _load(project_id: int, register: Register) -> int:
    service_ids = {}
    for position, service in enumerate(register.services):
        row = (
            await Service.select(Service.id)
            .where((Service.project == project_id) & (Service.name_lv == service.name_lv))
            .first()
        )
        if row is None:
            row = (
                await Service.insert(
                    Service(
                        project=project_id,
                        name_lv=service.name_lv,
                        name_en=service.name_en,
                        unit_lv=service.unit_lv,
                        unit_en=service.unit_en,
                        unit_price=service.unit_price,
                        position=position,
                    )
                )
            )[0]
        service_ids[service.name_lv] = row["id"]
    await _insert(
        Participant,
        [
            Participant(
                project=project_id,
                code=p.code,
                code_key=code_key(p.code),
                target_group=p.target_group,
                gender=p.gender,
                birth_year=p.birth_year,
                entry_date=p.entry,
                exit_date=p.exit,
                household=p.household,
                flags=p.flags,
                labour_status=p.labour_status,
                education=p.education,
            )
            for p in register.participants
        ],
    )
    rows = await Participant.select(Participant.id, Participant.code).where(
        Participant.project == project_id
    )
    participant_ids = {row["code"]: row["id"] for row in rows}
    await _insert(
        ServiceReceipt,
        [
            ServiceReceipt(
                project=project_id,
                participant=participant_ids[r.participant],
                service=service_ids[r.service],
                received_on=r.received_on,
                units_hundredths=r.units_hundredths,
                amount=r.amount,
            )
            for r in register.receipts
        ],
    )
    for p in register.participants:
        await audit.record(
            "create",
            "participant",
            participant_ids[p.code],
            project_id=project_id,
            note="grants demo",
            after=p.code,
        )
    await _insert(
        ParticipantResult,
        [
            ParticipantResult(
                project=project_id,
                participant=participant_ids[r.participant],
                stage=r.stage,
                recorded_on=r.recorded_on,
                outcomes=r.outcomes,
            )
            for r in register.results
        ],
    )
    for r in register.results:
        await audit.record(
            "update",
            "participant",
            participant_ids[r.participant],
            project_id=project_id,
            note="grants demo",
            after={
                f"{r.stage}_result": r.outcomes.split(","),
                f"{r.stage}_result_date": r.recorded_on.isoformat(),
            },
        )
    return len(register.participants)


async def _insert(table, rows: list) -> None:
    for start in range(0, len(rows), _CHUNK):
        await table.insert(*rows[start : start + _CHUNK])
