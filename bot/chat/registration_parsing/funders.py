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


def _key(said: str) -> str:
    """A name as the table is looked up by: lower case, no "the", no apostrophes."""
    words = re.sub(r"['’]", "", said.lower()).replace("-", " ").split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def _abbreviation(alias: str) -> bool:
    return alias.isupper() or alias == "CiN"  # "HLF", "ACE": only in capitals ("ace")


@cache
def _table() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """One pattern for the names (any case), one for the abbreviations (in capitals), and
    each way of writing a name to the name."""
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    words: dict[bool, list[str]] = {True: [], False: []}
    for row in data["funders"]:
        for alias in row:
            names[_key(alias)] = row[0]
            written = r"[\s-]+".join(re.escape(w) for w in alias.replace("’", "'").split())
            words[_abbreviation(alias)].append(written.replace("'", "['’]?"))

    def pattern(alts: list[str], flags: int) -> re.Pattern[str]:
        alts = sorted(alts, key=len, reverse=True)  # "Big Lottery Fund" before "Big Lottery"
        return re.compile(rf"(?<![\w&])(?:the\s+)?(?:{'|'.join(alts)})(?![\w&])", flags)

    return pattern(words[False], re.IGNORECASE), pattern(words[True], 0), names


def funder_in(text: str) -> Funder | None:
    """The funder of the table ``text`` names first (the longest name where two start at
    the same place), or None."""
    spelt, short, names = _table()
    found = [m for m in (spelt.search(text), short.search(text)) if m is not None]
    if not found:
        return None
    m = min(found, key=lambda m: (m.start(), -m.end()))
    said = m.group(0)
    return Funder(names.get(_key(said), said), said, m.start(), m.end())
