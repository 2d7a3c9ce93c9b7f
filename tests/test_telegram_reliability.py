"""Nothing lost, nothing doubled, no chat kept waiting: the Telegram bot under duress, over
HTTP against the loopback fake Bot API, with a real SQLite file."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ADMIN, ALICE, GROUP, MEMBER, TOKEN
from fake_bot_api import FakeBotApi
from test_telegram_e2e import (
    has,
    register_confirmed,
    running_bot,
    say,
)

from bot.clock import ManualClock
from bot.core import Core
from bot.frontends.telegram import CORE

ROOT = Path(__file__).resolve().parent.parent


def _console_script() -> str:
    return str(Path(sys.executable).parent / "compactbot")


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        found = int(conn.execute(sql).fetchone()[0])
    conn.close()
    return found


async def test_no_command_is_lost_when_killed_right_after_telegram_was_told(
    api: FakeBotApi, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    env = {**os.environ, "COMPACTBOT_DB": str(db), "COMPACTBOT_LOG_LEVEL": "WARNING"}
    env.pop("COMPACTBOT_WEBHOOK_URL", None)
    command = [_console_script(), "run", "--token", TOKEN, "--api-url", api.base_url]
    texts = [f"/remind tomorrow at 10am task number {n}" for n in range(1, 21)]
    ids = [await api.send_text(ALICE, ALICE, text) for text in texts]
    # The bot's first reply is slow to be answered, so most commands are still waiting
    # their turn when the next getUpdates tells Telegram all twenty arrived.
    api.answer_late("sendMessage", 3.0, chat_id=ALICE)

    first = await asyncio.create_subprocess_exec(*command, env=env, cwd=tmp_path)
    acknowledged = await api.wait_for_call(
        "getUpdates", lambda call: int(call.params.get("offset") or 0) > ids[-1], timeout=30
    )
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert acknowledged is not None
    applied_before = _count(db, "SELECT count(*) FROM items WHERE kind = 'reminder'")
    assert applied_before < len(texts)  # killed mid-way: the rest exist only in the inbox

    second = await asyncio.create_subprocess_exec(*command, env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 30
        while _count(db, "SELECT count(*) FROM inbox WHERE done_at IS NULL") or _count(
            db, "SELECT count(*) FROM items WHERE kind = 'reminder'"
        ) < len(texts):
            assert time.monotonic() < deadline, "the unfinished commands were not handled"
            await asyncio.sleep(0.05)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.wait(), 30)
    with sqlite3.connect(db) as conn:
        titles = sorted(r[0] for r in conn.execute("SELECT title FROM items"))
    conn.close()
    assert titles == sorted(text.removeprefix("/remind tomorrow at 10am ") for text in texts)


async def test_an_update_telegram_sends_twice_is_applied_once(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        update_id = await api.send_text(ALICE, ALICE, "/remind tomorrow chase the grant letter")
        await api.wait_for_message(ALICE, has("I'll remind"), 10)
        await api.redeliver(update_id)
        await say(api, ALICE, ALICE, "/list", "Open items")  # handled after the redelivery
        core: Core = app.bot_data[CORE]
        assert [i.title for i in await core.db.open_items(ALICE)] == ["chase the grant letter"]
        assert len([m for m in api.messages_to(ALICE) if "I'll remind" in (m.text or "")]) == 1


async def test_a_failure_after_storing_says_what_was_stored(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        await say(api, GROUP, ADMIN, "/compact kent-2011", "now follows")
        readback = await say(
            api,
            GROUP,
            ADMIN,
            "/consultation Parks plan, opens today, closes in 12 weeks, by KCC",
            "Is this right?",
        )
        confirm = dict(readback.buttons)["Confirm"]
        assert confirm is not None
        # The reply carrying the verdict fails: the item is stored all the same.
        api.fail_next("editMessageText", GROUP, error_code=500)
        await api.press_button(GROUP, ADMIN, readback.message_id, confirm)
        told = await api.wait_for_message(GROUP, has("after I had stored this"), 10)
        assert "item #1 registered (Parks plan)" in (told.text or "")
        assert "nothing was changed" not in (told.text or "").lower()
        core: Core = app.bot_data[CORE]
        assert [i.title for i in await core.db.open_items(GROUP)] == ["Parks plan"]
        # A member's failure with nothing stored says so, truthfully.
        api.fail_next("sendMessage", GROUP, error_code=500)
        await api.send_text(GROUP, ADMIN, "/list")
        await api.wait_for_message(GROUP, has("nothing was changed"), 10)


async def test_a_member_flooding_a_group_keeps_no_private_chat_waiting(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    hold = 20.0
    async with running_bot(api, tmp_path / "bot.db", clock, api_timeout=hold + 20):
        await say(api, ALICE, ALICE, "/help", "I know")  # the bot is up
        # Telegram holds the answer to the group's first reply: the group's other updates
        # wait behind it (each chat's in order). A private chat must not wait with them,
        # so it is answered while that reply is still held (a hang bound below the hold,
        # not a speed bound), with nothing more sent to the group meanwhile.
        api.answer_late("sendMessage", hold, chat_id=GROUP)
        for _ in range(1000):
            await api.send_text(GROUP, MEMBER, "/help")
        await api.send_text(ALICE, ALICE, "how long must a consultation be?")
        await api.wait_for_message(ALICE, has("12 weeks"), timeout=hold * 0.75)
        assert len(api.messages_to(GROUP)) <= 1
        await api.wait_for_message(GROUP, has("pause for a minute"), hold + 30)
        helps = [m for m in api.messages_to(GROUP) if "I know what" in (m.text or "")]
        assert len(helps) <= 10  # the member is slowed down, not answered a thousand times


async def test_a_reminder_answered_late_is_not_sent_again(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock, api_timeout=2.0) as app:
        await say(api, ALICE, ALICE, "/remind in 10 minutes send the response", "I'll remind")
        api.answer_late("sendMessage", 1.0, chat_id=ALICE)  # slow, but within the timeout
        clock.advance(600)
        await api.wait_for_message(ALICE, has("send the response"), 10)
        core: Core = app.bot_data[CORE]
        assert core.scheduler is not None
        await core.scheduler.idle()
        copies = [m for m in api.messages_to(ALICE) if "⏰" in (m.text or "")]
        assert len(copies) == 1
        assert await core.db.count_reminders("sent") == 1


@pytest.mark.parametrize("answered_late", [1, 2], ids=["timed out once", "timed out twice"])
async def test_a_timed_out_reminder_is_sent_at_most_once_more_and_never_undeliverable(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock, answered_late: int
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock, api_timeout=0.3) as app:
        await say(api, ALICE, ALICE, "/remind in 10 minutes send the response", "I'll remind")
        core: Core = app.bot_data[CORE]
        assert core.scheduler is not None
        # Telegram delivers, but answers after the bot stopped waiting.
        api.answer_late("sendMessage", 0.6, chat_id=ALICE, times=answered_late)
        clock.advance(600)
        await api.wait_for_message(ALICE, has("send the response"), 10)
        await asyncio.sleep(0.7)  # the late answer arrives (ignored) before time moves on
        for _ in range(3):  # time enough for every retry there is
            clock.advance(3600)
            await core.scheduler.idle()
        copies = [m for m in api.messages_to(ALICE) if "⏰" in (m.text or "")]
        assert len(copies) == 2  # the one that timed out, and at most one more
        [reminder] = [r async for r in _all_reminders(core, ALICE)]
        assert reminder.status == "sent"
        if answered_late == 2:
            assert (reminder.last_error or "").startswith("unconfirmed twice")


async def _all_reminders(core: Core, chat_id: int):  # type: ignore[no-untyped-def]
    with sqlite3.connect(core.db.path) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM reminders WHERE chat_id = ?", (chat_id,))]
    conn.close()
    for rid in ids:
        found = await core.db.reminder(chat_id, rid)
        assert found is not None
        yield found


async def test_register_confirm_through_the_bot_still_works_under_these_rules(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock):
        await say(api, GROUP, ADMIN, "/compact rbkc", "now follows")
        await register_confirmed(
            api, GROUP, ADMIN, "/consultation Library, opens today, closes in 12 weeks, by KCC"
        )


async def test_forget_leaves_no_trace_of_the_chat_in_the_database_or_its_wal(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    db = tmp_path / "bot.db"
    secrets = ["Zanzibar Allotment Review", "Quetzalcoatl Trust", "phone Xylophone Council"]
    async with running_bot(api, db, clock):
        await say(api, GROUP, ADMIN, "/compact kent-2011", "now follows")
        await register_confirmed(
            api,
            GROUP,
            ADMIN,
            f"/consultation {secrets[0]}, opens today, closes in 12 weeks, by {secrets[1]}",
        )
        await say(api, GROUP, ADMIN, f"/remind tomorrow {secrets[2]}", "I'll remind")
        ask = await say(api, GROUP, ADMIN, "/forget", "Erase everything")
        erase = dict(ask.buttons)["Erase everything"]
        assert erase is not None
        await api.press_button(GROUP, ADMIN, ask.message_id, erase)
        await api.wait_for_message(GROUP, has("has been erased"), 10)
        await say(api, ALICE, ALICE, "/help", "I know")  # the bot carries on writing
        names, found = _search_files(tmp_path, "bot.db", secrets)
        assert names >= {"bot.db", "bot.db-wal"}
        assert found == []


def _search_files(folder: Path, prefix: str, words: list[str]) -> tuple[set[str], list[str]]:
    """The files named ``prefix*`` in ``folder``, and "word in file" for each word found
    in one of them (as written, or in lower case)."""
    files = [p for p in folder.iterdir() if p.name.startswith(prefix)]
    found = []
    for path in files:
        content = path.read_bytes()
        for word in words:
            for form in (word, word.lower()):
                if form.encode() in content:
                    found.append(f"{form!r} in {path.name}")
    return {p.name for p in files}, found


async def test_flood_control_on_a_reminder_is_a_durable_retry_that_pauses_replies_too(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        assert app.bot.rate_limiter is None  # one limiter: ours, for replies and reminders
        await say(api, ALICE, ALICE, "/remind in 10 minutes send the response", "I'll remind")
        core: Core = app.bot_data[CORE]
        assert core.scheduler is not None
        api.fail_next("sendMessage", ALICE, error_code=429, retry_after=2)
        clock.advance(600)
        await core.scheduler.idle()
        [waiting] = await core.db.pending_reminders(ALICE)
        assert waiting.status == "pending" and "flood control" in (waiting.last_error or "")
        assert waiting.due_at >= clock.now() + timedelta(seconds=2)  # stored, not in memory
        started = time.monotonic()
        await say(api, ALICE, ALICE, "/help", "I know")  # replies wait out the flood too
        assert time.monotonic() - started >= 1.5
        clock.advance(60)
        await api.wait_for_message(ALICE, has("send the response"), 10)
