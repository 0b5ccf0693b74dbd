"""The participant register: pseudonymous persons (services and receipts: `services.py`).

ESF+ proves participant numbers person by person (Regulation 2021/1057, Annex I), so the
project's person counts come from this register, never typed. A person is a code, a gender, a
year of birth, entry and exit dates, a household, flags and the ESF+ data at entry (Annex I:
exactly one labour-market status, the education level, each with "refused" when the person
did not answer, and "" while not recorded): no names and no personal codes, and codes that
look like either are refused. Labour-market statuses are not flags: a file or client that
still writes one status among the flags has it read as the labour status (several are
refused); NEET stays a flag, as PROTI un DARI 2.0 counts NEET young people, a programme's own
target group and not an Annex I status. A code enters a project once, so a person who
leaves and comes back keeps one record (its exit date moves) and counts once.

The rules for one participant are written once (`_check_participant`) and serve single adds
and file imports alike. An import checks every row
first and writes all of them or none; its refusals name fields "<row>.<field>", where <row> is
the 1-based position of the row in the list given (the file importer maps it back to the
file's own row numbers).
"""

import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.dates import day_str
from grants.core.errors import NotFound, Problem, Problems, Refused
from grants.core.messages import NOT_ONE_OF, YEAR_MALFORMED, YEAR_REQUIRED
from grants.core.paging import DEFAULT_PER_PAGE, Paged, offset
from grants.core.text import comparable
from grants.core.translatable import N_
from grants.core.vocabulary import (
    AGE_GROUPS,
    SPECIAL_CATEGORY_FLAGS,
    Education,
    Gender,
    LabourStatus,
    ParticipantFlag,
)
from grants.db import (
    INTEGRITY_ERRORS,
    first_or_not_found,
    from_row,
    write_transaction,
)
from grants.projects.periods import add_months
from grants.projects.reading import project_dates
from grants.register.pseudonyms import looks_identifying
from grants.tables.audit import AuditEvent
from grants.tables.participants import Participant, ServiceReceipt
from grants.tables.projects import Project

PARTICIPANT = "participant"
RETENTION_YEARS = 5  # CPR Art. 82
EARLIEST_BIRTH_YEAR = 1900
YIELD_EVERY = 250  # rows an import checks before letting other requests run

CODE_REQUIRED = N_("Enter the participant's code.")
_IDENTIFYING = N_(
    "This looks like a name, an e-mail address or a personal code. The register is "
    "pseudonymous: use a code that does not identify the person, e.g. TUK-017."
)
_DUPLICATE_CODE = N_(
    "Code %(code)s is already in this project's register: a person counts once, also when "
    "they come back. Edit their record (e.g. the exit date) instead."
)
_DUPLICATE_IN_FILE = N_("Code %(code)s is also on row %(row)s of this file: a person counts once.")
_GENDER_REQUIRED = N_("Choose the participant's gender.")
_BIRTH_YEAR_RANGE = N_("The year of birth %(year)s is not between 1900 and %(last)s.")
_ENTRY_REQUIRED = N_("Enter the entry date.")
_EXIT_BEFORE_ENTRY = N_("The exit date %(exit)s is before the entry date %(entry)s.")
_RECEIPTS_OUTSIDE_STAY = N_(
    "Services are recorded for this participant on %(date)s, outside the entry and exit dates."
)
_NOTE_REQUIRED = N_("Say why the participant's record is changed.")
_NOT_CHANGEABLE = N_("This cannot be changed here; the fields that can are: %(allowed)s.")
_NOTHING_TO_CHANGE = N_("Give at least one of the fields to change: %(allowed)s.")
_CONCURRENT = N_("Someone else changed the register at the same time; please try again.")
SEVERAL_STATUSES = N_(
    "More than one labour-market status (%(statuses)s): a participant has exactly one at "
    "entry. Choose one, or “refused” when the person did not answer."
)

# The labour-market statuses older records and files kept among the flags.
LABOUR_STATUS_FLAGS = frozenset(s.value for s in LabourStatus if s != LabourStatus.REFUSED)
# The flags asked at entry (ESF+ Annex I, and NEET for programmes that count it).
ENTRY_FLAGS = tuple(f for f in ParticipantFlag if f.value not in LABOUR_STATUS_FLAGS)

_GENDERS = ", ".join(Gender)
_FLAGS = ", ".join(ENTRY_FLAGS)
_STATUSES = ", ".join(LabourStatus)
_EDUCATIONS = ", ".join(Education)


