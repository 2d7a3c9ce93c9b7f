"""Which topic a question is about, by weighted word rules.

Questions are short and informal ("our grant is being cut, how much notice do we
get?"), so a few strong cue words per topic beat any general-purpose search at
telling *what* is asked; the search index then finds *which clause* answers it.
The rules see the question after spelling correction (``bot.knowledge.spelling``).
"""

from __future__ import annotations

import re

from bot.hookspecs import hookimpl

# (pattern, weight) per topic.  Patterns are matched against the lower-cased,
# spell-corrected question with word boundaries where they matter.
RULES: dict[str, list[tuple[str, float]]] = {
    "consultation": [
        (r"\bconsult\w*", 2.0),
        (r"\b(respond|response|answer)\w* to (a|the|their) consult", 1.0),
        (r"\b(weeks?|days?|time|months?) to (comment|respond|reply|give (our|your) views)\b", 2.0),
        (r"\bcomment on\b", 1.0),
        (r"\b\d+\s*weeks?\b", 0.5),
    ],
    "consultation_feedback": [
        (r"\bfeed ?back\b", 3.0),
        (r"\bheard (anything |nothing )?back\b|\bnever heard\b", 1.5),
        (r"\bconsult\w*\b.{0,80}\b(heard (anything |nothing )?back|never heard)\b", 1.0),
        (r"\bwhat (happened|they did)\b", 2.5),
        (r"\btell us what\b", 1.5),
        (r"\bafter (a|the|their|we responded to a) ?consult", 1.5),
        (r"\bafter we responded\b|\bour (comments|responses|views)\b", 1.5),
        (r"\bwhat difference\b|\binfluenc\w*\b|\bwhat happened to\b|\bhow (our|the) views\b", 2.5),
        # "the outcome of the consultation", "find out the results": what came of it.
        (r"\b(outcome|results?)\b", 1.5),
        (
            r"\b(outcome|results?)\b.{0,30}\bconsult|\bconsult\w*\b.{0,60}\b(outcome|results?)\b",
            1.5,
        ),
    ],
    "funding_change": [
        (r"\bnotice\b", 2.5),
        (
            r"\b(cut|cuts|cutting|ending|ends|ended|end|stop|stops|stopped|stopping|withdraw\w*|pull|"
            r"reduc\w*|going down|changing|change|drop|drops|dropping|dropped|decreas\w*)\b",
            1.5,
        ),
        (r"\bwarn\w*\b", 1.0),
        (r"\byear[- ]end\b|\bend of the (financial )?year\b", -1.5),
        (
            r"\b(fund\w*|grants?|contracts?)\b.{0,40}\b(cut|end|stop|chang|reduc|withdraw|pull|drop)"
            r"|\b(cut|end|stop|chang|reduc|withdraw|pull|drop)\w*\b.{0,40}\b(fund\w*|grants?|contracts?)\b",
            2.0,
        ),
        (r"\b(why they|say why|rationale)\b", 1.0),
        (r"\bin writing\b|\bput it in writing\b", 1.0),
    ],
    "funding": [
        (r"\b(fund\w*|grants?|contracts?)\b", 1.0),
        (r"\bmulti[- ]?year\b|\b\d+ years?\b|\bmore than one year\b|\blong(er)?[- ]term\b", 2.5),
    ],
    "payment": [
        (
            r"\bup ?front\b|\barrears\b|\bpaid\b|\bpay (our|the|us)\b|\bpayments?\b"
            r"|\b(pay|paid|payment|money|grant)\b.{0,30}\bin advance\b",
            2.5,
        ),
        (r"\boverheads?\b|\bfull cost\b|\badmin(istrative)? costs?\b", 3.0),
    ],
    "monitoring": [(r"\bmonitor\w*\b", 3.0), (r"\breport(ing)? (forms|requirements)\b", 1.5)],
    "correspondence": [
        (r"\b(letters?|e-?mails?|correspondence)\b", 1.5),
        (r"\b(reply|replies|replied|answer (our|my)|wrote to|written to|write to|emailed)\b", 2.0),
        (r"\bno answer\b|\bheard nothing\b", 1.0),
        (
            r"\b(wrote|written|write|emailed|letter)\b.{0,100}\b(heard back|no (answer|reply))\b",
            2.0,
        ),
    ],
    "disputes": [
        (r"\bcomplain\w*\b|\bdisputes?\b|\bmediat\w*\b|\bombudsman\b|\barbit\w*\b", 3.0),
        (r"\b(broke|broken|breaks|breaking|breach\w*|ignores?)\b", 2.5),
        (r"\bis (that|this|it) a breach\b", -2.5),
        (r"\bgot nowhere\b|\bwhat('?s| is)? next\b|\bredress\b|\bescalate\b", 2.0),
        (r"\bfall(en)? out\b|\bdoesn'?t (stick|keep) to\b|\bnot (stick|keep)\w* to\b", 2.5),
        (
            r"\b(not|isn'?t|aren'?t|wasn'?t|weren'?t|never|stopped|keeps? not) (following|"
            r"complying with|abiding by|honou?ring|respecting|keeping to|sticking to|living up to|"
            r"acting within) (the|this|our|its|their)? ?compact\b",
            2.5,
        ),
        (r"\bfinal decision\b", 1.5),
        # "an independent person to look at our complaint" is a dispute, not independence.
        (r"\bindependent (person|people|arbiter|body|mediator|adjudicator|review\w*|panel)\b", 2.0),
    ],
    "review": [
        (r"\breview\w*\b", 2.5),
        (r"\breported on\b|\bactually working\b|\bhow often\b", 1.5),
    ],
    "volunteering": [(r"\bvolunteer\w*\b", 3.0), (r"\bcrb\b|\bexpenses\b", 2.0)],
    "independence": [
        (r"\bcampaign\w*\b|\bcritici[sz]\w*\b|\badvoca\w*\b|\bindependen\w*\b", 4.0),
        (r"\bspeak out\b|\blobby\w*\b", 2.0),
    ],
    "equality": [
        (r"\bbme\b|\bequal\w*\b|\bdivers\w*\b|\bminorit\w*\b|\bethnic\w*\b|\bdisab\w*\b", 3.0),
        (r"\bunder-?represented\b|\bdisadvantaged\b", 2.0),
    ],
    "training": [(r"\btraining\b|\bcourses?\b", 3.0)],
    "premises": [(r"\boffice space\b|\bpremises\b|\bbuildings?\b|\brooms?\b|\basset", 3.0)],
    "implementation": [
        (r"\bin charge\b|\bsign(ed)? up\b|\bchampion\w*\b|\bpromot\w* the compact\b", 2.5),
        (r"\bmaking sure the compact\b|\bgets used\b|\bimplement\w*\b", 2.0),
    ],
    "commissioning": [
        (r"\btender\w*\b|\bprocure\w*\b|\bcommission\w*\b|\bbid(ding)? for\b", 3.0),
    ],
    "communication": [
        (
            r"\bjargon\b|\bplain (english|language)\b|\binformation sharing\b"
            r"|\bshare information\b",
            3.0,
        ),
    ],
    "governance": [(r"\bgovernance\b|\btrustees?\b|\baccountab\w*\b|\bprobity\b", 2.0)],
}

