"""Scoring the question answerer on the two question sets.

The existing set (``tests/questions/*.yaml``) was written alongside the topic rules; the
blind set (``tests/questions/blind/*.yaml``, frozen) was written from the source texts
by someone who had not read the engine.  Each question is asked of its own Compact
only, and the first answer is judged.

What counts as correct on the blind set (see ``tests/questions/blind/README.md``):

- ``unanswerable``: the answer is an honest "I don't know" (kind ``unknown``).
- ``missing_clause``: the first quoted clause contains that sentence (so it needs the
  commitment in the data); an "I don't know" is a miss whatever it quotes.
- ``no_number``: the answer says the Compact sets no number (kind ``no_number``), its
  first sentence states no period of time (nothing invented), and when ``cite`` names
  clauses, the first one quoted is one of them.
- otherwise: a real answer (kind ``rule`` or ``clause``, never an "I don't know" with the
  right clause quoted below it) whose first citation is one of ``cite``.

``blind-2`` is judged the same way; it was written after the engine was tuned on
``blind``, so its score is the one nobody tuned for.  ``dev`` (also judged the same way)
was written by the developer who then worked on the data and engine: a working measure,
not a blind one.  ``dev-2`` is a second such set, written the same way (by a developer
who had read the engine) before the changes it was used to judge.

Every judged answer is also put in one of three kinds (issue 21):

- **right**: judged correct as above;
- **confidently wrong**: a miss given with confidence, an answer of kind ``rule``,
  ``clause`` or ``no_number`` (a statement of what the Compact says or does not say);
- **unsure**: a miss that says so, an answer of kind ``unsure`` (the nearest clauses,
  quoted as such) or ``unknown`` ("I don't know").

An ``unsure`` answer is never counted right, even with the accepted clause quoted first: the
point is to be right and sure.

Run it directly for the totals of every set (right / confidently wrong / unsure):

    .venv/bin/python tests/question_scoring.py [--set FOLDER ...] [--misses] [--all] [--text]
        [--embedding]

``--set`` (repeatable) scores only the given folders (e.g. ``--set tests/questions/blind-4``,
any folder of YAML files in the blind format); without it every set here is scored.
``--misses`` lists each miss (never use it on a blind set while working on the engine: its
totals are all one may look at); ``--all`` lists every question, ``--text`` each answer.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.knowledge.ask import Answer, Answerer  # noqa: E402
from compacts.loader import normalise  # noqa: E402

QUESTIONS = Path(__file__).parent / "questions"
BLIND = QUESTIONS / "blind"
BLIND_2 = QUESTIONS / "blind-2"
"""Written blind after the engine had been tuned on ``blind``: the untuned score."""
DEV = QUESTIONS / "dev"
"""Written from the source texts by the developer who then worked on the data and engine
(not blind): more signal while working, judged like ``blind``."""
DEV_2 = QUESTIONS / "dev-2"
"""A second development set, written like ``dev`` (not blind) before the changes it judged."""
BLIND_3 = QUESTIONS / "blind-3"
"""Written blind before issue 21's work (calibration, question keys): while working on the
engine only its totals are looked at."""
BLIND_4 = QUESTIONS / "blind-4"
"""Written blind after issue 21's work, scored once on the merged code for its final figure."""
BLIND_5 = QUESTIONS / "blind-5"
"""Written blind before round 3's learned calibration (issue 21): only its totals are looked
at, and it is never used to train (``benchmarks/calibrate.py`` reads the spent sets only)."""
BLIND_6 = QUESTIONS / "blind-6"
"""Written blind after round 3's learned calibration, scored once on the merged code for its
final figure; never used to train."""
BLIND_7 = QUESTIONS / "blind-7"
"""Written blind before round 5's work (the question keys rank, a second hand of keys, the
embedding): only its totals were looked at while working; never trained on."""
BLIND_8 = QUESTIONS / "blind-8"
"""Written blind after round 5's work, scored once on the merged code for its final figure;
never trained on."""
BLIND_SETS = {
    "blind": BLIND,
    "blind-2": BLIND_2,
    "blind-3": BLIND_3,
    "blind-4": BLIND_4,
    "blind-5": BLIND_5,
    "blind-6": BLIND_6,
    "blind-7": BLIND_7,
    "blind-8": BLIND_8,
    "dev": DEV,
    "dev-2": DEV_2,
}
"""Every set judged by ``judge_blind``, by name."""

CONFIDENT = frozenset({"rule", "clause", "no_number"})
"""Answer kinds that state what the Compact says (or that it sets nothing) with confidence."""

# A period of time as an answer would state one ("12 weeks", "three months", "6-week").
_PERIOD = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[\s-]*"
    r"(day|week|month|year)s?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Scored:
    code: str
    question: str
    ok: bool
    why: str
    """What was wrong (empty when right)."""
    answer: str
    kind: str = ""
    """The answer's kind (``rule``, ``clause``, ``no_number``, ``unsure``, ``unknown``)."""

    @property
    def verdict(self) -> str:
        """``right``, ``confidently wrong`` or ``unsure``."""
        if self.ok:
            return "right"
        return "confidently wrong" if self.kind in CONFIDENT else "unsure"


