"""Languages: Babel catalogues (Latvian by default, English) and locale-aware formatting.

The current locale lives in a context variable set once per request (or per CLI command), so
templates, domain messages and formatters all speak the same language without passing it around.
"""

from contextvars import ContextVar
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import get_month_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from grants.core import money
from grants.core.dates import RIGA, day_str
from grants.core.translatable import N_

LOCALES = ("lv", "en")
DEFAULT_LOCALE = "lv"
LOCALE_DIR = Path(__file__).parent.parent / "locale"


_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> NullTranslations:
    """Compile the .po catalogue in memory once, so no built .mo files live in the repository."""
    po_file = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def negotiate(requested: str | None) -> str:
    return requested if requested in LOCALES else DEFAULT_LOCALE


def set_locale(locale: str) -> None:
    _current.set(negotiate(locale))


def current_locale() -> str:
    return _current.get()


def gettext(message: str, **params: object) -> str:
    text = translations(current_locale()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(current_locale()).ngettext(singular, plural, n)
    return text % ({"num": n} | params)


def translate_error(message: str, params: dict[str, str]) -> str:
    """A domain error (English msgid with %(name)s placeholders) in the current language.
    Vocabulary values among the params ("eligible") are shown by their label."""
    return gettext(message, **{k: label(v) if v in LABELS else v for k, v in params.items()})


def localised(lv: str, en: str) -> str:
    """Pick the stored Latvian or English text, falling back to Latvian."""
    return en if current_locale() == "en" and en else lv


def format_money(cents: int | None, *, currency: bool = True) -> str:
    if cents is None:
        return "—"
    return money.format_amount(cents, current_locale(), currency=currency)


def format_rate(rate_bp: int | None) -> str:
    """A rate as it is kept, to the hundredth: 8500 → lv "85,00 %", en "85.00%"."""
    return "—" if rate_bp is None else format_percent(money.rate_fraction(rate_bp) * 100, places=2)


def format_hundredths(value: int | None) -> str:
    """An indicator figure kept in hundredths, without needless decimals: 1200 → "12"."""
    if value is None:
        return "—"
    return money.number_format(current_locale(), "#,##0.##")(money.from_hundredths(value))


# The percent pattern of each language: CLDR's (Babel's), except Latvian, where CLDR has
# "#,##0%" but Latvian typography puts a space between the number and the sign ("85 %"); a
# no-break space, so the sign never starts a line.
_PERCENT_PATTERNS = {"lv": "#,##0\u00a0%"}


@cache
def _percent_pattern(locale: str, places: int) -> str:
    pattern = _PERCENT_PATTERNS.get(locale) or Locale.parse(locale).percent_formats[None].pattern
    return pattern.replace("0", "0." + "0" * places, 1) if places else pattern


def format_percent(value: Decimal | int | None, places: int = 1, locale: str | None = None) -> str:
    """The one way a percentage is shown: `value` in percent (16.7, not 0.167), half-up to
    `places` decimals, in the language's style: lv "16,7 %", en "16.7%". No float: it would
    already have lost the figure."""
    if value is None:
        return "—"
    if not isinstance(value, Decimal | int):
        raise TypeError(f"expected Decimal or int, not {type(value).__name__}")
    locale = locale or current_locale()
    shown = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return money.number_format(locale, _percent_pattern(locale, places))(shown.scaleb(-2))


def format_number(value: Decimal | None, places: int = 1) -> str:
    """A computed figure (already rounded by the domain) in the locale's style."""
    if value is None:
        return "—"
    return money.number_format(current_locale(), "#,##0." + "0" * places)(value)


def quantity_input(value: int | None) -> str:
    """A figure in hundredths as a person would type it back into a form: 1250 → "12,5"."""
    if value is None:
        return ""
    return money.number_format(current_locale(), "0.##")(money.from_hundredths(value))


def typed_money(cents: int | None) -> str:
    """An amount as a person would type it back into a form."""
    return "" if cents is None else money.format_amount(cents, current_locale(), currency=False)


def typed_rate(rate_bp: int | None) -> str:
    """A rate as a person would type it back into a form: 8500 → "85,00"."""
    return "" if rate_bp is None else money.rate_to_str(rate_bp).replace(".", ",")


def typed_date(day: date | None) -> str:
    return day_str(day) if day else ""


@cache
def _month_abbreviations(locale: str) -> dict[int, str]:
    return dict(get_month_names("abbreviated", "format", locale))


def _day_text(value: date, locale: str) -> str:
    """Babel's "dd.MM.yyyy" (lv) or "d MMM yyyy" (en), written out: parsing the pattern on
    every call cost more than the rest of a table row."""
    if locale == "lv":
        return f"{value.day:02}.{value.month:02}.{value.year:04}"
    return f"{value.day} {_month_abbreviations(locale)[value.month]} {value.year:04}"


def format_day(value: date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    return _day_text(value, current_locale())


def format_moment(value: datetime | None) -> str:
    """A timestamp in Riga time, as people there read it (a naive one is taken as UTC, as Babel
    does)."""
    if value is None:
        return "—"
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(RIGA)
    return f"{_day_text(value, current_locale())} {value.hour:02}:{value.minute:02}"


def entity_label(entity: str) -> str:
    """The name of a kind of record (an audit event's `entity`) in the current language."""
    return gettext(ENTITY_LABELS.get(entity, entity))


def category_names(categories: dict[str, tuple[str, str] | None]) -> dict[str, str]:
    """Cost category codes to names: the catalogue's for the six standard ones, the measure's
    own (Latvian or English) for the others."""
    return {code: localised(*own) if own else label(code) for code, own in categories.items()}


def label(value: StrEnum | str | None) -> str:
    """The label of a vocabulary value in the current language."""
    if value is None:
        return "—"
    return gettext(LABELS.get(str(value), str(value)))


LABELS: dict[str, str] = {
    # our role
    "implementer": N_("Implementer"),
    "lead_partner": N_("Lead partner"),
    "partner": N_("Partner"),
    "cooperation_party": N_("Cooperation party"),
    "none": N_("Not ours (followed)"),
    "beneficiary": N_("Beneficiary"),
    # project status
    "application": N_("Application"),
    "approved": N_("Approved"),
    "contracted": N_("Contracted"),
    "in_progress": N_("In progress"),
    "closed": N_("Closed"),
    # amount kinds
    "maximum": N_("Maximum"),
    "conditional": N_("Conditional"),
    "planned": N_("Planned"),
    # funding kinds and bases
    "eu_fund": N_("EU fund"),
    "state_budget": N_("State budget"),
    "municipality": N_("Municipality"),
    "other": N_("Other"),
    "eligible": N_("Eligible costs"),
    "ineligible": N_("Ineligible costs"),
    "partner_budget": N_("Partner budget"),
    # indicators
    "output": N_("Output"),
    "result": N_("Result"),
    "esf_common": N_("ESF+ common indicator"),
    "erdf_common": N_("ERDF / Interreg common indicator"),
    "national": N_("National indicator"),
    "project": N_("Project indicator"),
    "at_least": N_("at least"),
    "exactly": N_("exactly"),
    "sum": N_("Sum of periods"),
    "cumulative": N_("Cumulative"),
    "percentage": N_("Percentage"),
    "participants": N_("Participants (register)"),
    "households": N_("Households (register)"),
    "completed": N_("Completed cycles (register)"),
    "common": N_("ESF+ common indicator (register)"),
    # audit actions and records
    "create": N_("Created"),
    "update": N_("Changed"),
    "cancel": N_("Cancelled"),
    "status": N_("Status change"),
    # cost categories
    "staff": N_("Staff"),
    "office_admin": N_("Office and administration"),
    "travel": N_("Travel and accommodation"),
    "external_services": N_("External expertise and services"),
    "equipment": N_("Equipment"),
    "infrastructure": N_("Infrastructure and works"),
    # record states
    "current": N_("Current"),
    "superseded": N_("Superseded"),
    "cancelled": N_("Cancelled"),
    # period statuses
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "returned": N_("Returned for correction"),
    # payment claims: kinds, and the statuses periods do not have
    "advance": N_("Advance"),
    "interim": N_("Interim claim"),
    "final": N_("Final claim"),
    "partner_report": N_("Partner report"),
    "paid": N_("Paid"),
    "rejected": N_("Rejected"),
    # modifications: the status periods and claims do not have
    "withdrawn": N_("Withdrawn"),
    # participants
    "female": N_("Female"),
    "male": N_("Male"),
    "non-binary": N_("Non-binary"),
    "disability": N_("Disability"),
    "unemployed": N_("Unemployed"),
    "long_term_unemployed": N_("Long-term unemployed"),
    "inactive": N_("Inactive"),
    "employed": N_("Employed (incl. self-employed)"),
    "neet": N_("NEET"),
    "homeless": N_("Homeless or housing-excluded"),
    "third_country_national": N_("Third-country national"),
    "foreign_background": N_("Foreign background"),
    "minority": N_("Minority (incl. Roma)"),
    "rural": N_("Rural area"),
    # ESF+ data at entry and results after leaving
    "refused": N_("Refused to answer"),
    "isced_0_2": N_("Primary education or lower (ISCED 0–2)"),
    "isced_3_4": N_("Upper secondary or post-secondary (ISCED 3–4)"),
    "isced_5_8": N_("Tertiary education (ISCED 5–8)"),
    "job_searching": N_("Job searching"),
    "education_training": N_("In education or training"),
    "qualification": N_("Gaining a qualification"),
    "better_situation": N_("Better labour-market situation"),
    "not_known": N_("Not known"),
    "exit": N_("Within 4 weeks of leaving"),
    "six_months": N_("6 months after leaving"),
    # staff costs
    "hourly": N_("By the hour, from timesheets"),
    "fixed_share": N_("Fixed share of working time"),
    # breakdowns
    "gender": N_("Gender"),
    "age": N_("Age at entry"),
    "women": N_("Women"),
    "men": N_("Men"),
    "non_binary": N_("Non-binary"),
    "under_18": N_("Under 18"),
    "18_29": N_("18–29"),
    "30_54": N_("30–54"),
    "55_plus": N_("55 and over"),
    # reporting
    "quarterly": N_("Quarterly"),
    "half-yearly": N_("Half-yearly"),
    "yearly": N_("Yearly"),
    # roles
    "admin": N_("Administrator"),
    "finance": N_("Finance"),
    "coordinator": N_("Coordinator"),
    "viewer": N_("Viewer"),
    "auditor": N_("Auditor"),
}

ENTITY_LABELS: dict[str, str] = {
    "project": N_("Project"),
    "modification": N_("Modification"),
    "participant": N_("Participant"),
    "service": N_("Service"),
    "service_receipt": N_("Service received"),
    "budget": N_("Budget"),
    "attachment": N_("Evidence file"),
    "grants_user": N_("User"),
    "api_token": N_("API token"),
    "expenditure": N_("Expenditure"),
    "indicator": N_("Indicator"),
    "indicator_entry": N_("Indicator value"),
    "reporting_period": N_("Reporting period"),
    "period_narrative": N_("Period narrative"),
    "report_version": N_("Report version"),
    "claim": N_("Payment claim"),
    "claim_schedule": N_("Claim schedule"),
    "staff_member": N_("Staff member"),
    "timesheet": N_("Timesheet"),
    "contract": N_("Procurement contract"),
    "measure": N_("Measure"),
}


def template_globals() -> dict[str, object]:
    """What every template (pages and reports) may call: translation and locale formats."""
    return {
        "_": gettext,
        "ngettext": ngettext,
        "label": label,
        "entity_label": entity_label,
        "localised": localised,
        "money": format_money,
        "rate": format_rate,
        "day": format_day,
        "when": format_moment,
        "quantity": format_hundredths,
        "quantity_input": quantity_input,
        "typed_money": typed_money,
        "typed_date": typed_date,
        "percent": format_percent,
        "decimal": format_number,
        "current_locale": current_locale,
    }
