"""Deadline arithmetic: pure functions on calendar dates, no I/O, no clock.

Rules (from the brief): a week is 7 days; a month is a calendar month by the
corresponding-date rule — the same day number in the target month, or that
month's last day where it has no such day (31 January + 1 month = 28/29 February).

"Latest day" questions ("by when must notice be given to end funding on E?")
are answered by searching for the last day that still works, never by
subtracting months: 28 February - 1 month is 28 January, yet notice given on
31 January + 1 month also reaches 28 February.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from compacts.models import Period


def add_period(day: date, period: Period) -> date:
    """The day ``period`` after ``day``."""
    if period.unit == "days":
        return day + timedelta(days=period.amount)
    if period.unit == "weeks":
        return day + timedelta(days=7 * period.amount)
    # relativedelta clamps to the month's last day: the corresponding-date rule.
    return day + relativedelta(months=period.amount)


def consultation_length_days(opens: date, closes: date) -> int:
    return (closes - opens).days


def consultation_runs_for(opens: date, closes: date, period: Period) -> bool:
    """Whether a consultation opened on ``opens`` runs for ``period``.

    True iff it closes on or after opens + period."""
    return closes >= add_period(opens, period)


def earliest_close(opens: date, period: Period) -> date:
    """The first close date at which a consultation opened on ``opens`` has run for ``period``."""
    return add_period(opens, period)


def latest_start(deadline: date, period: Period) -> date:
    """The last day S with S + period <= deadline.

    Used for "the latest day notice can be given so that the relationship may end
    on ``deadline``", and "the latest day a consultation must start so it has run
    ``period`` before notice is due".  ``add_period`` is monotone in its day, so a
    binary search over a window that surely holds the answer finds it.
    """
    span = period.amount * {"days": 1, "weeks": 7, "months": 31}[period.unit]
    low = deadline - timedelta(days=span + 7)  # surely works: low + period <= deadline
    high = deadline  # surely fails for a positive period
    while (high - low).days > 1:
        mid = low + timedelta(days=(high - low).days // 2)
        if add_period(mid, period) <= deadline:
            low = mid
        else:
            high = mid
    return low


def days_between(earlier: date, later: date) -> int:
    return (later - earlier).days


def reminder_days(deadline: date, today: date, before: tuple[int, ...] = (14, 7, 1)) -> list[date]:
    """Days to remind on before ``deadline``, dropping any already past ``today``."""
    days = [deadline - timedelta(days=n) for n in before]
    return [d for d in days if d >= today]
