"""Nearest examples: a message takes the intent of the examples most like it (cosine of
TF-IDF weighted features).  Kept as the measured alternative to naive Bayes
(``benchmarks/intents.py``)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from bot.chat.understanding.examples import ALLOWED, Context, Example
from bot.chat.understanding.features import Featuriser
from bot.chat.understanding.naive_bayes import class_of

NEIGHBOURS = 3


class Nearest:
    def __init__(self, featuriser: Featuriser, examples: Sequence[Example]) -> None:
        self.featuriser = featuriser
        sets = [featuriser.features(ex.text, ex.context) for ex in examples]
        df: Counter[str] = Counter(f for s in sets for f in s)
        n = len(sets)
        self.idf = {f: math.log((1 + n) / (1 + d)) + 1 for f, d in df.items()}
        self.vectors = [self._vector(s) for s in sets]
        self.classes = [class_of(ex) for ex in examples]
        self.index: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(sets):
            for f in s:
                self.index[f].append(i)

    def _vector(self, feats: set[str]) -> dict[str, float]:
        weights = {f: self.idf[f] for f in feats if f in self.idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {f: w / norm for f, w in weights.items()}

    def scores(self, text: str, context: Context) -> list[tuple[str, float]]:
        query = self._vector(self.featuriser.features(text, context))
        allowed = ALLOWED[context]
        sims: dict[int, float] = defaultdict(float)
        for f, w in query.items():
            for i in self.index.get(f, ()):
                sims[i] += w * self.vectors[i][f]
        votes: dict[str, float] = defaultdict(float)
        ranked = [
            i
            for i in sorted(sims, key=lambda i: -sims[i])
            if self.classes[i].partition(":")[0] in allowed
        ]
        for i in ranked[:NEIGHBOURS]:
            votes[self.classes[i]] += sims[i]
        if not votes:
            return [("question", 1.0)]
        total = sum(votes.values())
        return sorted(((c, v / total) for c, v in votes.items()), key=lambda p: -p[1])
