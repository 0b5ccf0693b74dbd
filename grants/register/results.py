"""Results after leaving (ESF+, Regulation 2021/1057 Annex I): what became of a participant
within 4 weeks of leaving ("exit") and 6 months after ("six_months").

One result per participant and stage (`ParticipantResult`); recording it again corrects it,
the audit trail keeping before and after (as the participant's change, so the history shows
it among their versions, to register readers only). A result is a set of outcome codes the
stage asks about, or "refused" / "not_known" alone: a person who did not answer is neither a
"yes" nor a "no" in the indicators counted from it.

Refused: a result before the exit (or for someone who has not left), a six-month result before
it is due (exit + 6 months), a date in the future, an outcome the stage does not ask about, an
unknown code, several answers with "refused" or "not known".

The follow-up list names who left and lacks a result: the exit result is due 4 weeks after
the exit and overdue after that; the six-month result is due at exit + 6 months and overdue
4 weeks later (the time to reach the person). Registers are small (hundreds of leavers), so
the list is worked out in memory and paged from there.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.dates import day_str
from grants.core.errors import NotFound, Problems, Refused
from grants.core.messages import NOT_ONE_OF
from grants.core.paging import DEFAULT_PER_PAGE, Paged, offset
from grants.core.translatable import N_
from grants.core.vocabulary import ParticipantOutcome, ResultStage
from grants.db import INTEGRITY_ERRORS, first_or_not_found, write_transaction
from grants.projects.periods import add_months, for_update
from grants.tables.participants import Participant, ParticipantResult
from grants.tables.projects import Project

PARTICIPANT = "participant"  # results are recorded as changes of their participant
EXIT_WINDOW = timedelta(weeks=4)
FOLLOW_UP_MONTHS = 6

_O = ParticipantOutcome
STAGE_OUTCOMES: dict[str, tuple[str, ...]] = {
    ResultStage.EXIT: (_O.JOB_SEARCHING, _O.EDUCATION_TRAINING, _O.QUALIFICATION, _O.EMPLOYED),
    ResultStage.SIX_MONTHS: (_O.EMPLOYED, _O.BETTER_SITUATION),
}
ALONE = (_O.REFUSED, _O.NOT_KNOWN)  # answers that stand alone

_STAGES = ", ".join(ResultStage)
NO_EXIT = N_("Record the participant's exit date first: results are recorded after leaving.")
BEFORE_EXIT = N_("The result date %(date)s is before the exit on %(exit)s.")
NOT_DUE = N_("The six-month result is due from %(due)s (6 months after the exit); not before.")
IN_FUTURE = N_("The result date %(date)s is in the future.")
DATE_REQUIRED = N_("Enter the date the result was found out.")
OUTCOME_REQUIRED = N_("Choose at least one result, or “refused” or “not known”.")
NOT_AT_STAGE = N_("“%(value)s” is not asked at this stage; the results asked are: %(allowed)s.")
ALONE_ONLY = N_("“Refused” and “not known” stand alone: they cannot go with other results.")
RECORDED_MEANWHILE = N_("Someone else recorded this result at the same time; please try again.")


@dataclass(frozen=True)
class ResultInput:
    """A result as typed: the date it was found out and the outcome codes."""

    recorded_on: str
    outcomes: list[str]


@dataclass(frozen=True)
class ResultRow:
    participant_id: int
    project_id: int
    stage: str
    recorded_on: date
    outcomes: tuple[str, ...]
    due: date


@dataclass(frozen=True)
class FollowUp:
    """A participant who left and lacks the result of `stage`, due on `due`."""

    participant_id: int
    code: str
    exit_date: date
    stage: str
    due: date
    overdue: bool


def due_date(stage: str, exit_date: date) -> date:
    """When a stage's result is due: 4 weeks after the exit, or 6 months after it."""
    if stage == ResultStage.EXIT:
        return exit_date + EXIT_WINDOW
    return add_months(exit_date, FOLLOW_UP_MONTHS)


def overdue(stage: str, exit_date: date, today: date) -> bool:
    """The exit result after its due date; the six-month one 4 weeks after its due date."""
    due = due_date(stage, exit_date)
    return today > (due if stage == ResultStage.EXIT else due + EXIT_WINDOW)


