"""Project modifications (grozījumi) and the versions of the contract they make.

The project's own tables (project dates and costs, funding lines, budget lines, indicator
targets and milestones, partners) always hold the newest version; `ContractVersion` keeps every
version whole, as `grants.modifications.versions.capture` reads it, so a period or a report of
an older version is computed from what was in force then."""

from piccolo.columns import JSON, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from grants.core.vocabulary import ModificationStatus
from grants.tables.accounts import User
from grants.tables.projects import Project


class Modification(Table):
    """A change to a project's contract, proposed with a reason and decided by the funder.
    `changes` holds what it changes, in the API's shapes (money as decimal strings); `version`
    is the contract version its approval made."""

    project = ForeignKey(references=Project, null=False)
    number = Integer()  # 1, 2, … per project, as people refer to it; unique (project, number)
    status = Varchar(length=12, choices=ModificationStatus, default=ModificationStatus.DRAFT)
    reason = Text()
    changes = JSON()
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    decision_date = Date(null=True, default=None)  # the funder's decision, as its letter dates it
    reference = Varchar(length=255, default="")  # the funder's decision or agreement number
    decision_note = Text(default="")  # why it was rejected or withdrawn
    in_force_from = Date(null=True, default=None)
    version = Integer(null=True, default=None)


class ContractVersion(Table):
    """One version of a project's contract, whole (see the module docstring). Version 1 is the
    contract as signed, in force from the start (`in_force_from` None); it is stored when the
    first modification is approved. Unique (project, number)."""

    project = ForeignKey(references=Project, null=False)
    number = Integer()
    in_force_from = Date(null=True, default=None)
    modification = ForeignKey(references=Modification, null=True, on_delete=OnDelete.set_null)
    snapshot = JSON()
    created_at = Timestamptz(default=TimestamptzNow())
