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

from bot.default_plugins.data_checks import check_event
from bot.domain.deadlines import add_period, days_between
from bot.domain.events import AnyEvent, FundingEnding
from bot.domain.verdicts import CheckResult
from bot.hookspecs import hookimpl
from compacts.loader import builtin_compact_file
from compacts.models import Compact

CODE = "kent-2011"


@hookimpl
def compactbot_compact_files() -> list[Path]:
    return [builtin_compact_file(CODE)]


@hookimpl
def compactbot_check(compact: Compact, event: AnyEvent, today: date) -> CheckResult | None:
    if compact.code != CODE:
        return None
    result = check_event(compact, event, today)
    period = compact.obligations.funding_change.consultation_before_notice
    if (
        isinstance(event, FundingEnding)
        and period is not None
        and event.consultation_started_on is not None
        and event.notice_given_on is not None
    ):
        full = add_period(event.consultation_started_on, period)
        if event.notice_given_on < full:
            ran = days_between(event.consultation_started_on, event.notice_given_on)
            result.verdict = "breach"
            result.reasons.append(
                f"Notice came only {ran} days after the consultation started: the "
                f"{period.describe()} consultation must be complete before notice "
                f"(not before {full.day} {full:%B %Y})."
            )
    return result
