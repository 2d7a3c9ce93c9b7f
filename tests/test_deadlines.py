"""Deadline arithmetic: property tests (hypothesis) and month-end / leap-year tables."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.deadlines import add_period, consultation_runs_for, latest_start, reminder_days
from compacts.models import Period

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
periods = st.builds(
    Period,
    amount=st.integers(min_value=1, max_value=24),
    unit=st.sampled_from(["days", "weeks", "months"]),
)


@given(days, st.integers(min_value=1, max_value=60))
def test_weeks_are_seven_days(day: date, weeks: int) -> None:
    assert add_period(day, Period(amount=weeks, unit="weeks")) == day + timedelta(days=7 * weeks)


@given(days, st.integers(min_value=1, max_value=60))
def test_consultation_meets_iff_closes_on_or_after_open_plus_7w(day: date, weeks: int) -> None:
    p = Period(amount=weeks, unit="weeks")
    boundary = day + timedelta(days=7 * weeks)
    assert consultation_runs_for(day, boundary, p)
    assert not consultation_runs_for(day, boundary - timedelta(days=1), p)


@given(days, st.integers(min_value=1, max_value=36))
def test_months_follow_the_corresponding_date_rule(day: date, months: int) -> None:
    result = add_period(day, Period(amount=months, unit="months"))
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    assert (result.year, result.month) == (year, month + 1)
    next_month_first = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (next_month_first - timedelta(days=1)).day
    assert result.day == min(day.day, last_day)


@given(days, periods)
def test_latest_start_is_the_last_day_that_works(deadline: date, period: Period) -> None:
    start = latest_start(deadline, period)
    assert add_period(start, period) <= deadline
    assert add_period(start + timedelta(days=1), period) > deadline


@given(days, days, periods)
def test_latest_start_bounds_every_working_start(a: date, deadline: date, period: Period) -> None:
    # Any start that works is on or before the latest one.
    if add_period(a, period) <= deadline:
        assert a <= latest_start(deadline, period)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2027, 3, 31), 3, date(2027, 6, 30)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 12, 15), 3, date(2028, 3, 15)),
    ],
)
def test_month_table(day: date, months: int, expected: date) -> None:
    assert add_period(day, Period(amount=months, unit="months")) == expected


@pytest.mark.parametrize(
    ("deadline", "months", "latest"),
    [
        # Subtracting a month from 28 Feb gives 28 Jan, but notice on 31 Jan also reaches 28 Feb.
        (date(2027, 2, 28), 1, date(2027, 1, 31)),
        (date(2028, 2, 29), 1, date(2028, 1, 31)),
        (date(2028, 2, 28), 1, date(2028, 1, 28)),
        (date(2027, 6, 30), 3, date(2027, 3, 31)),
        (date(2027, 6, 29), 3, date(2027, 3, 29)),
        (date(2027, 3, 31), 3, date(2026, 12, 31)),
        (date(2027, 4, 30), 2, date(2027, 2, 28)),
    ],
)
def test_latest_notice_table(deadline: date, months: int, latest: date) -> None:
    assert latest_start(deadline, Period(amount=months, unit="months")) == latest


def test_reminder_days_drop_the_past() -> None:
    deadline = date(2027, 1, 10)
    assert reminder_days(deadline, date(2026, 12, 1)) == [
        date(2026, 12, 27),
        date(2027, 1, 3),
        date(2027, 1, 9),
    ]
    assert reminder_days(deadline, date(2027, 1, 5)) == [date(2027, 1, 9)]
    assert reminder_days(deadline, date(2027, 1, 10)) == []