def load(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    items: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(folder.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            items.append((path.stem, item))
    return items


def _first_sentence(answer: Answer, short_name: str) -> str:
    # The Compact's own name may hold a year ("Kent Compact 2011"): not a period.
    text = answer.text.replace(short_name, "the Compact")
    return re.split(r"(?<=[.:;])\s", text, maxsplit=1)[0]


def judge_blind(answerer: Answerer, code: str, item: dict[str, Any]) -> Scored:
    question = str(item["q"])
    answer = answerer.ask(question, [code]).answers[0]
    cite: list[str] = list(item.get("cite") or [])
    cited = [c.commitment for c in answer.citations]
    first = cited[0] if cited else None
    why = ""
    if answer.kind == "unsure":
        # Honest, but not an answer: never counted right, whatever it quotes first.
        why = f"unsure (nearest first: {first}), wanted " + (
            "an I don't know" if item.get("unanswerable") else f"one of {cite}"
        )
    elif item.get("unanswerable"):
        if answer.kind != "unknown":
            why = f"should say it does not know; answered ({answer.kind}) citing {first}"
    elif item.get("missing_clause"):
        wanted = normalise(str(item["missing_clause"]))
        if answer.kind == "unknown":
            why = "I don't know (the clause is missing from the data)"
        elif not answer.citations or wanted not in normalise(answer.citations[0].quote):
            why = f"the clause is not quoted first (cited {first}; missing from the data?)"
    elif item.get("no_number"):
        short = answerer.registry.get(code).short_name
        if answer.kind != "no_number":
            why = f"should say the Compact sets no number; kind {answer.kind}, citing {first}"
        elif _PERIOD.search(_first_sentence(answer, short)):
            why = "states a period in its first sentence"
        elif cite and first not in cite:
            why = f"cited {first} first, wanted one of {cite}"
    else:
        if answer.kind == "unknown":
            why = f"I don't know (first cited {first}), wanted one of {cite}"
        elif answer.kind == "no_number":
            why = f"says no number, but the Compact answers it ({cite})"
        elif first not in cite:
            why = f"cited {first} first, wanted one of {cite}"
    return Scored(code, question, not why, why, answer.text, answer.kind)


def judge_existing(answerer: Answerer, code: str, item: dict[str, Any]) -> Scored:
    """The existing set's own definition (topic right, then the clause or 'no number')."""
    question = str(item["q"])
    result = answerer.ask(question, [code])
    answer = result.answers[0]
    cited = [c.commitment for c in answer.citations]
    wanted: list[str] = list(item.get("cite") or [])
    why = ""
    if answer.kind == "unsure":
        why = f"unsure (nearest first: {cited[:1]})"
    elif result.topic != item["topic"]:
        why = f"topic {result.topic}, wanted {item['topic']}"
    elif item.get("no_number"):
        if answer.kind not in ("no_number", "unknown"):
            why = f"should say no number; kind {answer.kind}"
    elif wanted and not (cited and cited[0] in wanted):
        why = f"cited {cited[:1]} first, wanted one of {wanted}"
    return Scored(code, question, not why, why, answer.text, answer.kind)


def score_blind(answerer: Answerer, folder: Path = BLIND) -> list[Scored]:
    return [judge_blind(answerer, code, item) for code, item in load(folder)]


def score_existing(answerer: Answerer) -> list[Scored]:
    return [judge_existing(answerer, code, item) for code, item in load(QUESTIONS)]


def tally(scored: list[Scored]) -> tuple[int, int, int]:
    """(right, confidently wrong, unsure)."""
    verdicts = [s.verdict for s in scored]
    return (
        verdicts.count("right"),
        verdicts.count("confidently wrong"),
        verdicts.count("unsure"),
    )


def summary(name: str, scored: list[Scored]) -> str:
    right, wrong, unsure = tally(scored)
    per: dict[str, list[int]] = {}
    for s in scored:
        counts = per.setdefault(s.code, [0, 0])
        counts[0] += s.ok
        counts[1] += 1
    parts = ", ".join(f"{code} {r}/{n}" for code, (r, n) in sorted(per.items()))
    n = len(scored)
    return (
        f"{name}: {right}/{n} = {right / n:.1%} right, {wrong} ({wrong / n:.1%}) confidently"
        f" wrong, {unsure} ({unsure / n:.1%}) unsure ({parts})"
    )


def main(argv: list[str]) -> int:
    import argparse

    from bot.knowledge.knowledge import Knowledge

    parser = argparse.ArgumentParser(description="Score the question answerer.")
    parser.add_argument("--set", action="append", type=Path, dest="sets", metavar="FOLDER")
    parser.add_argument("--misses", action="store_true", help="list each miss")
    parser.add_argument("--all", action="store_true", help="list every question")
    parser.add_argument("--text", action="store_true", help="show each listed answer")
    parser.add_argument(
        "--embedding", action="store_true", help="with the sentence-embedding model, as in chat"
    )
    args = parser.parse_args(argv)
    answerer = Knowledge.load().answerer
    answerer.use_embedding(args.embedding)
    sets: list[tuple[str, list[Scored]]]
    if args.sets:
        sets = [(str(folder), score_blind(answerer, folder)) for folder in args.sets]
    else:
        sets = [(name, score_blind(answerer, folder)) for name, folder in BLIND_SETS.items()]
        sets.append(("existing", score_existing(answerer)))
    for name, scored in sets:
        print(summary(name, scored))
        for s in scored:
            if (not s.ok and args.misses) or args.all:
                mark = "ok  " if s.ok else "MISS"
                print(f"  {mark} [{s.code}] {s.question}\n       {s.kind}: {s.why or ''}")
                if args.text:
                    print(f"       -> {s.answer}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
