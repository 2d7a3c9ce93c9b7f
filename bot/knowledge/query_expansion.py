"""Everyday words mapped to the words Compacts use, so a search for one finds the other.

"paid up front" is how a treasurer says it; a Compact says "payments ... in advance
of expenditure".  The mapping only adds search terms; it never changes an answer's text.
"""

from __future__ import annotations

import re

SYNONYMS: dict[str, str] = {
    r"\bup ?front\b": "advance",
    r"\bspend\w*\b": "expenditure",
    r"\b(paid|pay|pays)\b": "payments",
    r"\barrears\b": "advance payments",
    r"\b(letters?|e-?mails?|wrote|write)\b": "correspondence respond",
    r"\b(complain\w*|ignores?|broke|broken)\b": "complaint dispute breach resolve",
    r"\bfall(en)? out\b": "dispute resolve",
    r"\bmediat\w*\b": "mediation",
    r"\b(cut|cuts|cutting|pull|stop\w*|ending|end)\b": "ending reduce withdraw",
    r"\bwarn\w*\b": "notice early",
    r"\btender\w*\b": "bid tendering procurement",
    r"\benough\b": "sufficient",
    r"\boffice space\b": "premises office",
    r"\bcritici[sz]\w*\b": "campaign challenge",
    r"\blose our funding\b": "financial relationship",
    r"\bin charge\b": "overseen responsible",
    r"\bgets? used\b": "implementation",
    r"\bsmall grants?\b": "proportionate",
    r"\bfinal (say|decision)\b": "final decision arbiter",
    r"\bhelp us find\b": "support search",
    r"\bthree years?|3 years?|multi[- ]?year\b": "multi-year longer term",
    r"\bwhy\b": "rationale",
}
_COMPILED = [(re.compile(p), extra) for p, extra in SYNONYMS.items()]


def expand(question: str) -> str:
    """``question`` with the Compact words for its everyday words appended."""
    extra = [words for rx, words in _COMPILED if rx.search(question)]
    return question + (" " + " ".join(extra) if extra else "")


_PUBLIC_ACTOR = re.compile(
    r"\b(they|them|their|council|councils|nhs|pct|ccg|kcc|borough|funder|funders|"
    r"public body|public sector|police)\b"
)
_VCS_ACTOR = re.compile(r"\b(do|must|should|can) we\b|\bwe (have|need) to\b")


def party_preference(question: str) -> str:
    """Whose commitment the question is most likely about: "public", "vcs" or "joint"."""
    if _VCS_ACTOR.search(question) and not re.search(r"\b(they|council)\b", question):
        return "vcs"
    if _PUBLIC_ACTOR.search(question):
        return "public"
    return "joint"
