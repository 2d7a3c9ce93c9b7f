"""Exactly once through a database restart and a graceful stop: one trial, real parts.

Several real worker processes (``compactbot run``, webhook mode, as in production) deliver
reminders from one PostgreSQL database to the loopback fake Bot API, which answers each
``sendMessage`` a little late (the message is delivered at once, the answer comes after
``ANSWER_LATE`` s, as a busy Telegram does), so sends are really under way when:

- ``restart``: the PostgreSQL server is stopped at once (``pg_ctl stop -m immediate``: every
  connection, and every worker's advisory locks, gone) and started again ``DOWN`` s later;
- ``sigterm``: the worker holding the most claims is sent SIGTERM (systemd's restart).

Then every reminder must reach "Telegram" exactly once.  ``benchmarks/restarts.py`` runs
many trials and prints the figures; ``tests/test_delivery_restarts.py`` runs one of each.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from fake_bot_api import FakeBotApi, running_fake_api
from pg_server import PgServer, free_port

from storage.repository import Database, NewReminder

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123:ABC"
SECRET = "trial-secret"
ANSWER_LATE = 0.15
"""Seconds the fake Bot API takes to answer a sendMessage it has already delivered."""
DOWN = 2.0
"""Seconds the database stays down in a restart trial."""
FIRST_CHAT = -300_000


@dataclass(frozen=True)
class TrialResult:
    kind: str
    reminders: int
    lost: int
    doubled: int
    seconds: float
    unrecorded: list[float]
    """Per reminder, seconds from its arrival at "Telegram" to its being marked sent: a
    worker killed (SIGKILL, power) in that window leaves it to be sent again."""


class Worker:
    """One ``compactbot run`` process in webhook mode."""

    def __init__(self, n: int, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.health_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        """Where the fake Bot API posts this worker's updates."""
        self.log = log
        env = {
            **env,
            "COMPACTBOT_WEBHOOK_URL": self.url,
            "COMPACTBOT_WEBHOOK_PORT": str(self.port),
            "COMPACTBOT_HEALTH_PORT": str(self.health_port),
        }
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.frontends.cli", "run"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    async def healthy(self, client: httpx.AsyncClient) -> bool:
        with contextlib.suppress(httpx.HTTPError):
            response = await client.get(f"http://127.0.0.1:{self.health_port}/healthz")
            return response.status_code == 200
        return False

    async def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(self.process.wait, 60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait)


def worker_env(url: str, api: FakeBotApi, tmp: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COMPACTBOT_", "TELEGRAM_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        COMPACTBOT_DB=url,
        COMPACTBOT_DB_POOL="4",
        COMPACTBOT_WEBHOOK_SECRET=SECRET,
        COMPACTBOT_LOG_LEVEL="WARNING",
        COMPACTBOT_API_URL=api.base_url,
        COMPACTBOT_FILES=str(tmp / "files"),
    )
    if "COMPACTBOT_CACHE_DIR" in os.environ:
        env["COMPACTBOT_CACHE_DIR"] = os.environ["COMPACTBOT_CACHE_DIR"]
    return env


async def started_workers(count: int, env: dict[str, str], tmp: Path) -> list[Worker]:
    workers = [Worker(n, env, tmp / f"worker-{n}-0.log") for n in range(count)]
    try:
        await _until_healthy(workers, env, tmp)
    except BaseException:
        for worker in workers:
            await worker.stop()
        raise
    return workers


async def _until_healthy(workers: list[Worker], env: dict[str, str], tmp: Path) -> None:
    count = len(workers)
    async with httpx.AsyncClient(timeout=5) as client:
        deadline = time.monotonic() + 300  # a hang, not a slow start on a busy machine
        for n in range(count):
            for attempt in range(1, 6):
                worker = workers[n]
                while not await worker.healthy(client):
                    if worker.process.poll() is not None or time.monotonic() > deadline:
                        break
                    await asyncio.sleep(0.1)
                else:
                    break
                log = await asyncio.to_thread(worker.log.read_text)
                # A free port taken by someone else before the worker bound it: another.
                if "Address already in use" not in log or attempt == 5:
                    raise RuntimeError(f"a worker did not become healthy: {log[-3000:]}")
                workers[n] = Worker(n, env, tmp / f"worker-{n}-{attempt}.log")


