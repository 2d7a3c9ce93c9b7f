"""Answering a question from the Compacts: the number, the clause, the source.

1. Typos are corrected against the Compacts' own words (``bot.spelling``).
2. The topic comes from the ``compactbot_question_topic`` hook (default: word rules).
3. For a topic a Compact sets rules on, the answer is built from its data file
   (``bot.rule_answers``) and cites the clauses the rule comes from.  Otherwise
   the full-text index (BM25) picks the best clause of that topic.
4. Nothing found: an honest "I don't know" with the closest clauses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pluggy

from bot.compact_registry import CompactRegistry
from bot.rule_answers import RULE_TOPICS, answer_rule
from bot.spelling import Speller, vocabulary_of
from bot.verdicts import Citation, cite
from compacts.models import TOPICS, Compact
from storage.commitment_index import CommitmentIndex, Hit

AnswerKind = Literal["rule", "clause", "no_number", "unknown"]
_RANK: dict[AnswerKind, int] = {"rule": 3, "clause": 2, "no_number": 1, "unknown": 0}

MAX_QUESTION = 1000
"""Questions longer than this are refused rather than searched."""

# BM25 scores are negative; above this, a match is too weak to call an answer.
_WEAK_MATCH = -2.0


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
        hits = self._hits(corrected, topic, codes)
        for compact in chosen:
            result.answers.append(self._answer(compact, topic, corrected, hits.get(compact.code)))
        result.answers.sort(key=lambda a: (-_RANK[a.kind], a.score))
        return result

    def _hits(self, text: str, topic: str | None, codes: list[str]) -> dict[str, list[Hit]]:
        """Search once across all chosen Compacts; group hits per Compact."""
        restrict = codes if len(codes) < len(self.registry.compacts) else None
        found: list[Hit] = []
        if topic is not None and topic not in RULE_TOPICS:
            found = self.index.search(text, compacts=restrict, topic=topic, limit=10 * len(codes))
            if not found:
                found = self.index.with_topic(topic, restrict)
        found += self.index.search(text, compacts=restrict, limit=10 * len(codes))
        grouped: dict[str, list[Hit]] = {}
        for hit in found:
            grouped.setdefault(hit.compact, []).append(hit)
        return grouped

    def _answer(
        self, compact: Compact, topic: str | None, question: str, hits: list[Hit] | None
    ) -> Answer:
        if topic in RULE_TOPICS:
            rule = answer_rule(compact, topic, question)
            citations = [cite(compact, cid) for cid in rule.commitments]
            kind: AnswerKind = "rule" if rule.has_number or (rule.commitments and topic in (
                "disputes", "review")) else "no_number"
            return Answer(compact.code, topic, rule.text, citations, kind)
        hits = hits or []
        tagged = [h for h in hits if topic is None or topic in compact.commitment(h.commitment).topics]
        if tagged and (topic is not None or tagged[0].score < _WEAK_MATCH):
            best = tagged[:2] if topic else tagged[:1]
            citations = [cite(compact, h.commitment) for h in best]
            label = TOPICS[topic].split(":")[0] if topic else "that"
            text = f"{compact.short_name} on {label}: " + " ".join(
                f"“{c.quote}”" for c in citations
            )
            return Answer(compact.code, topic, text, citations, "clause", tagged[0].score)
        closest = [cite(compact, h.commitment) for h in hits[:2]]
        text = (
            f"I don't know: {compact.short_name} says nothing I can find that answers this."
        )
        if closest:
            text += " The closest clauses are quoted below."
        return Answer(compact.code, topic, text, closest, "unknown", 0.0)
