"""Answering a question from the Compacts: the number, the clause, the source, whose duty.

1. Typos are corrected against the Compacts' own words (``bot.knowledge.spelling``).
2. The topic comes from the ``compactbot_question_topic`` hook (default: word rules);
   ``bot.knowledge.reading`` reads whose duty is asked about, which periods the question
   proposes or names, and whether it asks for a figure, a rule's scope, or a next step.
3. Each Compact's commitments are ranked for the question (``bot.knowledge.search``:
   BM25 over clause, section title and paraphrase keywords), preferring the question's
   topic and the party it asks about; the clause that opens with what a "what is X?"
   question names; one with contact details for "who do we contact?"; one with a number
   for "how many ...?"; and a commitment over a statement about the Compact when the
   question is on one of its topics or asks what someone must do.
4. The answer is, in this order:
   - the group's own duty, for "must *we* ...?" on a rule topic: the voluntary sector's or
     joint commitment, saying plainly when it sets the group no figure, then the public
     bodies' figure;
   - the rule, when the question asks for its figure, proposes a period, names the rule
     ("is the 12 week rule a minimum?": then its scope and strength), asks how to
     complain, or when its best clause is the rule's own;
   - otherwise the clause that covers most of the question;
   - nothing covers enough of it: an honest "I don't know" with the closest clauses.
   Then how sure it is: a clause answer (or a rule given only because nothing else
   answered) whose clause's question keys (``compacts/questions/<code>.yaml``) match the
   question much less than a competing clause's, or a clause holding little of the
   question, is given as ``unsure``: "I'm not sure this answers it" and the nearest clauses.
5. Across many Compacts only the answers shown are built: rule topics are ranked from
   the obligations alone, clause topics by one bounded full-text search.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pluggy

from bot.knowledge.calibration import EMBEDDED_WEIGHTS, WEIGHTS, calibrator
from bot.knowledge.commitment_index import CommitmentIndex
from bot.knowledge.query_expansion import party_preference, question_terms
from bot.knowledge.reading import Reading, read
from bot.knowledge.reading import tried as tried_before
from bot.knowledge.registry import CompactRegistry
from bot.knowledge.rule_answers import (
    RULE_TOPICS,
    WHO,
    RuleAnswer,
    answer_rule,
    rule_figures,
    same_period,
    states_figure,
)
from bot.knowledge.search import CompactSearch, Match, Term, stems
from bot.knowledge.spelling import Speller, vocabulary_of
from compacts.models import TOPICS, Commitment, Compact, Party

if TYPE_CHECKING:
    from bot.domain.verdicts import Citation
    from bot.knowledge.embedding import Nearness, Semantic

AnswerKind = Literal["rule", "clause", "no_number", "unsure", "unknown"]
_RANK: dict[AnswerKind, int] = {"rule": 4, "clause": 3, "no_number": 2, "unsure": 1, "unknown": 0}

UNSURE_KEYED = 0.6
"""A clause answer is given as unsure when its question keys match the question less than
this share of the best-matching commitment's keys (the ranking and the keys disagree)...."""
UNSURE_COVERAGE = 0.3
"""...or when it holds less than this share of the question.  Both set on the dev and
dev-2 sets only (``benchmarks/signals.py``), counting a confidently wrong answer as
twice as bad as a right one given as unsure."""
_NEAREST = 3
"""Clauses quoted in an unsure answer."""
RULES_JUDGED = True
"""Whether a rule answer given only because no other clause answered (the question asks for
no figure, period, scope or procedure) is judged by its clauses' keys too.  Measured: no
change on dev and dev-2, where every such rule's keys back it (judging every rule answer
changed nothing either); it catches a rule chosen for a question about something else."""
CALIBRATED = True
"""Whether doubtful clause answers are given as ``unsure`` (off only to measure it:
``benchmarks/signals.py``, ``benchmarks/ask.py``)."""
LEARNED = True
"""Whether the learned calibration (``bot.knowledge.calibration``, weights learned by
``benchmarks/calibrate.py``) judges every confident answer; off, the keys' thresholds above
judge clause answers (and rules given only because nothing else answered)."""
_CONFIDENT = ("rule", "clause", "no_number")
_KEYED_AMONG = 10
"""The best-ranked clauses whose question keys are compared with the answer's."""
JUDGED = ("clause", "no_number")
"""The kinds of answer chosen as the clause covering most of the question (not the rule,
not the group's own duty) that are judged by their keys: a "sets no number; what it says is
quoted" answer claims that clause is what the Compact says on the point, as a clause answer
does."""

FUSION = 1.0
"""How much the sentence-embedding model's nearness reorders the candidate clauses, when
it is in use: each clause's score is multiplied by exp(FUSION x (its nearness - the
nearest clause's)), nearness being the better of its quote's and best key's cosine.
Measured held out (``benchmarks/embedding_signal.py --fusion``, each spent set scored by
weights trained on the others, with the embedding's signals; right / confidently wrong of
1,856): no embedding 1361/117; fusion 0: 1407/107, 1: 1393/91, 1.5: 1344/74 (cost, 3 x
wrong + right lost: 484, 408, 374, 372: 1 keeps 49 more right answers for one point)."""

DEFAULT_LIMIT = 10
"""Answers built for one question unless told otherwise (a chat shows five of them)."""

MAX_QUESTION = 1000
"""Questions longer than this are refused rather than searched."""

