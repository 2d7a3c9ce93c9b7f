"""Which field a correction typed at a read-back is for, and its new value.

"closes 19/2/27 actually", "actually it closes on the 28th", "title should be parks
survey" name their field; "no, it's PKC" and "not kcc, twbc" name none, and a value that
is not a date is the public body (or funder) the read-back shows, if it names a body
(``is_body``: the gazetteer's, by default the built-in Compacts'); any other phrase ("the
one at the library") names no field, so nothing changes and the bot asks which.  Reading
the value itself is the registration's (``apply_answer``).  Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.chat.forms import Form, FormField
from bot.chat.registration_parsing.names import names_a_body

_LEADING = frozenset(
    "no nope nah actually sorry oh oops wait hmm it its it's that that's thats the should "
    "be is was it'll will sorry, correction".split()
)
_TRAILING = frozenset("actually instead sorry please pls then".split())
_VALUE_LEAD = re.compile(r"^(?:(?:should|shall|must)\s+be|is|was|are|to|=|:)\s+", re.I)
_NOT = re.compile(r"(?:,\s*)?\bnot\s+(?:the\s+)?[\w&'/.-]+(?:\s+(?:council|dc|bc|cc))?,?", re.I)
_DATE_HINT = re.compile(
    r"\d|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(today|tomorrow|yesterday"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month)\b",
    re.I,
)
_BODY_FIELDS = ("body", "funder")


def _words(text: str) -> list[str]:
    return text.replace("’", "'").split()


def _trimmed(words: list[str]) -> str:
    while words and words[0].lower().strip(",.!:") in _LEADING:
        words = words[1:]
    while words and words[-1].lower().strip(",.!") in _TRAILING:
        words = words[:-1]
    return " ".join(words).strip(" ,.!")


def _value(raw: str) -> str:
    value = _VALUE_LEAD.sub("", raw.strip(" ,.!:"))
    return _trimmed(_words(value))


def corrected_field(
    form: Form,
    text: str,
    asked: FormField | None = None,
    is_body: Callable[[str], bool] = names_a_body,
) -> tuple[FormField, str] | None:
    """The field ``text`` corrects and its new value ("" when only the field is named);
    None when it names no field and its value could be more than one, or is no body's
    name.  ``asked``: the field the registration asked for, which a date naming no field
    is for; ``is_body``: whether a value names a body."""
    words = _words(_NOT.sub(" ", text) if _NOT.search(text) else text)
    bodies = [f for f in form.fields if f.name in _BODY_FIELDS]
    for start in range(len(words)):
        found = form.find_field(" ".join(words[start:]), extra=True)
        if found is not None and start > 0 and bodies and is_body(_trimmed(words)):
            return bodies[0], _trimmed(words)  # "Dover District Council": no field "council"
        if found is not None:
            field, rest = found
            return field, _value(rest)
    value = _trimmed(words)
    if not value:
        return None
    hint = _DATE_HINT.search(value)
    if hint:
        value = value[hint.start() :]  # "closes 19/2/27" for a field called something else
        if asked is not None and asked.kind == "date":
            return asked, value
        dates = [f for f in form.fields if f.kind == "date" and f.required]
        return (dates[0], value) if len(dates) == 1 else None
    return (bodies[0], value) if bodies and is_body(value) else None
