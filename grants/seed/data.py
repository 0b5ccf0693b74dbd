"""The shapes of the seed portfolio: plain, typed records that `grants.seed.demo` loads.

Amounts and targets are written as the documents write them ("252 091,67") and go through
the same parser as user input, so the seed also proves the parser.
"""

from dataclasses import dataclass, field

from grants.core.access import Principal
from grants.core.vocabulary import (
    Aggregation,
    AmountKind,
    FundingBase,
    FundingKind,
    IndicatorKind,
    IndicatorVocabulary,
    OrganisationKind,
    OurRole,
    PartnerRole,
    ProjectStatus,
    Role,
    TargetRule,
)

# Who saves the demo's budgets and indicator values through the app's own functions, so that
# they pass the same checks as typed ones: an administrator that is no user, named in the audit
# trail as the demo.
SEED_PRINCIPAL = Principal(
    user_id=None, email="grants demo", role=Role.ADMIN, project_ids=frozenset(), locale="lv"
)


@dataclass(frozen=True)
class Org:
    name: str
    kind: OrganisationKind
    short_name: str = ""
    country: str = "LV"
    is_own: bool = False


@dataclass(frozen=True)
class SeedIndicator:
    code: str
    name_lv: str
    name_en: str
    unit_lv: str
    unit_en: str
    target: str | None  # as written, e.g. "35", "80"; None for "on demand"
    rule: TargetRule = TargetRule.AT_LEAST
    aggregation: Aggregation = Aggregation.SUM
    kind: IndicatorKind = IndicatorKind.OUTPUT
    vocabulary: IndicatorVocabulary = IndicatorVocabulary.PROJECT
    measured_after_end: bool = False
    breakdowns: str = ""  # comma-separated Breakdown values, e.g. "gender,age"
    min_stay_months: int | None = None  # register counts: only stays at least this long
    target_group: str = ""  # register counts: only this group, e.g. "children"
    decimals: int | None = None  # none: 0 for register counts and persons/families, else 2


@dataclass(frozen=True)
class SeedFunding:
    source: str
    kind: FundingKind
    base: FundingBase
    rate: str | None = None  # "85"
    fixed: str | None = None  # "72 636,00"
    residual: bool = False
    partner: str | None = None  # organisation name, for base partner_budget


@dataclass(frozen=True)
class SeedPartner:
    organisation: str
    role: PartnerRole
    budget: str | None = None


@dataclass(frozen=True)
class SeedProject:
    code: str
    title_lv: str
    title_en: str
    measure: str  # measure code
    holder: str | None  # organisation name
    our_role: OurRole
    status: ProjectStatus
    start: str | None = None  # "01.01.2026"
    end: str | None = None
    total: str | None = None
    eligible: str | None = None
    amount_kind: AmountKind = AmountKind.CONTRACTED
    eu_ceiling: str | None = None
    decision_date: str | None = None
    contract_ref: str = ""
    note_lv: str = ""
    note_en: str = ""
    partners: list[SeedPartner] = field(default_factory=list)
    funding: list[SeedFunding] = field(default_factory=list)
    indicators: list[SeedIndicator] = field(default_factory=list)
