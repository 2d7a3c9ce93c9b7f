"""Drafts: a registration being put together (``Draft``), as read from one message by
``parse_consultation``, ``parse_funding`` and ``parse_complaint``, with the dates that
follow from others filled in (``settle``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from bot.chat.dateparsing import ParsedDay, blank_times, spell_date_words, spread_day_ranges
from bot.chat.forms import FORMS, FieldValue, Kind
from bot.chat.registration_parsing.dates import Reading, read_dates
from bot.chat.registration_parsing.lengths import find_lengths, length_from
from bot.chat.registration_parsing.names import (
    cap,
    classify,
    known_body,
    public_body_in,
    sentence_case,
    title_and_body,
    vcs_body_in,
)
from bot.chat.registration_parsing.tokens import tokenize

if TYPE_CHECKING:
    from bot.knowledge.gazetteer import Gazetteer

MAX_LENGTH = 4000

# Derived from the forms (bot.chat.forms), where each field is declared once.
REQUIRED: dict[str, tuple[str, ...]] = {kind: form.required for kind, form in FORMS.items()}
"""Required fields, in the order a guided conversation should ask for them."""
ALL_FIELDS: dict[str, tuple[str, ...]] = {kind: form.names for kind, form in FORMS.items()}
DATE_FIELDS = frozenset(name for form in FORMS.values() for name in form.date_fields)
_LABELS = {
    f.name: f.phrase for form in FORMS.values() for f in form.fields if f.name in DATE_FIELDS
}


@dataclass
class Draft:
    """A registration being put together: what we know, what to ask, what went wrong."""

    kind: Kind
    fields: dict[str, FieldValue]
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lengths: dict[str, str] = field(default_factory=dict)
    """Date fields given as a length from the opening day ("closes": "6 weeks"): the date
    follows the opening day, now and whenever it changes."""
    yearless: set[str] = field(default_factory=set)
    """Date fields given without a year (their year was inferred from today)."""
    day_before: dict[str, str] = field(default_factory=dict)
    """Date fields read as the day before a date the message gives: a funding change "from
    1 April" is funded to 31 March ("ends": "1 April"); the read-back says so."""

    @property
    def complete(self) -> bool:
        """True when nothing needs asking (errors always leave their field in ``missing``)."""
        return not self.missing


