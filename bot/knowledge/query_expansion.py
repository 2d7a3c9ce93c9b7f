"""Everyday words mapped to the words Compacts use, so a search for one finds the other.

"paid up front" is how a treasurer says it; a Compact says "payments ... in advance
of expenditure".  The mapping only adds search terms; it never changes an answer's text.
Words written for one commitment only belong in its Compact's ``compacts/search/<code>.yaml``.
"""

from __future__ import annotations

import re

from bot.knowledge.search import STOPWORDS, Term, content_stems, stem, stems

SYNONYMS: dict[str, str] = {
    r"\bup ?front\b": "advance",
    r"\bspend\w*\b": "expenditure",
    r"\b(paid|pay|pays|paying)\b": "payments",
    r"\barrears\b": "advance payments",
    r"\b(letters?|e-?mails?|wrote|write|writing to)\b": "correspondence respond",
    r"\b(complain\w*|ignores?|broke|broken|breaking|breach\w*)\b": (
        "complaint dispute breach resolve"
    ),
    r"\bfall(en)? out\b|\bfell out\b": "dispute resolve",
    r"\bmediat\w*\b": "mediation",
    r"\b(cut|cuts|cutting|pull|pulling|stop\w*|ending|end|ends|axed?)\b": (
        "ending reduce withdraw ceases"
    ),
    r"\b(drop|drops|dropping|dropped|decreas\w*|shrink\w*|going down|go down)\b": (
        "reduce reduced changes levels"
    ),
    r"\bwarn\w*\b": "notice early",
    r"\btender\w*\b": "bid tendering procurement",
    r"\bbids?\b": "applications applying",
    r"\benough\b": "sufficient",
    r"\boffice space\b": "premises office",
    r"\bcritici[sz]\w*\b": "campaign challenge",
    r"\blobby\w*\b": "campaign advocating",
    r"\bcampaign\w*\b": "advocating advocacy lobby",
    r"\bin charge\b": "overseen responsible",
    r"\bgets? used\b": "implementation",
    r"\b(small|tiny|little) grants?\b": "proportionate",
    r"\b(get|getting|keep|keeping|be) in touch\b|\bin touch with\b": "contact",
    r"\btrying to (achieve|do)\b|\bthe point of\b|\bgoals?\b": "aims purpose objectives",
    r"\bwho does what\b|\bwho'?s who\b": "organisational structure contact list",
    r"\bopen to (everyone|everybody|all|anyone)\b": "accessible all",
    r"\bkeep us (informed|in the loop|posted)\b|\btell us (things|stuff)\b": "share information",
    r"\baffect\w*\b": "impact",
    r"\bsurvey\w*\b|\bquestionnaires?\b": "engagement",
    r"\bfinished\b|\bfinal version\b": "initial ongoing process",
    r"\bset up\b|\bestablish\w*\b|\bstarted\b|\bfounded\b|\bcreated\b": (
        "formed established launched"
    ),
    # "how long should our grant be?": the funding's term, not a period to wait.
    r"\bhow long\b(?=.{0,40}\b(fund\w*|grants?|contracts?|agreements?)\b)": "longer term years",
    r"\bpay(s|ing)? for\b": "funded fund",
    r"\b(shut|left|kept|locked|frozen) out\b": "exclude",
    r"\bschemes?\b": "programmes regimes",
    r"\bturn(ed|s|ing)? (us |it |them |our \w+ )?down\b|\breject\w*\b|\brefus\w*\b"
    r"|\bunsuccessful\b": "decisions",
    r"\bstruggl\w*\b|\bdifficult(y|ies)\b": "problems",
    r"\btargets?\b": "outcomes performance",
    r"\bsort(ed|ing)? (\w+ )?out\b|\bsettl\w*\b": "resolve resolved",
    r"\bget out of (it|volunteering)\b|\bin return\b": "benefits return",
    r"\bpart of (the|this) compact\b|\bbelong to (the|this) compact\b": "signatories",
    r"\b(council|public|their|any|no) (money|cash)\b": "funded funding",
    r"\bfinal (say|decision)\b": "final decision arbiter",
    r"\bthree years?|3 years?|multi[- ]?year\b": "multi-year longer term",
    r"\bwhy\b": "rationale reasons explain",
    r"\bjargon\b": "language clear plain",
    r"\btranslat\w*|\barabic\b|\bsomali\b|\bfarsi\b|\bspanish\b": "languages formats",
    r"\bsign(ed)?\b|\bsignator\w*": "signatories sign",
    r"\blegal(ly)?\b|\bcourt\b|\bsue\b": "legally binding enforceable law",
    r"\bdbs\b": "crb checks",
    r"\bethnic\w*\b|\bbme\b|\bbame\b": "minority black ethnic",
    r"\bcontact\b|\bwho do we (ask|talk|speak)\b": "contact point",
    r"\bfeedback\b|\bheard back\b": "feedback",
    r"\bappl(y|ying|ied|ies)\b": "applications application",
}
_COMPILED = [(re.compile(p), extra) for p, extra in SYNONYMS.items()]
_EXTRA_STEMS = [stems(extra) for extra in SYNONYMS.values()]
"""Each synonym's Compact words as stems, worked out once."""

