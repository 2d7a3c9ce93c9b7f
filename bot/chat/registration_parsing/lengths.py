"""A consultation's length ("for 6 weeks", "closes in 6 weeks"), in a message or an answer,
and the day it ends on, counted from the opening day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.chat.dateparsing import parse_length
from bot.chat.registration_parsing.dates import (
    CONSULTATION_TABLE,
    match_keyword,
    preceding_words,
)
from bot.chat.registration_parsing.tokens import Tok

_NUMBER = (
    r"\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen"
)
_LENGTH_RE = re.compile(
    r"(?<![\w/.-])"
    r"(?P<lead>(?:(?:runs?|running|lasts?|lasting|will\s+run|is\s+open|open|opens?)\s+)?"
    r"(?P<prep>for|in|over|of|lasting)\s+|(?:runs?|running|lasts?)\s+)?"
    r"(?:(?:a|an)\s+)?"
    rf"(?P<n>{_NUMBER}|an?(?=\s+(?:month|fortnight|week)\b))[\s-]+"
    r"(?P<unit>days?|weeks?|wks?|fortnights?|months?|mths?)\b"
    r"(?:['’]s|s['’]|['’])?(?:\s+time)?"
    r"(?:\s+long)?"
    r"(?:\s+after\s+(?:it\s+opens|it\s+starts|opening(?:\s+day)?|the\s+opening"
    r"(?:\s+day|\s+date)?|the\s+start))?"
    r"(?!\s+(?:ago|back)\b)(?!\s+from\s+(?:now|today)\b)(?![\w/'’-])"
    # "a week today", "a fortnight on Friday": a day counted from another, not a length.
    r"(?!\s+(?:on\s+)?(?:today|tomorrow|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?"
    r"|sun)(?:day)?)\b)",
    re.IGNORECASE,
)


_FROM_A_DAY = re.compile(
    r"\s+from\s+(?:today|tomorrow|(?:next\s+|this\s+)?(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri"
    r"|sat(?:ur)?|sun)(?:day)?)\b",
    re.IGNORECASE,
)
_CONSULTATION_NEXT = re.compile(
    r"\s+(?:public\s+)?(?:consultation|survey|engagement|consultation\s+period)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class _Length:
    tokens: frozenset[int]
    """The phrase's tokens, and the closing keyword before it ("closes in 6 weeks")."""
    said: str
    """The length as a phrase ``parse_length`` reads: "6 weeks"."""


def find_lengths(text: str, toks: list[Tok]) -> list[_Length]:
    """A consultation's length given in its message ("for 6 weeks", "closes in 6 weeks",
    "a 6 week consultation from 4 January"): it counts from the opening day.

    "opens in 2 weeks" is the opening day, not a length; "the 12 week rule" is a name."""
    found: list[_Length] = []
    for m in _LENGTH_RE.finditer(text):
        inside = [k for k, t in enumerate(toks) if t.start >= m.start() and t.end <= m.end()]
        if not inside:
            continue
        before = match_keyword(preceding_words(toks, inside[0], 0), CONSULTATION_TABLE)
        prep = (m.group("prep") or "").lower()
        opens_said = bool(m.group("lead") and "open" in m.group("lead").lower())
        if prep == "in" and (opens_said or (before is not None and before[0] == "opens")):
            continue  # "opens in 2 weeks": a date
        opening = opens_said or (before is not None and before[0] == "opens")
        if not prep and opening and _FROM_A_DAY.match(text, m.end()):
            continue  # "opens a fortnight from Monday" is a date; "6 weeks from Monday" a length
        if (
            m.group("lead") is None
            and inside[0] > 0
            and toks[inside[0] - 1].low == "the"
            and not _CONSULTATION_NEXT.match(text, m.end())
        ):
            continue  # "the 12 week rule"; "the 8-week consultation" is its length
        if before is not None and before[0] == "closes":
            inside = list(range(before[1], inside[0])) + inside
        found.append(_Length(frozenset(inside), _said(m)))
    return found


_UNIT_NAMES = {"d": "day", "w": "week", "f": "fortnight", "m": "month"}


def _said(m: re.Match[str]) -> str:
    """A length as shown and stored: "six-week" -> "6 weeks", "1 wk" -> "1 week"."""
    raw = m.group("n").lower()
    # "in a month": one
    n = 1 if raw in ("a", "an") else int(raw) if raw.isdigit() else _NUMBER.split("|").index(raw)
    unit = _UNIT_NAMES[m.group("unit").lower()[0]]
    return f"{n} {unit}{'' if n == 1 else 's'}"


def length_from(opens: date, said: str) -> date | None:
    """The day a length said from the opening day ends on (``said``: a phrase
    ``parse_length`` reads, "6 weeks")."""
    length = parse_length(said)
    return None if length is None else opens + length


def length_said(text: str) -> str | None:
    """ "in 6 weeks", "for 6 weeks", "12 weeks" -> "6 weeks"; None if ``text`` is not one."""
    m = _LENGTH_RE.fullmatch(text.strip().rstrip("."))
    return None if m is None else _said(m)
