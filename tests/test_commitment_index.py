"""Searches restricted to a few Compacts (rowid ranges) rank exactly as a global search does."""

from __future__ import annotations

import pytest

from bot.knowledge.commitment_index import CommitmentIndex
from bot.knowledge.knowledge import Knowledge

QUESTIONS = [
    "how long must a consultation be",
    "notice before funding ends",
    "complaints procedure dispute steering group",
    "volunteers expenses",
    "full cost recovery overheads",
]


@pytest.fixture(scope="module")
def index(knowledge: Knowledge) -> CommitmentIndex:
    built = CommitmentIndex()
    for compact in knowledge.registry.compacts.values():
        built.add(compact)
    return built


@pytest.mark.parametrize("question", QUESTIONS)
def test_restricted_search_equals_the_filtered_global_search(
    index: CommitmentIndex, knowledge: Knowledge, question: str
) -> None:
    everything = index.search(question, limit=10_000)
    assert everything
    codes = knowledge.registry.codes
    for chosen in ([codes[0]], [codes[3]], codes[1:3], list(reversed(codes))):
        limit = 7
        got = index.search(question, compacts=chosen, limit=limit)
        expected = [h for h in everything if h.compact in chosen][:limit]
        assert [(h.compact, h.commitment) for h in got] == [
            (h.compact, h.commitment) for h in expected
        ]
        assert [h.score for h in got] == pytest.approx([h.score for h in expected])


def test_topic_listing_is_each_compacts_document_order(
    index: CommitmentIndex, knowledge: Knowledge
) -> None:
    for code in knowledge.registry.codes:
        compact = knowledge.registry.get(code)
        tagged = [c.id for c in compact.commitments if "consultation" in c.topics]
        got = index.with_topic("consultation", [code])
        assert [h.commitment for h in got] == tagged