REWRITES: dict[str, str] = {
    # "does it apply to us?" asks what it covers; "apply for a grant" is an application.
    r"\bappl(y|ies|ied) to\b": "covers",
    # "do we need to ...?" asks about a duty, as "do we have to" does: not about needs.
    r"\b(do|does|did|will|would) (we|they|you|i|it|the council) (really |actually |still )?"
    r"need to\b|\bwe need to\b": "",
    # "how was it put together?": how it was developed, not working together.
    r"\b(drawn up|put together|drafted)\b": "developed process",
    # "an underspend at year end": when, not funding that ends.
    r"\b(the )?(financial )?year[- ]end\b|\bend of the (financial )?year\b": "",
    # "does it have legal force?" asks whether it is legally binding.
    r"\blegal (force|standing|status|weight)\b": "legally binding",
}
"""Phrases whose everyday sense is another word's, put in its place before searching."""
_REWRITTEN = [(re.compile(p), new) for p, new in REWRITES.items()]

CONCEPTS: dict[str, tuple[str, str]] = {
    # "they didn't say why": the reasons are the point, though "why" is too common to search.
    r"\b(say\w*|said|tell\w*|told|explain\w*|give|gave|giving|no|any) (us |a |them )?"
    r"(why|reasons?)\b|\bwithout (a |any )?(reason|explanation)\b": (
        "reasons",
        "rationale reasons explain",
    ),
}
"""Phrases that ask about something no one word of them names: a term that counts towards
coverage, found as any of the Compact words given."""
_CONCEPTS = [
    (re.compile(p), stem(name), frozenset(stems(words)) | {stem(name)})
    for p, (name, words) in CONCEPTS.items()
]


def expand(question: str) -> str:
    """``question`` with the Compact words for its everyday words appended."""
    extra = [words for rx, words in _COMPILED if rx.search(question)]
    return question + (" " + " ".join(extra) if extra else "")


def question_terms(question: str) -> list[Term]:
    """The question's words worth searching for, each with its Compact-word alternatives.

    Words added by expansion that stand for no word of the question ("why" is too common
    to search for, but "rationale" is not) come as extra terms that score but do not count
    towards coverage.
    """
    text = question.lower()
    for rx, new in _REWRITTEN:
        text = rx.sub(new, text)
    words = content_stems(text)
    extra_for: dict[str, set[str]] = {}
    loose: list[str] = []
    for (rx, _extra), extra_stems in zip(_COMPILED, _EXTRA_STEMS, strict=True):
        for m in rx.finditer(text):
            inside = content_stems(m.group(0))
            if inside:
                for s in inside:
                    extra_for.setdefault(s, set()).update(extra_stems)
            else:
                loose += [a for a in extra_stems if a not in loose]
    beside = _neighbours(text)
    terms: list[Term] = []
    seen: set[str] = set()
    for s in words:
        if s in seen:
            continue
        seen.add(s)
        # Figures ("12", "2k") score where a clause has them, but say nothing of the topic.
        counts = not any(ch.isdigit() for ch in s)
        found = frozenset({s} | extra_for.get(s, set()))
        terms.append(Term(s, found, counts=counts, beside=beside.get(s, frozenset())))
    for rx, name, alternatives in _CONCEPTS:
        if name not in seen and rx.search(text):
            seen.add(name)
            terms.append(Term(name, alternatives))
    terms += [Term(s, frozenset({s}), weight=0.6, counts=False) for s in loose if s not in seen]
    if _COMPACT.search(text):
        # "what is the compact for?": the Compact itself is what is asked about.
        terms.append(Term("compact", frozenset({"compact"}), alone=True))
    return terms


_COMPACT = re.compile(r"\bcompacts?\b")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


_GLUE = frozenset({"the", "and", "of", "with", "s"})
"""Words that join the words of a name ("Kensington and Chelsea", "Compact with the
Voluntary Sector"); any other stop word parts them."""


def _neighbours(text: str) -> dict[str, frozenset[str]]:
    """Each content stem of ``text`` -> the stems beside it ("compact" included), across
    the words that join a name but no other stop word."""
    found: dict[str, set[str]] = {}
    previous = ""
    for word in _TOKEN.findall(text.replace("&", " and ")):
        if word in _GLUE:
            continue
        if word in STOPWORDS and not _COMPACT.fullmatch(word):
            previous = ""
            continue
        s = stem(word)
        found.setdefault(s, set())
        if previous:
            found[s].add(previous)
            found[previous].add(s)
        previous = s
    return {s: frozenset(n) for s, n in found.items()}


_PUBLIC_ACTOR = re.compile(
    r"\b(they|them|their|council|councils|nhs|pct|ccg|kcc|borough|funder|funders|"
    r"public body|public bodies|public sector|police|statutory|authorit\w*)\b"
)
# "can we ...?" asks what the group may do: usually what the public bodies must allow.
_VCS_ACTOR = re.compile(r"\b(do|must|should) we\b|\bwe (have|need) to\b")


def party_preference(question: str) -> str:
    """Whose commitment the question is most likely about: "public", "vcs" or "joint"."""
    if _VCS_ACTOR.search(question) and not re.search(r"\b(they|council)\b", question):
        return "vcs"
    if _PUBLIC_ACTOR.search(question):
        return "public"
    return "joint"
