"""Duty words from a rule's recorded strength: never a duty stated more strongly than written.

A Compact file records how strongly each obligation's text says it (``compacts.models.Strength``:
will/shall, should, wherever possible, usually, aim to, a draft's proposal or example).  Every
sentence the bot says about a duty takes its verb from here, so "usually six months" becomes
"should usually be given by", never "must be given by".  Pure: no I/O.
"""

from __future__ import annotations

from typing import Literal, Protocol

from compacts.models import STRENGTH_RANK, Strength

SOFT: frozenset[Strength] = frozenset({"wherever_possible", "usually", "aim"})
"""Strengths that qualify the figure itself: falling short of it is not a breach."""
DRAFT: frozenset[Strength] = frozenset({"proposal", "example"})
"""Strengths of a consultation draft: its figures are proposals, not agreed terms."""


class _HasStrength(Protocol):
    @property
    def strength(self) -> Strength | None: ...


def strength_of(rule: _HasStrength) -> Strength:
    """The rule's recorded strength; a file that records none (written before the field
    existed) is read as it always was, as a firm rule."""
    return rule.strength or "firm"


def rank(strength: Strength | None) -> int:
    """Firmer is lower: will/shall 0, should 1, qualified 2, a draft's 3; no duty last."""
    return STRENGTH_RANK[strength] if strength is not None else len(STRENGTH_RANK)


_MODAL: dict[Strength, str] = {
    "firm": "must",
    "should": "should",
    "wherever_possible": "should, wherever possible,",
    "usually": "should usually",
    "aim": "is aimed to",
    "proposal": "would, as the draft proposes,",
    "example": "would, in the draft's example,",
}

_ASKS: dict[Strength, str] = {
    "firm": "asks for",
    "should": "says there should be",
    "wherever_possible": "asks for wherever possible",
    "usually": "usually asks for",
    "aim": "aims for",
    "proposal": "proposes",
    "example": "gives as an example",
}

_OWED: dict[Strength, str] = {
    "firm": "is owed",
    "should": "should follow",
    "wherever_possible": "should follow wherever possible",
    "usually": "should usually follow",
    "aim": "is aimed for",
    "proposal": "is proposed",
    "example": "is given as an example",
}

_NOTE: dict[Strength, str] = {
    "firm": "",
    "should": "“should”",
    "wherever_possible": "“wherever possible”",
    "usually": "“usually”: not a minimum",
    "aim": "an aim, not a deadline",
    "proposal": "a draft's proposal",
    "example": "an example in a draft",
}


_SETS: dict[Strength, str] = {
    "firm": "sets a procedure",
    "should": "says what should happen",
    "wherever_possible": "says what should happen wherever possible",
    "usually": "says what usually happens",
    "aim": "says what it aims to happen",
    "proposal": "proposes what happens",
    "example": "gives an example of what happens",
}


def modal(strength: Strength) -> str:
    """The verb of a duty: "it must start by", "it should usually be given by"."""
    return _MODAL[strength]


def asks(strength: Strength) -> str:
    """How a Compact asks for a figure: "the 12 weeks West Kent Compact asks for wherever
    possible", "the 12 weeks the draft gives as an example"."""
    return _ASKS[strength]


def owed(strength: Strength) -> str:
    """How something due is said: "feedback is owed", "feedback should usually follow"."""
    return _OWED[strength]


def sets(strength: Strength) -> str:
    """How a Compact lays down a procedure: "sets a procedure", "says what should happen"."""
    return _SETS[strength]


def qualifier_note(strength: Strength | None) -> str:
    """A short note for labels (calendar, warnings): "" for a firm duty."""
    return _NOTE[strength] if strength is not None else ""


def shortfall_verdict(strength: Strength) -> Literal["short", "breach"]:
    """What falling short of a figure is, when the text attaches nothing to it: below a firm
    (or "should") figure is a breach; below a qualified one ("usually", "wherever possible")
    is short of what was asked, not a breach."""
    return "short" if strength in SOFT else "breach"
