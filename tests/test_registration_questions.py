"""The guided registration asks what a followed Compact needs to know, and nothing more:
earlier formal rounds for West Kent (whose 12 weeks is a total), whether a consultation is
required by statute for the Kent 2007 draft (whose code leaves those out)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply
from bot.chat.registration_parsing import read_days, read_yes_no
from bot.clock import ManualClock
from bot.core import Core
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

CHAT, USER = -700, 3
ISSUE_EXAMPLE = "/consultation Library review, opens 1 Feb 2027, closes 15 Mar 2027, by TMBC"
ROUNDS_QUESTION = "earlier formal consultation rounds"
STATUTE_QUESTION = "required by statute"


async def _yes() -> bool:
    return True


@pytest.fixture
async def conversation(db: Database, knowledge: Knowledge) -> AsyncIterator[Conversation]:
    # 20 January 2027: the example consultation has not opened yet.
    clock = ManualClock(datetime(2027, 1, 20, 12, tzinfo=UTC))
    yield Conversation(Core(knowledge, db, clock=clock))


async def say(conv: Conversation, text: str, chat: int = CHAT) -> list[Reply]:
    return await conv.handle_text(Incoming(chat, USER, "Ada", text, private=True, is_admin=_yes))


async def last(conv: Conversation, text: str, chat: int = CHAT) -> Reply:
    return (await say(conv, text, chat))[-1]


async def confirm(conv: Conversation, readback: Reply) -> str:
    assert "Is this right?" in readback.text, readback.text
    return (await conv.handle_button(CHAT, USER, readback.buttons[0][0].data, _yes)).text


async def test_west_kent_asks_for_earlier_rounds_and_counts_them(
    conversation: Conversation, db: Database
) -> None:
    await say(conversation, "/compact west-kent")
    asked = await last(conversation, ISSUE_EXAMPLE)
    assert ROUNDS_QUESTION in asked.text and STATUTE_QUESTION not in asked.text
    readback = await last(conversation, "4 weeks")
    assert "Earlier rounds: 28 days" in readback.text
    done = await confirm(conversation, readback)
    assert "West Kent Compact: ⚠️ short of what the Compact asks for" in done
    assert "totals 70 of the 84 days" in done and "14 days short" in done
    assert "29 March 2027" in done
    assert "49 days short" not in done and "42 days short" not in done
    [item] = await db.open_items(CHAT)
    record, _ = await conversation.core.item_history(CHAT, item.id)
    assert record.event.model_dump()["earlier_rounds_days"] == 28


async def test_earlier_rounds_can_be_skipped_and_a_bad_answer_is_asked_again(
    conversation: Conversation,
) -> None:
    await say(conversation, "/compact west-kent rbkc")
    await say(conversation, ISSUE_EXAMPLE)
    again = await say(conversation, "two months")
    assert "weeks or days" in again[0].text and ROUNDS_QUESTION in again[-1].text
    readback = await last(conversation, "skip")
    assert "Earlier rounds: none given" in readback.text
    done = await confirm(conversation, readback)
    # Without earlier rounds the round alone counts: 42 of 84 days.
    assert "42 days short of the 12 weeks West Kent Compact asks for wherever possible" in done


async def test_kent_2007_draft_asks_whether_it_is_statutory_and_leaves_it_out(
    conversation: Conversation,
) -> None:
    await say(conversation, "/compact kent-2007-draft")
    asked = await last(
        conversation,
        "/consultation Licensing policy, opens 1 Feb 2027, closes 14 Feb 2027, by KCC",
    )
    assert STATUTE_QUESTION in asked.text and ROUNDS_QUESTION not in asked.text
    readback = await last(conversation, "yes")
    assert "Required by statute: yes" in readback.text
    done = await confirm(conversation, readback)
    assert "Kent Partners Compact 2007 draft: — not covered (required by statute)" in done
    assert (
        "The requirements of statute and performance indicators must take preference and as "
        "such are not covered by this code."
    ) in done
    assert "No reminders to schedule." in done
    # 14 February 2027 is a Sunday: an excluded result carries no weekend warning.
    assert "Sunday" not in done and "Strictest" not in done


async def test_a_title_never_makes_it_statutory_and_no_is_a_verdict(
    conversation: Conversation,
) -> None:
    await say(conversation, "/compact kent-2007-draft west-kent")
    await say(
        conversation,
        "/consultation Highways and transport strategy refresh, opens 1 Feb 2027, "
        "closes 14 Feb 2027, by KCC",
    )
    asked = await last(conversation, "none")  # earlier rounds first, then the statute
    assert STATUTE_QUESTION in asked.text
    readback = await last(conversation, "no")
    assert "Required by statute: no" in readback.text
    done = await confirm(conversation, readback)
    assert "Kent Partners Compact 2007 draft: 📝 below the draft's example minimum" in done
    assert "14 February 2027, is a Sunday" in done


async def test_a_chat_that_needs_neither_is_asked_neither(conversation: Conversation) -> None:
    await say(conversation, "/compact kent-2011 rbkc")
    readback = await last(conversation, ISSUE_EXAMPLE)
    assert "Is this right?" in readback.text
    assert "Earlier rounds" not in readback.text and "statute" not in readback.text
    # Nor a chat that follows no Compact.
    other = CHAT - 1
    readback = await last(conversation, ISSUE_EXAMPLE, other)
    assert "Is this right?" in readback.text and "Earlier rounds" not in readback.text


@pytest.mark.parametrize(
    ("text", "days"),
    [("none", 0), ("skip", 0), ("4 weeks", 28), ("28 days", 28), ("3 weeks 2 days", 23)],
)
def test_read_days(text: str, days: int) -> None:
    assert read_days(text) == days


@pytest.mark.parametrize("text", ["2 months", "4", "lots", "-3 days", "999999 days"])
def test_read_days_refuses_what_it_cannot_count(text: str) -> None:
    with pytest.raises(ValueError, match=r"(4 weeks|check it)"):
        read_days(text)


def test_read_yes_no_never_reads_a_skip_as_yes() -> None:
    assert [read_yes_no(t) for t in ("Yes", "no", "skip", "don't know")] == [
        "yes",
        "no",
        "not said",
        "not said",
    ]
    with pytest.raises(ValueError):
        read_yes_no("maybe later")


# Issue 22, finding 2: ask before judging ---------------------------------------------------

CONSULTED_QUESTION = "Has the funder started a consultation on this change?"
RATIONALE_QUESTION = "Did the decision come with a rationale"


async def test_kent_2011_asks_whether_a_consultation_started_and_dont_know_is_conditional(
    conversation: Conversation,
) -> None:
    """A Kent 2011 funding change ending in five months (20 January 2027 to 30 June): its
    3-month consultation had to start by 30 December 2026.  The bot asks rather than judging
    on what it was never told; "don't know" gives an "if", never the breach label."""
    await say(conversation, "/compact kent-2011")
    asked = await last(
        conversation, "/funding Youth grant, funder KCC, last funded day 30 June 2027"
    )
    assert CONSULTED_QUESTION in asked.text and "don't know" in asked.text
    asked = await last(conversation, "don't know")
    assert RATIONALE_QUESTION in asked.text
    readback = await last(conversation, "don't know")
    assert "Consultation on it started: don't know" in readback.text
    assert "Rationale given: don't know" in readback.text
    done = await confirm(conversation, readback)
    assert "Kent Compact 2011: ❔" in done and "❌" not in done
    assert "if no consultation has started, the Compact's timetable is already missed" in done
    item = int(done.split("#")[1].split(":")[0])
    assert f"/change {item} consulted no" in done

    # The fact, told later, re-checks it.
    changed = "\n".join(r.text for r in await say(conversation, f"/change {item} consulted no"))
    assert f"Changed #{item}: Consultation on it started is now no." in changed
    assert "Kent Compact 2011: ❌" in changed and "You said no consultation has started" in changed
    refused = "\n".join(r.text for r in await say(conversation, f"/change {item} consulted maybe"))
    assert "Say yes, no or don't know. Nothing was changed." in refused


async def test_no_rationale_can_be_recorded_and_written_about(
    conversation: Conversation,
) -> None:
    """RBKC asks for "a clear rationale for why the decision was taken": a group told none
    can say so, and /letter then has something to write about (it said "meets" before)."""
    await say(conversation, "/compact rbkc")
    asked = await last(
        conversation,
        "/funding Lunch club grant from RBKC, last funded day 30 June 2027, "
        "notice given 10 Jan 2027",
    )
    assert RATIONALE_QUESTION in asked.text and CONSULTED_QUESTION not in asked.text
    done = await confirm(conversation, await last(conversation, "no"))
    assert "no rationale given" in done and "You said no rationale was given" in done
    letter = "\n".join(r.text for r in await say(conversation, "/letter 1"))
    assert "No rationale came with the decision." in letter
    assert "nothing to write about" not in letter


async def test_a_rationale_not_known_is_never_said_to_meet(conversation: Conversation) -> None:
    await say(conversation, "/compact rbkc")
    await say(
        conversation,
        "/funding Lunch club grant from RBKC, last funded day 30 June 2027, "
        "notice given 10 Jan 2027",
    )
    done = await confirm(conversation, await last(conversation, "don't know"))
    assert "Kensington and Chelsea Compact: ❔" in done and "✅" not in done
    letter = "\n".join(r.text for r in await say(conversation, "/letter 1"))
    assert "meets" not in letter and "/change 1" in letter
    changed = "\n".join(r.text for r in await say(conversation, "/change 1 rationale yes"))
    assert "Kensington and Chelsea Compact: ✅" in changed
