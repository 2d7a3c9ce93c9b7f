"""``/healthz``: 200 while the database answers and the scheduler runs, 503 otherwise, with
how long the oldest due reminder has waited."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from conftest import T0, Databases, one_shot

from bot.clock import ManualClock
from bot.core import Core
from bot.delivery.notifier import RecordingNotifier
from bot.delivery.rate_limit import OutgoingQueue
from bot.delivery.scheduler import ReminderScheduler
from bot.frontends.health import HealthServer, health
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database, NewReminder

pytestmark = pytest.mark.both_backends


async def get(port: int, path: str) -> tuple[int, dict[str, object]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


async def test_healthy_only_while_the_scheduler_runs_and_says_how_late_reminders_are(
    db: Database, clock: ManualClock, knowledge: Knowledge
) -> None:
    notifier = RecordingNotifier(clock)
    queue = OutgoingQueue(notifier, global_per_second=None, per_chat_per_minute=None, clock=clock)
    scheduler = ReminderScheduler(db, notifier, clock=clock, outgoing=queue)
    core = Core(knowledge, db, scheduler, clock=clock)
    # Due a minute ago, with nobody delivering yet: the lag a monitor would alert on.
    await one_shot(db).add_reminders([NewReminder(1, None, T0 - timedelta(seconds=60), "x", "k")])
    status, body = await health(core, clock)
    assert status == 503 and body["scheduler"] == "stopped" and body["database"] == "ok"
    assert body["lag_seconds"] == 60.0 and body["backend"] == db.dialect

    server = HealthServer(core, clock)
    await server.start("127.0.0.1", 0)
    scheduler.start()
    try:
        await asyncio.wait_for(scheduler.ready.wait(), 5)
        status, body = await get(server.port, "/healthz")
        assert status == 200, body
        assert (body["database"], body["scheduler"], body["lag_seconds"]) == ("ok", "running", 0)
        assert body["worker"] == scheduler.owner and body["delivered"] == 1
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
    status, body = await health(core, clock)
    assert status == 503 and str(body["database"]).startswith("unavailable")
