"""The data-driven check every Compact gets unless its own plugin answers first."""

from __future__ import annotations

from datetime import date

from bot.domain.checks import default_check
from bot.domain.events import AnyEvent
from bot.domain.verdicts import CheckResult
from bot.hookspecs import hookimpl
from compacts.models import Compact


@hookimpl(trylast=True)
def compactbot_check(compact: Compact, event: AnyEvent, today: date) -> CheckResult | None:
    return default_check(compact, event, today)