def code_key(code: str) -> str:
    """A code as the register compares it: "tuk-001", "TUK-001 " and "ＴＵＫ-001" are the same
    person (`grants.core.text.comparable`). Stored in `Participant.code_key`, whose unique
    index holds it also when two writers race."""
    return comparable(code)


def age_group(birth_year: int, entry_date: date) -> str:
    """The ESF+ age group at entry (Annex I: age is taken at entry), by entry year − birth year."""
    age = entry_date.year - birth_year
    if age < 18:
        return AGE_GROUPS[0]
    if age < 30:
        return AGE_GROUPS[1]
    if age < 55:
        return AGE_GROUPS[2]
    return AGE_GROUPS[3]


def stayed_months(entry_date: date, exit_date: date | None, months: int) -> bool:
    """Whether a stay from entry to exit (both days included) lasted at least `months` calendar
    months: entry 15.01 and 3 months needs an exit on 14.04 or later; no exit, no full stay."""
    if exit_date is None:
        return False
    return exit_date >= add_months(entry_date, months) - timedelta(days=1)


def retention_date(project_end: date | None, last_payment: date | None = None) -> date | None:
    """Until when the project's documents are kept: 5 years from 31 December of the year of the
    last payment (CPR Art. 82); before that payment is known, counted from the project's end."""
    start = last_payment or project_end
    return None if start is None else date(start.year + RETENTION_YEARS, 12, 31)


def in_rows(problems: Iterable[Problem], row_number: int) -> list[Problem]:
    """A row's problems with fields named "<row>.<field>"."""
    return [Problem(p.message, f"{row_number}.{p.field}", p.params) for p in problems]


# Participants -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantInput:
    """A participant as typed; every value text. Flags are ParticipantFlag values."""

    code: str
    gender: str
    birth_year: str
    entry_date: str
    exit_date: str | None = None
    household: str = ""
    target_group: str = ""
    flags: list[str] = field(default_factory=list)
    labour_status: str = ""  # a LabourStatus value; "" not recorded
    education: str = ""  # an Education value; "" not recorded


@dataclass(frozen=True)
class ParticipantRow:
    """A participant as a reader may see them: special-category flags only for roles that may."""

    id: int
    project_id: int
    code: str
    target_group: str
    gender: str
    birth_year: int
    entry_date: date
    exit_date: date | None
    household: str
    flags: tuple[str, ...]
    age_at_entry: int
    age_group: str
    labour_status: str = ""
    education: str = ""


_PARTICIPANT_COLUMNS = (
    Participant.id,
    Participant.project,
    Participant.code,
    Participant.target_group,
    Participant.gender,
    Participant.birth_year,
    Participant.entry_date,
    Participant.exit_date,
    Participant.household,
    Participant.flags,
    Participant.labour_status,
    Participant.education,
)


def _flag_list(flags: str) -> list[str]:
    return [flag for flag in flags.split(",") if flag]


def _participant_row(row: dict, *, special: bool) -> ParticipantRow:
    flags = _flag_list(row["flags"])
    return from_row(
        ParticipantRow,
        row,
        project_id=row["project"],
        flags=tuple(f for f in flags if special or f not in SPECIAL_CATEGORY_FLAGS),
        age_at_entry=row["entry_date"].year - row["birth_year"],
        age_group=age_group(row["birth_year"], row["entry_date"]),
    )


def _participant_audit(values: dict) -> dict:
    """What the audit trail keeps of a participant. Special-category flags stay out: the trail
    is read by roles that may not see them (finance, auditors)."""
    return {
        "code": values["code"],
        "target_group": values["target_group"],
        "gender": values["gender"],
        "birth_year": values["birth_year"],
        "entry_date": values["entry_date"].isoformat(),
        "exit_date": values["exit_date"].isoformat() if values["exit_date"] else None,
        "household": values["household"],
        "flags": [f for f in _flag_list(values["flags"]) if f not in SPECIAL_CATEGORY_FLAGS],
        "labour_status": values["labour_status"],
        "education": values["education"],
    }


@dataclass
class _Register:
    """What the participant checks need to know about a project, read once per write."""

    project_id: int
    start: date | None
    end: date | None
    codes: dict[str, int]  # code_key → participant id
    today: date = field(default_factory=date.today)


