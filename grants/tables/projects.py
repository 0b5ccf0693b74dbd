from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from grants.core.vocabulary import AmountKind, OurRole, PartnerRole, ProjectStatus, ReportingRhythm
from grants.tables.organisations import Organisation
from grants.tables.programmes import Measure


class Project(Table):
    """A funded project. Costs are cents; ineligible cost is derived (total − eligible)."""

    code = Varchar(length=100)  # verbatim, as the funder writes it
    code_key = Varchar(
        length=100, unique=True
    )  # normalised, see grants.projects.reading.normalise_code
    title_lv = Text()
    title_en = Text(default="")
    measure = ForeignKey(references=Measure, null=False)
    holder = ForeignKey(references=Organisation, null=True)  # beneficiary or lead partner
    our_role = Varchar(length=20, choices=OurRole)
    status = Varchar(length=20, choices=ProjectStatus)
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    total_cost = BigInt(null=True, default=None)
    eligible_cost = BigInt(null=True, default=None)
    amount_kind = Varchar(length=12, choices=AmountKind, default=AmountKind.CONTRACTED)
    eu_ceiling = BigInt(null=True, default=None)  # a fund maximum for the whole project
    reporting = Varchar(length=12, choices=ReportingRhythm, default=ReportingRhythm.QUARTERLY)
    decision_date = Date(null=True, default=None)
    contract_ref = Varchar(length=255, default="")
    note_lv = Text(default="")
    note_en = Text(default="")
    # the contract lets it claim unit costs and lump sums (grants.register.unit_costs)
    simplified_costs = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Partner(Table):
    """An organisation taking part in a project, with its own budget where known."""

    project = ForeignKey(references=Project, null=False)
    organisation = ForeignKey(references=Organisation, null=False)
    role = Varchar(length=20, choices=PartnerRole)
    budget = BigInt(null=True, default=None)
    position = Integer(default=0)
