"""Scoring how questions are routed to a Compact (``tests/routing/<set>/routing.yaml``).

Each case is asked as a plain message in a private chat of its own, through the real
conversation over a real SQLite file, after the chat has chosen the Compacts it ``follows``.
What the reply shows first is judged:

- ``compact`` set (the question names a place or body): the first Compact the reply
  names (its short name, title or code, whichever comes first) is that one;
- ``compact: null`` and the chat follows Compacts: the first Compact named is one it follows;
- ``compact: null`` and the chat follows none: the short answer of every Compact (each one
  named, at most ``SHORT`` characters in all).

A blind set is scored by its totals only (its cases are not to be read while working):

    .venv/bin/python tests/routing_scoring.py [FOLDER]        # totals, by expected Compact

``--misses`` lists what was wrong, for a development set only (``tests/routing/dev``).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.chat.conversation import Conversation  # noqa: E402
from bot.chat.messages import Incoming, Reply  # noqa: E402
from bot.chat.throttle import Throttle  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.core import Core  # noqa: E402
from bot.knowledge.knowledge import Knowledge  # noqa: E402
from compacts.models import Compact  # noqa: E402
from storage.repository import Database  # noqa: E402

ROUTING = Path(__file__).parent / "routing"
BLIND = ROUTING / "blind"
DEV = ROUTING / "dev"
SHORT = 1000
"""The most the all-Compacts answer to a question naming no place may take, in characters."""


@dataclass(frozen=True)
class Scored:
    question: str
    follows: tuple[str, ...]
    expected: str | None
    got: str | None
    """The first Compact the reply names (None: none)."""
    ok: bool
    why: str


def load(folder: Path) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.yaml")):
        cases.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return cases


def first_named(text: str, compacts: list[Compact]) -> str | None:
    """The code of the Compact ``text`` names first (by short name, title or code)."""
    best: tuple[int, int, str] | None = None
    low = text.casefold()
    for c in compacts:
        for name in (c.short_name, c.title, c.code):
            at = low.find(name.casefold())
            if at >= 0 and (best is None or (at, -len(name)) < best[:2]):
                best = (at, -len(name), c.code)
    return best[2] if best else None


def judge(case: dict[str, Any], replies: list[Reply], compacts: list[Compact]) -> Scored:
    follows = tuple(case.get("follows") or ())
    expected = case.get("compact")
    text = "\n".join(r.text for r in replies)
    got = first_named(replies[0].text, compacts) if replies else None
    if expected is not None:
        ok = got == expected
        why = "" if ok else f"answered first from {got}"
    elif follows:
        ok = got in follows
        why = "" if ok else f"answered first from {got}, not from what the chat follows"
    else:
        named = {c.code for c in compacts if first_named(text, [c])}
        ok = len(text) <= SHORT and named == {c.code for c in compacts}
        why = "" if ok else f"not one short answer per Compact ({len(text)} chars)"
    return Scored(case["q"], follows, expected, got, ok, why)


async def score(folder: Path, knowledge: Knowledge | None = None) -> list[Scored]:
    knowledge = knowledge or Knowledge.load()
    compacts = list(knowledge.registry.compacts.values())
    clock = ManualClock(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "routing.db", clock=clock)
        try:
            conv = Conversation(Core(knowledge, db, clock=clock), Throttle(clock, limit=10**6))
            scored = []
            for n, case in enumerate(load(folder), start=1):
                chat = 10_000 + n
                await conv.core.choose_compacts(chat, list(case.get("follows") or []), None)
                msg = Incoming(chat, chat, "Ann", case["q"], private=True, is_admin=_yes)
                replies = await conv.handle_text(msg)
                scored.append(judge(case, replies, compacts))
            return scored
        finally:
            await db.close()


async def _yes() -> bool:
    return True


def totals(scored: list[Scored]) -> str:
    right = sum(s.ok for s in scored)
    by: Counter[str] = Counter()
    of: Counter[str] = Counter()
    for s in scored:
        key = s.expected or ("null, follows some" if s.follows else "null, follows none")
        of[key] += 1
        by[key] += s.ok
    lines = [f"routed right: {right}/{len(scored)} ({100 * right / max(1, len(scored)):.1f}%)"]
    lines += [f"  {k}: {by[k]}/{of[k]}" for k in sorted(of)]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    show_misses = "--misses" in argv
    args = [a for a in argv if not a.startswith("--")]
    folder = Path(args[0]) if args else BLIND
    if show_misses and "blind" in folder.name:
        raise SystemExit("A blind set is scored by its totals only.")
    os.environ.setdefault("COMPACTBOT_CACHE_DIR", tempfile.mkdtemp(prefix="routing-cache-"))
    scored = asyncio.run(score(folder))
    print(totals(scored))
    if show_misses:
        for s in scored:
            if not s.ok:
                print(f"- {s.question!r} follows={list(s.follows)} expected={s.expected}: {s.why}")


if __name__ == "__main__":
    main(sys.argv[1:])
