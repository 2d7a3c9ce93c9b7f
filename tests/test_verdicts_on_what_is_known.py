"""Issue 22 (findings 1-4): every state the texts speak to can be checked, and each gets the
verdict the text supports and nothing more: funding that already ended, notice after the end,
a consultation or a rationale said to be missing or not known (a conditional verdict, never
the breach label), a draft's example (never a breach), and "prior to" read as before."""

from __future__ import annotations

from datetime import date

import pytest

from bot.chat.replies import format_results
from bot.domain.events import ConsultationLaunched, FundingEnding
from bot.domain.verdicts import VERDICT_LABEL, CheckResult, verdict_label
from bot.knowledge.knowledge import Knowledge

BREACH = VERDICT_LABEL["breach"]


def check(knowledge: Knowledge, code: str, event: object, today: date) -> CheckResult:
    [result] = knowledge.check(event, [knowledge.registry.get(code)], today)  # type: ignore[arg-type]
    return result


# Finding 1 -------------------------------------------------------------------------------


def test_notice_after_the_funding_ended_is_recorded_and_late(knowledge: Knowledge) -> None:
    """The group learns after the fact: RBKC's grant ended 31 March 2026, notice came
    15 April.  It can be checked (the event was refused before), and it is late."""
    event = FundingEnding(
        last_funded_day=date(2026, 3, 31), notice_given_on=date(2026, 4, 15), rationale_given=True
    )
    result = check(knowledge, "rbkc", event, date(2026, 4, 20))
    assert (result.verdict, result.finding) == ("breach", "late")
    said = " ".join(result.reasons)
    assert "This funding has ended: its last funded day was 31 March 2026." in said
    assert (
        "Notice given on 15 April 2026 came 15 days after the funding ended (31 March 2026); "
        "it was due by 31 December 2025, 105 days earlier."
    ) in said
    assert "before this funding ends" not in said


def test_funding_that_ended_with_no_notice_says_it_ended(knowledge: Knowledge) -> None:
    event = FundingEnding(last_funded_day=date(2026, 3, 31), rationale_given=True)
    result = check(knowledge, "rbkc", event, date(2026, 4, 20))
    assert (result.verdict, result.finding) == ("breach", "missed")
    assert any(
        "No notice is recorded and the funding ended on 31 March 2026" in r for r in result.reasons
    )
    # Under a "usually" the same is short of what was asked, never a breach.
    soft = check(knowledge, "perth-kinross", event, date(2026, 4, 20))
    assert soft.verdict == "short"


# Finding 2 -------------------------------------------------------------------------------

# Kent 2011, ending 30 April 2027, seen on 7 December 2026 (five months ahead): notice due by
# 31 January 2027, so the 3-month consultation "prior to" it had to start by 30 October 2026.
KENT_ENDS, KENT_TODAY = date(2027, 4, 30), date(2026, 12, 7)


def test_a_consultation_not_known_to_have_started_gives_a_conditional_verdict(
    knowledge: Knowledge,
) -> None:
    unknown = check(knowledge, "kent-2011", FundingEnding(last_funded_day=KENT_ENDS), KENT_TODAY)
    assert (unknown.verdict, unknown.finding) == ("conditional", "consultation_unknown")
    assert verdict_label(unknown) != BREACH and unknown.verdict != "breach"
    said = " ".join(unknown.reasons)
    assert "if no consultation has started, the Compact's timetable is already missed" in said
    assert "30 October 2026" in said
    assert BREACH not in format_results([unknown])

    none = FundingEnding(last_funded_day=KENT_ENDS, consulted=False)
    said_none = check(knowledge, "kent-2011", none, KENT_TODAY)
    assert (said_none.verdict, said_none.finding) == ("breach", "consultation_missed")
    assert any("You said no consultation has started" in r for r in said_none.reasons)

    started = FundingEnding(last_funded_day=KENT_ENDS, consultation_started_on=date(2026, 10, 1))
    assert check(knowledge, "kent-2011", started, KENT_TODAY).verdict == "meets"
    # Said to have started, its day not given: in time or late turns on that day.
    undated = FundingEnding(last_funded_day=KENT_ENDS, consulted=True)
    assert check(knowledge, "kent-2011", undated, KENT_TODAY).verdict == "conditional"


def test_nothing_turns_on_a_consultation_before_its_start_deadline(knowledge: Knowledge) -> None:
    event = FundingEnding(
        last_funded_day=date(2027, 9, 30)
    )  # notice by 30 June 2027: start by 29 March
    result = check(knowledge, "kent-2011", event, KENT_TODAY)
    assert result.verdict == "meets"
    # ... and the check says what it becomes once that day passes with nothing recorded.
    assert next((lapse.after, lapse.verdict) for lapse in result.lapses) == (
        date(2027, 3, 29),
        "conditional",
    )


