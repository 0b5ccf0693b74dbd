from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Text, Varchar
from piccolo.table import Table

from grants.tables.projects import Project
from grants.vocabulary import Aggregation, IndicatorKind, IndicatorVocabulary, TargetRule


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
    position = Integer(default=0)


class Milestone(Table):
    """An intermediate target an indicator must reach by a date."""

    indicator = ForeignKey(references=Indicator, null=False)
    due_date = Date()
    value_hundredths = BigInt()
