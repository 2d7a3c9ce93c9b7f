"""Three worker processes, one bot, one PostgreSQL database, one killed mid-delivery.

Each worker is the real ``compactbot run`` in webhook mode on its own port (as behind nginx);
the fake Bot API posts Telegram's updates to them round-robin, one chat's updates one after
another (Telegram sends a chat's next update once the last one was acknowledged), different
chats' at once.  A few hundred groups each set two reminders a minute ahead with ``/remind``;
three busy groups set two too, then ask for ``/help`` twenty times more from several members,
more than their minute's quota of replies.  Once the reminders are going out,
the worker holding the most claims is killed with SIGKILL.  Then:

- every update was applied exactly once (one item per ``/remind``), and each chat's in the
  order they were sent (item ids rise with the updates);
- every reminder reached Telegram, once, except that what the killed worker had sent but not
  yet marked sent may arrive twice (never more, and nothing else);
- the three workers share one limiter: each booked its sends in the database's one book
  (the bot's slots and every chat's), and no group got more than 20 messages in any minute.
  That booked slots are spaced for 30 a second across workers is checked exactly, on a test
  clock, in ``test_shared_limits.py``; arrivals here are real time on a machine that may be
  busy, where a starved process sends late and bunched, so the most in one second is printed,
  not asserted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import raw_sql
from conftest import Databases
from delivery_trials import Worker
from fake_bot_api import FakeBotApi, running_fake_api
from test_sending import most_in_any

from bot.delivery.rate_limit import BOT, chat_key

TOKEN = "123:ABC"
SECRET = "workers-secret"
WORKERS = 3
CHATS = 200
"""Groups that each set two reminders."""
BUSY = 3
"""Groups that also ask ``BUSY_EXTRA`` more questions: more replies than a minute's quota."""
BUSY_EXTRA = 20
POSTS_PER_SECOND = 40
"""How fast the fake Telegram hands updates to the workers (all chats together)."""


@pytest.fixture
def pg_target(databases: Databases) -> str:
    return databases.new_sync("workers")


@pytest.fixture
def workers_env(pg_target: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COMPACTBOT_", "TELEGRAM_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        COMPACTBOT_DB=pg_target,
        COMPACTBOT_DB_POOL="4",
        COMPACTBOT_WEBHOOK_SECRET=SECRET,
        COMPACTBOT_INBOX_SWEEP="2",
        COMPACTBOT_LOG_LEVEL="WARNING",
        COMPACTBOT_CACHE_DIR=os.environ["COMPACTBOT_CACHE_DIR"],
        COMPACTBOT_FILES=str(tmp_path / "files"),
    )
    yield env


@contextlib.asynccontextmanager
async def running_workers(
    api: FakeBotApi, env: dict[str, str], logs: Path
) -> AsyncIterator[list[Worker]]:
    env = {**env, "COMPACTBOT_API_URL": api.base_url}
    workers = [Worker(n, env, logs / f"worker-{n}.log") for n in range(WORKERS)]
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            deadline = time.monotonic() + 300  # a hang, not a slow start on a busy machine
            for worker in workers:
                while not await worker.healthy(client):
                    assert worker.process.poll() is None, worker.log.read_text()[-3000:]
                    assert time.monotonic() < deadline, "a worker did not become healthy"
                    await asyncio.sleep(0.1)
        yield workers
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                await asyncio.to_thread(worker.process.wait, 30)
            except subprocess.TimeoutExpired:
                worker.process.kill()


