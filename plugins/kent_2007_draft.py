"""Kent Partners Compact, 2007 consultation draft.

Particular to it: its consultation code "does not take into consideration
consultations that are required as statute, such as planning applications and
highways proposals", so those get no verdict from it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import compactbot
from compacts.loader import builtin_compact_file

CODE = "kent-2007-draft"
_STATUTORY = re.compile(r"\b(planning applications?|highways?)\b", re.IGNORECASE)


@compactbot.hookimpl
def compactbot_compact_files() -> list[Path]:
    return [builtin_compact_file(CODE)]


@compactbot.hookimpl
def compactbot_check(
    compact: compactbot.Compact, event: compactbot.AnyEvent, today: date
) -> compactbot.CheckResult | None:
    result = compactbot.default_check(compact, event, today)
    if not isinstance(event, compactbot.ConsultationLaunched) or not _STATUTORY.search(event.title):
        return result
    scope = [c for c in compact.commitments if "required as statute" in c.quote]
    reason = (
        f"{compact.short_name}'s consultation code does not cover consultations required "
        "by statute, such as planning applications and highways proposals: their periods "
        "are set by law."
    )
    return result.model_copy(
        update={
            "verdict": "no_rule",
            "demand_days": None,
            "reasons": [reason],
            "citations": [compactbot.cite(compact, c.id) for c in scope] or result.citations,
        }
    )
