"""Question answering: the right topic, the right clause, never an invented number."""

from __future__ import annotations

import re

import pytest
import question_scoring
from question_scoring import (
    BLIND_SETS,
    QUESTIONS,
    load,
    score_blind,
    score_existing,
    summary,
    tally,
)

import bot.knowledge.search as search_module
from bot.knowledge.ask import Answerer, BadQuestion
from bot.knowledge.knowledge import Knowledge
from bot.knowledge.query_expansion import question_terms
from bot.knowledge.registry import UnknownCompact
from bot.knowledge.search import CompactSearch

FLOORS: dict[str, tuple[int, int]] = {
    "blind": (152, 4),
    "blind-2": (153, 12),
    "blind-3": (179, 26),
    "blind-4": (193, 24),
    "blind-5": (175, 25),
    "blind-6": (181, 15),
    "blind-7": (179, 20),
    "blind-8": (170, 24),
    "dev": (127, 5),
    "dev-2": (120, 3),
    "existing": (82, 2),
}
"""Per set: (right at least, confidently wrong at most), as reached with round 3's learned
calibration (an answer given as ``unsure`` is never counted right).

History of the right counts: blind (166) 153 when blind-2 was written, 164 after keywords
for every commitment and the engine changes judged on dev-2; blind-2 (216, written after the
engine was tuned on blind, never tuned on) 128 as written, 147 before issue 21; blind-3 (258,
written blind before issue 21's work, only its totals looked at) 191 before it, with 53
confidently wrong; dev (150, not blind) 137 and dev-2 (136, not blind) 128 before it;
existing (94) 94.  Issue 21's calibration by the question keys' thresholds turned
confidently wrong answers into ``unsure`` ones: blind-2 46 -> 32, blind-3 53 -> 38,
blind-4 41 (written after it), at the cost of some right answers now given as unsure.

Round 3 (``bot/knowledge/calibration.py``, ``benchmarks/calibrate.py``): a logistic
regression over each confident answer's signals, trained on the spent sets (dev, dev-2,
blind, blind-2 … blind-4, existing), so their figures here are in-sample; its held-out
figures (each set left out of the training in turn) are blind-2 125/20, blind-3 176/28,
blind-4 172/26, existing 83/0.  Against the keys' thresholds: confidently wrong blind-2
32 -> 18, blind-3 38 -> 26, blind-4 41 -> 23, right 137 -> 124, 180 -> 174, 176 -> 169;
existing 93 -> 85, dev 134 -> 128, dev-2 126 -> 119, blind 161 -> 157 (answers of the kinds
the untuned sets get wrong are doubted here too); blind-5 (273, written blind before this
work, only its totals looked at) 171/47/55 -> 163/29/81; blind-6 (273, written blind after
it, scored once) 165/42/66 on main before round 3 -> 164/23/86.

Round 5 (the question keys rank, a second hand of keys; the calibration trained on every
spent set, blind-5 and blind-6 too, so all figures here are in-sample; held out they are in
the README): the sets nobody tuned on rose (blind-2 124 -> 153, blind-4 169 -> 193, blind-5
163 -> 175, blind-6 164 -> 181, confidently wrong blind-2 18 -> 12, blind-6 23 -> 15;
blind-4's one more, 23 -> 24), the tuned ones lost (blind 157/0 -> 152/4, dev 128 -> 127,
existing 85/0 -> 82/2): said, not hidden.  Never trained on: blind-7 (282, written blind
before round 5, only its totals looked at) 146/24/112 -> 179/20/83; blind-8 (286, written
blind after it, scored once) 150/28/108 on main before round 5 -> 170/24/92.  Both far from
issue 21's targets (90% right, 3% confidently wrong)."""


def test_question_sets_are_large_and_cover_every_compact(knowledge: Knowledge) -> None:
    sets = {name: load(folder) for name, folder in BLIND_SETS.items()}
    sets["existing"] = load(QUESTIONS)
    assert len(sets["existing"]) >= 40 and len(sets["blind"]) >= 100
    assert len(sets["blind-2"]) >= 200 and len(sets["blind-3"]) >= 200
    assert len(sets["blind-4"]) >= 200 and len(sets["blind-5"]) >= 200
    assert len(sets["blind-6"]) >= 200
    assert len(sets["dev"]) >= 100 and len(sets["dev-2"]) >= 100
    for questions in sets.values():
        assert {code for code, _ in questions} == set(knowledge.registry.codes)


def test_blind_and_existing_scores(
    knowledge: Knowledge, capsys: pytest.CaptureFixture[str]
) -> None:
    """One test, every score: right, confidently wrong and unsure on the blind sets, the
    development sets and the existing set.

    ``tests/question_scoring.py`` says what counts as correct; run it directly for the
    totals.  The blind sets' misses are never listed here.
    """
    scored = {name: score_blind(knowledge.answerer, folder) for name, folder in BLIND_SETS.items()}
    scored["existing"] = score_existing(knowledge.answerer)
    with capsys.disabled():
        print("\n" + "\n".join(summary(name, s) for name, s in scored.items()))
    for name, (floor, ceiling) in FLOORS.items():
        right, wrong, _unsure = tally(scored[name])
        assert right >= floor, (name, right)
        assert wrong <= ceiling, (name, wrong)


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
    # Other clauses' keys ask about signing up too: said sure or unsure, the clause with the
    # number comes first, and it is never "sets no number".
    assert answer.kind in ("clause", "unsure")
    assert "84 Voluntary and Community Organisations" in answer.citations[0].quote