async def register_codes(project_id: int) -> dict[str, int]:
    """The project's codes (as `code_key`) and their participants' ids, in one query."""
    rows = await Participant.select(Participant.id, Participant.code).where(
        Participant.project == project_id
    )
    return {code_key(row["code"]): row["id"] for row in rows}


async def _register(project_id: int) -> _Register:
    start, end = await project_dates(project_id)
    return _Register(project_id, start, end, await register_codes(project_id))


def _check_participant(
    register: _Register,
    data: ParticipantInput,
    problems: Problems,
    conflicts: Problems,
    own_id: int | None = None,
) -> dict:
    """Column values for one participant, adding every problem found (a taken code is a
    conflict), in the order of the form."""
    code = _pseudonym(problems, data.code, "code", CODE_REQUIRED, key=code_key)
    taken = register.codes.get(code_key(code)) if code else None
    if taken is not None and taken != own_id:
        conflicts.add(_DUPLICATE_CODE, "code", code=code)
    gender = _gender(problems, data.gender)
    dates = Problems()  # the year of birth needs the entry, but comes first on the form
    entry, exit_ = _stay(register, data, dates)
    birth_year = _birth_year(problems, data.birth_year, entry, register.today)
    problems.extend(dates.items)
    return {
        "code": code,
        "code_key": code_key(code),
        "gender": gender,
        "birth_year": birth_year,
        "entry_date": entry,
        "exit_date": exit_,
        "household": _pseudonym(problems, data.household, "household"),
        "target_group": problems.text(
            data.target_group, "target_group", limit=Participant.target_group.length
        ).casefold(),
        "flags": _flags(problems, data.flags),
        "labour_status": labour_status(problems, data.labour_status, data.flags),
        "education": _education(problems, data.education),
    }


def _pseudonym(
    problems: Problems,
    text: str | None,
    field_name: str,
    required: str | None = None,
    key: Callable[[str], str] | None = None,
) -> str:
    """A participant's or a family's code, which must not name anyone."""
    limit = getattr(Participant, field_name).length
    code = problems.text(text, field_name, limit=limit, required=required, key=key)
    if code and looks_identifying(code):
        problems.add(_IDENTIFYING, field_name)
    return code


def _gender(problems: Problems, text: str | None) -> str | None:
    value = (text or "").strip().lower()
    if not value:
        problems.add(_GENDER_REQUIRED, "gender")
    elif value not in tuple(Gender):
        problems.add(NOT_ONE_OF, "gender", value=(text or "").strip(), allowed=_GENDERS)
    else:
        return value
    return None


def _birth_year(problems: Problems, text: object, entry: date | None, today: date) -> int | None:
    """Four digits, from 1900 up to this year (and not after the entry)."""
    typed = "" if text is None else str(text).strip()
    if not typed:
        problems.add(YEAR_REQUIRED, "birth_year")
        return None
    if not re.fullmatch(r"[0-9]{4}", typed):
        problems.add(YEAR_MALFORMED, "birth_year", text=typed)
        return None
    year, last = int(typed), min(today.year, entry.year if entry else today.year)
    if not EARLIEST_BIRTH_YEAR <= year <= last:
        problems.add(_BIRTH_YEAR_RANGE, "birth_year", year=year, last=last)
        return None
    return year


def _stay(
    register: _Register, data: ParticipantInput, problems: Problems
) -> tuple[date | None, date | None]:
    """Entry (required) and exit dates, within the project, the exit not before the entry."""
    entry = problems.date(data.entry_date, "entry_date", required=_ENTRY_REQUIRED)
    if entry is not None:
        problems.within_project(entry, register.start, register.end, "entry_date")
    exit_ = problems.date(data.exit_date, "exit_date")
    if exit_ is not None and entry is not None and exit_ < entry:
        problems.add(_EXIT_BEFORE_ENTRY, "exit_date", exit=day_str(exit_), entry=day_str(entry))
    elif exit_ is not None:
        problems.within_project(exit_, register.start, register.end, "exit_date")
    return entry, exit_


def _typed_flags(flags: Iterable[str] | None) -> list[str]:
    """Flags as typed: "a, b" in one item is split too."""
    return [part.strip() for item in flags or [] for part in item.split(",") if part.strip()]


