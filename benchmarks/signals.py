"""What each answer signal contributes, measured on the development sets (issue 21).

    .venv/bin/python benchmarks/signals.py [--set FOLDER ...] [--grid] [--quick]

For each setting, right / confidently wrong / unsure (``tests/question_scoring.py``'s
definitions) on ``dev`` and ``dev-2`` (and any ``--set`` folder, e.g. a blind set: its
totals only):

- lexical ranking alone (BM25 over clause, section and keywords, with the topic, party and
  whose-duty preferences), every clause answer given with confidence;
- with the question keys weighting the ranking (``KEYS``), at a few weights;
- with the keys' calibration: a clause answer whose question keys match the question less
  than ``UNSURE_KEYED`` of the best competing clause's, or that holds less than
  ``UNSURE_COVERAGE`` of the question, is given as ``unsure``;
- with the learned calibration (the default, ``bot.knowledge.calibration``): every
  confident answer judged by a logistic regression over its signals.  These rows are
  in-sample on the spent sets it was trained on; its held-out figures, and each signal
  group's contribution held out, are ``benchmarks/calibrate.py --signals``.

``--grid`` prints how the two calibration thresholds trade confidently wrong answers for
right answers given as unsure, on dev and dev-2 only (where they were set): the chosen pair
minimises 2 x confidently wrong + right-made-unsure (a confidently wrong answer costs a
group twice what an honest "I'm not sure" does).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from question_scoring import DEV, DEV_2, Scored, judge_blind, load, tally  # noqa: E402

import bot.knowledge.ask as ask_module  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402

KEYED = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7]
COVERAGE = [0.0, 0.2, 0.25, 0.3, 0.35, 0.4]
WRONG_COST = 2
"""A confidently wrong answer costs this many right answers given as unsure."""


def score(knowledge: Knowledge, folders: list[Path]) -> str:
    parts = []
    for folder in folders:
        scored = [judge_blind(knowledge.answerer, code, item) for code, item in load(folder)]
        right, wrong, unsure = tally(scored)
        parts.append(f"{folder.name} {right}/{wrong}/{unsure}")
    return "  ".join(parts)


def settings(knowledge: Knowledge, folders: list[Path]) -> None:
    saved = ask_module.CALIBRATED, ask_module.LEARNED, ask_module.KEYS
    rows = [("lexical only", False, False, 0.0)]
    rows += [(f"+ keys in ranking x{w:g}", False, False, w) for w in (0.3, 1.0, 2.0)]
    rows += [("+ calibration by keys' thresholds", True, False, 0.0)]
    rows += [("+ calibration by keys + keys rank x1", True, False, 1.0)]
    rows += [("+ learned calibration (default)", True, True, 0.0)]
    print("right/confidently wrong/unsure per set\n")
    try:
        for name, calibrated, learned, keys in rows:
            ask_module.CALIBRATED, ask_module.LEARNED, ask_module.KEYS = calibrated, learned, keys
            knowledge.answerer._searches.clear()
            print(f"{name:<38} {score(knowledge, folders)}")
    finally:
        ask_module.CALIBRATED, ask_module.LEARNED, ask_module.KEYS = saved
        knowledge.answerer._searches.clear()


def grid(knowledge: Knowledge) -> None:
    """Every clause answer on dev and dev-2 with its signals, then each threshold pair."""
    saved = ask_module.UNSURE_KEYED, ask_module.UNSURE_COVERAGE, ask_module.LEARNED
    ask_module.UNSURE_KEYED = ask_module.UNSURE_COVERAGE = -1.0  # judge nothing doubtful
    ask_module.LEARNED = False
    cases: list[tuple[bool, dict[str, float]]] = []
    try:
        for folder in (DEV, DEV_2):
            for code, item in load(folder):
                answer = knowledge.answerer.ask(str(item["q"]), [code]).answers[0]
                if answer.signals.get("clause") and answer.kind in ask_module.JUDGED:
                    judged: Scored = judge_blind(knowledge.answerer, code, item)
                    cases.append((judged.ok, answer.signals))
    finally:
        ask_module.UNSURE_KEYED, ask_module.UNSURE_COVERAGE, ask_module.LEARNED = saved
    wrong = sum(not ok for ok, _ in cases)
    print(f"\njudged answers on dev + dev-2: {len(cases)}, of them wrong: {wrong}")
    print(f"{'keys <':>7} {'cover <':>8} {'caught':>7} {'lost':>5} {'cost':>5}")
    best: tuple[int, float, float] | None = None
    for keyed, coverage in itertools.product(KEYED, COVERAGE):

        def doubtful(s: dict[str, float], k: float = keyed, c: float = coverage) -> bool:
            return not s["defines"] and (s["keyed"] < k or s["cov"] < c)

        caught = sum(1 for ok, s in cases if not ok and doubtful(s))
        lost = sum(1 for ok, s in cases if ok and doubtful(s))
        cost = WRONG_COST * (wrong - caught) + lost
        print(f"{keyed:>7g} {coverage:>8g} {caught:>7} {lost:>5} {cost:>5}")
        if best is None or cost < best[0]:
            best = (cost, keyed, coverage)
    assert best is not None
    print(
        f"\nlowest cost {best[0]} at keys < {best[1]:g}, coverage < {best[2]:g}; in use: "
        f"keys < {ask_module.UNSURE_KEYED:g}, coverage < {ask_module.UNSURE_COVERAGE:g}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--set", action="append", type=Path, dest="sets", default=[])
    parser.add_argument("--grid", action="store_true", help="the calibration thresholds")
    parser.add_argument("--quick", action="store_true", help="dev-2 only (the CI smoke run)")
    args = parser.parse_args(argv)
    knowledge = Knowledge.load()
    settings(knowledge, [DEV_2] if args.quick else [DEV, DEV_2, *args.sets])
    if args.grid:
        grid(knowledge)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
