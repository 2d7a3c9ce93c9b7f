"""Names in a message: the public body ("by Sevenoaks DC", "Tonbridge & Malling BC"), the
title, and whether a name is a public body or a voluntary one (step 3 in the package's
docstring).

A body the Compacts' data names (``bot.knowledge.gazetteer``) is found wherever it stands
and however it is written ("pkc", "the Royal Borough", "KCC ending our grant"), and its side
(public or vcs) is the data's; a body no Compact names is read by the patterns below
("Dover DC", "the council", "NHS Somewhere")."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Protocol

from bot.chat.registration_parsing.chatter import is_chatter
from bot.chat.registration_parsing.funders import funder_in
from bot.chat.registration_parsing.titles import best_piece, with_its_list, without_lead
from bot.chat.registration_parsing.tokens import Tok

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.knowledge.gazetteer import Gazetteer, Mention

_MAX_TEXT_FIELD = 200  # titles and bodies; a summary keeps the whole message
_POSSESSIVE = re.compile(r"['’]s$")
_POSSESSIVE_AFTER = re.compile(r"['’]s\b")  # "KCC's consultation": the body is KCC

_NAME_WORD = (
    r"(?!(?:Consultation|Review|Strategy|Grant|Funding|Plan|Proposals?|Budget|Services?"
    r"|Library|Youth|Parks?|Our|The|We|They|A|An|Against|Complaint)\b)[A-Z][\w'’-]*"
)
_PUBLIC_SUFFIX = (
    r"(?:(?:District|Borough|County|City|Town|Parish|Metropolitan|Royal|Unitary|Combined|"
    r"Fire and Rescue|Fire|Health)\s+)*"
    r"(?:Council|DC|BC|CC|MBC|UA|Authority|Trust|ICB|ICS|CCG|PCT|Police|Constabulary|Service"
    r"|Health and Social Care Partnership|HSCP)"
)
_PUBLIC_BODY_RE = re.compile(
    rf"(?:(?:{_NAME_WORD}|&)\s+(?:(?:{_NAME_WORD}|&|and|of|upon|on)\s+){{0,4}})?{_PUBLIC_SUFFIX}\b"
    r"|\b[A-Z]{1,5}(?:CC|DC|BC)\b"
    r"|\bNHS(?:\s+(?:[A-Z][\w'’-]*|and))*"
    r"|\b(?:the\s+)?(?:Scottish|Welsh|UK|British)\s+[Gg]overnment"
    r"|\bthe\s+(?:borough|county|district)(?=\s+(?:are|is|have|has|will|were|was)\b)"
    r"|\b(?:DWP|DfE|DHSC|MHCLG|DCMS|HMRC|GLA|Home Office|Cabinet Office|Government|the government)"
    r"\b"
    r"|\b(?:the\s+)?(?:(?:local|county|district|borough|city|town|parish)\s+)?council\b",
)
_PUBLIC_HINT_RE = re.compile(
    r"\b(?:council|nhs|ccg|pct|icb|borough|district|county|trust|authority|government|"
    r"department|police|[a-z]{0,4}(?:cc|dc|bc)|mbc|school|academy|hospital|gp|surgery|"
    r"jobcentre|fire service|fire and rescue|health board|commissioner|ministry)\b",
    re.IGNORECASE,
)
_VCS_HINT_RE = re.compile(
    r"\b(?:vcs|vcse|cvs|voluntary|charity|charities|community group|community organisation|"
    r"third sector|infrastructure organisation|social enterprise|volunteer centre|"
    r"volunteer bureau|voluntary organisation|community association|housing association|"
    r"church|mosque|temple|tenants'? association|residents'? association)\b",
    re.IGNORECASE,
)
_VCS_ORG = (
    r"Age UK|Age Concern|Citizens'? Advice(?: Bureau)?|CAB|Mencap|Mind|Scouts|Guides|"
    r"Red Cross|Salvation Army|YMCA|YWCA|Barnardo'?s|Volunteer Centre|Volunteer Bureau|"
    r"Housing Association|Foundation|Association|Society|Club|Playgroup|Pre-School|"
    r"Youth Project|Food ?bank|Hospice|League of Friends|Friends of [A-Z][\w'’-]*|CVS|Charity|"
    r"Group|Network|Forum|Project|Community Trust|Charitable Trust|"
    r"Council (?:for|of) (?:the )?Voluntary(?: [A-Z][\w'’-]*)*|Social Council"
)
"""Words that name a voluntary organisation ("Age UK", "... Association", "... Society")."""
_VCS_BODY_RE = re.compile(
    rf"(?:(?:[A-Z][\w'’-]*|&|and|of|the)\s+){{0,4}}(?:{_VCS_ORG})\b"
    r"(?:\s+(?:[A-Z][\w'’-]*|&|and|of)){0,4}"
)
_GRANT_MAKER_RE = re.compile(
    r"(?:[Tt]he\s+)?National\s+Lottery(?:\s+(?:Community|Heritage)\s+Fund)?"
    r"|\b(?:[Tt]he\s+)?[Ll]ottery\b"
    r"|(?:BBC\s+)?Children\s+in\s+Need|Comic\s+Relief"
    r"|(?:[A-Z][\w'’-]*\s+(?:(?:[A-Z][\w'’-]*|of|for|in|&|and)\s+){0,4})"
    r"(?:Fund|Foundation|Trust|Charity|Lottery)\b"
    r"|\b(?:the\s+)?Department\s+(?:for|of)\s+[A-Z][\w'’-]*(?:\s+(?:and\s+)?[A-Z][\w'’-]*)*"
)
"""A funder that is no public body: the lottery, a trust or foundation ("Tudor Trust",
"The Henry Smith Charity"), or a government department ("the Department for Education")."""
_UNNAMED_PUBLIC = re.compile(
    r"(?:the\s+)?(?:(?:local|county|district|borough|city|town|parish)\s+)?council"
    r"|(?:the\s+)?(?:local\s+)?(?:authority|government)",
    re.IGNORECASE,
)
"""A public body by a word that names none in particular ("the council")."""


def _named_funder(text: str) -> re.Match[str] | None:
    """A funder that is no public body: one of the table's (``funders.json``), else one
    the grant makers' pattern reads ("the Smith Family Trust")."""
    found = funder_in(text)
    if found is not None:
        return re.compile(re.escape(found.said)).search(text, found.start)
    return _GRANT_MAKER_RE.search(text)