def _flags(problems: Problems, flags: Iterable[str]) -> str:
    """Known entry flags, comma-separated in vocabulary order. An unknown one is quoted as
    typed; a labour-market status is not a flag (`labour_status` reads it)."""
    typed = [text for text in _typed_flags(flags) if text.lower() not in LABOUR_STATUS_FLAGS]
    unknown = [text for text in typed if text.lower() not in ENTRY_FLAGS]
    if unknown:
        problems.add(NOT_ONE_OF, "flags", value=", ".join(unknown), allowed=_FLAGS)
    chosen = {text.lower() for text in typed}
    return ",".join(flag for flag in ENTRY_FLAGS if flag in chosen)


def labour_status(problems: Problems, typed: str | None, flags: Iterable[str] = ()) -> str:
    """The one labour-market status at entry: the one typed, or one written among the flags
    (older files); several are refused (`SEVERAL_STATUSES`), "" when none is given."""
    value = (typed or "").strip()
    statuses: list[str] = []
    if value:
        if value.lower() not in tuple(LabourStatus):
            problems.add(NOT_ONE_OF, "labour_status", value=value, allowed=_STATUSES)
            return ""
        statuses.append(value.lower())
    for flag in _typed_flags(flags):
        if flag.lower() in LABOUR_STATUS_FLAGS and flag.lower() not in statuses:
            statuses.append(flag.lower())
    if len(statuses) > 1:
        problems.add(SEVERAL_STATUSES, "labour_status", statuses=", ".join(statuses))
        return ""
    return statuses[0] if statuses else ""


def _education(problems: Problems, typed: str | None) -> str:
    """The education level at entry (ISCED), "refused", or "" when not recorded."""
    value = (typed or "").strip()
    if value and value.lower() not in tuple(Education):
        problems.add(NOT_ONE_OF, "education", value=value, allowed=_EDUCATIONS)
        return ""
    return value.lower()


def refuse_all(problems: Problems, conflicts: Problems) -> None:
    if problems or conflicts:
        raise Refused(problems.items + conflicts.items, conflict=bool(conflicts))


async def add_participant(
    principal: Principal, project_id: int, data: ParticipantInput
) -> ParticipantRow:
    """Enter a person in the project's register; a code already there is a conflict."""
    principal.require(Action.EDIT_REGISTER, project_id)
    try:
        async with write_transaction():
            register = await _register(project_id)
            problems, conflicts = Problems(), Problems()
            values = _check_participant(register, data, problems, conflicts)
            refuse_all(problems, conflicts)
            after = _participant_audit(values)
            new_id = await audit.insert_recorded(
                Participant,
                PARTICIPANT,
                principal,
                project_id,
                after,
                created_by=principal.user_id,
                **values,
            )
    except INTEGRITY_ERRORS:
        raise _taken(data.code) from None
    return _visible(principal, await _participant(new_id))


async def update_participant(
    principal: Principal, participant_id: int, data: ParticipantInput
) -> ParticipantRow:
    """Change a participant, e.g. record their exit or their return (a later exit, or none).
    Services already recorded must stay within the new entry and exit dates."""
    return await _save_participant(principal, participant_id, lambda current: data, "")


# What may change about a participant once entered; code, gender, birth year and entry date are
# who the person is (a wrong one is a new entry, and the old one is cancelled). The data at
# entry may be corrected, with a reason like every change.
CHANGEABLE = ("exit_date", "household", "target_group", "flags", "labour_status", "education")


async def change_participant(
    principal: Principal, participant_id: int, changes: dict[str, object], note: str
) -> ParticipantRow:
    """Change only the given fields among `CHANGEABLE` (an exit date of None clears it: the
    person came back), saying why in `note`. The same checks as `update_participant`."""
    check_change(changes, note, CHANGEABLE, _NOTE_REQUIRED)

    def changed(current: dict) -> ParticipantInput:
        return ParticipantInput(**(_typed(current) | changes))

    return await _save_participant(principal, participant_id, changed, note)


def check_change(
    changes: dict[str, object], note: str, allowed: tuple[str, ...], note_required: str
) -> None:
    """Refused unless every field given may change, there is one, and `note` says why."""
    problems = Problems()
    for name in changes:
        if name not in allowed:
            problems.add(_NOT_CHANGEABLE, name, allowed=", ".join(allowed))
    if not changes:
        problems.add(_NOTHING_TO_CHANGE, None, allowed=", ".join(allowed))
    problems.text(note, "note", required=note_required, multiline=True)
    problems.raise_if_any()


