"""The hooks compactbot's plugins implement.

Every Compact is a plugin.  The five built-in ones (``plugins/kent_2011.py`` ...) are
default plugins, registered by the code itself; third parties register theirs under the
``compactbot`` entry-point group and import only the public module ``compactbot``.
Behaviour that is not about one Compact (the data-driven checks every Compact shares,
the topic rules for questions, bank-holiday warnings) lives in default plugins under
``bot/default_plugins/`` and goes through these same hooks.

Per-Compact hooks (``compactbot_check``, ``compactbot_result_notes``) are called, for a
Compact, only on the plugin that provided it and on plugins that provide no Compact:
a Compact plugin never sees another Compact, so it never tests ``compact.code``.

Plugins decide, the core acts: hooks return data (results, reminder plans,
notes), and only the core stores anything or sends messages.

pluggy calls hooks synchronously.  ``firstresult`` hooks must stay sync (a
coroutine is never None, so it would always win); ``compactbot_event_handled``
may be ``async def``, and the core awaits whatever coroutines it gets back.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # annotations only: answering a question needs none of these imported
    from bot.domain.events import AnyEvent
    from bot.domain.verdicts import CheckResult
    from compacts.models import Compact

PROJECT = "compactbot"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def compactbot_compact_files() -> list[Path]:  # type: ignore[empty-body]
    """Called once when the Compacts are loaded.

    Return the paths of the Compact data files (YAML) this plugin provides; each
    file's source text lives in a ``sources/`` folder beside it.  All results
    are collected; a code provided twice is an error.
    """


@hookspec(firstresult=True)
def compactbot_check(compact: Compact, event: AnyEvent, today: date) -> CheckResult | None:
    """Called once per Compact a chat follows, for each event published.

    Return the Compact's verdict on the event, or None to leave it to the shared
    check.  A plugin that only adds to the shared check calls
    ``compactbot.default_check`` and returns ``result.model_copy(update=...)``.
    Stops at the first non-None result: a Compact's own plugin runs before the
    default data-driven check, which is registered ``trylast``.
    """


@hookspec
def compactbot_result_notes(  # type: ignore[empty-body]
    compact: Compact, event: AnyEvent, result: CheckResult
) -> list[str]:
    """Called after each check, with its result.

    Return extra remarks to show with the result (for example that a deadline
    falls on a bank holiday).  All results are collected and added to the
    result's ``notes``; return an empty list to add nothing.
    """


@hookspec(firstresult=True)
def compactbot_question_topic(question: str) -> str | None:
    """Called for each question asked (``ask``, ``/ask``, a plain message).

    Return the topic (a key of ``compacts.models.TOPICS``) the question is about,
    or None if this plugin cannot tell.  Stops at the first non-None result.
    """


@hookspec
def compactbot_event_handled(event: AnyEvent, results: list[CheckResult]) -> Awaitable[None] | None:
    """Called after the core has stored an event and carried out its results.

    For side effects outside the core (audit, metrics, mirroring).  May be an
    ``async def``; the core awaits it.  Return values are ignored.
    """
