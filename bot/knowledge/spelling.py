"""Correcting typos in questions against the words the Compacts (and people) use."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.knowledge.search import STOPWORDS, stem

_WORD = re.compile(r"[a-z](?:[a-z'-]*[a-z])?")
"""A word, without a quote mark or hyphen at its end ("'commitment'" is "commitment")."""

# Words people write that the Compacts do not, so they are never "corrected" away.
EVERYDAY = frozenset(
    """
    council councils kcc nhs pct ccg charity charities grant grants cut cutting
    email emails emailed letter letters reply replied replies wrote written complain
    complaint complaints broke broken breach ombudsman mediation volunteers overheads
    upfront front arrears notice weeks months days ok okay allowed should shoud would
    could enough longer shorter minimum maximum feedback heard review reviewed often
    campaign criticise criticize policies office space training courses monitoring
    tender tenders bid bids deadline deadlines phone tell told happened said
    meant properly again round treated invoice invoices insured insurance wages
    """.split()
)
_MISTYPED = 2
"""Letters a word of ``_LONG`` letters or more may have wrong (a shorter one: one); more,
and it is another word ("sessions" is not "sections")."""
_LONG = 10
_SWAPPED = 4
"""Words this long are corrected only where two neighbouring letters are swapped."""


class Speller:
    """Maps unknown words of five letters or more to the closest known word."""

    def __init__(self, vocabulary: set[str]) -> None:
        self._known = frozenset(vocabulary) | EVERYDAY | STOPWORDS
        self._stems = frozenset(stem(w) for w in self._known)
        self._choices = sorted(w for w in self._known if len(w) >= 4)
        self._fix = lru_cache(maxsize=4096)(self._closest)
        # Four-letter words are corrected only for two letters swapped ("lnog": "long").
        self._anagrams: dict[str, list[str]] = {}
        for w in sorted(self._known):
            if len(w) == _SWAPPED:
                self._anagrams.setdefault("".join(sorted(w)), []).append(w)

    def _swapped(self, word: str) -> str:
        """The known word ``word`` is with two neighbouring letters swapped, or ``word``."""
        for candidate in self._anagrams.get("".join(sorted(word)), []):
            if candidate[0] == word[0] and OSA.distance(word, candidate) == 1:
                return candidate
        return word

    def _closest(self, word: str) -> str:
        """The known word ``word`` is most likely a mistyping of, or ``word`` itself.

        A typo keeps a word's first letter and gets one or two letters wrong ("recovry",
        "consultaion"); a word that differs more, or at its start ("invoices" and
        "voices"), or that is another form of a known word ("closed"), is left alone.
        """
        if stem(word) in self._stems:
            return word
        found = process.extract(word, self._choices, scorer=fuzz.ratio, score_cutoff=75, limit=10)
        allowed = _MISTYPED if len(word) >= _LONG else 1
        fits = [
            (
                OSA.distance(word, candidate),
                not _doubled(word, candidate),
                abs(len(candidate) - len(word)),
                -score,
                candidate,
            )
            for candidate, score, _i in found
            if candidate[0] == word[0]
        ]
        # Fewest letters wrong; then a doubled letter written once ("legaly": "legally",
        # not "legacy"); then a swap or a wrong letter before a missing one ("contarct":
        # "contract", not "contact").
        best = min((f for f in fits if f[0] <= allowed), default=None)
        return str(best[4]) if best else word

    def correct(self, text: str) -> str:
        def fix(m: re.Match[str]) -> str:
            word = m.group(0)
            if word in self._known:
                return word
            if len(word) == _SWAPPED:
                return self._swapped(word)
            if len(word) < 5:
                return word
            return str(self._fix(word))

        return _WORD.sub(fix, text.lower())


def _doubled(word: str, candidate: str) -> bool:
    """Whether ``candidate`` is ``word`` with one of its letters doubled."""
    return len(candidate) == len(word) + 1 and any(
        candidate[i] == candidate[i + 1] and candidate[:i] + candidate[i + 1 :] == word
        for i in range(len(candidate) - 1)
    )


def vocabulary_of(texts: list[str]) -> set[str]:
    words: set[str] = set()
    for text in texts:
        words.update(_WORD.findall(text.lower()))
    return words