def test_a_drafts_example_is_called_an_example(knowledge: Knowledge) -> None:
    answer = knowledge.answerer.ask(
        "how many volunteer centres are there?", ["kent-2007-draft"]
    ).answers[0]
    assert answer.citations[0].quote == "E.g. 19 Volunteer Centres/Bureaux"
    assert "example" in answer.text and "a commitment of" not in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "how much notice should we have got?",
        "how much notice should we have been given before they cut our grant?",
        "should they give us notice before ending our funding?",
        "do they have to give us notice before ending our grant?",
    ],
)
def test_what_the_group_is_owed_is_the_public_bodies_duty(
    knowledge: Knowledge, question: str
) -> None:
    answer = knowledge.answerer.ask(question, ["rbkc"]).answers[0]
    assert answer.duty == "public" and answer.kind == "rule"
    assert "3 months" in answer.text and "your group" not in answer.text


@pytest.mark.parametrize(
    "question", ["do we have to consult our members?", "should we consult our users?"]
)
def test_do_we_have_to_asks_about_the_groups_own_duty(knowledge: Knowledge, question: str) -> None:
    answer = knowledge.answerer.ask(question, ["rbkc"]).answers[0]
    assert answer.duty == "vcs"
    assert "your group" in answer.text


def test_a_question_about_the_compact_itself_is_no_ones_duty(knowledge: Knowledge) -> None:
    answer = knowledge.answerer.ask("is the compact legally binding?", ["west-kent"]).answers[0]
    assert answer.duty is None
    assert "legally binding" in answer.citations[0].quote


def test_an_answer_the_question_keys_do_not_back_is_given_as_unsure(
    knowledge: Knowledge,
) -> None:
    """The nearest clauses are quoted, said to be the nearest; the JSON says ``unsure``."""
    result = knowledge.answerer.ask("will the council pay for our christmas party?", ["rbkc"])
    answer = result.answers[0]
    assert answer.kind == "unsure"
    assert answer.text.startswith("I'm not sure this answers it; the nearest clauses")
    assert 2 <= len(answer.citations) <= 3
    assert result.as_json()["answers"][0]["kind"] == "unsure"


def test_a_clause_the_question_keys_back_is_given_with_confidence(knowledge: Knowledge) -> None:
    answer = knowledge.answerer.ask(
        "can we campaign against the council and keep our funding?", ["rbkc"]
    ).answers[0]
    assert answer.kind == "clause"
    assert answer.citations[0].commitment in ("partnership.public.1", "principles.joint.3")


def test_the_full_text_index_is_built_only_when_compacts_must_be_preselected(
    knowledge: Knowledge,
) -> None:
    """A one-shot ask over the five Compacts never needs it; asked for fewer answers than a
    third of them, it is built and used."""
    answerer = Answerer(knowledge.registry, knowledge.pm)
    answerer.ask("can we campaign against the council?", limit=5)
    assert answerer._index is None
    result = answerer.ask("can we campaign against the council?", limit=1)
    assert answerer._index is not None
    assert len(result.answers) == 1 and result.more == len(knowledge.registry.codes) - 1


def test_scoring_takes_any_folder_and_prints_right_wrong_unsure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--set`` scores a folder as it is (a blind set written later runs unchanged)."""
    assert question_scoring.main(["--set", str(BLIND_SETS["dev-2"])]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{BLIND_SETS['dev-2']}: ")
    right, wrong, unsure = (int(n) for n in re.findall(r"(\d+)(?:/136 =| \()", line))
    assert right + wrong + unsure == 136
    assert "right" in line and "confidently wrong" in line and "unsure" in line


def test_a_rule_answers_only_a_question_about_it(knowledge: Knowledge) -> None:
    """ "how many commendations … in the national review?" names the review but asks about
    another clause, whose question keys match it; "how often …?" is the review rule's."""
    answerer = knowledge.answerer
    other = answerer.ask(
        "how many commendations did kent get in the national compact review?", ["kent-2007-draft"]
    ).answers[0]
    assert other.kind != "rule" and other.citations[0].commitment == "foundations.joint.2"
    rule = answerer.ask("how often will the compact be reviewed?", ["kent-2007-draft"]).answers[0]
    assert rule.kind == "rule" and rule.citations[0].commitment == "review.joint.1"


def test_a_doubled_letter_written_once_is_corrected_to_it(knowledge: Knowledge) -> None:
    speller = knowledge.answerer.speller
    assert speller.correct("is the compact legaly binding") == "is the compact legally binding"
    assert speller.correct("a contarct") == "a contract"  # a swap, still before a missing letter
    answer = knowledge.answerer.ask("is the kensington compact legaly binding", ["rbkc"])
    assert "legally binding" in answer.answers[0].citations[0].quote


def test_a_clause_is_found_by_its_question_keys_words(
    knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Words only a clause's question keys hold find it (``search.QUESTION_KEYS``): "mission
    drift" is not in the clause on keeping a group's own aims."""
    registry = knowledge.registry
    rbkc = registry.get("rbkc")

    def first(search: CompactSearch, question: str) -> list[str]:
        return [m.commitment for m in search.rank(question_terms(question))][:5]

    keyed = CompactSearch(rbkc, registry.keywords("rbkc"), registry.questions("rbkc"))
    monkeypatch.setattr(search_module, "QUESTION_KEYS", 0.0)
    plain = CompactSearch(rbkc, registry.keywords("rbkc"), registry.questions("rbkc"))
    question = "mission drift because of council funding"
    assert first(keyed, question)[0] == "partnership.vcs.1"
    assert "partnership.vcs.1" not in first(plain, question)
