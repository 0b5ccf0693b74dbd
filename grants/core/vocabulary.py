"""The fixed vocabularies of the domain, shared by tables, domain logic, API and pages.

Values are stable machine names (stored in the database and used in the API); labels for
people come from the translation catalogues (see `grants.core.i18n.label`).
"""

from enum import StrEnum


class OrganisationKind(StrEnum):
    MUNICIPALITY = "municipality"
    PUBLIC_BODY = "public_body"
    PLANNING_REGION = "planning_region"
    NGO = "ngo"
    COMPANY = "company"


class Fund(StrEnum):
    ESF_PLUS = "ESF+"
    ERDF = "ERDF"
    CF = "CF"
    RRF = "RRF"
    STATE = "state"
    OTHER = "other"


class ReportingRhythm(StrEnum):
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half-yearly"
    YEARLY = "yearly"


class Rounding(StrEnum):
    """How computed shares and flat rates reach the cent (Jems truncates; we default to half-up)."""

    HALF_UP = "half_up"
    DOWN = "down"


class OurRole(StrEnum):
    IMPLEMENTER = "implementer"
    LEAD_PARTNER = "lead_partner"
    PARTNER = "partner"
    COOPERATION_PARTY = "cooperation_party"
    NONE = "none"  # programme view: projects of other organisations we follow


class ProjectStatus(StrEnum):
    APPLICATION = "application"
    APPROVED = "approved"
    CONTRACTED = "contracted"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class AmountKind(StrEnum):
    """What a project's figures are: an approval, a signed contract or a ceiling."""

    APPROVED = "approved"
    CONTRACTED = "contracted"
    MAXIMUM = "maximum"
    CONDITIONAL = "conditional"
    PLANNED = "planned"


class PartnerRole(StrEnum):
    BENEFICIARY = "beneficiary"
    LEAD_PARTNER = "lead_partner"
    PARTNER = "partner"
    COOPERATION_PARTY = "cooperation_party"


class FundingKind(StrEnum):
    EU_FUND = "eu_fund"
    STATE_BUDGET = "state_budget"
    MUNICIPALITY = "municipality"
    PARTNER = "partner"
    OTHER = "other"


class FundingBase(StrEnum):
    """What a funding line is a share of."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    PARTNER_BUDGET = "partner_budget"


class CostCategory(StrEnum):
    """The six standard cost categories (CPR / Interreg); programmes may add their own."""

    STAFF = "staff"
    OFFICE_ADMIN = "office_admin"
    TRAVEL = "travel"
    EXTERNAL_SERVICES = "external_services"
    EQUIPMENT = "equipment"
    INFRASTRUCTURE = "infrastructure"


class IndicatorKind(StrEnum):
    OUTPUT = "output"
    RESULT = "result"


class IndicatorVocabulary(StrEnum):
    ESF_COMMON = "esf_common"  # EECO…, EECR…
    ERDF_COMMON = "erdf_common"  # RCO…, RCR…
    NATIONAL = "national"
    PROJECT = "project"


class Aggregation(StrEnum):
    """How an indicator's values combine over periods."""

    SUM = "sum"
    CUMULATIVE = "cumulative"
    PERCENTAGE = "percentage"
    PARTICIPANTS = "participants"
    HOUSEHOLDS = "households"
    COMPLETED = "completed"
    COMMON = "common"  # an ESF+ common indicator counted from the register (Indicator.source)


class TargetRule(StrEnum):
    AT_LEAST = "at_least"
    EXACTLY = "exactly"
    NONE = "none"  # on demand: no target


class PeriodStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


def category_key(category: str) -> tuple[int, str]:
    """The six standard cost categories in their order, then a measure's own alphabetically."""
    standard = list(CostCategory)
    return (standard.index(category) if category in standard else len(standard), category)