_NHS_OR_COUNCIL_RE = re.compile(
    r"\b(?:nhs|council|police|constabulary|fire and rescue|authority|government|department|"
    r"ccg|pct|icb|primary care trust|health board)\b",
    re.IGNORECASE,
)
_GREETING = frozenset(
    "hi hello hey hiya morning afternoon evening good all everyone everybody team folks there "
    "dear bot compactbot guys yall y'all lovely people friends greetings season's seasons "
    "merry christmas xmas happy new year easter".split()
)
"""Words of a greeting ("Hi everyone", "Good morning all"): a piece made of them is no title."""
_HELLO = frozenset("hi hello hey hiya morning afternoon evening dear greetings good".split())
"""Words a greeting opens with."""
_SUBJECT_LEAD = frozenset(
    "has have had is are was were will would just now have've 've also "
    "launched launching launch sent sending send started starting start opened opening open "
    "published publishing issued running run ending ended end cutting cut stopping stopped "
    "stop stops cease ceases ceasing going plans planning decided "
    "reducing reduced withdrawing withdrew consulting consult consulted asking asked want "
    "wants wanted told tell given give gave us we our a an the their its on about over "
    "to that unveiled unveiling rolled rolling out put putting released releasing "
    "circulated kicked off".split()
)
"""What follows a body that is the subject of its sentence, before the thing it did it to
("has launched a", "are ending our", "sent us a survey on")."""
_TOPIC_WORDS = frozenset("on about into for regarding re of to".split())
_LEAD_STRIP = frozenset("and but also then so".split())
_TRAIL_STRIP = frozenset(
    "and but also which that it is was will be has have been on at the by from run led "
    "published issued".split()
)


