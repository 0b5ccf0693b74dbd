"""A project's history as people read it: each audit event becomes a heading ("Expenditure
no. 3 corrected"), who did it and when (Riga time), and the fields it changed, labelled in the
reader's language with values formatted by kind: amounts as money, hundredths as quantities,
ISO dates as dates, vocabulary values by their labels, ids by the names they stand for.

The trail keeps raw values (the API gives them as they are); this is only how the page shows
them. A key missing from `FIELDS` still reads well: its name humanised, its value formatted by
its shape. To label a new key, add a line to `FIELDS`; a new kind of event, to `HEADINGS`.
"""

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_decimal

from grants.core import money
from grants.core.access import Action, Principal
from grants.core.audit import SYSTEM, AuditRow, count_project_audit, project_audit
from grants.core.i18n import (
    ENTITY_LABELS,
    category_names,
    current_locale,
    format_day,
    format_hundredths,
    format_moment,
    format_money,
    format_rate,
    gettext,
    label,
    localised,
)
from grants.core.translatable import N_
from grants.core.vocabulary import SPECIAL_CATEGORY_FLAGS
from grants.finance.expenditures import cost_categories
from grants.procurement.contracts import PROCEDURE_LABELS
from grants.projects.reports import NARRATIVE
from grants.tables.accounts import User
from grants.tables.attachments import Attachment
from grants.tables.claims import Claim
from grants.tables.indicators import IndicatorEntry
from grants.tables.participants import Participant, Service
from grants.tables.periods import ReportingPeriod
from grants.tables.programmes import Measure
from grants.tables.projects import Partner

PAGE_SIZE = 50
NONE = "—"
HIDDEN = N_("hidden (special-category data)")


@dataclass(frozen=True)
class FieldChange:
    """One field of an event: its label and its value before and after, each as lines (a list
    of records shows the records that went and those that came). `before` is empty when the
    event created the record, `after` when it removed it."""

    label: str
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: str  # in Riga time, as people there read it
    who: str  # the user's name, or their email when they have none
    email: str
    heading: str
    entity: str
    entity_id: int | None
    note: str
    changes: list[FieldChange]


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    page: int
    pages: int
    total: int


