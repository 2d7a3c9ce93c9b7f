"""Whose duty an answer states, which numbers in a question are judged, and what a rule
covers; every commitment reachable; only the answers shown are built."""

from __future__ import annotations

import pytest

from bot.knowledge.knowledge import Knowledge
from bot.knowledge.reading import read


def ask(knowledge: Knowledge, question: str, code: str):  # type: ignore[no-untyped-def]
    return knowledge.answerer.ask(question, [code]).answers[0]


# --- whose duty --------------------------------------------------------------------------


def test_a_figure_says_whose_duty_it_is(knowledge: Knowledge) -> None:
    public = ask(knowledge, "how much notice before they end our grant?", "rbkc")
    assert "the public bodies' duty" in public.text and public.duty == "public"
    joint = ask(knowledge, "how much notice before they end our grant?", "kent-2011")
    assert "a duty of both sides" in joint.text and joint.duty == "joint"
    letters = ask(knowledge, "how long does the council have to reply to our email?", "west-kent")
    assert "both sides" in letters.text and "2 weeks" in letters.text


def test_own_notice_is_the_groups_duty_and_says_no_figure_first(knowledge: Knowledge) -> None:
    answer = ask(
        knowledge,
        "how much notice do we have to give if we want to end our contract with the council?",
        "rbkc",
    )
    assert answer.kind == "no_number" and answer.duty == "vcs"
    first = answer.text.split(".")[0]
    assert "sets your group no notice period" in first and not any(ch.isdigit() for ch in first)
    assert answer.citations[0].commitment == "programmes.vcs.11"
    # The public bodies' figure comes after, named as theirs.
    assert "For the public bodies it sets this" in answer.text and "3 months" in answer.text


def test_own_notice_where_the_compact_sets_the_group_nothing(knowledge: Knowledge) -> None:
    answer = ask(
        knowledge,
        "How much notice do we have to give the council if we want to stop delivering a "
        "service they fund?",
        "perth-kinross",
    )
    assert answer.kind == "no_number" and answer.duty == "vcs"
    # The group's nearest own commitment may be quoted after it; no figure is the group's.
    first = answer.text.split(". ")[0]
    assert first.startswith("Perth & Kinross Compact sets your group no notice period")
    assert not any(ch.isdigit() for ch in first)
    assert "For the public bodies it sets this" in answer.text and "6 months" in answer.text


def test_a_joint_rule_binds_the_group_too(knowledge: Knowledge) -> None:
    answer = ask(
        knowledge,
        "we want to hand our contract back to the council early - how much notice must WE give?",
        "kent-2011",
    )
    assert answer.kind == "rule" and answer.citations[0].commitment == "funding.joint.4"
    assert "a duty of both sides" in answer.text


def test_json_answers_carry_whose_duty(knowledge: Knowledge) -> None:
    data = knowledge.answerer.ask("how long must a consultation be?", ["kent-2011"]).as_json()
    assert data["answers"][0]["duty"] == "public"
    assert data["more"] == 0


# --- numbers in questions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "proposed", "named"),
    [
        ("they gave us 4 weeks to respond, is that allowed?", 4, []),
        ("is 5 weeks ok for a consultation?", 5, []),
        ("we wrote 3 weeks ago and heard nothing", 3, []),
        ("is the 12 weeks an absolute minimum?", None, [12]),
        ("does the 12 week rule apply to planning applications?", None, [12]),
        ("is the six months a legal minimum?", None, [6]),
        ("council gave us 3 weeks. isnt 12 weeks the rule?", 3, [12]),
        ("we keep 6 months running costs in reserve, is that fair?", None, []),
    ],
)
def test_only_periods_put_forward_are_proposals(
    question: str, proposed: int | None, named: list[int]
) -> None:
    reading = read(question)
    assert (reading.proposed.amount if reading.proposed else None) == proposed
    assert [p.amount for p in reading.referenced] == named


def test_a_question_about_the_rule_is_not_judged_against_it(knowledge: Knowledge) -> None:
    answer = ask(knowledge, "is the 12 weeks an absolute minimum?", "rbkc")
    assert "So 12 weeks" not in answer.text
    assert "wherever possible" in answer.text and "circumstances dictate" in answer.text
    usual = ask(knowledge, "is the six months a legal minimum?", "perth-kinross")
    assert "So 6 months" not in usual.text and "not a guaranteed minimum" in usual.text