def _runs(toks: list[Tok], consumed: set[int]) -> list[list[int]]:
    """Pieces of leftover text: split at separators, spaced dashes and used-up tokens."""
    runs: list[list[int]] = []
    current: list[int] = []
    depth = 0  # "parks (Trosley, Shorne Woods)": a list in brackets stays in its piece
    last_close = max((k for k, t in enumerate(toks) if t.text == ")"), default=-1)
    for k, tok in enumerate(toks):
        depth = max(0, depth + (tok.text == "(") - (tok.text == ")"))
        in_brackets = depth > 0 and tok.text == "," and k < last_close
        breaks = (
            k in consumed
            or (tok.kind == "sep" and not in_brackets)
            or (tok.kind == "dash" and tok.spaced)
        )
        if breaks:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(k)
    if current:
        runs.append(current)
    return runs


def _clean(toks: list[Tok], run: list[int]) -> list[int]:
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


def _slice(text: str, toks: list[Tok], run: list[int]) -> str:
    """The original text of some tokens; gaps (tokens taken out) become a single space."""
    parts: list[str] = []
    start = 0
    for pos in range(1, len(run) + 1):
        if pos == len(run) or run[pos] != run[pos - 1] + 1:
            parts.append(text[toks[run[start]].start : toks[run[pos - 1]].end])
            start = pos
    return cap(" ".join(parts))


def sentence_case(title: str | None) -> str | None:
    """ "consultation on the library" -> "Consultation on the library"; "iPad scheme" and
    "KCC review" stay as written."""
    if not title or not title[:1].islower() or any(c.isupper() for c in title.split()[0]):
        return title
    return title[0].upper() + title[1:]


def cap(value: str) -> str:
    value = re.sub(r"\s+", " ", value).strip()
    return value if len(value) <= _MAX_TEXT_FIELD else value[: _MAX_TEXT_FIELD - 1] + "…"


def public_body_in(value: str) -> str | None:
    m = _PUBLIC_BODY_RE.search(value)
    if m is None:
        return None
    found = re.sub(r"^(?:and|of|&)\s+", "", m.group(0).strip())
    return found or None


