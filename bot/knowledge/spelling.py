"""Correcting typos in questions against the words the Compacts (and people) use."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

_WORD = re.compile(r"[a-z][a-z'-]+")

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
    """.split()
)


class Speller:
    """Maps unknown words of five letters or more to the closest known word."""

    def __init__(self, vocabulary: set[str]) -> None:
        self._known = frozenset(vocabulary) | EVERYDAY
        self._choices = sorted(w for w in self._known if len(w) >= 4)
        self._fix = lru_cache(maxsize=4096)(self._closest)

    def _closest(self, word: str) -> str:
        match = process.extractOne(word, self._choices, scorer=fuzz.ratio, score_cutoff=84)
        return match[0] if match else word

    def correct(self, text: str) -> str:
        def fix(m: re.Match[str]) -> str:
            word = m.group(0)
            if len(word) < 5 or word in self._known:
                return word
            return str(self._fix(word))

        return _WORD.sub(fix, text.lower())


def vocabulary_of(texts: list[str]) -> set[str]:
    words: set[str] = set()
    for text in texts:
        words.update(_WORD.findall(text.lower()))
    return words
