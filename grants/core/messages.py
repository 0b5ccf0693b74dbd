"""Messages that several domain modules give for the same problem, so they read the same."""

from grants.core.translatable import N_
from grants.core.vocabulary import PeriodStatus

OUTSIDE_PROJECT = N_("The date %(date)s is outside the project period %(start)s–%(end)s.")
LOCKED_PERIOD = {
    PeriodStatus.SUBMITTED: N_("The period %(start)s–%(end)s is submitted and locked."),
    PeriodStatus.APPROVED: N_("The period %(start)s–%(end)s is approved and locked."),
}
TOO_LONG = N_("Write at most %(max)s characters.")
CONTROL_CHARACTER = N_(
    "The field %(name)s contains an invisible control character (%(char)s); remove it."
)
NOT_ONE_OF = N_("“%(value)s” is not one of: %(allowed)s.")
YEAR_REQUIRED = N_("Enter the year.")
YEAR_MALFORMED = N_("“%(text)s” is not a year: write four digits, e.g. 2026.")
PERIOD_UNKNOWN = N_("Choose a reporting period of this project.")
ATTACHMENT_UNKNOWN = N_("The attached file does not exist.")
CATEGORY_REQUIRED = N_("Choose a cost category.")
CATEGORY_UNKNOWN = N_("“%(category)s” is not a cost category of this project.")
RATE_OR_AMOUNT = N_("Give a rate or a fixed amount.")
RATE_OR_AMOUNT_NOT_BOTH = N_("Give a rate or a fixed amount, not both.")
