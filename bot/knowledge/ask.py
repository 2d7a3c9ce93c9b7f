"""Answering a question from the Compacts: the number, the clause, the source.

1. Typos are corrected against the Compacts' own words (``bot.knowledge.spelling``).
2. The topic comes from the ``compactbot_question_topic`` hook (default: word rules).
3. For a topic a Compact sets rules on, the answer is built from its data file
   (``bot.knowledge.rule_answers``) and cites the clauses the rule comes from.  Otherwise
   the full-text index (BM25) picks the best clause of that topic.
4. Nothing found: an honest "I don't know" with the closest clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import pluggy

from bot.domain.verdicts import Citation, cite
from bot.knowledge.commitment_index import CommitmentIndex, Hit, query_terms
from bot.knowledge.query_expansion import expand, party_preference
from bot.knowledge.registry import CompactRegistry
from bot.knowledge.rule_answers import RULE_TOPICS, answer_rule
from bot.knowledge.spelling import Speller, vocabulary_of
from compacts.models import TOPICS, Compact

AnswerKind = Literal["rule", "clause", "no_number", "unknown"]
_RANK: dict[AnswerKind, int] = {"rule": 3, "clause": 2, "no_number": 1, "unknown": 0}

MAX_QUESTION = 1000
"""Questions longer than this are refused rather than searched."""

# BM25 scores are negative; above this, a match is too weak to call an answer.
_WEAK_MATCH = -2.0


_NUMBER_QUESTION = re.compile(
    r"\bhow (long|much|many|soon|quickly|often)\b|\b(minimum|maximum|deadline|notice|"
    r"weeks?|months?|days?|period|in time|enough time)\b|\bis (that|this|it) (ok|okay|allowed)\b"
)


def asks_for_number(question: str) -> bool:
    """Whether a question asks for a period or a number ("how long", "is 5 weeks ok")."""
    return bool(_NUMBER_QUESTION.search(question.lower()))


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

    def as_json(self) -> dict[str, Any]:
        return {
            "compact": self.compact,
            "topic": self.topic,
            "kind": self.kind,
            "text": self.text,
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

    def as_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "topic": self.topic,
            "answers": [a.as_json() for a in self.answers],
        }


class Answerer:
    """Answers questions over a registry of Compacts.  Build once; ask many times."""

    def __init__(self, registry: CompactRegistry, pm: pluggy.PluginManager) -> None:
        self.registry = registry
        self.pm = pm
        self.index = CommitmentIndex()
        texts: list[str] = []
        for compact in registry.compacts.values():
            self.index.add(compact)
            texts += [c.quote for c in compact.commitments]
        self.speller = Speller(vocabulary_of(texts))

    def ask(self, question: str, compacts: list[str] | None = None) -> AskResult:
        """Answer ``question`` from ``compacts`` (codes; all when None): best answer first,
        one per Compact.  Raises UnknownCompact or BadQuestion."""
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
        result = AskResult(question=question, topic=topic)
        codes = [c.code for c in chosen]
        hits = self._hits(expand(corrected), topic, codes, party_preference(corrected))
        for compact in chosen:
            result.answers.append(self._answer(compact, topic, corrected, hits.get(compact.code)))
        drafts_last = {c.code: c.is_draft for c in chosen}
        result.answers.sort(key=lambda a: (-_RANK[a.kind], drafts_last[a.compact], a.score))
        return result

    def _hits(
        self, text: str, topic: str | None, codes: list[str], party: str
    ) -> dict[str, list[Hit]]:
        """Search once across all chosen Compacts; group hits per Compact, best first.

        Hits of the question's topic come before the rest, and within them the
        commitments of the party the question is about ("can the council ...").
        """
        restrict = codes if len(codes) < len(self.registry.compacts) else None
        found: list[Hit] = []
        if topic is not None:
            found = self.index.search(
                text, compacts=restrict, topic=topic, limit=max(10, 4 * len(codes))
            )
            if not found and topic not in RULE_TOPICS:
                found = self.index.with_topic(topic, restrict)
        on_topic = len(found)
        found += self.index.search(text, compacts=restrict, limit=max(10, 4 * len(codes)))
        grouped: dict[str, list[tuple[int, float, Hit]]] = {}
        seen: set[tuple[str, str]] = set()
        for i, hit in enumerate(found):
            if (hit.compact, hit.commitment) in seen:
                continue
            seen.add((hit.compact, hit.commitment))
            who = self.registry.compacts[hit.compact].commitment(hit.commitment).party
            boost = 1.3 if who == party else 1.0
            grouped.setdefault(hit.compact, []).append((int(i >= on_topic), hit.score * boost, hit))
        return {
            code: [h for *_, h in sorted(hs, key=lambda t: t[:2])] for code, hs in grouped.items()
        }

    @staticmethod
    def _shares_words(question: str, compact: Compact, hit: Hit) -> bool:
        """With no topic to go on, a clause answers only if it shares two of the question's words.

        One rare shared word ("colour") scores high in BM25 yet answers nothing.
        """
        quote = compact.commitment(hit.commitment).quote.lower()
        shared = {t for t in query_terms(question) if t[:5] in quote}
        return len(shared) >= 2 and hit.score < _WEAK_MATCH

    def _answer(
        self, compact: Compact, topic: str | None, question: str, hits: list[Hit] | None
    ) -> Answer:
        hits = hits or []
        if topic in RULE_TOPICS:
            rule = answer_rule(compact, topic, question)
            cited = rule.commitments
            if not asks_for_number(question):
                # Not "how long?" but "who decides?": quote the best-matching clause first.
                order = {h.commitment: i for i, h in enumerate(hits)}
                cited = sorted(cited, key=lambda cid: order.get(cid, len(order)))
            citations = [cite(compact, cid) for cid in cited]
            kind: AnswerKind = (
                "rule"
                if rule.has_number or (rule.commitments and topic == "disputes")
                else "no_number"
            )
            return Answer(compact.code, topic, rule.text, citations, kind)
        tagged = [
            h for h in hits if topic is None or topic in compact.commitment(h.commitment).topics
        ]
        if tagged and (topic is not None or self._shares_words(question, compact, tagged[0])):
            best = tagged[:2] if topic else tagged[:1]
            citations = [cite(compact, h.commitment) for h in best]
            label = TOPICS[topic].split(":")[0] if topic else "that"
            text = f"{compact.short_name} on {label}: " + " ".join(
                f"“{c.quote}”" for c in citations
            )
            return Answer(compact.code, topic, text, citations, "clause", tagged[0].score)
        closest = [cite(compact, h.commitment) for h in hits[:2]]
        text = f"I don't know: {compact.short_name} says nothing I can find that answers this."
        if closest:
            text += " The closest clauses are quoted below."
        return Answer(compact.code, topic, text, closest, "unknown", 0.0)