def check_stage(stage: str) -> str:
    """A known stage, or Refused (an unknown code)."""
    if stage not in tuple(ResultStage):
        raise Refused.one(NOT_ONE_OF, field="stage", value=stage, allowed=_STAGES)
    return stage


def check_result(
    stage: str, data: ResultInput, exit_date: date | None, today: date
) -> tuple[date | None, str]:
    """The result's date and its outcomes (comma-separated, in vocabulary order), or Refused
    with every problem."""
    problems = Problems()
    day = problems.date(data.recorded_on, "recorded_on", required=DATE_REQUIRED)
    if exit_date is None:
        problems.add(NO_EXIT, "recorded_on")
    elif day is not None:
        due = due_date(stage, exit_date)
        if day < exit_date:
            problems.add(BEFORE_EXIT, "recorded_on", date=day_str(day), exit=day_str(exit_date))
        elif stage == ResultStage.SIX_MONTHS and day < due:
            problems.add(NOT_DUE, "recorded_on", due=day_str(due))
    if day is not None and day > today:
        problems.add(IN_FUTURE, "recorded_on", date=day_str(day))
    outcomes = _outcomes(problems, stage, data.outcomes)
    problems.raise_if_any()
    return day, outcomes


def _outcomes(problems: Problems, stage: str, typed: list[str]) -> str:
    asked = STAGE_OUTCOMES[stage]
    codes = [part.strip() for item in typed or [] for part in item.split(",") if part.strip()]
    if not codes:
        problems.add(OUTCOME_REQUIRED, "outcomes")
        return ""
    allowed = ", ".join((*asked, *ALONE))
    unknown = [code for code in codes if code.lower() not in tuple(ParticipantOutcome)]
    if unknown:
        problems.add(NOT_ONE_OF, "outcomes", value=", ".join(unknown), allowed=allowed)
    chosen = {code.lower() for code in codes} - set(unknown)
    elsewhere = [code for code in chosen if code not in asked and code not in ALONE]
    if elsewhere:
        problems.add(NOT_AT_STAGE, "outcomes", value=", ".join(sorted(elsewhere)), allowed=allowed)
    if chosen & set(ALONE) and len(chosen) > 1:
        problems.add(ALONE_ONLY, "outcomes")
    return ",".join(code for code in ParticipantOutcome if code in chosen)


def _row(row: dict, exit_date: date | None) -> ResultRow:
    return ResultRow(
        participant_id=row["participant"],
        project_id=row["project"],
        stage=row["stage"],
        recorded_on=row["recorded_on"],
        outcomes=tuple(o for o in row["outcomes"].split(",") if o),
        due=due_date(row["stage"], exit_date or row["recorded_on"]),
    )


def _audit(stage: str, row: dict | None) -> dict:
    """A stage's result as the participant's history shows it."""
    if row is None:
        return {f"{stage}_result": [], f"{stage}_result_date": None}
    day = row["recorded_on"]
    return {
        f"{stage}_result": [o for o in row["outcomes"].split(",") if o],
        f"{stage}_result_date": day.isoformat() if isinstance(day, date) else day,
    }


_COLUMNS = (
    ParticipantResult.id,
    ParticipantResult.participant,
    ParticipantResult.project,
    ParticipantResult.stage,
    ParticipantResult.recorded_on,
    ParticipantResult.outcomes,
)


async def _participant(participant_id: int) -> dict:
    return await first_or_not_found(
        Participant.select(Participant.id, Participant.project, Participant.exit_date).where(
            Participant.id == participant_id
        )
    )


