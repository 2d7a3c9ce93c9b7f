"""The title model (``bot/chat/registration_parsing/titles.py``): trained and measured.

For each registration case with ``title_words`` in the spent sets (tests/registrations/dev,
blind, blind-2), the message is read by the real reader (``read_message``) and the pieces
it could take the title from are recorded; a piece is a title piece when it holds all the
case's title words. Word weights are the smoothed log-odds of a word in a title piece
against the other pieces of the same messages.

It prints, for each set, how often the chosen piece holds the title words:
- ``first``: the first piece (the reader before this model);
- ``held out``: a model trained on the OTHER sets only (each set scored unseen);
- ``5-fold``: all cases pooled, each fifth scored by a model trained on the other four;
- ``in sample``: trained on everything (what ships; optimistic).

    .venv/bin/python benchmarks/registration_titles.py [--quick] [--write]

(``--write`` writes ``title_words.json`` trained on all the spent sets; ``--quick``: dev
only, for CI's smoke run.)  The untouched set (blind-3) is never read here: it is scored
end to end by ``tests/registration_scoring.py``, totals only.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import registration_scoring  # noqa: E402

from bot.chat.registration_parsing import field_answers, names, titles  # noqa: E402
from bot.chat.registration_parsing.tokens import Tok  # noqa: E402

SPENT = ("dev", "blind", "blind-2")
ALPHA = 0.5
UNSEEN = (0.0, 0.25, 0.5, 0.75, 1.0)
FIRST = (0.0, 0.5, 1.0, 2.0)


@dataclass
class Example:
    set: str
    id: str
    pieces: list[list[str]]
    right: list[bool]


@contextmanager
def recording(into: list[tuple[list[Tok], list[list[int]], frozenset[int]]]) -> Iterator[None]:
    real = titles.best_piece

    def record(
        toks: list[Tok],
        runs: list[list[int]],
        using: Any = None,
        body: frozenset[int] = frozenset(),
    ) -> list[int]:
        into.append((toks, [list(r) for r in runs], body))
        return real(toks, runs, using, body)

    setattr(names, "best_piece", record)  # noqa: B010 (the reader looks it up in names)
    try:
        yield
    finally:
        setattr(names, "best_piece", real)  # noqa: B010


def examples(set_name: str) -> list[Example]:
    out: list[Example] = []
    for case in registration_scoring.load(ROOT / "tests" / "registrations" / set_name):
        words = (case.get("expect") or {}).get("title_words")
        if not words or case.get("refuse"):
            continue
        text = re.sub(r"^\s*/\w+\s*", "", str(case["message"]))
        seen: list[tuple[list[Tok], list[list[int]], frozenset[int]]] = []
        with recording(seen):
            field_answers.read_message(case["kind"], text, case["today"])
        if not seen:
            continue
        toks, runs, body = seen[0]  # the reading's first choice (a second is a retry)
        pieces = [titles.features(toks, r, body) for r in runs]
        plain = [registration_scoring._plain(" ".join(toks[k].text for k in r)) for r in runs]
        right = [all(registration_scoring._plain(w) in p for w in words) for p in plain]
        out.append(Example(set_name, case["id"], pieces, right))
    return out


def train(data: list[Example], unseen: float, first: float) -> titles.TitleModel:
    pos: Counter[str] = Counter()
    neg: Counter[str] = Counter()
    for ex in data:
        if not any(ex.right) or all(ex.right):
            continue  # nothing to tell apart
        for words, right in zip(ex.pieces, ex.right, strict=True):
            (pos if right else neg).update(set(words))
    vocab = set(pos) | set(neg)
    p_all, n_all = sum(pos.values()), sum(neg.values())
    weights = {
        w: round(
            math.log((pos[w] + ALPHA) / (p_all + ALPHA * len(vocab)))
            - math.log((neg[w] + ALPHA) / (n_all + ALPHA * len(vocab))),
            3,
        )
        for w in vocab
    }
    return titles.TitleModel(weights, unseen, first)


def right(data: list[Example], using: titles.TitleModel | None) -> int:
    n = 0
    for ex in data:
        if using is None:
            n += ex.right[0]
            continue
        scores = [(titles.score(p, i == 0, using), -i) for i, p in enumerate(ex.pieces)]
        n += ex.right[max(range(len(scores)), key=scores.__getitem__)]
    return n


def tuned(data: list[Example]) -> titles.TitleModel:
    """The unseen-word weight and first-piece bonus that do best on ``data`` itself."""
    grid = [(u, f) for u in UNSEEN for f in FIRST]
    u, f = max(grid, key=lambda g: (right(data, train(data, *g)), -g[0], g[1]))
    return train(data, u, f)


def main(argv: list[str]) -> int:
    sets = ("dev",) if "--quick" in argv else SPENT
    data = {s: examples(s) for s in sets}
    pooled = [ex for s in sets for ex in data[s]]
    print(
        f"cases with title words: {len(pooled)}; reachable (some piece holds them): "
        f"{sum(any(e.right) for e in pooled)}"
    )
    for s in sets:
        rest = [ex for t in sets if t != s for ex in data[t]]
        held = right(data[s], tuned(rest)) if rest else None
        print(
            f"{s}: {len(data[s])} cases; first {right(data[s], None)}; held out "
            f"{held if held is not None else '-'}; in sample {right(data[s], tuned(pooled))}"
        )
    folds = 5
    got = 0
    for k in range(folds):
        test = pooled[k::folds]
        train_on = [ex for i, ex in enumerate(pooled) if i % folds != k]
        got += right(test, tuned(train_on))
    print(f"5-fold over all: {got}/{len(pooled)} (first {right(pooled, None)})")
    if "--write" in argv:
        final = tuned(pooled)
        titles.WEIGHTS.write_text(
            json.dumps(
                {
                    "unseen": final.unseen,
                    "first": final.first,
                    "weights": dict(sorted(final.weights.items())),
                },
                indent=0,
                sort_keys=False,
            )
            + "\n",
            encoding="utf-8",
        )
        print(
            f"wrote {titles.WEIGHTS} (unseen {final.unseen}, first {final.first}, "
            f"{len(final.weights)} words)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