def plan() -> dict[int, list[tuple[int, str]]]:
    """Per group: (sender, text) in the order sent."""
    chats: dict[int, list[tuple[int, str]]] = {}
    for n in range(CHATS):
        chat = -100_000 - n
        chats[chat] = [(50_000 + n, f"/remind in 1 minute chase grant {n} {k}") for k in "ab"]
    for b in range(BUSY):
        chat = -200_000 - b
        members = [60_000 + 10 * b + m for m in range(4)]  # under the per-member throttle
        chats[chat] = [(members[0], f"/remind in 1 minute busy {b} call {k}") for k in "ab"]
        chats[chat] += [(members[k % len(members)], "/help") for k in range(BUSY_EXTRA)]
    return chats


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_three_workers_one_killed_mid_delivery_apply_and_deliver_everything_once(
    pg_target: str, workers_env: dict[str, str], tmp_path: Path
) -> None:
    chats = plan()
    async with running_fake_api(token=TOKEN) as api:
        for chat, sends in chats.items():
            api.add_chat(chat, type="group", title=f"Group {chat}")
            senders = sorted({user for user, _ in sends})
            for user in senders:
                api.user(user, f"Member {user}")
            api.set_admins(chat, senders)
        async with running_workers(api, workers_env, tmp_path) as workers:
            started = time.monotonic()
            turn = iter(range(10**9))
            updates: dict[int, list[int]] = {}  # chat -> update ids, in order sent
            texts: dict[int, str] = {}
            next_post = [time.monotonic()]

            async def paced() -> None:
                """Updates come in as people write them, not all in one instant."""
                at = next_post[0] = max(next_post[0] + 1 / POSTS_PER_SECOND, time.monotonic())
                await asyncio.sleep(at - time.monotonic())

            async def post_chat(chat: int, sends: list[tuple[int, str]]) -> None:
                for user, text in sends:
                    await paced()
                    update = api.text_update(chat, user, text)
                    updates.setdefault(chat, []).append(update["update_id"])
                    texts[update["update_id"]] = text
                    worker = workers[next(turn) % WORKERS]
                    status = await api.post_to_webhook(update, SECRET, worker.url)
                    assert status == 200

            await asyncio.gather(*(post_chat(c, s) for c, s in chats.items()))
            posted = time.monotonic() - started
            every_reminder = 2 * len(chats)

            # The first reminders are out: kill the worker that holds the most claims.
            def reminder_messages() -> list[Any]:
                return [m for m in api.sent if (m.text or "").startswith("⏰")]

            while len(reminder_messages()) < 20:
                # Bounds only for a hang: reminders fall due a minute (real time) in.
                assert time.monotonic() - started < 600, "no reminder went out"
                await asyncio.sleep(0.05)
            # A busy machine may catch the workers between batches: look until one holds claims.
            while not (
                claims := await raw_sql.fetch(
                    pg_target,
                    "SELECT claimed_by, count(*) FROM reminders WHERE status = 'sending'"
                    " GROUP BY claimed_by ORDER BY count(*) DESC",
                )
            ):
                left = await raw_sql.fetch(
                    pg_target, "SELECT count(*) FROM reminders WHERE status <> 'sent'"
                )
                assert left[0][0] > 0, "every reminder went out before a kill could come"
                await asyncio.sleep(0.02)
            victim_owner = claims[0][0]
            victim_pid = int(victim_owner.split("-")[-2])
            [victim] = [w for w in workers if w.process.pid == victim_pid]
            os.kill(victim_pid, signal.SIGKILL)
            killed_at = time.monotonic()
            victim.process.wait()
            # What the dead worker had claimed and not marked sent (its claims wait out the
            # grace before anyone takes them): any of it may have reached Telegram already, so
            # these, and only these, may arrive twice.  How many depends on how far the
            # machine let marking sent fall behind sending, not on the code.
            unrecorded = {
                title
                for (title,) in await raw_sql.fetch(
                    pg_target,
                    "SELECT i.title FROM reminders r JOIN items i ON i.id = r.item_id"
                    " WHERE r.status = 'sending' AND r.claimed_by = ?",
                    [victim_owner],
                )
            }

            # The other two finish the job.
            while True:
                left = await raw_sql.fetch(
                    pg_target,
                    "SELECT (SELECT count(*) FROM reminders WHERE status <> 'sent'),"
                    " (SELECT count(*) FROM inbox WHERE done_at IS NULL),"
                    " (SELECT count(*) FROM reminders)",
                )
                if left[0] == (0, 0, every_reminder):
                    break
                assert time.monotonic() - started < 900, f"not finished: {left}"
                await asyncio.sleep(0.1)
            finished = time.monotonic()
            survivors = [w for w in workers if w is not victim]
            async with httpx.AsyncClient(timeout=2) as client:
                assert all([await w.healthy(client) for w in survivors])

    # Every update applied exactly once, each chat's in the order sent.
    items = await raw_sql.fetch(pg_target, "SELECT id, chat_id, title FROM items ORDER BY id")
    by_title = Counter(title for _, _, title in items)
    wanted = {
        text.removeprefix("/remind in 1 minute ") for text in texts.values() if text != "/help"
    }
    assert set(by_title) == wanted
    assert [t for t, n in by_title.items() if n > 1] == []
    for chat, ids in updates.items():
        titles = [title for _, c, title in items if c == chat]
        sent = [texts[u].removeprefix("/remind in 1 minute ") for u in ids if texts[u] != "/help"]
        assert titles == sent, f"chat {chat} applied out of order"
    done = await raw_sql.fetch(pg_target, "SELECT count(*) FROM inbox WHERE done_at IS NULL")
    assert done[0][0] == 0

    # Every reminder delivered, once; only what the dead worker had not marked sent twice.
    reminder_msgs = [m for m in api.sent if (m.text or "").startswith("⏰")]
    texts_seen = Counter(m.text for m in reminder_msgs)
    doubled = [t for t, n in texts_seen.items() if n > 1]
    assert all(texts_seen[t] == 2 for t in doubled), doubled
    doubled_titles = {title for title in wanted for t in doubled if title_in(title, t)}
    assert doubled_titles <= unrecorded, (doubled_titles - unrecorded, len(unrecorded))
    delivered = Counter(
        title for m in reminder_msgs for title in wanted if title_in(title, m.text or "")
    )
    assert set(delivered) == wanted, wanted - set(delivered)

    # Telegram's limits held for the bot as a whole: every worker booked its slots in the
    # one shared book (the spacing of booked slots across workers is checked exactly, on a
    # test clock, in test_shared_limits.py).  Arrival times here are the machine's real time:
    # a starved process sends late and bunched, so a second of arrivals measures the machine,
    # not the limiter, and is only printed below.
    sends = [m for m in api.sent if m.method == "sendMessage"]
    at = sorted(m.at for m in sends)
    keys = {key for (key,) in await raw_sql.fetch(pg_target, "SELECT key FROM send_slots")}
    assert {BOT} | {chat_key(chat) for chat in chats} <= keys
    # A chat's minute is 66 s to the limiter: only a stall of over 6 s could crowd a minute.
    for chat in chats:
        assert most_in_any([m.at for m in sends if m.chat_id == chat], 60.0) <= 20

    reminders_at = [m.at for m in reminder_msgs]
    print(
        f"\n{len(updates)} chats, {len(texts)} updates posted in {posted:.1f} s, "
        f"{len(sends)} messages; killed a worker {killed_at - min(reminders_at):.1f} s into "
        f"delivery; all delivered {finished - killed_at:.1f} s after the kill; "
        f"{len(doubled)} message(s) twice of {len(unrecorded)} unrecorded at the kill; "
        f"most in one second {most_in_any(at, 1.0)}"
    )


def title_in(title: str, text: str) -> bool:
    """Whether a reminder message (one reminder, or a numbered digest) carries ``title``."""
    lines = [line.split(". ", 1)[-1] if line[:1].isdigit() else line for line in text.splitlines()]
    return any(line.removeprefix("⏰ ").removeprefix("(late) ") == title for line in lines)
