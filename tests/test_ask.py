"""Question answering: the right topic, the right clause, never an invented number."""

from __future__ import annotations

import pytest
from question_scoring import (
    BLIND,
    BLIND_2,
    DEV,
    DEV_2,
    QUESTIONS,
    load,
    score_blind,
    score_existing,
    summary,
)

from bot.knowledge.ask import BadQuestion
from bot.knowledge.knowledge import Knowledge
from bot.knowledge.registry import UnknownCompact

BLIND_FLOOR = 164
"""Blind questions answered correctly (of 166): 153 when blind-2 was written, 162 after the
Compacts' own statements were quoted and keywords written for every commitment, 164 after
the engine changes judged on dev-2."""
EXISTING_FLOOR = 94
"""Existing questions answered correctly (of 94) before the blind set was used."""
DEV_FLOOR = 137
"""Development questions answered correctly (of 150; written by the developer who then
worked on the data and engine, so not blind): 64 before that work, 122 after it, 137 after
the engine changes judged on dev-2 (164 with the last of them)."""
BLIND_2_FLOOR = 145
"""Second blind set (216, written after the engine was tuned on the first): 128 as it was
written; 145 after data and engine changes made without looking at it (never tuned on)."""
DEV_2_FLOOR = 128
"""Second development questions answered correctly (of 136; written like ``dev``, by a
developer who had read the engine, before the changes they judged): 102 when written, 128
after generic engine changes (ranking, word readings, synonyms; no data changes)."""


def test_question_sets_are_large_and_cover_every_compact(knowledge: Knowledge) -> None:
    existing, blind, blind_2, dev = load(QUESTIONS), load(BLIND), load(BLIND_2), load(DEV)
    dev_2 = load(DEV_2)
    assert len(existing) >= 40 and len(blind) >= 100 and len(blind_2) >= 200 and len(dev) >= 100
    assert len(dev_2) >= 100
    for questions in (existing, blind, blind_2, dev, dev_2):
        assert {code for code, _ in questions} == set(knowledge.registry.codes)


def test_blind_and_existing_scores(
    knowledge: Knowledge, capsys: pytest.CaptureFixture[str]
) -> None:
    """One test, every score: the two blind sets (frozen), the existing set and the two
    development sets.

    ``tests/question_scoring.py`` says what counts as correct; run it directly to list
    the misses.
    """
    blind = score_blind(knowledge.answerer)
    blind_2 = score_blind(knowledge.answerer, BLIND_2)
    existing = score_existing(knowledge.answerer)
    dev = score_blind(knowledge.answerer, DEV)
    dev_2 = score_blind(knowledge.answerer, DEV_2)
    with capsys.disabled():
        print(
            "\n"
            + "\n".join(
                summary(n, s)
                for n, s in (
                    ("blind", blind),
                    ("blind-2", blind_2),
                    ("existing", existing),
                    ("dev", dev),
                    ("dev-2", dev_2),
                )
            )
        )
    assert sum(s.ok for s in blind) >= BLIND_FLOOR, [s.question for s in blind if not s.ok]
    assert sum(s.ok for s in blind_2) >= BLIND_2_FLOOR
    assert sum(s.ok for s in existing) >= EXISTING_FLOOR, [s.question for s in existing if not s.ok]
    assert sum(s.ok for s in dev) >= DEV_FLOOR, [s.question for s in dev if not s.ok]
    assert sum(s.ok for s in dev_2) >= DEV_2_FLOOR, [s.question for s in dev_2 if not s.ok]


def test_rbkc_notice_cites_three_months_written_notice(knowledge: Knowledge) -> None:
    result = knowledge.answerer.ask("how much notice before they end our grant?", ["rbkc"])
    answer = result.answers[0]
    assert answer.compact == "rbkc"
    assert answer.topic == "funding_change"
    assert "3 months" in answer.text and "in writing" in answer.text
    assert "three months' notice in writing" in answer.citations[0].quote


def test_consultation_answer_gives_the_figure_and_clause_per_compact(
    knowledge: Knowledge,
) -> None:
    result = knowledge.answerer.ask("how long must a consultation be?")
    by_code = {a.compact: a for a in result.answers}
    assert set(by_code) == set(knowledge.registry.codes)
    assert "12 weeks" in by_code["kent-2011"].text
    assert "12 week written consultations" in by_code["kent-2011"].citations[0].quote
    assert "minimum is 6 weeks" in by_code["west-kent"].text
    assert "minimum is 8 weeks" in by_code["kent-2007-draft"].text
    assert "proposals" in by_code["kent-2007-draft"].text
    # Best first: adopted Compacts with a number before the draft, and the one without last.
    assert result.answers[-1].compact == "perth-kinross"
    assert result.answers[0].kind == "rule" and result.answers[0].compact != "kent-2007-draft"


