"""The Telegram front end under conditions the happy path does not meet: logs that must not
leak the token, webhook requests that must carry the secret, edited messages, anonymous
admins.  Each runs the real PTB stack over HTTP against the loopback fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ADMIN, GROUP, MEMBER, TOKEN
from fake_bot_api import FakeBotApi, running_fake_api
from test_telegram_e2e import has, notice, running_bot

from bot.clock import ManualClock
from bot.core import Core
from bot.frontends import logs
from bot.frontends.telegram import (
    CORE,
    Webhook,
    webhook_running,
)
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# Shaped like a real token (digits, colon, 35 URL-safe characters), so every pattern applies.
SECRET_TOKEN = "7412589630:AAHs3cr3t-Token_for_Tests_0123456789x"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- 1. the bot token never reaches a log -----------------------------------------------------


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_the_token_never_appears_in_the_logs_of_a_running_bot(
    tmp_path: Path, mode: str
) -> None:
    """``compactbot run`` (so ``run_telegram``'s own logging set-up) at DEBUG, long polling
    the fake API or receiving its webhook posts, answering messages: its whole log output
    never contains the token (nor the webhook's secret)."""
    async with running_fake_api(token=SECRET_TOKEN) as api:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("COMPACTBOT_")},
            "COMPACTBOT_LOG_LEVEL": "DEBUG",
            "TELEGRAM_BOT_TOKEN": SECRET_TOKEN,
            "COMPACTBOT_API_URL": api.base_url,
            "COMPACTBOT_DB": str(tmp_path / "bot.db"),
        }
        if mode == "webhook":
            port = free_port()
            env["COMPACTBOT_WEBHOOK_URL"] = f"http://127.0.0.1:{port}/hook"
            env["COMPACTBOT_WEBHOOK_PORT"] = str(port)
        log_file = tmp_path / "bot.log"
        with log_file.open("wb") as sink:
            bot = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.frontends.cli",
                "run",
                env=env,
                cwd=tmp_path,
                stdout=sink,
                stderr=sink,
            )
            try:
                await api.wait_for_call("setMyCommands", timeout=60)
                if mode == "webhook":
                    await api.wait_for_call("setWebhook", timeout=30)
                await api.send_text(GROUP, ADMIN, "/help")
                await api.wait_for_message(GROUP, lambda m: "I know" in (m.text or ""), 30)
                # A request that fails: PTB logs the error (with its traceback) at ERROR.
                api.fail_next("sendMessage", GROUP, 400, "Bad Request: fake failure", times=2)
                await api.send_text(GROUP, ADMIN, "/help")
                await api.wait_for_call("sendMessage", lambda c: c.error is not None, 30)
            finally:
                bot.send_signal(signal.SIGINT)
                await asyncio.wait_for(bot.wait(), 30)
    output = log_file.read_text(encoding="utf-8", errors="replace")
    assert SECRET_TOKEN not in output
    assert SECRET_TOKEN.split(":", 1)[1] not in output
    if mode == "webhook":
        assert api.webhook is not None and api.webhook.secret_token
        assert api.webhook.secret_token not in output  # PTB logs setWebhook's parameters
        assert {d.status for d in api.webhook_deliveries} == {200}
    assert " DEBUG " in output, "COMPACTBOT_LOG_LEVEL=DEBUG is honoured"
    # PTB's DEBUG lines name the endpoints it calls, with their parameters.
    assert ("setWebhook" if mode == "webhook" else "getUpdates") in output
    # PTB's DEBUG line "Set Bot API URL: http://…/bot<token>" is there, redacted.
    assert f"/bot{logs.REDACTED}" in output


@pytest.fixture
def redaction() -> Iterator[None]:
    logs.install([SECRET_TOKEN])
    try:
        yield
    finally:
        logs.uninstall()


