"""Money for the whole app: exact, in cents, rounded half-up to the cent.

Amounts are integer cents in the database and `Decimal` in Python, never float, so that
totals in reports match the contracts to the cent. Rates are integer basis points
(85.00 % == 8500). Rounding is ROUND_HALF_UP, as in the funding contracts.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from typing import Literal

from babel import Locale
from babel.numbers import (
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    parse_pattern,
)

from grants.core.translatable import N_

CENT = Decimal("0.01")
RATE_SCALE = 10_000  # rates are stored as integer basis points: 85.00 % == 8500
_TOO_LARGE_CENTS = 10**13  # 100 000 000 000,00 €: far above any grant, so a typo


class AmountError(ValueError):
    """Refused user input.

    `message` is an English gettext msgid with %(name)s placeholders and `params` fills
    them, so the web layer can translate; str(err) gives the filled English text.
    """

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message % params)
        self.message = message
        self.params = params


def _exact(value: object) -> Decimal | int:
    """Let only exact numbers in: a float has already lost cents."""
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError(f"expected Decimal or int, not {type(value).__name__}")


def _div_round(numerator: int, denominator: int, *, half_up: bool = True) -> int:
    """Integer division rounded half-up (away from zero) or truncated, without any float."""
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    if half_up and 2 * remainder >= abs(denominator):
        quotient += 1
    return -quotient if (numerator < 0) != (denominator < 0) else quotient


def round_cents(value: Decimal) -> Decimal:
    """Round half-up to the cent, the one rounding rule of the app."""
    return Decimal(_exact(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(value: Decimal) -> int:
    """Decimal (or int euros) to integer cents for the database, half-up; floats are refused."""
    return int(round_cents(value).scaleb(2))


def from_cents(cents: int) -> Decimal:
    """Integer cents to an exact Decimal with two places: 25209167 -> 252091.67."""
    return Decimal(_exact(cents)).scaleb(-2)


def cents_to_str(cents: int) -> str:
    """Plain API form: always two decimals, point, no grouping ("252091.67", "-0.05")."""
    return f"{from_cents(cents):f}"


def rate_to_str(rate_bp: int) -> str:
    """Plain API form of a rate in percent: 8500 -> "85.00"."""
    return cents_to_str(rate_bp)  # basis points are hundredths of a percent, like cents


def rate_fraction(rate_bp: int) -> Decimal:
    """A rate as the exact fraction it is: 8500 -> 0.85."""
    return Decimal(_exact(rate_bp)).scaleb(-4)


def money_str(cents: int | None) -> str | None:
    """An amount in the API and the audit trail: as cents_to_str, or None when unknown."""
    return None if cents is None else cents_to_str(cents)


def rate_str(rate_bp: int | None) -> str | None:
    """A rate in the API and the audit trail: as rate_to_str, or None for a line without one."""
    return None if rate_bp is None else rate_to_str(rate_bp)


def to_hundredths(value: Decimal | int) -> int:
    """A figure (persons, units, a percentage) to integer hundredths, half-up as amounts to cents:
    12 -> 1200, Decimal("36.33") -> 3633."""
    return to_cents(value)


def from_hundredths(hundredths: int) -> Decimal:
    """Integer hundredths to an exact Decimal with two places: 1250 -> 12.50."""
    return from_cents(hundredths)


def quantity_str(hundredths: int | None) -> str | None:
    """A figure in the API without needless decimals: 1200 -> "12", 250 -> "2.5"; None when
    unknown."""
    if hundredths is None:
        return None
    return format(from_hundredths(hundredths).normalize(), "f")


def share_of(
    base_cents: int, rate_bp: int, *, rounding: Literal["half_up", "down"] = "half_up"
) -> int:
    """base × rate to the cent: half-up, or "down" (toward zero) for Jems' flat-rate rule.

    29657843 × 8500 bp -> 25209167 (296 578,43 × 85 % = 252 091,6655 -> 252 091,67).
    """
    if rounding not in ("half_up", "down"):
        raise ValueError(f"unknown rounding {rounding!r}")
    return _div_round(base_cents * rate_bp, RATE_SCALE, half_up=rounding == "half_up")


@dataclass(frozen=True)
class Share:
    """One funding-plan line as the allocator sees it: a rate, a fixed amount or the residual.

    A residual line takes whatever the others leave; a rate on it is only informative.
    """

    rate_bp: int | None = None
    fixed_cents: int | None = None
    residual: bool = False


def allocate(base_cents: int, shares: Sequence[Share]) -> list[int]:
    """Split a base into the lines' amounts, in the same order.

    Computed lines are share_of(base, rate) half-up or the fixed amount; the (at most one)
    residual line gets base − sum(others), so with a residual the lines add up to the base
    exactly (if the others exceed the base, the residual is negative; validating the plan is
    the caller's job). Split declared totals, never per invoice and then summed: per-invoice
    rounding accumulates (200 × 0,10 € at 85 % gives 18,00 € instead of 17,00 €).
    A ValueError here is a programming error, not user input.
    """
    if sum(share.residual for share in shares) > 1:
        raise ValueError("at most one residual share")
    amounts: list[int | None] = []
    for share in shares:
        if share.rate_bp is not None and share.fixed_cents is not None:
            raise ValueError(f"share has both a rate and a fixed amount: {share}")
        if share.residual:
            amounts.append(None)
        elif share.rate_bp is not None:
            amounts.append(share_of(base_cents, share.rate_bp))
        elif share.fixed_cents is not None:
            amounts.append(share.fixed_cents)
        else:
            raise ValueError(f"share has neither a rate nor a fixed amount: {share}")
    rest = base_cents - sum(amount for amount in amounts if amount is not None)
    return [rest if amount is None else amount for amount in amounts]


def quotient(
    numerator: Decimal | int, denominator: Decimal | int, places: int = 1
) -> Decimal | None:
    """numerator / denominator, half-up to `places`; None (not 0) when nothing to divide by.

    Computed as an exact fraction, so no intermediate rounding can move a half.
    """
    if _exact(denominator) == 0:
        return None
    if isinstance(_exact(numerator), int) and isinstance(denominator, int):  # the common case
        return Decimal(_div_round(numerator * 10**places, denominator)).scaleb(-places)
    ratio = Fraction(numerator) * 10**places / Fraction(denominator)
    return Decimal(_div_round(ratio.numerator, ratio.denominator)).scaleb(-places)


def percentage(
    numerator: Decimal | int, denominator: Decimal | int, places: int = 1
) -> Decimal | None:
    """numerator / denominator × 100, half-up to `places`; None when nothing to divide by."""
    return quotient(_exact(numerator) * 100, denominator, places)


# Messages of AmountError: English gettext msgids; the web layer translates them.
_EMPTY = N_("Enter an amount.")
_NO_DIGITS = N_("“%(text)s” has no digits.")
_NEGATIVE = N_("“%(text)s” is negative; a negative amount is not allowed here.")
_BAD_CHAR = N_(
    "“%(text)s” is not an amount: “%(char)s” is not allowed. "
    "Use digits, spaces, a decimal comma or point, and optionally € or EUR."
)
_EDGE_SEPARATOR = N_(
    "“%(text)s” starts or ends with a separator; write digits on both sides, e.g. 0,50."
)
_DOUBLE_SEPARATOR = N_("“%(text)s” has two separators in a row.")
_MANY_DECIMAL = N_("“%(text)s” has more than one decimal separator.")
_MIXED = N_(
    "“%(text)s” mixes spaces with commas or points as thousands separators; use only one kind."
)
_AMBIGUOUS = N_(
    "“%(text)s” is ambiguous: the comma or point could separate thousands or decimals. "
    "Write %(plain)s for a whole amount, or at most two decimals, e.g. 1,23."
)
_GROUPING = N_(
    "“%(text)s” is grouped wrongly: each group after a thousands separator must have exactly "
    "three digits, and the first group at most three."
)
_DECIMALS = N_("“%(text)s” has more than two decimal places; amounts are in whole cents.")
_TOO_LARGE = N_("“%(text)s” is too large for an amount.")
_RATE_EMPTY = N_("Enter a rate.")
_RATE_MALFORMED = N_("“%(text)s” is not a rate: write a percentage such as 85 or 85,5.")
_RATE_DECIMALS = N_("“%(text)s” has more than two decimal places; rates are kept to hundredths.")
_RATE_RANGE = N_("“%(text)s” is not between 0 and 100 percent.")

# parse_quantity's wording where the amount messages would talk about money to someone
# counting persons or sessions; the other messages fit both and are shared.
_QUANTITY_WORDING = {
    _EMPTY: N_("Enter a number."),
    _NEGATIVE: N_("“%(text)s” is negative; a negative number is not allowed here."),
    _BAD_CHAR: N_(
        "“%(text)s” is not a number: “%(char)s” is not allowed. "
        "Use digits, spaces, and a decimal comma or point."
    ),
    _AMBIGUOUS: N_(
        "“%(text)s” is ambiguous: the comma or point could separate thousands or decimals. "
        "Write %(plain)s for a whole number, or at most two decimals, e.g. 1,23."
    ),
    _DECIMALS: N_("“%(text)s” has more than two decimal places; figures are kept to hundredths."),
    _TOO_LARGE: N_("“%(text)s” is too large."),
}
_CURRENCY_RE = re.compile(r"€|EUR", re.IGNORECASE)

_SPACES = str.maketrans("\u00a0\u202f\u2009", "   ")  # no-break, narrow no-break, thin
_AMOUNT_RE = re.compile(
    r"(?P<sign>[-\u2212]?)\s*(?P<pre>€|EUR)?\s*(?P<body>.*?)\s*(?P<post>€|EUR)?",
    re.IGNORECASE | re.DOTALL,
)
_RATE_RE = re.compile(r"(?P<sign>[-\u2212]?)(?P<whole>[0-9]+)(?:[.,](?P<frac>[0-9]+))?\s*%?")


def parse_amount(text: str, *, allow_negative: bool = False) -> Decimal:
    """Read an amount typed in Latvian or plain style; return a Decimal with two places.

    Rules: an optional minus (- or −, only with allow_negative) and € or EUR before or after.
    Spaces (also no-break, narrow and thin) group thousands; then a comma or point may appear
    once, after the last space, as the decimal separator. Without spaces: a comma and a point
    together mean the last one is decimal ("1,234.56", "1.234,56"); one kind repeated groups
    thousands ("1,234,567"); a single one is decimal, unless exactly three digits follow
    ("1,234"), which is refused as ambiguous. Groups after a thousands separator have exactly
    three digits; at most two decimals; below 10**13 cents.
    """
    text = text.strip()
    if not text:
        raise AmountError(_EMPTY)
    match = _AMOUNT_RE.fullmatch(text)
    assert match is not None  # the pattern matches any string
    body = match["body"].translate(_SPACES)
    bad = re.search(r"[^0-9 ,.]", body)
    if bad or (match["pre"] and match["post"]):
        raise AmountError(_BAD_CHAR, text=text, char=bad[0] if bad else match["post"])
    if not re.search(r"[0-9]", body):
        raise AmountError(_NO_DIGITS, text=text)
    if match["sign"] and not allow_negative:
        raise AmountError(_NEGATIVE, text=text)
    if body[0] in " ,." or body[-1] in " ,.":
        raise AmountError(_EDGE_SEPARATOR, text=text)
    groups = re.split(r"[ ,.]", body)
    if "" in groups:
        raise AmountError(_DOUBLE_SEPARATOR, text=text)
    separators = re.findall(r"[ ,.]", body)
    marks = [sep for sep in separators if sep != " "]
    if " " in separators:
        if len(set(marks)) > 1 or (marks and separators[-1] == " "):
            raise AmountError(_MIXED, text=text)
        if len(marks) > 1:
            raise AmountError(_MANY_DECIMAL, text=text)
        has_decimals = bool(marks)
    elif len(set(marks)) == 2:
        if marks.count(marks[-1]) > 1:
            raise AmountError(_MANY_DECIMAL, text=text)
        has_decimals = True
    elif len(marks) == 1:
        if len(groups[-1]) == 3:
            raise AmountError(_AMBIGUOUS, text=text, plain="".join(groups))
        has_decimals = True
    else:
        has_decimals = False  # no marks, or one kind repeated: thousands separators
    whole, fraction = (groups[:-1], groups[-1]) if has_decimals else (groups, "")
    if len(whole) > 1 and (len(whole[0]) > 3 or any(len(group) != 3 for group in whole[1:])):
        raise AmountError(_GROUPING, text=text)
    if len(fraction) > 2:
        raise AmountError(_DECIMALS, text=text)
    value = Decimal(f"{''.join(whole)}.{fraction:0<2}")
    if value >= from_cents(_TOO_LARGE_CENTS):
        raise AmountError(_TOO_LARGE, text=text)
    return -value if match["sign"] and value else value


def parse_quantity(text: str, *, allow_negative: bool = False) -> int:
    """Read an indicator figure (persons, sessions, a percentage) into hundredths: "1 234,5" ->
    123450. The same rules as parse_amount, so the same typos are refused, but no currency."""
    currency = _CURRENCY_RE.search(text)
    if currency:
        raise AmountError(_QUANTITY_WORDING[_BAD_CHAR], text=text.strip(), char=currency[0])
    try:
        value = parse_amount(text, allow_negative=allow_negative)
    except AmountError as error:
        message = _QUANTITY_WORDING.get(error.message, error.message)
        raise AmountError(message, **error.params) from None
    return to_hundredths(value)


def parse_rate(text: str) -> int:
    """Read a percentage ("85", "85,00", "85.5 %") into basis points, 0..10 000."""
    text = text.strip()
    if not text:
        raise AmountError(_RATE_EMPTY)
    match = _RATE_RE.fullmatch(text)
    if match is None:
        raise AmountError(_RATE_MALFORMED, text=text)
    fraction = match["frac"] or ""
    if len(fraction) > 2:
        raise AmountError(_RATE_DECIMALS, text=text)
    rate_bp = int(match["whole"]) * 100 + int(fraction.ljust(2, "0"))
    if match["sign"] or rate_bp > RATE_SCALE:
        raise AmountError(_RATE_RANGE, text=text)
    return rate_bp


class NumberFormat:
    """A Babel number pattern with the locale's symbols looked up once, applied as Babel's
    `NumberPattern.apply` does (same quantize, grouping, trailing zeros, signs and affixes), so
    the text is byte for byte Babel's at a fifth of the cost or less: a page shows thousands.
    Build it through `number_format`, which keeps one per locale and pattern."""

    def __init__(self, locale: str, pattern: str | None = None, currency: str | None = None):
        self._locale = Locale.parse(locale)
        self._pattern = (
            parse_pattern(pattern) if pattern else self._locale.currency_formats["standard"]
        )
        self._currency = currency
        self._scale = self._pattern.scale
        self._min_int = self._pattern.int_prec[0]
        self._first_group, self._next_group = self._pattern.grouping
        # Groups of three with no zero padding: what Python's "," format does, only faster.
        self._thousands = self._pattern.grouping == (3, 3) and self._min_int <= 1
        frac = (get_currency_precision(currency),) * 2 if currency else self._pattern.frac_prec
        self._min_frac, self._max_frac = frac
        self._quantum = Decimal(10) ** -self._max_frac
        self._decimal = get_decimal_symbol(self._locale)
        self._group = get_group_symbol(self._locale)
        self._prefixes = [self._affix(text) for text in self._pattern.prefix]
        self._suffixes = [self._affix(text) for text in self._pattern.suffix]

    def _affix(self, text: str) -> str:
        """A prefix or suffix as Babel writes it: the currency sign filled in, quotes undone."""
        if self._currency is not None:
            text = text.replace("¤¤", self._currency.upper())
            text = text.replace("¤", get_currency_symbol(self._currency, self._locale))
        return re.sub(r"'([^']*)'", lambda m: m.group(1) or "'", text)

    def __call__(self, value: Decimal | int) -> str:
        if not isinstance(value, Decimal):
            value = Decimal(str(value))  # as Babel takes it
        if not value.is_finite():
            return self._pattern.apply(value, self._locale, currency=self._currency)
        value = value.scaleb(self._scale)
        negative = int(value.is_signed())  # as Babel: -0.0 keeps its minus
        rounded = abs(value).normalize().quantize(self._quantum)  # the context's rounding, too
        whole, _, fraction = f"{rounded:f}".partition(".")
        number = self._grouped(whole) + self._fraction(fraction or "0")
        return self._prefixes[negative] + number + self._suffixes[negative]

    def _grouped(self, digits: str) -> str:
        if self._thousands:
            return f"{int(digits):,}".replace(",", self._group)
        digits = digits.rjust(self._min_int, "0")
        size, groups = self._first_group, []
        while len(digits) > size:
            groups.append(digits[-size:])
            digits = digits[:-size]
            size = self._next_group
        groups.append(digits)
        return self._group.join(reversed(groups))

    def _fraction(self, digits: str) -> str:
        digits = digits.ljust(self._min_frac, "0")
        if self._max_frac == 0 or (self._min_frac == 0 and int(digits) == 0):
            return ""
        return self._decimal + digits[: self._min_frac] + digits[self._min_frac :].rstrip("0")


@cache
def number_format(
    locale: str, pattern: str | None = None, currency: str | None = None
) -> NumberFormat:
    """The formatter of a locale and pattern (None: the locale's currency pattern), made once."""
    return NumberFormat(locale, pattern, currency)


def format_amount(cents: int, locale: str = "lv", *, currency: bool = True) -> str:
    """Amount for display with exactly two decimals: lv "369 214,43 €", en "€369,214.43"."""
    value = from_cents(cents)
    if currency:
        return number_format(locale, None, "EUR")(value)
    return number_format(locale, "#,##0.00")(value)
