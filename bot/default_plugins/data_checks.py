"""The data-driven check every Compact gets unless its own plugin answers first."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.hookspecs import hookimpl

if TYPE_CHECKING:
    from bot.domain.events import AnyEvent
    from bot.domain.verdicts import CheckResult
    from compacts.models import Compact


@hookimpl(trylast=True)
def compactbot_check(compact: Compact, event: AnyEvent, today: date) -> CheckResult | None:
    from bot.domain.checks import default_check  # imported when a check is made, not to ask

    return default_check(compact, event, today)
