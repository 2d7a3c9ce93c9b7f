"""What a message means: classifier options measured on data they were not trained on.

    .venv/bin/python benchmarks/intents_cv.py [--quick]

Every labelled message we may read is used: the shipped examples
(``bot/chat/understanding/intents.yaml``, always trained on) and the spent sets
``tests/intents/dev``, ``blind`` and ``blind-2``.  Two measures per option:

- leave one set out: train on the examples and two of the three sets, score the third (a
  set written by another hand, as a new blind set will be); the sum over the three;
- 5-fold: the three sets pooled and shuffled (seed 0), each fifth scored after training on
  the examples and the other four fifths.

Printed per option: both totals and the time per message (p50, µs).  An untouched blind
set is not read here.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from intent_scoring import Case, load  # noqa: E402

from bot.chat.understanding import builtin_compacts  # noqa: E402
from bot.chat.understanding.examples import Example, TrainingData, parse, with_names  # noqa: E402
from bot.chat.understanding.features import Featuriser  # noqa: E402
from bot.chat.understanding.linear_svm import LinearSvm  # noqa: E402
from bot.chat.understanding.naive_bayes import NaiveBayes, class_of  # noqa: E402
from bot.chat.understanding.nearest import Nearest  # noqa: E402

SETS = ("dev", "blind", "blind-2")
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


def nearest(data: TrainingData, examples: Sequence[Example]) -> Reader:
    model = Nearest(Featuriser(data), examples)
    return lambda text, context: model.scores(text, context)[0][0]  # type: ignore[arg-type]


def svm_kept(data: TrainingData, examples: Sequence[Example]) -> Reader:
    model = LinearSvm(Featuriser(data), examples)
    return lambda text, context: model.scores(text, context)[0][0]  # type: ignore[arg-type]


def ensemble(data: TrainingData, examples: Sequence[Example]) -> Reader:
    featuriser = Featuriser(data)
    nb = NaiveBayes(featuriser, examples)
    nn = Nearest(featuriser, examples)

    def read(text: str, context: str) -> str:
        votes: dict[str, float] = {}
        for model in (nb, nn):
            for cls, p in model.scores(text, context):  # type: ignore[arg-type]
                votes[cls] = votes.get(cls, 0.0) + p
        return max(votes, key=votes.__getitem__)

    return read


def naive_bayes_with(smoothing: float) -> Builder:
    def build(data: TrainingData, examples: Sequence[Example]) -> Reader:
        from bot.chat.understanding import naive_bayes as nb

        kept = nb.SMOOTHING
        nb.SMOOTHING = smoothing
        try:
            return naive_bayes(data, examples)
        finally:
            nb.SMOOTHING = kept

    return build


def linear(kind: str, c: float, norm: bool = False) -> Builder:
    """Logistic regression or a linear SVM (scikit-learn, measured only) over the same
    features as naive Bayes, binary."""

    def build(data: TrainingData, examples: Sequence[Example]) -> Reader:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC

        from bot.chat.understanding.examples import ALLOWED

        featuriser = Featuriser(data)
        vec = DictVectorizer()

        def row(text: str, context: str | None) -> dict[str, float]:
            feats = featuriser.features(text, context)
            return dict.fromkeys(feats, 1 / len(feats) ** 0.5 if norm else 1.0)

        x = vec.fit_transform([row(e.text, e.context) for e in examples])
        x.indices = x.indices.astype("int32")
        x.indptr = x.indptr.astype("int32")
        y = [class_of(e) for e in examples]
        model = (LogisticRegression(C=c, max_iter=2000) if kind == "lr" else LinearSVC(C=c)).fit(
            x, y
        )
        classes = list(model.classes_)

        def read(text: str, context: str) -> str:
            one = vec.transform([row(text, context)])
            one.indices = one.indices.astype("int32")
            one.indptr = one.indptr.astype("int32")
            scores = model.decision_function(one)[0]
            allowed = ALLOWED[context]  # type: ignore[index]
            ranked = sorted(range(len(classes)), key=lambda i: -scores[i])
            return str(next(classes[i] for i in ranked if classes[i].partition(":")[0] in allowed))

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
    "SVM + sets + names (kept)": (with_gazetteer(svm_kept), True),
    "SVM C=0.03 + sets": (svm_kept, True),
    "NB + sets + names": (with_gazetteer(naive_bayes), True),
    "NB, examples only": (naive_bayes, False),
    "NB + sets": (naive_bayes, True),
    "nearest 3 + sets": (nearest, True),
    "NB+nearest + sets": (ensemble, True),
    "NB a=0.03 + sets": (naive_bayes_with(0.03), True),
    "NB a=0.3 + sets": (naive_bayes_with(0.3), True),
    "NB a=1 + sets": (naive_bayes_with(1.0), True),
    "LR C=1 + sets": (linear("lr", 1.0), True),
    "LR C=10 + sets": (linear("lr", 10.0), True),
    "SVM C=0.1 + sets": (linear("svm", 0.1), True),
    "SVM C=1 + sets": (linear("svm", 1.0), True),
    "SVM C=0.05 + sets": (linear("svm", 0.05), True),
    "SVM C=0.2 + sets": (linear("svm", 0.2), True),
    "SVM norm C=0.3 + sets": (linear("svm", 0.3, True), True),
    "SVM norm C=1 + sets": (linear("svm", 1.0, True), True),
    "SVM norm C=3 + sets": (linear("svm", 3.0, True), True),
    "SVM C=0.1, examples only": (linear("svm", 0.1), False),
}


def run(
    build: Builder, data: TrainingData, train: list[Case], test: list[Case]
) -> tuple[int, list[float]]:
    # A message the test part repeats (the sets' writers reused the issue's examples) is
    # not trained on.
    tested = {" ".join(c.text.lower().split()) for c in test}
    fresh = [c for c in train if " ".join(c.text.lower().split()) not in tested]
    read = build(data, [*data.examples, *map(as_example, fresh)])
    right = 0
    times: list[float] = []
    for c in test:
        t = time.perf_counter()
        got = read(c.text, c.context)
        times.append((time.perf_counter() - t) * 1e6)
        right += got == want(c)
    return right, times


def main() -> None:
    parser = argparse.ArgumentParser(description="Intent classifiers, cross-validated.")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: the kept option, leave-one-out only"
    )
    parser.add_argument("--only", help="options whose name contains this")
    args = parser.parse_args()
    data = shipped_only()
    sets = {name: load(ROOT / "tests" / "intents" / name) for name in SETS}
    pooled = [c for cases in sets.values() for c in cases]
    random.Random(0).shuffle(pooled)
    folds = [pooled[i::5] for i in range(5)]
    sizes = ", ".join(f"{k} {len(v)}" for k, v in sets.items())
    print(f"examples {len(data.examples)}; sets {sizes}")
    print(f"{'option':27} {'leave-one-set-out':>18} {'5-fold':>12} {'p50 µs':>8}")
    for name, (build, with_sets) in OPTIONS.items():
        if (args.only and args.only not in name) or (args.quick and "kept" not in name):
            continue
        held = 0
        times: list[float] = []
        for out in SETS:
            train = [c for k, v in sets.items() if k != out for c in v] if with_sets else []
            r, t = run(build, data, train, sets[out])
            held += r
            times += t
        folded = 0
        if not args.quick:
            for i, fold in enumerate(folds):
                train = [c for j, f in enumerate(folds) if j != i for c in f] if with_sets else []
                folded += run(build, data, train, fold)[0]
        n = len(pooled)
        print(
            f"{name:27} {f'{held}/{n} ({held / n:.1%})':>18} "
            f"{f'{folded}/{n} ({folded / n:.1%})' if not args.quick else '-':>12} "
            f"{statistics.median(times):8.0f}"
        )


if __name__ == "__main__":
    main()
