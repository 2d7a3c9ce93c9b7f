"""Warn when a deadline falls on a weekend or a bank holiday of the Compact's nation.

Compact periods count calendar days, so this never changes a verdict: it only
tells the group that the office may be shut that day.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.hookspecs import hookimpl

if TYPE_CHECKING:
    from bot.domain.events import AnyEvent
    from bot.domain.verdicts import CheckResult
    from compacts.models import Compact


@hookimpl
def compactbot_result_notes(compact: Compact, event: AnyEvent, result: CheckResult) -> list[str]:
    if result.finding == "excluded":
        return []  # the Compact leaves this case out: it has no dates to warn about
    # Imported on the first check: the holidays tables are not needed to answer a question.
    from bot.domain.verdicts import deadline_label
    from bot.domain.working_days import closed_day_reason

    days: dict[str, date] = {k: v for k, v in result.deadlines.items() if v is not None}
    closes = getattr(event, "closes", None)
    if isinstance(closes, date):
        days["closes"] = closes
    notes = []
    for key, day in days.items():
        reason = closed_day_reason(day, compact.nation)
        if reason:
            label = deadline_label(key, result.strength)
            notes.append(f"{label}, {day.day} {day:%B %Y}, is {reason}.")
    return notes
