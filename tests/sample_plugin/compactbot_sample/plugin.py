"""The Sample Town Compact as a compactbot plugin, found through its entry point.

It provides its data file, and adds one remark of its own to every check of
Sample Town (and answers for no other Compact).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.default_plugins.data_checks import check_event
from bot.domain.events import AnyEvent
from bot.domain.verdicts import CheckResult
from bot.hookspecs import hookimpl
from compacts.models import Compact

CODE = "sample-town"
COMPACT_FILE = Path(__file__).parent / f"{CODE}.yaml"
REMARK = "Sample Town's Compact Officer can be asked to look at this."


@hookimpl
def compactbot_compact_files() -> list[Path]:
    return [COMPACT_FILE]


@hookimpl
def compactbot_check(compact: Compact, event: AnyEvent, today: date) -> CheckResult | None:
    if compact.code != CODE:
        return None
    result = check_event(compact, event, today)
    result.reasons.append(REMARK)
    return result
