"""Score what messages mean (``bot.chat.understanding.read_intent``) on a labelled set.

    .venv/bin/python tests/intent_scoring.py [FOLDER] [--dev]

FOLDER holds ``intents.yaml`` in the format of ``tests/intents/blind/README.md`` (default:
the blind set).  Prints the total and each label's accuracy; ``--dev`` also lists the
misses, and is for development sets only: a blind set's cases and misses are never shown
while working on the bot.  A ``register`` is right only with the right kind.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.chat.understanding import Intent, read_intent

HERE = Path(__file__).parent
BLIND = HERE / "intents" / "blind"
DEV = HERE / "intents" / "dev"


@dataclass(frozen=True)
class Case:
    text: str
    context: str
    intent: str
    kind: str | None


@dataclass(frozen=True)
class Score:
    right: int
    total: int
    by_label: dict[str, tuple[int, int]]
    misses: list[tuple[Case, str]]


def load(folder: Path) -> list[Case]:
    raw = yaml.safe_load((folder / "intents.yaml").read_text(encoding="utf-8"))
    return [Case(r["text"], r["context"], r["intent"], r.get("kind")) for r in raw]


def name(label: str, kind: str | None) -> str:
    return f"register:{kind}" if label == "register" else label


def score(cases: list[Case], read: Callable[[str, str], Intent] = read_intent) -> Score:  # type: ignore[assignment]
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[tuple[Case, str]] = []
    for case in cases:
        got = read(case.text, case.context)
        total[case.intent] += 1
        if name(got.label, got.kind) == name(case.intent, case.kind):
            right[case.intent] += 1
        else:
            misses.append((case, name(got.label, got.kind)))
    by_label = {label: (right[label], total[label]) for label in sorted(total)}
    return Score(sum(right.values()), len(cases), by_label, misses)


def report(result: Score, show_misses: bool) -> str:
    lines = [f"intents right: {result.right}/{result.total} ({result.right / result.total:.0%})"]
    lines += [f"  {label:15} {r}/{n}" for label, (r, n) in result.by_label.items()]
    if show_misses:
        lines += ["misses:"] + [
            f"  [{c.context}] {c.text!r}: expected {name(c.intent, c.kind)}, got {got}"
            for c, got in result.misses
        ]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    dev = "--dev" in argv
    folders = [a for a in argv if not a.startswith("--")]
    folder = Path(folders[0]) if folders else BLIND
    if dev and folder.resolve() != DEV.resolve() and "blind" in folder.name:
        raise SystemExit("--dev lists misses: only for development sets, never a blind one")
    print(report(score(load(folder)), show_misses=dev))


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main(sys.argv[1:])
