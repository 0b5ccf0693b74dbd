from piccolo.columns import BigInt, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from grants.core.vocabulary import Gender
from grants.tables.accounts import User
from grants.tables.projects import Project


class Participant(Table):
    """A person in a project's register. Pseudonymous: a code, never a name or personal code.
    A code enters a project once (unique index on the code as compared, `code_key`), so a
    person counts once."""

    project = ForeignKey(references=Project, null=False)
    code = Varchar(length=50)
    code_key = Varchar(length=50, null=True, default=None)  # grants.register.participants
    target_group = Varchar(length=50, default="")  # e.g. "children", "grt"
    gender = Varchar(length=12, choices=Gender)
    birth_year = Integer()
    entry_date = Date()
    exit_date = Date(null=True, default=None)
    household = Varchar(length=50, default="")  # family code
    flags = Varchar(length=255, default="")  # comma-separated ParticipantFlag values
    # ESF+ Annex I data at entry; "" while not recorded, "refused" when not answered
    labour_status = Varchar(length=30, default="")
    education = Varchar(length=20, default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ParticipantResult(Table):
    """What became of a participant after leaving (ESF+ Annex I results): at `stage` "exit"
    (within 4 weeks of leaving) or "six_months". One row per participant and stage (unique by a
    raw index); `outcomes` is comma-separated result codes, or "refused" / "not_known"."""

    project = ForeignKey(references=Project, null=False)
    participant = ForeignKey(references=Participant, null=False, on_delete=OnDelete.cascade)
    stage = Varchar(length=20)
    recorded_on = Date()
    outcomes = Varchar(length=255, default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Service(Table):
    """A service in a project's catalogue, e.g. "Fizioterapeita nodarbība"."""

    project = ForeignKey(references=Project, null=False)
    name_lv = Text()
    name_en = Text(default="")
    unit_lv = Varchar(length=50, default="")
    unit_en = Varchar(length=50, default="")
    unit_price = BigInt(null=True, default=None)  # cents
    position = Integer(default=0)
    # a simplified cost option (grants.register.unit_costs): "unit_cost", "lump_sum" or ""
    sco_kind = Varchar(length=20, default="")
    sco_rate = BigInt(null=True, default=None)  # cents per unit, or the lump sum
    sco_category = Varchar(length=50, default="")  # the cost category it is claimed under
    deliverable_done = Date(null=True, default=None)  # a lump sum's deliverable, when done


class ServiceReceipt(Table):
    """A participant received a service: units (hundredths) and what it cost (cents)."""

    project = ForeignKey(references=Project, null=False)
    participant = ForeignKey(references=Participant, null=False)
    service = ForeignKey(references=Service, null=False)
    received_on = Date()
    units_hundredths = BigInt(default=100)
    amount = BigInt(default=0)
    note = Text(default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
