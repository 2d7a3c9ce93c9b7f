"""Learn the answer calibration from the spent question sets, measured on held-out sets.

    .venv/bin/python benchmarks/calibrate.py [--write] [--cost 3] [--signals] [--set FOLDER]

Every spent set (``dev``, ``dev-2``, ``blind`` … ``blind-6`` and the existing set) is
answered with no calibration; each confident answer (``rule``, ``clause``, ``no_number``)
gives its signals (``bot.knowledge.ask._learned_signals``) and whether it was judged right
(``tests/question_scoring.py``).  Then, leaving one set out at a time, a logistic regression
(``bot.knowledge.calibration.fit``) is trained on the others and scores the one left out:
right / confidently wrong / unsure per held-out set at each threshold.  The threshold
minimises, over every held-out answer, ``--cost`` x confidently wrong + right answers given
as unsure (a confidently wrong answer quoted to a council costs more than an honest "I'm
not sure").  ``--write`` trains on every set and writes ``bot/knowledge/calibration.json``
with that threshold.

``--signals`` measures each group of signals by leaving it out (held-out figures at the
chosen threshold).  ``--set FOLDER`` adds the totals of a further folder (e.g. an untouched
blind set) under the model written: its cases are never used for training or listed.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from question_scoring import (  # noqa: E402
    BLIND_SETS,
    QUESTIONS,
    judge_blind,
    judge_existing,
    load,
)

import bot.knowledge.ask as ask_module  # noqa: E402
from bot.knowledge.calibration import EMBEDDED_WEIGHTS, WEIGHTS, Calibrator, fit  # noqa: E402
from bot.knowledge.embedding import SIGNALS as EMBEDDING  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402

GROUPS: dict[str, list[str]] = {
    "kind and path": ["rule", "no_number", "picked", "own", "asked_rule", "cited", "draft"],
    "lexical rank and margin": [
        "absent", "pos", "top", "ratio", "lead", "log_score", "top_cov",
    ],
    "coverage": ["cov", "covered", "terms"],
    "question keys": ["keyed", "key_top", "keyed_other", "keys_none", "key_raw", "key_best"],
    "whose duty": ["own_duty", "owed", "asks_duty", "duty_match"],
    "figure": ["asks_figure", "asks_count", "asks_when", "proposed", "states"],
    "clause kind": ["defines", "tagged", "statement", "topic_none", "rule_topic", "focus",
                    "asks_contact"],
}  # fmt: skip
NAMES = [name for names in GROUPS.values() for name in names]
THRESHOLDS = [i / 200 for i in range(0, 191, 5)]
L2 = 60.0
"""The weights' L2 penalty: measured held out (cost 3 x wrong + right made unsure, all sets
pooled) 370 at 1, 361 at 10, 348 at 30, 342 at 60."""
SPENT = ["dev", "dev-2", "blind", "blind-2", "blind-3", "blind-4", "blind-5", "blind-6"]
"""The sets whose cases may be read and trained on (blind-7 and later are not)."""


@dataclass
class Case:
    confident: bool
    """A confident answer the calibration judges."""
    ok: bool
    signals: dict[str, float]
    sure: bool = False
    """Given with confidence whatever the calibration says (a rule's figure asked for)."""


def gather(knowledge: Knowledge, embedding: bool = False) -> dict[str, list[Case]]:
    """Every spent set's answers with no calibration (signals still computed), with the
    sentence-embedding model or without."""
    never = Calibrator((), (), (), (), 30.0, 0.0)
    saved = ask_module.calibrator
    ask_module.calibrator = lambda path=WEIGHTS: never  # type: ignore[assignment]
    knowledge.answerer.use_embedding(embedding)
    sets: dict[str, list[Case]] = {}
    try:
        items = {name: [(judge_blind, c, i) for c, i in load(BLIND_SETS[name])] for name in SPENT}
        items["existing"] = [(judge_existing, c, i) for c, i in load(QUESTIONS)]
        for name, cases in items.items():
            found = []
            for judge, code, item in cases:
                answer = knowledge.answerer.ask(str(item["q"]), [code]).answers[0]
                scored = judge(knowledge.answerer, code, item)
                # A rule's figure asked for is not judged (``ask._figure_from_rule``): it
                # carries no signals and stays confident.
                confident = answer.kind in ("rule", "clause", "no_number")
                judged = confident and "rule" in answer.signals
                found.append(
                    Case(judged, scored.ok, dict(answer.signals), confident and not judged)
                )
            sets[name] = found
    finally:
        ask_module.calibrator = saved
    return sets


def held_out(
    sets: dict[str, list[Case]], names: list[str], l2: float = L2
) -> dict[str, list[float]]:
    """Each set's confident answers' probabilities from a model trained on the others."""
    out: dict[str, list[float]] = {}
    for left in sets:
        rows = [c for s, cases in sets.items() if s != left for c in cases if c.confident]
        model = fit([c.signals for c in rows], [c.ok for c in rows], names, l2)
        out[left] = [model.probability(c.signals) if c.confident else 0.0 for c in sets[left]]
    return out


def tally(cases: list[Case], probs: list[float], threshold: float) -> tuple[int, int, int]:
    right = wrong = 0
    for c, p in zip(cases, probs, strict=True):
        sure = c.sure or (c.confident and p >= threshold)
        if c.ok and (sure or not c.confident):
            right += 1
        elif sure:
            wrong += 1
    return right, wrong, len(cases) - right - wrong


def pooled(sets: dict[str, list[Case]], probs: dict[str, list[float]], t: float) -> tuple[int, ...]:
    totals = [tally(sets[s], probs[s], t) for s in sets]
    return tuple(sum(x) for x in zip(*totals, strict=True))


def choose(sets: dict[str, list[Case]], probs: dict[str, list[float]], cost: float) -> float:
    base_right = pooled(sets, probs, 0.0)[0]

    def price(t: float) -> float:
        right, wrong, _ = pooled(sets, probs, t)
        return cost * wrong + (base_right - right)

    return min(THRESHOLDS, key=price)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="write the trained weights")
    parser.add_argument("--cost", type=float, default=3.0)
    parser.add_argument("--l2", type=float, default=L2, help="the weights' penalty")
    parser.add_argument("--signals", action="store_true", help="leave each signal group out")
    parser.add_argument("--set", action="append", type=Path, dest="sets", default=[])
    parser.add_argument(
        "--embedding",
        action="store_true",
        help=f"with the sentence-embedding model's signals (written to {EMBEDDED_WEIGHTS.name})",
    )
    # The whole run takes about 15 s, so the CI smoke run is the run itself.
    parser.add_argument("--quick", action="store_true", help="the CI smoke run (the same)")
    args = parser.parse_args(argv)
    knowledge = Knowledge.load()
    sets = gather(knowledge, args.embedding)
    names = NAMES + list(EMBEDDING) if args.embedding else NAMES
    if args.embedding and not knowledge.answerer.embedding:
        print("the sentence-embedding model cannot be used here (see the log)")
        return 1
    probs = held_out(sets, names, args.l2)
    n = sum(len(c) for c in sets.values())
    print(f"held-out (each set scored by a model trained on the others), {n} questions")
    print("threshold  right  confidently wrong  unsure")
    for t in THRESHOLDS:
        right, wrong, unsure = pooled(sets, probs, t)
        print(f"{t:>9.3f}  {right:>5}  {wrong:>17}  {unsure:>6}")
    chosen = choose(sets, probs, args.cost)
    print(f"\nchosen threshold {chosen:.3f} (cost {args.cost:g} x wrong + right made unsure)")
    print(f"{'set':<10} {'no calibration':>16} {'held-out, learned':>20}")
    for name, cases in sets.items():
        before = tally(cases, probs[name], 0.0)
        after = tally(cases, probs[name], chosen)
        print(
            f"{name:<10} {'/'.join(map(str, before)):>16} {'/'.join(map(str, after)):>20}"
            f"   of {len(cases)}"
        )
    if args.signals:
        print("\neach group of signals left out (held-out, pooled, threshold re-chosen):")
        base_right = pooled(sets, probs, 0.0)[0]
        right, wrong, unsure = pooled(sets, probs, chosen)
        cost = args.cost * wrong + base_right - right
        print(f"{'all signals':<28} {right}/{wrong}/{unsure} (cost {cost:g})")
        groups = GROUPS | ({"embedding": list(EMBEDDING)} if args.embedding else {})
        for group, group_names in groups.items():
            kept = [name for name in names if name not in group_names]
            p = held_out(sets, kept, args.l2)
            t = choose(sets, p, args.cost)
            right, wrong, unsure = pooled(sets, p, t)
            cost = args.cost * wrong + base_right - right
            print(f"{'- ' + group:<28} {right}/{wrong}/{unsure} (cost {cost:g}, threshold {t:.3f})")
    if args.write:
        rows = [c for cases in sets.values() for c in cases if c.confident]
        model = fit([c.signals for c in rows], [c.ok for c in rows], names, args.l2)
        data = model.as_json() | {"threshold": chosen}
        file = EMBEDDED_WEIGHTS if args.embedding else WEIGHTS
        file.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {file.relative_to(ROOT)} (trained on all {len(rows)} confident answers)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
