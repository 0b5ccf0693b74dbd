"""Paging through lists that grow with the data, one convention for every page and API list.

`page` counts from 1 and `per_page` rows make a page. Numbers below 1 are not found (the
parameter check answers them like any id below 1); `per_page` above `MAX_PER_PAGE` is refused.
A page beyond the last is empty in the API (its `total` says how many there are); a page of
the site shows its last page instead, so an old link still shows rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from grants.core.errors import Refused
from grants.core.translatable import N_

T = TypeVar("T")

DEFAULT_PER_PAGE = 100  # API lists
MAX_PER_PAGE = 500
PER_PAGE_RANGE = N_("Give a number of rows per page from 1 to %(max)s.")


def check_per_page(per_page: int) -> None:
    """Refused (in the API's refusal shape) when a page would be larger than allowed."""
    if per_page > MAX_PER_PAGE:
        raise Refused.one(PER_PAGE_RANGE, field="per_page", max=MAX_PER_PAGE)


def offset(page: int, per_page: int) -> int:
    """How many rows come before the page."""
    return (max(page, 1) - 1) * per_page


def page_count(total: int, per_page: int) -> int:
    """Pages needed for `total` rows; an empty list still has its one (empty) page."""
    return max(-(-total // per_page), 1)


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of rows and where it stands among all rows that match."""

    rows: list[T]
    total: int  # rows matching on all pages
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)


def shown_page(page: int, total: int, per_page: int) -> int:
    """The page a site page shows: the one asked for, or the last when it is beyond."""
    return min(max(page, 1), page_count(total, per_page))


def page_of(rows: Sequence[T], page: int, per_page: int) -> Paged[T]:
    """A site page of rows already in memory (lean rows whose totals were taken over all)."""
    number = shown_page(page, len(rows), per_page)
    start = offset(number, per_page)
    return Paged(list(rows[start : start + per_page]), len(rows), number, per_page)
