"""DEBUG logs hold no message text, names, chat titles or feed tokens (issue 23, finding 8):
``compactbot run`` at DEBUG over the fake Bot API, polling and webhook, its whole output
searched; python-telegram-bot logs every call's parameters and answer at DEBUG."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import httpx
import pytest
from conftest import TOKEN
from fake_bot_api import running_fake_api
from test_telegram_hardening import free_port

GROUP, ADMIN = -1002468, 97531
TITLE, NAME = "Wombat Valley Reading Circle", "Ottoline"
SECRET_TEXT = "Zygomorphic hedgerow budget"


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_debug_logs_hold_no_text_names_or_feed_tokens(tmp_path: Path, mode: str) -> None:
    async with running_fake_api(token=TOKEN) as api:
        api.add_chat(GROUP, type="supergroup", title=TITLE)
        api.set_admins(GROUP, [ADMIN])
        api.user(ADMIN, NAME)
        http_port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("COMPACTBOT_")},
            "COMPACTBOT_LOG_LEVEL": "DEBUG",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "COMPACTBOT_API_URL": api.base_url,
            "COMPACTBOT_DB": str(tmp_path / "bot.db"),
            "COMPACTBOT_HTTP": f"127.0.0.1:{http_port}",
            "COMPACTBOT_PUBLIC_URL": f"http://127.0.0.1:{http_port}",
        }
        if mode == "webhook":
            port = free_port()
            env["COMPACTBOT_WEBHOOK_URL"] = f"http://127.0.0.1:{port}/hook"
            env["COMPACTBOT_WEBHOOK_PORT"] = str(port)
        log_file = tmp_path / "bot.log"
        with log_file.open("wb") as sink:
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.frontends.cli", "run",
                env=env, cwd=tmp_path, stdout=sink, stderr=sink,
            )  # fmt: skip
            try:
                await api.wait_for_call("setMyCommands", timeout=60)
                if mode == "webhook":
                    await api.wait_for_call("setWebhook", timeout=30)
                await api.send_text(GROUP, ADMIN, f"/remind tomorrow {SECRET_TEXT}")
                await api.wait_for_message(GROUP, lambda m: SECRET_TEXT in (m.text or ""), 30)
                await api.send_text(ADMIN, ADMIN, "/calendar link")
                sent = await api.wait_for_message(ADMIN, lambda m: "/calendar/" in (m.text or ""))
                [url] = re.findall(r"http://\S+\.ics", sent.text or "")
                async with httpx.AsyncClient() as client:
                    assert (await client.get(url)).status_code == 200
            finally:
                bot.send_signal(signal.SIGINT)
                await asyncio.wait_for(bot.wait(), 30)
    output = log_file.read_text(encoding="utf-8", errors="replace")
    assert "sendMessage" in output and " DEBUG " in output  # PTB's call lines are there
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    for secret in (SECRET_TEXT, TITLE, NAME, token, TOKEN.split(":")[1]):
        assert secret not in output, f"{secret!r} is in the log"