KEYS = 0.5
"""Score factor per unit of question-key match: a commitment whose keys match the question
best (``CompactSearch.key_scores``, 0-1) scores up to 1 + KEYS times its BM25.  With the
keys' words in the clause search (``search.QUESTION_KEYS``) measured on the spent sets, no
calibration: right first 1,475 at 0, 1,487 at 0.5, 1,484 at 1, 1,488 at 2; confidently
wrong 300 -> 288 (before the keys' words were searched it measured no gain)."""
OWN_JUDGED = False
"""Whether the group's own duty answered with "sets your group no <figure>" is judged by the
calibration (not: the figure comes from the obligations, as a rule's does)."""
RULE_KEYED = 0.5
"""A rule answers a question only when one of its clauses' question keys match it at least
this share of the best-ranked clause's, where that clause answers and is none of the rule's
(1: always the rule, as before)."""
_TOPIC_BOOST = 1.6
"""Score factor for a commitment tagged with the question's topic."""
_PARTY_BOOST = 1.3
"""Score factor for a commitment of the party the question is about."""
_OWN_BOOST = 2.0
"""Score factor for the group's own commitments when it asks about its own duty."""
_ANSWERS = 0.45
"""Share of the question a clause must contain to answer it on its own..."""
_ANSWERS_WITH_SUPPORT = 0.28
"""...or with the question's topic to back it, or its being the group's own commitment when
the group asks about its own duty..."""
_ANSWERS_WITH_TWO = 0.24
"""...or two of its words..."""
_OWN_ON_RULE = 0.15
"""Coverage at which the group's own commitment on a rule topic (what it must do when its
funding ends) answers "what must we do?" in place of the public bodies' rule."""
_ALL_BUT = 0.75
"""Coverage at which a clause answers a question in place of a rule that sets nothing."""
_PROMOTE = 1.25
"""How much better another commitment of a rule must match to be quoted first."""
_FALLBACK = 2
"""When the best-ranked clause does not hold enough of the question, the runner-up may; a
clause further down that shares two words with it is no answer."""
_WHOLE = 3
"""How far down the ranking a clause holding all but a little of the question, and matching
its words better, is quoted before the best-ranked clause holding less of it."""
_SECOND = 0.7
"""A second clause is quoted when it scores at least this share of the first."""
_DEFINES = 3.0
"""Score factor for the clause that defines or names what a "what is X?" question asks
about; a later one that also opens with it (a glossary after the introduction) gets..."""
_DEFINES_AGAIN = 2.0
"""...this: the text's first definition is the one a reader meets first."""
_CONTACT = 1.5
"""Score factor for a clause that gives contact details (an e-mail address, a telephone
number) when the question asks whom to contact."""
_STATING = 6
"""How far down the ranking a clause that states a number is preferred, for "how many
...?", to the best one that states none."""
_COUNT = 1.5
"""Score factor for a clause that states a number when the question asks how many."""
_STATEMENT = 0.8
"""Score factor for a statement about the Compact (a definition, a contact, its status)
when the question is on one of the Compact's topics, unless it asks what something is:
where a glossary repeats a clause, the clause answers..."""
_ASKING = 0.5
"""Score factor for a clause that is itself a question to the reader (a consultation draft's
"Would you like to see a foreword?")."""
_STATEMENT_FOR_DUTY = 0.5
"""...and where the question asks what someone must or should do, a statement commits
nobody."""

_RULE_WORDS = frozenset(
    stems("week weeks month months day days year years minimum maximum rule standard limit period")
)
"""Stems that name a rule's figure rather than what the question is about."""

_DUTY_TOPICS = frozenset({"consultation", "funding_change", "correspondence"})
"""Rule topics whose duty differs by party (disputes and reviews are everyone's)."""

_PROCEDURE = re.compile(
    r"\b(how|who|where|what) (do|can|should|would|could|must) (we|i|you)\b|\bwhat happens\b"
    r"|\bprocess\b|\bprocedure\b|\bcomplain\w*\b|\bfirst thing\b|\bwhat (can|should) be done\b"
    r"|\bwhat (are|is) (the|our) (options|route)\b|\bredress\b|\bnext\b|\bgo straight\b"
)

_NUMBER = re.compile(
    r"(?<![\d@])(?<!\d )\b[1-9]\d{0,2}(?:,\d{3})*\b(?! ?\d)(?!@)"
    r"|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred)\b",
    re.IGNORECASE,
)
"""A count or amount in a clause ("84 Voluntary and Community Organisations", "over 2,300
members"), not a telephone number, postcode or year."""

_DATE = re.compile(
    r"\b(1[89]|20)\d\d\b|\b(january|february|march|april|may|june|july|august|september|"
    r"october|november|december)\b",
    re.IGNORECASE,
)
"""A year or month in a clause, for "when was ...?"."""

_ASKS_TIME = re.compile(
    r"\bhow (long|quickly|soon|fast)\b|\bdeadline\b|\btime ?limits?\b|\bwithin\b|\bby when\b"
    r"|\b(days?|weeks?|months?)\b"
)
"""A question asking for a length of time (not how many steps or how much)."""

_FIGURE_WORD = [
    (re.compile(r"\bhow often\b|\bfrequen"), "frequency"),
    (re.compile(r"\bnotice\b|\bwarning\b"), "notice period"),
    (re.compile(r"\bby when\b|\bdeadline\b|\bhow (soon|quickly|fast)\b|\bwithin\b"), "deadline"),
    (re.compile(r"\byears?\b"), "number of years"),
    (re.compile(r"\bhow long\b|\bweeks?\b|\bmonths?\b|\bdays?\b"), "length of time"),
]


def asks_for_number(question: str) -> bool:
    """Whether a question asks for a period or puts one forward ("how long", "is 5 weeks ok")."""
    reading = read(question)
    return reading.asks_figure or reading.proposed is not None


class BadQuestion(ValueError):
    """A question that cannot be asked (empty, too long)."""


