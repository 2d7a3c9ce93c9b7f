"""Parse free-text registration messages into drafts the bot can complete by asking questions.

Three kinds: a consultation ("Library services review, opens 1 Dec, closes 23 Feb, by
Sevenoaks DC"), a funding change ("KCC ending our youth grant, last funded day 30 June 2027")
and a complaint ("Sevenoaks DC ignored our letters"). Pure functions: ``today`` is passed in.

How a message is read:

1. It is split into tokens; runs of up to 7 tokens that `parse_day_info` accepts are dates.
2. Each date takes its role from the words just before it ("opens", "closing date:",
   "notice given on", "last funded day" ...). Two dates joined by a dash, "to" or "until" are a
   range. Dates without a role fill the remaining date fields in order. Dates without digits
   ("today", "Monday") only count after such a word, so "Sunday opening hours review" is a title.
3. What's left, split at commas/semicolons/new lines/spaced dashes, gives the title (first
   piece) and the body: "by X"/"from X", a piece that looks like a public body ("Tonbridge &
   Malling BC"), or a public body named anywhere ("Sevenoaks DC grant ends ...").

Rules worth knowing:

* Years: a date without a year is the one nearest today (see `bot.chat.dateparsing`). For a
  consultation, if a yearless closing date then falls before the opening date it moves on a
  year ("opens 1 Dec, closes 30 June" is 1 Dec -> 30 June next year); likewise a yearless
  opening date moves back. Only moves that give a consultation of at most a year count.
* "1 Dec 23 Feb" is two dates, not 1 Dec 2023.
* Funding: ``ends`` is the LAST FUNDED DAY. "ends 31 March", "until 31 March" and "last funded
  day 31 March" mean 31 March. "from 1 April", "stops on 1 April", "cut from 1 April" name the
  first UNFUNDED day, so the last funded day is 31 March. "funded from 1 April 2024 to 31 March
  2027" is a funding period: ``ends`` is 31 March 2027.
* `Draft.missing` lists the required fields not found, in the order a guided conversation
  should ask for them, plus any optional field the user clearly tried to give but we couldn't
  read (so it gets asked again rather than silently dropped). Every message in `Draft.errors`
  goes with a field in `missing`, so ``complete`` is simply "nothing missing".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal

from dateutil.relativedelta import relativedelta

from bot.chat.dateparsing import (
    DateParseError,
    Hint,
    ParsedDay,
    UnreadableDateError,
    on_or_after,
    parse_day_info,
    parse_length,
)
from bot.chat.forms import FORMS, YES_NO, FieldValue, Kind

__all__ = [
    "ALL_FIELDS",
    "DATE_FIELDS",
    "MAX_LENGTH",
    "REQUIRED",
    "Draft",
    "FieldValue",
    "Kind",
    "apply_answer",
    "classify_against",
    "parse_complaint",
    "parse_consultation",
    "parse_funding",
]

MAX_LENGTH = 4000
_MAX_TEXT_FIELD = 200  # titles and bodies; a summary keeps the whole message

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
    """Forward date fields given without a year: the first such day on or after the opening
    day (or today, while the opening day is unknown)."""

    @property
    def complete(self) -> bool:
        """True when nothing needs asking (errors always leave their field in ``missing``)."""
        return not self.missing


# --- tokens ---------------------------------------------------------------------------------

TokKind = Literal["word", "sep", "dash", "punct"]


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int
    kind: TokKind
    spaced: bool = False  # dashes only: " - " separates pieces, "Covid-19" doesn't

    @property
    def low(self) -> str:
        return self.text.lower().replace("’", "'")


_TOKEN_RE = re.compile(
    r"(?P<word>\d{4}-\d{1,2}-\d{1,2}"  # ISO dates whole, before "-" can split them
    r"|\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?(?![\d/])"  # 23/2/27, 1.12.26
    r"|[^\W_]+(?:['’][^\W_]+|-(?=[^\W\d_])[^\W_]+)*)"  # words; "e-services" stays whole
    r"|(?P<sep>[,;|\n]+|\.(?=\s+[A-Z]|\s*$))"  # a full stop ending a sentence separates
    r"|(?P<dash>[-–—]+)"
    r"|(?P<punct>\S)"
)


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN_RE.finditer(text):
        kind: TokKind
        if m.group("word") is not None:
            kind = "word"
        elif m.group("sep") is not None:
            kind = "sep"
        elif m.group("dash") is not None:
            kind = "dash"
        else:
            kind = "punct"
        spaced = False
        if kind == "dash":
            before = text[m.start() - 1] if m.start() > 0 else " "
            after = text[m.end()] if m.end() < len(text) else " "
            spaced = before.isspace() or after.isspace() or m.group(0) in ("–", "—")
        toks.append(_Tok(m.group(0), m.start(), m.end(), kind, spaced))
    return toks


# --- keyword tables -------------------------------------------------------------------------

Role = str  # consultation: opens/closes; funding: ends/stop/notice/consultation_start/period


def _table(spec: dict[Role, str]) -> list[tuple[tuple[str, ...], Role]]:
    """{"opens": "opens|opening date|..."} -> [(("opening", "date"), "opens"), ...]."""
    rows = [(tuple(p.split()), role) for role, alts in spec.items() for p in alts.split("|")]
    return sorted(rows, key=lambda row: -len(row[0]))  # longest phrase wins


_CONSULTATION_TABLE = _table(
    {
        "opens": "open|opens|opened|opening|start|starts|started|starting|from|launched|"
        "launches|launch|begins|began|begin|beginning|commences|commenced|commencing|"
        "went live|goes live|live|between|runs from|running from",
        "closes": "close|closes|closed|closing|until|till|til|to|deadline|ends|ended|end|"
        "ending|by|due|respond by|responses by|submit by|finishes|finishing",
    }
)
_FUNDING_TABLE = _table(
    {
        "ends": "ends|end|ended|ending|until|till|til|to|expires|expire|expired|expiring|"
        "finishes|finish|finished|finishing|last day|last funded day|last funding day|"
        "last day of funding|last day of the grant|runs out|run out|through|thru|funded until",
        "stop": "from|stops|stop|stopping|stopped|ceases|cease|ceased|ceasing|effective|"
        "as of|cut|cuts|withdrawn|starting|no funding from|with effect from",
        "notice": "notice|notice given|given notice|given|notified|notified us|told|told us|"
        "informed|informed us|letter|letter dated|dated|wrote|wrote to us|written notice|"
        "notice received|received notice|received",
        "consultation_start": "consultation|consultation started|consultation starts|"
        "consultation start|consultation began|consultation opened|consultation opens|"
        "consultation launched|consultation from|consulted|consulted us|consulting",
        "period": "between|grant started|funding started|started|funded from",
    }
)
_FILLERS = frozenset(
    "on the of is was were will be been at : date it its it's has have are".split()
)
_PAST_TENSE = frozenset(
    "opened started began launched closed ended given notified told informed received wrote "
    "consulted commenced stopped ceased expired dated".split()
)
_RANGE_CONNECTORS = frozenset({"to", "until", "till", "til", "and", "through", "thru"})
_AMBIGUOUS_KEYWORDS = frozenset(
    "to by from until till til due end cut cuts given letter received told starting live "
    "consultation started".split()
)
_SPAN_START = frozenset(
    "in today tomorrow tmrw yesterday next last this coming end the a an one two three four "
    "five six seven eight nine ten eleven twelve".split()
)
_WEEKDAY_WORDS = frozenset(
    w
    for name in "monday tuesday wednesday thursday friday saturday sunday".split()
    for w in (name, name[:3])
) | {"tues", "weds", "thur", "thurs"}
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
_MONTH_WORDS = frozenset({*_MONTH_NAMES, *(name[:3] for name in _MONTH_NAMES), "sept"})
_MAX_SPAN_TOKENS = 7


@dataclass
class _Span:
    first: int  # token indices, inclusive
    last: int
    parsed: ParsedDay | None  # None: a date, but a wrong one (see ``problem``)
    has_digit: bool
    problem: str | None = None  # e.g. "23 Feb 2027 is a Tuesday, not a Monday"
    role: Role | None = None
    keyword_first: int | None = None  # first token of the role keyword phrase
    keyword_word: str = ""


def _span_start_ok(tok: _Tok) -> bool:
    low = tok.low
    return (
        low[:1].isdigit()
        or low in _SPAN_START
        or low in _WEEKDAY_WORDS
        or low.rstrip(".") in _MONTH_WORDS
    )


def _find_spans(
    text: str, toks: list[_Tok], today: date, blocked: frozenset[int] = frozenset()
) -> list[_Span]:
    """Runs of tokens that read as dates; ``blocked`` tokens (a length) are never in one."""
    spans: list[_Span] = []
    i = 0
    while i < len(toks):
        if toks[i].kind != "word" or not _span_start_ok(toks[i]) or i in blocked:
            i += 1
            continue
        found: _Span | None = None
        last = i
        # Widest reach: words, plus an abbreviation's "." or an apostrophe ("6 weeks' time").
        while (
            last + 1 < len(toks)
            and last + 1 - i < _MAX_SPAN_TOKENS
            and last + 1 not in blocked
            and (toks[last + 1].kind == "word" or toks[last + 1].text in (".", "'", "’"))
        ):
            last += 1
        for j in range(last, i - 1, -1):
            if toks[j].kind != "word":
                continue
            if j > i and toks[j].text.isdigit() and j + 1 < len(toks):
                if toks[j + 1].low.rstrip(".") in _MONTH_WORDS:
                    continue  # "1 Dec 23 Feb": 23 is the next date's day, not a year
            snippet = text[toks[i].start : toks[j].end]
            has_digit = any(c.isdigit() for c in snippet)
            try:
                parsed = parse_day_info(snippet, today)
            except UnreadableDateError:
                continue
            except DateParseError as exc:
                # Readable but wrong ("Monday 23 Feb 2027", "29 Feb"): report, don't guess.
                found = _Span(i, j, None, has_digit, problem=str(exc))
                break
            found = _Span(i, j, parsed, has_digit)
            break
        if found is None:
            i += 1
        else:
            spans.append(found)
            i = found.last + 1
    return spans


def _preceding_words(toks: list[_Tok], start: int, floor: int) -> list[tuple[int, str]]:
    words: list[tuple[int, str]] = []
    k = start - 1
    while k >= floor and len(words) < 6:
        tok = toks[k]
        if tok.kind == "word" or tok.text == ":":
            words.insert(0, (k, tok.low))
            k -= 1
        else:
            break
    return words


def _match_keyword(
    words: list[tuple[int, str]], table: list[tuple[tuple[str, ...], Role]]
) -> tuple[Role, int, str] | None:
    """Longest keyword phrase ending just before the date, allowing trailing fillers."""
    trimmed = list(words)
    while True:
        texts = tuple(w for _, w in trimmed)
        for phrase, role in table:
            if len(phrase) <= len(texts) and texts[-len(phrase) :] == phrase:
                return role, trimmed[-len(phrase)][0], phrase[-1]
        if trimmed and trimmed[-1][1] in _FILLERS:
            trimmed.pop()
            continue
        return None


_FORWARD_ROLES = frozenset({"closes", "ends", "stop"})
"""Roles of dates that look ahead: without a year, the next such day, never a past one."""


def _reread(text: str, toks: list[_Tok], span: _Span, today: date, hint: Hint) -> None:
    snippet = text[toks[span.first].start : toks[span.last].end]
    span.parsed = parse_day_info(snippet, today, hint=hint)


def _assign_roles(
    text: str,
    toks: list[_Tok],
    spans: list[_Span],
    table: list[tuple[tuple[str, ...], Role]],
    today: date,
) -> None:
    floor = 0
    for span in spans:
        hit = _match_keyword(_preceding_words(toks, span.first, floor), table)
        if hit is not None:
            span.role, span.keyword_first, span.keyword_word = hit
            if span.keyword_word in _PAST_TENSE and not span.has_digit and span.parsed:
                _reread(text, toks, span, today, "past")  # "opened Monday": the one just gone
            elif span.role in _FORWARD_ROLES and span.parsed and span.parsed.year_inferred:
                _reread(text, toks, span, today, "future")  # "ends 30 June": next June
        floor = span.last + 1


def _between_is_range(toks: list[_Tok], prev: _Span, span: _Span) -> bool:
    """True if only a dash or "to"/"until"/"and" (plus fillers) separates two dates."""
    end = span.keyword_first if span.keyword_first is not None else span.first
    between = [t for t in toks[prev.last + 1 : end] if t.low not in _FILLERS]
    if span.keyword_first is not None:
        between.append(toks[span.keyword_first])
    if len(between) != 1:
        return False
    tok = between[0]
    return tok.kind == "dash" or tok.low in _RANGE_CONNECTORS


def _keyword_words(table: list[tuple[tuple[str, ...], Role]]) -> frozenset[str]:
    return frozenset(phrase[-1] for phrase, _ in table)


_CONSULTATION_KEYWORDS = _keyword_words(_CONSULTATION_TABLE)
_FUNDING_KEYWORDS = _keyword_words(_FUNDING_TABLE)


def _looks_like_date(toks: list[_Tok], ambiguous: bool) -> bool:
    lows = [t.low.rstrip(".") for t in toks]
    has_month = any(w in _MONTH_WORDS and w != "may" for w in lows)
    numeric = any(re.fullmatch(r"\d+[/.-]\d+(?:[/.-]\d+)?", w) for w in lows)
    ordinal = any(re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)", w) for w in lows)
    day_number = any(re.fullmatch(r"\d{1,2}", w) for w in lows)
    if ambiguous:
        return numeric or ordinal or (day_number and has_month)
    return numeric or ordinal or day_number or has_month


@dataclass
class _Reading:
    """The dates found in a message, by field, plus tokens used up and errors."""

    values: dict[str, list[ParsedDay]] = field(default_factory=dict)
    consumed: set[int] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # field -> error message


def _unreadable_dates(
    text: str,
    toks: list[_Tok],
    spans: list[_Span],
    table: list[tuple[tuple[str, ...], Role]],
    keywords: frozenset[str],
    role_field: dict[Role, str | None],
    reading: _Reading,
) -> None:
    """Report "opens 31 Feb": a date keyword followed by something date-like we can't read."""
    span_starts = {s.first for s in spans}
    keyword_starts = {s.keyword_first for s in spans if s.keyword_first is not None}
    for k, tok in enumerate(toks):
        if k in reading.consumed or tok.kind != "word" or tok.low not in keywords:
            continue
        if any(s.keyword_first is not None and s.keyword_first <= k < s.first for s in spans):
            continue
        hit = _match_keyword(_preceding_words(toks, k + 1, 0), table)
        if hit is None:
            continue
        role, kw_first, kw_word = hit
        nxt = k + 1
        while nxt < len(toks) and toks[nxt].low in _FILLERS:
            nxt += 1
        if nxt in span_starts or nxt >= len(toks):
            continue
        ahead: list[int] = []
        j = nxt
        while (
            j < len(toks)
            and len(ahead) < 4
            and toks[j].kind in ("word", "punct")
            and j not in span_starts
            and j not in keyword_starts
            and toks[j].low not in keywords
        ):
            ahead.append(j)
            j += 1
        if not ahead or not _looks_like_date(
            [toks[a] for a in ahead], kw_word in _AMBIGUOUS_KEYWORDS
        ):
            continue
        target = role_field.get(role)
        if target is None or target in reading.failed:
            continue
        snippet = text[toks[kw_first].start : toks[ahead[-1]].end]
        reading.failed[target] = f"I couldn't read '{snippet}' as a date — try e.g. 23 Feb 2027."
        reading.consumed.update(range(kw_first, ahead[-1] + 1))


