"""Every date the bot keeps lies within 1900-2200 (issue 23, finding 9): /remind, the
registration fields, /change and the follow-ups refuse one outside, change nothing, and the
chat's calendar keeps working."""

from __future__ import annotations

import pytest
from conftest import T0

from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, Reply
from bot.domain import date_window
from bot.frontends import cli

CHAT = -5


async def _yes() -> bool:
    return True


async def said(conv: Conversation, text: str) -> str:
    replies: list[Reply] = await conv.handle_text(Incoming(CHAT, 1, "Ada", text, False, _yes))
    return "\n".join(r.text for r in replies)


OUTSIDE = "is outside the years 1900 to 2200 I can keep"


@pytest.mark.parametrize(
    "command",
    [
        "/remind 31 Dec 9999 the party",
        "/remind 1 Jan 2201 9am the party",
        "/remind 9999-12-31 the party",
        "/consultation Parks, opens today, closes 1 Jan 2201, by KCC",
        "/consultation Parks, opens 3 March 1899, closes in 12 weeks, by KCC",
        "/funding KCC ending our youth grant, last funded day 31 Dec 9999",
        # Within the window as said, past it once counted: 12 weeks from 1 Dec 2200.
        "/consultation Parks, opens 1 Dec 2200, closes in 12 weeks, by KCC",
    ],
)
async def test_a_date_outside_the_window_is_refused_and_nothing_is_kept(
    conversation: Conversation, command: str
) -> None:
    await said(conversation, "/compact kent-2011")
    answer = await said(conversation, command)
    assert OUTSIDE in answer, answer
    await said(conversation, "/cancel")
    core = conversation.core
    assert await core.pending_reminders(CHAT) == []
    assert await core.open_items(CHAT) == []
    assert "went wrong" not in await said(conversation, "/calendar")


async def test_changes_and_follow_ups_outside_the_window_change_nothing(
    conversation: Conversation,
) -> None:
    await said(conversation, "/compact kent-2011")
    readback = await said(
        conversation, "/consultation Parks, opens today, closes in 12 weeks, by KCC"
    )
    assert "Is this right?" in readback
    assert "Registered as item #1" in await said(conversation, "yes")
    readback = await said(
        conversation, "/funding KCC ending our youth grant, last funded day 30 June 2027"
    )
    for _ in range(3):  # Kent 2011 asks whether a consultation started, and the rationale
        if "Is this right?" in readback:
            break
        readback = await said(conversation, "don't know")
    assert "Is this right?" in readback, readback
    assert "Registered as item #2" in await said(conversation, "yes")
    before = await conversation.core.pending_reminders(CHAT)
    for command in (
        "/change 1 closes 31 Dec 9999",
        "/change 1 opens 1 Jan 1850",
        "/notice 2 1 Jan 1850",
        "/consulted 2 2 Feb 2345",
        "/feedback 1 31 Dec 9999",
    ):
        answer = await said(conversation, command)
        assert OUTSIDE in answer, (command, answer)
    assert await conversation.core.pending_reminders(CHAT) == before
    [calendar] = await conversation.handle_text(Incoming(CHAT, 1, "Ada", "/calendar", False, _yes))
    assert [f.filename for f in calendar.files] == ["compact-deadlines.ics"]
    # The edges are in: a reminder on the window's last day is kept.
    assert "I'll remind" in await said(conversation, "/remind 31 Dec 2200 the party")


def test_one_window_for_every_way_in() -> None:
    assert (cli.MIN_YEAR, cli.MAX_YEAR) == (date_window.FIRST_YEAR, date_window.LAST_YEAR)
    assert T0.year in range(date_window.FIRST_YEAR, date_window.LAST_YEAR + 1)
