"""Tests for grants.core.money: exact cents, half-up rounding, parsing and formatting."""

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants.core.money import (
    CENT,
    RATE_SCALE,
    AmountError,
    Share,
    allocate,
    cents_to_str,
    format_amount,
    from_cents,
    parse_amount,
    parse_rate,
    percentage,
    rate_to_str,
    round_cents,
    share_of,
    to_cents,
)

NBSP = "\u00a0"
EU_85 = [Share(8500), Share(1500, residual=True)]


def test_constants() -> None:
    assert Decimal("0.01") == CENT
    assert RATE_SCALE == 10_000


def test_round_cents_is_half_up() -> None:
    assert round_cents(Decimal("0.005")) == Decimal("0.01")
    assert round_cents(Decimal("0.0149")) == Decimal("0.01")
    assert round_cents(Decimal("2.675")) == Decimal("2.68")
    assert round_cents(Decimal("-0.005")) == Decimal("-0.01")
    assert str(round_cents(Decimal("5"))) == "5.00"


def test_to_cents_and_back() -> None:
    assert to_cents(Decimal("252091.6655")) == 25209167
    assert to_cents(Decimal("0.125")) == 13
    assert to_cents(Decimal("-0.125")) == -13
    assert to_cents(5) == 500
    assert from_cents(25209167) == Decimal("252091.67")
    assert str(from_cents(25209167)) == "252091.67"
    assert str(from_cents(0)) == "0.00"
    assert str(from_cents(-5)) == "-0.05"


@pytest.mark.parametrize("value", [1.5, 0.1, "1.50", None, True])
def test_to_cents_refuses_float_and_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        to_cents(value)  # type: ignore[arg-type]


def test_cents_to_str_and_rate_to_str() -> None:
    assert cents_to_str(25209167) == "252091.67"
    assert cents_to_str(-5) == "-0.05"
    assert cents_to_str(0) == "0.00"
    assert cents_to_str(10**12) == "10000000000.00"
    assert rate_to_str(8500) == "85.00"
    assert rate_to_str(850) == "8.50"
    assert rate_to_str(10_000) == "100.00"


def test_share_of() -> None:
    # 296 578,43 × 85 % = 252 091,6655 -> 252 091,67
    assert share_of(29657843, 8500) == 25209167
    assert share_of(-101, 8500) == -86  # half-up rounds ties away from zero


def test_share_of_down_truncates_for_flat_rates() -> None:
    # 7 % of 0,99 = 0,0693
    assert share_of(99, 700, rounding="down") == 6
    assert share_of(99, 700) == 7
    assert share_of(-99, 700, rounding="down") == -6
    with pytest.raises(ValueError):
        share_of(99, 700, rounding="up")  # type: ignore[arg-type]


def test_allocate_seed_figures() -> None:
    # 296 578,43 at 85/15: 252 091,67 + 44 486,76
    assert allocate(29657843, EU_85) == [25209167, 4448676]
    # 48 355,00 at 80/20: 38 684,00 + 9 671,00
    assert allocate(4835500, [Share(8000), Share(2000, residual=True)]) == [3868400, 967100]
    assert allocate(101, EU_85) == [86, 15]  # 1,01 -> 0,86 + 0,15
    assert allocate(3, EU_85) == [3, 0]  # 0,03 -> 0,03 + 0,00


def test_allocate_fixed_and_residual_anywhere() -> None:
    shares = [Share(residual=True), Share(fixed_cents=7263600), Share(rate_bp=1000)]
    assert allocate(10_000_000, shares) == [1736400, 7263600, 1000000]
    assert allocate(100, [Share(5000), Share(fixed_cents=10)]) == [50, 10]  # no residual


def test_split_totals_not_invoices() -> None:
    """200 invoices of 0,10 at 85/15: split the declared total, never each invoice."""
    invoices = [10] * 200
    split_total = allocate(sum(invoices), EU_85)
    assert split_total == [1700, 300]
    assert split_total == allocate(2000, EU_85)  # same as one 20,00 invoice
    per_invoice = [allocate(amount, EU_85) for amount in invoices]
    assert per_invoice[0] == [9, 1]  # 0,085 -> 0,09 + 0,01
    summed = [sum(amounts) for amounts in zip(*per_invoice, strict=True)]
    assert summed == [1800, 200]  # drifted by 1,00 from the correct 17,00 + 3,00


@pytest.mark.parametrize(
    "shares",
    [
        [Share(5000, residual=True), Share(5000, residual=True)],
        [Share()],
        [Share(rate_bp=5000, fixed_cents=100)],
        [Share(rate_bp=5000, fixed_cents=100, residual=True)],
    ],
)
def test_allocate_refuses_bad_plans(shares: list[Share]) -> None:
    with pytest.raises(ValueError):
        allocate(1000, shares)


@given(
    base=st.integers(0, 10**12),
    cuts=st.lists(st.integers(0, RATE_SCALE), max_size=4).map(sorted),
)
def test_allocate_adds_up_and_stays_within_half_a_cent(base: int, cuts: list[int]) -> None:
    bounds = [0, *cuts, RATE_SCALE]
    rates = [high - low for low, high in pairwise(bounds)]
    shares = [Share(rate) for rate in rates[:-1]] + [Share(rates[-1], residual=True)]
    amounts = allocate(base, shares)
    assert sum(amounts) == base
    for amount, rate in zip(amounts[:-1], rates[:-1], strict=True):
        assert abs(amount * RATE_SCALE - base * rate) * 2 <= RATE_SCALE


