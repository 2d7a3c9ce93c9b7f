"""The Telegram front end under conditions the happy path does not meet: logs that must not
leak the token, webhook requests that must carry the secret, edited messages, anonymous
admins.  Each runs the real PTB stack over HTTP against the loopback fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_bot_api import running_fake_api

from bot.frontends import logs

ROOT = Path(__file__).resolve().parent.parent
# Shaped like a real token (digits, colon, 35 URL-safe characters), so every pattern applies.
SECRET_TOKEN = "7412589630:AAHs3cr3t-Token_for_Tests_0123456789x"
GROUP = -1001
ADMIN, MEMBER = 10, 11


# --- 1. the bot token never reaches a log -----------------------------------------------------


async def test_the_token_never_appears_in_the_logs_of_a_running_bot(tmp_path: Path) -> None:
    """``compactbot run`` (so ``run_telegram``'s own logging set-up) at DEBUG, long polling
    the fake API, answering a message: its whole log output never contains the token."""
    async with running_fake_api(token=SECRET_TOKEN) as api:
        env = {
            **os.environ,
            "COMPACTBOT_LOG_LEVEL": "DEBUG",
            "TELEGRAM_BOT_TOKEN": SECRET_TOKEN,
            "COMPACTBOT_API_URL": api.base_url,
            "COMPACTBOT_DB": str(tmp_path / "bot.db"),
        }
        env.pop("COMPACTBOT_WEBHOOK_URL", None)
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
    assert " DEBUG " in output, "COMPACTBOT_LOG_LEVEL=DEBUG is honoured"
    assert "getUpdates" in output  # PTB's DEBUG lines name the endpoint it calls
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
    assert text.count(logs.REDACTED) >= 4
    assert "could not reach https://api.telegram.org/" in text  # the rest is kept
    for record in caplog.records:
        assert SECRET_TOKEN not in record.getMessage()
