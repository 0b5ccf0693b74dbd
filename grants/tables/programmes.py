from piccolo.columns import BigInt, ForeignKey, Integer, Text, Varchar
from piccolo.table import Table

from grants.core.vocabulary import Fund, ReportingRhythm, Rounding
from grants.tables.organisations import Organisation


class Programme(Table):
    """A funding programme, e.g. the EU Cohesion Policy Programme 2021–2027 for Latvia."""

    code = Varchar(length=50, unique=True)
    name_lv = Text()
    name_en = Text()
    managing_body = ForeignKey(references=Organisation, null=True)


class Measure(Table):
    """A measure (pasākums) or priority within a programme: its fund and its rules."""

    programme = ForeignKey(references=Programme, null=False)
    code = Varchar(length=50)  # "4.4.1.1"; unique per programme (index in migrations)
    name_lv = Text()
    name_en = Text()
    fund = Varchar(length=10, choices=Fund)
    intermediate_body = ForeignKey(references=Organisation, null=True)
    reporting = Varchar(length=12, choices=ReportingRhythm, default=ReportingRhythm.QUARTERLY)
    rounding = Varchar(length=10, choices=Rounding, default=Rounding.HALF_UP)
    report_due_days = Integer(default=20)  # a period's report is due this many days after it
    # cents, without VAT: invoices above it need a procurement contract (grants.procurement)
    procurement_threshold = BigInt(null=True, default=None)


class MeasureCostCategory(Table):
    """A cost category a measure uses besides the six standard ones."""

    measure = ForeignKey(references=Measure, null=False)
    code = Varchar(length=50)
    name_lv = Text()
    name_en = Text(default="")
