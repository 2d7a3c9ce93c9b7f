"""Per-update cost of compactbot's handlers against a bare python-telegram-bot handler.

Both run in one process through ``Application.process_update`` with the real HTTP layer,
against the loopback fake Bot API server from the tests (so the reply's HTTP round trip is
in both columns, and the difference is the bot's own work: parsing, plugins, storage).

    .venv/bin/python benchmarks/dispatch.py [--n 300]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fake_bot_api import FakeBotApi, application_builder, running_fake_api
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.frontends.telegram import build_application, start_core, stop_core
from bot.settings import Settings

TOKEN = "123:ABC"
CHAT = 42


def _update(app: Application[Any, Any, Any, Any, Any, Any], uid: int, text: str) -> Update:
    entities = (
        [
            {
                "type": "bot_command",
                "offset": 0,
                "length": text.find(" ") if " " in text else len(text),
            }
        ]
        if text.startswith("/")
        else []
    )
    data = {
        "update_id": uid,
        "message": {
            "message_id": uid,
            "date": int(time.time()),
            "text": text,
            "entities": entities,
            "chat": {"id": CHAT, "type": "private", "first_name": "Bench"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Bench"},
        },
    }
    return Update.de_json(data, app.bot)


async def _measure(
    app: Application[Any, Any, Any, Any, Any, Any], texts: list[str], n: int
) -> list[float]:
    for i in range(20):  # warm-up
        await app.process_update(_update(app, i, texts[i % len(texts)]))
    samples = []
    for i in range(n):
        update = _update(app, 1000 + i, texts[i % len(texts)])
        start = time.perf_counter_ns()
        await app.process_update(update)
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def _press(
    app: Application[Any, Any, Any, Any, Any, Any], api: FakeBotApi, uid: int, label: str
) -> Update:
    """A press of the button ``label`` on the bot's latest message to the chat."""
    message = api.messages_to(CHAT)[-1]
    data = dict(message.buttons)[label]
    query_id = f"q{uid}"
    api._open_callbacks.add(query_id)  # as if Telegram had delivered the press
    payload = {
        "update_id": uid,
        "callback_query": {
            "id": query_id,
            "from": {"id": CHAT, "is_bot": False, "first_name": "Bench"},
            "chat_instance": "1",
            "data": data,
            "message": {
                "message_id": message.message_id,
                "date": int(time.time()),
                "chat": {"id": CHAT, "type": "private", "first_name": "Bench"},
                "text": message.text,
            },
        },
    }
    return Update.de_json(payload, app.bot)


async def _measure_confirm(
    app: Application[Any, Any, Any, Any, Any, Any], api: FakeBotApi, n: int
) -> list[float]:
    """The Confirm press that stores an item (its read-back is sent first, not timed)."""
    text = "/consultation Library review, opens 1 Dec 2026, closes 23 Feb 2027, by KCC"
    samples = []
    uid = 5000
    for i in range(20 + n):
        await app.process_update(_update(app, uid, text))
        uid += 1
        # The read-back may come after a follow-up question or two (earlier rounds…).
        for _ in range(5):
            if "Confirm" in dict(api.messages_to(CHAT)[-1].buttons):
                break
            await app.process_update(_update(app, uid, "skip"))
            uid += 1
        press = _press(app, api, uid, "Confirm")
        uid += 1
        start = time.perf_counter_ns()
        await app.process_update(press)
        if i >= 20:  # after the warm-up
            samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def _row(name: str, xs: list[float], base: float | None) -> str:
    xs = sorted(xs)
    p50, p99 = statistics.median(xs), xs[int(len(xs) * 0.99) - 1]
    extra = f"{p50 - base:>10.0f}" if base is not None else f"{'—':>10}"
    return f"{name:<28}{p50:>10.0f}{p99:>10.0f}{extra}"


async def main(n: int) -> None:
    async with running_fake_api(token=TOKEN) as api:
        api.add_chat(CHAT, "private")
        bare = await _bare(api)
        with tempfile.TemporaryDirectory() as tmp:
            # Without Telegram's limits, which alone space replies ~33 ms apart.
            settings = Settings(
                telegram_bot_token=TOKEN,
                api_url=api.base_url,
                db=Path(tmp) / "bench.db",
                COMPACTBOT_RATE_GLOBAL=1e9,
                COMPACTBOT_RATE_CHAT=1e9,
            )
            options = (
                {"rate_limit": False}
                if "rate_limit" in inspect.signature(build_application).parameters
                else {}
            )
            app = build_application(settings, **options)
            await app.initialize()
            await start_core(app, settings)
            try:
                await app.process_update(_update(app, 1, "/compact kent-2011 west-kent"))
                question = await _measure(
                    app,
                    [
                        "how long must a consultation be?",
                        "/ask how much notice before they end our grant?",
                    ],
                    n,
                )
                register = await _measure(
                    app,
                    [
                        "/consultation Library review, opens 1 Dec 2026, closes 23 Feb 2027, "
                        "by KCC",
                    ],
                    n,
                )
                confirm = await _measure_confirm(app, api, n)
            finally:
                await stop_core(app)
                await app.shutdown()
        base = statistics.median(bare)
        print(f"dispatch per update over loopback HTTP, n={n} (µs)")
        print(f"{'handler':<28}{'p50':>10}{'p99':>10}{'p50 - bare':>10}")
        print(_row("bare PTB reply", bare, None))
        print(_row("compactbot question", question, base))
        print(_row("compactbot registration", register, base))
        print(_row("compactbot Confirm (stores)", confirm, base))
        print(f"ratio (question / bare, p50): {statistics.median(question) / base:.2f}")


async def _bare(api: FakeBotApi) -> list[float]:
    app = application_builder(api, token=TOKEN).build()

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("ok")

    app.add_handler(MessageHandler(filters.TEXT, reply))
    await app.initialize()
    try:
        return await _measure(app, ["how long must a consultation be?"], N)
    finally:
        await app.shutdown()


N = 300

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=N)
    parser.add_argument("--quick", action="store_true", help="smallest sizes (the CI smoke run)")
    parsed = parser.parse_args()
    N = 5 if parsed.quick else parsed.n
    asyncio.run(main(N))