def _typed(row: dict) -> dict:
    """A stored participant as `ParticipantInput` fields, to change some of them."""
    return {
        "code": row["code"],
        "gender": row["gender"],
        "birth_year": str(row["birth_year"]),
        "entry_date": row["entry_date"].isoformat(),
        "exit_date": row["exit_date"].isoformat() if row["exit_date"] else None,
        "household": row["household"],
        "target_group": row["target_group"],
        # a status an older record kept among the flags is not carried into the change
        "flags": [f for f in _flag_list(row["flags"]) if f not in LABOUR_STATUS_FLAGS],
        "labour_status": row["labour_status"],
        "education": row["education"],
    }


async def _save_participant(
    principal: Principal,
    participant_id: int,
    make: Callable[[dict], ParticipantInput],
    note: str,
) -> ParticipantRow:
    """Check and write the input `make` gives from the stored row, recording before and after
    (and why, `note`) in the audit trail."""
    data = None
    try:
        async with write_transaction():
            current = await _participant(participant_id)
            project_id = current["project"]
            principal.require(Action.EDIT_REGISTER, project_id)
            data = make(current)
            register = await _register(project_id)
            problems, conflicts = Problems(), Problems()
            values = _check_participant(register, data, problems, conflicts, participant_id)
            await _check_receipts_within(participant_id, values, problems)
            refuse_all(problems, conflicts)
            values["flags"] = _keep_hidden_flags(principal, project_id, values, current)
            await Participant.update(values, updated_at=datetime.now(UTC)).where(
                Participant.id == participant_id
            )
            await audit.record(
                "update",
                PARTICIPANT,
                participant_id,
                actor=principal,
                project_id=project_id,
                before=_participant_audit(current),
                after=_participant_audit(values),
                note=note.strip(),
            )
    except INTEGRITY_ERRORS:
        raise _taken(data.code if data else "") from None
    return _visible(principal, await _participant(participant_id))


def _taken(code: str) -> Refused:
    """Another writer entered the same code meanwhile: the unique index said no."""
    return Refused.one(_DUPLICATE_CODE, field="code", conflict=True, code=code.strip())


def _keep_hidden_flags(principal: Principal, project_id: int, values: dict, current: dict) -> str:
    """An editor who cannot see special-category flags cannot have meant to remove them."""
    if principal.can(Action.READ_SPECIAL_CATEGORY, project_id):
        return values["flags"]
    hidden = {f for f in _flag_list(current["flags"]) if f in SPECIAL_CATEGORY_FLAGS}
    chosen = hidden | set(_flag_list(values["flags"]))
    return ",".join(flag for flag in ParticipantFlag if flag in chosen)


async def _check_receipts_within(participant_id: int, values: dict, problems: Problems) -> None:
    entry, exit_ = values["entry_date"], values["exit_date"]
    if entry is None:
        return
    days = [
        row["received_on"]
        for row in await ServiceReceipt.select(ServiceReceipt.received_on).where(
            ServiceReceipt.participant == participant_id
        )
    ]
    before = [day for day in days if day < entry]
    after = [day for day in days if exit_ is not None and day > exit_]
    if before:
        problems.add(_RECEIPTS_OUTSIDE_STAY, "entry_date", date=day_str(min(before)))
    if after:
        problems.add(_RECEIPTS_OUTSIDE_STAY, "exit_date", date=day_str(max(after)))


async def _participant(participant_id: int) -> dict:
    return await first_or_not_found(
        Participant.select(*_PARTICIPANT_COLUMNS).where(Participant.id == participant_id)
    )


def _visible(principal: Principal, row: dict) -> ParticipantRow:
    """The row as this principal may see it."""
    special = principal.can(Action.READ_SPECIAL_CATEGORY, row["project"])
    return _participant_row(row, special=special)


async def get_participant(principal: Principal, participant_id: int) -> ParticipantRow:
    row = await _participant(participant_id)
    principal.require(Action.READ_REGISTER, row["project"])
    return _visible(principal, row)


@dataclass(frozen=True)
class ParticipantVersion:
    """One change in a participant's history, from the audit trail: when, who, why, and the
    values before and after it (special-category flags never: the trail leaves them out), as
    dicts of the participant's fields, except where older records (the demo's) kept only the
    code. A participant imported from a file has no "create" version: its first change's
    `before` holds the values as imported."""

    at: datetime
    actor: str
    action: str  # "create" or "update"
    note: str
    before: Any
    after: Any


