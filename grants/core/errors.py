"""Refused input, as the domain reports it: English msgids with values, translated at the edge.

Domain functions raise `Refused` before writing anything; controllers turn it into a form
error or a JSON body with status 400 (409 for conflicts such as duplicates or locked periods).
"""

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from grants.core.messages import CONTROL_CHARACTER, NOT_ONE_OF, OUTSIDE_PROJECT, TOO_LONG
from grants.core.money import AmountError, parse_amount, parse_quantity, parse_rate, to_cents


@dataclass(frozen=True)
class Problem:
    message: str  # English gettext msgid with %(name)s placeholders (mark it with N_)
    field: str | None = None  # the input it is about, as named in the form / JSON body
    params: dict[str, str] = dataclasses.field(default_factory=dict)

    def english(self) -> str:
        return self.message % self.params if self.params else self.message


class Refused(Exception):
    """One or more problems with the input; nothing was written."""

    def __init__(self, problems: list[Problem], *, conflict: bool = False) -> None:
        super().__init__("; ".join(p.english() for p in problems))
        self.problems = problems
        self.conflict = conflict

    @classmethod
    def one(
        cls, message: str, *, field: str | None = None, conflict: bool = False, **params: object
    ) -> "Refused":
        return cls(
            [Problem(message, field, {k: str(v) for k, v in params.items()})], conflict=conflict
        )


class NotFound(Exception):
    """The record does not exist (or the caller may not know it exists)."""


def blank(text: object) -> bool:
    """Nothing typed: None, or only spaces."""
    return text is None or not str(text).strip()


# C0 control characters: invisible, refused by XML (so by XLSX) and, NUL, by PostgreSQL.
# Multi-line text keeps its line ends (\n, \r\n) and tabs.
_CONTROL = re.compile(r"[\x00-\x1f]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f]|\r(?!\n)")


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character in `text` as "U+0007", or None when there is none."""
    found = (_CONTROL_IN_LINES if multiline else _CONTROL).search(text)
    return None if found is None else f"U+{ord(found[0]):04X}"


class Problems:
    """Collects every problem in one piece of input, so the user sees them all at once.

    Its readers (`text`, `choice`, `cents`, `hundredths`, `rate`, `date`) each take what a
    person typed and return the value, or None after adding what is wrong with it.
    """

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, message: str, field: str | None = None, **params: object) -> None:
        self.items.append(Problem(message, field, {k: str(v) for k, v in params.items()}))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def text(
        self,
        value: object,
        field: str,
        *,
        limit: int | None = None,
        required: str | None = None,
        key: Callable[[str], str] | None = None,
        multiline: bool = False,
    ) -> str:
        """The text without surrounding spaces. `required` is the message for empty input;
        `limit` holds for the text and for its stored `key` (casefolding can lengthen it).
        Control characters are refused: `multiline` text (a narrative, a note) keeps its
        line ends and tabs."""
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.add(required, field)
        self.plain(text, field, multiline=multiline)
        if limit is not None and max(len(text), len(key(text)) if key else 0) > limit:
            self.add(TOO_LONG, field, max=limit)
        return text

    def plain(self, text: str, field: str, *, multiline: bool = False) -> bool:
        """Whether `text` is free of control characters; a problem naming `field` if not."""
        char = control_character(text, multiline=multiline)
        if char is not None:
            self.add(CONTROL_CHARACTER, field, name=field, char=char)
        return char is None

    def choice(self, value: str | None, allowed: Iterable[str], field: str) -> str | None:
        """`value` when it is one of `allowed` (which the problem lists in the order given);
        None, without a problem, when nothing was given."""
        if value is None:
            return None
        options = [str(option) for option in allowed]
        if value not in options:
            self.add(NOT_ONE_OF, field, value=value, allowed=", ".join(options))
            return None
        return value

    def cents(
        self, text: object, field: str, *, required: bool = True, empty: int | None = None
    ) -> int | None:
        """An amount in cents; None (and a problem) when it does not parse. Empty input is a
        problem when `required`, otherwise it gives `empty`."""
        if not required and blank(text):
            return empty
        return self._parsed(lambda typed: to_cents(parse_amount(typed)), text, field)

    def hundredths(
        self, text: object, field: str, *, required: bool = True, empty: int | None = None
    ) -> int | None:
        """A figure (persons, sessions, a percentage) in hundredths: "12,5" -> 1250; None (and
        a problem) when it does not parse. Empty input as in `cents`."""
        if not required and blank(text):
            return empty
        return self._parsed(parse_quantity, text, field)

    def rate(self, text: object, field: str) -> int | None:
        """A percentage in basis points ("85,5" -> 8550); None (and a problem) when wrong."""
        return self._parsed(parse_rate, text, field)

    def _parsed(self, parse: Callable[[str], int], text: object, field: str) -> int | None:
        try:
            return parse("" if text is None else str(text))
        except AmountError as error:
            self.add(error.message, field, **error.params)
            return None

    def within_project(self, day: date, start: date | None, end: date | None, field: str) -> None:
        """A problem when `day` falls outside the project's period (either end may be open)."""
        from grants.core.dates import day_str

        if (start and day < start) or (end and day > end):
            self.add(
                OUTSIDE_PROJECT,
                field,
                date=day_str(day),
                start=day_str(start) if start else "…",
                end=day_str(end) if end else "…",
            )

    def date(
        self, text: "str | date | None", field: str, *, required: str | None = None
    ) -> "date | None":
        """A date (15.03.2026 or 2026-03-15); None when empty or wrong. `required` is the
        message for empty input."""
        from grants.core.dates import parse_date

        if required and blank(text):
            self.add(required, field)
            return None
        parsed = parse_date(text, field)
        if isinstance(parsed, Problem):
            self.items.append(parsed)
            return None
        return parsed

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, *, conflict: bool = False) -> None:
        if self.items:
            raise Refused(self.items, conflict=conflict)