async def record_result(
    principal: Principal,
    participant_id: int,
    stage: str,
    data: ResultInput,
    *,
    today: date | None = None,
) -> ResultRow:
    """Record (or correct) a participant's result at `stage`, with the audit trail keeping
    before and after."""
    try:
        async with write_transaction():
            person = await first_or_not_found(
                for_update(
                    Participant.select(
                        Participant.id, Participant.project, Participant.exit_date
                    ).where(Participant.id == participant_id)
                )
            )
            project_id = person["project"]
            principal.require(Action.EDIT_REGISTER, project_id)
            check_stage(stage)
            day, outcomes = check_result(stage, data, person["exit_date"], today or date.today())
            where = (ParticipantResult.participant == participant_id) & (
                ParticipantResult.stage == stage
            )
            current = await ParticipantResult.select(*_COLUMNS).where(where).first()
            if current is None:
                await ParticipantResult.insert(
                    ParticipantResult(
                        project=project_id,
                        participant=participant_id,
                        stage=stage,
                        recorded_on=day,
                        outcomes=outcomes,
                        created_by=principal.user_id,
                    )
                )
            else:
                await ParticipantResult.update(
                    {
                        ParticipantResult.recorded_on: day,
                        ParticipantResult.outcomes: outcomes,
                        ParticipantResult.updated_at: datetime.now(UTC),
                    }
                ).where(where)
            after = {"recorded_on": day, "outcomes": outcomes}
            await audit.record(
                "update",
                PARTICIPANT,
                participant_id,
                actor=principal,
                project_id=project_id,
                before=_audit(stage, current),
                after=_audit(stage, after),
            )
    except INTEGRITY_ERRORS:
        raise Refused.one(RECORDED_MEANWHILE, conflict=True) from None
    row = await ParticipantResult.select(*_COLUMNS).where(where).first()
    return _row(row, person["exit_date"])


async def _results(participant_id: int, exit_date: date | None) -> list[ResultRow]:
    rows = await ParticipantResult.select(*_COLUMNS).where(
        ParticipantResult.participant == participant_id
    )
    order = list(ResultStage)
    return sorted((_row(r, exit_date) for r in rows), key=lambda r: order.index(r.stage))


async def participant_results(principal: Principal, participant_id: int) -> list[ResultRow]:
    """A participant's results, exit first (for the participant's page)."""
    person = await _participant(participant_id)
    principal.require(Action.READ_REGISTER, person["project"])
    return await _results(participant_id, person["exit_date"])


async def export_results(principal: Principal, participant_id: int) -> list[ResultRow]:
    """A participant's results taken out of the system (the API): recorded in the audit trail,
    as reads of participant-level data through the API are."""
    person = await _participant(participant_id)
    principal.require(Action.READ_REGISTER, person["project"])
    async with write_transaction():
        found = await _results(participant_id, person["exit_date"])
        await audit.record(
            "export",
            PARTICIPANT,
            participant_id,
            actor=principal,
            project_id=person["project"],
            note=f"{len(found)} results after leaving",
        )
    return found


async def follow_ups(
    principal: Principal, project_id: int, *, today: date | None = None
) -> list[FollowUp]:
    """Who left and lacks a result, by due date (then code): every missing exit and six-month
    result, overdue ones flagged."""
    if not await Project.exists().where(Project.id == project_id):
        raise NotFound()
    principal.require(Action.READ_REGISTER, project_id)
    today = today or date.today()
    leavers = await (
        Participant.select(Participant.id, Participant.code, Participant.exit_date)
        .where((Participant.project == project_id) & Participant.exit_date.is_not_null())
        .order_by(Participant.code)
    )
    recorded = {
        (r["participant"], r["stage"])
        for r in await ParticipantResult.select(
            ParticipantResult.participant, ParticipantResult.stage
        ).where(ParticipantResult.project == project_id)
    }
    due = [
        FollowUp(
            row["id"],
            row["code"],
            row["exit_date"],
            stage,
            due_date(stage, row["exit_date"]),
            overdue(stage, row["exit_date"], today),
        )
        for row in leavers
        for stage in ResultStage
        if (row["id"], stage) not in recorded
    ]
    return sorted(due, key=lambda f: (f.due, f.code, list(ResultStage).index(f.stage)))


async def follow_ups_page(
    principal: Principal,
    project_id: int,
    *,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    today: date | None = None,
    export: bool = False,
) -> Paged[FollowUp]:
    """A page of `follow_ups` (a page beyond the last is empty); `export` records the read in
    the audit trail, as the API's reads of participant-level data are."""
    found = await follow_ups(principal, project_id, today=today)
    start = offset(page, per_page)
    paged = Paged(found[start : start + per_page], len(found), page, per_page)
    if export:
        async with write_transaction():
            await audit.record(
                "export",
                PARTICIPANT,
                None,
                actor=principal,
                project_id=project_id,
                note=f"{len(paged.rows)} follow-ups (page {page}, {paged.total} in all)",
            )
    return paged
