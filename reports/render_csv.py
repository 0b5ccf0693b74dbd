"""The progress report's indicator and money sections as one CSV, for spreadsheets and for
comparing with other systems.

Layout (one header row, then one row per figure, "long" form so every section fits one table):

    section;key;label;measure;value;unit

- section: `indicators`, `breakdowns`, `sources`, `source_totals`, `declared`, `categories`,
  `category_totals`, `reconciliation`
- key: the indicator code (with `/dimension/category` for breakdowns), the funding source, the
  cost category code, the declared measure (`amount`, `eligible`, `ineligible`, `vat`), or
  the reconciliation line: `declared` (eligible costs, what the split by source is computed
  on) + `on_flat_rate` (negative: recorded on flat-rate categories, not counted there; only
  when there are any) + `flat_rate` (computed flat-rate amounts) = `total` (the budget by
  cost category's total)
- label: the indicator, source, category or line name in the report's language; a flat-rate
  category's says its rate and base ("flat rate 15,00 % of Staff"), an indicator counted from
  the participant register the date it is counted up to
- measure: `target`, `previously`, `this_period`, `to_date`, `percent_of_target`, `value`,
  `total`, `planned`, `remaining`, `absorption`
- value: the figure without grouping, with the locale's decimal separator (lv "252091,67",
  en "252091.67"); money always has two decimals, percentages one, indicator figures as few
  as they need ("12", "12,5"); empty when there is no figure
- unit: `EUR`, `%`, or the indicator's unit

Separator `;`, UTF-8 with a byte-order mark (so spreadsheet programs read Latvian letters),
CRLF line ends, fields quoted only when needed. A text field that a spreadsheet would take for
a formula (beginning with =, +, -, @, a tab or a carriage return: a title "=HYPERLINK(…)")
begins with an apostrophe instead; `value` is always a number, and a negative one stays one.
"""

import csv
from collections.abc import Callable, Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

from grants.core.i18n import format_day, format_rate, gettext
from grants.core.money import cents_to_str, quantity_str
from reports.frames import in_locale, records
from reports.project_report import ProjectReport, category_totals, source_totals

HEADER = ("section", "key", "label", "measure", "value", "unit")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_INDICATOR_MEASURES = ("target", "previously", "this_period", "to_date")
_MONEY_MEASURES = ("planned", "this_period", "to_date", "remaining")

Row = tuple[str, str, str, str, str, str]
Format = Callable[[Any], str]


def render_csv(report: ProjectReport) -> bytes:
    """The indicators and money sections, one figure a row (layout in the module's doc)."""
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    rows = in_locale(report.locale, lambda: list(csv_rows(report)))
    writer.writerows(
        (text(section), text(key), text(label), text(measure), value, text(unit))
        for section, key, label, measure, value, unit in rows
    )
    return buffer.getvalue().encode("utf-8-sig")


def text(field: str) -> str:
    """A text field as a spreadsheet will read it: never as a formula."""
    return "'" + field if str(field).startswith(FORMULA_STARTS) else field


def csv_rows(report: ProjectReport) -> Iterator[Row]:
    """The rows under the header; labels in the current language."""
    comma = report.locale == "lv"

    def money(cents: int | None) -> str:
        return "" if cents is None else _decimal_mark(cents_to_str(cents), comma)

    def figure(hundredths: int | None) -> str:
        return "" if hundredths is None else _decimal_mark(quantity_str(hundredths), comma)

    def percent(value: Decimal | None) -> str:
        return "" if value is None else _decimal_mark(f"{value:f}", comma)

    for i in records(report.indicators):
        name = i["name"]
        if i["counted_until"]:
            day = format_day(i["counted_until"])
            name += f" ({gettext('counted from the participant register up to %(day)s', day=day)})"
        for measure in _INDICATOR_MEASURES:
            yield ("indicators", i["code"], name, measure, figure(i[measure]), i["unit"])
        share = percent(i["percent_of_target"])
        yield ("indicators", i["code"], name, "percent_of_target", share, "%")
    for b in records(report.breakdowns):
        key = f"{b['code']}/{b['dimension']}/{b['category']}"
        label = f"{b['dimension_label']}: {b['category_label']}"
        yield ("breakdowns", key, label, "value", figure(b["value"]), "")
    yield from _money_rows("sources", "source", "source", records(report.sources), money, percent)
    yield from _totals("source_totals", source_totals(report), money, percent)
    for d in records(report.declared):
        for measure in ("this_period", "to_date"):
            yield ("declared", d["measure"], d["label"], measure, money(d[measure]), "EUR")
    categories = [c | {"name": _category_label(c)} for c in records(report.categories)]
    yield from _money_rows("categories", "category", "name", categories, money, percent)
    yield from _totals("category_totals", category_totals(report), money, percent)
    for r in records(report.reconciliation):
        for measure in ("this_period", "to_date"):
            yield ("reconciliation", r["measure"], r["label"], measure, money(r[measure]), "EUR")


def _category_label(row: dict[str, Any]) -> str:
    """The category's name; a flat-rate one's with its rate and base."""
    if row["flat_rate_bp"] is None:
        return row["name"]
    rate = format_rate(row["flat_rate_bp"])
    flat = gettext("flat rate %(rate)s of %(base)s", rate=rate, base=row["flat_rate_base"])
    return f"{row['name']} ({flat})"


def _money_rows(
    section: str, key: str, label: str, rows: list[dict[str, Any]], money: Format, percent: Format
) -> Iterator[Row]:
    for row in rows:
        for measure in _MONEY_MEASURES:
            yield (section, row[key], row[label], measure, money(row[measure]), "EUR")
        yield (section, row[key], row[label], "absorption", percent(row["absorption"]), "%")


def _totals(section: str, totals: dict[str, Any], money: Format, percent: Format) -> Iterator[Row]:
    label = gettext("Total")
    for measure in _MONEY_MEASURES:
        yield (section, "total", label, measure, money(totals[measure]), "EUR")
    yield (section, "total", label, "absorption", percent(totals["absorption"]), "%")


def _decimal_mark(text: str, comma: bool) -> str:
    return text.replace(".", ",") if comma else text
