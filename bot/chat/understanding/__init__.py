"""What a message that is not a command means: its intent, learnt from labelled examples
(``intents.yaml``, ``labelled.yaml``) by a linear SVM over character n-grams, words and
lookups, the words also crossed with the context (``linear_svm``; naive Bayes, logistic
regression, TF-IDF character n-grams and an ensemble are the measured alternatives,
``benchmarks/intents_cv.py``).

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
    with_names,
)
from bot.chat.understanding.features import Featuriser
from bot.chat.understanding.linear_svm import LinearSvm
from compacts.cache import load_cached
from compacts.loader import COMPACTS_DIR
from compacts.models import Compact

SURE_ANSWER = 0.5
"""The share below which a "yes" or "no" said at a read-back is read as a question instead:
on the spent sets, cross-validated, 4 of the 6 yes and no read below it were wrong in round
3; re-measured in round 5 (six sets, each left out, context-crossed words), 1 of 2 ("ty", a
thanks, read as yes; "bang on" was a right yes).  Kept: a wrong yes stores a registration."""


@dataclass(frozen=True)
class Intent:
    label: Label
    kind: Kind | None
    """A registration's kind; None for every other label."""
    confidence: float
    asks: float = 0.0
    """The share the classifier gives "question" (a situation told with a question in it,
    "they cut our grant, can they?", is both)."""


@cache
def builtin_compacts() -> tuple[Compact, ...]:
    """The Compacts shipped with the bot, whose bodies and places the model knows (from the
    parsed-Compact cache the registry reads too: 16 ms, not 130 ms of YAML and checks)."""
    return tuple(load_cached(path)[0] for path in sorted(COMPACTS_DIR.glob("*.yaml")))


@cache
def model() -> LinearSvm:
    data = training_data()
    # Words crossed with the context: held out, 1505 of 1533 against 1497 without.
    return LinearSvm(Featuriser(with_names(data, builtin_compacts()), crossed=True), data.examples)


def read_intent(
    text: str, context: Context = "none", ruled_out: frozenset[str] = frozenset()
) -> Intent:
    """What ``text`` most likely means, said in ``context``, among the labels not
    ``ruled_out`` (what the chat's state makes impossible, e.g. a change with nothing on
    file)."""
    return meaning(model(), text, context, ruled_out=ruled_out)


def meaning(
    svm: LinearSvm,
    text: str,
    context: Context,
    sure: float = SURE_ANSWER,
    ruled_out: frozenset[str] = frozenset(),
) -> Intent:
    """What ``svm`` reads ``text`` as, with an unsure answer not taken as one."""
    scores = [s for s in svm.scores(text, context) if s[0].partition(":")[0] not in ruled_out]
    cls, p = scores[0]
    if cls in ("yes", "no") and (
        not svm.knows_a_word(text) or (context == "readback" and p < sure)
    ):
        # A yes or no guessed from letters alone ("soonish"), or an unsure one to a
        # read-back or a field's prompt ("two months"), is not taken as one (a wrong yes
        # stores a registration): it is read as a question, what the bot does with what
        # it cannot place.
        cls = "question"
    label, _, kind = cls.partition(":")
    asks = dict(scores).get("question", 0.0)
    return Intent(label, kind or None, p, asks)  # type: ignore[arg-type]


__all__ = ["ALLOWED", "CONTEXTS", "LABELS", "Context", "Intent", "Kind", "Label", "read_intent"]
