"""West Kent Compact ("Working Together").

Particular to it: "a total of 12 weeks for consultation ... and a minimum of 6
weeks in any single formal consultation period".  A consultation run in several
formal rounds meets the standard when the rounds add up to 12 weeks and this
round is at least 6 weeks long.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import compactbot
from compacts.loader import builtin_compact_file

CODE = "west-kent"


@compactbot.hookimpl
def compactbot_compact_files() -> list[Path]:
    return [builtin_compact_file(CODE)]


@compactbot.hookimpl
def compactbot_check(
    compact: compactbot.Compact, event: compactbot.AnyEvent, today: date
) -> compactbot.CheckResult | None:
    result = compactbot.default_check(compact, event, today)
    rule = compact.obligations.consultation
    if not isinstance(event, compactbot.ConsultationLaunched) or not event.earlier_rounds_days:
        return result
    if rule.standard is None or rule.minimum is None:
        return result
    this_round = compactbot.consultation_length_days(event.opens, event.closes)
    total = this_round + event.earlier_rounds_days
    # The total counts from a start shifted back by the earlier rounds' days.
    virtual_open = event.opens - timedelta(days=event.earlier_rounds_days)
    total_met = event.closes >= compactbot.add_period(virtual_open, rule.standard)
    round_met = event.closes >= compactbot.add_period(event.opens, rule.minimum)
    if total_met and round_met:
        reason = (
            f"With earlier rounds of {event.earlier_rounds_days} days, consultation totals "
            f"{total} days: it meets the {rule.standard.describe()} in total, and this round "
            f"is at least {rule.minimum.describe()}."
        )
        return result.model_copy(update={"verdict": "meets", "reasons": [reason]})
    if total_met:
        reason = (
            f"With earlier rounds the total is {total} days, but this round is shorter than "
            f"the {rule.minimum.describe()} minimum for any single formal period."
        )
        return result.model_copy(update={"reasons": [reason, *result.reasons]})
    return result
