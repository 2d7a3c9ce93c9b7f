"""Erasure everywhere (issue 23, findings 7 and 8): /forget works whichever worker gets the
press; handled updates keep no text; nothing of an erased chat is left in any table, on
SQLite and on PostgreSQL, with the real python-telegram-bot stack over the fake Bot API."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import raw_sql
from conftest import Databases, one_shot
from fake_bot_api import FakeBotApi
from test_telegram_e2e import has, register_confirmed, running_bot, say

from bot.chat.conversation import Conversation
from bot.chat.messages import OLD_BUTTON, Incoming
from bot.chat.throttle import Throttle
from bot.clock import ManualClock
from bot.core import Core
from bot.frontends.telegram import CORE, INBOX
from bot.frontends.telegram_inbox import KEEP_HANDLED, Inbox
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database

pytestmark = pytest.mark.both_backends

CHAT = -1009876543210
TITLE = "Quokka Harbour Allotments"
BOSS, HELPER, OTHER_CHAT = 4001, 4002, 4003
BOSS_NAME, HELPER_NAME = "Zebedee", "Persephone"
WORDS = ["Xanthippe Reservoir Review", "Mxyzptlk Trust", "Grommet lantern fund"]


async def _yes() -> bool:
    return True


def _worker(db: Database, knowledge: Knowledge, clock: ManualClock) -> Conversation:
    return Conversation(Core(knowledge, db, clock=clock), Throttle(clock, limit=10**6))


async def test_forget_is_confirmed_on_whichever_worker_gets_the_press(
    databases: Databases, knowledge: Knowledge, clock: ManualClock
) -> None:
    url = await databases.new("shared")
    first = await Database.open(url, clock=clock)
    second = await Database.open(url, clock=clock)
    try:
        one, two = _worker(first, knowledge, clock), _worker(second, knowledge, clock)
        said = Incoming(CHAT, BOSS, BOSS_NAME, "/compact kent-2011", False, _yes)
        await one.handle_text(said)
        # Asked on one worker, pressed on the other: erased.
        [ask] = await one.handle_text(Incoming(CHAT, BOSS, BOSS_NAME, "/forget", False, _yes))
        erase, keep = ask.buttons[0]
        done = await two.handle_button(CHAT, BOSS, erase.data, _yes)
        assert done.text == "Done: everything about this chat has been erased."
        assert await one.core.compacts_of(CHAT) == []
        # The question was used up: a second press, on either worker, changes nothing.
        again = await one.handle_button(CHAT, BOSS, keep.data, _yes)
        assert again.text == OLD_BUTTON and again.notice

        # A question expires: after FORGET_QUESTION_LASTS its buttons erase nothing.
        await one.handle_text(said)
        [ask] = await two.handle_text(Incoming(CHAT, BOSS, BOSS_NAME, "/forget", False, _yes))
        clock.advance(minutes=16)
        late = await one.handle_button(CHAT, BOSS, ask.buttons[0][0].data, _yes)
        assert late.text == OLD_BUTTON
        assert await two.core.compacts_of(CHAT) == ["kent-2011"]
    finally:
        await first.close()
        await second.close()


async def _all_handled(target: str) -> None:
    """Wait (real time: the bot marks an update done after its replies went out) until the
    inbox holds no update still being handled."""
    for _ in range(200):
        rows = await raw_sql.fetch(target, "SELECT count(*) FROM inbox WHERE done_at IS NULL")
        if rows[0][0] == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("updates still unhandled after 10 s")


async def test_nothing_of_an_erased_chat_is_left_in_any_table(
    api: FakeBotApi, databases: Databases, clock: ManualClock
) -> None:
    target = await databases.new("bot")
    api.add_chat(CHAT, type="supergroup", title=TITLE)
    api.set_admins(CHAT, [BOSS])
    api.user(BOSS, BOSS_NAME)
    api.user(HELPER, HELPER_NAME)
    async with running_bot(api, target, clock, http="127.0.0.1:0") as app:
        await say(api, CHAT, BOSS, "/compact kent-2011", "now follows")
        await register_confirmed(
            api,
            CHAT,
            BOSS,
            f"/consultation {WORDS[0]}, opens today, closes in 12 weeks, by {WORDS[1]}",
        )
        await say(api, CHAT, BOSS, f"/remind in 5 minutes {WORDS[2]}", "I'll remind")
        hello = await api.send_text(CHAT, HELPER, f"hello from {HELPER_NAME}")
        await api.send_text(
            CHAT, BOSS, "/officer add", reply_to_message_id=api.message_id_of(hello)
        )
        await api.wait_for_message(CHAT, has("is now an officer"), 10)
        await say(api, CHAT, HELPER, "/list", WORDS[0])
        await say(api, BOSS, BOSS, "/start", "I know")
        await say(api, CHAT, BOSS, "/calendar link", "private message")
        clock.advance(minutes=6)  # the reminder goes out (and books the chat's send slots)
        await api.wait_for_message(CHAT, has(WORDS[2]), 10)
        await say(api, OTHER_CHAT, OTHER_CHAT, "/remind tomorrow water the plants", "I'll")

        ask = await say(api, CHAT, BOSS, "/forget", "Erase everything")
        erase = dict(ask.buttons)["Erase everything"]
        assert erase is not None
        await api.press_button(CHAT, BOSS, ask.message_id, erase)
        await api.wait_for_message(CHAT, has("has been erased"), 10)
        await _all_handled(target)
        core: Core = app.bot_data[CORE]
        assert await core.pending_reminders(OTHER_CHAT)  # another chat's are kept

    tables = await raw_sql.tables(target)
    assert {"inbox", "applied", "send_slots", "confirmations", "chats", "items"} <= set(tables)
    everything = await raw_sql.snapshot(target)
    left = repr(everything)
    for word in [str(CHAT), TITLE, BOSS_NAME, HELPER_NAME, *WORDS, *(w.lower() for w in WORDS)]:
        where = [t for t, rows in everything.items() if word in repr(rows)]
        assert word not in left, f"{word!r} is still in {where}"
    # The erase press's own update is kept only as an id (a redelivery is still known).
    assert everything["inbox"] and all(row[2] == "" for row in everything["inbox"])


async def test_a_handled_update_keeps_no_text_and_old_ones_are_pruned(
    api: FakeBotApi, databases: Databases, clock: ManualClock
) -> None:
    target = await databases.new("bot")
    async with running_bot(api, target, clock) as app:
        await say(api, OTHER_CHAT, OTHER_CHAT, f"/remind tomorrow {WORDS[2]}", "I'll remind")
        await _all_handled(target)
        rows = await raw_sql.fetch(target, "SELECT update_id, chat_id, payload FROM inbox")
        assert len(rows) == 1 and rows[0][1:] == (None, "")
        inbox: Inbox = app.bot_data[INBOX]
        clock.advance((KEEP_HANDLED - timedelta(minutes=1)).total_seconds())
        assert await inbox.prune() == 0  # a redelivery would still be known
        clock.advance(minutes=2)
        assert await inbox.prune() == 1
        assert await raw_sql.fetch(target, "SELECT count(*) FROM inbox") == [(0,)]


async def test_pruning_keeps_the_keys_of_an_update_still_waiting(
    db: Database, clock: ManualClock
) -> None:
    """An update kept before a long outage, its unit applied but the update not marked done,
    is handled again at the next start: its unit's key must still be there to stop a
    second application, however old."""
    await one_shot(db).store_update(1, CHAT, '{"update_id": 1}')
    assert await one_shot(db).claim_key("u1:remind")
    await one_shot(db).store_update(2, CHAT, '{"update_id": 2}')
    assert await one_shot(db).claim_key("u2:remind")
    await one_shot(db).update_done(2)
    clock.advance((KEEP_HANDLED + timedelta(days=1)).total_seconds())
    assert await one_shot(db).prune_inbox(KEEP_HANDLED) == 1  # update 2 goes
    assert not await one_shot(db).claim_key("u1:remind")  # still known: not applied twice
    await one_shot(db).update_done(1)
    clock.advance((KEEP_HANDLED + timedelta(days=1)).total_seconds())
    assert await one_shot(db).prune_inbox(KEEP_HANDLED) == 1
    assert await raw_sql.fetch(db.path, "SELECT count(*) FROM applied") == [(0,)]
