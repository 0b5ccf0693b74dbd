"""Small helpers shared by the report builders and renderers: typed frames, plain records,
and running code in one language without changing the caller's."""

import contextvars
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from grants.core import i18n

T = TypeVar("T")

# Column kinds: money in cents and figures in hundredths are integers (nullable where the domain
# has no figure); percentages stay Decimal in object columns; never float.
CENTS = "int64"
CENTS_OR_NONE = "Int64"
WHOLE = "int64"
WHOLE_OR_NONE = "Int64"
DECIMAL = "object"
TEXT = "object"
FLAG = "bool"
DAY = "object"


def frame(rows: Iterable[Mapping[str, Any]], schema: Mapping[str, str]) -> pd.DataFrame:
    """A frame with exactly these columns and dtypes, also when there are no rows."""
    rows = list(rows)
    return pd.DataFrame(
        {
            name: pd.Series([row[name] for row in rows], dtype=dtype)
            for name, dtype in schema.items()
        }
    )


def native(value: Any) -> Any:
    """A frame cell as a plain Python value, so the money formatters (which refuse anything
    but int and Decimal) take it: numpy integers become int, missing values None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records(data: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a frame as dicts of plain Python values."""
    columns = list(data.columns)
    return [
        dict(zip(columns, map(native, row), strict=True))
        for row in data.itertuples(index=False, name=None)
    ]


def total(data: pd.DataFrame, column: str) -> int | None:
    """The exact integer sum of a cents or hundredths column; None when a figure is missing
    (a total over unknown amounts would look complete and be wrong)."""
    values = [native(v) for v in data[column]]
    if any(v is None for v in values):
        return None
    return sum(values)


def in_locale(locale: str, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `function` with `locale` as the current language, in a copy of the context, so the
    caller's language (a request's, say) is left as it was."""

    def run() -> T:
        i18n.set_locale(locale)
        return function(*args, **kwargs)

    return contextvars.copy_context().run(run)