@dataclass
class Answer:
    compact: str
    topic: str | None
    text: str
    citations: list[Citation]
    kind: AnswerKind
    score: float = 0.0
    chance: float = 0.0
    """The calibration's chance that it is right (0 where not judged): orders unsure answers
    from several Compacts."""
    duty: Party | None = None
    """Whose duty the answer's figure or clause is: public, vcs or joint (None: unknown)."""

    signals: dict[str, float] = field(default_factory=dict)
    """What judged how sure the answer is (``_signals``; a clause answer's only): the kind
    says the outcome, ``unsure`` when the signals doubt it."""

    def as_json(self) -> dict[str, Any]:
        return {
            "compact": self.compact,
            "topic": self.topic,
            "kind": self.kind,
            "text": self.text,
            "duty": self.duty,
            "citations": [
                {"commitment": c.commitment, "section": c.section, "quote": c.quote}
                for c in self.citations
            ],
        }


@dataclass
class AskResult:
    question: str
    topic: str | None
    answers: list[Answer] = field(default_factory=list)
    more: int = 0
    """Compacts asked but not answered here (beyond ``limit``): not built at all."""

    def as_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "topic": self.topic,
            "answers": [a.as_json() for a in self.answers],
            "more": self.more,
        }


@dataclass(slots=True)
class _Ranked:
    match: Match
    score: float
    """BM25 with the topic and party preferences applied."""
    party: Party
    tagged: bool
    """Tagged with the question's topic."""
    untopical: bool = False
    """The question has no topic."""
    defines: bool = False
    """It opens with what the question asks to be defined or named ("Full Cost Recovery -
    ...", "The Kent Partners' Compact is ...")."""
    own: bool = False
    """The group's own commitment, and the question asks about the group's own duty."""
    ruled: bool = False
    """The question's topic is one the Compact sets a rule on (its own-duty answer is
    ``Answerer._own_duty``'s)."""
    keyed: float = 0.0
    """How well its question keys match the question (0-1, the best commitment's 1)."""

    @property
    def commitment(self) -> str:
        return self.match.commitment

    @property
    def answers(self) -> bool:
        """Whether this clause holds enough of the question to answer it: most of it, or
        a fair part of it on the question's own topic or in two or more of its words."""
        if self.defines:
            return True
        coverage = self.match.coverage
        if self.untopical and not self.own and len(self.match.covered) < 2 and coverage < _ALL_BUT:
            # With no topic to go on, one shared word ("colour") answers nothing, unless the
            # group asks what it must do and this is its own commitment.
            return False
        if coverage >= _ANSWERS:
            return True
        if (self.tagged or (self.own and not self.ruled)) and coverage >= _ANSWERS_WITH_SUPPORT:
            return True
        return len(self.match.covered) >= 2 and coverage >= _ANSWERS_WITH_TWO


def _cite(compact: Compact, commitment_id: str) -> Citation:
    from bot.domain.verdicts import cite

    return cite(compact, commitment_id)


def _what_it_is(clause: Commitment, draft: bool = False) -> str:
    """Whose commitment a clause is, said honestly: "" for a statement about the Compact
    itself (a definition, a contact: nobody's duty), an example given as an example, and a
    consultation draft's words (``draft``) as put to respondents, not agreed."""
    if clause.statement:
        return ""
    if clause.example:
        where = " in a consultation draft" if draft else ""
        return (
            f"given only as an example{where} of what {WHO[clause.party]} might do, "
            "not a commitment"
        )
    if draft:
        return f"put to respondents in a consultation draft for {WHO[clause.party]}, not agreed"
    return f"a commitment of {WHO[clause.party]}"


def _states(compact: Compact, commitment_id: str, reading: Reading) -> bool:
    """Whether a clause states the kind of figure the question asks for: a number for
    "how many ...?", otherwise a period or frequency."""
    quote = compact.commitment(commitment_id).quote
    if reading.asks_when:
        return bool(_DATE.search(quote))
    return bool(_NUMBER.search(quote)) if reading.asks_count else states_figure(quote)


def _asks_rule(topic: str | None, reading: Reading) -> bool:
    """Whether the question asks for a rule's figure, puts a period to it, asks its scope,
    or (on complaints) asks for the procedure: the rule answers it whatever else ranks."""
    if reading.asks_figure or reading.periods or reading.about_scope:
        return True
    return topic == "disputes" and bool(_PROCEDURE.search(reading.text) or reading.next_step)


def _doubtful(signals: dict[str, float]) -> bool:
    """Whether a clause answer is too doubtful to give as the answer."""
    if signals["defines"]:
        return False
    return signals["keyed"] < UNSURE_KEYED or signals["cov"] < UNSURE_COVERAGE


def _unsure(compact: Compact, answer: Answer, ranked: list[_Ranked]) -> Answer:
    """The nearest clauses, quoted as such: the chosen one first."""
    ids = list(dict.fromkeys([c.commitment for c in answer.citations[:1]]))
    ids += [r.commitment for r in ranked if r.commitment not in ids][: _NEAREST - len(ids)]
    return Answer(
        compact.code,
        answer.topic,
        f"I'm not sure this answers it; the nearest clauses of {compact.short_name}:",
        [_cite(compact, cid) for cid in ids],
        "unsure",
        score=answer.score,
        signals=answer.signals,
    )


