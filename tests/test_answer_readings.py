"""Readings of a question that decide which clause answers it: dates, sizes, names made of
stop words, what was already tried, a figure for something the Compact never mentions."""

from __future__ import annotations

from bot.knowledge.ask import Answer
from bot.knowledge.knowledge import Knowledge
from bot.knowledge.query_expansion import party_preference
from bot.knowledge.reading import read, tried


def ask(knowledge: Knowledge, question: str, code: str) -> Answer:
    return knowledge.answerer.ask(question, [code]).answers[0]


def test_when_was_it_set_up_quotes_the_clause_with_the_year(knowledge: Knowledge) -> None:
    assert read("when was the kent partnership set up?").asks_when
    answer = ask(knowledge, "when was the kent partnership set up?", "kent-2007-draft")
    assert "formed in 2002" in answer.citations[0].quote


def test_a_name_of_stop_words_is_defined(knowledge: Knowledge) -> None:
    answer = ask(knowledge, "what is Kent CAN?", "kent-2007-draft")
    assert answer.kind == "clause"
    assert answer.citations[0].quote.startswith("Kent CAN")


def test_what_the_draft_means_by_a_word_is_its_definition(knowledge: Knowledge) -> None:
    answer = ask(knowledge, "what does the draft mean by a compact?", "kent-2007-draft")
    assert answer.citations[0].quote.startswith("Compact - a written agreement")


def test_quoted_words_are_not_corrected(knowledge: Knowledge) -> None:
    assert knowledge.answerer.speller.correct("what is a 'commitment'") == "what is a 'commitment'"
    assert knowledge.answerer.speller.correct("how lnog") == "how long"


def test_the_next_step_follows_what_was_tried(knowledge: Knowledge) -> None:
    text = "we tried talking to the council but got nowhere, who do we go to now?"
    assert tried(text) == "we tried talking to the council but "
    answer = ask(knowledge, text, "west-kent")
    assert answer.citations[0].commitment == "disputes.joint.3"


def test_a_time_limit_for_complaints_is_said_to_be_unset(knowledge: Knowledge) -> None:
    answer = ask(knowledge, "how quickly must kcc deal with our complaint?", "kent-2007-draft")
    assert answer.kind == "no_number"
    assert answer.text.startswith("Kent Partners Compact 2007 draft sets no time limit")


def test_a_figure_for_what_the_compact_never_mentions_is_not_known(
    knowledge: Knowledge,
) -> None:
    answer = ask(knowledge, "how much does the council charge to hire a hall?", "rbkc")
    assert answer.kind == "unknown"


def test_can_we_is_not_the_groups_own_duty(knowledge: Knowledge) -> None:
    assert party_preference("can we include volunteer costs in a bid?") != "vcs"
    question = "can we include volunteer costs when we apply for funding?"
    answer = ask(knowledge, question, "kent-2011")
    assert answer.citations[0].commitment == "volunteering.public.7"


def test_the_groups_own_commitment_answers_what_must_we_do(knowledge: Knowledge) -> None:
    answer = ask(
        knowledge,
        "our funder might pull out completely, what are we supposed to do?",
        "kent-2011",
    )
    assert answer.duty == "vcs"
    assert answer.citations[0].commitment in ("funding.vcs.5", "funding.vcs.6")


def test_a_weak_cue_is_not_a_funding_change(knowledge: Knowledge) -> None:
    result = knowledge.answerer.ask("they turned down our bid and didnt say why", ["rbkc"])
    assert result.topic != "funding_change"
    first = result.answers[0].citations[0].commitment
    assert first in ("programmes.public.5", "programmes.public.3")


def test_a_clause_holding_all_the_question_beats_a_party_preference(
    knowledge: Knowledge,
) -> None:
    answer = ask(knowledge, "we have an underspend, do we have to give it back?", "rbkc")
    assert answer.citations[0].commitment == "programmes.public.7"
