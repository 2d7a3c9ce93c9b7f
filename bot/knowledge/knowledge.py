"""The Compacts, their plugins and the question answerer, loaded together once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import pluggy

from bot.domain.events import AnyEvent
from bot.domain.verdicts import CheckResult
from bot.knowledge.ask import Answerer
from bot.knowledge.registry import CompactRegistry
from bot.pluginmanager import make_plugin_manager
from compacts.models import Compact


@dataclass
class Knowledge:
    """Everything compactbot knows, with no I/O beyond reading the Compact files."""

    pm: pluggy.PluginManager
    registry: CompactRegistry = field(init=False)

    def __post_init__(self) -> None:
        self.registry = CompactRegistry.from_plugins(self.pm)

    @classmethod
    def load(cls, pm: pluggy.PluginManager | None = None) -> Knowledge:
        return cls(pm or make_plugin_manager())

    @cached_property
    def answerer(self) -> Answerer:
        return Answerer(self.registry, self.pm)

    def check(self, event: AnyEvent, compacts: list[Compact], today: date) -> list[CheckResult]:
        """Each Compact's verdict on ``event``, with every plugin's notes added."""
        results: list[CheckResult] = []
        for compact in compacts:
            result = self.pm.hook.compactbot_check(compact=compact, event=event, today=today)
            if result is None:
                continue
            for notes in self.pm.hook.compactbot_result_notes(
                compact=compact, event=event, result=result
            ):
                result.notes.extend(notes)
            results.append(result)
        return results
