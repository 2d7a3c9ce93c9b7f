"""Finding a Compact the way people name it: by code, by name, or by the place it covers.

"west kent", "Kent 2011", "RBKC", "Kensington" and "Sevenoaks" all name a Compact the data
knows: its code, its title and short name, and the places in its area and parties (a
council's name is its place).  Nothing here knows geography beyond the data files: a town
no Compact names is not guessed.
"""

from __future__ import annotations

import re

from bot.knowledge.registry import CompactRegistry
from compacts.models import Compact

_WORD = re.compile(r"[a-z0-9]+")

# Words in titles, areas and parties that name no place.
_NOT_PLACES = frozenset(
    """
    a an and the of in for with between to on by at its their our we
    council councils borough district county city royal authority authorities local area areas
    nhs primary care trust trusts hospital hospitals health community partnership association
    services service voluntary sector sectors vcs organisations organisation public relevant
    fire rescue police college planning compact compacts partners partner working together
    consultation document draft refresh west east north south new
    """.split()
)


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("&", " and "))


def place_words(compact: Compact) -> frozenset[str]:
    """The place names a Compact's area and parties give ("sevenoaks", "kinross")."""
    words: set[str] = set()
    for text in (compact.area, *compact.parties):
        words.update(w for w in words_of(text) if w not in _NOT_PLACES and not w.isdigit())
    return frozenset(words)


def name_words(compact: Compact) -> frozenset[str]:
    """The words of a Compact's code, title and short name ("kent", "2011")."""
    text = " ".join((compact.code.replace("-", " "), compact.title, compact.short_name))
    return frozenset(w for w in words_of(text) if w not in {"the", "of", "and", "a"})


_FILLERS = frozenset({"and", "the", "of", "a", "compact"})


def find_compacts(registry: CompactRegistry, text: str) -> list[Compact]:
    """The Compacts ``text`` names, best first: its code ("kent-2011", "RBKC"), every word of
    it in the Compact's name ("west kent", "Kent 2011"), or a place it covers ("Kensington").
    Several means ambiguous ("Kent"); none means unknown."""
    raw = " ".join(text.lower().split())
    if not raw:
        return []
    code = raw.replace(" ", "-")
    if code in registry.compacts:
        return [registry.compacts[code]]
    said = set(words_of(raw)) - _FILLERS
    by_name = [c for c in registry.compacts.values() if said and said <= name_words(c)]
    if by_name:
        # "kent" names three; "kent 2011" one. Fewer extra words first: the closest name.
        return sorted(by_name, key=lambda c: (len(name_words(c)), c.code))
    return [c for c in registry.compacts.values() if said and said <= place_words(c)]
