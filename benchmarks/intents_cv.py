"""What a message means: classifier options measured on data they were not trained on.

    .venv/bin/python benchmarks/intents_cv.py [--quick] [--only NAME] [--misses]

Every labelled message we may read is used: the shipped examples
(``bot/chat/understanding/intents.yaml``, always trained on) and the spent sets
``tests/intents/dev``, ``blind`` … ``blind-5`` (``labelled.yaml`` is not read: it is
those sets).  Two measures per option:

- leave one set out: train on the examples and the other five sets, score the sixth (a set
  written by another hand, as a new blind set will be); the sum over the six;
- 5-fold: the six sets pooled and shuffled (seed 0), each fifth scored after training on
  the examples and the other four fifths.

Printed per option: both totals, the time per message (p50, µs) and each set's score left
out; ``--misses`` lists the held-out misses.  An untouched blind set is not read here.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from intent_scoring import Case, load  # noqa: E402

from bot.chat.understanding import SURE_ANSWER, builtin_compacts, meaning  # noqa: E402
from bot.chat.understanding.examples import (  # noqa: E402
    ALLOWED,
    Example,
    TrainingData,
    parse,
    with_names,
)
from bot.chat.understanding.features import Featuriser  # noqa: E402
from bot.chat.understanding.linear_svm import C, LinearSvm  # noqa: E402
from bot.chat.understanding.naive_bayes import NaiveBayes, class_of  # noqa: E402

SETS = ("dev", "blind", "blind-2", "blind-3", "blind-4", "blind-5", "blind-6", "blind-7")
Reader = Callable[[str, str], str]
Builder = Callable[[TrainingData, Sequence[Example]], Reader]


def as_example(case: Case) -> Example:
    return Example(text=case.text, intent=case.intent, kind=case.kind, context=case.context)  # type: ignore[arg-type]


def want(case: Case) -> str:
    return f"register:{case.kind}" if case.intent == "register" else case.intent


def shipped_only() -> TrainingData:
    path = ROOT / "bot" / "chat" / "understanding" / "intents.yaml"
    return parse(path.read_text("utf-8"))


def naive_bayes(data: TrainingData, examples: Sequence[Example]) -> Reader:
    model = NaiveBayes(Featuriser(data), examples)
    return lambda text, context: model.scores(text, context)[0][0]  # type: ignore[arg-type]


def svm(
    c: float = C, balanced: bool = False, crossed: bool = False, sure: float | None = SURE_ANSWER
) -> Builder:
    """The bot's linear SVM (``LinearSvm``) with these settings; ``sure``: the share below
    which a yes or no at a read-back is read as a question (None: every answer taken)."""

    def build(data: TrainingData, examples: Sequence[Example]) -> Reader:
        model = LinearSvm(Featuriser(data, crossed), examples, c, balanced)
        if sure is None:
            return lambda text, context: model.scores(text, context)[0][0]  # type: ignore[arg-type]

        def read(text: str, context: str) -> str:
            got = meaning(model, text, context, sure)  # type: ignore[arg-type]
            return f"register:{got.kind}" if got.label == "register" else got.label

        return read

    return build


def _int32(x: Any) -> Any:
    # liblinear takes 32-bit indices only.
    x.indices = x.indices.astype("int32")
    x.indptr = x.indptr.astype("int32")
    return x


def sklearn_model(
    kind: str, c: float, chars: bool, features: bool, crossed: bool = False
) -> Builder:
    """scikit-learn over TF-IDF character n-grams within words (``chars``, 2-5, sublinear),
    the project's features (``features``, binary) or both side by side, with the context
    one-hot; ``kind`` "svm" (LinearSVC) or "lr" (logistic regression).  Measured only."""

    def build(data: TrainingData, examples: Sequence[Example]) -> Reader:
        from scipy.sparse import hstack
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC

        featuriser = Featuriser(data, crossed)
        tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        vec = DictVectorizer()

        def rows(texts: Sequence[str], contexts: Sequence[str | None], fit: bool) -> Any:
            dicts = [
                dict.fromkeys(featuriser.features(t, c), 1.0) if features else {f"ctx:{c}": 1.0}
                for t, c in zip(texts, contexts, strict=True)
            ]
            parts = [vec.fit_transform(dicts) if fit else vec.transform(dicts)]
            if chars:
                lowered = [t.lower() for t in texts]
                parts.append(tfidf.fit_transform(lowered) if fit else tfidf.transform(lowered))
            return _int32(hstack(parts).tocsr())

        x = rows([e.text for e in examples], [e.context for e in examples], fit=True)
        y = [class_of(e) for e in examples]
        model = (LogisticRegression(C=c, max_iter=3000) if kind == "lr" else LinearSVC(C=c)).fit(
            x, y
        )
        classes = [str(k) for k in model.classes_]

        def read(text: str, context: str) -> str:
            scores = model.decision_function(rows([text], [context], fit=False))[0]
            allowed = ALLOWED[context]  # type: ignore[index]
            ranked = sorted(range(len(classes)), key=lambda i: -scores[i])
            return next(classes[i] for i in ranked if classes[i].partition(":")[0] in allowed)

        return read

    return build


def ensemble(weight: float, c: float = 1.0, crossed: bool = True) -> Builder:
    """The bot's SVM (context-crossed) and a TF-IDF char_wb SVM side by side: their margins
    added, the second's times ``weight``.  Measured only."""

    def build(data: TrainingData, examples: Sequence[Example]) -> Reader:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        ours = LinearSvm(Featuriser(data, crossed), examples)
        tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        x = _int32(tfidf.fit_transform([e.text.lower() for e in examples]))
        chars = LinearSVC(C=c).fit(x, [class_of(e) for e in examples])
        index = {str(k): i for i, k in enumerate(chars.classes_)}

        def read(text: str, context: str) -> str:
            margins = chars.decision_function(_int32(tfidf.transform([text.lower()])))[0]
            total = list(ours.bias)
            for f in ours.featuriser.features(text, context):
                row = ours.weights.get(f)
                if row is not None:
                    total = [t + w for t, w in zip(total, row, strict=True)]
            allowed = ALLOWED[context]  # type: ignore[index]
            scored = {
                cls: m + weight * margins[index[cls]]
                for cls, m in zip(ours.classes, total, strict=True)
                if cls.partition(":")[0] in allowed
            }
            return max(scored, key=scored.__getitem__)

        return read

    return build


