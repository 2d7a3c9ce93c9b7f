"""A registration being put together survives a restart, and is dropped once abandoned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import Databases

from bot.chat.conversation import Conversation, Incoming, Reply
from bot.clock import ManualClock
from bot.core import Core
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

CHAT, USER = 55, 9

pytestmark = pytest.mark.both_backends


async def _yes() -> bool:
    return True


async def say(conversation: Conversation, text: str) -> list[Reply]:
    msg = Incoming(CHAT, USER, "Ada", text, private=True, is_admin=_yes)
    return await conversation.handle_text(msg)


async def test_a_half_typed_registration_survives_a_restart(
    databases: Databases, knowledge: Knowledge
) -> None:
    clock = ManualClock(datetime(2026, 11, 25, 10, tzinfo=UTC))
    path = await databases.new("drafts")
    db = await Database.open(path)
    first = Conversation(Core(knowledge, db, clock=clock))
    await say(first, "/compact rbkc")
    replies = await say(first, "/consultation Parks review by KCC, opens 1 Dec 2026")
    assert "When does it close?" in replies[-1].text
    await db.close()

    # A new process: new database connection, core and conversation.
    db = await Database.open(path)
    try:
        second = Conversation(Core(knowledge, db, clock=clock))
        readback = (await say(second, "23/2/27"))[-1]
        assert "Is this right?" in readback.text and "Parks review" in readback.text
        assert "Opens: Tue 1 December 2026" in readback.text
        confirm = readback.buttons[0][0].data
        assert confirm.startswith("reg:confirm:")

        # Restarted again between the readback and the press: the button still works.
        third = Conversation(Core(knowledge, db, clock=clock))
        done = await third.handle_button(CHAT, USER, confirm, _yes)
        assert "Registered as item #1" in done.text
        assert [i.title for i in await db.open_items(CHAT)] == ["Parks review"]
        assert await db.drafts(clock.now() - timedelta(days=30)) == []
    finally:
        await db.close()


async def test_an_abandoned_draft_expires(databases: Databases, knowledge: Knowledge) -> None:
    clock = ManualClock(datetime(2026, 11, 25, 10, tzinfo=UTC))
    path = await databases.new("drafts")
    db = await Database.open(path)
    try:
        conversation = Conversation(Core(knowledge, db, clock=clock))
        await say(conversation, "/compact rbkc")
        await say(conversation, "/consultation Parks review by KCC, opens 1 Dec 2026")
        clock.advance(days=2)
        # Two days later "23/2/27" is not taken as the close date of a forgotten draft.
        replies = await say(conversation, "how long must a consultation be?")
        assert "12 weeks" in replies[0].text
        assert await db.drafts(clock.now() - timedelta(days=30)) == []
        assert await db.open_items(CHAT) == []
    finally:
        await db.close()


async def test_a_stopped_draft_is_deleted_and_a_bad_answer_keeps_it(
    databases: Databases, knowledge: Knowledge
) -> None:
    clock = ManualClock(datetime(2026, 11, 25, 10, tzinfo=UTC))
    path = await databases.new("drafts")
    db = await Database.open(path)
    try:
        conversation = Conversation(Core(knowledge, db, clock=clock))
        await say(conversation, "/consultation Parks review by KCC, opens 1 Dec 2026")
        assert len(await db.drafts(clock.now() - timedelta(days=1))) == 1
        assert "abandoned" in (await say(conversation, "stop"))[0].text
        assert await db.drafts(clock.now() - timedelta(days=1)) == []
        await say(conversation, "/consultation X by KCC, opens 3 Mar 2027")
        replies = await say(conversation, "1 Feb 2027")
        # A close before the open is refused and asked again; the draft waits for it.
        assert "before" in replies[0].text and "When does it close?" in replies[-1].text
        [draft] = await db.drafts(clock.now() - timedelta(days=1))
        assert draft.state["asking"] == "closes" and draft.state["fields"].get("closes") is None
        await say(conversation, "stop")
        assert await db.drafts(clock.now() - timedelta(days=1)) == []
    finally:
        await db.close()