def _read_dates(
    text: str,
    toks: list[_Tok],
    today: date,
    kind: Literal["consultation", "funding"],
    blocked: frozenset[int] = frozenset(),
) -> _Reading:
    table = _CONSULTATION_TABLE if kind == "consultation" else _FUNDING_TABLE
    spans = _find_spans(text, toks, today, blocked)
    _assign_roles(text, toks, spans, table, today)

    # Ranges: "1/12/26 - 23/2/27", "from 3 March to 12 May", "funded from 1 April to 31 March".
    for prev, span in pairwise(spans):
        if not _between_is_range(toks, prev, span):
            continue
        if (
            kind == "consultation"
            and prev.role in (None, "opens")
            and span.role in (None, "closes")
        ):
            prev.role, span.role = "opens", "closes"
        elif (
            kind == "funding"
            and prev.role in (None, "stop", "period")
            and span.role
            in (
                None,
                "ends",
            )
        ):
            prev.role, span.role = "period", "ends"

    reading = _Reading(consumed=set(blocked))
    role_field: dict[Role, str | None]
    if kind == "consultation":
        role_field = {"opens": "opens", "closes": "closes"}
        order = ["opens", "closes"]
    else:
        role_field = {
            "ends": "ends",
            "stop": "ends",
            "notice": "notice",
            "consultation_start": "consultation_start",
            "period": None,
        }
        order = ["ends"]

    unlabeled: list[_Span] = []
    for span in spans:
        if span.role is None and not span.has_digit:
            continue  # "Sunday opening hours": a weekday with no keyword isn't a date
        reading.consumed.update(range(span.first, span.last + 1))
        if span.keyword_first is not None:
            reading.consumed.update(range(span.keyword_first, span.first))
        if span.role is None:
            unlabeled.append(span)
            continue
        target = role_field.get(span.role)
        if target is None:
            continue
        parsed = span.parsed
        if parsed is None:
            reading.failed.setdefault(target, span.problem or "Please check that date.")
            continue
        if span.role == "stop":
            # "from 1 April" names the first unfunded day; store the last funded day.
            parsed = ParsedDay(parsed.day - timedelta(days=1), parsed.year_inferred)
        reading.values.setdefault(target, []).append(parsed)

    # Dates with no keyword fill the date fields still empty, in order; a lone one is the
    # deadline (closes / last funded day), the date that matters most.
    free = [f for f in order if f not in reading.values]
    if kind == "consultation" and len(unlabeled) == 1 and free == ["opens", "closes"]:
        free = ["closes"]
    for name, span in zip(free, unlabeled, strict=False):
        if span.parsed is None:
            reading.failed.setdefault(name, span.problem or "Please check that date.")
            continue
        if name in ("closes", "ends") and span.parsed.year_inferred:
            _reread(text, toks, span, today, "future")
        assert span.parsed is not None
        reading.values[name] = [span.parsed]

    # Dash/connector tokens between two dates of a range are used up too.
    for prev, span in pairwise(spans):
        if prev.first in reading.consumed and span.first in reading.consumed:
            for k in range(prev.last + 1, span.first):
                if toks[k].kind == "dash" or toks[k].low in _RANGE_CONNECTORS | _FILLERS:
                    reading.consumed.add(k)

    keywords = _CONSULTATION_KEYWORDS if kind == "consultation" else _FUNDING_KEYWORDS
    _unreadable_dates(text, toks, spans, table, keywords, role_field, reading)
    return reading