_FUNDING_CHANGE_AT_LEAST = 2.0

_COMPILED = {topic: [(re.compile(p), w) for p, w in rules] for topic, rules in RULES.items()}

# When cues tie, the more specific topic wins (feedback over consultation,
# notice over funding in general).
_PRIORITY = [
    "consultation_feedback",
    "disputes",
    "correspondence",
    "payment",
    "monitoring",
    "independence",
    "volunteering",
    "review",
    "funding_change",
    "consultation",
    "equality",
    "training",
    "premises",
    "commissioning",
    "implementation",
    "communication",
    "governance",
    "funding",
]


def topic_scores(question: str) -> dict[str, float]:
    """Each topic's cue score for ``question`` (only topics with a cue)."""
    text = question.lower()
    scores: dict[str, float] = {}
    for topic, rules in _COMPILED.items():
        score = sum(w for rx, w in rules if rx.search(text))
        if score:
            scores[topic] = score
    # "notice" about a consultation is early notice of it, not funding notice.
    if (
        "consultation" in scores
        and "funding_change" in scores
        and not re.search(r"\b(fund\w*|grants?|contracts?)\b", text)
    ):
        scores["funding_change"] -= 2.5
    # A duration question about funding ("2 months notice") is about notice, not funding in general.
    if "funding_change" in scores and "funding" in scores:
        scores["funding"] -= 1.0
    # One weak cue ("say why", "in writing", "stop") does not make a question about ending
    # funding: it takes notice, or a word for ending with one for funding, or two cues.
    if scores.get("funding_change", 0.0) < _FUNDING_CHANGE_AT_LEAST:
        scores.pop("funding_change", None)
    return {t: s for t, s in scores.items() if s > 0}


def best_topic(question: str) -> str | None:
    scores = topic_scores(question)
    if not scores:
        return None
    top = max(scores.values())
    return next(t for t in _PRIORITY if scores.get(t) == top)


@hookimpl(trylast=True)
def compactbot_question_topic(question: str) -> str | None:
    return best_topic(question)
