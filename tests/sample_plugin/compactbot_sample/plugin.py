"""The Sample Town Compact as a compactbot plugin, found through its entry point.

It provides its data file, and adds one remark of its own to every check of Sample
Town.  It imports only the public module ``compactbot``; the core asks it about Sample
Town alone, so it never looks at ``compact.code``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import compactbot

COMPACT_FILE = Path(__file__).parent / "sample-town.yaml"
REMARK = "Sample Town's Compact Officer can be asked to look at this."


@compactbot.hookimpl
def compactbot_compact_files() -> list[Path]:
    return [COMPACT_FILE]


@compactbot.hookimpl
def compactbot_check(
    compact: compactbot.Compact, event: compactbot.AnyEvent, today: date
) -> compactbot.CheckResult:
    result = compactbot.default_check(compact, event, today)
    return result.model_copy(update={"reasons": [*result.reasons, REMARK]})