def test_scope_question_quotes_the_exclusion(knowledge: Knowledge) -> None:
    answer = ask(
        knowledge, "Does the 12 week rule apply to planning applications?", "kent-2007-draft"
    )
    assert answer.citations[0].commitment == "consultation.scope"
    assert "planning applications" in answer.citations[0].quote
    assert "proposals" in answer.text


def test_a_proposed_period_is_still_judged(knowledge: Knowledge) -> None:
    answer = ask(
        knowledge, "KCC have only given us 4 weeks to respond, is that allowed?", "kent-2011"
    )
    assert "So 4 weeks is shorter than the 12 weeks standard" in answer.text


# --- clauses beyond the numeric rules ------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "code", "first"),
    [
        ("will the council pay us up front or in arrears", "kent-2011", "funding.public.14"),
        (
            "can we still criticise the council when they give us a grant?",
            "west-kent",
            "principles.joint.3",
        ),
        (
            "who do we contact at the council about compact stuff?",
            "west-kent",
            "joint.11 communication.public.2",
        ),
        ("do we have to take part in council consultations?", "rbkc", "equality.vcs.5"),
    ],
)
def test_non_numeric_questions_find_their_clause(
    knowledge: Knowledge, question: str, code: str, first: str
) -> None:
    """``first``: the clause(s), any one of which answers it."""
    answer = ask(knowledge, question, code)
    assert answer.kind == "clause"
    assert answer.citations[0].commitment in first.split()


def test_what_the_compact_does_not_cover_is_an_honest_dont_know(knowledge: Knowledge) -> None:
    answer = ask(
        knowledge, "can our volunteers claim mileage under the compact?", "kent-2007-draft"
    )
    assert answer.kind == "unknown" and answer.text.startswith("I don't know")


def test_a_clause_without_a_figure_is_no_number_when_a_figure_is_asked(
    knowledge: Knowledge,
) -> None:
    answer = ask(
        knowledge, "do we have to send back the monitoring forms, and by when?", "west-kent"
    )
    assert answer.kind == "no_number"
    assert answer.text.startswith("West Kent Compact sets no deadline for this")
    assert answer.citations[0].commitment == "funding.vcs.3"


def test_every_commitment_is_reachable_by_its_own_words(knowledge: Knowledge) -> None:
    """Asked in a clause's own words, the answer quotes that clause first (or a clause of
    the same words), for all but a few clauses that a rule's answer stands in for."""
    total, missed = 0, []
    for code in knowledge.registry.codes:
        compact = knowledge.registry.get(code)
        same: dict[str, set[str]] = {}
        for c in compact.commitments:
            same.setdefault(c.quote, set()).add(c.id)
        for c in compact.commitments:
            total += 1
            answer = knowledge.answerer.ask(c.quote[:999], [code]).answers[0]
            cited = [x.commitment for x in answer.citations]
            if not cited or cited[0] not in same[c.quote]:
                missed.append(f"{code} {c.id}")
    assert total >= 400
    assert len(missed) <= total * 0.03, missed


# --- only what is shown is built -----------------------------------------------------------


def test_limit_builds_only_the_answers_shown(knowledge: Knowledge) -> None:
    result = knowledge.answerer.ask("how long must a consultation be?", limit=2)
    assert len(result.answers) == 2 and result.more == 3
    assert all(a.kind == "rule" for a in result.answers)
    assert {a.compact for a in result.answers} <= {"kent-2011", "west-kent", "rbkc"}


def test_one_stray_shared_word_answers_nothing(knowledge: Knowledge) -> None:
    result = knowledge.answerer.ask("what colour is the sky?")
    assert all(a.kind == "unknown" for a in result.answers)


def test_report_formats_offered_by_the_command_line_are_the_renderers() -> None:
    from bot.frontends.cli import build_parser
    from bot.records.report_formats import FORMATS

    args = build_parser().parse_args(["report", "--db", "x", "--chat", "1"])
    report = build_parser()._subparsers._group_actions[0].choices["report"]  # type: ignore[union-attr]
    formats = next(a for a in report._actions if a.dest == "format")
    assert tuple(formats.choices or ()) == FORMATS and args.format == "md"