def _fmt(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _too_long(kind: Kind, text: str) -> Draft | None:
    if len(text) <= MAX_LENGTH:
        return None
    return Draft(
        kind,
        {name: None for name in ALL_FIELDS[kind]},
        list(REQUIRED[kind]),
        [f"That message is too long ({len(text):,} characters); please keep it under 4,000."],
    )


def ordered_missing(kind: Kind, names: set[str]) -> list[str]:
    return [name for name in ALL_FIELDS[kind] if name in names]


def _finish(kind: Kind, values: dict[str, FieldValue], errors: list[str], bad: set[str]) -> Draft:
    fields: dict[str, FieldValue] = {name: values.get(name) for name in ALL_FIELDS[kind]}
    for name in bad:
        fields[name] = None
    missing = {name for name in REQUIRED[kind] if fields[name] is None} | bad
    return Draft(kind, fields, ordered_missing(kind, missing), errors)


def _single(reading: Reading, name: str, errors: list[str], bad: set[str]) -> ParsedDay | None:
    if name in reading.failed:
        errors.append(reading.failed[name])
        bad.add(name)
        return None
    found = reading.values.get(name, [])
    distinct = sorted({p.day for p in found})
    if len(distinct) > 1:
        shown = " and ".join(_fmt(d) for d in distinct[:3])
        errors.append(f"I found more than one date for {_LABELS[name]} ({shown}) — which is it?")
        bad.add(name)
        return None
    return found[0] if found else None


def contradiction(draft: Draft) -> str | None:
    """What makes the draft's dates impossible, in a few words, or None: a close before its
    opening, a last funded day before the notice or the consultation on it."""
    f = draft.fields
    opens, closes = f.get("opens"), f.get("closes")
    if isinstance(opens, date) and isinstance(closes, date) and closes < opens:
        return f"closes ({_fmt(closes)}) is before opens ({_fmt(opens)})"
    ends = f.get("ends")
    if isinstance(ends, date):
        for name, what in (
            ("notice", "notice was given"),
            ("consultation_start", "the consultation on it started"),
        ):
            said = f.get(name)
            if isinstance(said, date) and said > ends:
                return f"the last funded day ({_fmt(ends)}) is before {what} ({_fmt(said)})"
    return None


def settle(draft: Draft) -> Draft:
    """Fill the dates that follow from others, in place: a close given as a length counts
    from the opening day. Until the opening day is known, a length waits (it is not asked
    for). A yearless close (the next such day) that would make a consultation opened in
    the past run over a year is this year's, on or after the opening ("opened 1 Oct,
    closes 20 Nov", said on 25 Nov, is the 20 Nov just gone)."""
    if draft.kind != "consultation":
        return draft
    opens = draft.fields.get("opens")
    length = draft.lengths.get("closes")
    if length is not None:
        if isinstance(opens, date):
            draft.fields["closes"] = length_from(opens, length)
        draft.missing = [name for name in draft.missing if name != "closes"]
    elif "closes" in draft.yearless and isinstance(opens, date):
        closes = draft.fields.get("closes")
        if isinstance(closes, date) and closes > opens + relativedelta(years=1):
            earlier = closes - relativedelta(years=1)
            if earlier >= opens:
                draft.fields["closes"] = earlier
    return draft


_OPEN_JUST_NOW = re.compile(
    r"\b(?:(?:is|are|it's|its)\s+)?(?:just|now)\s+(?:been\s+)?"
    r"(?:launched|opened|open|live|out|published|started|begun|gone\s+live|gone\s+out)\b"
    r"|\b(?:is|are|it's|its|it\s+is)\s+(?:open|live|out|up)\s+now\b"
    r"|\b(?:open|live|out)\s+now\s+(?:and|until|till|til|to|,|-|–)"
    # The present perfect says it happened just now: "T&MBC have opened a consultation".
    r"|\b(?:have|has|'ve|’ve)\s+(?:now\s+)?(?:launched|opened|started|begun|kicked\s+off"
    r"|published|put\s+out|gone\s+live|gone\s+out)\b",
    re.IGNORECASE,
)
"""Open from today though no date is said: "is now open", "have just launched", "has
opened a consultation"."""


_SHORT_FOR = (
    (re.compile(r"\bw\.?\s?e\.?\s?f\.?(?=\s)", re.IGNORECASE), "with effect from"),
    # "when the financial year ends", "at financial year end": its end, 31 March
    (
        re.compile(
            r"\b(?:when|as)\s+the\s+(?:current\s+)?financial\s+year\s+ends\b"
            r"|\b(?:at\s+)?(?:the\s+)?financial\s+year[-\s]end\b",
            re.IGNORECASE,
        ),
        "at the end of the financial year",
    ),
    # "the end of 2026/27", "end of FY26-27": the financial year's 31 March
    (
        re.compile(
            r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?(?:fy\s*|financial\s+year\s+)?(?:20)?\d{2}"
            r"\s*[/-]\s*(?:20)?(?P<y>\d{2})(?:\s+financial\s+year)?\b",
            re.IGNORECASE,
        ),
        r"31 March 20\g<y>",
    ),
    (re.compile(r"\beff\.?(?=\s+(?:from\s+)?\d)", re.IGNORECASE), "effective"),
)
"""Words written short before a date: "w.e.f. 1 April" is "with effect from 1 April"."""


def _in_full(text: str) -> str:
    text = spread_day_ranges(blank_times(spell_date_words(text)))
    for pattern, instead in _SHORT_FOR:
        text = pattern.sub(instead, text)
    return text


_BEEN_OPEN = re.compile(
    r"\b(?:has|have|'s|’s)?\s*been\s+(?:open|opened|running|live|out|going|up)\s+(?:for\s+)?"
    r"(?P<length>(?:a|an|one|two|three|four|five|six|\d{1,2})\s+(?:days?|weeks?|fortnights?"
    r"|months?))\b(?!\s+(?:ago|now|from|already))",
    re.IGNORECASE,
)
"""How long it has been open ("has been open a week"): it opened that long ago, no length."""


def parse_consultation(text: str, today: date, bodies: Gazetteer | None = None) -> Draft:
    """Read a consultation registration: title, body (the public body), opens, closes.

    E.g. "Library services review, opens 1 Dec, closes 23 Feb, by Sevenoaks DC" or
    "Budget consultation, Tonbridge & Malling BC, 1/12/26 - 23/2/27". Never raises.
    """
    if (draft := _too_long("consultation", text)) is not None:
        return draft
    text = _BEEN_OPEN.sub(
        r"opened \g<length> ago", spread_day_ranges(blank_times(spell_date_words(text)))
    )
    toks = tokenize(text)
    lengths = find_lengths(text, toks)
    in_lengths = frozenset(k for length in lengths for k in length.tokens)
    reading = read_dates(text, toks, today, "consultation", in_lengths)
    errors: list[str] = []
    bad: set[str] = set()
    opens = _single(reading, "opens", errors, bad)
    closes = _single(reading, "closes", errors, bad)
    said = sorted({length.said for length in lengths})
    if len(said) > 1:
        errors.append(f"I found more than one length ({' and '.join(said)}) — which is it?")
        bad.add("closes")
    elif said and closes is not None:
        counted = length_from(opens.day, said[0]) if opens else None
        if counted != closes.day:
            errors.append(f"It says both closes {_fmt(closes.day)} and {said[0]} — which is it?")
            bad.add("closes")
        said = []  # the same day twice: the date stands
    if opens is None and "opens" not in bad and (now := _OPEN_JUST_NOW.search(text)):
        opens = ParsedDay(today, year_inferred=False)
        reading.consumed.update(
            k for k, t in enumerate(toks) if t.start >= now.start() and t.end <= now.end()
        )
    title, body = title_and_body(text, toks, reading.consumed, body_first=False, bodies=bodies)
    values: dict[str, FieldValue] = {
        "title": sentence_case(title),
        "body": body,
        "opens": opens.day if opens else None,
        "closes": closes.day if closes and not said else None,
    }
    draft = _finish("consultation", values, errors, bad)
    if said and "closes" not in bad:
        draft.lengths["closes"] = said[0]
    if closes is not None and closes.year_inferred and draft.fields["closes"] is not None:
        draft.yearless.add("closes")
    return settle(draft)


_NOTICE_JUST_NOW = re.compile(
    r"\b(?:just|today)\s+(?:got|had|received|been\s+sent|opened)\s+(?:the|a|an|their|this)?\s*"
    r"(?:letter|e-?mail|notice|call|phone\s+call)\b",
    re.IGNORECASE,
)
"""Notice given today though no date is said: "just got the letter", "today received an
email" (a notice date is the day something happened, here this one)."""


def parse_funding(text: str, today: date, bodies: Gazetteer | None = None) -> Draft:
    """Read a funding change: funder, title, ends (last funded day), notice, consultation_start.

    "ends 31 March" / "until 31 March" -> ends 31 March; "from 1 April" / "stops on 1 April"
    -> ends 31 March (the day before the first unfunded day). Never raises.
    """
    if (draft := _too_long("funding", text)) is not None:
        return draft
    text = _in_full(text)
    toks = tokenize(text)
    reading = read_dates(text, toks, today, "funding")
    errors: list[str] = []
    bad: set[str] = set()
    ends = _single(reading, "ends", errors, bad)
    notice = _single(reading, "notice", errors, bad)
    consultation_start = _single(reading, "consultation_start", errors, bad)
    title, funder = title_and_body(text, toks, reading.consumed, body_first=True, bodies=bodies)
    if notice is None and "notice" not in bad and _NOTICE_JUST_NOW.search(text):
        notice = ParsedDay(today, year_inferred=False)
    values: dict[str, FieldValue] = {
        "funder": funder,
        "title": sentence_case(title),
        "ends": ends.day if ends else None,
        "notice": notice.day if notice else None,
        "consultation_start": consultation_start.day if consultation_start else None,
    }
    draft = _finish("funding", values, errors, bad)
    if draft.fields["ends"] is not None and "ends" in reading.day_before:
        draft.day_before["ends"] = reading.day_before["ends"]
    return draft


_AGAINST_RE = re.compile(
    r"^\s*(?:(?:a\s+)?complaint\s+)?against\s+(?P<target>.+?)\s*(?::|,|\s[-–—]\s|\s[–—]|\n)\s*"
    r"(?P<summary>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_AGAINST_OPEN_RE = re.compile(
    r"^\s*(?:(?:a\s+)?complaint\s+)?against\s+(?P<rest>.+)$", re.IGNORECASE | re.DOTALL
)
_ABOUT_RE = re.compile(
    r"^\s*(?:(?:(?:can|could|would)\s+you\s+|please\s+|pls\s+|i'?d\s+like\s+to\s+|"
    r"i\s+want\s+to\s+|we\s+want\s+to\s+)?(?:log|register|record|add|make|file|raise)\s+)?"
    r"(?:(?:a|our|my)\s+)?(?:complaint|complaining|complain)\s+(?:about|re|regarding|over)\s+"
    # The name ends where the sentence does: "about KCC please. they …" is KCC.
    r"(?P<target>.+?)\s*(?::|,|\s[-–—]\s|\s[–—]|\n|\.(?:\s|$)|!|\?"
    r"|\s+(?:please|pls|plz|thanks|thank you)\b|$)",
    re.IGNORECASE,
)


def _names_a_body(target: str, bodies: Gazetteer | None) -> bool:
    """Whether ``target`` is a body's name (not "the consultation being too short")."""
    found = vcs_body_in(target) or public_body_in(target)
    named = known_body(target, bodies, public_first=False)
    return (found is not None and len(found) >= len(target) - 4) or (
        named is not None and named.what == "body"
    )


_COMPLAINT_PREFIX_RE = re.compile(r"^\s*complaint\s*[:\-–—]\s*", re.IGNORECASE)
_GENERIC_TARGETS = frozenset(
    "public|public body|a public body|public sector|the public sector|statutory|"
    "vcs|the vcs|vcse|the vcse|voluntary sector|the voluntary sector|a charity|charity|"
    "a voluntary group|voluntary|community sector|the community sector".split("|")
)


def parse_complaint(text: str, today: date, bodies: Gazetteer | None = None) -> Draft:
    """Read a complaint: against ("public" | "vcs"), body, summary.

    "against the council: they cut the consultation to 3 weeks" -> against "public", body "the
    council", summary "they cut ...". Without "against X:", the summary is the whole message
    and the body is any public body named in it. ``today`` is unused but kept so all parsers
    share one signature. Never raises.
    """
    del today
    if (draft := _too_long("complaint", text)) is not None:
        return draft
    target: str | None = None
    summary = _COMPLAINT_PREFIX_RE.sub("", text).strip()
    if m := _AGAINST_RE.match(text):
        target, summary = m.group("target").strip(), m.group("summary").strip()
    elif (m := _ABOUT_RE.match(text)) and _names_a_body(m.group("target"), bodies):
        # "complaint about Westerham CAB - they told the council …": the CAB, whoever else.
        target = m.group("target").strip()
    elif m := _AGAINST_OPEN_RE.match(text):
        # "against KCC for cutting..." - take the body's name, keep the whole text.
        rest = m.group("rest")
        named = known_body(rest, bodies, public_first=False)
        target = named.said if named is not None else public_body_in(rest)
        if target is None:
            # "against a local charity that …": up to where the clause goes on.
            target = re.split(r"\s+(?:that|who|which|because|for|over|about|as)\b|[,.;:]", rest)[0]
            target = " ".join(target.split()[:6]) or None
        summary = text.strip()

    against: str | None = None
    body: str | None = None
    if target is not None:
        against = classify(target, bodies)
        if target.lower() not in _GENERIC_TARGETS and (
            any(c.isupper() for c in target)
            or public_body_in(target)
            or known_body(target, bodies, public_first=False)
        ):
            body = cap(target)  # a name; "a local charity" says only the side
    else:
        # A body the data names (a council, or a named VCS organisation: its side is known).
        named = known_body(text, bodies, public_first=False)
        public, voluntary = public_body_in(text), vcs_body_in(text)
        if public and voluntary and public in voluntary:
            public = None  # "Perth & Kinross Association of Voluntary Service"
        body = named.said if named is not None else public or voluntary
        against = classify(body, bodies) if body else classify(text, bodies)
    values: dict[str, FieldValue] = {
        "against": against,
        "body": body,
        "summary": summary or None,
    }
    return _finish("complaint", values, [], set())
