from piccolo.columns import Boolean, Varchar
from piccolo.table import Table

from grants.core.vocabulary import OrganisationKind


class Organisation(Table):
    """A municipality, funder, intermediate body, partner or applicant."""

    name = Varchar(length=255, unique=True)
    short_name = Varchar(length=100, default="")
    country = Varchar(length=2, default="LV")
    kind = Varchar(length=30, choices=OrganisationKind, default=OrganisationKind.PUBLIC_BODY)
    is_own = Boolean(default=False)  # the organisation this installation belongs to