async def project_history(
    principal: Principal,
    project_id: int,
    project_code: str,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    page: int = 1,
) -> HistoryPage:
    """One page of the project's history (newest first), optionally one record's, as the
    principal may read it. Names come from one query per kind of reference on the page."""
    total = await count_project_audit(principal, project_id, entity=entity, entity_id=entity_id)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = await project_audit(
        principal,
        project_id,
        entity=entity,
        entity_id=entity_id,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    names = await _names(project_id, rows)
    special = principal.can(Action.READ_SPECIAL_CATEGORY, project_id)
    reader = _Reader(names, special)
    entries = [_entry(row, reader, project_code) for row in rows]
    return HistoryPage(entries, page, pages, total)


# Looking names up, a query per kind ----------------------------------------------------------


@dataclass
class _Names:
    """What ids and codes on a page of history stand for."""

    users: dict[str, str] = field(default_factory=dict)  # email → full name
    people: dict[int, str] = field(default_factory=dict)  # user id → full name or email
    services: dict[int, str] = field(default_factory=dict)
    participants: dict[int, str] = field(default_factory=dict)
    periods: dict[int, str] = field(default_factory=dict)
    partners: dict[int, str] = field(default_factory=dict)
    attachments: dict[int, str] = field(default_factory=dict)
    measures: dict[int, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    entries: dict[int, str] = field(default_factory=dict)  # an indicator value: code, period
    claims: dict[int, int] = field(default_factory=dict)  # claim id → its number


async def _names(project_id: int, rows: list[AuditRow]) -> _Names:
    wanted = _wanted(rows)
    names = _Names()
    emails = {row.actor for row in rows}
    if emails:
        found = await User.select(User.email, User.full_name).where(User.email.is_in(list(emails)))
        names.users = {r["email"]: r["full_name"] for r in found if r["full_name"]}
    periods = wanted["periods"] | wanted["reporting_period"] | wanted["period_narrative"]
    entries = []
    if wanted["indicator_entry"]:
        entries = await IndicatorEntry.select(
            IndicatorEntry.id,
            IndicatorEntry.indicator.code.as_alias("code"),
            IndicatorEntry.period,
        ).where(IndicatorEntry.id.is_in(list(wanted["indicator_entry"])))
        periods |= {r["period"] for r in entries}
    if periods:
        found = await ReportingPeriod.select(
            ReportingPeriod.id,
            ReportingPeriod.number,
            ReportingPeriod.start_date,
            ReportingPeriod.end_date,
        ).where(ReportingPeriod.id.is_in(list(periods)))
        names.periods = {r["id"]: _period_name(r) for r in found}
    names.entries = {
        r["id"]: f"{r['code']} · {names.periods.get(r['period'], NONE)}" for r in entries
    }
    services = wanted["services"] | wanted["service"]
    if services:
        found = await Service.select(Service.id, Service.name_lv, Service.name_en).where(
            Service.id.is_in(list(services))
        )
        names.services = {r["id"]: localised(r["name_lv"], r["name_en"]) for r in found}
    participants = wanted["participants"] | wanted["participant"]
    if participants:
        found = await Participant.select(Participant.id, Participant.code).where(
            Participant.id.is_in(list(participants))
        )
        names.participants = {r["id"]: r["code"] for r in found}
    if wanted["people"]:
        found = await User.select(User.id, User.email, User.full_name).where(
            User.id.is_in(list(wanted["people"]))
        )
        names.people = {r["id"]: r["full_name"] or r["email"] for r in found}
    if wanted["partners"]:
        found = await Partner.select(Partner.id, Partner.organisation.name.as_alias("name")).where(
            Partner.id.is_in(list(wanted["partners"]))
        )
        names.partners = {r["id"]: r["name"] for r in found}
    if wanted["attachments"]:
        found = await Attachment.select(Attachment.id, Attachment.name).where(
            Attachment.id.is_in(list(wanted["attachments"]))
        )
        names.attachments = {r["id"]: r["name"] for r in found}
    if wanted["measures"]:
        found = await Measure.select(Measure.id, Measure.code).where(
            Measure.id.is_in(list(wanted["measures"]))
        )
        names.measures = {r["id"]: r["code"] for r in found}
    if wanted["claim"]:
        found = await Claim.select(Claim.id, Claim.number).where(
            Claim.id.is_in(list(wanted["claim"]))
        )
        names.claims = {r["id"]: r["number"] for r in found}
    if wanted["categories"]:
        names.categories = category_names(await cost_categories(project_id))
    return names


def _wanted(rows: list[AuditRow]) -> defaultdict[str, set]:
    """The ids to look up, by the `_Names` table they are in; the records the events are
    about, by their entity; "categories" when any cost category is shown."""
    wanted: defaultdict[str, set] = defaultdict(set)
    for row in rows:
        if row.entity_id is not None:
            wanted[row.entity].add(row.entity_id)
        for key, item in (*_pairs(row.before), *_pairs(row.after)):
            shown = FIELDS.get(key, ("", _text))[1]
            if shown in _REFERENCES and isinstance(item, int) and not isinstance(item, bool):
                wanted[_REFERENCES[shown]].add(item)
            elif shown in (_category, _categories):
                wanted["categories"].add(True)
    return wanted


def _pairs(value: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) in a recorded value, those inside lists of records too."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from _pairs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _pairs(item)


def _period_name(row: dict) -> str:
    number = gettext("no. %(number)s", number=row["number"])
    return f"{number} ({format_day(row['start_date'])}–{format_day(row['end_date'])})"


# Formatting values by kind --------------------------------------------------------------------


@dataclass(frozen=True)
class _Reader:
    names: _Names
    special: bool  # may see special-category data


Format = Callable[[Any, _Reader], str]


def _text(value: Any, reader: _Reader) -> str:
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return ", ".join(_text(item, reader) for item in value)
    if isinstance(value, dict):
        return _record(value, reader)
    return str(value)


def _guess(value: Any, reader: _Reader) -> str:
    """A value of a key no one labelled: formatted by its shape."""
    if isinstance(value, str):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return _date(value, reader)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", value):
            return _moment(value, reader)
    return _text(value, reader)


def _money(value: Any, reader: _Reader) -> str:
    """Amounts are kept as decimal strings ("1234.50"), or cents where an int."""
    if isinstance(value, int) and not isinstance(value, bool):
        return format_money(value)
    try:
        return format_money(money.to_cents(Decimal(str(value))))
    except (InvalidOperation, TypeError, ValueError):
        return _text(value, reader)


def _quantity(value: Any, reader: _Reader) -> str:
    """Hundredths: 250 → "2,5"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return format_hundredths(value)
    return _text(value, reader)


def _rate(value: Any, reader: _Reader) -> str:
    """Rates are kept as percent strings ("85.00")."""
    try:
        return format_rate(money.to_cents(Decimal(str(value))))
    except (InvalidOperation, TypeError, ValueError):
        return _text(value, reader)


def _date(value: Any, reader: _Reader) -> str:
    try:
        return format_day(date.fromisoformat(str(value)))
    except ValueError:
        return _text(value, reader)


def _moment(value: Any, reader: _Reader) -> str:
    try:
        return format_moment(datetime.fromisoformat(str(value)))
    except ValueError:
        return _text(value, reader)


def _label(value: Any, reader: _Reader) -> str:
    return NONE if value in (None, "") else label(str(value))


def _labels(value: Any, reader: _Reader) -> str:
    """A list of vocabulary values (or a comma-separated string of them)."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return ", ".join(label(str(item)) for item in items if item) or NONE


def _flags(value: Any, reader: _Reader) -> str:
    """A participant's flags; for readers who may not see special-category data, the fact that
    such data is hidden from them, always, so its absence tells them nothing either."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    if reader.special:
        return _labels(items, reader)
    shown = [label(f) for f in items if f and f not in SPECIAL_CATEGORY_FLAGS]
    return ", ".join([*shown, gettext(HIDDEN)])


def _procedure(value: Any, reader: _Reader) -> str:
    return NONE if not value else gettext(PROCEDURE_LABELS.get(str(value), str(value)))


def _category(value: Any, reader: _Reader) -> str:
    return reader.names.categories.get(str(value), label(str(value))) if value else NONE


def _categories(value: Any, reader: _Reader) -> str:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return ", ".join(_category(item, reader) for item in items if item) or NONE


def _looked_up(table: Callable[[_Names], dict]) -> Format:
    """An id shown by the name the page's look-ups found for it (a code or name is shown as
    recorded; an id no longer there as "#id")."""

    def show(value: Any, reader: _Reader) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            return table(reader.names).get(value, f"#{value}")
        return _text(value, reader)

    return show


_service = _looked_up(lambda n: n.services)
_participant = _looked_up(lambda n: n.participants)
_period = _looked_up(lambda n: n.periods)
_partner = _looked_up(lambda n: n.partners)
_attachment = _looked_up(lambda n: n.attachments)
_measure = _looked_up(lambda n: n.measures)
_person = _looked_up(lambda n: n.people)
_REFERENCES = {
    _service: "services",
    _participant: "participants",
    _period: "periods",
    _partner: "partners",
    _attachment: "attachments",
    _measure: "measures",
    _person: "people",
}


def _size(value: Any, reader: _Reader) -> str:
    if not isinstance(value, int):
        return _text(value, reader)
    if value < 1024:
        return f"{value} B"
    unit, amount = (
        ("KB", Decimal(value) / 1024) if value < 2**20 else ("MB", Decimal(value) / 2**20)
    )
    return format_decimal(amount, format="#,##0.#", locale=current_locale()) + f"\u00a0{unit}"


def _breakdown(value: Any, reader: _Reader) -> str:
    """An indicator value by category: {"gender": {"women": 300}} → "Gender: Women 3"."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return _text(value, reader)
    if not isinstance(value, dict) or not value:
        return NONE
    return "; ".join(
        f"{label(dimension)}: "
        + ", ".join(f"{label(c)} {format_hundredths(n)}" for c, n in (figures or {}).items())
        for dimension, figures in value.items()
    )


def _by_source(value: Any, reader: _Reader) -> str:
    """Money per funding source, as a claim's payment records it: {"ESF+": "86.00"} →
    "ESF+ 86,00 €"."""
    if not isinstance(value, dict) or not value:
        return _text(value, reader)
    return "; ".join(f"{source} {_money(amount, reader)}" for source, amount in value.items())


def _record(value: dict, reader: _Reader) -> str:
    """One record of a list (a budget line, a funding line, a milestone) on one line; a record
    with one thing to show (a file: its name) is that thing."""
    shown = {key: _format(key, item, reader) for key, item in value.items() if key not in SKIPPED}
    shown = {key: text for key, text in shown.items() if text != NONE}
    if len(shown) == 1:
        return next(iter(shown.values()))
    return "; ".join(f"{_field_label(key)}: {text}" for key, text in shown.items()) or NONE


# Keys every subject records: label and kind. Keys ending in _date, _at, _hundredths, _amount,
# _cost and _id are read by their ending when not here; any other by the shape of its value.
FIELDS: dict[str, tuple[str, Format]] = {
    # projects and their funding plans
    "code": (N_("Code"), _text),
    "title_lv": (N_("Title"), _text),
    "title_en": (N_("Title (English)"), _text),
    "note_lv": (N_("Note"), _text),
    "note_en": (N_("Note (English)"), _text),
    "measure": (N_("Measure"), _measure),
    "our_role": (N_("Our role"), _label),
    "status": (N_("Status"), _label),
    "amount_kind": (N_("Kind of amount"), _label),
    "reporting": (N_("Reporting"), _label),
    "start_date": (N_("Start date"), _date),
    "end_date": (N_("End date"), _date),
    "total_cost": (N_("Total cost"), _money),
    "eligible_cost": (N_("Eligible cost"), _money),
    "eu_ceiling": (N_("EU fund maximum"), _money),
    "decision_date": (N_("Decision date"), _date),
    "contract_ref": (N_("Contract"), _text),
    "funding": (N_("Funding plan"), _text),
    "source": (N_("Source"), _text),
    "kind": (N_("Kind"), _label),
    "base": (N_("Base"), _label),
    "rate": (N_("Rate"), _rate),
    "residual": (N_("Takes the remainder"), _text),
    "partner": (N_("Partner"), _partner),
    "partner_id": (N_("Partner"), _partner),
    # expenditures and the budget
    "version": (N_("Version"), _text),
    "state": (N_("State"), _label),
    "date": (N_("Date"), _date),
    "amount": (N_("Amount"), _money),
    "eligible_amount": (N_("Eligible amount"), _money),
    "vat": (N_("VAT"), _money),
    "category": (N_("Cost category"), _category),
    "supplier": (N_("Supplier"), _text),
    "invoice_number": (N_("Invoice number"), _text),
    "payment_date": (N_("Payment date"), _date),
    "description": (N_("Description"), _text),
    "evidence_ref": (N_("Evidence"), _text),
    "attachment": (N_("Evidence file"), _attachment),
    "attachment_id": (N_("Evidence file"), _attachment),
    "attachments": (N_("Evidence files"), _text),
    "change_note": (N_("Reason for the change"), _text),
    "lines": (N_("Budget lines"), _text),
    "year": (N_("Year"), _text),
    "flat_rate": (N_("Flat rate"), _rate),
    "flat_rate_base": (N_("Flat rate of"), _categories),
    # the participant register and services
    "target_group": (N_("Target group"), _text),
    "gender": (N_("Gender"), _label),
    "birth_year": (N_("Birth year"), _text),
    "entry_date": (N_("Entry date"), _date),
    "exit_date": (N_("Exit date"), _date),
    "household": (N_("Household"), _text),
    "flags": (N_("Flags"), _flags),
    "participant": (N_("Participant"), _participant),
    "service": (N_("Service"), _service),
    "service_name": (N_("Service"), _text),
    "units_hundredths": (N_("Units"), _quantity),
    "note": (N_("Note"), _text),
    "name_lv": (N_("Title"), _text),
    "name_en": (N_("Title (English)"), _text),
    "unit_lv": (N_("Unit"), _text),
    "unit_en": (N_("Unit (English)"), _text),
    "unit_price": (N_("Unit price"), _money),
    "rows": (N_("Rows"), _text),
    # indicators and their values
    "vocabulary": (N_("Vocabulary"), _label),
    "baseline_hundredths": (N_("Baseline"), _quantity),
    "target_hundredths": (N_("Target"), _quantity),
    "target_rule": (N_("Target rule"), _label),
    "aggregation": (N_("How values combine"), _label),
    "measured_after_end": (N_("Measured after the project ends"), _text),
    "breakdowns": (N_("Breakdowns"), _labels),
    "min_stay_months": (N_("Minimum months of service"), _text),
    "decimals": (N_("Decimals"), _text),
    "milestones": (N_("Milestones"), _text),
    "due_date": (N_("Due"), _date),
    "value_hundredths": (N_("Value"), _quantity),
    "numerator_hundredths": (N_("Numerator"), _quantity),
    "denominator_hundredths": (N_("Denominator"), _quantity),
    "breakdown": (N_("Breakdown"), _breakdown),
    "comment": (N_("Comment"), _text),
    # periods and reports
    "period": (N_("Reporting period"), _period),
    "periods": (N_("Reporting periods"), _text),
    "number": (N_("Number"), _text),
    "start": (N_("Start date"), _date),
    "end": (N_("End date"), _date),
    "deadline": (N_("Deadline"), _date),
    "submitted_at": (N_("Submitted"), _moment),
    "data_hash": (N_("Fingerprint of the data (SHA-256)"), _text),
    **{section: (title, _text) for section, title in NARRATIVE.items()},
    # modifications and contract versions
    "reason": (N_("Reason"), _text),
    "in_force_from": (N_("In force from"), _date),
    "contract_version": (N_("Contract version"), _text),
    "correction_reason": (N_("Correction reason"), _text),
    "budget": (N_("Budget"), _money),
    "indicators": (N_("Indicator targets"), _text),
    "target": (N_("Target"), _text),
    "baseline": (N_("Baseline"), _text),
    "value": (N_("Value"), _text),
    "partners": (N_("Partners"), _text),
    "new_partners": (N_("New partners"), _text),
    "organisation": (N_("Organisation"), _text),
    "leaves": (N_("Leaves the project"), _text),
    # files and users
    "name": (N_("File name"), _text),
    "size": (N_("Size"), _size),
    "email": (N_("Email"), _text),
    "full_name": (N_("Name"), _text),
    "role": (N_("Role"), _label),
    "active": (N_("Active"), _text),
    "projects": (N_("Projects"), _text),
    "password": (N_("Password"), _text),
    "sessions_ended": (N_("Sessions ended"), _text),
    "user": (N_("User"), _text),
    "created_by": (N_("Entered by"), _person),
    "created_at": (N_("Entered"), _moment),
    # payment claims and the claim schedule
    "period_start": (N_("Period from"), _date),
    "period_end": (N_("Period to"), _date),
    "requested": (N_("Requested from the funder"), _money),
    "eligible": (N_("Eligible costs"), _money),
    "advance_cleared": (N_("Advance cleared"), _money),
    "approved": (N_("Approved"), _money),
    "deducted": (N_("Deducted"), _money),
    "paid": (N_("Paid"), _money),
    "entries": (N_("Expenditure entries"), _text),
    "payment": (N_("Payment received"), _by_source),
    "planned_date": (N_("Planned date"), _date),
    "document_version": (N_("Document version"), _text),
    "total": (N_("Total"), _money),
    # ESF+ participant data and results
    "labour_status": (N_("Labour-market status"), _label),
    "education": (N_("Education level"), _label),
    "exit_result": (N_("Result within 4 weeks of leaving"), _labels),
    "six_months_result": (N_("Result 6 months after leaving"), _labels),
    "exit_result_date": (N_("Date of the result within 4 weeks"), _date),
    "six_months_result_date": (N_("Date of the result at 6 months"), _date),
    # staff costs
    "person": (N_("Name or reference"), _text),
    "share": (N_("Employment share"), _text),
    "fixed_share": (N_("Fixed share of time"), _text),
    "years": (N_("Years"), _text),
    "annual_cost": (N_("Annual gross employment costs"), _money),
    "hourly_rate": (N_("Hourly rate"), _money),
    "hours_cap": (N_("Hours cap"), _text),
    "hours": (N_("Hours"), _text),
    "month": (N_("Month"), _text),
    "staff_id": (N_("Staff member"), _text),
    "expenditure_id": (N_("Expenditure"), _text),
    # procurement
    "reference": (N_("Contract reference"), _text),
    "procedure": (N_("Procurement procedure"), _procedure),
    "procurement_threshold": (N_("Procurement threshold"), _money),
    "contract_id": (N_("Contract"), _text),
}

# Keys a person has no use for: row ids that change with every version.
SKIPPED = frozenset({"id", "entry_no", "position", "code_key"})

_BY_ENDING: tuple[tuple[str, Format], ...] = (
    ("_date", _date),
    ("_at", _moment),
    ("_hundredths", _quantity),
    ("_amount", _money),
    ("_cost", _money),
)


def _field_label(key: str) -> str:
    if key in FIELDS:
        return gettext(FIELDS[key][0])
    return _human(key) or gettext("Value")


def _format(key: str, value: Any, reader: _Reader) -> str:
    if key in FIELDS:
        return FIELDS[key][1](value, reader)
    shape = next((fmt for ending, fmt in _BY_ENDING if key.endswith(ending)), _guess)
    return shape(value, reader)


def _lines(key: str, value: Any, reader: _Reader) -> list[str]:
    """A value as lines: one per record for a list of records, else one."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_record(item, reader) for item in value]
    return [_format(key, value, reader)]


def _changes(row: AuditRow, reader: _Reader, subject: str) -> list[FieldChange]:
    """Every field the event changed, as the reader sees it; for a creation every field it
    set, for a removal every field it had. Of a list of records, only those that went and
    those that came. A bare value the heading already names (the demo records a code) is not
    repeated."""
    before, after = _as_fields(row.before), _as_fields(row.after)
    creating, removing = row.before is None, row.after is None
    out = []
    for key in dict.fromkeys([*before, *after]):
        if key in SKIPPED or (key == "" and subject and after.get(key) == subject):
            continue
        old = _lines(key, before[key], reader) if key in before else []
        new = _lines(key, after[key], reader) if key in after else []
        if creating or removing:
            if (old or new) != [NONE]:
                out.append(FieldChange(_field_label(key), tuple(old), tuple(new)))
            continue
        if old == new:
            continue
        if _is_records(before.get(key), after.get(key)):
            old, new = [v for v in old if v not in new], [v for v in new if v not in old]
        out.append(FieldChange(_field_label(key), tuple(old or [NONE]), tuple(new or [NONE])))
    return out


def _is_records(*values: Any) -> bool:
    return any(isinstance(v, list) and any(isinstance(i, dict) for i in v) for v in values)


def _as_fields(value: Any) -> dict:
    """A recorded value as fields: a list of records is the budget's lines, a bare value
    (the demo records a code) one field."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {"lines": value}
    return {"": value}


# Headings -------------------------------------------------------------------------------------

# (entity, action) → heading; a status change is (entity, "status:" + the new status), a change
# of an expenditure's evidence files alone (entity, "files").
HEADINGS: dict[tuple[str, str], str] = {
    ("project", "create"): N_("Project %(name)s created"),
    ("project", "update"): N_("Project %(name)s changed"),
    ("budget", "update"): N_("Budget changed"),
    ("expenditure", "create"): N_("Expenditure %(name)s recorded"),
    ("expenditure", "update"): N_("Expenditure %(name)s corrected"),
    ("expenditure", "cancel"): N_("Expenditure %(name)s cancelled"),
    ("expenditure", "files"): N_("Evidence files of expenditure %(name)s changed"),
    ("participant", "create"): N_("Participant %(name)s added"),
    ("participant", "update"): N_("Participant %(name)s changed"),
    ("participant", "cancel"): N_("Participant %(name)s cancelled"),
    ("participant", "import"): N_("Participants imported"),
    ("participant", "export"): N_("Participant register exported"),
    ("service", "create"): N_("Service %(name)s added"),
    ("service", "update"): N_("Service %(name)s changed"),
    ("service_receipt", "create"): N_("Service received recorded: %(name)s"),
    ("service_receipt", "update"): N_("Service received corrected: %(name)s"),
    ("service_receipt", "cancel"): N_("Service received cancelled: %(name)s"),
    ("service_receipt", "import"): N_("Services received imported"),
    ("attachment", "create"): N_("Evidence file %(name)s attached"),
    ("indicator", "create"): N_("Indicator %(name)s created"),
    ("indicator", "update"): N_("Indicator %(name)s changed"),
    ("indicator_entry", "create"): N_("Indicator value logged: %(name)s"),
    ("indicator_entry", "update"): N_("Indicator value corrected: %(name)s"),
    ("reporting_period", "generate"): N_("Reporting periods laid out"),
    ("reporting_period", "status:submitted"): N_("Reporting period %(name)s submitted"),
    ("reporting_period", "status:approved"): N_("Reporting period %(name)s approved"),
    ("reporting_period", "status:returned"): N_(
        "Reporting period %(name)s returned for correction"
    ),
    ("reporting_period", "status:draft"): N_("Reporting period %(name)s reopened"),
    ("period_narrative", "update"): N_("Narrative of period %(name)s changed"),
    ("report_version", "freeze"): N_("Report frozen: %(name)s"),
    ("claim", "create"): N_("Payment claim %(name)s prepared"),
    ("claim", "update"): N_("Payment claim %(name)s changed"),
    ("claim", "submit"): N_("Payment claim %(name)s submitted"),
    ("claim", "return"): N_("Payment claim %(name)s returned for correction"),
    ("claim", "approve"): N_("Payment claim %(name)s approved"),
    ("claim", "reject"): N_("Payment claim %(name)s rejected"),
    ("claim", "discard"): N_("Draft payment claim %(name)s discarded"),
    ("claim", "pay"): N_("Payment received on claim %(name)s"),
    ("claim", "freeze"): N_("Document of payment claim %(name)s frozen"),
    ("modification", "create"): N_("Modification %(name)s proposed"),
    ("modification", "update"): N_("Modification %(name)s changed"),
    ("modification", "submit"): N_("Modification %(name)s submitted to the funder"),
    ("modification", "approve"): N_("Modification %(name)s approved"),
    ("modification", "reject"): N_("Modification %(name)s rejected"),
    ("modification", "withdraw"): N_("Modification %(name)s withdrawn"),
    ("claim_schedule", "create"): N_("Claim schedule version %(name)s saved"),
    ("claim_schedule", "update"): N_("Claim schedule version %(name)s saved"),
}

# Actions of events no heading names, for the heading made from the parts.
ACTIONS: dict[str, str] = {
    "create": N_("created"),
    "update": N_("changed"),
    "cancel": N_("cancelled"),
    "status": N_("status changed"),
    "import": N_("imported"),
    "export": N_("exported"),
    "generate": N_("generated"),
    "freeze": N_("frozen"),
    "submit": N_("submitted"),
    "return": N_("returned for correction"),
    "approve": N_("approved"),
    "reject": N_("rejected"),
    "pay": N_("payment received"),
}


def _heading(row: AuditRow, name: str) -> str:
    action = row.action
    if action == "status" and isinstance(row.after, dict):
        action = f"status:{row.after.get('status')}"
    elif action == "update" and _only_files_changed(row):
        action = "files"
    heading = HEADINGS.get((row.entity, action), "")
    if heading and (name or "%(name)s" not in heading):
        return gettext(heading, name=name)
    what = gettext(ENTITY_LABELS[row.entity]) if row.entity in ENTITY_LABELS else _human(row.entity)
    done = gettext(ACTIONS[row.action]) if row.action in ACTIONS else _human(row.action).lower()
    if not name:
        return gettext("%(what)s: %(action)s", what=what, action=done)
    return gettext("%(what)s %(name)s: %(action)s", what=what, name=name, action=done)


def _only_files_changed(row: AuditRow) -> bool:
    """An expenditure whose evidence files changed but not its figures."""
    before, after = _as_fields(row.before), _as_fields(row.after)
    changed = {k for k in {*before, *after} if before.get(k) != after.get(k)}
    return changed == {"attachments"}


def _human(key: str) -> str:
    """A key no one labelled, as words: "units_hundredths" → "Units hundredths"."""
    return key.replace("_", " ").strip().capitalize()


def _subject(row: AuditRow, names: _Names, project_code: str) -> str:
    """Which record the event is about, as people name it."""
    recorded = {**_as_fields(row.before), **_as_fields(row.after)}
    entity, key = row.entity, row.entity_id
    if entity == "project":
        return project_code
    if entity == "expenditure" and "entry_no" in recorded:
        return gettext("no. %(number)s", number=recorded["entry_no"])
    if entity == "participant":
        return recorded.get("code") or names.participants.get(key) or recorded.get("", "")
    if entity == "service":
        own = localised(recorded.get("name_lv", ""), recorded.get("name_en", ""))
        return own or names.services.get(key, "")
    if entity == "service_receipt" and "participant" in recorded:
        service = _service(recorded.get("service"), _Reader(names, False))
        return f"{recorded['participant']} · {service} · {_date(recorded.get('date'), _NO)}"
    if entity == "indicator" and recorded.get("code"):
        return recorded["code"]
    if entity == "indicator_entry":
        return names.entries.get(key, f"#{key}")
    if entity in ("reporting_period", "period_narrative"):
        return names.periods.get(key, f"#{key}" if key else "")
    if entity == "report_version" and "version" in recorded:
        period = names.periods.get(recorded.get("period"), "")
        return gettext("version %(version)s of period %(period)s", version=recorded["version"],
                       period=period)  # fmt: skip
    if entity == "claim" and ("number" in recorded or key in names.claims):
        number = recorded.get("number") or names.claims[key]
        return gettext("no. %(number)s", number=number)
    if entity == "modification" and "number" in recorded:
        return gettext("no. %(number)s", number=recorded["number"])
    if entity == "claim_schedule" and "version" in recorded:
        return str(recorded["version"])
    if entity == "attachment" and recorded.get("name"):
        return recorded["name"]
    if entity == "staff_member" and recorded.get("person"):
        return recorded["person"]
    if entity == "timesheet" and recorded.get("month"):
        return recorded["month"]
    if entity == "contract" and recorded.get("reference"):
        return recorded["reference"]
    return f"#{key}" if key is not None else ""


_NO = _Reader(_Names(), False)


def _entry(row: AuditRow, reader: _Reader, project_code: str) -> HistoryEntry:
    subject = _subject(row, reader.names, project_code)
    system = row.actor == SYSTEM
    return HistoryEntry(
        id=row.id,
        at=format_moment(row.at),
        who=gettext("the system") if system else reader.names.users.get(row.actor, row.actor),
        email="" if system else row.actor,
        heading=_heading(row, subject),
        entity=row.entity,
        entity_id=row.entity_id,
        note=row.note,
        changes=_changes(row, reader, subject),
    )