# --- lengths (consultations) ---------------------------------------------------------------

_NUMBER = (
    r"\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen"
)
_LENGTH_RE = re.compile(
    r"(?<![\w/.-])"
    r"(?P<lead>(?:(?:runs?|running|lasts?|lasting|will\s+run|is\s+open|open|opens?)\s+)?"
    r"(?P<prep>for|in|over|of|lasting)\s+|(?:runs?|running|lasts?)\s+)?"
    r"(?:(?:a|an)\s+)?"
    rf"(?P<n>{_NUMBER})[\s-]+(?P<unit>days?|weeks?|wks?|fortnights?|months?|mths?)\b"
    r"(?:['’]s|s['’]|['’])?(?:\s+time)?"
    r"(?:\s+long)?"
    r"(?:\s+after\s+(?:it\s+opens|it\s+starts|opening(?:\s+day)?|the\s+opening"
    r"(?:\s+day|\s+date)?|the\s+start))?"
    r"(?!\s+ago\b)(?!\s+from\s+(?:now|today)\b)(?![\w/'’-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Length:
    tokens: frozenset[int]
    """The phrase's tokens, and the closing keyword before it ("closes in 6 weeks")."""
    said: str
    """The length as a phrase ``parse_length`` reads: "6 weeks"."""


def _find_lengths(text: str, toks: list[_Tok]) -> list[_Length]:
    """A consultation's length given in its message ("for 6 weeks", "closes in 6 weeks",
    "a 6 week consultation from 4 January"): it counts from the opening day.

    "opens in 2 weeks" is the opening day, not a length; "the 12 week rule" is a name."""
    found: list[_Length] = []
    for m in _LENGTH_RE.finditer(text):
        inside = [k for k, t in enumerate(toks) if t.start >= m.start() and t.end <= m.end()]
        if not inside:
            continue
        before = _match_keyword(_preceding_words(toks, inside[0], 0), _CONSULTATION_TABLE)
        prep = (m.group("prep") or "").lower()
        opens_said = bool(m.group("lead") and "open" in m.group("lead").lower())
        if prep == "in" and (opens_said or (before is not None and before[0] == "opens")):
            continue  # "opens in 2 weeks": a date
        if m.group("lead") is None and inside[0] > 0 and toks[inside[0] - 1].low == "the":
            continue  # "the 12 week rule"
        if before is not None and before[0] == "closes":
            inside = list(range(before[1], inside[0])) + inside
        found.append(_Length(frozenset(inside), _said(m)))
    return found


_UNIT_NAMES = {"d": "day", "w": "week", "f": "fortnight", "m": "month"}


def _said(m: re.Match[str]) -> str:
    """A length as shown and stored: "six-week" -> "6 weeks", "1 wk" -> "1 week"."""
    raw = m.group("n").lower()
    n = int(raw) if raw.isdigit() else _NUMBER.split("|").index(raw)
    unit = _UNIT_NAMES[m.group("unit").lower()[0]]
    return f"{n} {unit}{'' if n == 1 else 's'}"


def length_from(opens: date, said: str) -> date | None:
    """The day a length said from the opening day ends on (``said`` as ``_Length.said``)."""
    length = parse_length(said)
    return None if length is None else opens + length


# --- bodies, titles -------------------------------------------------------------------------

_NAME_WORD = (
    r"(?!(?:Consultation|Review|Strategy|Grant|Funding|Plan|Proposals?|Budget|Services?"
    r"|Library|Youth|Parks?|Our|The|We|They|A|An|Against|Complaint)\b)[A-Z][\w'’-]*"
)
_PUBLIC_SUFFIX = (
    r"(?:(?:District|Borough|County|City|Town|Parish|Metropolitan|Royal|Unitary|Combined|"
    r"Fire and Rescue|Fire|Health)\s+)*"
    r"(?:Council|DC|BC|CC|MBC|UA|Authority|Trust|ICB|ICS|CCG|PCT|Police|Constabulary|Service)"
)
_PUBLIC_BODY_RE = re.compile(
    rf"(?:(?:{_NAME_WORD}|&)\s+(?:(?:{_NAME_WORD}|&|and|of|upon|on)\s+){{0,4}})?{_PUBLIC_SUFFIX}\b"
    r"|\b[A-Z]{1,5}(?:CC|DC|BC)\b"
    r"|\bNHS(?:\s+(?:[A-Z][\w'’-]*|and))*"
    r"|\b(?:DWP|DfE|DHSC|MHCLG|DCMS|HMRC|GLA|Home Office|Cabinet Office|Government|the government)"
    r"\b"
    r"|\b(?:the\s+)?(?:(?:local|county|district|borough|city|town|parish)\s+)?council\b",
)
_PUBLIC_HINT_RE = re.compile(
    r"\b(?:council|nhs|ccg|pct|icb|borough|district|county|trust|authority|government|"
    r"department|police|[a-z]{0,4}(?:cc|dc|bc)|mbc)\b",
    re.IGNORECASE,
)
_VCS_HINT_RE = re.compile(
    r"\b(?:vcs|vcse|cvs|voluntary|charity|charities|community group|community organisation|"
    r"third sector|infrastructure organisation|social enterprise)\b",
    re.IGNORECASE,
)
_TOPIC_WORDS = frozenset("on about into for regarding re of to".split())
_LEAD_STRIP = frozenset("and but also then so".split())
_TRAIL_STRIP = frozenset(
    "and but also which that it is was will be has have been on at the by from run led "
    "published issued".split()
)


def _runs(toks: list[_Tok], consumed: set[int]) -> list[list[int]]:
    """Pieces of leftover text: split at separators, spaced dashes and used-up tokens."""
    runs: list[list[int]] = []
    current: list[int] = []
    for k, tok in enumerate(toks):
        breaks = k in consumed or tok.kind == "sep" or (tok.kind == "dash" and tok.spaced)
        if breaks:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(k)
    if current:
        runs.append(current)
    return runs


def _clean(toks: list[_Tok], run: list[int]) -> list[int]:
    run = list(run)
    while run and (toks[run[0]].low in _LEAD_STRIP or toks[run[0]].kind != "word"):
        if toks[run[0]].text in ("&", "(", "'", '"', "£"):
            break
        run.pop(0)
    while run and (toks[run[-1]].low in _TRAIL_STRIP or toks[run[-1]].kind == "dash"):
        run.pop()
    while run and toks[run[-1]].kind == "punct" and toks[run[-1]].text not in (")", "'", '"', "%"):
        run.pop()
    return run


def _slice(text: str, toks: list[_Tok], run: list[int]) -> str:
    """The original text of some tokens; gaps (tokens taken out) become a single space."""
    parts: list[str] = []
    start = 0
    for pos in range(1, len(run) + 1):
        if pos == len(run) or run[pos] != run[pos - 1] + 1:
            parts.append(text[toks[run[start]].start : toks[run[pos - 1]].end])
            start = pos
    return _cap(" ".join(parts))


def _sentence_case(title: str | None) -> str | None:
    """ "consultation on the library" -> "Consultation on the library"; "iPad scheme" and
    "KCC review" stay as written."""
    if not title or not title[:1].islower() or any(c.isupper() for c in title.split()[0]):
        return title
    return title[0].upper() + title[1:]


def _cap(value: str) -> str:
    value = re.sub(r"\s+", " ", value).strip()
    return value if len(value) <= _MAX_TEXT_FIELD else value[: _MAX_TEXT_FIELD - 1] + "…"


def _public_body_in(value: str) -> str | None:
    m = _PUBLIC_BODY_RE.search(value)
    if m is None:
        return None
    found = re.sub(r"^(?:and|of|&)\s+", "", m.group(0).strip())
    return found or None


def _split_by_from(
    text: str, toks: list[_Tok], run: list[int]
) -> tuple[list[int], list[int]] | None:
    """Split "X by Sevenoaks DC" into (X, Sevenoaks DC); None if there's no such phrase."""
    for pos, k in enumerate(run):
        word = toks[k].low
        if word not in ("by", "from") or pos + 1 >= len(run):
            continue
        after = _clean(toks, run[pos + 1 :])
        if not after:
            continue
        first = toks[after[0]].text
        if first[:1].isdigit() or first in ("£", "%"):
            continue  # "cut by 50%"
        # Only a name counts: "stand by me", "feedback from residents" aren't bodies.
        if not (first[:1].isupper() or _public_body_in(_slice(text, toks, after))):
            continue
        return _clean(toks, run[:pos]), after
    return None


def _title_and_body(
    text: str, toks: list[_Tok], consumed: set[int], body_first: bool
) -> tuple[str | None, str | None]:
    runs = [r for r in (_clean(toks, r) for r in _runs(toks, consumed)) if r]
    runs = [r for r in runs if any(c.isalpha() for k in r for c in toks[k].text)]
    title: str | None = None
    body: str | None = None

    for idx, run in enumerate(runs):
        # "NHS Kent and Medway: hospital transport review" - a body, a colon, the title.
        colon = next((pos for pos, k in enumerate(run) if toks[k].text == ":"), None)
        if colon is None or colon == 0 or colon == len(run) - 1:
            continue
        piece = _slice(text, toks, run[:colon])
        found = _public_body_in(piece)
        if found and len(found) >= len(piece) - 4:
            body = found
            runs = [*runs[:idx], _clean(toks, run[colon + 1 :]), *runs[idx + 1 :]]
            break

    if body is None and body_first:
        # Funding: "cut by 50%" makes "by" unreliable, so a named public body comes first.
        for run in runs:
            found = _public_body_in(_slice(text, toks, run))
            if found:
                body = found
                break

    if body is None:
        for idx, run in enumerate(runs):
            split = _split_by_from(text, toks, run)
            if split is None:
                continue
            before, after = split
            # "by KCC on youth services": the body is "KCC", the rest belongs to the title.
            after_start = toks[after[0]].start
            named = _PUBLIC_BODY_RE.match(text, after_start, toks[after[-1]].end)
            rest = [k for k in after if named is not None and toks[k].start >= named.end()]
            if named is not None and rest and toks[rest[0]].low in _TOPIC_WORDS:
                after = [k for k in after if toks[k].start < named.end()]
                before = _clean(toks, before + rest)
            body = _slice(text, toks, after)
            runs = runs[:idx] + ([before] if before else []) + runs[idx + 1 :]
            break

    if body is None and len(runs) > 1:
        # "Budget consultation, Tonbridge & Malling BC, ..." - a piece that is just a body.
        for idx, run in enumerate(runs):
            piece = _slice(text, toks, run)
            found = _public_body_in(piece)
            if found and len(found) >= len(piece) - 4:
                body = found
                runs = runs[:idx] + runs[idx + 1 :]
                break

    if runs:
        title = _slice(text, toks, runs[0]) or None
    if body is None and title is not None:
        body = _public_body_in(title)  # "Sevenoaks DC grant ends ..."
    if body is not None and title is not None and body == title and len(runs) > 1:
        title = _slice(text, toks, runs[1]) or None
    return title, (_cap(body) if body else None)


# --- drafts ---------------------------------------------------------------------------------


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


def _ordered_missing(kind: Kind, names: set[str]) -> list[str]:
    return [name for name in ALL_FIELDS[kind] if name in names]


def _finish(kind: Kind, values: dict[str, FieldValue], errors: list[str], bad: set[str]) -> Draft:
    fields: dict[str, FieldValue] = {name: values.get(name) for name in ALL_FIELDS[kind]}
    for name in bad:
        fields[name] = None
    missing = {name for name in REQUIRED[kind] if fields[name] is None} | bad
    return Draft(kind, fields, _ordered_missing(kind, missing), errors)


def _single(reading: _Reading, name: str, errors: list[str], bad: set[str]) -> ParsedDay | None:
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


def _order_consultation(
    opens: ParsedDay | None, closes: ParsedDay | None
) -> tuple[ParsedDay | None, ParsedDay | None, str | None]:
    """Move a yearless date by whole years when that makes opens <= closes; else report it.

    Only moves that leave the consultation at most a year long count, so a genuine mistake
    ("opens 23 Feb 2027, closes 1 Dec 2026") is still reported.
    """
    if opens is None or closes is None or closes.day >= opens.day:
        return opens, closes, None
    if closes.year_inferred:
        for years in (1, 2):
            moved = closes.day + relativedelta(years=years)
            if opens.day <= moved <= opens.day + relativedelta(years=1):
                return opens, ParsedDay(moved, True), None
    if opens.year_inferred:
        for years in (1, 2):
            moved = opens.day - relativedelta(years=years)
            if closes.day - relativedelta(years=1) <= moved <= closes.day:
                return ParsedDay(moved, True), closes, None
    return opens, closes, f"closes ({_fmt(closes.day)}) is before opens ({_fmt(opens.day)})"


def settle(draft: Draft) -> Draft:
    """Fill the dates that follow from others, in place: a close given as a length counts
    from the opening day; a close given without a year is the first such day on or after
    the opening day. Until the opening day is known, a length waits (it is not asked for)."""
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
        if isinstance(closes, date):
            draft.fields["closes"] = on_or_after(closes, opens)
    return draft


def parse_consultation(text: str, today: date) -> Draft:
    """Read a consultation registration: title, body (the public body), opens, closes.

    E.g. "Library services review, opens 1 Dec, closes 23 Feb, by Sevenoaks DC" or
    "Budget consultation, Tonbridge & Malling BC, 1/12/26 - 23/2/27". Never raises.
    """
    if (draft := _too_long("consultation", text)) is not None:
        return draft
    toks = _tokenize(text)
    lengths = _find_lengths(text, toks)
    in_lengths = frozenset(k for length in lengths for k in length.tokens)
    reading = _read_dates(text, toks, today, "consultation", in_lengths)
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
    if not said:
        opens, closes, problem = _order_consultation(opens, closes)
        if problem is not None:
            errors.append(problem)
            bad.add("closes")
    title, body = _title_and_body(text, toks, reading.consumed, body_first=False)
    values: dict[str, FieldValue] = {
        "title": _sentence_case(title),
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


def parse_funding(text: str, today: date) -> Draft:
    """Read a funding change: funder, title, ends (last funded day), notice, consultation_start.

    "ends 31 March" / "until 31 March" -> ends 31 March; "from 1 April" / "stops on 1 April"
    -> ends 31 March (the day before the first unfunded day). Never raises.
    """
    if (draft := _too_long("funding", text)) is not None:
        return draft
    toks = _tokenize(text)
    reading = _read_dates(text, toks, today, "funding")
    errors: list[str] = []
    bad: set[str] = set()
    ends = _single(reading, "ends", errors, bad)
    notice = _single(reading, "notice", errors, bad)
    consultation_start = _single(reading, "consultation_start", errors, bad)
    title, funder = _title_and_body(text, toks, reading.consumed, body_first=True)
    values: dict[str, FieldValue] = {
        "funder": funder,
        "title": _sentence_case(title),
        "ends": ends.day if ends else None,
        "notice": notice.day if notice else None,
        "consultation_start": consultation_start.day if consultation_start else None,
    }
    return _finish("funding", values, errors, bad)


_AGAINST_RE = re.compile(
    r"^\s*(?:(?:a\s+)?complaint\s+)?against\s+(?P<target>.+?)\s*(?::|,|\s[-–—]\s|\s[–—]|\n)\s*"
    r"(?P<summary>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_AGAINST_OPEN_RE = re.compile(
    r"^\s*(?:(?:a\s+)?complaint\s+)?against\s+(?P<rest>.+)$", re.IGNORECASE | re.DOTALL
)
_COMPLAINT_PREFIX_RE = re.compile(r"^\s*complaint\s*[:\-–—]\s*", re.IGNORECASE)
_GENERIC_TARGETS = frozenset(
    "public|public body|a public body|public sector|the public sector|statutory|"
    "vcs|the vcs|vcse|the vcse|voluntary sector|the voluntary sector|a charity|charity|"
    "a voluntary group|voluntary|community sector|the community sector".split("|")
)


def _classify(value: str) -> str | None:
    if _VCS_HINT_RE.search(value):
        return "vcs"
    if _PUBLIC_HINT_RE.search(value) or _PUBLIC_BODY_RE.search(value):
        return "public"
    return None


def parse_complaint(text: str, today: date) -> Draft:
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
    elif m := _AGAINST_OPEN_RE.match(text):
        # "against KCC for cutting..." - take the body's name, keep the whole text.
        rest = m.group("rest")
        target = _public_body_in(rest)
        if target is None:
            target = rest.split()[0] if rest.split() else None
        summary = text.strip()

    against: str | None = None
    body: str | None = None
    if target is not None:
        against = _classify(target)
        if target.lower() not in _GENERIC_TARGETS:
            body = _cap(target)
    else:
        body = _public_body_in(text)
        against = _classify(body) if body else _classify(text)
    values: dict[str, FieldValue] = {
        "against": against,
        "body": body,
        "summary": summary or None,
    }
    return _finish("complaint", values, [], set())


# --- guided conversation --------------------------------------------------------------------

_STOP_ANSWER_RE = re.compile(
    r"^(?:from|stops?|stopping|ceases?|ceasing|cut|effective|as of|starting|"
    r"with effect from)\s+(?:on\s+)?(?P<rest>.+)$",
    re.IGNORECASE,
)
_END_ANSWER_RE = re.compile(
    r"^(?:ends?|ending|until|till|to|last funded day|last day)\s+(?:on\s+|is\s+)?(?P<rest>.+)$",
    re.IGNORECASE,
)
_PUBLIC_ANSWERS = frozenset(
    "public|p|public body|public sector|statutory|council|the council|nhs|government".split("|")
)
_VCS_ANSWERS = frozenset(
    "vcs|v|vcse|voluntary|voluntary sector|charity|community|community group|voluntary group".split(
        "|"
    )
)


def classify_against(text: str) -> str | None:
    """Who a complaint is against, from an answer ("public", "the council", "vcs", "a
    charity"): "public", "vcs", or None when it does not say."""
    low = text.lower().strip(" .!")
    if low in _PUBLIC_ANSWERS:
        return "public"
    if low in _VCS_ANSWERS:
        return "vcs"
    return _classify(text)


@dataclass(frozen=True)
class DateAnswer:
    """A date field's answer: a day, or (for a consultation's close) a length that counts
    from the opening day."""

    day: date | None
    length: str | None = None
    """As ``_Length.said``: "6 weeks"."""
    yearless: bool = False


_FROM_OPENING = re.compile(
    r"(?:it\s+opens|it\s+starts|(?:the\s+)?opening(?:\s+day|\s+date)?|the\s+start)",
    re.IGNORECASE,
)
_LENGTH_FROM = re.compile(r"^(?P<length>.+?)\s+(?:from|after)\s+(?P<day>.+)$", re.IGNORECASE)


def _length_said(text: str) -> str | None:
    """ "in 6 weeks", "for 6 weeks", "12 weeks" -> "6 weeks"; None if ``text`` is not one."""
    m = _LENGTH_RE.fullmatch(text.strip().rstrip("."))
    return None if m is None else _said(m)


def read_date(kind: Kind, name: str, text: str, today: date) -> DateAnswer:
    """What a date field's answer means. A consultation's close may be a length from the
    opening day ("in 6 weeks", "6 weeks after it opens") or from a day ("6 weeks from 4
    January"); a forward field without a year (close, last funded day) is the next such
    day. For funding, "from 1 April" names the first unfunded day: the last funded day is
    31 March. Raises ``DateParseError`` with the message to show."""
    forward = any(f.name == name and f.forward for f in FORMS[kind].fields)
    hint: Hint = "future" if forward else "nearest"
    if kind == "consultation" and name == "closes":
        if (said := _length_said(text)) is not None:
            return DateAnswer(None, said)
        if m := _LENGTH_FROM.match(text.strip()):
            said = _length_said(m.group("length"))
            if said is not None and _FROM_OPENING.fullmatch(m.group("day").strip()):
                return DateAnswer(None, said)
            if said is not None:
                start = parse_day_info(m.group("day"), today)
                return DateAnswer(length_from(start.day, said))
    if kind == "funding" and name == "ends":
        if m := _STOP_ANSWER_RE.match(text):
            parsed = parse_day_info(m.group("rest"), today, hint=hint)
            return DateAnswer(parsed.day - timedelta(days=1), yearless=parsed.year_inferred)
        if m := _END_ANSWER_RE.match(text):
            text = m.group("rest")
    parsed = parse_day_info(text, today, hint=hint)
    return DateAnswer(parsed.day, yearless=parsed.year_inferred)


_NONE_ANSWERS = frozenset("none|no|nope|0|skip|n/a|na|nothing|no rounds|not sure".split("|"))
_SPAN_NUMBERS = "one two three four five six seven eight nine ten eleven twelve".split()
_DURATION_PART = re.compile(
    r"(\d{1,4}|" + "|".join(_SPAN_NUMBERS) + r")\s*(days?|weeks?|wks?|d|w)\b"
)
_YES = frozenset("yes|y|yeah|yep|it is|statutory|required by statute|yes it is".split("|"))
_NO = frozenset("no|n|nope|it isn't|it is not|not statutory|no it isn't".split("|"))
_SKIP = frozenset("skip|don't know|dont know|not sure|unknown|?|pass|no idea".split("|"))


def read_days(text: str) -> int:
    """How long earlier rounds ran, in days: "4 weeks" 28, "3 weeks 2 days" 23, "none" 0.

    Raises ValueError (with the message to show) for anything else; months are refused
    rather than guessed in days."""
    low = text.lower().strip(" .!")
    if low in _NONE_ANSWERS:
        return 0
    if "month" in low:
        raise ValueError("Please give the earlier rounds in weeks or days (e.g. 4 weeks).")
    parts = _DURATION_PART.findall(low)
    rest = _DURATION_PART.sub("", low).replace("and", "").replace(",", "").strip()
    if not parts or rest:
        raise ValueError(
            "Please say how long the earlier rounds ran in all, e.g. 4 weeks or 28 days "
            "(or 'none')."
        )
    days = 0
    for amount, unit in parts:
        n = int(amount) if amount.isdigit() else _SPAN_NUMBERS.index(amount) + 1
        days += n * (7 if unit.startswith("w") else 1)
    if days > 36_500:
        raise ValueError("That is more than a hundred years of earlier rounds; please check it.")
    return days


def read_yes_no(text: str) -> str:
    """'yes', 'no' or 'not said' (skipped: never taken as yes)."""
    low = text.lower().strip(" .!")
    if low in _YES:
        return YES_NO[0]
    if low in _NO:
        return YES_NO[1]
    if low in _SKIP:
        return YES_NO[2]
    raise ValueError("Please answer yes or no (or 'skip' if you don't know).")


def apply_answer(draft: Draft, field: str, text: str, today: date) -> Draft:
    """Fill in one field from the user's answer and return a new draft.

    Dates go through `parse_day` (for funding ``ends``, "from 1 April" means 31 March).
    ``errors`` on the result describe this answer only; a field whose answer can't be used
    stays in ``missing``. Raises ``ValueError`` if ``field`` isn't a field of this kind.
    """
    kind = draft.kind
    extra = {f.name: f.kind for f in FORMS[kind].extra}
    if field not in ALL_FIELDS[kind] and field not in extra:
        raise ValueError(f"{field!r} is not a field of a {kind} registration")
    fields = dict(draft.fields)
    missing = set(draft.missing)
    lengths = dict(draft.lengths)
    yearless = set(draft.yearless)
    answer = text.strip()

    def failed(message: str) -> Draft:
        fields[field] = None
        lengths.pop(field, None)
        yearless.discard(field)
        return Draft(
            kind, fields, _ordered_missing(kind, missing | {field}), [message], lengths, yearless
        )

    if len(answer) > MAX_LENGTH:
        return failed(
            f"That message is too long ({len(answer):,} characters); please keep it under 4,000."
        )
    if not answer:
        return failed("Please type an answer (or /cancel).")

    value: FieldValue
    if field in extra:
        read = read_days if extra[field] == "days" else read_yes_no
        try:
            value = read(answer)
        except ValueError as exc:
            return failed(str(exc))
    elif field in DATE_FIELDS:
        try:
            said = read_date(kind, field, answer, today)
        except DateParseError as exc:
            return failed(str(exc))
        lengths.pop(field, None)
        yearless.discard(field)
        if said.length is not None:
            lengths[field] = said.length
            value = None
        else:
            assert said.day is not None
            value = said.day
            if said.yearless:
                yearless.add(field)
        length_closes = field == "opens" and "closes" in lengths
        if kind == "consultation" and value is not None and not length_closes:
            parsed = ParsedDay(value, said.yearless)
            other_name = "closes" if field == "opens" else "opens"
            other = fields.get(other_name)
            if isinstance(other, date):
                other_parsed = ParsedDay(other, other_name in yearless)
                pair = (parsed, other_parsed) if field == "opens" else (other_parsed, parsed)
                opens, closes, problem = _order_consultation(*pair)
                chosen = opens if field == "opens" else closes
                if problem is not None or chosen is None:
                    return failed(problem or "Please give a date.")
                value = chosen.day  # a yearless answer may have moved a year (see module doc)
    elif field == "against":
        guessed = classify_against(answer)
        if guessed is None:
            return failed(
                "Please answer 'public' (a council, NHS or other public body) or 'vcs' "
                "(a voluntary or community organisation)."
            )
        value = guessed
    elif field == "summary":
        value = answer
    else:
        value = _cap(answer)

    fields[field] = value
    missing.discard(field)
    return settle(Draft(kind, fields, _ordered_missing(kind, missing), [], lengths, yearless))
