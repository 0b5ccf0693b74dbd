"""The formatters build their Babel pattern and symbols once per locale instead of calling
babel.numbers / babel.dates per figure; what they write must stay byte for byte what Babel's own
calls write, for every locale and value: signs, zero, large amounts, no-break spaces, € placement
and Latvian's "85 %"."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from babel.numbers import format_percent as babel_format_percent
from hypothesis import given, settings
from hypothesis import strategies as st

from grants.core import i18n
from grants.core.money import format_amount, from_cents, number_format

LOCALES = ("lv", "en")
NBSP = "\u00a0"
MAX_CENTS = 10**14  # ±10¹² euros

cents = st.integers(min_value=-MAX_CENTS, max_value=MAX_CENTS)
locales = st.sampled_from(LOCALES)
places = st.integers(min_value=0, max_value=2)
# Computed figures as the domain hands them over: any sign and scale, up to ±10¹².
figures = st.decimals(
    min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=4
)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31))
many = settings(max_examples=200, deadline=None)


@pytest.fixture(autouse=True)
def latvian_afterwards() -> Iterator[None]:
    yield
    i18n.set_locale(i18n.DEFAULT_LOCALE)


def babel_percent(value: Decimal, places: int, locale: str) -> str:
    """format_percent as it was written before: Babel's call with the app's pattern."""
    shown = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    pattern = i18n._percent_pattern(locale, places)
    return babel_format_percent(shown.scaleb(-2), format=pattern, locale=locale)


@many
@given(cents, locales)
def test_amounts_are_babels(amount: int, locale: str) -> None:
    value = from_cents(amount)
    assert format_amount(amount, locale) == format_currency(value, "EUR", locale=locale)
    plain = format_decimal(value, format="#,##0.00", locale=locale)
    assert format_amount(amount, locale, currency=False) == plain
    i18n.set_locale(locale)
    assert i18n.format_money(amount) == format_currency(value, "EUR", locale=locale)
    assert i18n.typed_money(amount) == plain


@pytest.mark.parametrize(
    ("amount", "locale", "expected"),
    [
        (0, "lv", f"0,00{NBSP}€"),
        (-5, "lv", f"-0,05{NBSP}€"),
        (-36921443, "lv", f"-369{NBSP}214,43{NBSP}€"),
        (MAX_CENTS, "lv", f"1{NBSP}000{NBSP}000{NBSP}000{NBSP}000,00{NBSP}€"),
        (0, "en", "€0.00"),
        (-36921443, "en", "-€369,214.43"),
        (MAX_CENTS, "en", "€1,000,000,000,000.00"),
    ],
)
def test_amount_edges(amount: int, locale: str, expected: str) -> None:
    assert format_amount(amount, locale) == expected


@many
@given(figures, places, locales)
def test_percentages_are_babels(value: Decimal, places: int, locale: str) -> None:
    assert i18n.format_percent(value, places, locale) == babel_percent(value, places, locale)
    i18n.set_locale(locale)
    assert i18n.format_percent(value, places) == babel_percent(value, places, locale)


@given(st.integers(min_value=-(10**6), max_value=10**6), locales)
def test_rates_and_whole_percentages_are_babels(number: int, locale: str) -> None:
    i18n.set_locale(locale)
    assert i18n.format_rate(number) == babel_percent(Decimal(number).scaleb(-2), 2, locale)
    assert i18n.format_percent(number, 0) == babel_percent(Decimal(number), 0, locale)


def test_percent_keeps_latvian_spacing_and_babels_minus_zero() -> None:
    assert i18n.format_percent(Decimal("16.65"), 1, "lv") == f"16,7{NBSP}%"
    assert i18n.format_percent(Decimal("16.65"), 1, "en") == "16.7%"
    assert i18n.format_rate(8500) == f"85,00{NBSP}%"
    assert i18n.format_percent(Decimal("-0.04"), 1, "lv") == f"-0,0{NBSP}%"  # as Babel writes it
    assert babel_percent(Decimal("-0.04"), 1, "lv") == f"-0,0{NBSP}%"


@many
@given(cents, locales)
def test_quantities_are_babels(hundredths: int, locale: str) -> None:
    value = from_cents(hundredths)
    i18n.set_locale(locale)
    assert i18n.format_hundredths(hundredths) == format_decimal(
        value, format="#,##0.##", locale=locale
    )
    assert i18n.quantity_input(hundredths) == format_decimal(value, format="0.##", locale=locale)


@many
@given(figures, st.integers(min_value=1, max_value=2), locales)
def test_computed_figures_are_babels(value: Decimal, places: int, locale: str) -> None:
    """Even a figure with more decimals than shown: Babel rounds it half-even, so do we."""
    i18n.set_locale(locale)
    pattern = "#,##0." + "0" * places
    assert i18n.format_number(value, places) == format_decimal(value, pattern, locale=locale)


@pytest.mark.parametrize(
    "figure", [Decimal("Infinity"), Decimal("-Infinity"), Decimal("0.05"), Decimal("-0.25"), 1234]
)
@pytest.mark.parametrize("locale", LOCALES)
def test_rare_figures_are_babels(figure: Decimal | int, locale: str) -> None:
    assert number_format(locale, "#,##0.0")(figure) == format_decimal(figure, "#,##0.0", locale)


@many
@given(days, locales)
def test_days_are_babels(day: date, locale: str) -> None:
    i18n.set_locale(locale)
    pattern = "dd.MM.yyyy" if locale == "lv" else "d MMM yyyy"
    assert i18n.format_day(day) == format_date(day, format=pattern, locale=locale)
    noon = datetime.combine(day, datetime.min.time()) + timedelta(hours=12)
    assert i18n.format_day(noon) == format_date(noon, format=pattern, locale=locale)


@many
@given(moments, st.sampled_from([None, UTC, timezone(timedelta(hours=-5)), i18n.RIGA]), locales)
def test_moments_are_babels(moment: datetime, zone, locale: str) -> None:
    """Naive timestamps are UTC to Babel; every one is shown in Riga time, summer time too."""
    moment = moment.replace(tzinfo=zone)
    i18n.set_locale(locale)
    pattern = "dd.MM.yyyy HH:mm" if locale == "lv" else "d MMM yyyy HH:mm"
    expected = format_datetime(moment, format=pattern, tzinfo=i18n.RIGA, locale=locale)
    assert i18n.format_moment(moment) == expected


def test_formats_written_out() -> None:
    i18n.set_locale("lv")
    assert i18n.format_day(date(2026, 3, 1)) == "01.03.2026"
    assert i18n.format_moment(datetime(2026, 7, 1, 21, 30, tzinfo=UTC)) == "02.07.2026 00:30"
    i18n.set_locale("en")
    assert i18n.format_day(date(2026, 9, 1)) == format_date(date(2026, 9, 1), "d MMM yyyy", "en")
    assert i18n.format_moment(datetime(2026, 1, 1, 10, 0)) == "1 Jan 2026 12:00"


def test_one_formatter_per_locale_and_pattern() -> None:
    assert number_format("lv", "#,##0.00") is number_format("lv", "#,##0.00")
    assert number_format("lv", None, "EUR") is not number_format("en", None, "EUR")
