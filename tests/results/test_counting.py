"""The running counts a sparkline plots (`counts_to`: one sort, a search per date) are the
counts `count_units` gives date by date."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from grants.results.counting import _Unit, count_units, counts_to

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


@given(unit_days=st.lists(DAYS, max_size=40), ends=st.lists(DAYS, min_size=1, max_size=12))
def test_running_counts_equal_counting_to_each_date(unit_days, ends):
    units = [_Unit(day) for day in unit_days]
    assert counts_to(units, ends) == [count_units(units, None, end).value for end in ends]


def test_a_unit_counts_from_its_own_day():
    day = date(2026, 3, 31)
    units = [_Unit(day), _Unit(day), _Unit(day + timedelta(days=1))]
    assert counts_to(units, [day - timedelta(days=1), day, day + timedelta(days=1)]) == [
        0,
        200,
        300,
    ]
