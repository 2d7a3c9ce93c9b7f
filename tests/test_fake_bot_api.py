"""The fake Bot API works with the real python-telegram-bot stack (httpx, Updater, handlers)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from typing import Any

import pytest
from fake_bot_api import (
    DEFAULT_TOKEN,
    FakeBotApi,
    application_builder,
    polling_application,
    running_fake_api,
)
from telegram import (
    Bot,
    BotCommand,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

GROUP = -1001234567890
ALICE = 1001
BOB = 1002

AnyApp = Application[Any, Any, Any, Any, Any, Any]


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes", callback_data="yes")],
            [InlineKeyboardButton("No", callback_data="no")],
        ]
    )
    await update.effective_message.reply_text("Hello! Pick one:", reply_markup=keyboard)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    mentions = [message.parse_entity(e) for e in message.entities if e.type == "mention"]
    suffix = f" (mentions: {', '.join(mentions)})" if mentions else ""
    await message.reply_text(f"echo: {message.text}{suffix}")


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text(f"You chose <b>{query.data}</b>", parse_mode=ParseMode.HTML)


def _echo_app(api: FakeBotApi) -> AnyApp:
    app = application_builder(api).build()
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    app.add_handler(CallbackQueryHandler(_button))
    return app


def _bot(api: FakeBotApi) -> Bot:
    return Bot(DEFAULT_TOKEN, base_url=api.base_url, base_file_url=api.base_file_url)


async def test_polling_command_text_and_button_round_trip() -> None:
    async with running_fake_api() as api:
        api.user(ALICE, "Alice", "alice")
        api.add_chat(ALICE, type="private")
        async with polling_application(_echo_app(api)):
            await api.send_text(ALICE, ALICE, "/start")
            menu = await api.wait_for_message(ALICE)
            assert menu.text == "Hello! Pick one:"
            assert menu.buttons == [("Yes", "yes"), ("No", "no")]
            # Message ids are shared by the user and the bot within a chat.
            assert menu.message_id == 2
            assert "reply_parameters" not in menu.params  # PTB quotes only in groups

            await api.send_text(ALICE, ALICE, "hi there @bob_the_builder")
            echo = await api.wait_for_message(ALICE)
            assert echo.text == "echo: hi there @bob_the_builder (mentions: @bob_the_builder)"

            await api.press_button(ALICE, ALICE, menu.message_id, "no")
            answer = await api.wait_for_call("answerCallbackQuery")
            assert answer.params["text"] == "Noted"
            edit = await api.wait_for_message(ALICE)
            assert edit.method == "editMessageText"
            assert edit.message_id == menu.message_id
            assert edit.text == "You chose <b>no</b>"
            assert edit.plain_text == "You chose no"
            # Editing the text without reply_markup drops the keyboard, as Telegram does.
            assert "reply_markup" not in api.message(ALICE, menu.message_id)
        assert api.internal_errors == []
        # updater.stop() confirmed everything it fetched.
        assert api.pending_updates() == []


async def test_ptb_call_sequence_and_group_command_with_bot_suffix() -> None:
    async with running_fake_api() as api:
        api.add_chat(GROUP, type="supergroup", title="Friends of the Park")
        async with polling_application(_echo_app(api)):
            await api.send_text(GROUP, BOB, "/start@CompactTestBot")
            reply = await api.wait_for_message(GROUP)
            assert reply.text == "Hello! Pick one:"
            assert reply.chat_id == GROUP
            assert reply.params["reply_parameters"]["message_id"] == 1  # quoted in groups
        methods = [call.method for call in api.calls]
        assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]
        assert "sendMessage" in methods
        assert methods[-1] == "getUpdates"
        assert api.calls[-1].params.get("timeout") == 0  # PTB's confirming call on stop


async def test_anonymous_admin_message_has_sender_chat() -> None:
    seen: list[tuple[int | None, str | None]] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        seen.append((message.sender_chat.id if message.sender_chat else None, message.text))
        await message.reply_text("seen")

    async with running_fake_api() as api:
        api.add_chat(GROUP, type="supergroup")
        api.set_admins(GROUP, [ALICE], anonymous_admin=True)
        app = application_builder(api).build()
        app.add_handler(MessageHandler(filters.ALL, record))
        async with polling_application(app):
            await api.send_text(GROUP, ALICE, "hello", sender_chat_id=GROUP)
            await api.send_text(GROUP, BOB, "reply", reply_to_message_id=1)
            await api.wait_for_message(GROUP)
            await api.wait_for_message(GROUP)
        assert seen == [(GROUP, "hello"), (None, "reply")]


async def test_get_updates_long_polls_and_honours_offset() -> None:
    async with running_fake_api() as api, _bot(api) as bot:
        api.add_chat(ALICE)
        started = time.monotonic()
        assert await bot.get_updates(timeout=0) == ()
        assert time.monotonic() - started < 10  # however busy the machine: not a long poll

        async def later() -> None:
            await asyncio.sleep(0.1)
            await api.send_text(ALICE, ALICE, "wake up")

        task = asyncio.create_task(later())
        started = time.monotonic()
        updates = await bot.get_updates(timeout=60, read_timeout=90)
        # Returned on arrival, not after the timeout (with room for a busy machine).
        assert time.monotonic() - started < 30
        await task
        assert [u.message.text for u in updates if u.message] == ["wake up"]

        # Unconfirmed updates are delivered again; offset confirms and drops them.
        second = await api.send_text(ALICE, ALICE, "again")
        again = await bot.get_updates(timeout=0)
        assert [u.update_id for u in again] == [updates[0].update_id, second]
        assert [u.update_id for u in await bot.get_updates(offset=second, timeout=0)] == [second]
        assert await bot.get_updates(offset=second + 1, timeout=0) == ()

        await api.send_text(ALICE, ALICE, "one")
        await api.send_text(ALICE, ALICE, "two")
        assert len(await bot.get_updates(limit=1, timeout=0)) == 1


async def test_429_raises_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # opt in to timedelta, avoiding a deprecation
    async with running_fake_api() as api, _bot(api) as bot:
        api.add_chat(ALICE)
        api.fail_next("sendMessage", chat_id=ALICE, retry_after=7)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(ALICE, "hello")
        assert caught.value.retry_after == dtm.timedelta(seconds=7)
        # Only the next call fails; the failed one is recorded but nothing was sent.
        await bot.send_message(ALICE, "hello")
        assert [m.text for m in api.messages_to(ALICE)] == ["hello"]
        failed = api.calls_to("sendMessage")[0]
        assert failed.error == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        }


async def test_403_and_500_injection_and_block() -> None:
    async with running_fake_api() as api, _bot(api) as bot:
        api.add_chat(GROUP, type="group")
        api.add_chat(ALICE)
        api.fail_next("sendMessage", error_code=403)
        with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
            await bot.send_message(GROUP, "hello")
        api.fail_next("sendMessage", chat_id=GROUP, error_code=500)
        await bot.send_message(ALICE, "other chats are unaffected")
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(GROUP, "hello")

        api.block(ALICE)
        for _ in range(2):
            with pytest.raises(Forbidden, match="blocked by the user"):
                await bot.send_message(ALICE, "anyone there?")
        api.unblock(ALICE)
        await bot.send_message(ALICE, "welcome back")
        assert [m.text for m in api.sent] == ["other chats are unaffected", "welcome back"]


async def test_chat_administrators_and_members() -> None:
    async with running_fake_api() as api, _bot(api) as bot:
        api.user(ALICE, "Alice", "alice")
        api.user(BOB, "Bob")
        api.add_chat(GROUP, type="supergroup", title="Friends")
        api.set_admins(GROUP, [BOB, api.bot_id], owner_id=ALICE)
        admins = await bot.get_chat_administrators(GROUP)
        assert [type(a) for a in admins] == [
            ChatMemberOwner,
            ChatMemberAdministrator,
            ChatMemberAdministrator,
        ]
        assert [(a.user.id, a.user.first_name) for a in admins] == [
            (ALICE, "Alice"),
            (BOB, "Bob"),
            (api.bot_id, "Compact Test Bot"),
        ]
        assert all(not a.is_anonymous for a in admins)

        assert (await bot.get_chat_member(GROUP, BOB)).status == "administrator"
        assert (await bot.get_chat_member(GROUP, 555)).status == "left"
        api.add_member(GROUP, 555)
        assert (await bot.get_chat_member(GROUP, 555)).status == "member"

        api.add_chat(ALICE)
        with pytest.raises(BadRequest, match="no administrators in the private chat"):
            await bot.get_chat_administrators(ALICE)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.get_chat_administrators(-42)


async def test_send_document_records_upload_and_serves_it_back() -> None:
    async with running_fake_api() as api, _bot(api) as bot:
        api.add_chat(ALICE)
        payload = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" + bytes(range(256))
        message = await bot.send_document(
            ALICE, payload, filename="deadlines.ics", caption="Your calendar"
        )
        assert message.document is not None
        assert message.document.file_name == "deadlines.ics"
        assert message.document.file_size == len(payload)
        assert message.caption == "Your calendar"
        [upload] = api.documents
        assert (upload.filename, upload.content) == ("deadlines.ics", payload)
        [sent] = api.messages_to(ALICE)
        assert sent.method == "sendDocument" and sent.text == "Your calendar"
        assert sent.document is upload

        # base_file_url works too: getFile then download through PTB.
        file = await bot.get_file(message.document.file_id)
        assert bytes(await file.download_as_bytearray()) == payload


async def test_commands_round_trip_and_unknown_method() -> None:
    async with running_fake_api() as api, _bot(api) as bot:
        commands = [BotCommand("start", "Say hello"), BotCommand("deadlines", "Upcoming dates")]
        assert await bot.set_my_commands(commands)
        assert await bot.get_my_commands() == tuple(commands)
        assert api.commands() == [c.to_dict() for c in commands]
        assert await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()

        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("notARealMethod", api_kwargs={"chat_id": ALICE})
        [call] = api.calls_to("notARealMethod")
        assert call.error is not None and call.error["error_code"] == 404
        assert call.error["description"].startswith("Not Found: method notARealMethod")


async def test_api_validates_like_telegram() -> None:
    async with running_fake_api() as api, _bot(api) as bot:
        api.add_chat(ALICE)
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(ALICE, "a <unknown> tag", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(ALICE, "<b>unclosed", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(ALICE, "x" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(777, "who?")
        sent = await bot.send_message(
            ALICE, "<i>5 &lt; 6</i> &amp; fine", parse_mode=ParseMode.HTML
        )
        assert sent.text == "5 < 6 & fine"
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                "<i>5 &lt; 6</i> &amp; fine", ALICE, sent.message_id, parse_mode=ParseMode.HTML
            )
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query("123456")
        assert await bot.send_chat_action(ALICE, "typing")


async def test_my_chat_member_updates_and_removed_bot_is_forbidden() -> None:
    changes: list[tuple[str, str]] = []
    removed = asyncio.Event()

    async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        assert change is not None
        changes.append((change.old_chat_member.status, change.new_chat_member.status))
        if change.new_chat_member.status == "member":
            await context.bot.send_message(change.chat.id, "Thanks for adding me")
        else:
            removed.set()

    async with running_fake_api() as api:
        app = application_builder(api).build()
        app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))
        async with polling_application(app):
            await api.add_bot(-555, by_user_id=ALICE)
            assert (await api.wait_for_message(-555)).text == "Thanks for adding me"
            await api.remove_bot(-555, by_user_id=ALICE)
            await asyncio.wait_for(removed.wait(), 5)
            with pytest.raises(Forbidden, match="kicked from the group chat"):
                await app.bot.send_message(-555, "still here?")
        assert changes == [("left", "member"), ("member", "left")]


async def test_wait_for_message_times_out_with_context() -> None:
    async with running_fake_api() as api, _bot(api) as bot:
        api.add_chat(ALICE)
        await bot.send_message(ALICE, "first")
        assert (await api.wait_for_message(ALICE)).text == "first"
        with pytest.raises(TimeoutError, match="'first'"):
            await api.wait_for_message(ALICE, timeout=0.05)


async def test_webhook_registration_stops_polling_until_deleted() -> None:
    async with running_fake_api() as api:
        bot = _bot(api)
        async with bot:
            assert await bot.set_webhook("https://example.org/hook", secret_token="s3cret_-")
            info = await bot.get_webhook_info()
            assert info.url == "https://example.org/hook"
            assert api.webhook is not None and api.webhook.secret_token == "s3cret_-"
            with pytest.raises(Conflict, match="webhook is active"):
                await bot.get_updates()
            with pytest.raises(BadRequest, match="unallowed characters"):
                await bot.set_webhook("https://example.org/hook", secret_token="no spaces")
            assert await bot.delete_webhook()
            assert api.webhook is None
            await api.send_text(ALICE, ALICE, "hello")
            [update] = await bot.get_updates()
            assert update.message is not None and update.message.text == "hello"


async def test_edit_text_queues_an_edited_message() -> None:
    async with running_fake_api() as api:
        sent = await api.send_text(GROUP, ALICE, "/start@CompactTestBot now")
        edited = await api.edit_text(sent, "hello @someone_else")
        bot = _bot(api)
        async with bot:
            first, second = await bot.get_updates()
        assert first.update_id == sent and second.update_id == edited
        assert second.edited_message is not None and second.message is None
        assert second.edited_message.text == "hello @someone_else"
        assert second.edited_message.edit_date is not None
        assert first.message is not None
        assert second.edited_message.message_id == first.message.message_id
        assert [e.type for e in second.edited_message.entities] == ["mention"]
        with pytest.raises(KeyError):
            await api.edit_text(edited, "an edit is not a message")