def with_gazetteer(build: Builder) -> Builder:
    """``build`` with every body and place of the built-in Compacts in the lookups (the
    bot's ``model()``)."""

    def built(data: TrainingData, examples: Sequence[Example]) -> Reader:
        return build(with_names(data, builtin_compacts()), examples)

    return built


OPTIONS: dict[str, tuple[Builder, bool]] = {
    # name: (builder, whether the spent sets' training folds are added to the examples)
    "SVM C=0.03 + names (kept)": (with_gazetteer(svm(crossed=True)), True),
    "SVM, examples only": (with_gazetteer(svm(crossed=True)), False),
    "SVM, not crossed (round 4)": (with_gazetteer(svm()), True),
    "SVM no SURE_ANSWER": (with_gazetteer(svm(crossed=True, sure=None)), True),
    "SVM SURE_ANSWER 0.35": (with_gazetteer(svm(crossed=True, sure=0.35)), True),
    "SVM SURE_ANSWER 0.65": (with_gazetteer(svm(crossed=True, sure=0.65)), True),
    "SVM C=0.01": (with_gazetteer(svm(0.01, crossed=True)), True),
    "SVM C=0.02": (with_gazetteer(svm(0.02, crossed=True)), True),
    "SVM C=0.05": (with_gazetteer(svm(0.05, crossed=True)), True),
    "SVM C=0.1": (with_gazetteer(svm(0.1, crossed=True)), True),
    "SVM balanced": (with_gazetteer(svm(crossed=True, balanced=True)), True),
    "SVM + tfidf x0.5": (with_gazetteer(ensemble(0.5)), True),
    "SVM + tfidf x1": (with_gazetteer(ensemble(1.0)), True),
    "NB + names": (with_gazetteer(naive_bayes), True),
    "LR C=3 features": (with_gazetteer(sklearn_model("lr", 3.0, False, True)), True),
    "tfidf char_wb SVM C=1": (sklearn_model("svm", 1.0, True, False), True),
    "tfidf char_wb LR C=10": (sklearn_model("lr", 10.0, True, False), True),
    "features+tfidf SVM C=0.03": (with_gazetteer(sklearn_model("svm", 0.03, True, True)), True),
}


