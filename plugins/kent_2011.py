"""Kent Partners' Compact, Refresh 2011.

Particular to it: when ending or changing a financial relationship, "a three
month period of consultation shall be undertaken, prior to a minimum of three
months written notice".  The shared check finds the latest start dates; this
plugin also checks that a consultation that did happen ran its full period
*before* the notice actually given.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import compactbot
from compacts.loader import builtin_compact_file

CODE = "kent-2011"


@compactbot.hookimpl
def compactbot_compact_files() -> list[Path]:
    return [builtin_compact_file(CODE)]


@compactbot.hookimpl
def compactbot_check(
    compact: compactbot.Compact, event: compactbot.AnyEvent, today: date
) -> compactbot.CheckResult | None:
    result = compactbot.default_check(compact, event, today)
    period = compact.obligations.funding_change.consultation_before_notice
    if (
        not isinstance(event, compactbot.FundingEnding)
        or period is None
        or event.consultation_started_on is None
        or event.notice_given_on is None
    ):
        return result
    full = compactbot.add_period(event.consultation_started_on, period)
    if event.notice_given_on >= full:
        return result
    ran = compactbot.days_between(event.consultation_started_on, event.notice_given_on)
    reason = (
        f"Notice came only {ran} days after the consultation started: the "
        f"{period.describe()} consultation must be complete before notice "
        f"(not before {full.day} {full:%B %Y})."
    )
    return result.model_copy(update={"verdict": "breach", "reasons": [*result.reasons, reason]})
