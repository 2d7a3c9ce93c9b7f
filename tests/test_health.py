"""``/healthz``: 200 ``{"status": "ok"}`` while the database takes writes and the scheduler
runs, 503 ``{"status": "not ok"}`` otherwise; what is wrong goes to the log, never the body."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from conftest import T0, Databases, one_shot

from bot.clock import ManualClock
from bot.core import Core
from bot.delivery.notifier import RecordingNotifier
from bot.delivery.rate_limit import OutgoingQueue
from bot.delivery.scheduler import ReminderScheduler
from bot.frontends.health import health
from bot.frontends.http_server import HttpServer
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database, NewReminder

pytestmark = pytest.mark.both_backends


async def get(port: int, path: str) -> tuple[int, dict[str, object]]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}{path}")
    if response.status_code == 404:
        return 404, {}
    assert response.headers["content-type"] == "application/json"
    return response.status_code, json.loads(response.content)


async def test_healthy_only_while_the_scheduler_runs_and_says_how_late_reminders_are(
    db: Database, clock: ManualClock, knowledge: Knowledge
) -> None:
    notifier = RecordingNotifier(clock)
    queue = OutgoingQueue(notifier, global_per_second=None, per_chat_per_minute=None, clock=clock)
    scheduler = ReminderScheduler(db, notifier, clock=clock, outgoing=queue)
    core = Core(knowledge, db, scheduler, clock=clock)
    # Due a minute ago, with nobody delivering yet: the lag a monitor would alert on.
    await one_shot(db).add_reminders([NewReminder(1, None, T0 - timedelta(seconds=60), "x", "k")])
    found = await health(core, clock)
    assert (found.status, found.problems, found.lag_seconds) == (503, ("scheduler stopped",), 60)

    server = HttpServer(core, clock)
    await server.start("127.0.0.1", 0)
    scheduler.start()
    try:
        await asyncio.wait_for(scheduler.ready.wait(), 5)
        assert await get(server.port, "/healthz") == (200, {"status": "ok"})
        assert (await health(core, clock)).lag_seconds == 0
        assert (await get(server.port, "/elsewhere"))[0] == 404
    finally:
        await scheduler.stop()
        await server.close()


async def test_a_database_that_does_not_answer_is_unhealthy(
    databases: Databases, clock: ManualClock, knowledge: Knowledge
) -> None:
    db = await Database.open(await databases.new("gone"), clock=clock)
    core = Core(knowledge, db, clock=clock)
    await db.close()
    found = await health(core, clock)
    assert found.status == 503 and found.problems[0].startswith("database unavailable")


async def test_over_http_a_stopped_scheduler_is_503_and_head_and_other_paths_answer_plainly(
    db: Database, clock: ManualClock, knowledge: Knowledge
) -> None:
    core = Core(knowledge, db, clock=clock)  # no scheduler: unhealthy
    server = HttpServer(core, clock)
    await server.start("127.0.0.1", 0)
    try:
        assert await get(server.port, "/healthz?from=monitor") == (503, {"status": "not ok"})
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            head = await client.head("/healthz")
            assert head.status_code == 503 and head.content == b""
            assert int(head.headers["content-length"]) > 0
            for path in ("/", "/elsewhere", "/healthz/more", "/calendar"):
                missing = await client.get(path)
                assert (missing.status_code, missing.content) == (404, b"Not found\n"), path
                assert "server" not in missing.headers
            refused = await client.post("/healthz", content=b"x")
            assert refused.status_code == 405 and b"Traceback" not in refused.content
            assert refused.headers["allow"] == "GET, HEAD"
    finally:
        await server.close()


async def test_a_database_that_reads_but_refuses_writes_is_not_ok_and_says_why_only_in_the_log(
    tmp_path: Path, clock: ManualClock, knowledge: Knowledge, caplog: pytest.LogCaptureFixture
) -> None:
    path = str(tmp_path / "locked.db")
    db = await Database.open(path, clock=clock, busy_timeout=0.05)
    notifier = RecordingNotifier(clock)
    queue = OutgoingQueue(notifier, global_per_second=None, per_chat_per_minute=None, clock=clock)
    scheduler = ReminderScheduler(db, notifier, clock=clock, outgoing=queue)
    core = Core(knowledge, db, scheduler, clock=clock)
    server = HttpServer(core, clock)
    await server.start("127.0.0.1", 0)
    scheduler.start()
    other = sqlite3.connect(path, isolation_level=None)
    try:
        await asyncio.wait_for(scheduler.ready.wait(), 5)
        assert await get(server.port, "/healthz") == (200, {"status": "ok"})
        # Another process holds the write lock: reads still work, every write would fail
        # with "database is locked".
        other.execute("BEGIN IMMEDIATE")
        await db.ping()
        with caplog.at_level(logging.WARNING, logger="bot.frontends.health"):
            assert await get(server.port, "/healthz") == (503, {"status": "not ok"})
            assert await get(server.port, "/healthz") == (503, {"status": "not ok"})
        [logged] = [r.getMessage() for r in caplog.records if r.name == "bot.frontends.health"]
        assert "database is locked" in logged and scheduler.owner in logged
        other.execute("ROLLBACK")
        assert await get(server.port, "/healthz") == (200, {"status": "ok"})
        assert await db.schema_version() > 0  # the probe's row was rolled back, not kept
        rows = sqlite3.connect(path).execute(
            "SELECT count(*) FROM schema_migrations WHERE version < 0"
        )
        assert rows.fetchone() == (0,)
    finally:
        other.close()
        await scheduler.stop()
        await server.close()
        await db.close()
