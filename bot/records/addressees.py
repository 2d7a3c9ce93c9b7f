"""Whom a letter goes to: a body named as its Compact names it, at the address it gives.

Pure.  A body the group typed ("rbkc", "Perth and Kinross council") is matched against the
names the Compact itself uses: its parties, the names its steps address, and the short
forms the text defines ("Kensington and Chelsea Social Council (KCSC)") or spells with
initials ("RBKC").  The address is quoted from the Compact's own contact lines, word for
word, and only where the text gives one ending in a postcode; otherwise the letter keeps
its placeholder.  A body no Compact names keeps the group's words, with a name typed all
in lower case given capitals ("sevenoaks dc" → "Sevenoaks DC").

This is the one place a letter's recipient is resolved: a fuller who-and-where resolver
can replace ``addressee`` without touching the letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compacts.models import Compact

_DEFINED = re.compile(
    r"\b((?:[A-Z][\w'’&-]*|of|and|the|for|&)(?: (?:[A-Z][\w'’&-]*|of|and|the|for|&))+)"
    r" \(([A-Z]{2,8})\)"
)
"""A name the text spells out and then abbreviates: "Kensington and Chelsea Social Council
(KCSC)"."""
_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
_MINOR = {"of", "and", "the", "for", "&", "in", "on"}


@dataclass(frozen=True)
class Addressee:
    name: str
    address: str | None = None
    """As the Compact's text gives it (one line), or None where it gives none."""


def _key(name: str) -> str:
    words = name.replace("&", " and ").replace("’", "'").casefold().split()
    while words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _initials(name: str) -> str:
    return "".join(w[0] for w in _key(name).split() if w not in _MINOR and w[0].isalpha())


_NAMES: dict[tuple[str, int], dict[str, str]] = {}
"""``_names`` per loaded Compact: read from its text once per process, not per letter."""


def _names(compact: Compact) -> dict[str, str]:
    """Every spelling the Compact uses for a body (its key) → the one name a letter uses."""
    key = (compact.code, id(compact))
    if key not in _NAMES:
        if len(_NAMES) > 64:  # Compacts reloaded many times (tests): keep it small
            _NAMES.clear()
        _NAMES[key] = _read_names(compact)
    return _NAMES[key]


def _read_names(compact: Compact) -> dict[str, str]:
    known: dict[str, str] = {}
    for party in compact.parties:
        known.setdefault(_key(party), party)
    for c in compact.commitments:
        for full, short in _DEFINED.findall(c.quote):
            full = " ".join(full.split())
            # "Contact Kensington and Chelsea ..." — a capitalised verb is not the name.
            while full.split(" ", 1)[0] in ("Contact", "Through", "By", "With", "To"):
                full = full.split(" ", 1)[1]
            name = known.get(_key(full), full)
            known.setdefault(_key(full), name)
            known.setdefault(short.casefold(), name)
    for party in compact.parties:
        if party[:1].isupper() and len(_initials(party)) >= 3:
            known.setdefault(_initials(party), party)
    return known


def _tidied(typed: str) -> str:
    """The group's words; all in lower case, given the capitals a name has."""
    name = " ".join(typed.split())
    if name != name.casefold():
        return name
    words = []
    for k, word in enumerate(name.split()):
        if word in _MINOR and k:
            words.append(word)
        elif not any(ch in "aeiouy" for ch in word) and word.isalpha():
            words.append(word.upper())  # "kcc", "dc": initials
        else:
            words.append(word[:1].upper() + word[1:])
    return " ".join(words)


def _address(name: str, compacts: Iterable[Compact]) -> str | None:
    spelled = r"\s+".join("(?:&|and)" if w in ("&", "and") else re.escape(w) for w in name.split())
    pattern = re.compile(rf"{spelled}[,\s]+([^:]{{1,160}}?\b{_POSTCODE})\b")
    for compact in compacts:
        for c in compact.commitments:
            if not c.statement:
                continue
            found = pattern.search(c.quote)
            if found is not None:
                return " ".join(found.group(1).split()).strip(" ,")
    return None


def addressee(
    typed: str | None, compacts: Sequence[Compact], *, tidy: bool = True
) -> Addressee | None:
    """The body ``typed`` names, as the first of ``compacts`` that names it calls it, with
    the address that Compact gives; None when nothing was typed.  ``tidy=False`` for words
    that are the Compact's own ("an independent arbiter"), kept as written."""
    if not typed or not typed.strip():
        return None
    spelled_out = re.fullmatch(r"(.+?)\s*\([A-Z]{2,8}\)", typed.strip())
    keys = [_key(typed)] + ([_key(spelled_out.group(1))] if spelled_out else [])
    for compact in compacts:
        names = _names(compact)
        name = next((names[k] for k in keys if k in names), None)
        if name is not None:
            return Addressee(name, _address(name, compacts))
    name = _tidied(typed) if tidy else " ".join(typed.split())
    return Addressee(name, _address(name, compacts))
