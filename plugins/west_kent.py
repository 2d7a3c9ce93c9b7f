"""West Kent Compact ("Working Together").

Particular to it: "a total of 12 weeks for consultation ... and a minimum of 6
weeks in any single formal consultation period".  A consultation run in several
formal rounds meets the standard when the rounds add up to 12 weeks and this
round is at least 6 weeks long.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from bot.default_plugins.data_checks import check_event
from bot.domain.deadlines import add_period, consultation_length_days
from bot.domain.events import AnyEvent, ConsultationLaunched
from bot.domain.verdicts import CheckResult
from bot.hookspecs import hookimpl
from compacts.loader import builtin_compact_file
from compacts.models import Compact

CODE = "west-kent"


@hookimpl
def compactbot_compact_files() -> list[Path]:
    return [builtin_compact_file(CODE)]


@hookimpl
def compactbot_check(compact: Compact, event: AnyEvent, today: date) -> CheckResult | None:
    if compact.code != CODE:
        return None
    result = check_event(compact, event, today)
    rule = compact.obligations.consultation
    if not isinstance(event, ConsultationLaunched) or not event.earlier_rounds_days:
        return result
    if rule.standard is None or rule.minimum is None:
        return result
    this_round = consultation_length_days(event.opens, event.closes)
    total = this_round + event.earlier_rounds_days
    # The total counts from a start shifted back by the earlier rounds' days.
    virtual_open = event.opens - timedelta(days=event.earlier_rounds_days)
    total_met = event.closes >= add_period(virtual_open, rule.standard)
    round_met = event.closes >= add_period(event.opens, rule.minimum)
    if total_met and round_met:
        result.verdict = "meets"
        result.reasons = [
            f"With earlier rounds of {event.earlier_rounds_days} days, consultation totals "
            f"{total} days: it meets the {rule.standard.describe()} in total, and this round "
            f"is at least {rule.minimum.describe()}."
        ]
    elif total_met:
        result.reasons.insert(
            0,
            f"With earlier rounds the total is {total} days, but this round is shorter than "
            f"the {rule.minimum.describe()} minimum for any single formal period.",
        )
    return result
