"""Rights (issue 23, finding 13), over the real python-telegram-bot stack and the fake Bot
API: officers are named and removed, and a group erased, by its admins only; a feed address
asked for in a group goes to the asker privately, never to the group."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ADMIN, GROUP, MEMBER
from fake_bot_api import FakeBotApi
from test_telegram_e2e import has, notice, running_bot, say

from bot.clock import ManualClock
from bot.core import Core
from bot.frontends.telegram import CORE

OTHER = 13
"""A third member of the group, named by nobody."""

FEED = re.compile(r"/calendar/[A-Za-z0-9_-]{20,}\.ics")


async def _officer(api: FakeBotApi, by: int, action: str, of: int, expect: str) -> None:
    said = await api.send_text(GROUP, of, "hello")
    await api.send_text(
        GROUP, by, f"/officer {action}", reply_to_message_id=api.message_id_of(said)
    )
    await api.wait_for_message(GROUP, has(expect), 10)


async def test_an_officer_cannot_name_or_remove_officers_nor_erase_the_group(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    api.user(OTHER, "Olly")
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        core: Core = app.bot_data[CORE]
        await say(api, GROUP, ADMIN, "/compact kent-2011", "now follows")
        await _officer(api, ADMIN, "add", MEMBER, "Meg is now an officer")
        # The officer may do what officers do...
        await say(api, GROUP, MEMBER, "/remind tomorrow chase the grant", "I'll remind")
        # ...but not make more officers, unmake the admin's, or erase the group.
        await _officer(api, MEMBER, "add", OTHER, "Only this group's admins can use /officer")
        await _officer(api, MEMBER, "remove", MEMBER, "Only this group's admins can use /officer")
        refused = await say(api, GROUP, MEMBER, "/forget", "Only this group's admins can use")
        assert not refused.buttons
        assert await core.officer_ids(GROUP) == {MEMBER}
        # Nor press the Erase button an admin's /forget put up.
        ask = await say(api, GROUP, ADMIN, "/forget", "Erase everything")
        erase = dict(ask.buttons)["Erase everything"]
        assert erase is not None
        await api.press_button(GROUP, MEMBER, ask.message_id, erase)
        await notice(api, "Only this group's admins can erase")
        assert await core.compacts_of(GROUP) == ["kent-2011"]
        # The admin still can, with the same button.
        await _officer(api, ADMIN, "remove", MEMBER, "Meg is no longer an officer")
        await api.press_button(GROUP, ADMIN, ask.message_id, erase)
        await api.wait_for_message(GROUP, has("has been erased"), 10)
        assert await core.compacts_of(GROUP) == []


async def test_a_feed_address_asked_for_in_a_group_is_sent_privately(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock, http="127.0.0.1:0"):
        # The admin has never started a private chat with the bot: Telegram answers 403.
        told = await say(api, GROUP, ADMIN, "/calendar link", "start a chat with me")
        assert "press Start" in (told.text or "")
        # They start one; the address comes there, and the group only hears that it was sent.
        await say(api, ADMIN, ADMIN, "/start", "I know")
        await say(api, GROUP, ADMIN, "/calendar reset", "I've sent you the feed address")
        private = await api.wait_for_message(ADMIN, lambda m: bool(FEED.search(m.text or "")))
        assert "new one" in (private.text or "")
        await say(api, GROUP, ADMIN, "/calendar reset", "I've sent you the feed address")
        # The anonymous admin (writing as the group) cannot be told privately: nothing is made.
        await api.send_text(GROUP, ADMIN, "/calendar reset", sender_chat_id=GROUP)
        await api.wait_for_message(GROUP, has("anonymous admin"), 10)
    assert not [m for m in api.messages_to(GROUP) if FEED.search(m.text or "")]
    assert len([m for m in api.messages_to(ADMIN) if FEED.search(m.text or "")]) == 2
