"""Refused input, as the domain reports it: English msgids with values, translated at the edge.

Domain functions raise `Refused` before writing anything; controllers turn it into a form
error or a JSON body with status 400 (409 for conflicts such as duplicates or locked periods).
"""

import dataclasses
from dataclasses import dataclass
from datetime import date


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


class Problems:
    """Collects every problem in one piece of input, so the user sees them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, message: str, field: str | None = None, **params: object) -> None:
        self.items.append(Problem(message, field, {k: str(v) for k, v in params.items()}))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def cents(self, text: str | None, field: str, *, required: bool = True) -> int | None:
        """An amount typed by a person, in cents; None (and a problem) when it does not parse.
        Empty input is a problem only when `required`."""
        from grants.core.money import AmountError, parse_amount, to_cents

        if not required and (text is None or not str(text).strip()):
            return None
        try:
            return to_cents(parse_amount(str(text or "")))
        except AmountError as error:
            self.add(error.message, field, **error.params)
            return None

    def date(self, text: "str | date | None", field: str) -> "date | None":
        """A date typed by a person (15.03.2026 or 2026-03-15); None when empty or wrong."""
        from grants.core.dates import parse_date

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