def _split_by_from(
    text: str, toks: list[Tok], run: list[int]
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
        if not (first[:1].isupper() or public_body_in(_slice(text, toks, after))):
            continue
        return _clean(toks, run[:pos]), after
    return None


@cache
def builtin_bodies() -> Gazetteer:
    """The bodies and places of the built-in Compacts, for a reading not given a chat's
    (a parser called on its own)."""
    from bot.knowledge.knowledge import Knowledge

    return Knowledge.load().gazetteer


def known_body(text: str, bodies: Gazetteer | None, public_first: bool) -> Mention | None:
    """The body the Compacts' data names in ``text``: the first public one when
    ``public_first`` (a consultation is launched by a public body), else the first."""
    # "Kent CAN's board": the name without its "'s" (same length, so places still match).
    plain = _POSSESSIVE_IN.sub("  ", text)
    found = [
        m
        for m in (bodies or builtin_bodies()).mentions(plain)
        if m.what == "body" and not _ANOTHER_ORG.match(plain, m.end)
    ]
    # "at the VOAG meeting: RBKC consulting …": where the news was heard, not who acts.
    found = [m for m in found if not _WHERE_HEARD.match(plain, m.end)] or found
    if public_first:
        found = [m for m in found if m.known.kind == "public"] or found
    return _longer_name(text, found[0]) if found else None


_POSSESSIVE_IN = re.compile(r"(?<=\w)['’]s\b")
_WHERE_HEARD = re.compile(
    r"\s+(?:\w+\s+)?(?:meeting|meetings|forum|event|agm|conference|briefing|session|"
    r"newsletter|bulletin|e-?bulletin|mailing|network\s+meeting)\b",
    re.IGNORECASE,
)
_ANOTHER_ORG = re.compile(r"\s+(?:for|of)\s+(?:the\s+)?(?:Voluntary|Community|Volunteer)")
"""After a body's name, words that make it another organisation's: "Kent Council for
Voluntary Youth Services" is no Kent County Council."""
_LONGER_NAME = re.compile(
    r"(?:\s+(?:and|&|of|for|[A-Z][\w'’-]*)){0,3}?\s+"
    r"(?:Commissioner|Board|Partnership|Authority|Trust|Directorate|Department)\b"
)
"""A body's name going on past the name the data knows, to a word that ends such names:
"Kent Police" + " and Crime Commissioner", "NHS Tayside" + " Health Board"."""


def _longer_name(text: str, mention: Mention) -> Mention:
    m = _LONGER_NAME.match(text, mention.end)
    if m is None:
        return mention
    return replace(mention, said=text[mention.start : m.end()], end=m.end())


_PLACE_ACTS = frozenset(
    "consultation consulting consult consults are is have has have've launched launching "
    "opened opening want wants asking cut cutting cuts ending ending stopping stop stops "
    "told wrote decided reducing withdrawing".split()
)
"""Words after a place that make it the body acting ("kensington & chelsea consultation
on …", "Perth and Kinross are cutting …"); "Tonbridge swimming pool" is only a place."""


_SENTENCE_OPENERS = frozenset("The A An Our We They Hi Hello So And But".split())


def _place_as_body(text: str, bodies: Gazetteer | None) -> Mention | None:
    """A place the data names standing for its public body, as its subject."""
    for m in (bodies or builtin_bodies()).mentions(text):
        if m.what != "place":
            continue
        after = re.match(r"\s*\)?\s*(?:['’]s\s+)?([\w'’]+)", text[m.end :])
        if after is not None and after.group(1).lower() in _PLACE_ACTS:
            # "Public Health Kent are …": the place ends a longer name, which is the body.
            before = re.search(r"(?:[A-Z][\w'’-]*\s+)+$", text[: m.start])
            if before is not None and before.group(0).split()[0] not in _SENTENCE_OPENERS:
                return replace(m, said=text[before.start() : m.end], start=before.start())
            return m
    return None


class _Where(Protocol):
    """Where a body stands in the text (a ``Mention``, or a name read by the patterns)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


_BY_WORDS = frozenset(("by", "from", "at", "with", "of"))


@dataclass(frozen=True)
class _At:
    start: int
    end: int


def _without_body(toks: list[Tok], runs: list[list[int]], body: _Where) -> list[list[int]]:
    """The pieces of text less the body's words, and a "by"/"from"/"at" just before them
    ("Consultation by KCC on youth services" -> "Consultation on youth services"); where
    the body was the sentence's subject, what it did is no title either ("KCC are ending
    our youth grant" -> "youth grant")."""
    out: list[list[int]] = []
    for run in runs:
        inside = [k for k in run if toks[k].start >= body.start and toks[k].end <= body.end]
        if not inside:
            out.append(run)
            continue
        at = run.index(inside[0])
        after = run.index(inside[-1]) + 1
        if after < len(run) and toks[run[after]].text == ":":
            # "News from the Royal Borough: the youth grant ends …": two pieces.
            head = run[: at - 1] if at > 0 and toks[run[at - 1]].low in _BY_WORDS else run[:at]
            out.extend(r for r in (_clean(toks, head), _clean(toks, run[after + 1 :])) if r)
            continue
        if at > 0 and toks[run[at - 1]].low in _BY_WORDS:
            inside.append(run[at - 1])
            # "by SDC and partners on ...": up to the topic, it all says who.
            while after < len(run) and toks[run[after]].low not in _TOPIC_WORDS:
                inside.append(run[after])
                after += 1
        if (
            at > 0
            and after < len(run)
            and (toks[run[at - 1]].text, toks[run[after]].text)
            == (
                "(",
                ")",
            )
        ):
            inside += [run[at - 1], run[after]]
        rest = _clean(toks, [k for k in run if k not in inside])
        if at == 0:
            while len(rest) > 1 and toks[rest[0]].low in _SUBJECT_LEAD:
                rest = _clean(toks, rest[1:])
        if at == 0 and all(toks[k].low in _SUBJECT_LEAD for k in rest):
            rest = []  # "TWBC are …": what the body did, and nothing it did it to
        if sum(toks[k].kind == "word" for k in rest) == 1 and at == 0:
            # "KCC grant": a word alone is no title; the body names it.
            body_toks = [k for k in run if body.start <= toks[k].start < body.end]
            rest = sorted(body_toks + rest)
        if rest:
            out.append(rest)
    return out


def _without_chatter(text: str, toks: list[Tok], runs: list[list[int]]) -> list[list[int]]:
    """The pieces that are more than chatter ("Sad news from", "before I forget"), or all."""
    return [r for r in runs if not is_chatter(_slice(text, toks, r))] or runs


def _after_greeting(toks: list[Tok], run: list[int]) -> list[int]:
    """A piece less the greeting it opens with ("Hi everyone! Kensington and Chelsea council
    have opened ..." -> "Kensington and Chelsea council have opened ...")."""
    if not run or toks[run[0]].low not in _HELLO:
        return run
    k = 0
    while k < len(run) and (toks[run[k]].low in _GREETING or toks[run[k]].kind != "word"):
        k += 1
    return _clean(toks, run[k:]) or run


def _greeting(toks: list[Tok], run: list[int]) -> bool:
    return all(toks[k].low in _GREETING for k in run if toks[k].kind == "word")


def _sentence_ends(toks: list[Tok]) -> list[int]:
    return [k for k, t in enumerate(toks) if t.kind == "sep" and any(c in t.text for c in ".!?")]


def _without_asides(
    toks: list[Tok], runs: list[list[int]], fields: set[int] | frozenset[int]
) -> list[list[int]]:
    """The pieces less those in sentences after the last one giving a field (a date, a
    length, the body): "… runs for 10 weeks. Our 24/7 helpline number is on the leaflet"
    is an aside, no title; unless no piece of two words or more would be left."""
    if not fields:
        return runs
    ends = _sentence_ends(toks)
    last = max(fields)
    cut = next((e for e in ends if e > last), None)
    if cut is None:
        return runs
    kept = [r for r in runs if r[0] < cut]
    if not any(sum(toks[k].kind == "word" and k not in fields for k in r) >= 2 for r in kept):
        return runs
    return kept


def title_and_body(
    text: str,
    toks: list[Tok],
    consumed: set[int],
    body_first: bool,
    bodies: Gazetteer | None = None,
) -> tuple[str | None, str | None]:
    runs = [r for r in (_clean(toks, r) for r in _runs(toks, consumed)) if r]
    runs = [r for r in runs if any(c.isalpha() for k in r for c in toks[k].text)]
    runs = [r for r in runs if not _greeting(toks, r)] or runs
    runs = [_after_greeting(toks, r) for r in runs]
    title: str | None = None
    body: str | None = None
    known = known_body(text, bodies, public_first=True)
    if known is None or known.known.kind != "public":
        known = _place_as_body(text, bodies) or known
    said = (
        frozenset(k for k, t in enumerate(toks) if known.start <= t.start < known.end)
        if known is not None
        else frozenset()
    )

    # Consultations and funding alike come from public bodies, mostly: a voluntary one
    # named too ("PKAVS passed this on: PKC will stop …") is the messenger.
    if known is not None:
        # A body the data names, however written and wherever it stands, kept as written.
        runs = _without_chatter(text, toks, _without_body(toks, runs, known))
        runs = _without_asides(toks, runs, consumed | said)
        title = (
            _slice(
                text,
                toks,
                without_lead(toks, with_its_list(toks, runs, best_piece(toks, runs, body=said))),
            )
            if runs
            else None
        )
        return title or None, cap(_POSSESSIVE.sub("", known.said))

    for idx, run in enumerate(runs):
        # "NHS Kent and Medway: hospital transport review" - a body, a colon, the title.
        colon = next((pos for pos, k in enumerate(run) if toks[k].text == ":"), None)
        if colon is None or colon == 0 or colon == len(run) - 1:
            continue
        piece = _slice(text, toks, run[:colon])
        found = public_body_in(piece)
        if found and len(found) >= len(piece) - 4:
            body = found
            runs = [*runs[:idx], _clean(toks, run[colon + 1 :]), *runs[idx + 1 :]]
            break

    if body is None and body_first:
        # Funding: "cut by 50%" makes "by" unreliable, so a named public body comes first;
        # a council no name says which gives way to a funder named ("not a council one:
        # the National Lottery Community Fund grant …").
        for run in runs:
            found = public_body_in(_slice(text, toks, run))
            if found:
                body = found
                break
    named = _named_funder(text) if body_first else None
    if body is not None and named is not None and _UNNAMED_PUBLIC.fullmatch(body):
        body = None
    if body is None and named is not None:
        grant_maker = named
        body = grant_maker.group(0)
        runs = [
            r
            for r in (
                _clean(
                    toks,
                    [
                        k
                        for k in run
                        if not (grant_maker.start() <= toks[k].start < grant_maker.end())
                    ],
                )
                for run in runs
            )
            if r
        ]

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
            found = public_body_in(piece)
            if found and len(found) >= len(piece) - 4:
                body = found
                runs = runs[:idx] + runs[idx + 1 :]
                break

    whole: str | None = None  # the title's piece before its leading words are dropped
    runs = _without_chatter(text, toks, runs)
    at = text.find(body) if body is not None else -1
    in_body = {k for k, t in enumerate(toks) if at >= 0 and at <= t.start < at + len(body or "")}
    runs = _without_asides(toks, runs, consumed | in_body)
    if runs:
        chosen = with_its_list(toks, runs, best_piece(toks, runs))
        whole = _slice(text, toks, chosen) or None
        title = _slice(text, toks, without_lead(toks, chosen)) or None
    if body is None and whole is not None:
        body = public_body_in(whole)  # "Sevenoaks DC grant ends ..."
    if body is not None and whole is not None and body in whole and body != whole:
        # "The Health and Social Care Partnership is ending our day care contract": the
        # title is what the body does it to, as with a body the data names.
        at = text.find(body, toks[chosen[0]].start)
        end = at + len(body)
        if at >= 4 and text[at - 4 : at].lower() == "the ":
            at -= 4  # "the CCG are ending …": the body's "the" goes with it
        end = m.end() if (m := _POSSESSIVE_AFTER.match(text, end)) else end
        left = _without_chatter(
            text, toks, _without_body(toks, runs, _At(at, end)) if at >= 0 else []
        )
        if left:
            better = _slice(
                text, toks, without_lead(toks, with_its_list(toks, left, best_piece(toks, left)))
            )
            # "Funding" alone, or the body back in ("Council funding"), says less.
            if len(better.split()) > 1 and body.lower() not in better.lower():
                title = better
    if body is not None and title is not None and body == title and len(runs) > 1:
        title = _slice(text, toks, runs[1]) or None
    return title, (cap(body) if body else None)


def names_a_body(value: str, bodies: Gazetteer | None = None, follows: Sequence[str] = ()) -> bool:
    """Whether the whole of ``value`` names a body: one the Compacts' data knows ("PKC",
    "the royal borough"; ``follows``: the chat's Compacts, for "the council"), a funder of
    the table ("Tudor Trust"), or a public body by the words such names are made of ("Dover
    District Council").  "the one at the library" names none."""
    value = value.strip(" .,!?")
    if not value:
        return False
    if (bodies or builtin_bodies()).whole_body(value, follows) is not None:
        return True
    funder = funder_in(value)
    if funder is not None and len(funder.said) >= len(value) - 4:
        return True
    found = public_body_in(value)
    return found is not None and len(found) >= len(value) - 4


def classify(value: str, bodies: Gazetteer | None = None) -> str | None:
    """Public or vcs: a body the data names is what the data says it is; otherwise words
    that say it ("charity", "council", "NHS")."""
    known = known_body(value, bodies, public_first=False)
    if known is not None and known.known.kind is not None:
        return known.known.kind
    if _VCS_HINT_RE.search(value):
        return "vcs"
    if _NHS_OR_COUNCIL_RE.search(value):
        return "public"
    if vcs_body_in(value):
        return "vcs"
    if _PUBLIC_HINT_RE.search(value) or _PUBLIC_BODY_RE.search(value):
        return "public"
    return None


def vcs_body_in(value: str) -> str | None:
    """A voluntary organisation named in ``value`` by the words such names are made of
    ("Age UK Sevenoaks", "Tonbridge Cricket Association"), or None."""
    for m in _VCS_BODY_RE.finditer(value):
        found = re.sub(r"^(?:(?:and|of|&|the)\s+)+", "", m.group(0).strip())
        found = re.sub(r"(?:\s+(?:and|of|&))+$", "", found)
        if found and (not _NHS_OR_COUNCIL_RE.search(found) or _VCS_HINT_RE.search(found)):
            return found  # "Tonbridge Council for Voluntary Service" is voluntary
    return None
