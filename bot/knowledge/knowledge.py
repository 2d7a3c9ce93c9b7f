"""The Compacts, their plugins and the question answerer, loaded together once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

import pluggy
from pluggy import HookCaller

from bot.knowledge.registry import CompactRegistry
from bot.pluginmanager import make_plugin_manager
from compacts.models import Compact

if TYPE_CHECKING:
    from bot.domain.events import AnyEvent
    from bot.domain.verdicts import CheckResult
    from bot.knowledge.ask import Answerer
    from bot.knowledge.gazetteer import Gazetteer


@dataclass(frozen=True)
class _CompactHooks:
    compactbot_check: HookCaller
    compactbot_result_notes: HookCaller


@dataclass
class Knowledge:
    """Everything compactbot knows, with no I/O beyond reading the Compact files."""

    pm: pluggy.PluginManager
    registry: CompactRegistry = field(init=False)

    _per_compact: dict[str, _CompactHooks] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.registry = CompactRegistry.from_plugins(self.pm)

    @classmethod
    def load(cls, pm: pluggy.PluginManager | None = None) -> Knowledge:
        return cls(pm or make_plugin_manager())

    @cached_property
    def answerer(self) -> Answerer:
        from bot.knowledge.ask import Answerer  # checking an event does not need it

        return Answerer(self.registry, self.pm)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        """The bodies and places the Compacts name, for finding them in messages."""
        from bot.knowledge.gazetteer import Gazetteer

        return Gazetteer(self.registry.compacts.values())

    def check(self, event: AnyEvent, compacts: list[Compact], today: date) -> list[CheckResult]:
        """Each Compact's verdict on ``event``, with every plugin's notes added."""
        results: list[CheckResult] = []
        for compact in compacts:
            hooks = self._hooks_for(compact.code)
            result = hooks.compactbot_check(compact=compact, event=event, today=today)
            if result is None:
                continue
            notes = [
                note
                for added in hooks.compactbot_result_notes(
                    compact=compact, event=event, result=result
                )
                for note in added
            ]
            if notes:
                result = result.model_copy(update={"notes": [*result.notes, *notes]})
            results.append(result)
        return results

    def _hooks_for(self, code: str) -> _CompactHooks:
        """The per-Compact hooks as seen by ``code``: its own plugin and the plugins that
        provide no Compact (default behaviour), never another Compact's plugin."""
        hooks = self._per_compact.get(code)
        if hooks is None:
            own = self.registry.providers.get(code)
            others = {id(p): p for c, p in self.registry.providers.items() if p is not own}
            drop = list(others.values())
            hooks = _CompactHooks(
                self.pm.subset_hook_caller("compactbot_check", remove_plugins=drop),
                self.pm.subset_hook_caller("compactbot_result_notes", remove_plugins=drop),
            )
            self._per_compact[code] = hooks
        return hooks