@pytest.mark.parametrize("code", ["rbkc", "kent-2011"])
def test_a_rationale_given_not_given_or_not_known(knowledge: Knowledge, code: str) -> None:
    def with_rationale(given: bool | None) -> CheckResult:
        event = FundingEnding(
            last_funded_day=date(2027, 6, 30),
            notice_given_on=date(2027, 1, 4),
            consultation_started_on=date(2026, 9, 1),
            rationale_given=given,
        )
        return check(knowledge, code, event, date(2027, 1, 10))

    assert with_rationale(True).verdict == "meets"
    missing = with_rationale(False)
    assert (missing.verdict, missing.finding) == ("breach", "no_rationale")
    assert "no rationale given" in verdict_label(missing)
    unknown = with_rationale(None)
    assert (unknown.verdict, unknown.finding) == ("conditional", "rationale_unknown")
    assert any("if none did, that falls short" in r for r in unknown.reasons)
    assert verdict_label(unknown) != BREACH


def test_a_compact_that_asks_no_rationale_never_turns_on_one(knowledge: Knowledge) -> None:
    event = FundingEnding(last_funded_day=date(2027, 6, 30), notice_given_on=date(2026, 12, 1))
    assert check(knowledge, "perth-kinross", event, date(2026, 12, 7)).verdict == "meets"


# Finding 3 -------------------------------------------------------------------------------


def test_below_the_drafts_example_minimum_is_never_a_breach(knowledge: Knowledge) -> None:
    """Kent 2007 draft: "12 weeks consultation ... with a minimum of 8 weeks" stands under
    "For example:" (source 003, lines 403-406)."""
    event = ConsultationLaunched(opens=date(2027, 1, 4), closes=date(2027, 2, 22))  # 7 weeks
    result = check(knowledge, "kent-2007-draft", event, date(2026, 12, 7))
    assert result.verdict != "breach" and result.finding == "below_minimum"
    assert verdict_label(result).startswith("📝 below the draft's example minimum")
    said = " ".join(result.reasons)
    assert "not an agreed term" in said and "no breach" in said
    assert "is a consultation draft: its numbers are proposals, not agreed terms" in said
    assert BREACH not in format_results([result])
    # A firm minimum elsewhere keeps its breach label: RBKC's notice, say.
    late = FundingEnding(last_funded_day=date(2027, 6, 30), notice_given_on=date(2027, 4, 2))
    assert verdict_label(check(knowledge, "rbkc", late, date(2027, 4, 5))) == BREACH


def test_answers_about_the_draft_say_it_is_a_draft(knowledge: Knowledge) -> None:
    below = knowledge.answerer.ask("is a 6 week consultation ok?", ["kent-2007-draft"]).answers[0]
    assert "not allowed" not in below.text
    assert "below the draft's example minimum" in below.text and "draft" in below.text
    option = knowledge.answerer.ask(
        "do compacts give partners enforceable rights?", ["kent-2007-draft"]
    ).answers[0]
    assert "a commitment of" not in option.text
    assert "consultation draft" in option.text and "not agreed" in option.text


# Finding 4 -------------------------------------------------------------------------------


def test_prior_to_means_before(knowledge: Knowledge) -> None:
    """Kent 2011: "a three month period of consultation ... prior to a minimum of three months
    written notice".  A consultation from 1 December 2026 ends on 1 March 2027: notice that
    day is not after it; the next day it is."""

    def notice_on(day: date) -> CheckResult:
        event = FundingEnding(
            last_funded_day=date(2027, 6, 30),
            consultation_started_on=date(2026, 12, 1),
            notice_given_on=day,
            rationale_given=True,
        )
        return check(knowledge, "kent-2011", event, date(2027, 3, 5))

    same_day = notice_on(date(2027, 3, 1))
    assert (same_day.verdict, same_day.finding) == ("breach", "notice_before_consultation")
    assert any(
        "Notice came on the day the consultation's 3 months ended" in r
        and "could not come before 2 March 2027" in r
        for r in same_day.reasons
    )
    assert notice_on(date(2027, 3, 2)).verdict == "meets"
    # The start deadline follows: over by 30 March at the latest for notice by 31 March.
    plain = check(
        knowledge, "kent-2011", FundingEnding(last_funded_day=date(2027, 6, 30)), KENT_TODAY
    )
    assert plain.deadlines == {
        "notice_by": date(2027, 3, 31),
        "consultation_start_by": date(2026, 12, 30),
    }