def test_percentage() -> None:
    assert percentage(109, 300) == Decimal("36.3")
    assert percentage(154, 331) == Decimal("46.5")
    assert percentage(1, 37) == Decimal("2.7")
    assert percentage(1, 8) == Decimal("12.5")
    assert percentage(1, 16) == Decimal("6.3")  # 6.25 half-up
    assert percentage(1, 16, places=2) == Decimal("6.25")
    assert percentage(Decimal("1.5"), Decimal("2")) == Decimal("75.0")
    assert percentage(5, 0) is None
    assert percentage(0, 7) == Decimal("0.0")
    with pytest.raises(TypeError):
        percentage(0.5, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("369 214,43 €", "369214.43"),
        ("369\u00a0214,43\u00a0€", "369214.43"),
        ("369 214,43 EUR", "369214.43"),
        ("EUR 369 214,43", "369214.43"),
        ("€369,214.43", "369214.43"),
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234,567", "1234567.00"),
        ("1.234.567,89", "1234567.89"),
        ("1234", "1234.00"),
        ("1234,5", "1234.50"),
        ("0,10", "0.10"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1\u2009234,56", "1234.56"),
        ("  12,50\u00a0", "12.50"),
        ("99 999 999 999,99", "99999999999.99"),
    ],
)
def test_parse_amount_accepts(text: str, expected: str) -> None:
    value = parse_amount(text)
    assert value == Decimal(expected)
    assert str(value) == expected  # exactly two places


@pytest.mark.parametrize(
    ("text", "expected"),
    [("-5,00", "-5.00"), ("\u22125,00", "-5.00"), ("-€0.05", "-0.05"), ("-0,00", "0.00")],
)
def test_parse_amount_negative_only_when_allowed(text: str, expected: str) -> None:
    assert str(parse_amount(text, allow_negative=True)) == expected
    with pytest.raises(AmountError, match="negative"):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        ("€", "no digits"),
        ("20 6107", "three digits"),
        ("1234 567", "three digits"),
        ("1,2.34", "three digits"),
        ("6 492.5.00", "more than one decimal separator"),
        ("1,234.5.6", "more than one decimal separator"),
        ("1,234.567", "more than two decimal places"),
        ("1 234,567", "more than two decimal places"),
        ("1234,5678", "more than two decimal places"),
        ("1,234", "ambiguous"),
        ("12,345", "ambiguous"),
        ("1.234", "ambiguous"),
        ("1e3", "not allowed"),
        ("NaN", "not allowed"),
        ("inf", "not allowed"),
        ("12abc", "not allowed"),
        ("$12", "not allowed"),
        ("€12€", "not allowed"),
        ("1,234 567", "mixes"),
        ("1 234.567,89", "mixes"),
        (",5", "starts or ends with a separator"),
        ("5,", "starts or ends with a separator"),
        ("5,,0", "two separators in a row"),
        ("100000000000", "too large"),
        ("100 000 000 000,00 €", "too large"),
    ],
)
def test_parse_amount_refuses(text: str, reason: str) -> None:
    with pytest.raises(AmountError, match=reason) as caught:
        parse_amount(text, allow_negative=True)
    err = caught.value
    assert str(err) == err.message % err.params
    if text.strip():
        assert err.params["text"] == text.strip()  # the message names what was typed


def test_amount_error_carries_msgid_and_params() -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount("1,234")
    err = caught.value
    assert isinstance(err, ValueError)
    assert "%(text)s" in err.message
    assert err.params == {"text": "1,234", "plain": "1234"}
    assert "1234 for a whole amount" in str(err)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("85", 8500),
        ("85.00", 8500),
        ("85,00", 8500),
        ("85 %", 8500),
        ("85\u00a0%", 8500),
        ("85,5%", 8550),
        ("0", 0),
        ("100", 10_000),
        ("7,25", 725),
    ],
)
def test_parse_rate_accepts(text: str, expected: int) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Enter a rate"),
        ("85,123", "more than two decimal places"),
        ("-5", "between 0 and 100"),
        ("100,01", "between 0 and 100"),
        ("abc", "not a rate"),
        (",5", "not a rate"),
        ("85.", "not a rate"),
        ("8 500", "not a rate"),
    ],
)
def test_parse_rate_refuses(text: str, reason: str) -> None:
    with pytest.raises(AmountError, match=reason):
        parse_rate(text)


@pytest.mark.parametrize(
    ("cents", "locale", "currency", "expected"),
    [
        (36921443, "lv", True, f"369{NBSP}214,43{NBSP}€"),
        (123450, "lv", True, f"1{NBSP}234,50{NBSP}€"),  # Babel groups 4-digit lv numbers too
        (0, "lv", True, f"0,00{NBSP}€"),
        (-36921443, "lv", True, f"-369{NBSP}214,43{NBSP}€"),
        (-5, "lv", True, f"-0,05{NBSP}€"),
        (36921443, "en", True, "€369,214.43"),
        (0, "en", True, "€0.00"),
        (-36921443, "en", True, "-€369,214.43"),
        (36921443, "lv", False, f"369{NBSP}214,43"),
        (123450, "lv", False, f"1{NBSP}234,50"),
        (-5, "lv", False, "-0,05"),
        (36921443, "en", False, "369,214.43"),
        (500, "en", False, "5.00"),
    ],
)
def test_format_amount(cents: int, locale: str, currency: bool, expected: str) -> None:
    assert format_amount(cents, locale, currency=currency) == expected


def test_format_amount_default_is_latvian_with_currency() -> None:
    assert format_amount(25209167) == f"252{NBSP}091,67{NBSP}€"


@given(
    cents=st.integers(-(10**12), 10**12),
    locale=st.sampled_from(["lv", "en"]),
    currency=st.booleans(),
)
def test_format_then_parse_round_trips(cents: int, locale: str, currency: bool) -> None:
    text = format_amount(cents, locale, currency=currency)
    assert parse_amount(text, allow_negative=True) == from_cents(cents)
