"""The bodies and places the Compacts name, found in what people write.

Every Compact's data says who signed it or is named in it (``bodies``: a council, a PCT, a
CVS, each public or voluntary, with the ways people write it), the places its area covers
(``places``), and other names of the Compact itself (``names``).  A :class:`Gazetteer`
is built once from them and finds those names in a message, in any case and spacing
("pkc", "Tonbridge & Malling BC", "the royal borough", "T&M"), and misspelt by a letter
or two ("sevenaoks", "tunbridge wels"; rapidfuzz's optimal string alignment distance).

From a message it tells:

- which Compact(s) it is about (:meth:`Gazetteer.compacts_named`): a Compact named by
  name first; else the bodies and places, each going to the more local of the Compacts
  naming it (``within``: West Kent lies within Kent) and to an adopted Compact before a
  consultation draft;
- which public body or funder it names, by its one canonical name (:meth:`Gazetteer.body`,
  :meth:`Gazetteer.canonical`), and whether that body is public or voluntary.

Words that name a body only where the chat follows its Compact ("the council" where the
Compact has one council) count only for a chat following it.  Nothing here knows geography
beyond the data: a town no Compact names is not guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from compacts.models import BodyKind, Compact

What = Literal["compact", "body", "place"]

_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}(?:[^\W\d_](?![^\W_]))?|[^\W_]+(?:['’][^\W_]+)*|[&+]")
"""A dotted abbreviation ("T.W.B.C."), a word, or "&" ("+" said for it: "P+K")."""
_POSSESSIVE = re.compile(r"['’]s$")
_APOSTROPHE = re.compile(r"['’]")
_WORD = re.compile(r"[^\W_]+")

_FUZZY_MIN = 5
"""Names shorter than this (letters and spaces) are matched exactly only: "PKC" is not "KCC"."""
_FUZZY_WORDS = 4
"""Misspellings are looked for in runs of up to this many words."""
_GLUE = frozenset(
    "a an and the of in on at to for by from with we our us they their it its is are was be "
    "or but not no".split()
)
"""Words a misspelt name neither starts nor ends with."""
_SMALL = _GLUE | frozenset("council borough district county city town nhs trust".split())
"""Words a misspelt name is not made of alone ("the council" is no misspelt "TW council")."""


_NEAR = 3
"""How many words away a year or "draft" may stand from the word that makes it a name."""
_DOCUMENT = frozenset(
    "compact compacts version document text draft edition refresh one agreement".split()
)
"""Words that make a year beside them name a Compact ("the 2007 version")."""


_AT = frozenset("in at near around from based".split())
"""Words after which an everyday word that is also a place is the place ("a group in deal")."""

_COUNCILS = frozenset("council town parish district borough city county".split())
"""Words after which an everyday word that is also a place is the place ("deal town
council", "seal parish council")."""

_HEADING = re.compile(r"\s*(?:[:(]|[-–—]\s)")
"""What follows a place written as the heading of a message ("seal: …", "deal - …")."""

_FULL_POSTCODE = re.compile(r"([a-z]{1,2}\d[a-z\d]?)(\d[a-z]{2})")
"""A whole postcode as one word: its district, then the inward code ("tn13" "2ab")."""

_FIRST: dict[What, int] = {"body": 0, "place": 1, "compact": 2}
"""Which a name means when it names more than one kind of thing."""


def tokens(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` as (normal form, start, end): lower case, "&" read as "and",
    apostrophes and a possessive "'s" dropped ("King's" -> "king", "T&M" -> t and m)."""
    out: list[tuple[str, int, int]] = []
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        if word in ("&", "+"):
            norm = "and"
        elif "." in word:
            norm = word.replace(".", "").casefold()  # "T.W.B.C." is "twbc"
        else:
            norm = word.casefold()
            if "'" in norm or "’" in norm:
                norm = _APOSTROPHE.sub("", _POSSESSIVE.sub("", norm))
        if norm:
            out.append((norm, m.start(), m.end()))
    return out


@lru_cache(maxsize=1 << 16)
def normal(text: str) -> tuple[str, ...]:
    """The normal forms of ``text``'s words (kept: many Compacts name the same bodies)."""
    return tuple(t for t, _, _ in tokens(text))


def _squashed(name: str) -> tuple[str, ...] | None:
    """An abbreviation of several capitalised parts written as one word ("P&K HSCP" ->
    "pkhscp", "PK IJB" -> "pkijb"), or None when ``name`` is not such an abbreviation."""
    parts = name.split()
    letters = "".join(p.replace("&", "") for p in parts)
    if len(parts) + name.count("&") < 2 or len(letters) < 4:
        return None
    if not all(re.fullmatch(r"[A-Z]+(?:&[A-Z]+)*", p) for p in parts):
        return None
    return (letters.casefold(),)


@dataclass
class Known:
    """A body, place or Compact name as the data gives it, with the Compacts naming it."""

    what: What
    name: str
    """The one name it is shown by (a Compact's: its short name)."""
    kind: BodyKind | None = None
    """A body's side: public or vcs."""
    compacts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    known: Known
    local_to: str | None = None
    """A word that names it only in a chat following this Compact."""
    cased: str | None = None
    """The words, in their capitals, that alone name it (an everyday word otherwise)."""


@dataclass(frozen=True)
class Mention:
    """A body, place or Compact found in a text."""

    known: Known
    said: str
    """As written in the text."""
    start: int
    end: int
    exact: bool
    codes: tuple[str, ...]
    """The Compacts it names here (a local word: the followed Compact it names)."""
    local: bool = False
    """Named by a word that names it only in the followed Compact ("the council")."""

    @property
    def what(self) -> What:
        return self.known.what

    @property
    def name(self) -> str:
        return self.known.name


class Gazetteer:
    """Every body, place and Compact name of some Compacts, for finding them in text.
    Build once (it is kept on ``Knowledge``); read many times."""

    def __init__(self, compacts: Iterable[Compact]) -> None:
        self.compacts: dict[str, Compact] = {}
        self._index: dict[tuple[str, ...], list[_Entry]] = {}
        self._known: dict[tuple[What, tuple[str, ...]], Known] = {}
        self._longest = 1
        for compact in compacts:
            self.compacts[compact.code] = compact
            self._add_compact(compact)
        self._everyday_words: frozenset[str] | None = None
        self._fuzzy: dict[int, list[str]] = {}
        self._fuzzy_key: dict[str, tuple[str, ...]] = {}
        self._short: dict[str, list[str]] = {}
        """Short one-word names by their sorted letters, for swapped letters."""
        for key, entries in self._index.items():
            if len(key) == 1 and 3 <= len(key[0]) < _FUZZY_MIN and key[0].isalpha():
                self._short.setdefault("".join(sorted(key[0])), []).append(key[0])
            if len(key) > _FUZZY_WORDS or all(w in _SMALL for w in key):
                continue
            if any(e.local_to is None and e.cased is None for e in entries):
                joined = " ".join(key)
                if len(joined) >= _FUZZY_MIN:
                    self._fuzzy.setdefault(len(key), []).append(joined)
                    self._fuzzy_key[joined] = key

    # --- building -------------------------------------------------------------------------

    def _known_for(self, what: What, name: str, kind: BodyKind | None, code: str) -> Known:
        key = (what, normal(name))
        known = self._known.get(key)
        if known is None:
            known = Known(what, name, kind)
            self._known[key] = known
        if code not in known.compacts:
            known.compacts.append(code)
        return known

    def _add(self, words: str, entry: _Entry) -> None:
        key = normal(words)
        if not key:
            return
        squashed = _squashed(words)
        if squashed is not None and squashed != key:
            self._index.setdefault(squashed, [])
            if entry not in self._index[squashed]:
                self._index[squashed].append(entry)
        self._longest = max(self._longest, len(key))
        entries = self._index.setdefault(key, [])
        if entry not in entries:
            entries.append(entry)

    def _add_compact(self, compact: Compact) -> None:
        code = compact.code
        known = self._known_for("compact", compact.short_name, None, code)
        named = {compact.short_name, compact.title, *compact.names}
        if any(ch.isdigit() for ch in code) or "-" not in code:
            named.add(code.replace("-", " "))
        for name in named:
            self._add(name, _Entry(known))
        for body in compact.bodies:
            known = self._known_for("body", body.name, body.kind, code)
            for name in (body.name, *body.also):
                if name not in body.cased:
                    self._add(name, _Entry(known))
            for name in body.cased:
                self._add(name, _Entry(known, cased=name))
            for name in body.locally:
                self._add(name, _Entry(known, local_to=code))
        for place in compact.places:
            known = self._known_for("place", place.name, None, code)
            for name in (place.name, *place.also):
                if name not in place.cased:
                    self._add(name, _Entry(known))
            for name in place.cased:
                self._add(name, _Entry(known, cased=name))
        for district in compact.postcodes:
            known = self._known_for("place", district.upper(), None, code)
            self._add(district, _Entry(known))

    @property
    def _everyday(self) -> frozenset[str]:
        """Words of the Compacts' own texts: written as they are, they are no misspelling
        (worked out on the first message that needs it)."""
        if self._everyday_words is None:
            quotes = {c.quote for compact in self.compacts.values() for c in compact.commitments}
            self._everyday_words = frozenset(_WORD.findall(" ".join(quotes).casefold()))
        return self._everyday_words

    # --- reading --------------------------------------------------------------------------

    def mentions(self, text: str, follows: Sequence[str] = ()) -> list[Mention]:
        """Every body, place and Compact name in ``text``, in order, the longest name at
        each point first ("West Kent PCT" before "West Kent", "Kent" alone after)."""
        toks = tokens(text)
        words = [t for t, _, _ in toks]
        found: list[Mention] = []
        i = 0
        while i < len(toks):
            hit = self._exact_at(text, toks, words, i, follows) or self._postcode_at(text, toks, i)
            # A misspelt longer name ("perth and kinros council") before a shorter exact one.
            slip = self._fuzzy_at(text, toks, words, i, longer_than=hit[1] if hit else 0)
            hit = slip or hit
            if hit is None:
                i += 1
                continue
            found.append(hit[0])
            i += hit[1]
        return found

    def _postcode_at(
        self, text: str, toks: list[tuple[str, int, int]], i: int
    ) -> tuple[Mention, int] | None:
        """A whole postcode written without its space ("tn132ab") is its district's."""
        m = _FULL_POSTCODE.fullmatch(toks[i][0])
        entries = self._index.get((m.group(1),)) if m else None
        if not entries:
            return None
        known = entries[0].known
        start, end = toks[i][1], toks[i][2]
        return Mention(known, text[start:end], start, end, True, tuple(known.compacts)), 1

    def _exact_at(
        self,
        text: str,
        toks: list[tuple[str, int, int]],
        words: list[str],
        i: int,
        follows: Sequence[str],
    ) -> tuple[Mention, int] | None:
        for n in range(min(self._longest, len(words) - i), 0, -1):
            entries = self._index.get(tuple(words[i : i + n]))
            if not entries:
                continue
            start, end = toks[i][1], toks[i + n - 1][2]
            said = text[start:end]
            placed = (
                (i > 0 and words[i - 1] in _AT)
                or (i + n < len(words) and words[i + n] in _COUNCILS)
                # The heading of a message ("dunning: the council want …").
                or (i == 0 and _HEADING.match(text, end) is not None)
            )
            fits = [
                e
                for e in entries
                if (
                    e.cased is None
                    or " ".join(said.split()) == e.cased
                    or (placed and e.known.what == "place")
                )
                and (e.local_to is None or e.local_to in self._around(follows))
            ]
            if len({id(e.known) for e in fits if e.local_to is not None}) > 1:
                # "the council" in a chat following two Compacts with a council each.
                fits = [e for e in fits if e.local_to is None]
            if fits:
                # "RBKC" is the council before it is the Compact's code.
                chosen = min(fits, key=lambda e: _FIRST[e.known.what])
                known = chosen.known
                local = chosen.local_to is not None
                return Mention(known, said, start, end, True, tuple(known.compacts), local), n
        return None

    def _fuzzy_at(
        self,
        text: str,
        toks: list[tuple[str, int, int]],
        words: list[str],
        i: int,
        longer_than: int = 0,
    ) -> tuple[Mention, int] | None:
        for n in range(min(_FUZZY_WORDS, len(words) - i), longer_than, -1):
            run = words[i : i + n]
            if (
                not all(any(ch.isalpha() for ch in w) for w in run)
                or run[0] in _GLUE
                or run[-1] in _GLUE
                or all(w in _SMALL for w in run)
                or all(w in self._everyday for w in run)
            ):
                continue
            said_words = " ".join(run)
            if n == 1 and said_words not in self._everyday:
                swapped = self._swapped(said_words)
                if swapped is not None:
                    start, end = toks[i][1], toks[i][2]
                    mention = Mention(swapped, text[start:end], start, end, False, ())
                    return replace(mention, codes=tuple(swapped.compacts)), 1
            choices = self._fuzzy.get(n)
            if not choices or len(said_words) < _FUZZY_MIN:
                continue
            # One slip (a letter missed, doubled or swapped) in a short name, two in a long
            # one, three in a name of several long words ("perth & kinoss counsil").
            most = 1 if len(said_words) < 9 else 2 if len(said_words) < 18 else 3
            if tuple(run) in self._index:
                continue  # a name as written ("stanley") is no misspelling of another
            best = process.extractOne(said_words, choices, scorer=OSA.distance, score_cutoff=most)
            if best is None or best[0][0] != said_words[0]:
                continue
            if best[1] > 2 and [w[0] for w in best[0].split()] != [w[0] for w in run]:
                continue  # a third slip only over words each starting right ("… cab" is no "BC")
            entries = self._index[self._fuzzy_key[best[0]]]
            entry = next(e for e in entries if e.local_to is None and e.cased is None)
            start, end = toks[i][1], toks[i + n - 1][2]
            known = entry.known
            return Mention(known, text[start:end], start, end, False, tuple(known.compacts)), n
        return None

    def _swapped(self, word: str) -> Known | None:
        """The one short name (an abbreviation: "rbkc") ``word`` is with two letters beside
        each other swapped ("rbck"); too short for a misspelling, but a swap keeps every
        letter, so "pkc" is still not "kcc"."""
        if not 3 <= len(word) < _FUZZY_MIN or (word,) in self._index:
            return None
        keys = [k for k in self._short.get("".join(sorted(word)), ()) if OSA.distance(word, k) == 1]
        if len(keys) != 1:
            return None
        fits = [e for e in self._index[(keys[0],)] if e.local_to is None and e.cased is None]
        # "RBKC" is the council before it is the Compact's code.
        return min(fits, key=lambda e: _FIRST[e.known.what]).known if fits else None

    def _around(self, follows: Sequence[str]) -> frozenset[str]:
        """The Compacts whose local words ("the county council") count in a chat following
        ``follows``: those, and the Compacts they lie within (a West Kent group's county
        council is Kent's)."""
        return frozenset(follows) | {
            outer
            for code in follows
            if code in self.compacts
            for outer in self.compacts[code].within
        }

    # --- what a text names ----------------------------------------------------------------

    def named(
        self, text: str, follows: Sequence[str] = (), *, keep_followed: bool = False
    ) -> dict[str, Mention]:
        """The Compacts ``text`` is about, in the order it names them, each with the first
        mention that named it: the Compacts it names by name if any, else those of the
        bodies and places it names; empty when it names none.  ``keep_followed``: a body or
        place that a Compact the chat follows names is that Compact's (a registration is
        checked against the Compacts the group chose, when they cover the body)."""
        found = self.mentions(text, follows)
        # A name as written outweighs a near miss of another ("letham (perth)" is not
        # Lenham; "kennington (ashford)" is not Kensington).
        if any(m.exact and not m.local for m in found):
            found = [m for m in found if m.exact]
        # A year or "draft" beside a name is the more exact ("the Kent Compact's 2007
        # draft" is the draft, not the Kent Compact the name alone would be).
        by_name = [*self._by_date_or_draft(text), *(m for m in found if m.what == "compact")]
        codes: dict[str, Mention] = {}
        for m in by_name or found:
            followed = [c for c in m.codes if c in follows] if keep_followed else []
            for code in followed or self._resolve(m.codes, follows):
                codes.setdefault(code, m)
        return codes

    def compacts_named(self, text: str, follows: Sequence[str] = ()) -> list[str]:
        """The codes of :meth:`named`."""
        return list(self.named(text, follows))

    def _by_date_or_draft(self, text: str) -> list[Mention]:
        """A Compact named by its year beside a word for a document ("the 2007 version",
        "2011 compact"), or a draft by "draft" beside a word of its name ("the draft Kent
        one", "Kent's draft compact")."""
        toks = tokens(text)
        words = [t for t, _, _ in toks]
        found: list[Mention] = []
        for j, word in enumerate(words):
            near = set(words[max(0, j - _NEAR) : j + _NEAR + 1]) - {word}
            for code, compact in self.compacts.items():
                year = (compact.date or "")[:4]
                # "2007", or "07" beside "draft" ("KPC draft 07").
                dated = bool(year) and (
                    (word == year and bool(near & _DOCUMENT))
                    or (word == year[2:] and compact.is_draft and "draft" in near)
                )
                draft = word == "draft" and compact.is_draft and bool(near & self._name_words(code))
                if dated or draft:
                    known = self._known[("compact", normal(compact.short_name))]
                    start, end = toks[j][1], toks[j][2]
                    found.append(Mention(known, text[start:end], start, end, True, (code,)))
        return found

    def _name_words(self, code: str) -> frozenset[str]:
        compact = self.compacts[code]
        said = normal(" ".join((compact.short_name, compact.title, code.replace("-", " "))))
        return frozenset(w for w in said if w not in _GLUE and w != "draft" and not w.isdigit())

    def _resolve(self, codes: Sequence[str], follows: Sequence[str]) -> list[str]:
        """Of the Compacts naming one body or place: the most local (a Compact within
        another is the one meant), adopted before draft; then those the chat follows."""
        left = [c for c in codes if c in self.compacts]
        inner = {outer for c in left for outer in self.compacts[c].within}
        left = [c for c in left if c not in inner] or left
        agreed = [c for c in left if not self.compacts[c].is_draft]
        left = agreed or left
        followed = [c for c in left if c in follows]
        return followed or left

    def body(self, text: str, follows: Sequence[str] = ()) -> Mention | None:
        """The first body ``text`` names, if any."""
        return next((m for m in self.mentions(text, follows) if m.what == "body"), None)

    def whole_body(self, name: str, follows: Sequence[str] = ()) -> Mention | None:
        """The body ``name`` is, when the whole of it names one ("PKC", "the royal
        borough", "Tonbridge & Malling BC"), else None."""
        found = self.mentions(name, follows)
        words = [w for w in normal(name) if w not in ("the", "a", "our", "local")]
        if len(found) != 1 or found[0].what != "body":
            return None
        if len(normal(found[0].said)) < len(words):
            return None
        return found[0]

    def canonical(self, name: str, follows: Sequence[str] = ()) -> str:
        """One name per body: the data's name when ``name`` is a known body, else ``name``
        with its spacing tidied."""
        found = self.whole_body(name, follows)
        return found.name if found is not None else " ".join(name.split())

    def kind_of(self, name: str, follows: Sequence[str] = ()) -> BodyKind | None:
        """Public or vcs, when ``name`` is a known body."""
        found = self.whole_body(name, follows)
        return found.known.kind if found is not None else None