async def fetch(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


def text_of(n: int) -> str:
    return f"trial reminder {n}"


async def run_trial(
    kind: str, server: PgServer, tmp: Path, *, reminders: int = 200, workers: int = 3
) -> TrialResult:
    """One trial on a fresh database of ``server`` (which must be ``durable``: a server
    that may lose committed transactions in a crash can double a message by itself)."""
    if kind not in ("restart", "sigterm"):
        raise ValueError(kind)
    await asyncio.to_thread(tmp.mkdir, parents=True, exist_ok=True)
    name = server.new_name(f"trial_{kind}")
    await asyncio.to_thread(server.create_database, name)
    url = server.url(name)
    chats = [FIRST_CHAT - n for n in range(reminders)]
    async with running_fake_api(token=TOKEN) as api:
        for chat in chats:
            api.add_chat(chat, type="group", title=f"Group {chat}")
        api.answer_late("sendMessage", ANSWER_LATE, times=10**9)
        db = await Database.open(url)  # migrated before the workers start
        await db.close()
        pool = await started_workers(workers, worker_env(url, api, tmp), tmp)
        try:
            db = await Database.open(url)
            try:
                async with db.transaction() as tx:
                    await tx.add_reminders(
                        [
                            NewReminder(
                                chat_id=chat,
                                item_id=None,
                                due_at=datetime.now(UTC),
                                text=text_of(n),
                                key="trial",
                            )
                            for n, chat in enumerate(chats)
                        ]
                    )
            finally:
                await db.close()
            started = time.monotonic()

            def delivered() -> int:
                return sum(1 for m in api.sent if (m.text or "").startswith("⏰"))

            # Once a tenth is out: the interruption, while sends are under way.
            while delivered() < reminders // 10:
                if time.monotonic() - started > 300:
                    raise RuntimeError("no reminder went out")
                await asyncio.sleep(0.02)
            if kind == "restart":
                await asyncio.to_thread(server.halt)
                await asyncio.sleep(DOWN)
                await asyncio.to_thread(server.resume)
            else:
                claims = await fetch(
                    url,
                    "SELECT claimed_by, count(*) FROM reminders WHERE status = 'sending'"
                    " GROUP BY claimed_by ORDER BY count(*) DESC",
                )
                if not claims:
                    raise RuntimeError("no worker was delivering when the SIGTERM came")
                pid = int(str(claims[0][0]).split("-")[-2])
                [victim] = [w for w in pool if w.process.pid == pid]
                await victim.stop()
            # The rest is delivered (by whoever is left).
            while True:
                left = await _left(url)
                if left == 0:
                    break
                if time.monotonic() - started > 600:
                    raise RuntimeError(f"not finished: {left} reminders left")
                await asyncio.sleep(0.1)
            seconds = time.monotonic() - started
            await asyncio.sleep(ANSWER_LATE * 2)  # any send still under way lands
            marked = {
                str(text): int(at)
                for text, at in await fetch(url, "SELECT text, sent_at FROM reminders")
            }
        finally:
            for worker in pool:
                await worker.stop()
        counts = Counter(
            (m.text or "").removeprefix("⏰ ").removeprefix("(late) ")
            for m in api.sent
            if (m.text or "").startswith("⏰")
        )
    wanted = {text_of(n) for n in range(reminders)}
    lost = len(wanted - set(counts))
    doubled = sum(1 for text, n in counts.items() if text in wanted and n > 1)
    wall = time.time() - time.monotonic()  # the fake API's times are monotonic
    first_arrival: dict[str, float] = {}
    for m in api.sent:
        text = (m.text or "").removeprefix("⏰ ").removeprefix("(late) ")
        first_arrival.setdefault(text, m.at + wall)
    unrecorded = [marked[text] / 1e6 - at for text, at in first_arrival.items() if text in marked]
    return TrialResult(kind, reminders, lost, doubled, seconds, unrecorded)


async def _left(url: str) -> int:
    for _ in range(50):
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            rows = await fetch(url, "SELECT count(*) FROM reminders WHERE status <> 'sent'")
            return int(rows[0][0])
        await asyncio.sleep(0.2)  # the server is on its way back
    raise RuntimeError("the database did not come back")
