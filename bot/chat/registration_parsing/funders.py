"""Funders that are no council or NHS body, found in a message: the lottery distributors,
the common national and regional trusts and foundations, and grant programmes named for
them ("Awards for All", "Children in Need").  A table, not a rule per name: the names and
their other spellings are data in ``funders.json``.  Pure."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("funders.json")


@dataclass(frozen=True)
class Funder:
    name: str
    """Its name as the table gives it."""
    said: str
    """As the message writes it."""
    start: int
    end: int


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    rows: list[tuple[str, str]] = [
        (alias, names[0]) for names in data["funders"] for alias in names
    ]
    rows.sort(key=lambda row: -len(row[0]))  # "Big Lottery Fund" before "Big Lottery"
    out: list[tuple[re.Pattern[str], str]] = []
    for alias, name in rows:
        words = r"[\s-]+".join(re.escape(w) for w in alias.replace("’", "'").split())
        words = words.replace("'", "['’]?")
        # "HLF", "ACE": an abbreviation only in capitals ("ace" is a word)
        flags = 0 if alias.isupper() or alias == "CiN" else re.IGNORECASE
        out.append((re.compile(rf"(?<![\w&])(?:the\s+)?{words}(?![\w&])", flags), name))
    return out


def funder_in(text: str) -> Funder | None:
    """The funder of the table ``text`` names first (the longest name where two start at
    the same place), or None."""
    best: Funder | None = None
    for pattern, name in _patterns():
        m = pattern.search(text)
        if m is None:
            continue
        if (
            best is None
            or m.start() < best.start
            or (m.start() == best.start and m.end() > best.end)
        ):
            best = Funder(name, m.group(0), m.start(), m.end())
    return best