def _signals(answer: Answer, ranked: list[_Ranked], keyed: dict[str, float]) -> dict[str, float]:
    """What the keys' calibration reads: where the first citation ranks, how much of the
    question it holds, how far ahead of the runner-up it is, and how well its keys match
    (``keyed``: ``CompactSearch.key_scores``)."""
    first = answer.citations[0].commitment if answer.citations else None
    pos = next((i for i, r in enumerate(ranked) if r.commitment == first), -1)
    me = ranked[pos] if pos >= 0 else None
    others = [r for r in ranked if r.commitment != first]
    second = others[0] if others else None
    return {
        "clause": 1.0,  # chosen as the clause covering most of the question
        "pos": float(pos),
        "cov": me.match.coverage if me else 0.0,
        "ratio": (second.score / me.score) if me and second and me.score else 0.0,
        "keyed": keyed.get(first, 0.0) if first else 0.0,
        "defines": float(bool(me and me.defines)),
    }


def _figure_from_rule(answer: Answer, reading: Reading) -> bool:
    """Whether the answer gives a rule's figure (or says there is none) from the Compact's
    obligations because the question asks for it: the learned calibration does not judge
    these (held out it measured the same either way, cost 345 against 342, and judged it
    doubted "how many weeks must a consultation last?" where the Compact sets none)."""
    from_rule = answer.kind == "rule" or (
        answer.kind == "no_number" and not answer.signals.get("clause") and not OWN_JUDGED
    )
    return from_rule and (reading.asks_figure or reading.proposed is not None)


def _learned_signals(
    compact: Compact,
    answer: Answer,
    ranked: list[_Ranked],
    raw: dict[str, float],
    reading: Reading,
    terms: list[Term],
) -> dict[str, float]:
    """Every signal the learned calibration (``bot.knowledge.calibration``) reads, for a
    confident answer: its path and kind; where its first clause ranks lexically and by how
    much; how much of the question it holds; whether the question keys agree on it; whether
    it gives whose duty and which figure the question asks for.  ``raw``: the question keys'
    BM25 sums (``CompactSearch.key_scores``)."""
    first = answer.citations[0].commitment if answer.citations else None
    pos = next((i for i, r in enumerate(ranked) if r.commitment == first), -1)
    me = ranked[pos] if pos >= 0 else None
    top = ranked[0] if ranked else None
    second = next((r for r in ranked if r.commitment != first), None)
    best_key = max(raw.values(), default=0.0)
    keyed = {c: v / best_key for c, v in raw.items()} if best_key else {}
    mine = keyed.get(first, 0.0) if first else 0.0
    other_keys = max((v for c, v in keyed.items() if c != first), default=0.0)
    clause = compact.commitment(first) if first else None
    asked = "vcs" if reading.own_duty else ("public" if reading.owed else None)
    duty = 0.0
    if asked is not None and answer.duty is not None:
        duty = 1.0 if answer.duty in (asked, "joint") else -1.0
    counting = [t for t in terms if t.counts]
    return {
        "rule": float(answer.kind == "rule"),
        "no_number": float(answer.kind == "no_number"),
        "picked": answer.signals.get("clause", 0.0),
        "own": answer.signals.get("own", 0.0),
        "asked_rule": float(answer.kind == "rule" and _asks_rule(answer.topic, reading)),
        "absent": float(me is None),
        "pos": float(min(pos, 5) if pos >= 0 else 5),
        "top": float(pos == 0),
        "cov": me.match.coverage if me else 0.0,
        "covered": float(min(len(me.match.covered), 5)) if me else 0.0,
        "top_cov": top.match.coverage if top else 0.0,
        "ratio": (second.score / me.score) if me and second and me.score else 0.0,
        "lead": (me.score / top.score) if me and top and top.score else 0.0,
        "log_score": math.log1p(me.match.score) if me else 0.0,
        "keyed": mine,
        "key_top": float(bool(keyed) and mine >= 1.0),
        "keyed_other": other_keys,
        "keys_none": float(not keyed),
        "key_raw": math.log1p(raw.get(first, 0.0)) if first else 0.0,
        "key_best": math.log1p(best_key),
        "defines": float(bool(me and me.defines)),
        "tagged": float(bool(me and me.tagged)),
        "statement": float(bool(clause and clause.statement)),
        "topic_none": float(answer.topic is None),
        "rule_topic": float(answer.topic in RULE_TOPICS),
        "asks_figure": float(reading.asks_figure),
        "asks_count": float(reading.asks_count),
        "asks_when": float(reading.asks_when),
        "own_duty": float(reading.own_duty),
        "owed": float(reading.owed),
        "asks_duty": float(reading.asks_duty),
        "asks_contact": float(reading.asks_contact),
        "focus": float(reading.focus is not None),
        "proposed": float(reading.proposed is not None),
        "terms": math.log1p(len(counting)),
        "states": float(first is not None and _states(compact, first, reading)),
        "duty_match": duty,
        "cited": float(len(answer.citations)),
        "draft": float(compact.is_draft),
    }


def _figure_word(text: str) -> str:
    return next((word for rx, word in _FIGURE_WORD if rx.search(text)), "figure")


