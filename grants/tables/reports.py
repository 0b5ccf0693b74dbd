"""Period reports: the narrative written for a period, and the report versions frozen on
submission (the rendered files exactly as they were sent, with a hash of their data)."""

from piccolo.columns import (
    Bytea,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from grants.tables.accounts import User
from grants.tables.periods import ReportingPeriod


class PeriodNarrative(Table):
    """One narrative section of a period's report (grants.projects.reports.NARRATIVE keys);
    unique (period, section) by a raw index."""

    period = ForeignKey(references=ReportingPeriod, null=False, on_delete=OnDelete.cascade)
    section = Varchar(length=30)
    text = Text(default="")
    updated_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(default=TimestamptzNow())


class ReportVersion(Table):
    """A period's report as frozen on submission; never changed. Unique (period, version).
    The `*_reduced` files are the same report without the register's service tables, for
    readers who may not see the register (None: frozen before they were kept); the CSV has no
    service tables."""

    period = ForeignKey(references=ReportingPeriod, null=False, on_delete=OnDelete.cascade)
    version = Integer()
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Varchar(length=255)  # email or "cli"; kept even if the user goes
    report_date = Date()
    locale = Varchar(length=5, default="lv")
    contract_version = Integer(null=True, default=None)  # the contract version it was made under
    data_hash = Varchar(length=64)  # sha256 hex of the CSV, the report's canonical data
    html = Bytea()
    pdf = Bytea()
    xlsx = Bytea()
    csv = Bytea()
    html_reduced = Bytea(null=True, default=None)
    pdf_reduced = Bytea(null=True, default=None)
    xlsx_reduced = Bytea(null=True, default=None)
