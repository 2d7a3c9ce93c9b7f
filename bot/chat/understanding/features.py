"""A message as the features the classifier counts: its words and word pairs, the
character n-grams of its words, and the lookup tables its phrases belong to.

Dates, numbers, months, bodies and places are seen as what they are ("0 ‹month›",
"‹body›"), so one example with "31 march" and "kcc" teaches every date and body.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from bot.chat.understanding.examples import TrainingData

_TOKEN = re.compile(r"[a-z0-9£']+|[?!]|[\U0001F300-\U0001FAFF\u2600-\u27BF]")
"""Words, "?" and "!", and emoji (a 👍 is a yes)."""
_DIGITS = re.compile(r"[0-9]+")
NGRAMS = (2, 3, 4, 5)


class Featuriser:
    """Turns text into features with the training data's lookups and synonyms."""

    def __init__(self, data: TrainingData, crossed: bool = False) -> None:
        self.synonyms = data.synonyms
        self.crossed = crossed
        # Longest phrases first, as tuples of tokens; each maps to its table's marker.
        phrases: dict[tuple[str, ...], str] = {}
        for table, said in data.lookups.items():
            for phrase in said:
                phrases.setdefault(tuple(self._words(phrase)), f"‹{table}›")
        self.phrases = phrases
        self.longest = max((len(p) for p in phrases), default=0)

    def _words(self, text: str) -> list[str]:
        text = text.lower().replace("’", "'").replace("&", " and ")
        words = [w.strip("'") for w in _TOKEN.findall(text)]
        return [self.synonyms.get(w, w) for w in words if w]

    def tokens(self, text: str) -> list[str]:
        """The words, with lookup phrases replaced by their table's marker and digits by 0."""
        words = self._words(text)
        out: list[str] = []
        i = 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                marker = self.phrases.get(tuple(words[i : i + n]))
                if marker is not None:
                    out.append(marker)
                    i += n
                    break
            else:
                out.append(_DIGITS.sub("0", words[i]))
                i += 1
        return out

    def features(self, text: str, context: str | None = None) -> set[str]:
        tokens = self.tokens(text)
        feats: set[str] = set()
        padded = ["<s>", *tokens, "</s>"]
        feats.update(f"w:{t}" for t in tokens)
        feats.update(f"b:{a} {b}" for a, b in itertools.pairwise(padded))
        feats.update(_char_ngrams(tokens))
        if len(tokens) <= 3:
            feats.add(f"short:{len(tokens)}")  # "yes", "ok go ahead": answers are short
        if context is not None:
            feats.add(f"ctx:{context}")
            if self.crossed and context != "none":
                # "no" or "cheers" means one thing at a read-back and another at a
                # suggestion: the words and word pairs again, seen with where they were said.
                feats.update(
                    f"x:{context}:{f}" for f in list(feats) if f[0] in "wb" and f[1] == ":"
                )
        return feats


def _char_ngrams(tokens: Iterable[str]) -> set[str]:
    grams: set[str] = set()
    for token in tokens:
        if token.startswith("‹"):
            continue
        padded = f" {token} "
        for n in NGRAMS:
            grams.update(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
    return grams
