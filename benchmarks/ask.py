"""Latency of ``Answerer.ask`` in-process, over the five Compacts and over 500 synthetic ones.

    .venv/bin/python benchmarks/ask.py [--n 2000] [--synthetic 500] [--profile] [--signals]

The synthetic Compacts are copies of the real ones under new codes ("rbkc-17"),
registered straight into a ``CompactRegistry`` with the real files' paths (so each
one's ``sources/`` and ``search/`` folders are found).  Each setting asks a mix of
user-style questions, round robin, after a warm-up, and reports p50, p99 and the worst
wall time per ask (an ask runs on the event loop: the worst is how long it blocks it).
Answers are built only for the Compacts shown: five (``compactbot ask``), or the
answerer's default of ten (a chat shows five of them); the rest are counted.
The five real Compacts, all answered, are the floor beside them.

The aim (issue 14): p50 under 5 ms and p99 under 20 ms at 500 Compacts.

``--signals`` (issue 21) adds a table side by side with and without each ranking or
calibration signal: lexical ranking alone (no calibration), with the question keys judging
how sure a clause answer is (the default), and with the keys also weighting the ranking
and searched as a field of each clause (``KEYS``, ``search.QUESTION_KEYS``: the default since
round 5); each on the five Compacts and at the
synthetic scale, plus the cold first ask (building the searches and, when judged, the key
indexes) that a one-shot ``compactbot ask`` pays.

The sentence-embedding model (``bot.knowledge.embedding``), when installed, is measured side
by side too: the same questions in chat with and without it (``Answerer.use_embedding``),
its load at the first question, and the time it adds per question.  ``compactbot ask``
never loads it (``--embedding-off`` skips this part).
Start-up from 500 real files on disk is ``benchmarks/startup.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import itertools
import math
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import bot.knowledge.ask as ask_module  # noqa: E402
import bot.knowledge.search as search  # noqa: E402
from bot.knowledge.ask import DEFAULT_LIMIT, Answerer, AskResult  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402
from bot.knowledge.registry import CompactRegistry  # noqa: E402

AIM_P50_MS = 5.0
AIM_P99_MS = 20.0

QUESTIONS: list[str] = [
    "how long must a consultation be?",
    "how much notice before they end our grant?",
    "the council gave us 4 weeks to respond to a consultation, is that ok?",
    "our funding is being cut next month, what can we do?",
    "how quickly should they reply to our letter?",
    "we never heard back after we responded to the consultation",
    "how do I complain if the council breaks the compact?",
    "who do we complain to if a charity broke the compact?",
    "how often is the compact reviewed?",
    "can they pay our grant in arrears?",
    "can we include overheads in our bid?",
    "can we campaign against the council and keep our funding?",
    "what does the compact say about volunteers expenses?",
    "do they have to monitor our contract?",
    "what about BME groups and equality?",
    "is there any help with office space?",
    "how long is the consultaton perod",  # typos, as people type them
    "do we get multi-year funding?",
    "what training is on offer for small groups?",
    "who is in charge of making sure the compact gets used?",
    "what colour is the sky?",  # nothing answers this
]


@dataclass(frozen=True)
class Row:
    setting: str
    p50_ms: float
    p99_ms: float
    max_ms: float
    n: int
    answers: int


def percentile(sorted_ns: list[int], q: float) -> float:
    """Nearest-rank percentile of sorted nanosecond timings, in milliseconds."""
    rank = max(1, math.ceil(q * len(sorted_ns)))
    return sorted_ns[rank - 1] / 1e6


def synthetic_registry(real: CompactRegistry, count: int) -> CompactRegistry:
    """``count`` copies of the real Compacts under new codes, pointing at the real files."""
    registry = CompactRegistry()
    codes = real.codes
    for i in range(count):
        code = codes[i % len(codes)]
        compact = real.get(code)
        copy = compact.model_copy(
            update={
                "code": f"{code}-{i}",
                "short_name": f"{compact.short_name} #{i}",
                "title": f"{compact.title} #{i}",
            }
        )
        registry.add(
            copy, real.files[code], keywords=real.keywords(code), questions=real.questions(code)
        )
    return registry


def measure(
    setting: str,
    answerer: Answerer,
    choose: Callable[[int], list[str] | None],
    expected_answers: int,
    n: int,
    warmup: int,
    limit: int | None = DEFAULT_LIMIT,
) -> Row:
    questions = itertools.cycle(QUESTIONS)
    for i in range(warmup):
        answerer.ask(next(questions), choose(i), limit=limit)
    timings: list[int] = []
    for i in range(n):
        question, chosen = next(questions), choose(i)
        start = time.perf_counter_ns()
        result = answerer.ask(question, chosen, limit=limit)
        timings.append(time.perf_counter_ns() - start)
        if len(result.answers) != expected_answers:
            raise AssertionError(
                f"{setting}: {question!r} gave {len(result.answers)} answers, "
                f"expected {expected_answers}"
            )
    timings.sort()
    return Row(
        setting,
        percentile(timings, 0.50),
        percentile(timings, 0.99),
        timings[-1] / 1e6,
        n,
        expected_answers,
    )


def print_table(rows: list[Row]) -> None:
    width = max(len(r.setting) for r in rows)
    head = f"{'setting':<{width}}  {'p50 ms':>8}  {'p99 ms':>8}  {'max ms':>8}  {'n':>6}"
    print(f"{head}  {'answers/ask':>11}")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 8}  {'-' * 8}  {'-' * 6}  {'-' * 11}")
    for r in rows:
        print(
            f"{r.setting:<{width}}  {r.p50_ms:>8.2f}  {r.p99_ms:>8.2f}  {r.max_ms:>8.2f}  "
            f"{r.n:>6}  {r.answers:>11}"
        )


SIGNALS: list[tuple[str, bool, bool, float, float]] = [
    ("lexical only", False, False, 0.0, 0.0),
    ("+ keys judge", True, False, 0.0, 0.0),
    ("+ learned judge (round 4)", True, True, 0.0, 0.0),
    ("+ keys searched, weighted (default)", True, True, 0.5, 1.0),
]
"""(setting, calibrated, learned calibration, keys weight in the ranking, keys' words in the
clause search)."""

_COLD_QUESTION = "what does the compact say about volunteers expenses?"
"""A clause question: its answers are judged by their keys, so a cold ask builds them."""


def signal_rows(knowledge: Knowledge, big_registry: CompactRegistry, n: int, warmup: int) -> None:
    """Each signal setting side by side, warm and cold."""
    real = knowledge.registry
    k, s = len(real.compacts), len(big_registry.compacts)
    rows: list[Row] = []
    cold: list[str] = []
    saved = ask_module.CALIBRATED, ask_module.LEARNED, ask_module.KEYS, search.QUESTION_KEYS
    try:
        for name, calibrated, learned, keys, searched in SIGNALS:
            ask_module.CALIBRATED, ask_module.LEARNED, ask_module.KEYS = calibrated, learned, keys
            search.QUESTION_KEYS = searched
            firsts = []
            for _ in range(5):
                fresh = Answerer(real, knowledge.pm)
                start = time.perf_counter_ns()
                fresh.ask(_COLD_QUESTION, limit=5)
                firsts.append((time.perf_counter_ns() - start) / 1e6)
            cold.append(f"{name}: {min(firsts):.1f} ms")
            small = Answerer(real, knowledge.pm)
            rows.append(measure(f"{name}: {k} Compacts, all", small, lambda i: None, k, n, warmup))
            big = Answerer(big_registry, knowledge.pm)
            rows.append(
                measure(f"{name}: {s} Compacts, 5 shown", big, lambda i: None, 5, n, warmup, 5)
            )
    finally:
        (ask_module.CALIBRATED, ask_module.LEARNED, ask_module.KEYS, search.QUESTION_KEYS) = saved
    print("\nSignals side by side (issue 21):\n")
    print_table(rows)
    print(f"\nCold first ask over the {k} Compacts (best of 5): " + "; ".join(cold))


def embedding_rows(knowledge: Knowledge, n: int, warmup: int) -> None:
    """Chat answers with and without the sentence-embedding model, side by side."""
    from bot.knowledge.embedding import Unavailable, model

    start = time.perf_counter_ns()
    try:
        model()
    except Unavailable as why:
        print(f"\nSentence-embedding model: not measured ({why})")
        return
    load_ms = (time.perf_counter_ns() - start) / 1e6
    real = knowledge.registry
    k = len(real.compacts)
    rows: list[Row] = []
    first_ms = 0.0

    class Uncached(Answerer):
        """Each question embedded afresh (a chat's questions are seldom asked twice)."""

        def ask(self, *args: Any, **kwargs: Any) -> AskResult:
            if self._semantic is not None:
                self._semantic._questions.clear()
            return super().ask(*args, **kwargs)

    for on in (False, True):
        answerer = Uncached(real, knowledge.pm)
        answerer.use_embedding(on)
        start = time.perf_counter_ns()
        answerer.ask(QUESTIONS[0], limit=None)  # with it: the Compacts' vectors are read
        if on:
            first_ms = (time.perf_counter_ns() - start) / 1e6
        label = "with embedding" if on else "no embedding"
        rows.append(measure(f"{label}: {k} Compacts, all", answerer, lambda i: None, k, n, warmup))
        rows.append(measure(f"{label}: --compact rbkc", answerer, lambda i: ["rbkc"], 1, n, warmup))
    print("\nSentence-embedding model side by side (chat; `compactbot ask` never loads it):\n")
    print_table(rows)
    added = [b.p50_ms - a.p50_ms for a, b in zip(rows[:2], rows[2:], strict=True)]
    print(
        f"\nModel load (imports, SHA-256 checks, session) {load_ms:.0f} ms, once per process; "
        f"first question with it (reads the vectors) {first_ms:.0f} ms; added per question "
        f"p50: {added[0]:.1f} ms ({k} Compacts), {added[1]:.1f} ms (one)"
    )


def profile_ask(answerer: Answerer, asks: int, top: int = 10) -> None:
    questions = itertools.cycle(QUESTIONS)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(asks):
        answerer.ask(next(questions), limit=5)
    profiler.disable()
    print(
        f"\ncProfile of {asks} asks over all {len(answerer.registry.compacts)} Compacts, "
        f"top {top} by cumulative time:"
    )
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=2000, help="timed asks per setting")
    parser.add_argument("--warmup", type=int, default=100, help="untimed asks first")
    parser.add_argument("--synthetic", type=int, default=500, help="synthetic Compacts")
    parser.add_argument(
        "--profile", action="store_true", help="profile the synthetic all-Compacts case"
    )
    parser.add_argument(
        "--signals", action="store_true", help="each ranking/calibration signal side by side"
    )
    parser.add_argument("--quick", action="store_true", help="smallest sizes (the CI smoke run)")
    parser.add_argument(
        "--embedding-off", action="store_true", help="skip the sentence-embedding comparison"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.n = 50
        args.warmup = 5
        args.synthetic = 20

    knowledge = Knowledge.load()
    real = knowledge.registry
    start = time.perf_counter_ns()
    small = Answerer(real, knowledge.pm)
    small_build_ms = (time.perf_counter_ns() - start) / 1e6

    big_registry = synthetic_registry(real, args.synthetic)
    start = time.perf_counter_ns()
    big = Answerer(big_registry, knowledge.pm)
    big_build_ms = (time.perf_counter_ns() - start) / 1e6
    big_codes = big_registry.codes
    gc.freeze()  # as bot.lifecycle does once the Compacts are loaded
    k = len(real.compacts)
    s = args.synthetic

    rows = [
        measure(f"floor: {k} Compacts, all", small, lambda i: None, k, args.n, args.warmup),
        measure(f"{k} Compacts, --compact rbkc", small, lambda i: ["rbkc"], 1, args.n, args.warmup),
        measure(
            f"{s} Compacts, all, 5 shown (CLI)",
            big,
            lambda i: None,
            5,
            args.n,
            args.warmup,
            limit=5,
        ),
        measure(
            f"{s} Compacts, all, {DEFAULT_LIMIT} built (chat)",
            big,
            lambda i: None,
            DEFAULT_LIMIT,
            args.n,
            args.warmup,
        ),
        measure(
            f"{s} Compacts, one --compact (varied)",
            big,
            lambda i: [big_codes[(i * 7919) % s]],
            1,
            args.n,
            args.warmup,
        ),
    ]
    print(
        f"Answerer.ask latency ({len(QUESTIONS)} questions, round robin; "
        f"aim at {s}: p50 < {AIM_P50_MS:g} ms, p99 < {AIM_P99_MS:g} ms)\n"
    )
    print_table(rows)
    print(
        f"\nBuild Answerer (index + speller): {k} Compacts {small_build_ms:.1f} ms; "
        f"{s} Compacts {big_build_ms:.1f} ms"
    )
    misses = [r.setting for r in rows[2:] if r.p50_ms >= AIM_P50_MS or r.p99_ms >= AIM_P99_MS]
    print("Aim missed by: " + "; ".join(misses) if misses else "Aim met.")
    if args.signals:
        signal_rows(knowledge, big_registry, args.n, args.warmup)
    if not args.embedding_off:
        embedding_rows(knowledge, args.n, args.warmup)
    if args.profile:
        profile_ask(big, min(args.n, 200))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
