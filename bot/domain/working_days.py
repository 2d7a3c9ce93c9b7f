"""Whether a calendar day is a working day in a UK nation (weekends and bank holidays).

Compact periods count calendar days, so this never moves a deadline; replies and
the calendar only warn that an office may be shut that day.  The holiday tables
come from the ``holidays`` package and need no network.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays

# holidays' subdivision codes for the UK nations.
_SUBDIVISION = {"england": "ENG", "scotland": "SCT", "wales": "WLS", "northern_ireland": "NIR"}


@cache
def _calendar(nation: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=_SUBDIVISION[nation], years=year)


def closed_day_reason(day: date, nation: str) -> str | None:
    """Why ``day`` is not a working day in ``nation`` (weekend or bank holiday), or None."""
    name = _calendar(nation, day.year).get(day)
    if name:
        return f"a bank holiday in {nation.replace('_', ' ').title()} ({name})"
    if day.weekday() >= 5:
        return "a Saturday" if day.weekday() == 5 else "a Sunday"
    return None
