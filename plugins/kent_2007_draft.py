"""Kent Partners Compact, 2007 consultation draft.

Particular to it: its consultation code "does not take into consideration
consultations that are required as statute, such as planning applications and
highways proposals", so those get no verdict from it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from bot.default_plugins.data_checks import check_event
from bot.domain.events import AnyEvent, ConsultationLaunched
from bot.domain.verdicts import CheckResult, cite
from bot.hookspecs import hookimpl
from compacts.loader import builtin_compact_file
from compacts.models import Compact

CODE = "kent-2007-draft"
_STATUTORY = re.compile(r"\b(planning applications?|highways?)\b", re.IGNORECASE)


@hookimpl
def compactbot_compact_files() -> list[Path]:
    return [builtin_compact_file(CODE)]


@hookimpl
def compactbot_check(compact: Compact, event: AnyEvent, today: date) -> CheckResult | None:
    if compact.code != CODE:
        return None
    result = check_event(compact, event, today)
    if isinstance(event, ConsultationLaunched) and _STATUTORY.search(event.title):
        scope = [c for c in compact.commitments if "required as statute" in c.quote]
        result.verdict = "no_rule"
        result.demand_days = None
        result.reasons = [
            f"{compact.short_name}'s consultation code does not cover consultations required "
            "by statute, such as planning applications and highways proposals: their periods "
            "are set by law."
        ]
        result.citations = [cite(compact, c.id) for c in scope] or result.citations
    return result
