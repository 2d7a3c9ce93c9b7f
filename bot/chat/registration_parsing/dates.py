"""Dates in a message: runs of tokens that read as dates (spans), the keyword just before
each that gives its role ("opens", "last funded day" ...), ranges, and the date fields they
fill (steps 1 and 2 in the package's docstring)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal

from dateutil.relativedelta import relativedelta

from bot.chat.dateparsing import (
    FIXED_DAYS,
    DateParseError,
    Hint,
    ParsedDay,
    UnreadableDateError,
    month_number,
    parse_day_info,
)
from bot.chat.registration_parsing.tokens import Tok

Role = str  # consultation: opens/closes; funding: ends/stop/notice/consultation_start/period


def _table(spec: dict[Role, str]) -> list[tuple[tuple[str, ...], Role]]:
    """{"opens": "opens|opening date|..."} -> [(("opening", "date"), "opens"), ...]."""
    rows = [(tuple(p.split()), role) for role, alts in spec.items() for p in alts.split("|")]
    return sorted(rows, key=lambda row: -len(row[0]))  # longest phrase wins


CONSULTATION_TABLE = _table(
    {
        "opens": "open|opens|opened|opening|start|starts|started|starting|from|launched|"
        "launches|launch|begins|began|begin|beginning|commences|commenced|commencing|"
        "went live|goes live|live|between|runs from|running from|published|issued|"
        "went out|sent out|sent|came out|announced|out|kicked off|went up|put up|posted|since|"
        "open since|live since|running since|been running since|out since|up since|as of|"
        "as from|with effect from|effective from|released|unveiled|rolled out|put out|"
        "circulated|shared|opened up|available from|kicks off|kicking off|kick off|"
        "got going|online from|open for responses from|open for comments from|"
        "accepting responses from|go live|going live|goes out|going out|starting from|"
        "open from|live from|opens on|released on",
        "closes": "close|closes|closed|closing|until|till|til|to|deadline|ends|ended|end|"
        "ending|by|due|respond by|responses by|submit by|finishes|finishing",
        # The day the group heard of it is none of the consultation's dates.
        "heard": "found out|heard|learned|learnt|were told|was told|told us|heard about|"
        "found out about|we found out|only found out",
    }
)
_FUNDING_TABLE = _table(
    {
        "ends": "ends|end|ended|ending|until|till|til|to|expires|expire|expired|expiring|"
        "finishes|finish|finished|finishing|last day|last funded day|last funding day|"
        "last day of funding|last day of the grant|runs out|run out|through|thru|funded until|"
        "up to|after|funded after|covers|covering|last payment|final payment|beyond|"
        "continue beyond|continue after|funded beyond|past|continue past|funded past|"
        "roll over past|rolled over past|rolling over past|terminated|terminates|terminate|"
        "terminating|wound up|winds up|wind up|closes|closing|closed",
        "stop": "from|stops|stop|stopping|stopped|ceases|cease|ceased|ceasing|effective|"
        "as of|cut|cuts|withdrawn|starting|no funding from|with effect from|takes effect|"
        "take effect|taking effect|took effect|comes into effect|come into effect|"
        "in effect from|effect from|effective from|changes|changing|change|changed|"
        "reduced|reduces|reducing|halved|replaced|ceasing from|stopping from|no longer funded from|"
        "not funded from|unfunded from|no longer from|nothing from|no money from",
        "notice": "notice|notice given|given notice|given|notified|notified us|told|told us|"
        "informed|informed us|letter|letter dated|dated|wrote|wrote to us|written notice|"
        "notice received|received notice|received|heard|heard on|found out|learned|learnt|"
        "email|emailed|emailed us|email dated|announced|announced it|decided|decision|"
        "decision made|decision taken|confirmed|came|arrived|sent|phoned|rang|called|said|"
        "warned|warned us|advised|advised us|let us know|contacted|contacted us|got|"
        "got notice|had notice|had a letter|got a letter|notice came|letter came|call|"
        "phone call|phonecall|conversation|gave|gave us|gave notice|gave us notice|news|"
        "the news|broke the news",
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
    "consulted commenced stopped ceased expired dated went came kicked published issued "
    "announced".split()
)
_OBJECTS = frozenset("us me them you him her".split())
"""Whom a verb was done to, between it and its date: "they rang us yesterday"."""
_PAST_WORDS = _PAST_TENSE | frozenset(
    "went came sent told said got had rang spoke wrote began gave heard met saw took made "
    "held found brought phoned emailed called was were did been since ago gone".split()
)
_NOT_PAST_ED = frozenset(
    "need feed seed speed proceed exceed succeed indeed bed red shed breed weed embed "
    "deed greed".split()
)
_PRESENT_OR_FUTURE = frozenset(
    "will shall going gonna is are am be being opens open opening starts start starting launches "
    "launching begins beginning runs running closes closing close goes due ends ending "
    "stops stopping".split()
)
"""Words that put what follows in the present or the future ("it opens Monday", "will be
launched on Monday"): the nearest of these or of a past tense before a date decides."""


def _past_tense(word: str) -> bool:
    return word in _PAST_WORDS or (
        len(word) > 4 and word.endswith("ed") and word not in _NOT_PAST_ED
    )


def said_in_past(words: list[str]) -> bool:
    """Whether a date after ``words`` (its clause, up to the date) is said of the past: the
    nearest tense-bearing word before it is a past tense ("launched a consultation on the
    creche fees on Monday", "kicked off on the 29th"), not "opens", "will" or "'ll"."""
    for at in range(len(words) - 1, -1, -1):
        word = words[at]
        if word in _PRESENT_OR_FUTURE or word.endswith("'ll"):
            return False
        if _past_tense(word):
            if at > 0 and words[at - 1] in ("be", "being"):
                continue  # "will be published on": the auxiliary before it says
            return True
    return False


_RANGE_CONNECTORS = frozenset({"to", "until", "till", "til", "and", "through", "thru"})
_AMBIGUOUS_KEYWORDS = frozenset(
    "to by from until till til due end cut cuts given letter received told starting live "
    "consultation started".split()
)
_SPAN_START = frozenset(
    "in today tomorrow tmrw yesterday now next last this coming end start beginning the a an "
    "one two three four five six seven eight nine ten eleven twelve day "
    # the day in words ("first of April"), and days known by name ("Christmas Eve")
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth "
    "twenty thirtieth thirty christmas xmas boxing new hogmanay halloween bonfire guy burns "
    "valentine's valentines st".split()
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
_POSSESSIVE_RE = re.compile(r"['’]?s$")
"""A weekday's "'s", or its "s" as people type it: "Tuesday's meeting", "Tuesdays meeting"."""


_NOT_DATES = frozenset({"24/7", "24/7/365", "9/11"})
"""Figures written like a day and month that say something else, unless a date's keyword
stands just before ("closes 24/7" is 24 July)."""


def _after_date_word(toks: list[Tok], k: int) -> bool:
    words = preceding_words(toks, k, 0)
    return bool(words) and any(
        match_keyword(words, table) is not None for table in (CONSULTATION_TABLE, _FUNDING_TABLE)
    )


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


def _span_start_ok(tok: Tok) -> bool:
    low = tok.low
    return (
        low[:1].isdigit()
        or low in _SPAN_START
        or low in _WEEKDAY_WORDS
        or _weekday_with_s(low)
        or low.rstrip(".") in _MONTH_WORDS
    )


def _find_spans(
    text: str, toks: list[Tok], today: date, blocked: frozenset[int] = frozenset()
) -> list[_Span]:
    """Runs of tokens that read as dates; ``blocked`` tokens (a length) are never in one."""
    spans: list[_Span] = []
    i = 0
    while i < len(toks):
        if toks[i].kind != "word" or not _span_start_ok(toks[i]) or i in blocked:
            i += 1
            continue
        if toks[i].low in _NOT_DATES and not _after_date_word(toks, i):
            i += 1  # "our 24/7 helpline": round the clock, no 24 July
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
            if _weekday_with_s(toks[j].low) and j + 1 < len(toks):
                if not any(t.low in _EVENT_NOUNS for t in toks[j + 1 : j + 4]):
                    continue  # "on Tuesdays": every Tuesday, no one day
                snippet = _POSSESSIVE_RE.sub("", snippet)  # "Tuesdays meeting": that Tuesday
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


_NOT_A_NOUN_AFTER = frozenset(
    "and or but for to until till til at in on with then so when which that the a an it we "
    "they he she you i is was were be will by from of morning afternoon evening night midday "
    "noon lunchtime week weeks this next last am pm about re regarding over after before "
    "because as if via through during since there here not they'd we'd i'd he'd she'd it'd "
    "they'll we'll it'll i'll they've we've i've they're we're it's that's our their "
    "his her us them me".split()
)
"""Words that may follow a date ("Friday and", "Monday morning", "3 to"); any other word
after a weekday or a bare number makes it a describing word ("the Sunday community bus",
"the Saturday clinic", "closing 3 children's centres"), not a date."""


_PARTS_OF_DAY = frozenset("morning afternoon evening night lunchtime".split())
_EVENT_NOUNS = frozenset(
    "meeting call email letter briefing forum board committee cabinet conference workshop "
    "event assembly visit phone".split()
)
"""Things that happen on a day: "at Tuesday's meeting" is that Tuesday."""


def _weekday_with_s(low: str) -> bool:
    """ "tuesday's", "tuesdays" (not "tues", "weds": a weekday written short)."""
    return low not in _WEEKDAY_WORDS and _POSSESSIVE_RE.sub("", low) in _WEEKDAY_WORDS


def _possessive_event(toks: list[Tok], span: _Span) -> bool:
    """ "Tuesday's meeting", "Monday's call": the weekday is the day of an event."""
    k = span.last + 1
    if not _weekday_with_s(toks[span.last].low):  # one token: "tuesday's", "tuesdays"
        if k + 2 >= len(toks) or toks[k].text not in ("'", "’") or toks[k + 1].low != "s":
            return False
        k += 2
    # The event noun may come after a word or two: "Tuesday's residents meeting".
    return any(t.low in _EVENT_NOUNS for t in toks[k : k + 3] if t.kind == "word")


def _describes_a_noun(toks: list[Tok], span: _Span) -> bool:
    """A weekday or a bare number used to describe what follows, not as a date."""
    words = [t.low for t in toks[span.first : span.last + 1] if t.kind == "word"]
    if words and _weekday_with_s(words[-1]):
        return True  # "Saturday's clinic"
    if len(words) > 1 and words[0] in ("last", "next", "this", "coming"):
        return False  # "Last Wednesday KCC started …": a day, whatever follows
    weekday = not span.has_digit and bool(words) and words[-1] in _WEEKDAY_WORDS
    bare_number = len(words) == 1 and re.fullmatch(r"\d{1,2}", words[0]) is not None
    if not (weekday or bare_number) or span.last + 1 >= len(toks):
        return False
    after = toks[span.last + 1]
    if after.kind == "punct" and after.text in ("'", "’"):
        return True  # "the Saturday's clinic"
    if weekday and after.low in _PARTS_OF_DAY and span.last + 2 < len(toks):
        following = toks[span.last + 2]  # "Friday night sessions": a kind of session
        return following.kind == "word" and following.low not in _NOT_A_NOUN_AFTER
    return (
        after.kind == "word"
        and after.low not in _NOT_A_NOUN_AFTER
        and after.low.rstrip(".") not in _MONTH_WORDS
        and not after.low[:1].isdigit()
    )


def preceding_words(toks: list[Tok], start: int, floor: int) -> list[tuple[int, str]]:
    words: list[tuple[int, str]] = []
    k = start - 1
    while k >= floor and len(words) < 6:
        tok = toks[k]
        if tok.kind == "word" or tok.text == ":":
            words.insert(0, (k, tok.low))
            k -= 1
        elif tok.text == "(" or (tok.kind == "dash" and k == start - 1):
            k -= 1  # "opened (1 March)", "closes - 12 April": the word before still says
        else:
            break
    return words


def match_keyword(
    words: list[tuple[int, str]], table: list[tuple[tuple[str, ...], Role]]
) -> tuple[Role, int, str] | None:
    """Longest keyword phrase ending just before the date, allowing trailing fillers."""
    trimmed = list(words)
    while True:
        texts = tuple(w for _, w in trimmed)
        for phrase, role in table:
            if len(phrase) <= len(texts) and texts[-len(phrase) :] == phrase:
                return role, trimmed[-len(phrase)][0], phrase[-1]
        if trimmed and (trimmed[-1][1] in _FILLERS or trimmed[-1][1] in _OBJECTS):
            trimmed.pop()
            continue
        return None


_FORWARD_ROLES = frozenset({"closes", "ends", "stop"})
"""Roles of dates that look ahead: without a year, the next such day, never a past one."""
_PAST_ROLES = frozenset({"notice", "consultation_start"})
"""Roles of dates of something that has happened: the latest such day not after today."""


def end_of_period(text: str) -> bool:
    """ "the end of June", "end of the month": the last day itself, never the day after a
    funded period (so "stops at the end of June" is funded to 30 June)."""
    return bool(re.match(r"\s*(?:the\s+)?end\s+of\b", text, re.IGNORECASE))


_FIRST_DAY_WORDS = frozenset("from effect effective as starting commencing beginning".split())
"""Words that make a date the first day of something ("from 1 April", "with effect from",
"takes effect", "as of"): for funding, the first day no longer funded."""


def _last_funded(text: str, toks: list[Tok], span: _Span, day: date) -> bool:
    """Whether a stop-date ("stops …", "ceases …", "cut …") is itself the last funded day:
    "the end of June"; or a month's last day after a verb without "from" ("ceases on 30
    June 2027"), since funding runs in whole months and stops after, not on, a month's end.
    "stops from 1 April", "ceases 1 April" name the first day no longer funded."""
    if end_of_period(_span_text(text, toks, span)):
        return True
    first = span.keyword_first if span.keyword_first is not None else span.first
    said = {t.low for t in toks[first : span.first]}
    return not (said & _FIRST_DAY_WORDS) and (day + timedelta(days=1)).day == 1


def _span_text(text: str, toks: list[Tok], span: _Span) -> str:
    return text[toks[span.first].start : toks[span.last].end]


def _reread(text: str, toks: list[Tok], span: _Span, today: date, hint: Hint) -> None:
    snippet = text[toks[span.first].start : toks[span.last].end]
    if _weekday_with_s(toks[span.last].low):
        snippet = _POSSESSIVE_RE.sub("", snippet)  # as `_find_spans` read it
    span.parsed = parse_day_info(snippet, today, hint=hint)


_CONSULTING = re.compile(r"consult")
_START_WORDS = frozenset(
    "from started starts start began begins begin opened opens open launched launches "
    "commenced began running runs starting beginning commencing opening launching".split()
)
_AFTER_ROLES: dict[Role, frozenset[str]] = {
    "notice": frozenset(
        "told informed notified wrote emailed announced decided confirmed warned advised "
        "contacted rang phoned called said let sent".split()
    ),
    "opens": frozenset("launched opened started began published issued went sent".split()),
    # "two weeks tomorrow is the closing date", "Friday is the deadline"
    "closes": frozenset("closing deadline".split()),
}
"""A date before the words that give its role, in the same clause: "on 20 Nov KCC told
us …" (notice), "on 1 Dec TWBC launched …" (opens)."""


_CLAUSE_ROLES: dict[str, Role] = {
    **dict.fromkeys(
        "opened launched started began published issued commenced opens launches starts "
        "live unveiled released circulated rolled kicked launch launching begin beginning "
        "starting publish publishing".split(),
        "opens",
    ),
    **dict.fromkeys("closes closing deadline shuts".split(), "closes"),
    # The day the group heard of it is none of its dates ("we only heard about it on the 10th").
    **dict.fromkeys("heard learned learnt told".split(), "heard"),
}
"""Verbs that give a consultation date its role from further back in the clause."""
_FUNDING_CLAUSE_ROLES: dict[str, Role] = {
    **dict.fromkeys(
        "notified told informed wrote emailed notice letter announced warned advised heard "
        "received learned learnt rang phoned called contacted said word got".split(),
        "notice",
    ),
    **dict.fromkeys(
        "stop stops stopping cut cuts cutting withdraw withdraws withdrawing cease ceases "
        "ceasing pull pulling scrap scrapping axe axing terminate terminating reduce reduces "
        "reducing reduced halve halves halving".split(),
        "stop",
    ),
    **dict.fromkeys("end ends ending finish finishes finishing expire expires".split(), "ends"),
}
"""Words that give a funding date its role from further back in the clause: the notice
("we were notified in writing on 20 Nov"), a stop ("KCC will stop funding the project on 1
April") or an end ("will end the grant on 31 March")."""


_TOPIC_WORDS = frozenset("on about re regarding over into".split())


def _clause_before(toks: list[Tok], start: int, floor: int = 0) -> list[str]:
    """The words of the clause before token ``start`` (back to a separator or ``floor``)."""
    words: list[str] = []
    k = start - 1
    while k >= floor and toks[k].kind != "sep":
        if toks[k].kind == "word":
            words.insert(0, toks[k].low)
        k -= 1
    return words


def _clause_start(toks: list[Tok], start: int, floor: int = 0) -> int:
    """The first token of the clause token ``start`` is in (after a separator or ``floor``)."""
    k = start - 1
    while k >= floor and toks[k].kind != "sep":
        k -= 1
    return k + 1


def _role_after(toks: list[Tok], span: _Span, roles: dict[Role, frozenset[str]]) -> Role | None:
    k = span.last + 1
    seen = 0
    while k < len(toks) and toks[k].kind != "sep" and seen < 5:
        if toks[k].kind == "word":
            seen += 1
            for role, words in roles.items():
                if toks[k].low in words:
                    return role
        k += 1
    return None


_AWAY_FROM = frozenset(
    "recovering recovered recover back returned returning return home away hungover "
    "break rest".split()
)
"""Words that take "from" for where one has been, not when something starts."""
_UNTIL = frozenset("until till til".split())
_NEGATIONS = frozenset(
    "not never doesn't don't won't isn't aren't wasn't didn't hasn't haven't can't cannot "
    "doesnt dont wont isnt arent didnt hasnt cant".split()
)
_BEGINNING_VERBS = frozenset(
    "open opens opening opened start starts starting started begin begins beginning launch "
    "launches launching live effect happen happens apply applies kick kicks come comes".split()
)
"""Verbs of a beginning: "doesn't open till 19 July" is when it opens, "the cut won't take
effect until 1 April" the first day cut (not a close, not a last funded day)."""


def _not_until(toks: list[Tok], keyword: int, floor: int, funding: bool) -> bool:
    """ "it doesn't even open till …", "won't start until …": a negated beginning."""
    words = _clause_before(toks, keyword, floor)[-5:]
    verbs = [k for k, w in enumerate(words) if w in _BEGINNING_VERBS]
    if not verbs:
        return False
    before = words[max(0, verbs[-1] - 3) : verbs[-1]]
    if not any(w in _NEGATIONS for w in before):
        return False
    # Funding: only a cut's beginning; "the grant won't start until …" is no field of it.
    return not funding or words[verbs[-1]] not in ("open", "opens", "opening", "opened")


def _named_day(text: str, toks: list[Tok], span: _Span) -> bool:
    """ "Christmas", "Boxing Day": a day known by its name."""
    return _span_text(text, toks, span).lower().replace("’", "'") in FIXED_DAYS


def _day_alone(toks: list[Tok], span: _Span) -> bool:
    """ "the 20th", "Tuesday": a day said without its month."""
    return not any(
        t.low.rstrip(".") in _MONTH_WORDS or re.search(r"\d[/.-]\d", t.low)
        for t in toks[span.first : span.last + 1]
    )


def _assign_roles(
    text: str,
    toks: list[Tok],
    spans: list[_Span],
    table: list[tuple[tuple[str, ...], Role]],
    today: date,
) -> None:
    funding = table is _FUNDING_TABLE
    roles_after = {
        role: words for role, words in _AFTER_ROLES.items() if (role == "notice") == funding
    }
    floor = 0
    for span in spans:
        hit = match_keyword(preceding_words(toks, span.first, floor), table)
        clause = _clause_before(toks, span.first, floor)
        if (
            hit is not None
            and hit[2] == "from"
            and hit[1] > 0
            and toks[hit[1] - 1].low in _AWAY_FROM
        ):
            hit = None  # "still recovering from Hogmanay", "back from Christmas": no start
        if hit is None and _named_day(text, toks, span):
            continue  # "told us before Christmas": a day by name counts after its keyword
        if funding and (hit is None or hit[2] in _START_WORDS | {"consulted", "us", "it"}):
            said = clause
            if len(clause) <= 3:  # "they did consult, starting on 1 Oct": the clause before
                before = _clause_start(toks, span.first, floor) - 1
                said = _clause_before(toks, before, floor)[-4:] + clause
            if any(_CONSULTING.match(w) for w in said) and (
                hit is not None or any(w in _START_WORDS for w in clause)
            ):
                # "they consulted us from 20 Nov", "consultation on the cut began 1 Nov"
                hit = ("consultation_start", span.first, hit[2] if hit else "")
        if hit is None:
            # "opened a consultation on Friday": the role word earlier in the clause.
            for at in range(len(clause) - 1, -1, -1):
                word = clause[at]
                role = (_FUNDING_CLAUSE_ROLES if funding else _CLAUSE_ROLES).get(word)
                if at > 0 and clause[at - 1] in _TOPIC_WORDS:
                    continue  # "consulting on closing the centre": the topic, no role
                if role is not None:
                    hit = (role, span.first, word)
                    break
        if hit is None and span.parsed is not None:
            after = _role_after(toks, span, roles_after)
            if after is not None:
                hit = (after, span.first, "")
        if hit is not None and hit[2] in _UNTIL and _not_until(toks, hit[1], floor, funding):
            hit = ("stop" if funding else "opens", hit[1], hit[2])
        if hit is not None:
            span.role, span.keyword_first, span.keyword_word = hit
            guessed = span.parsed is not None and (span.parsed.year_inferred or not span.has_digit)
            # "opened Monday", "launched a consultation on … on Monday", "kicked off on the
            # 29th": said in the past tense, the latest such day, not the next. With its
            # month ("opened 1 Dec") the nearest stays: a day just ahead is meant.
            past = said_in_past(_clause_before(toks, span.first, floor))
            past_weekday = (
                past
                and not span.has_digit
                and span.role not in _FORWARD_ROLES  # "will be stopped at the end of June"
            )
            past_said = past and span.role not in _FORWARD_ROLES and _day_alone(toks, span)
            since = (span.keyword_word or "").endswith("since")  # "open since the 20th Dec"
            if guessed and (past_weekday or past_said or since or span.role in _PAST_ROLES):
                _reread(text, toks, span, today, "past")  # "opened Monday": the one just gone
            elif span.role in _FORWARD_ROLES and span.parsed and span.parsed.year_inferred:
                _reread(text, toks, span, today, "future")  # "ends 30 June": next June
        floor = span.last + 1


def _between_is_range(toks: list[Tok], prev: _Span, span: _Span) -> bool:
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


_CONSULTATION_KEYWORDS = _keyword_words(CONSULTATION_TABLE)
_FUNDING_KEYWORDS = _keyword_words(_FUNDING_TABLE)


def _counts(toks: list[Tok], k: int) -> bool:
    """ "closing 2 of the 5 centres": a number of things, not a day ("2 of March" is)."""
    if not re.fullmatch(r"\d{1,3}", toks[k].low) or k + 1 >= len(toks) or toks[k + 1].low != "of":
        return False
    return not any(t.low.rstrip(".") in _MONTH_WORDS for t in toks[k + 2 : k + 4])


def _looks_like_date(toks: list[Tok], ambiguous: bool) -> bool:
    lows = [t.low.rstrip(".") for t in toks]
    has_month = any(w in _MONTH_WORDS and w != "may" for w in lows)
    numeric = any(re.fullmatch(r"\d+[/.-]\d+(?:[/.-]\d+)?", w) for w in lows)
    ordinal = any(re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)", w) for w in lows)
    # "closing 3 children's centres": a number counting what follows is no day.
    day_number = any(
        re.fullmatch(r"\d{1,2}", w)
        and (
            k > 0
            or k + 1 == len(lows)
            or (lows[k + 1] in _NOT_A_NOUN_AFTER and lows[k + 1] != "of")
            or lows[k + 1] in _MONTH_WORDS
            or (lows[k + 1] == "of" and any(w in _MONTH_WORDS for w in lows[k + 2 : k + 4]))
        )
        for k, w in enumerate(lows)
    )
    if ambiguous:
        return numeric or ordinal or (day_number and has_month)
    return numeric or ordinal or day_number or has_month


@dataclass
class Reading:
    """The dates found in a message, by field, plus tokens used up and errors."""

    values: dict[str, list[ParsedDay]] = field(default_factory=dict)
    consumed: set[int] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # field -> error message
    day_before: dict[str, str] = field(default_factory=dict)
    """Fields read as the day before a date the message gives ("from 1 April"): field ->
    that date as written, for the read-back to say so."""


def _unreadable_dates(
    text: str,
    toks: list[Tok],
    spans: list[_Span],
    table: list[tuple[tuple[str, ...], Role]],
    keywords: frozenset[str],
    role_field: dict[Role, str | None],
    reading: Reading,
) -> None:
    """Report "opens 31 Feb": a date keyword followed by something date-like we can't read."""
    span_starts = {s.first for s in spans}
    keyword_starts = {s.keyword_first for s in spans if s.keyword_first is not None}
    for k, tok in enumerate(toks):
        if k in reading.consumed or tok.kind != "word" or tok.low not in keywords:
            continue
        if any(s.keyword_first is not None and s.keyword_first <= k < s.first for s in spans):
            continue
        hit = match_keyword(preceding_words(toks, k + 1, 0), table)
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
            and j not in reading.consumed
            and toks[j].low not in keywords
        ):
            ahead.append(j)
            j += 1
        if (
            not ahead
            or _counts(toks, nxt)
            or not _looks_like_date([toks[a] for a in ahead], kw_word in _AMBIGUOUS_KEYWORDS)
        ):
            continue
        target = role_field.get(role)
        if target is None or target in reading.failed:
            continue
        snippet = text[toks[kw_first].start : toks[ahead[-1]].end]
        reading.failed[target] = f"I couldn't read '{snippet}' as a date — try e.g. 23 Feb 2027."
        reading.consumed.update(range(kw_first, ahead[-1] + 1))


def read_dates(
    text: str,
    toks: list[Tok],
    today: date,
    kind: Literal["consultation", "funding"],
    blocked: frozenset[int] = frozenset(),
) -> Reading:
    table = CONSULTATION_TABLE if kind == "consultation" else _FUNDING_TABLE
    spans = [
        s
        for s in _find_spans(text, toks, today, blocked)
        if not _describes_a_noun(toks, s) or _possessive_event(toks, s)
    ]
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
            kind == "funding" and prev.role == "consultation_start" and span.role in (None, "ends")
        ):
            span.role = "consultation_end"  # "a consultation from 1 Nov to 30 Nov": not a field
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

    if kind == "funding" and any(span.role == "ends" for span in spans):
        # "the grant we've had from 1 April 2024 ends 31 March 2027": with an end said in
        # so many words, a date after a bare "from" starts the funded period.
        for span in spans:
            if span.role == "stop" and span.keyword_word == "from" and span.parsed is not None:
                if span.parsed.day <= today:
                    span.role = "period"

    for span in spans:
        # "open now (started 1 March)": "now" says it is open, the date since when.
        if span.role is not None and _span_text(text, toks, span).lower() == "now":
            if any(o.role == span.role and o.has_digit for o in spans):
                span.role = None

    reading = Reading(consumed=set(blocked))
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
        if span.role == "stop" and not _last_funded(text, toks, span, parsed.day):
            # "from 1 April" names the first unfunded day; store the last funded day.
            parsed = ParsedDay(parsed.day - timedelta(days=1), parsed.year_inferred)
            reading.day_before[target] = _span_text(text, toks, span)
        reading.values.setdefault(target, []).append(parsed)

    # Dates with no keyword fill the date fields still empty, in order; a lone one is the
    # deadline (closes / last funded day), the date that matters most.
    free = [f for f in order if f not in reading.values]
    if kind == "consultation" and len(unlabeled) == 1 and free == ["opens", "closes"]:
        # ... unless a length gives the close: "1 March for 8 weeks" opens on 1 March.
        free = ["opens"] if blocked else ["closes"]
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
        if (
            prev.first in reading.consumed
            and span.first in reading.consumed
            and _between_is_range(toks, prev, span)
        ):
            # Only there: the words between two dates far apart are the title's.
            for k in range(prev.last + 1, span.first):
                if toks[k].kind == "dash" or toks[k].low in _RANGE_CONNECTORS | _FILLERS:
                    reading.consumed.add(k)

    keywords = _CONSULTATION_KEYWORDS if kind == "consultation" else _FUNDING_KEYWORDS
    _unreadable_dates(text, toks, spans, table, keywords, role_field, reading)
    if kind == "funding" and "ends" not in reading.values:
        _month_alone(text, toks, today, reading)
    return reading


