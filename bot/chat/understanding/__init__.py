"""What a message that is not a command means: its intent, learnt from labelled examples
(``intents.yaml``, ``labelled.yaml``) by a linear SVM over character n-grams, words and
lookups (``linear_svm``; naive Bayes and nearest examples are the measured alternatives).

``read_intent(text, context)`` is the one entry point; the model is trained on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bot.chat.understanding.examples import (
    ALLOWED,
    CONTEXTS,
    LABELS,
    Context,
    Kind,
    Label,
    training_data,
)
from bot.chat.understanding.features import Featuriser
from bot.chat.understanding.linear_svm import LinearSvm


@dataclass(frozen=True)
class Intent:
    label: Label
    kind: Kind | None
    """A registration's kind; None for every other label."""
    confidence: float


@cache
def model() -> LinearSvm:
    data = training_data()
    return LinearSvm(Featuriser(data), data.examples)


def read_intent(text: str, context: Context = "none") -> Intent:
    """What ``text`` most likely means, said in ``context``."""
    cls, p = model().scores(text, context)[0]
    label, _, kind = cls.partition(":")
    return Intent(label, kind or None, p)  # type: ignore[arg-type]


__all__ = ["ALLOWED", "CONTEXTS", "LABELS", "Context", "Intent", "Kind", "Label", "read_intent"]