@pytest.mark.usefixtures("redaction")
def test_every_record_is_redacted_whatever_logger_or_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Records of any logger, with the token in the message, its arguments or an exception,
    reach a handler added after the filter was installed already redacted."""
    caplog.set_level(logging.DEBUG)
    url = f"https://api.telegram.org/bot{SECRET_TOKEN}/getMe"
    logging.getLogger("httpx").warning("HTTP Request: POST %s", url)
    logging.getLogger("telegram.ext.Updater").error("bot is %r", f"Bot[token={SECRET_TOKEN}]")
    other = "bot987654:another-secret"
    logging.getLogger("somewhere.else").info("fetched /file/%s/documents/1.csv", other)
    try:
        raise RuntimeError(f"could not reach {url}")
    except RuntimeError:
        logging.getLogger("telegram.ext.Application").exception("error handling update")
    text = caplog.text
    assert SECRET_TOKEN not in text and "another-secret" not in text
    assert text.count(logs.REDACTED) >= 3
    assert "bot is '[59 characters withheld]'" in text  # PTB's arguments: only their size
    assert "could not reach https://api.telegram.org/" in text  # the rest is kept
    for record in caplog.records:
        assert SECRET_TOKEN not in record.getMessage()


# --- 2. the webhook takes only what carries Telegram's secret ---------------------------------


def webhook_settings(api: FakeBotApi, db: Path, **extra: Any) -> Settings:
    port = free_port()
    return Settings(
        telegram_bot_token=TOKEN,
        api_url=api.base_url,
        db=db,
        webhook_url=f"http://127.0.0.1:{port}/compactbot/hook",
        webhook_port=port,
        **extra,
    )


async def test_webhook_processes_what_carries_the_secret_and_refuses_the_rest(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    settings = webhook_settings(api, tmp_path / "bot.db")
    async with webhook_running(settings, clock=clock) as app:
        hook = api.webhook
        assert hook is not None and hook.url == settings.webhook_url
        # No secret was configured: one was made up, and Telegram was told it.
        assert hook.secret_token is not None and len(hook.secret_token) >= 32
        # Posts that do not carry it are refused before anything reads them.
        forged = api.text_update(GROUP, ADMIN, "/remind tomorrow forged without a secret")
        assert await api.post_to_webhook(forged, None) == 403
        wrong = api.text_update(GROUP, ADMIN, "/remind tomorrow forged with a wrong secret")
        assert await api.post_to_webhook(wrong, "not-the-secret") == 403
        # Telegram's own delivery carries it: processed, and the reply goes out.
        await api.send_text(GROUP, ADMIN, "/remind tomorrow at 10am chase the grant letter")
        await api.wait_for_message(GROUP, has("I'll remind this chat"), timeout=10)
        assert [d.status for d in api.webhook_deliveries] == [200]
        by_hand = api.text_update(GROUP, ADMIN, "/help")
        assert await api.post_to_webhook(by_hand, hook.secret_token) == 200
        await api.wait_for_message(GROUP, has("I know what your local Compact"), timeout=10)
        core: Core = app.bot_data[CORE]
        items = await core.open_items(GROUP)
        assert [i.title for i in items] == ["chase the grant letter"]
        assert not [m for m in api.messages_to(GROUP) if "forged" in (m.text or "")]
    assert not api.calls_to("getUpdates"), "a webhook bot never polls"


async def test_a_configured_webhook_secret_is_the_one_required(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    settings = webhook_settings(api, tmp_path / "bot.db", webhook_secret="our-own_Secret-42")
    async with webhook_running(settings, clock=clock):
        assert api.webhook is not None and api.webhook.secret_token == "our-own_Secret-42"
        update = api.text_update(GROUP, ADMIN, "/help")
        assert await api.post_to_webhook(update, "our-own_Secret-42") == 200
        await api.wait_for_message(GROUP, has("I know what your local Compact"), timeout=10)


def test_webhook_settings_listen_on_loopback_with_a_fresh_secret_unless_told() -> None:
    settings = Settings(
        telegram_bot_token=TOKEN, webhook_url="https://bot.example.org/telegram/hook"
    )
    first, second = Webhook.from_settings(settings), Webhook.from_settings(settings)
    assert first.listen == "127.0.0.1" and first.port == 8443
    assert first.url_path == "telegram/hook"  # the path a reverse proxy passes on
    assert first.secret_token != second.secret_token
    assert first.arguments()["secret_token"] == first.secret_token
    told = Settings(
        webhook_url="https://bot.example.org/hook",
        webhook_listen="0.0.0.0",
        webhook_secret="abc_DEF-123",
    )
    assert Webhook.from_settings(told).listen == "0.0.0.0"
    assert Webhook.from_settings(told).secret_token == "abc_DEF-123"
    with pytest.raises(ValueError):
        Settings(webhook_secret="has spaces and ünïcode")
    with pytest.raises(ValueError):
        Webhook.from_settings(Settings(webhook_url=None))


# --- 3. an edited message never runs a command again ------------------------------------------


async def test_an_edited_command_is_not_run_again(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        sent = await api.send_text(GROUP, ADMIN, "/remind tomorrow chase grant letter")
        await api.wait_for_message(GROUP, has("I'll remind this chat"), timeout=10)
        await api.edit_text(sent, "/remind tomorrow chase the grant letter")
        note = await api.wait_for_message(GROUP, has("edited"), timeout=10)
        assert "Nothing was changed" in (note.text or "")
        assert "send a new message" in (note.text or "").lower()
        # Edited again: still nothing run, and no second note.
        await api.edit_text(sent, "/remind in 2 days chase the grant letter")
        # A plain group message, not for the bot, edited: ignored as the message was.
        chatter = await api.send_text(GROUP, MEMBER, "see you all on Tuesday")
        await api.edit_text(chatter, "see you all on Wednesday")
        await api.send_text(GROUP, MEMBER, "/help")
        await api.wait_for_message(GROUP, has("I know what your local Compact"), timeout=10)
        core: Core = app.bot_data[CORE]
        assert len(await core.open_items(GROUP)) == 1
        assert len(await core.pending_reminders(GROUP)) == 1
        replies = [m.text or "" for m in api.messages_to(GROUP)]
        assert sum("I'll remind" in t for t in replies) == 1
        assert sum("edited" in t for t in replies) == 1
        assert len(replies) == 3  # the reminder set, one note, the help


async def test_an_edited_question_in_private_gets_the_note_not_an_answer(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    async with running_bot(api, tmp_path / "bot.db", clock):
        sent = await api.send_text(MEMBER, MEMBER, "/compact rbkc")
        await api.wait_for_message(MEMBER, has("now follows"), timeout=10)
        await api.edit_text(sent, "/compact kent-2011")
        await api.wait_for_message(MEMBER, has("edited"), timeout=10)
        await api.send_text(MEMBER, MEMBER, "/compact")
        shown = await api.wait_for_message(MEMBER, has("This chat follows"), timeout=10)
        assert "rbkc" in (shown.text or "") and "kent-2011" not in (shown.text or "")


# --- 4. a draft an anonymous admin started can be confirmed by an admin -----------------------


async def test_an_anonymous_admins_draft_is_confirmed_by_an_admin(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    """Telegram hides an anonymous admin behind GroupAnonymousBot on behalf of the group; their
    Confirm press, though, comes from the person.  The draft is the group's anonymous admin's,
    and an admin's press confirms it; a member's does not."""
    api.set_admins(GROUP, [ADMIN], anonymous_admin=True)
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        await api.send_text(GROUP, ADMIN, "/compact rbkc", sender_chat_id=GROUP)
        await api.wait_for_message(GROUP, has("now follows"), timeout=10)
        await api.send_text(
            GROUP,
            ADMIN,
            "/consultation Parks review by KCC, opens 1 Dec 2026",
            sender_chat_id=GROUP,
        )
        ask = await api.wait_for_message(GROUP, has("When does it close?"), timeout=10)
        # The answer, again anonymous, carries on the same draft.
        await api.send_text(
            GROUP, ADMIN, "23/2/27", reply_to_message_id=ask.message_id, sender_chat_id=GROUP
        )
        readback = await api.wait_for_message(GROUP, has("Is this right?"), timeout=10)
        confirm = dict(readback.buttons)["Confirm"]
        assert confirm is not None
        await api.press_button(GROUP, MEMBER, readback.message_id, confirm)
        await notice(api, "someone else's registration")
        core: Core = app.bot_data[CORE]
        assert await core.open_items(GROUP) == []
        # The admin (the person behind the anonymous message) presses the same button.
        await api.press_button(GROUP, ADMIN, readback.message_id, confirm, check=False)
        done = await api.wait_for_message(GROUP, has("Registered as item #1"), timeout=10)
        assert "Parks review" in (done.text or "")
        [item] = await core.open_items(GROUP)
        assert item.title == "Parks review"
        # The draft is gone: a second press registers nothing twice.
        await api.press_button(GROUP, ADMIN, readback.message_id, confirm, check=False)
        await notice(api, "old message")
        assert len(await core.open_items(GROUP)) == 1


async def test_an_anonymous_admins_draft_can_be_changed_by_an_admin(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    api.set_admins(GROUP, [ADMIN], anonymous_admin=True)
    async with running_bot(api, tmp_path / "bot.db", clock) as app:
        await api.send_text(
            GROUP,
            ADMIN,
            "/complaint against the council: they cut the consultation to 3 weeks",
            sender_chat_id=GROUP,
        )
        readback = await api.wait_for_message(GROUP, has("Is this right?"), timeout=10)
        change = dict(readback.buttons)["Change"]
        assert change is not None
        await api.press_button(GROUP, ADMIN, readback.message_id, change)
        asked = await api.wait_for_message(GROUP, has("What should change?"), timeout=10)
        core: Core = app.bot_data[CORE]
        assert await core.open_items(GROUP) == []
        # The anonymous admin answers in a reply to the bot; an admin confirms the new one.
        await api.send_text(
            GROUP,
            ADMIN,
            "summary they cut the consultation to 2 weeks",
            reply_to_message_id=asked.message_id,
            sender_chat_id=GROUP,
        )
        again = await api.wait_for_message(GROUP, has("Is this right?"), timeout=10)
        assert "Summary: they cut the consultation to 2 weeks" in (again.text or "")
        confirm = dict(again.buttons)["Confirm"]
        assert confirm is not None
        await api.press_button(GROUP, ADMIN, again.message_id, confirm)
        await api.wait_for_message(GROUP, has("Registered as item #1"), timeout=10)
        [item] = await core.open_items(GROUP)
        assert "2 weeks" in item.title


async def test_pressing_a_refused_button_twice_is_not_an_error(
    api: FakeBotApi, tmp_path: Path, clock: ManualClock
) -> None:
    """The second press earns the same text: Telegram says "message is not modified", which
    is no reason to tell the chat something went wrong."""
    async with running_bot(api, tmp_path / "bot.db", clock):
        await api.send_text(GROUP, ADMIN, "/compact rbkc")
        await api.wait_for_message(GROUP, has("now follows"), timeout=10)
        await api.send_text(
            GROUP, ADMIN, "/complaint against the council: they cut the consultation to 3 weeks"
        )
        readback = await api.wait_for_message(GROUP, has("Is this right?"), timeout=10)
        confirm = dict(readback.buttons)["Confirm"]
        assert confirm is not None
        for _ in range(2):
            await api.press_button(GROUP, MEMBER, readback.message_id, confirm, check=False)
            await notice(api, "nothing was changed")
        assert not api.calls_to("editMessageText")  # the read-back keeps its buttons
        await api.send_text(GROUP, MEMBER, "/help")
        await api.wait_for_message(GROUP, has("I know what your local Compact"), timeout=10)
        assert not [m for m in api.messages_to(GROUP) if "went wrong" in (m.text or "")]


# --- the command line, when Telegram refuses the token ----------------------------------------


async def test_run_with_a_token_telegram_refuses_exits_2(tmp_path: Path) -> None:
    async with running_fake_api(token=SECRET_TOKEN) as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPACTBOT_")}
        env.pop("TELEGRAM_BOT_TOKEN", None)
        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.frontends.cli",
            "run",
            "--token",
            "123:not-the-token",
            "--api-url",
            api.base_url,
            "--db",
            str(tmp_path / "bot.db"),
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(bot.communicate(), 60)
    assert bot.returncode == 2
    assert out == b""
    last = err.decode().splitlines()[-1]
    assert last == "compactbot: Telegram refused the bot token (TELEGRAM_BOT_TOKEN or --token)"
    assert b"not-the-token" not in err
