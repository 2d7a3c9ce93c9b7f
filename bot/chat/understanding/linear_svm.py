"""A linear support vector machine over a message's features (the same as naive Bayes
counts), one against the rest per intent, trained with scikit-learn's ``LinearSVC``
(liblinear) at first use.

It weighs features against each other where naive Bayes counts each alone, so "can they
do that?" outweighs the date and body that make a message look like a registration.
Cross-validated over every labelled message we may read (``benchmarks/intents_cv.py``) it
reads 1513 of 1533 right, leaving one set out, against 1470 for naive Bayes on the same data.

Training takes about 1 s (plus importing scikit-learn, once); the learnt weights are then
kept as plain dictionaries, so reading a message is one sum per intent, as for naive Bayes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bot.chat.understanding.examples import ALLOWED, Context, Example
from bot.chat.understanding.features import Featuriser
from bot.chat.understanding.naive_bayes import class_of

C = 0.03
"""The SVM's cost of a margin violation (chosen by cross-validation, 0.03-1 measured)."""


class LinearSvm:
    def __init__(
        self,
        featuriser: Featuriser,
        examples: Sequence[Example],
        c: float = C,
        balanced: bool = False,
    ) -> None:
        # Imported here: scikit-learn is paid for once, when the first message is read.
        import numpy as np
        from scipy.sparse import csr_matrix
        from sklearn.svm import LinearSVC

        self.featuriser = featuriser
        # The binary matrix built directly (DictVectorizer checks every value's type: 1.7 s
        # of the first message on a loaded machine, against 0.1 s).
        column: dict[str, int] = {}
        indices: list[int] = []
        indptr = [0]
        for e in examples:
            indices += sorted(
                column.setdefault(f, len(column)) for f in featuriser.features(e.text, e.context)
            )
            indptr.append(len(indices))
        # liblinear takes 32-bit indices only.
        x = csr_matrix(
            (np.ones(len(indices)), np.array(indices, "int32"), np.array(indptr, "int32")),
            shape=(len(examples), len(column)),
        )
        svm = LinearSVC(C=c, class_weight="balanced" if balanced else None).fit(
            x, [class_of(e) for e in examples]
        )
        self.classes: list[str] = [str(c) for c in svm.classes_]
        self.bias: list[float] = [float(b) for b in svm.intercept_]
        self.weights: dict[str, list[float]] = dict(zip(column, svm.coef_.T.tolist(), strict=True))

    def knows_a_word(self, text: str) -> bool:
        """Whether a word of ``text`` (not just its letters) was in an example."""
        return any(f in self.weights for f in self.featuriser.features(text) if f.startswith("w:"))

    def scores(self, text: str, context: Context) -> list[tuple[str, float]]:
        """Each class allowed in ``context`` with a probability-like share (a softmax of
        the margins), most likely first."""
        total = list(self.bias)
        for f in self.featuriser.features(text, context):
            row = self.weights.get(f)
            if row is not None:
                total = [t + w for t, w in zip(total, row, strict=True)]
        allowed = ALLOWED[context]
        raw = {
            cls: margin
            for cls, margin in zip(self.classes, total, strict=True)
            if cls.partition(":")[0] in allowed
        }
        top = max(raw.values())
        exp = {c: math.exp(4 * (m - top)) for c, m in raw.items()}
        norm = sum(exp.values())
        return sorted(((c, e / norm) for c, e in exp.items()), key=lambda p: -p[1])
