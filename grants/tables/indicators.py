from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
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

from grants.core.vocabulary import (
    Aggregation,
    IndicatorKind,
    IndicatorVocabulary,
    RecordState,
    TargetRule,
)
from grants.tables.accounts import User
from grants.tables.attachments import Attachment
from grants.tables.periods import ReportingPeriod
from grants.tables.projects import Project


class Indicator(Table):
    """An output or result indicator. Figures are hundredths (12 persons is 1200) to stay exact."""

    project = ForeignKey(references=Project, null=False)
    code = Varchar(length=30)
    name_lv = Text()
    name_en = Text(default="")
    kind = Varchar(length=10, choices=IndicatorKind, default=IndicatorKind.OUTPUT)
    vocabulary = Varchar(
        length=20, choices=IndicatorVocabulary, default=IndicatorVocabulary.PROJECT
    )
    unit_lv = Varchar(length=50, default="")
    unit_en = Varchar(length=50, default="")
    baseline_hundredths = BigInt(null=True, default=None)
    target_hundredths = BigInt(null=True, default=None)
    target_rule = Varchar(length=10, choices=TargetRule, default=TargetRule.AT_LEAST)
    aggregation = Varchar(length=15, choices=Aggregation, default=Aggregation.SUM)
    measured_after_end = Boolean(default=False)
    breakdowns = Varchar(length=50, default="")  # comma-separated Breakdown values
    min_stay_months = Integer(null=True, default=None)  # "completed": exits after this stay
    target_group = Varchar(length=50, default="")  # register counts: only this group
    position = Integer(default=0)
    decimals = Integer(default=2)  # 0–2: how many decimals a figure takes (0: whole units)
    source = Varchar(length=20, default="")  # "common": the ESF+ common indicator's code, EECO01…


class Milestone(Table):
    """An intermediate target an indicator must reach by a date."""

    indicator = ForeignKey(references=Indicator, null=False)
    due_date = Date()
    value_hundredths = BigInt()


class IndicatorEntry(Table):
    """What an indicator reached in one period. One current entry per indicator and period;
    an edit supersedes the old row. Figures are hundredths; `breakdown` maps a dimension to
    {category: hundredths}, e.g. {"gender": {"women": 300, "men": 200, "non_binary": 0}}."""

    indicator = ForeignKey(references=Indicator, null=False)
    period = ForeignKey(references=ReportingPeriod, null=False)
    state = Varchar(length=12, choices=RecordState, default=RecordState.CURRENT)
    value_hundredths = BigInt(null=True, default=None)
    numerator_hundredths = BigInt(null=True, default=None)
    denominator_hundredths = BigInt(null=True, default=None)
    breakdown = JSON(null=True, default=None)
    comment = Text(default="")
    evidence_ref = Varchar(length=255, default="")
    attachment = ForeignKey(references=Attachment, null=True, on_delete=OnDelete.set_null)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