class Answerer:
    """Answers questions over a registry of Compacts.  Build once; ask many times."""

    def __init__(self, registry: CompactRegistry, pm: pluggy.PluginManager) -> None:
        self.registry = registry
        self.pm = pm
        self._searches: dict[str, CompactSearch] = {}
        self._with_figures: dict[str, frozenset[str]] = {}
        self._index: CommitmentIndex | None = None
        self.embedding = False
        """Whether to use the sentence-embedding model (``use_embedding``)."""
        self._semantic: Semantic | None = None
        texts: set[str] = set()
        for compact in registry.compacts.values():
            keywords = registry.keywords(compact.code)
            texts.update(c.quote for c in compact.commitments)
            texts.update(keywords.values())
        self.speller = Speller(vocabulary_of(sorted(texts)))
        if len(registry.compacts) > 2 * DEFAULT_LIMIT:
            self._build_index()  # asks over this many Compacts preselect with it: build now

    def use_embedding(self, on: bool = True) -> None:
        """Use the sentence-embedding model (``bot.knowledge.embedding``) from the next
        question on: loaded then, once, and left out if it cannot be used here.  Off by
        default: a one-shot ``compactbot ask`` would spend longer loading it than answering."""
        self.embedding = on

    def _near(self, compact: Compact, text: str) -> Nearness | None:
        if not self.embedding:
            return None
        if self._semantic is None:
            from bot.knowledge.embedding import shared

            self._semantic = shared(self.registry)
            if self._semantic is None:
                self.embedding = False
                return None
        return self._semantic.near(compact.code, text)

    @property
    def index(self) -> CommitmentIndex:
        """The full-text index of every commitment, used to preselect among many Compacts
        (a one-shot ``compactbot ask`` over a few never needs it: built on first use)."""
        return self._index if self._index is not None else self._build_index()

    def _build_index(self) -> CommitmentIndex:
        index = CommitmentIndex()
        for compact in self.registry.compacts.values():
            index.add(compact, self.registry.keywords(compact.code))
        self._index = index
        return index

    def _figures(self, compact: Compact) -> frozenset[str]:
        """The rule topics ``compact`` sets a figure for (worked out once per Compact)."""
        found = self._with_figures.get(compact.code)
        if found is None:
            found = frozenset(t for t, periods in rule_figures(compact).items() if periods)
            self._with_figures[compact.code] = found
        return found

    def search(self, compact: Compact) -> CompactSearch:
        found = self._searches.get(compact.code)
        if found is None:
            found = CompactSearch(
                compact,
                self.registry.keywords(compact.code),
                self.registry.questions(compact.code),
            )
            self._searches[compact.code] = found
        return found

    def ask(
        self,
        question: str,
        compacts: list[str] | None = None,
        limit: int | None = DEFAULT_LIMIT,
    ) -> AskResult:
        """Answer ``question`` from ``compacts`` (codes; all when None): best answer first,
        one per Compact, at most ``limit`` of them (every one when None); the others are
        only counted (``AskResult.more``).  Raises UnknownCompact or BadQuestion."""
        question = " ".join(question.split())
        if not question:
            raise BadQuestion("Ask a question, e.g. 'how long must a consultation be?'")
        if len(question) > MAX_QUESTION:
            raise BadQuestion(
                f"That question is {len(question):,} characters long; "
                f"please keep it under {MAX_QUESTION:,}."
            )
        chosen = self.registry.resolve(compacts or [])
        corrected = self.speller.correct(question)
        topic = self.pm.hook.compactbot_question_topic(question=corrected)
        if topic is not None and topic not in TOPICS:
            topic = None
        reading = read(corrected)
        terms = question_terms(corrected)
        result = AskResult(question=question, topic=topic)
        shown = chosen
        if limit is not None and len(chosen) > 2 * limit:
            shown = self._preselect(chosen, topic, reading, corrected, 2 * limit)
        answers = [self._answer(compact, topic, reading, terms) for compact in shown]
        drafts_last = {c.code: c.is_draft for c in shown}
        # Among unsure answers, the likeliest first.
        answers.sort(
            key=lambda a: (
                -_RANK[a.kind],
                drafts_last[a.compact],
                -(a.chance if a.kind == "unsure" else 0.0),
                -a.score,
            )
        )
        if limit is not None:
            answers = answers[:limit]
        result.answers = answers
        result.more = len(chosen) - len(answers)
        return result

    # --- choosing which Compacts to answer from, among many -----------------------------

    def _preselect(
        self, chosen: list[Compact], topic: str | None, reading: Reading, text: str, n: int
    ) -> list[Compact]:
        """The ``n`` Compacts most likely to answer best, without answering from any.

        A rule topic is ranked from the obligations alone (a figure first, adopted before
        draft); any other by the best hit of one bounded full-text search.
        """
        if topic in RULE_TOPICS:

            def has_figure(c: Compact) -> bool:
                if topic == "disputes":
                    ob = c.obligations.complaints
                    return bool(ob.against_public or ob.against_vcs)
                return topic in self._figures(c)

            ranked = sorted(chosen, key=lambda c: (not has_figure(c), c.is_draft))
            return ranked[:n]
        restrict = [c.code for c in chosen] if len(chosen) < len(self.registry.compacts) else None
        hits = self.index.search(text, compacts=restrict, topic=topic, limit=8 * n)
        if not hits and topic is not None:
            hits = self.index.search(text, compacts=restrict, limit=8 * n)
        by_code = {c.code: c for c in chosen}
        picked: dict[str, Compact] = {}
        for hit in hits:
            if hit.compact in by_code and hit.compact not in picked:
                picked[hit.compact] = by_code[hit.compact]
                if len(picked) == n:
                    break
        for compact in chosen:
            if len(picked) == n:
                break
            picked.setdefault(compact.code, compact)
        return list(picked.values())

    # --- one Compact's answer -----------------------------------------------------------

    def _ranked(
        self,
        compact: Compact,
        terms: list[Term],
        topic: str | None,
        party: str,
        reading: Reading,
        near: Nearness | None = None,
    ) -> tuple[list[_Ranked], tuple[dict[str, float], frozenset[str]]]:
        """The commitments ranked for the question, and the question keys' BM25 sums
        (``CompactSearch.key_scores``, raw) with the ids they were worked out for."""
        ranked = []
        search = self.search(compact)
        defining = search.defining(reading.focus) if reading.focus else []
        duty = reading.asks_duty
        # "who do we contact?" (not a complaint's first step, not a letter unanswered)
        contact = reading.asks_contact and topic not in ("disputes", "correspondence")
        ruled = topic in RULE_TOPICS
        matches = search.rank(terms)
        if defining and defining[0] not in {m.commitment for m in matches}:
            # A common word ("compact") leaves the clause defining it out of the best few, and
            # a name of stop words and places ("Kent CAN") leaves nothing to search for.
            matches += search.rank(terms, only=defining[:1]) or [
                Match(defining[0], 1.0, 1.0, frozenset())
            ]
        own_duty, counting, dating = reading.own_duty, reading.asks_count, reading.asks_when
        statement_factor = 1.0
        if not reading.focus and (duty or topic is not None):
            statement_factor = _STATEMENT_FOR_DUTY if duty else _STATEMENT
        party_factor = _OWN_BOOST if party == "vcs" else _PARTY_BOOST
        # As a ranking factor only when weighted (``KEYS``); the calibration reads them apart.
        ids = [m.commitment for m in matches]
        raw = search.key_scores(terms, ids, raw=True) if KEYS else {}
        best_key = max(raw.values(), default=0.0)
        keyed = {cid: v / best_key for cid, v in raw.items()} if best_key else {}
        keys_seen = (raw, frozenset(ids) if KEYS else frozenset())
        nearest = max((near.best(m.commitment) for m in matches), default=0.0) if near else 0.0
        for m in matches:
            c = compact.commitment(m.commitment)
            cid = m.commitment
            score = m.score * (1.0 + KEYS * keyed.get(cid, 0.0))
            if near is not None and FUSION:
                score *= math.exp(FUSION * (near.best(cid) - nearest))
            tagged = topic is not None and topic in c.topics
            if tagged:
                score *= _TOPIC_BOOST
            if cid in search.asking:
                # A question the Compact puts to its readers (a draft's "Are there any
                # others we have missed here?") answers nothing.
                score *= _ASKING
            if c.statement:
                score *= statement_factor
            if c.party == party:
                score *= party_factor
            elif own_duty and c.party == "joint" and not c.statement:
                # What both sides commit to binds the group too.
                score *= _PARTY_BOOST
            if contact and cid in search.gives_contact:
                score *= _CONTACT
            if counting and _NUMBER.search(c.quote):
                score *= _COUNT
            if dating and _DATE.search(c.quote):
                score *= _COUNT
            defines = cid in defining
            if defines:
                score *= _DEFINES if cid == defining[0] else _DEFINES_AGAIN
            own = own_duty and c.party == "vcs" and not c.statement
            ranked.append(
                _Ranked(
                    m,
                    score,
                    c.party,
                    tagged,
                    topic is None,
                    defines,
                    own,
                    ruled,
                    keyed.get(cid, 0.0),
                )
            )
        ranked.sort(key=lambda r: -r.score)
        return ranked, keys_seen

    def _answer(
        self, compact: Compact, topic: str | None, reading: Reading, terms: list[Term]
    ) -> Answer:
        party = "vcs" if reading.own_duty else party_preference(reading.text)
        if reading.owed:
            party = "public"  # what the group should get is what the public bodies owe it
        near = self._near(compact, reading.text)
        ranked, (raw, seen) = self._ranked(compact, terms, topic, party, reading, near)
        answer = self._chosen(compact, topic, reading, terms, ranked)
        model = None
        if CALIBRATED and LEARNED:
            # Weights trained with the embedding's signals when they can be read, else without.
            model = calibrator(EMBEDDED_WEIGHTS) if near is not None else None
            model = model or calibrator(WEIGHTS)
        if model is not None:
            if answer.kind not in _CONFIDENT or _figure_from_rule(answer, reading):
                return answer
            competing = [c.commitment for c in answer.citations]
            competing += [r.commitment for r in ranked[:_KEYED_AMONG]]
            # The ranking worked out most of them already.
            missing = [c for c in dict.fromkeys(competing) if c not in seen]
            raw = {c: v for c, v in raw.items() if c in competing}
            if missing:
                raw |= self.search(compact).key_scores(terms, missing, raw=True)
            answer.signals = _learned_signals(compact, answer, ranked, raw, reading, terms)
            if near is not None and answer.citations:
                answer.signals |= near.signals(answer.citations[0].commitment)
            answer.chance = model.probability(answer.signals)
            if answer.chance < model.threshold:
                unsure = _unsure(compact, answer, ranked)
                unsure.chance = answer.chance
                return unsure
            return answer
        if (
            answer.kind == "rule"
            and CALIBRATED
            and RULES_JUDGED
            and not _asks_rule(answer.topic, reading)
        ):
            # A rule given only because no other clause answered: its keys must back it.
            cited = [c.commitment for c in answer.citations]
            among = [*cited, *(r.commitment for r in ranked)]
            keyed = self.search(compact).key_scores(terms, among)
            if max((keyed.get(c, 0.0) for c in cited), default=0.0) < UNSURE_KEYED:
                return _unsure(compact, answer, ranked)
        if CALIBRATED and answer.signals.get("clause") and answer.kind in JUDGED:
            # The keys of the competing clauses are stemmed on first need.
            keyed = self.search(compact).key_scores(terms, (r.commitment for r in ranked))
            answer.signals = _signals(answer, ranked, keyed)
            if _doubtful(answer.signals):
                return _unsure(compact, answer, ranked)
        return answer

    def _chosen(
        self,
        compact: Compact,
        topic: str | None,
        reading: Reading,
        terms: list[Term],
        ranked: list[_Ranked],
    ) -> Answer:
        rule_topic = self._rule_topic(compact, topic, reading)
        if rule_topic is not None:
            if reading.own_duty and rule_topic in _DUTY_TOPICS:
                own = self._own_duty(compact, rule_topic, reading, ranked, terms)
                if own is not None:
                    return own
            if self._about_rule(compact, rule_topic, reading, ranked):
                return self._rule(compact, rule_topic, reading, terms)
        return self._clause(compact, topic, reading, ranked, terms)

    @staticmethod
    def _rule_topic(compact: Compact, topic: str | None, reading: Reading) -> str | None:
        """The rule the question is about: the one whose figure it names ("the three months
        notice"), else its topic if that is a rule topic."""
        figures = rule_figures(compact)
        for said in reading.referenced:
            named = [
                t for t, periods in figures.items() if any(same_period(said, p) for p in periods)
            ]
            if len(named) == 1 and topic not in named:
                return named[0]
        return topic if topic in RULE_TOPICS else None

    @staticmethod
    def _rule_ids(compact: Compact, topic: str) -> list[str]:
        ob = compact.obligations
        if topic == "disputes":
            steps = [s.commitment for s in (ob.complaints.against_public or [])]
            steps += [s.commitment for s in (ob.complaints.against_vcs or [])]
            return list(dict.fromkeys([*steps, *ob.complaints.commitments]))
        rule = {
            "consultation": ob.consultation,
            "funding_change": ob.funding_change,
            "correspondence": ob.correspondence,
            "consultation_feedback": ob.consultation_feedback,
            "review": ob.review,
        }[topic]
        return list(rule.commitments)

    def _about_rule(
        self, compact: Compact, topic: str, reading: Reading, ranked: list[_Ranked]
    ) -> bool:
        """Whether the rule answers the question, rather than some other clause."""
        if (
            RULE_KEYED < 1.0
            and not reading.periods
            and self._keyed_elsewhere(compact, topic, ranked)
        ):
            return False
        if _asks_rule(topic, reading):
            return True
        rule = answer_rule(compact, topic, reading.text, reading)
        # The clause that would answer in the rule's place: only one ranked near the top, as
        # in ``_clause`` (one further down would be no answer at all).
        best = next((r for r in ranked[:_FALLBACK] if r.answers), None)
        rule_ids = self._rule_ids(compact, topic)
        if not rule.has_number and topic != "disputes":
            # The rule is that there is none (no feedback promised, no length set), unless
            # the question is all but the words of some other clause.
            return best is None or best.match.coverage < _ALL_BUT or best.commitment in rule_ids
        return best is None or (bool(rule_ids) and best.commitment == rule_ids[0])

    def _keyed_elsewhere(self, compact: Compact, topic: str, ranked: list[_Ranked]) -> bool:
        """Whether the question is about another clause, not the rule: the best-ranked
        clause answers it, is none of the rule's, and its question keys match the question
        best while every one of the rule's matches less than ``RULE_KEYED`` of that."""
        top = ranked[0] if ranked else None
        if top is None or not top.answers or top.keyed < 1.0:
            return False
        rule_ids = set(self._rule_ids(compact, topic))
        if top.commitment in rule_ids:
            return False
        return all(r.keyed < RULE_KEYED for r in ranked if r.commitment in rule_ids)

    def _rule(self, compact: Compact, topic: str, reading: Reading, terms: list[Term]) -> Answer:
        rule = answer_rule(compact, topic, reading.text, reading)
        cited = self._order(compact, topic, rule, reading, terms)
        text = rule.text
        if reading.about_scope and rule.has_number and rule.note:
            text += f" {rule.note}"
        asks = reading.asks_figure or reading.proposed is not None
        kind: AnswerKind
        if (
            topic == "disputes"
            and reading.asks_figure
            and _ASKS_TIME.search(reading.text)
            and not states_figure(rule.text)
        ):
            # "how quickly must they deal with a complaint?": the procedure sets no time.
            text = f"{compact.short_name} sets no time limit for dealing with this. {text}"
            kind = "no_number"
        elif rule.has_number or (topic == "disputes" and rule.commitments):
            kind = "rule"
        else:
            kind = "no_number" if asks or not rule.duty else "clause"
        return Answer(
            compact.code,
            topic,
            text,
            [_cite(compact, cid) for cid in cited],
            kind,
            score=10.0,
            duty=rule.party,
        )

    def _order(
        self, compact: Compact, topic: str, rule: RuleAnswer, reading: Reading, terms: list[Term]
    ) -> list[str]:
        """The rule's commitments, in the order to quote them.

        The rule's own order (the figure's clause, or a procedure's first step) unless
        the question points elsewhere: to the step after the last one it says was tried,
        or to another of the rule's clauses that matches it clearly better.
        """
        ids = list(rule.commitments)
        every = list(dict.fromkeys([*ids, *self._rule_ids(compact, topic)]))
        if not every:
            return []
        search = self.search(compact)
        if topic == "disputes" and reading.next_step and ids:
            # Only what the question says was tried, not where it asks to go next.
            before = question_terms(tried_before(reading.text)) or terms
            tried = [
                ids.index(m.commitment)
                for m in search.rank(before, only=ids)
                if m.coverage > 0 and m.commitment in ids
            ]
            if tried and max(tried) + 1 < len(ids):
                start = max(tried) + 1
                return ids[start:] + ids[:start]
        ordered = ids or every
        # Asked about its scope, words for the rule itself ("the 8 week minimum") do not
        # say which of its clauses answers.
        pointing = terms
        if reading.about_scope or reading.referenced:
            pointing = [t for t in terms if not t.alternatives & _RULE_WORDS]
        matches = search.rank(pointing, only=every)
        if matches and ordered and matches[0].commitment != ordered[0]:
            found = {m.commitment: m for m in matches}
            top, first = matches[0], found.get(ordered[0])
            if top.score > _PROMOTE * (first.score if first else 0.0) and top.coverage > (
                first.coverage if first else 0.0
            ):
                ordered = [top.commitment, *[c for c in ordered if c != top.commitment]]
        return ordered

    def _own_duty(
        self,
        compact: Compact,
        topic: str,
        reading: Reading,
        ranked: list[_Ranked],
        terms: list[Term],
    ) -> Answer | None:
        """The group's own duty on a rule topic, or None when the rule itself binds it."""
        rule = answer_rule(compact, topic, reading.text, reading)
        rule_ids = self._rule_ids(compact, topic)
        # What the Compact asks of the group: its commitments, not statements about itself.
        own = [
            r
            for r in ranked
            if r.party in ("vcs", "joint")
            and r.match.coverage > 0
            and not compact.commitment(r.commitment).statement
            # A joint clause of a rule whose figure is the public bodies' alone ("all
            # partners will communicate openly") sets the group no figure of its own.
            and not (r.party == "joint" and rule.party == "public" and r.commitment in rule_ids)
        ]
        best = (
            own[0]
            if own
            and (
                own[0].answers
                or (own[0].own and own[0].tagged and own[0].match.coverage >= _OWN_ON_RULE)
            )
            else None
        )
        if best is not None and best.commitment in rule_ids and best.party == "joint":
            return None
        if best is None and rule.party == "joint":
            return None
        name = compact.short_name
        asks = reading.asks_figure or reading.proposed is not None
        figure = _figure_word(reading.text)
        public = ""
        if rule.has_number and rule.party == "public":
            public = " " + rule.text.split(": ", 1)[-1]
            public = f" For {WHO['public']} it sets this:{public}"
        if best is not None:
            quote = compact.commitment(best.commitment).quote
            cited = [best.commitment, *rule.commitments[:1]]
            if asks and not states_figure(quote):
                kind: AnswerKind = "no_number"
                text = f"{name} sets your group no {figure}: what it asks of your group is quoted."
            else:
                kind = "clause"
                text = f"{name} — what it asks of your group is quoted."
            text += public
            score = best.score
        else:
            if not asks:
                return None
            kind = "no_number"
            text = f"{name} sets your group no {figure}.{public}"
            cited = list(rule.commitments[:1])
            score = 0.0
        return Answer(
            compact.code,
            topic,
            text,
            [_cite(compact, cid) for cid in dict.fromkeys(cited)],
            kind,
            score=score,
            duty="vcs",
            signals={"own": 1.0},  # the group's own duty, asked about
        )

    def _clause(
        self,
        compact: Compact,
        topic: str | None,
        reading: Reading,
        ranked: list[_Ranked],
        terms: list[Term],
    ) -> Answer:
        best = ranked[0] if ranked and ranked[0].answers else None
        if best is None:
            good = [r for r in ranked[:_FALLBACK] if r.answers]
            best = good[0] if good else None
        whole = next(
            (
                r
                for r in ranked[:_WHOLE]
                if best is not None
                and r.match.coverage >= _ALL_BUT > best.match.coverage
                and r.match.score >= best.match.score
                and not best.defines
            ),
            None,
        )
        if whole is not None:
            # The preferences for a party or topic break ties; they do not put a clause that
            # holds part of the question before one that holds all of it and matches better.
            best = whole
        asks = reading.asks_figure or reading.proposed is not None
        # "how long should our funding be?" off the rule topics: a clause on the question's
        # topic that states a period answers it (on a rule topic, the rule's own does).
        period = reading.asks_figure and topic is not None and topic not in RULE_TOPICS
        if (
            best is not None
            and (reading.asks_figure or reading.asks_count)
            and topic not in RULE_TOPICS
            and self.search(compact).misses_point(terms, best.match)
            and best.match.coverage < _ALL_BUT
            and not best.defines
        ):
            # "how much can the council charge for hall hire?": a figure for something the
            # Compact never mentions, and the closest clause holds only the question's
            # everyday words.
            best = None
        if (
            best is not None
            and (reading.asks_count or reading.asks_when or period)
            and not _states(compact, best.commitment, reading)
        ):
            # "how many organisations signed?", "when was it formed?": a close clause that
            # states a number or a date answers.
            best = next(
                (
                    r
                    for r in ranked[:_STATING]
                    if r.answers
                    and (r.tagged or not period)
                    and _states(compact, r.commitment, reading)
                ),
                best,
            )
        if best is None:
            closest = [_cite(compact, r.commitment) for r in ranked[:2]]
            text = f"I don't know: {compact.short_name} says nothing I can find that answers this."
            if closest:
                text += " The closest clauses are quoted below."
            return Answer(compact.code, topic, text, closest, "unknown", 0.0)
        clause = compact.commitment(best.commitment)
        cited = [best.commitment]
        for other in ranked[:3]:
            if (
                other.commitment != best.commitment
                and other.answers
                and other.score >= _SECOND * best.score
                and other.party == best.party
                and compact.commitment(other.commitment).statement == clause.statement
            ):
                cited.append(other.commitment)
                break
        label = TOPICS[topic].split(":")[0] if topic else None
        on = f" on {label}" if label and topic in clause.topics else ""
        what = _what_it_is(clause, compact.is_draft)
        figure = "number" if reading.asks_count else _figure_word(reading.text)
        if asks and not _states(compact, best.commitment, reading):
            kind: AnswerKind = "no_number"
            said = f"what it says{on} is " + (f"{what}, quoted below" if what else "quoted below")
            text = f"{compact.short_name} sets no {figure} for this; {said}."
        else:
            kind = "clause"
            text = f"{compact.short_name}{on}" + (f" — {what}:" if what else " says:")
        return Answer(
            compact.code,
            topic,
            text,
            [_cite(compact, cid) for cid in cited],
            kind,
            score=best.score,
            duty=None if clause.statement else best.party,
            signals={"clause": 1.0},  # chosen as the clause covering most of the question
        )
