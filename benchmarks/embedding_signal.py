"""Does the sentence-embedding model help the answers, held out?  (issue 21, items 3 and 8)

    .venv/bin/python benchmarks/embedding_signal.py [--fusion 0 1 2 4] [--set FOLDER]

The engine's embedding (``bot.knowledge.embedding``: all-MiniLM-L6-v2, int8 ONNX, the
shipped clause and key vectors) is used two ways, each measured leaving one spent question
set out at a time (``dev``, ``dev-2``, ``blind`` … ``blind-6`` and the existing set):

- as **candidates**: each candidate clause's score is multiplied by
  exp(FUSION x (its nearness - the nearest's)) (``bot.knowledge.ask.FUSION``), for each
  ``--fusion`` weight: right answers before any calibration (first clause accepted);
- as **calibration signals** (``bot.knowledge.embedding.SIGNALS``): the logistic regression
  of ``benchmarks/calibrate.py`` trained on the other sets with and without them, the
  threshold chosen held out by the same cost (3 x confidently wrong + right made unsure).

``--set FOLDER`` adds the totals (never the cases) of a further folder under the models
trained on every spent set.  Prints the per-question cost of embedding a question too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests", ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import calibrate  # noqa: E402
from calibrate import L2, NAMES, Case, choose, held_out, pooled, tally  # noqa: E402
from question_scoring import BLIND_SETS, load  # noqa: E402

import bot.knowledge.ask as ask_module  # noqa: E402
from bot.knowledge.calibration import fit  # noqa: E402
from bot.knowledge.embedding import SIGNALS, Unavailable, shared  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402

SPENT = list(dict.fromkeys([*calibrate.SPENT, "blind-5", "blind-6"]))
"""Every question set whose cases may be read (round 5): calibrate's and the two since."""


def gather(knowledge: Knowledge, embedding: bool, fusion: float) -> dict[str, list[Case]]:
    saved_spent, saved_fusion = calibrate.SPENT, ask_module.FUSION
    calibrate.SPENT, ask_module.FUSION = SPENT, fusion
    try:
        return calibrate.gather(knowledge, embedding)
    finally:
        calibrate.SPENT, ask_module.FUSION = saved_spent, saved_fusion


def cost_of(
    sets: dict[str, list[Case]], probs: dict[str, list[float]], t: float, base_right: int
) -> float:
    """3 x confidently wrong + right answers lost, against ``base_right`` (the right first
    clauses with no embedding and no calibration: the same for every run compared)."""
    right, wrong, _ = pooled(sets, probs, t)
    return 3.0 * wrong + base_right - right


def figures(sets: dict[str, list[Case]], names: list[str]) -> tuple[dict[str, list[float]], float]:
    probs = held_out(sets, names, L2)
    return probs, choose(sets, probs, 3.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--fusion", type=float, nargs="*", default=[0.0])
    parser.add_argument("--set", action="append", type=Path, dest="sets", default=[])
    parser.add_argument(
        "--quick", action="store_true", help="the CI smoke run: the costs only, no training"
    )
    args = parser.parse_args(argv)
    knowledge = Knowledge.load()
    start = time.perf_counter()
    semantic = shared(knowledge.registry)
    if semantic is None:
        print("skipped: the sentence-embedding model cannot be used here (see the log)")
        return 0
    load_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    fresh = [semantic.vectors(code) for code in knowledge.registry.codes]
    vectors_ms = (time.perf_counter() - start) * 1000
    if any(v is None for v in fresh):
        raise Unavailable("stale vectors: run python -m bot.knowledge.embedding")
    questions = [str(i["q"]) for _, i in load(BLIND_SETS["dev"])][:200]
    times = []
    for q in questions:
        start = time.perf_counter()
        semantic.embed([q])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"model load (imports, SHA-256 checks, session) {load_ms:.0f} ms; "
          f"every Compact's vectors read and checked {vectors_ms:.0f} ms")  # fmt: skip
    print(f"one question embedded: p50 {statistics.median(times):.1f} ms, "
          f"p99 {times[int(len(times) * 0.99) - 1]:.1f} ms over {len(times)}")  # fmt: skip
    if args.quick:
        return 0

    base = gather(knowledge, False, 0.0)
    base_probs, t0 = figures(base, NAMES)
    with_names = NAMES + list(SIGNALS)
    print("\nheld out (each set scored by a model trained on the others): right/wrong/unsure;")
    print("'first' = right first clause before calibration (confident or not)")
    header = f"{'set':<10} {'first':>6} {'no embedding':>14}"
    runs: dict[float, tuple[dict[str, list[Case]], dict[str, list[float]], float]] = {}
    for w in args.fusion:
        runs[w] = (sets := gather(knowledge, True, w), *figures(sets, with_names))
        header += f" | {'first':>6} {f'emb, fusion {w:g}':>16}"
    print(header)
    for name, cases in base.items():
        line = f"{name:<10} {sum(c.ok for c in cases):>6} "
        line += f"{'/'.join(map(str, tally(cases, base_probs[name], t0))):>14}"
        for sets, probs, t in runs.values():
            mine = sets[name]
            line += f" | {sum(c.ok for c in mine):>6} "
            line += f"{'/'.join(map(str, tally(mine, probs[name], t))):>16}"
        print(f"{line}   of {len(cases)}")
    line = f"{'pooled':<10} {sum(c.ok for s in base.values() for c in s):>6} "
    line += f"{'/'.join(map(str, pooled(base, base_probs, t0))):>14}"
    for sets, probs, t in runs.values():
        line += f" | {sum(c.ok for s in sets.values() for c in s):>6} "
        line += f"{'/'.join(map(str, pooled(sets, probs, t))):>16}"
    print(line)
    first = sum(c.ok for s in base.values() for c in s)
    costs = [f"no embedding {cost_of(base, base_probs, t0, first):g} (threshold {t0:.3f})"]
    for w, (sets, probs, t) in runs.items():
        costs.append(f"fusion {w:g}: {cost_of(sets, probs, t, first):g} (threshold {t:.3f})")
        # The embedding as candidates only, the calibration without its signals.
        p, t1 = figures(sets, NAMES)
        costs.append(f"fusion {w:g} without the signals: {cost_of(sets, p, t1, first):g}")
    print(f"cost (3 x wrong + the {first} right first clauses of no embedding not given as "
          "right): " + "; ".join(costs))  # fmt: skip

    if args.sets:
        print("\nfurther sets (totals only), trained on every spent set:")
        for w, (sets, _, t) in [(0.0, (base, {}, t0)), *runs.items()]:
            embedding = sets is not base
            names = with_names if embedding else NAMES
            rows = [c for cases in sets.values() for c in cases if c.confident]
            model = fit([c.signals for c in rows], [c.ok for c in rows], names, L2)
            saved = calibrate.SPENT
            calibrate.SPENT = []
            try:
                saved_fusion, ask_module.FUSION = ask_module.FUSION, w
                extra = {f.name: f for f in args.sets}
                saved_sets = dict(BLIND_SETS)
                BLIND_SETS.update(extra)
                calibrate.SPENT = list(extra)
                found = calibrate.gather(knowledge, embedding)
            finally:
                calibrate.SPENT = saved
                ask_module.FUSION = saved_fusion
                BLIND_SETS.clear()
                BLIND_SETS.update(saved_sets)
            label = f"fusion {w:g}" if embedding else "no embedding"
            for name in extra:
                cases = found[name]
                probs = [model.probability(c.signals) if c.confident else 0.0 for c in cases]
                print(f"{name:<10} {label:<16} "
                      f"{'/'.join(map(str, tally(cases, probs, t)))} of {len(cases)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
