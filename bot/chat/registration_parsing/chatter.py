"""The chatter around a registration: a greeting or lead-in before it ("Hi everyone,",
"Just to let you know that", "FYI:", "Bad news -") and thanks after it.  None of it is a
title, a body or a date, so it is set aside before the message is read.  Pure."""

from __future__ import annotations

import re

_HELLO = (
    r"(?:hi|hello|hey|hiya|helo|morning|good\s+morning|good\s+afternoon|good\s+evening"
    r"|afternoon|evening|dear|greetings)"
)
_WHOM = r"(?:everyone|everybody|all|team|folks|there|guys|bot|compactbot|again|both)"
_GREETING = rf"{_HELLO}(?:\s+{_WHOM})?"
_LEAD_IN = (
    r"(?:just\s+)?(?:to\s+)?(?:let\s+(?:you|u)\s+know|a\s+heads\s+up|heads\s+up|fyi|f\.y\.i\."
    r"|(?:(?:some|more|bad|good|sad|great|terrible|awful|worrying|big|grim|breaking)\s+)?news"
    r"|before\s+i\s+forget|while\s+i\s+remember|by\s+the\s+way|btw|oh\s+and|also"
    r"|(?:merry|happy)\s+(?:christmas|xmas|new\s+year|easter|friday|monday|holidays?)"
    r"|season'?s\s+greetings|update|quick\s+one|quick\s+update|another\s+one"
    r"|new\s+one|please\s+note|note|for\s+info|for\s+your\s+info|i\s+wanted\s+to\s+let\s+you\s+know"
    r"|(?:we'?ve|we\s+have|i'?ve|i\s+have)\s+(?:just\s+)?(?:heard|been\s+told|found\s+out|learn[te]d?"
    r"|had\s+word|got\s+word)"
    r"|(?:can|could)\s+(?:you|u)\s+(?:please\s+)?(?:register|log|record|add)(?:\s+(?:this|that))?"
    r"|please\s+(?:register|log|record|add)(?:\s+(?:this|that))?"
    r"|(?:register|log|record)\s+(?:this|that)|just\s+so\s+you\s+know|sorry\s+to\s+bother\s+you)"
    r"(?:\s+please)?"
)
_PUNCT = r"\s*[,!.:;–—-]+"
_LEAD = re.compile(
    rf"^\s*(?:(?:{_GREETING}|{_LEAD_IN}){_PUNCT}|{_LEAD_IN}\s+that\b|{_HELLO}\s+{_WHOM}\b"
    r"|(?:just\s+)?(?:to\s+)?let\s+(?:you|u)\s+know\b"
    r"|(?:can|could)\s+(?:you|u)\s+(?:please\s+)?(?:register|log|record)\s+(?:this|that)\b"
    r"|please\s+(?:register|log|record)\s+(?:this|that)\b)\s*",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"[\s,.;:!-]*\b(?:many\s+thanks|thanks|thank\s+you|thx|cheers|ta)"
    r"(?:\s+(?:all|everyone|so\s+much|very\s+much|a\s+lot|in\s+advance))?[\s.!]*$",
    re.IGNORECASE,
)


_CHATTER_PIECE = re.compile(
    rf"\s*(?:{_GREETING}|{_LEAD_IN})(?:\s+(?:from|re|about))?\W*", re.IGNORECASE
)


def is_chatter(piece: str) -> bool:
    """ "Sad news from", "Before I forget": a piece of a message that is only chatter."""
    return _CHATTER_PIECE.fullmatch(piece) is not None


def without_chatter(text: str) -> str:
    """``text`` without a greeting or lead-in at its start and thanks at its end (each
    possibly several: "Hi all, just to let you know that …"); unchanged if nothing else
    would be left."""
    rest = text
    while (m := _LEAD.match(rest)) is not None and m.end() > 0 and rest[m.end() :].strip():
        rest = rest[m.end() :]
    trimmed = _THANKS.sub("", rest)
    if trimmed.strip():
        rest = trimmed
    return rest.strip() if rest.strip() else text