class ModificationStatus(StrEnum):
    """draft → submitted → approved or rejected; a draft or a submitted one may be withdrawn."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Role(StrEnum):
    ADMIN = "admin"
    FINANCE = "finance"
    COORDINATOR = "coordinator"
    VIEWER = "viewer"
    AUDITOR = "auditor"


ROLES_SEEING_ALL_PROJECTS = frozenset({Role.ADMIN, Role.AUDITOR})


class RecordState(StrEnum):
    """Versioned records are never changed in place: an edit supersedes, a cancel cancels."""

    CURRENT = "current"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


class ClaimKind(StrEnum):
    """What a payment claim asks for: an advance, the period's costs, the last costs, or an
    Interreg partner's six-month report that a controller certifies."""

    ADVANCE = "advance"
    INTERIM = "interim"
    FINAL = "final"
    PARTNER_REPORT = "partner_report"


class ClaimStatus(StrEnum):
    """draft → submitted → approved → paid; submitted → returned → submitted; or rejected."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


class Breakdown(StrEnum):
    """Disaggregations an indicator can ask for (ESF+ Annex I)."""

    GENDER = "gender"
    AGE = "age"


GENDERS = ("women", "men", "non_binary")
AGE_GROUPS = ("under_18", "18_29", "30_54", "55_plus")
BREAKDOWN_KEYS: dict[str, tuple[str, ...]] = {Breakdown.GENDER: GENDERS, Breakdown.AGE: AGE_GROUPS}

# A submitted period waits for approval and an approved one is closed: neither takes changes.
LOCKED_PERIOD_STATUSES = frozenset({PeriodStatus.SUBMITTED, PeriodStatus.APPROVED})


class Gender(StrEnum):
    """As ESF+ Annex I asks; the breakdown categories are women / men / non_binary."""

    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non-binary"


GENDER_BREAKDOWN = {Gender.FEMALE: "women", Gender.MALE: "men", Gender.NON_BINARY: "non_binary"}


class ParticipantFlag(StrEnum):
    """Situations a programme asks about (ESF+ common indicators); no names, ever."""

    DISABILITY = "disability"
    UNEMPLOYED = "unemployed"
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"
    INACTIVE = "inactive"
    EMPLOYED = "employed"
    NEET = "neet"
    HOMELESS = "homeless"
    THIRD_COUNTRY_NATIONAL = "third_country_national"
    FOREIGN_BACKGROUND = "foreign_background"
    MINORITY = "minority"
    RURAL = "rural"


class LabourStatus(StrEnum):
    """A participant's labour-market status at entry (ESF+ Annex I): exactly one."""

    UNEMPLOYED = "unemployed"
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"
    INACTIVE = "inactive"
    EMPLOYED = "employed"  # including self-employed
    REFUSED = "refused"  # did not answer: counted in no indicator, and not as "no"


class Education(StrEnum):
    """The highest education attained at entry, by ISCED level (ESF+ Annex I)."""

    ISCED_0_2 = "isced_0_2"
    ISCED_3_4 = "isced_3_4"
    ISCED_5_8 = "isced_5_8"
    REFUSED = "refused"


class ResultStage(StrEnum):
    """When a result after leaving is recorded: within 4 weeks of leaving, or at 6 months."""

    EXIT = "exit"
    SIX_MONTHS = "six_months"


class ParticipantOutcome(StrEnum):
    """Results after leaving (ESF+ Annex I); which stage asks which is in grants.register."""

    JOB_SEARCHING = "job_searching"  # at exit
    EDUCATION_TRAINING = "education_training"  # at exit
    QUALIFICATION = "qualification"  # at exit
    EMPLOYED = "employed"  # at exit and at six months, including self-employed
    BETTER_SITUATION = "better_situation"  # at six months
    REFUSED = "refused"
    NOT_KNOWN = "not_known"


# Special-category data (GDPR Art. 9): shown only to roles that need it.
SPECIAL_CATEGORY_FLAGS = frozenset({ParticipantFlag.DISABILITY, ParticipantFlag.MINORITY})
