"""Lines labelled with a field, as people paste a registration: "Title: …", "funder - RB
K&C", "last funded – end of July", or a heading of labels ("who/what/when:") over one line
for each.

The labels are a table of the words people head such a line with, per field
(``LABELS``); a label that gives a date without saying which ("when", "dates") leaves its
line to the free-text reader, and one naming the first day without the money ("stops",
"cut from") keeps its word, so the value is read as that day's eve.  A label found only in
the table (not the field's own name) counts where two lines or more are labelled, or in a
heading: "Consultation - library review closes 3 Feb" is one sentence, not a form.  Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.chat.forms import FORMS, Kind

FREE = "<free>"
"""A label whose line is read as free text: "when: 2 Nov till 25 Jan" (both dates)."""

LABELS: dict[Kind, dict[str, str]] = {
    "consultation": {
        "title": "title|name|what|subject|re|topic|about|consultation|consultation on|"
        "proposal|proposals|scheme|survey|project|plan|service|item|consultation title",
        "body": "who|by|body|public body|council|organisation|organization|org|authority|"
        "consulting body|run by|from|lead body|lead|consulted by|launched by",
        "opens": "opens|open|opening|opening date|start|starts|start date|launched|launch|"
        "launch date|live|went live|published|began|open date|opened",
        "closes": "closes|close|closing|closing date|deadline|ends|end|end date|until|due|"
        "respond by|responses by|close date|closed|closing on|responses due",
        FREE: "when|dates|date|period|runs|running|timescale|timings|timing",
    },
    "funding": {
        "funder": "funder|funded by|funding body|who|by|from|grant from|body|council|"
        "organisation|organization|org|paid by|commissioner|commissioned by",
        "title": "title|name|what|grant|project|service|contract|programme|program|scheme|"
        "subject|re|for|about|item|grant name|funding for",
        "ends": "ends|end|end date|last funded|last funded day|last day|last day funded|"
        "until|funded until|funded to|finishes|expires|final day|runs until|runs to|"
        "last payment|funding ends|grant ends|ending",
        "stop": "stops|stop|cut from|effective|effective from|takes effect|no funding from|"
        "ceases|stopping|cut|change from|changes from|reduced from|from date",
        "notice": "notice|notice given|notified|told|told on|letter|letter dated|date of notice|"
        "heard|informed|notice date|notice received|email|email dated|given notice",
        "consultation_start": "consultation|consultation started|consultation start|"
        "consulted|consultation from|consultation began|consultation opened",
        FREE: "when|dates|date|timescale|timings|timing",
    },
    "complaint": {
        "against": "against|side|sector",
        "body": "who|body|organisation|organization|org|complaint about|complaint against|"
        "council|public body|complaint body|complaint re|complaint regarding|complaint is about|"
        "complaint to|complaining about|complained about|against whom|about whom",
        "summary": "summary|what|what happened|details|issue|complaint|problem|description|about|"
        "the issue|complaint details|details of complaint|the problem|concern|what they did",
    },
}
"""Per kind, per field: the words a labelled line starts with ("funder - …"); ``stop``
is the funding's first unfunded day, ``FREE`` a line of dates read as free text."""

_TABLE: dict[Kind, dict[str, str]] = {
    kind: {label: name for name, alts in fields.items() for label in alts.split("|")}
    for kind, fields in LABELS.items()
}
_STOP_WORD = {"stop": "from"}
"""What a first-unfunded-day label becomes in front of its value: "stops - 1 April" is
read as "from 1 April" (funded to 31 March)."""

_LINE = re.compile(
    r"^\s*(?P<label>[A-Za-z][A-Za-z /&'’-]{0,40}?)\s*(?P<sep>:|=|\t+|\s[-–—]+\s|[–—]|-(?=\s))"
    r"\s*(?P<value>.*?)\s*$"
)
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*•·‣▪>]+|\d{1,2}[.)])[ \t]+(?=\S)", re.MULTILINE)
"""A bullet or a number a line of a list starts with ("- who: KCC", "2. parks survey")."""


