"""Warn when a deadline falls on a weekend or a bank holiday of the Compact's nation.

Compact periods count calendar days, so this never changes a verdict: it only
tells the group that the office may be shut that day.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays

from bot.events import AnyEvent
from bot.hookspecs import hookimpl
from bot.verdicts import CheckResult
from compacts.models import Compact

# holidays' subdivision codes for the UK nations.
_SUBDIVISION = {"england": "ENG", "scotland": "SCT", "wales": "WLS", "northern_ireland": "NIR"}

_LABELS = {
    "standard_close": "The close date the Compact asks for",
    "minimum_close": "The minimum close date",
    "notice_by": "The notice deadline",
    "consultation_start_by": "The consultation start deadline",
    "reply_by": "The reply deadline",
    "feedback_by": "The feedback deadline",
    "closes": "The consultation close",
}


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


@hookimpl
def compactbot_result_notes(compact: Compact, event: AnyEvent, result: CheckResult) -> list[str]:
    days: dict[str, date] = {k: v for k, v in result.deadlines.items() if v is not None}
    closes = getattr(event, "closes", None)
    if isinstance(closes, date):
        days["closes"] = closes
    notes = []
    for key, day in days.items():
        reason = closed_day_reason(day, compact.nation)
        if reason:
            label = _LABELS.get(key, key.replace("_", " ").capitalize())
            notes.append(f"{label}, {day.day} {day:%B %Y}, is {reason}.")
    return notes
