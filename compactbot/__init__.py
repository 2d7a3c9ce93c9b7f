"""compactbot's public plugin API: everything a Compact plugin needs, from one module.

A third-party Compact is a module with hook implementations, registered under the
``compactbot`` entry-point group::

    from pathlib import Path
    import compactbot

    @compactbot.hookimpl
    def compactbot_compact_files() -> list[Path]:
        return [Path(__file__).parent / "mytown.yaml"]

    @compactbot.hookimpl
    def compactbot_check(compact, event, today):
        result = compactbot.default_check(compact, event, today)
        return result.model_copy(update={"notes": [*result.notes, "Ask our Compact officer."]})

The core calls a Compact's plugin only for the Compact(s) that plugin provides, so a
plugin never checks ``compact.code``.  A plugin that adds a sentence about a duty takes its
words from the rule's recorded strength (``modal``, ``asks``, ``owed``, ``strength_of``), so a
"usually" is never said as "must".  The hooks are documented in ``bot/hookspecs.py``.
"""

from bot.domain.checks import default_check
from bot.domain.deadlines import add_period, consultation_length_days, days_between
from bot.domain.duty import asks, modal, owed, strength_of
from bot.domain.events import (
    AnyEvent,
    ComplaintRaised,
    ComplaintStepCompleted,
    ConsultationClosed,
    ConsultationLaunched,
    FundingEnding,
)
from bot.domain.verdicts import CheckResult, Citation, Lapse, ProcedureStep, ReminderPlan, cite
from bot.hookspecs import hookimpl, hookspec
from compacts.models import Commitment, Compact, Obligations, Period

__all__ = [
    "AnyEvent",
    "CheckResult",
    "Citation",
    "Commitment",
    "Compact",
    "ComplaintRaised",
    "ComplaintStepCompleted",
    "ConsultationClosed",
    "ConsultationLaunched",
    "FundingEnding",
    "Lapse",
    "Obligations",
    "Period",
    "ProcedureStep",
    "ReminderPlan",
    "add_period",
    "asks",
    "cite",
    "consultation_length_days",
    "days_between",
    "default_check",
    "hookimpl",
    "hookspec",
    "modal",
    "owed",
    "strength_of",
]
