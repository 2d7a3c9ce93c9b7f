"""Multinomial naive Bayes over a message's features, trained on the examples at first use.

Counting is all training does (a few tens of milliseconds for the shipped examples), and a
message costs one sum per intent; measured against the alternatives in
``benchmarks/intents.py``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from bot.chat.understanding.examples import ALLOWED, Context, Example
from bot.chat.understanding.features import Featuriser

SMOOTHING = 0.1
"""Additive smoothing of feature counts (chosen on the development set)."""


def class_of(example: Example) -> str:
    """An intent, with a registration's kind: ``register:funding``."""
    return f"register:{example.kind}" if example.intent == "register" else example.intent


class NaiveBayes:
    def __init__(self, featuriser: Featuriser, examples: Sequence[Example]) -> None:
        self.featuriser = featuriser
        counts: dict[str, Counter[str]] = {}
        docs: Counter[str] = Counter()
        for ex in examples:
            cls = class_of(ex)
            docs[cls] += 1
            counts.setdefault(cls, Counter()).update(featuriser.features(ex.text, ex.context))
        vocabulary = set().union(*counts.values())
        self.vocabulary = frozenset(vocabulary)
        size = len(vocabulary)
        self.log_prior = {c: math.log(n / sum(docs.values())) for c, n in docs.items()}
        self.log_likelihood: dict[str, dict[str, float]] = {}
        self.log_unseen: dict[str, float] = {}
        for cls, counter in counts.items():
            total = sum(counter.values()) + SMOOTHING * size
            self.log_likelihood[cls] = {
                f: math.log((n + SMOOTHING) / total) for f, n in counter.items()
            }
            self.log_unseen[cls] = math.log(SMOOTHING / total)

    def scores(self, text: str, context: Context) -> list[tuple[str, float]]:
        """Each class allowed in ``context`` with its probability, most likely first."""
        feats = [f for f in self.featuriser.features(text, context) if f in self.vocabulary]
        allowed = ALLOWED[context]
        raw = {
            cls: self.log_prior[cls] + _sum(table.get(f, self.log_unseen[cls]) for f in feats)
            for cls, table in self.log_likelihood.items()
            if cls.partition(":")[0] in allowed
        }
        return _normalised(raw)


def _sum(values: Iterable[float]) -> float:
    return math.fsum(values)


def _normalised(raw: dict[str, float]) -> list[tuple[str, float]]:
    top = max(raw.values())
    exp = {c: math.exp(s - top) for c, s in raw.items()}
    total = sum(exp.values())
    return sorted(((c, e / total) for c, e in exp.items()), key=lambda p: -p[1])