def run(
    build: Builder, data: TrainingData, train: list[Case], test: list[Case]
) -> tuple[int, list[float], list[tuple[Case, str]]]:
    # A message the test part repeats (the sets' writers reused the issue's examples) is
    # not trained on.
    tested = {" ".join(c.text.lower().split()) for c in test}
    fresh = [c for c in train if " ".join(c.text.lower().split()) not in tested]
    read = build(data, [*data.examples, *map(as_example, fresh)])
    right = 0
    times: list[float] = []
    misses: list[tuple[Case, str]] = []
    for c in test:
        t = time.perf_counter()
        got = read(c.text, c.context)
        times.append((time.perf_counter() - t) * 1e6)
        right += got == want(c)
        if got != want(c):
            misses.append((c, got))
    return right, times, misses


def main() -> None:
    parser = argparse.ArgumentParser(description="Intent classifiers, cross-validated.")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: the kept option, leave-one-out only"
    )
    parser.add_argument("--only", help="options whose name contains one of these (a|b|…)")
    parser.add_argument(
        "--misses", action="store_true", help="list each option's held-out misses (spent sets)"
    )
    args = parser.parse_args()
    data = shipped_only()
    sets = {name: load(ROOT / "tests" / "intents" / name) for name in SETS}
    pooled = [c for cases in sets.values() for c in cases]
    random.Random(0).shuffle(pooled)
    folds = [pooled[i::5] for i in range(5)]
    sizes = ", ".join(f"{k} {len(v)}" for k, v in sets.items())
    print(f"examples {len(data.examples)}; sets {sizes}")
    print(
        f"{'option':27} {'leave-one-set-out':>18} {'5-fold':>12} {'p50 µs':>7}  "
        f"per set left out ({' '.join(SETS)})"
    )
    for name, (build, with_sets) in OPTIONS.items():
        only = args.only.split("|") if args.only else [""]
        if not any(o in name for o in only) or (args.quick and "kept" not in name):
            continue
        held = 0
        per_set: list[int] = []
        times: list[float] = []
        missed: list[tuple[Case, str]] = []
        for out in SETS:
            train = [c for k, v in sets.items() if k != out for c in v] if with_sets else []
            r, t, m = run(build, data, train, sets[out])
            held += r
            per_set.append(r)
            times += t
            missed += m
        folded = 0
        if not args.quick:
            for i, fold in enumerate(folds):
                train = [c for j, f in enumerate(folds) if j != i for c in f] if with_sets else []
                folded += run(build, data, train, fold)[0]
        n = len(pooled)
        print(
            f"{name:27} {f'{held}/{n} ({held / n:.1%})':>18} "
            f"{f'{folded}/{n} ({folded / n:.1%})' if not args.quick else '-':>12} "
            f"{statistics.median(times):7.0f}  {' '.join(map(str, per_set))}",
            flush=True,
        )
        if args.misses:
            for c, got in missed:
                print(f"    [{c.context}] {c.text!r}: {want(c)} → {got}")


if __name__ == "__main__":
    main()
