"""Dates as people type them: ISO (2026-03-15) or Latvian (15.03.2026)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from grants.core.errors import Problem
from grants.core.translatable import N_

RIGA = ZoneInfo("Europe/Riga")

_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def parse_date(text: str | date | None, field: str) -> date | Problem | None:
    """The date, None for empty input, or a Problem saying what is wrong."""
    if isinstance(text, date):
        return text
    if text is None or not text.strip():
        return None
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return Problem(
        N_("“%(text)s” is not a date: write 15.03.2026 or 2026-03-15."), field, {"text": text}
    )


def day_str(day: date) -> str:
    """dd.mm.yyyy, the way the funder's documents (and Latvian users) write dates."""
    return day.strftime("%d.%m.%Y")


def stored_date(value: date | datetime | str) -> date:
    """A date column read by raw SQL: SQLite may give the ISO text (of a date or a timestamp)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def riga_day(moment: datetime | str) -> date:
    """The day in Riga of a stored timestamp (a naive one is taken as it stands)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(RIGA).date()
