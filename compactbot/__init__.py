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

Who and where are data too: a Compact file's ``bodies`` (``compactbot.Body``: one name, its
kind, public or vcs, and the ways people write it), ``places`` (``compactbot.Place``),
``names`` and ``within`` make a message naming them ("STC", "Sampleton") go to that Compact
and read its body; see README, "Adding a Compact".

The core calls a Compact's plugin only for the Compact(s) that plugin provides, so a
plugin never checks ``compact.code``.  A plugin that adds a sentence about a duty takes its
words from the rule's recorded strength (``modal``, ``asks``, ``owed``, ``strength_of``), so a
"usually" is never said as "must".  The hooks are documented in ``bot/hookspecs.py``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from bot.hookspecs import hookimpl, hookspec

if TYPE_CHECKING:
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
    from bot.domain.verdicts import (
        CheckResult,
        Citation,
        Lapse,
        ProcedureStep,
        ReminderPlan,
        cite,
    )
    from compacts.models import Body, Commitment, Compact, Obligations, Period, Place

_LAZY = {
    "default_check": "bot.domain.checks",
    "add_period": "bot.domain.deadlines",
    "consultation_length_days": "bot.domain.deadlines",
    "days_between": "bot.domain.deadlines",
    "asks": "bot.domain.duty",
    "modal": "bot.domain.duty",
    "owed": "bot.domain.duty",
    "strength_of": "bot.domain.duty",
    "AnyEvent": "bot.domain.events",
    "ComplaintRaised": "bot.domain.events",
    "ComplaintStepCompleted": "bot.domain.events",
    "ConsultationClosed": "bot.domain.events",
    "ConsultationLaunched": "bot.domain.events",
    "FundingEnding": "bot.domain.events",
    "CheckResult": "bot.domain.verdicts",
    "Citation": "bot.domain.verdicts",
    "Lapse": "bot.domain.verdicts",
    "ProcedureStep": "bot.domain.verdicts",
    "ReminderPlan": "bot.domain.verdicts",
    "cite": "bot.domain.verdicts",
    "Body": "compacts.models",
    "Place": "compacts.models",
    "Commitment": "compacts.models",
    "Compact": "compacts.models",
    "Obligations": "compacts.models",
    "Period": "compacts.models",
}
"""Imported on first use: a plugin module imports ``compactbot`` for ``hookimpl`` when the
Compacts are loaded, and answering a question must not pay for the checks' models."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'compactbot' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "AnyEvent",
    "Body",
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
    "Place",
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
