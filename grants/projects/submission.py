"""What to look at before a period is submitted: the checklist shown before the final "Submit".

Every item is a warning, never a refusal: whether to send an incomplete or late report is the
coordinator's call. The page and the API show the same checklist.
"""

from dataclasses import dataclass

from grants.core.access import Principal
from grants.core.dates import day_str
from grants.core.i18n import gettext, ngettext
from grants.core.translatable import N_
from grants.core.vocabulary import LOCKED_PERIOD_STATUSES
from grants.projects.periods import PeriodRow, days_after, get_period, list_periods, riga_today
from grants.projects.reports import NARRATIVE, narrative
from grants.results.progress import indicator_progress

EMPTY_SECTIONS = N_("Narrative sections left empty: %(sections)s.")
INCOMPLETE_BREAKDOWNS = N_("Breakdowns that do not add up in this period: %(indicators)s.")


@dataclass(frozen=True)
class SubmitChecklist:
    period: PeriodRow
    empty_sections: list[str]  # NARRATIVE keys without text, in report order
    incomplete_breakdowns: list[str]  # codes of indicators whose entry here does not add up
    earlier_not_reported: list[PeriodRow]  # earlier periods neither submitted nor approved
    days_late: int  # days past the deadline if it were submitted today (Riga); 0: on time

    @property
    def clear(self) -> bool:
        """Nothing to warn about."""
        return not self.warnings()

    def warnings(self) -> list[str]:
        """One sentence per item that needs a look, in the current language."""
        found = []
        if self.empty_sections:
            titles = ", ".join(gettext(NARRATIVE[key]) for key in self.empty_sections)
            found.append(gettext(EMPTY_SECTIONS, sections=titles))
        if self.incomplete_breakdowns:
            codes = ", ".join(self.incomplete_breakdowns)
            found.append(gettext(INCOMPLETE_BREAKDOWNS, indicators=codes))
        if self.earlier_not_reported:
            spans = ", ".join(
                f"{p.number} ({day_str(p.start)}–{day_str(p.end)})"
                for p in self.earlier_not_reported
            )
            found.append(
                ngettext(
                    "An earlier period is not submitted or approved: %(periods)s.",
                    "Earlier periods are not submitted or approved: %(periods)s.",
                    len(self.earlier_not_reported),
                    periods=spans,
                )
            )
        if self.days_late:
            found.append(
                ngettext(
                    "The deadline %(deadline)s has passed: the report is %(num)s day late.",
                    "The deadline %(deadline)s has passed: the report is %(num)s days late.",
                    self.days_late,
                    deadline=day_str(self.period.deadline),
                )
            )
        return found


async def submit_checklist(principal: Principal, period_id: int) -> SubmitChecklist:
    """The checklist of a period as it stands now; anyone who may read the period may see it."""
    period = await get_period(principal, period_id)
    texts = await narrative(principal, period_id)
    progress = await indicator_progress(principal, period.project_id, period_id)
    periods = await list_periods(principal, period.project_id)
    return SubmitChecklist(
        period=period,
        empty_sections=[key for key in NARRATIVE if not texts[key].strip()],
        incomplete_breakdowns=[
            p.code for p in progress if p.entry is not None and not p.entry.breakdown_complete
        ],
        earlier_not_reported=[
            p for p in periods if p.start < period.start and p.status not in LOCKED_PERIOD_STATUSES
        ],
        days_late=days_after(period.deadline, riga_today()),
    )
