"""The data-driven check every Compact gets unless its own plugin answers first."""

from __future__ import annotations

from datetime import date

from bot.domain import checks
from bot.domain.events import (
    AnyEvent,
    ComplaintRaised,
    ComplaintStepCompleted,
    ConsultationClosed,
    ConsultationLaunched,
    FundingEnding,
)
from bot.domain.verdicts import CheckResult
from bot.hookspecs import hookimpl
from compacts.models import Compact


@hookimpl(trylast=True)
def compactbot_check(compact: Compact, event: AnyEvent, today: date) -> CheckResult | None:
    return check_event(compact, event, today)


def check_event(compact: Compact, event: AnyEvent, today: date) -> CheckResult:
    """The shared check for ``event``; Compact plugins call this and adjust its result."""
    if isinstance(event, ConsultationLaunched):
        return checks.check_consultation(compact, event, today)
    if isinstance(event, ConsultationClosed):
        return checks.check_consultation_closed(compact, event, today)
    if isinstance(event, FundingEnding):
        return checks.check_funding(compact, event, today)
    if isinstance(event, ComplaintRaised):
        return checks.check_complaint(compact, event, today)
    if isinstance(event, ComplaintStepCompleted):
        return checks.check_complaint_step(compact, event, today)
    raise TypeError(f"no check for {type(event).__name__}")
