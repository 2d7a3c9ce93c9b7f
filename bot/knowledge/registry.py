"""The Compacts known to this run, gathered from every plugin's data files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pluggy

from compacts.cache import load_all
from compacts.loader import CompactFileError, load_keywords, load_questions
from compacts.models import Compact


class UnknownCompact(KeyError):
    """A compact code nobody provides."""

    def __init__(self, code: str, known: list[str]) -> None:
        super().__init__(code)
        self.code = code
        self.known = known

    def __str__(self) -> str:
        return f"unknown compact '{self.code}'; known: {', '.join(self.known)}"


@dataclass
class CompactRegistry:
    """Every loaded Compact by code, in a stable order, with the file each came from."""

    compacts: dict[str, Compact] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    providers: dict[str, object] = field(default_factory=dict)
    """The plugin that provided each Compact: the only Compact plugin asked about it."""
    _keywords: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _questions: dict[str, dict[str, list[str]]] = field(default_factory=dict, repr=False)
    _question_sources: dict[str, Callable[[], dict[str, list[str]]]] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager) -> CompactRegistry:
        registry = cls()
        # Each implementation is called on its own, so every file is known by its plugin.
        for impl in pm.hook.compactbot_compact_files.get_hookimpls():
            paths = cast("list[Path]", impl.function())
            for path in paths:
                found = load_all(Path(path))
                registry.add(found.compact, Path(path), impl.plugin, found.keywords)
                # Decoded on first need (a command that judges no answer never decodes them).
                registry._question_sources[found.compact.code] = found.questions_later()
        return registry

    def add(
        self,
        compact: Compact,
        path: Path,
        provider: object = None,
        keywords: dict[str, str] | None = None,
        questions: dict[str, list[str]] | None = None,
    ) -> None:
        """Add ``compact``, read from ``path``; its keywords and question keys are read
        beside ``path`` on first use unless given."""
        if compact.code in self.compacts:
            raise CompactFileError(
                f"{path}: code: '{compact.code}' is already provided by {self.files[compact.code]}"
            )
        self.compacts[compact.code] = compact
        self.files[compact.code] = path
        self.providers[compact.code] = provider
        if keywords is not None:
            ids = {c.id for c in compact.commitments}
            self._keywords[compact.code] = {k: v for k, v in keywords.items() if k in ids}
        if questions is not None:
            self._questions[compact.code] = questions

    def keywords(self, code: str) -> dict[str, str]:
        """The paraphrase keywords for ``code``'s commitments (``search/<file>.yaml`` beside
        its data file), by commitment id; empty when there is no such file.  Ids the
        Compact does not have are left out (``stale_keywords`` names them)."""
        found = self._keywords.get(code)
        if found is None:
            ids = {c.id for c in self.get(code).commitments}
            found = {k: v for k, v in load_keywords(self.files[code]).items() if k in ids}
            self._keywords[code] = found
        return found

    def questions(self, code: str) -> dict[str, list[str]]:
        """The question keys for ``code``'s commitments (``questions/<file>.yaml`` beside its
        data file: questions each commitment answers), by commitment id; empty when there
        is no such file."""
        found = self._questions.get(code)
        if found is None:
            source = self._question_sources.pop(code, None)
            found = source() if source else load_questions(self.files[code], self.get(code))
            self._questions[code] = found
        return found

    def stale_keywords(self, code: str) -> list[str]:
        """Keyword entries for commitments ``code`` does not have (renamed or removed)."""
        ids = {c.id for c in self.get(code).commitments}
        return sorted(k for k in load_keywords(self.files[code]) if k not in ids)

    @property
    def codes(self) -> list[str]:
        return sorted(self.compacts)

    def get(self, code: str) -> Compact:
        try:
            return self.compacts[code]
        except KeyError:
            raise UnknownCompact(code, self.codes) from None

    def display_name(self, code: str) -> str:
        """The short name of a Compact for reports; an unknown code (a Compact since
        removed, or a placeholder) is shown as it is."""
        compact = self.compacts.get(code)
        return f"{compact.short_name} ({code})" if compact else code

    def resolve(self, codes: list[str]) -> list[Compact]:
        """The Compacts for ``codes`` (all of them when empty); raises UnknownCompact."""
        if not codes:
            return [self.compacts[c] for c in self.codes]
        return [self.get(c.strip().lower()) for c in codes]

    def source_path(self, code: str) -> Path:
        return self.files[code].parent / "sources" / self.get(code).source