def without_list_marks(text: str) -> str:
    """``text`` without the bullets or numbers its lines start with, where two lines or
    more have one (a list, not "- 50% cut …" alone)."""
    return _LIST_MARK.sub("", text) if len(_LIST_MARK.findall(text)) >= 2 else text


_HEADING_SPLIT = re.compile(r"\s*(?:/|,|&|\+|\band\b)\s*")


@dataclass(frozen=True)
class Labelled:
    """A message's lines: (field, value) for each labelled one, the others as written."""

    fields: list[tuple[str, str]]
    rest: list[str]


def _norm(label: str) -> str:
    return " ".join(label.lower().replace("’", "'").split())


def _field(kind: Kind, label: str) -> str | None:
    """The field a label names: the form's own names first, then the table."""
    low = _norm(label)
    found = FORMS[kind].find_field(low)
    if found is not None and not found[1]:
        return found[0].name
    return _TABLE[kind].get(low)


_TITLE_LABELS = frozenset("what|subject|re|topic|about|service|project|contract".split("|"))
"""Labels that give the title followed by a colon even on a line alone ("What: youth work
grant"), as a field's own name does."""
_ALONE_LABELS: dict[Kind, frozenset[str]] = {
    "consultation": _TITLE_LABELS,
    "funding": _TITLE_LABELS,
    # "Complaint about: KCC", "Issue: they cut it to 3 weeks": a complaint's words for its
    # fields, each clear on a line alone after a colon.
    "complaint": frozenset(
        label
        for name in ("body", "summary")
        for label in LABELS["complaint"][name].split("|")
        if label not in ("who", "council", "what", "about", "complaint")
    ),
}


def _field_named(kind: Kind, label: str) -> bool:
    found = FORMS[kind].find_field(_norm(label))
    return found is not None and not found[1]


def _heading(kind: Kind, label: str) -> list[str] | None:
    """ "who/what/when": the field each following line gives, in order."""
    parts = [p for p in _HEADING_SPLIT.split(_norm(label)) if p]
    if len(parts) < 2:
        return None
    names = [_field(kind, p) for p in parts]
    return [n for n in names if n is not None] if all(names) else None


def _value(name: str, value: str) -> tuple[str, str]:
    if name in _STOP_WORD:  # "stops - 1 April": funded to 31 March
        return "ends", f"{_STOP_WORD[name]} {value}"
    return name, value


def labelled_lines(kind: Kind, text: str) -> Labelled:
    """The lines of ``text`` labelled with a field (see the module's docstring)."""
    lines = text.splitlines()
    found: dict[int, tuple[str, str, bool]] = {}  # line -> (field, value, own name)
    heading: tuple[int, list[str]] | None = None
    for at, line in enumerate(lines):
        m = _LINE.match(line)
        if m is None:
            # "what/who/when" over the lines, without a colon
            names = _heading(kind, line.strip()) if "/" in line else None
            if names is not None and heading is None:
                heading = (at, names)
            continue
        label, value = m.group("label"), m.group("value")
        if not value:
            names = _heading(kind, label) if m.group("sep") != "=" else None
            if names is not None and heading is None:
                heading = (at, names)
            continue
        name = _field(kind, label)
        if name is None:
            continue
        own = m.group("sep") == ":" and (
            _field_named(kind, label) or _norm(label) in _ALONE_LABELS[kind]
        )
        found[at] = (name, value, own)
    fields: list[tuple[str, str]] = []
    used: set[int] = set()
    if heading is not None:
        at, names = heading
        values = [k for k in range(at + 1, len(lines)) if lines[k].strip() and k not in found]
        used.add(at)
        for name, k in zip(names, values, strict=False):
            used.add(k)
            if name == FREE:
                used.discard(k)  # read with the free text
            else:
                fields.append(_value(name, lines[k].strip()))
    form_like = len(found) >= 2 or heading is not None
    for at, (name, value, own) in sorted(found.items()):
        if not (own or form_like):
            continue
        used.add(at)
        if name == FREE:
            used.discard(at)
            lines[at] = value
            continue
        fields.append(_value(name, value))
    return Labelled(fields, [line for k, line in enumerate(lines) if k not in used])