def test_no_number_is_said_not_invented(knowledge: Knowledge) -> None:
    answer = knowledge.answerer.ask("how many weeks must a consultation last?", ["perth-kinross"])
    first = answer.answers[0]
    assert first.kind == "no_number"
    assert "sets no length" in first.text
    assert not any(ch.isdigit() for ch in first.text.split(".")[0])


def test_duration_in_question_is_judged(knowledge: Knowledge) -> None:
    answer = knowledge.answerer.ask(
        "they gave us 5 weeks for a consultaton, is that ok?", ["kent-2011"]
    ).answers[0]
    assert answer.topic == "consultation"
    assert "5 weeks is shorter than the 12 weeks standard" in answer.text
    below = knowledge.answerer.ask("is 5 weeks ok for a consultation?", ["kent-2007-draft"])
    # The draft's 8 weeks stands under "For example:": below it is never "not allowed".
    assert "below the draft's example minimum" in below.answers[0].text
    assert "not allowed" not in below.answers[0].text
    notice = knowledge.answerer.ask(
        "they gave us 2 months notice our grant ends, allowed?", ["rbkc"]
    ).answers[0]
    assert "2 months' notice is less than the Compact requires" in notice.text
    usual = knowledge.answerer.ask(
        "they gave us 2 months notice our grant ends, allowed?", ["perth-kinross"]
    ).answers[0]
    assert "less than the usual period" in usual.text


def test_typos_are_tolerated(knowledge: Knowledge) -> None:
    answer = knowledge.answerer.ask("how lnog is a consulation suposed to be", ["rbkc"])
    assert answer.topic == "consultation"
    assert answer.answers[0].citations[0].commitment == "partnership.public.5"


def test_unanswerable_question_is_an_honest_dont_know(knowledge: Knowledge) -> None:
    result = knowledge.answerer.ask("what colour is the mayor's car?")
    assert result.topic is None
    assert all(a.kind == "unknown" for a in result.answers)
    assert all(a.text.startswith("I don't know") for a in result.answers)


def test_compact_filter_and_bad_input(knowledge: Knowledge) -> None:
    only = knowledge.answerer.ask("how long must a consultation be?", ["west-kent"])
    assert [a.compact for a in only.answers] == ["west-kent"]
    with pytest.raises(UnknownCompact):
        knowledge.answerer.ask("how long?", ["atlantis"])
    with pytest.raises(BadQuestion):
        knowledge.answerer.ask("   ")
    with pytest.raises(BadQuestion, match="10,000 characters"):
        knowledge.answerer.ask("x" * 10_000)


def test_every_commitment_has_paraphrase_keywords(knowledge: Knowledge) -> None:
    for code in knowledge.registry.codes:
        keywords = knowledge.registry.keywords(code)
        missing = [c.id for c in knowledge.registry.get(code).commitments if not keywords.get(c.id)]
        assert missing == [], code


def test_a_statement_about_the_compact_is_nobodys_duty(knowledge: Knowledge) -> None:
    answer = knowledge.answerer.ask("is the compact legally binding?", ["rbkc"]).answers[0]
    assert answer.kind == "clause"
    assert "not a legally binding document" in answer.citations[0].quote
    assert answer.duty is None and "commitment" not in answer.text


def test_what_is_x_quotes_the_definition(knowledge: Knowledge) -> None:
    answer = knowledge.answerer.ask("what does full cost recovery mean?", ["kent-2011"]).answers[0]
    assert answer.citations[0].quote.startswith("Full Cost Recovery - ")
    compact = knowledge.answerer.ask("what is the kensington and chelsea compact for?", ["rbkc"])
    assert compact.answers[0].citations[0].quote.startswith("The Kensington and Chelsea Compact")


def test_how_many_prefers_a_clause_with_a_number(knowledge: Knowledge) -> None:
    answer = knowledge.answerer.ask(
        "how many voluntary organisations signed up?", ["west-kent"]
    ).answers[0]
    assert answer.kind == "clause"
    assert "84 Voluntary and Community Organisations" in answer.citations[0].quote


def test_a_drafts_example_is_called_an_example(knowledge: Knowledge) -> None:
    answer = knowledge.answerer.ask(
        "how many volunteer centres are there?", ["kent-2007-draft"]
    ).answers[0]
    assert answer.citations[0].quote == "E.g. 19 Volunteer Centres/Bureaux"
    assert "example" in answer.text and "a commitment of" not in answer.text
