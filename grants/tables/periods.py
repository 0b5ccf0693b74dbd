from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from grants.core.vocabulary import PeriodStatus
from grants.tables.projects import Project


class ReportingPeriod(Table):
    """A reporting period of a project, generated from its dates and the measure's rhythm.
    `submitted_at` is when it was last submitted (None: never, or before that was kept)."""

    project = ForeignKey(references=Project, null=False)
    number = Integer()
    start_date = Date()
    end_date = Date()
    deadline = Date()
    status = Varchar(length=10, choices=PeriodStatus, default=PeriodStatus.DRAFT)
    status_note = Text(default="")
    submitted_at = Timestamptz(null=True, default=None)