async def participant_history(
    principal: Principal, participant_id: int
) -> list[ParticipantVersion]:
    """The participant's versions, oldest first."""
    row = await _participant(participant_id)
    principal.require(Action.READ_REGISTER, row["project"])
    events = await (
        AuditEvent.select(
            AuditEvent.at,
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.note,
            AuditEvent.before,
            AuditEvent.after,
        )
        .where((AuditEvent.entity == PARTICIPANT) & (AuditEvent.entity_id == participant_id))
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )
    return [from_row(ParticipantVersion, event) for event in events]


async def list_participants(
    principal: Principal, project_id: int, *, target_group: str | None = None
) -> list[ParticipantRow]:
    """The project's register by code, optionally one target group's."""
    principal.require(Action.READ_REGISTER, project_id)
    query = Participant.select(*_PARTICIPANT_COLUMNS).where(Participant.project == project_id)
    if target_group:
        query = query.where(Participant.target_group == target_group.strip().casefold())
    special = principal.can(Action.READ_SPECIAL_CATEGORY, project_id)
    rows = await query.order_by(Participant.code)
    return [_participant_row(row, special=special) for row in rows]


async def participants_page(
    principal: Principal,
    project_id: int,
    *,
    page: int,
    per_page: int,
    target_group: str | None = None,
) -> Paged[ParticipantRow]:
    """A page of the project's register by code, optionally one target group's, with how
    many there are in all; a page beyond the last is empty."""
    principal.require(Action.READ_REGISTER, project_id)
    where = Participant.project == project_id
    if target_group:
        where &= Participant.target_group == target_group.strip().casefold()
    total = await Participant.count().where(where)
    query = Participant.select(*_PARTICIPANT_COLUMNS).where(where).order_by(Participant.code)
    rows = await query.limit(per_page).offset(offset(page, per_page))
    special = principal.can(Action.READ_SPECIAL_CATEGORY, project_id)
    return Paged([_participant_row(r, special=special) for r in rows], total, page, per_page)


async def export_participants(
    principal: Principal,
    project_id: int,
    *,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    target_group: str | None = None,
) -> Paged[ParticipantRow]:
    """A page of the register taken out of the system (the API): the audit trail records who
    took which rows. NotFound for an unknown project (the trail's row would refer to nothing)."""
    if not await Project.exists().where(Project.id == project_id):
        raise NotFound()
    principal.require(Action.READ_REGISTER, project_id)
    async with write_transaction():
        found = await participants_page(
            principal, project_id, page=page, per_page=per_page, target_group=target_group
        )
        await audit.record(
            "export",
            PARTICIPANT,
            None,
            actor=principal,
            project_id=project_id,
            note=f"{len(found.rows)} participants (page {page}, {found.total} in all)",
        )
    return found


async def import_participants(
    principal: Principal, project_id: int, rows: list[ParticipantInput]
) -> int:
    """Add every row, or none: refusals name "<row>.<field>", the row counted from 1 in `rows`.
    A code already in the register or twice in the rows is a conflict. When another writer
    enters some of the codes meanwhile, the unique index stops this import and a second check
    names them."""
    principal.require(Action.EDIT_REGISTER, project_id)
    try:
        return await _import_participants(principal, project_id, rows)
    except INTEGRITY_ERRORS:
        pass
    try:
        return await _import_participants(principal, project_id, rows)
    except INTEGRITY_ERRORS:
        raise Refused.one(_CONCURRENT, conflict=True) from None


async def _import_participants(
    principal: Principal, project_id: int, rows: list[ParticipantInput]
) -> int:
    async with write_transaction():
        register = await _register(project_id)
        found, conflict = [], False
        checked, seen = [], {}
        for number, data in enumerate(rows, start=1):
            problems, conflicts = Problems(), Problems()
            values = _check_participant(register, data, problems, conflicts)
            key = values["code_key"]
            if key and key in seen:
                conflicts.add(_DUPLICATE_IN_FILE, "code", code=values["code"], row=seen[key])
            seen.setdefault(key, number)
            found += in_rows(problems.items + conflicts.items, number)
            conflict = conflict or bool(conflicts)
            checked.append({**values, "project": project_id, "created_by": principal.user_id})
            if number % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # a long import does not hold other requests
        if found:
            raise Refused(found, conflict=conflict)
        return await audit.import_recorded(Participant, PARTICIPANT, principal, project_id, checked)