_MONTH_ALONE = re.compile(
    r"\b(?P<kw>from|until|till|to|through|ends?|ending|ended|stops?|stopping|cut|cuts|finish(?:es)?"
    r"|expires?|after|beyond|past|in|runs?\s+out|running\s+out)\s+"
    r"(?P<mod>the\s+|next\s+|this\s+(?:coming\s+)?)?(?P<mon>[a-z]{3,10})"
    r"(?:\s+(?P<y>\d{4}))?\b(?!\s*\d)",
    re.IGNORECASE,
)


def _month_alone(text: str, toks: list[Tok], today: date, reading: Reading) -> None:
    """A last funded day given as a month: "cut from April" is funded to 31 March; "until
    March", "ends in March 2027" to 31 March; the next such month without a year."""
    # Any word where the month stands, then read as a month however spelt ("from Agust");
    # "may" is too common a word to stand alone for May.
    at = 0
    while (m := _MONTH_ALONE.search(text, at)) is not None:
        month = month_number(m.group("mon")) if m.group("mon").lower() != "may" else None
        mod = (m.group("mod") or "").split()
        if m.group("mon").lower() == "month" and mod and mod[0] in ("next", "this"):
            # "runs out next month", "from next month": that month
            month = (today.replace(day=1) + relativedelta(months=mod[0] == "next")).month
        if month is not None:
            break
        at = m.start() + 1  # "cut from April": "from April" overlaps "cut from"
    if m is None or month is None:
        return
    if m.group("y"):
        first = date(int(m.group("y")), month, 1)
    else:
        first = date(today.year, month, 1)
        if first + relativedelta(day=31) < today:
            first = date(today.year + 1, month, 1)
    starts = m.group("kw").lower() in ("from", "stop", "stops", "stopping", "cut", "cuts")
    last = first - timedelta(days=1) if starts else first + relativedelta(day=31)
    reading.values["ends"] = [ParsedDay(last, year_inferred=not m.group("y"))]
    reading.failed.pop("ends", None)  # "ends in March" is not a date it could not read
    if starts:
        reading.day_before["ends"] = f"1 {first:%B %Y}"
    reading.consumed.update(
        k for k, t in enumerate(toks) if t.start >= m.start() and t.end <= m.end()
    )
