"""Verdicts each Compact's text implies, through the real plugin manager and hooks."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.events import (
    ComplaintRaised,
    ConsultationClosed,
    ConsultationLaunched,
    FundingEnding,
)
from bot.domain.verdicts import CheckResult, strictest
from bot.knowledge.knowledge import Knowledge

TODAY = date(2026, 11, 25)


def check(knowledge: Knowledge, code: str, event: object, today: date = TODAY) -> CheckResult:
    results = knowledge.check(event, [knowledge.registry.get(code)], today)  # type: ignore[arg-type]
    assert len(results) == 1
    return results[0]


def consultation(opens: date, closes: date, **kw: object) -> ConsultationLaunched:
    return ConsultationLaunched(title="Library review", opens=opens, closes=closes, **kw)  # type: ignore[arg-type]


# Consultation length -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "weeks", "days_extra", "verdict"),
    [
        ("kent-2011", 12, 0, "meets"),
        ("kent-2011", 12, -1, "explain"),  # "clear explanations and rationale for shorter"
        ("kent-2011", 3, 0, "explain"),  # no hard minimum
        ("rbkc", 12, 0, "meets"),
        ("rbkc", 5, 0, "short"),  # "acceptable when circumstances dictate": no explanation
        ("west-kent", 12, 0, "meets"),
        ("west-kent", 8, 0, "short"),  # "wherever possible"; nothing attached above 6 weeks
        ("west-kent", 5, 0, "explain"),  # below 6: "we will explain why" (not a hard floor)
        ("kent-2007-draft", 12, 0, "meets"),
        ("kent-2007-draft", 10, 0, "short"),  # the draft does not say reasons are owed
        ("kent-2007-draft", 8, -1, "short"),  # below the draft's example minimum: never a breach
        ("perth-kinross", 2, 0, "no_rule"),
    ],
)
def test_consultation_verdicts(
    knowledge: Knowledge, code: str, weeks: int, days_extra: int, verdict: str
) -> None:
    opens = date(2026, 12, 1)
    closes = date.fromordinal(opens.toordinal() + 7 * weeks + days_extra)
    result = check(knowledge, code, consultation(opens, closes))
    assert result.verdict == verdict, result.reasons
    assert result.length_days == 7 * weeks + days_extra
    assert result.citations, "every verdict cites its clause"


def test_consultation_reasons_and_reminders(knowledge: Knowledge) -> None:
    result = check(knowledge, "kent-2011", consultation(date(2026, 12, 1), date(2027, 1, 5)))
    assert result.deadlines["standard_close"] == date(2027, 2, 23)
    assert "49 days short of the 12 weeks" in result.reasons[0]
    assert "12 week written consultations" in result.citations[0].quote
    dues = [(r.due, r.key) for r in result.reminders]
    assert dues[:3] == [
        (date(2026, 12, 22), "close-14"),
        (date(2026, 12, 29), "close-7"),
        (date(2027, 1, 4), "close-1"),
    ]
    # On close, feedback is owed (Kent 2011 promises feedback, without a time).
    assert dues[3] == (date(2027, 1, 6), "feedback-kent-2011")


def test_west_kent_counts_earlier_rounds_toward_its_total(knowledge: Knowledge) -> None:
    opens, closes = date(2027, 1, 4), date(2027, 2, 15)  # 6 weeks
    alone = check(knowledge, "west-kent", consultation(opens, closes))
    assert alone.verdict == "short"
    with_rounds = check(knowledge, "west-kent", consultation(opens, closes, earlier_rounds_days=42))
    assert with_rounds.verdict == "meets"
    assert with_rounds.deadlines["standard_close"] == closes  # 42 + 42 = 84 days
    # 70 days earlier and a 4-week round: the total is met, the round is below 6 weeks.
    short_round = check(
        knowledge, "west-kent", consultation(opens, date(2027, 2, 1), earlier_rounds_days=70)
    )
    assert short_round.verdict == "explain"
    assert any("any single formal consultation period" in r for r in short_round.reasons)
    assert any("an explanation is owed" in r for r in short_round.reasons)


def test_west_kent_rounds_example_of_the_issue(knowledge: Knowledge) -> None:
    """Earlier rounds of 28 days, this round 1 Feb-15 Mar 2027 (42 days): 70 of 84 days,
    14 days short, close on or after 29 Mar 2027; the round meets the 6-week minimum."""
    event = consultation(date(2027, 2, 1), date(2027, 3, 15), earlier_rounds_days=28)
    result = check(knowledge, "west-kent", event)
    assert result.length_days == 42
    assert result.deadlines["standard_close"] == date(2027, 3, 29)
    assert result.deadlines["minimum_close"] == date(2027, 3, 15)
    assert result.demand_date == date(2027, 3, 29)
    assert result.verdict == "short"  # "wherever possible", nothing attached above 6 weeks
    said = " ".join(result.reasons)
    assert "totals 70 of the 84 days" in said and "14 days short" in said
    assert "29 March 2027" in said
    # The round alone (42 of 84 days: 42 short) is never the figure given.
    assert "42 days short" not in said and "49 days short" not in said
    assert "explanation is owed" not in said
    # A round below 6 weeks is below the minimum whatever the total.
    big_total = consultation(date(2027, 2, 1), date(2027, 3, 8), earlier_rounds_days=200)
    below = check(knowledge, "west-kent", big_total)
    assert below.verdict == "explain"
    assert below.deadlines["standard_close"] == date(2027, 2, 1)  # never before it opens
    assert below.demand_days == 42  # the 6-week round, not a negative total


def test_kent_draft_leaves_out_only_what_the_group_says_is_statutory(
    knowledge: Knowledge,
) -> None:
    said = ConsultationLaunched(
        title="Licensing policy", opens=date(2027, 1, 4), closes=date(2027, 1, 25), statutory=True
    )
    result = check(knowledge, "kent-2007-draft", said)
    assert (result.verdict, result.finding) == ("no_rule", "excluded")
    quote = result.citations[0].quote
    assert "required as statute" in quote
    assert quote.endswith(
        "The requirements of statute and performance indicators must take preference and as "
        "such are not covered by this code."
    )
    assert result.deadlines == {} and result.reminders == [] and result.notes == []
    assert result.demand_days is None
    # Title words never make it statutory.
    for title in ("Highways and transport strategy refresh", "Planning application for Oak Lane"):
        event = ConsultationLaunched(title=title, opens=date(2027, 1, 4), closes=date(2027, 1, 25))
        assert check(knowledge, "kent-2007-draft", event).verdict == "short"  # 3 weeks < 8
    # Other Compacts have no such exclusion: the group's word changes nothing there.
    assert check(knowledge, "kent-2011", said).verdict == "explain"


def test_several_compacts_name_the_strictest(knowledge: Knowledge) -> None:
    event = consultation(date(2026, 12, 1), date(2027, 1, 5))
    compacts = knowledge.registry.resolve(["kent-2011", "west-kent", "kent-2007-draft"])
    results = knowledge.check(event, compacts, TODAY)
    assert [r.compact for r in results] == ["kent-2011", "west-kent", "kent-2007-draft"]
    # All three ask for a close on 23 Feb 2027; Kent 2011's "Conduct 12 week written
    # consultations" is firmer than "wherever possible" and than a draft's example.
    assert {r.demand_date for r in results} == {date(2027, 2, 23)}
    top = strictest(results)
    assert top is not None and top.compact == "kent-2011"


# Funding ---------------------------------------------------------------------------------


def test_kent_2011_three_months_consultation_before_three_months_notice(
    knowledge: Knowledge,
) -> None:
    event = FundingEnding(title="Youth grant", last_funded_day=date(2027, 6, 30))
    result = check(knowledge, "kent-2011", event)
    assert result.verdict == "meets"
    assert result.deadlines == {
        "notice_by": date(2027, 3, 31),  # 31 Mar + 3 months = 30 Jun
        # "prior to" notice: over by 30 March at the latest, so started by 30 December
        "consultation_start_by": date(2026, 12, 30),
    }
    assert any("in writing" in r for r in result.reasons)
    keys = {r.key for r in result.reminders}
    assert {"consult-14", "consult-7", "consult-1", "notice-14", "notice-7", "notice-1"} <= keys


def test_kent_2011_consultation_must_finish_before_notice(knowledge: Knowledge) -> None:
    event = FundingEnding(
        last_funded_day=date(2027, 6, 30),
        consultation_started_on=date(2026, 12, 1),
        notice_given_on=date(2027, 1, 15),
    )
    result = check(knowledge, "kent-2011", event)
    assert result.verdict == "breach"
    assert result.finding == "notice_before_consultation"
    assert any(
        "Notice came 45 days after the consultation started, before its 3 months were up" in r
        and "could not come before 2 March 2027" in r
        for r in result.reasons
    )


def test_missed_notice_deadline_is_a_breach(knowledge: Knowledge) -> None:
    event = FundingEnding(last_funded_day=date(2027, 1, 31))
    result = check(knowledge, "rbkc", event, today=TODAY)
    assert result.deadlines["notice_by"] == date(2026, 10, 31)
    assert result.verdict == "breach"
    late = FundingEnding(last_funded_day=date(2027, 6, 30), notice_given_on=date(2027, 4, 2))
    assert check(knowledge, "rbkc", late).verdict == "breach"
    on_time = FundingEnding(
        last_funded_day=date(2027, 6, 30), notice_given_on=date(2027, 3, 31), rationale_given=True
    )
    assert check(knowledge, "rbkc", on_time).verdict == "meets"


def test_perth_kinross_six_months_is_usual_not_a_floor(knowledge: Knowledge) -> None:
    late = FundingEnding(last_funded_day=date(2027, 6, 30), notice_given_on=date(2027, 3, 1))
    result = check(knowledge, "perth-kinross", late)
    assert result.deadlines["notice_by"] == date(2026, 12, 31)  # 31 Dec + 6 months = 30 Jun
    assert result.verdict == "short"  # nothing attached to a shorter warning: not "explain"
    said = " ".join(result.reasons)
    assert "usually 6 months" in said and "should usually be given by 31 December 2026" in said
    assert "must" not in said and "explanation is owed" not in said


def test_west_kent_sets_no_notice_period(knowledge: Knowledge) -> None:
    result = check(knowledge, "west-kent", FundingEnding(last_funded_day=date(2027, 6, 30)))
    assert result.verdict == "no_rule"
    assert result.deadlines == {"consultation_start_by": None, "notice_by": None}
    assert result.reminders == []


# Complaints and feedback ---------------------------------------------------------------


def test_rbkc_complaint_procedures(knowledge: Knowledge) -> None:
    public = check(knowledge, "rbkc", ComplaintRaised(against="public", raised_on=TODAY))
    assert [s.n for s in public.steps] == [1, 2, 3, 4, 5]
    assert "Kensington and Chelsea Social Council" in public.steps[0].text
    assert "independent arbiter" in public.steps[-1].text
    vcs = check(knowledge, "rbkc", ComplaintRaised(against="vcs", raised_on=TODAY))
    assert len(vcs.steps) == 3 and "Trustees" in vcs.steps[0].text


def test_west_kent_complaint_has_no_reply_deadline_from_its_correspondence_aim(
    knowledge: Knowledge,
) -> None:
    result = check(knowledge, "west-kent", ComplaintRaised(against="public", raised_on=TODAY))
    assert result.verdict == "procedure"
    assert "reply_by" not in result.deadlines and result.reminders == []
    assert result.demand_days is None
    assert "discussion" in result.steps[0].text
    aside = [r for r in result.reasons if "correspondence aim" in r]
    assert aside and "not a deadline for complaints" in aside[0]


def test_kent_2011_sets_no_complaint_procedure(knowledge: Knowledge) -> None:
    result = check(knowledge, "kent-2011", ComplaintRaised(against="public", raised_on=TODAY))
    assert result.verdict == "no_rule" and result.steps == []


def test_feedback_after_close(knowledge: Knowledge) -> None:
    closed = ConsultationClosed(title="Library review", closed_on=TODAY)
    assert check(knowledge, "rbkc", closed).verdict == "meets"
    assert check(knowledge, "west-kent", closed).verdict == "no_rule"


def test_bank_holiday_notes_for_each_nation(knowledge: Knowledge) -> None:
    # 2 January 2029 is a bank holiday in Scotland only; 25 December everywhere.
    scot = check(knowledge, "perth-kinross", FundingEnding(last_funded_day=date(2029, 7, 2)))
    assert scot.deadlines["notice_by"] == date(2029, 1, 2)
    assert any("bank holiday in Scotland" in n for n in scot.notes)
    eng = check(knowledge, "kent-2011", consultation(date(2026, 10, 2), date(2026, 12, 25)))
    assert any("Christmas" in n for n in eng.notes)
    plain = check(knowledge, "kent-2011", consultation(date(2026, 9, 30), date(2026, 12, 23)))
    assert not plain.notes
