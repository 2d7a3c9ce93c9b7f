"""The reminder scheduler against a real database (SQLite and PostgreSQL), on a clock that moves
only when told."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import raw_sql
from conftest import T0, Databases, one_shot

from bot.clock import ManualClock
from bot.delivery.notifier import (
    ChatUnreachable,
    DeliveryFailed,
    DeliveryRetryLater,
    RecordingNotifier,
)
from bot.delivery.rate_limit import GUARD, OutgoingQueue
from bot.delivery.scheduler import ReminderScheduler
from bot.knowledge.knowledge import Knowledge
from storage.repository import Database, NewReminder

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.both_backends


HANG = 60.0
"""Real seconds after which a wait means the code hangs: generous, so a busy machine (the
scheduler's database work runs in real time) never fails a test that would pass."""


async def eventually(cond: Callable[[], object], within: float = HANG) -> None:
    deadline = time.monotonic() + within
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


@pytest.fixture
def notifier(clock: ManualClock) -> RecordingNotifier:
    return RecordingNotifier(clock)


@pytest.fixture
async def make_scheduler(
    db: Database, clock: ManualClock, notifier: RecordingNotifier
) -> AsyncIterator[Callable[..., ReminderScheduler]]:
    started: list[ReminderScheduler] = []

    def make(**kwargs: object) -> ReminderScheduler:
        unlimited = OutgoingQueue(
            notifier, global_per_second=None, per_chat_per_minute=None, clock=clock
        )
        options: dict[str, object] = {"clock": clock, "outgoing": unlimited, "retry_base": 10.0}
        options.update(kwargs)
        scheduler = ReminderScheduler(db, notifier, **options)  # type: ignore[arg-type]
        scheduler.start()
        started.append(scheduler)
        return scheduler

    yield make
    for scheduler in started:
        await scheduler.stop()


def rem(chat: int, key: str, due: datetime, item: int | None = None) -> NewReminder:
    return NewReminder(chat_id=chat, item_id=item, due_at=due, text=f"text {key}", key=key)


async def status(db: Database, chat: int, rid: int) -> str:
    r = await db.reminder(chat, rid)
    assert r is not None
    return r.status


async def test_digest_groups_one_chats_due_reminders(
    db: Database, notifier: RecordingNotifier, make_scheduler: Callable[..., ReminderScheduler]
) -> None:
    ids = await one_shot(db).add_reminders(
        [
            rem(1, "a", T0 - timedelta(seconds=3)),
            rem(2, "x", T0 - timedelta(seconds=2)),
            rem(1, "b", T0 - timedelta(seconds=1)),
            rem(1, "c", T0),
            rem(1, "later", T0 + timedelta(hours=1)),
        ]
    )
    scheduler = make_scheduler()
    await asyncio.wait_for(scheduler.ready.wait(), HANG)
    assert [(m.chat_id, m.reminder_ids) for m in notifier.sent] == [
        (1, [ids[0], ids[2], ids[3]]),
        (2, [ids[1]]),
    ]
    digest = notifier.sent[0].text
    assert digest.splitlines() == ["⏰ 3 reminders:", "1. text a", "2. text b", "3. text c"]
    assert notifier.sent[1].text == "⏰ text x"
    assert [await status(db, 1, i) for i in ids[:4:2]] == ["sent", "sent"]
    assert await status(db, 1, ids[4]) == "pending"


async def test_sleeps_until_due_and_wakes_on_poke(
    db: Database,
    clock: ManualClock,
    notifier: RecordingNotifier,
    make_scheduler: Callable[..., ReminderScheduler],
) -> None:
    # The scheduler must sleep until the reminder is due, not poll or fire early.
    scheduler = make_scheduler(max_sleep=30.0)
    await asyncio.wait_for(scheduler.ready.wait(), HANG)
    [rid] = await one_shot(db).add_reminders([rem(1, "soon", T0 + timedelta(seconds=0.3))])
    await scheduler.idle()  # the poke: without it, it would sleep max_sleep (30 s)
    clock.advance(0.29)
    await scheduler.idle()
    assert notifier.sent == []
    clock.advance(0.01)
    await scheduler.idle()
    assert notifier.sent[0].reminder_ids == [rid]
    assert notifier.sent[0].at == pytest.approx(0.3)
    assert "(late)" not in notifier.sent[0].text


async def test_retry_later_is_retried_after_retry_after(
    db: Database,
    clock: ManualClock,
    notifier: RecordingNotifier,
    make_scheduler: Callable[..., ReminderScheduler],
) -> None:
    [rid] = await one_shot(db).add_reminders([rem(1, "a", T0)])
    notifier.fail(DeliveryRetryLater(0.3, "flood control: retry in 0.3"))
    scheduler = make_scheduler(retry_base=0.1)
    await asyncio.wait_for(scheduler.ready.wait(), HANG)
    failed_at = clock.monotonic()
    r = await db.reminder(1, rid)
    assert r is not None
    assert (r.status, r.attempts, r.last_error) == ("pending", 1, "flood control: retry in 0.3")
    assert r.due_at == T0 + timedelta(seconds=0.3)  # retry_after (0.3) beats backoff (0.1)
    assert notifier.sent == []

    clock.advance(0.29)
    await scheduler.idle()
    assert notifier.sent == []  # not due yet by the database
    clock.advance(0.01)
    await scheduler.idle()
    # The outgoing queue also held back sending for retry_after.
    assert notifier.sent[0].at - failed_at >= 0.3
    assert notifier.delivered_ids == [rid]
    r = await db.reminder(1, rid)
    assert r is not None and (r.status, r.attempts) == ("sent", 1)


async def test_undeliverable_after_max_attempts(
    db: Database,
    clock: ManualClock,
    notifier: RecordingNotifier,
    make_scheduler: Callable[..., ReminderScheduler],
) -> None:
    [rid] = await one_shot(db).add_reminders([rem(1, "a", T0)])
    notifier.fail_always(1, DeliveryRetryLater(0, "TimedOut: timed out"))
    scheduler = make_scheduler(max_attempts=3, retry_base=10.0, retry_cap=25.0)
    dues = []
    for _ in range(2):
        await eventually(lambda: len(notifier.attempts) == len(dues) + 1)
        await asyncio.wait_for(scheduler.ready.wait(), HANG)
        r = await db.reminder(1, rid)
        assert r is not None and r.status == "pending"
        dues.append((r.due_at - clock.now()).total_seconds())
        clock.advance(dues[-1])
        await scheduler.idle()
    assert len(notifier.attempts) == 3
    r = await db.reminder(1, rid)
    assert r is not None
    assert dues == [10.0, 20.0]  # exponential, below the cap
    assert (r.status, r.attempts) == ("undeliverable", 3)
    assert r.last_error == "gave up after 3 attempts: TimedOut: timed out"
    clock.advance(3600)
    await scheduler.idle()
    assert len(notifier.attempts) == 3


async def test_permanent_failure_is_undeliverable_at_once(
    db: Database, notifier: RecordingNotifier, make_scheduler: Callable[..., ReminderScheduler]
) -> None:
    bad, good = await one_shot(db).add_reminders([rem(1, "a", T0), rem(2, "b", T0)])
    notifier.fail(DeliveryFailed("bad request: chat not found"), chat_id=1)
    scheduler = make_scheduler()
    await asyncio.wait_for(scheduler.ready.wait(), HANG)
    r = await db.reminder(1, bad)
    assert r is not None
    assert (r.status, r.last_error) == ("undeliverable", "bad request: chat not found")
    assert await status(db, 2, good) == "sent"


async def test_unreachable_chat_is_paused_and_resumed(
    db: Database,
    clock: ManualClock,
    notifier: RecordingNotifier,
    make_scheduler: Callable[..., ReminderScheduler],
) -> None:
    blocked = await one_shot(db).add_reminders(
        [rem(1, "a", T0), rem(1, "b", T0 + timedelta(hours=1))]
    )
    [other] = await one_shot(db).add_reminders([rem(2, "c", T0)])
    notifier.fail_always(1, ChatUnreachable("forbidden: bot was blocked by the user"))
    scheduler = make_scheduler()
    await asyncio.wait_for(scheduler.ready.wait(), HANG)
    settings = await db.chat_settings(1)
    assert settings.paused and settings.paused_reason == "forbidden: bot was blocked by the user"
    assert [await status(db, 1, i) for i in blocked] == ["held", "held"]
    assert notifier.delivered_ids == [other]

    clock.advance(2 * 3600)  # both of chat 1's are now due, but the chat is paused
    await scheduler.idle()
    assert len(notifier.attempts) == 2  # no hammering a chat that blocked us

    notifier.heal(1)
    assert await one_shot(db).resume_chat(1) == 2
    await scheduler.idle()
    assert len(notifier.sent) == 2
    assert notifier.sent[1].reminder_ids == blocked
    assert "(late)" in notifier.sent[1].text
    assert [await status(db, 1, i) for i in blocked] == ["sent", "sent"]


async def test_snooze_redelivers_later(
    db: Database,
    clock: ManualClock,
    notifier: RecordingNotifier,
    make_scheduler: Callable[..., ReminderScheduler],
) -> None:
    [rid] = await one_shot(db).add_reminders([rem(1, "a", T0)])
    scheduler = make_scheduler()
    await eventually(lambda: notifier.sent)
    await asyncio.wait_for(scheduler.ready.wait(), HANG)
    assert await one_shot(db).snooze(1, rid, clock.now() + timedelta(days=1))
    await scheduler.idle()
    clock.advance(23 * 3600)
    await scheduler.idle()
    assert len(notifier.sent) == 1
    clock.advance(3600)
    await scheduler.idle()
    assert len(notifier.sent) == 2
    assert notifier.delivered_ids == [rid, rid]
    assert "(late)" not in notifier.sent[1].text


async def test_item_done_cancels_its_reminders(
    db: Database,
    clock: ManualClock,
    notifier: RecordingNotifier,
    make_scheduler: Callable[..., ReminderScheduler],
) -> None:
    item = await one_shot(db).add_item(1, "consultation", "Parks", {}, 5, T0)
    keep = await one_shot(db).add_item(1, "consultation", "Roads", {}, 5, T0)
    cancelled = await one_shot(db).add_reminders(
        [rem(1, "1d", T0 + timedelta(days=1), item), rem(1, "2d", T0 + timedelta(days=2), item)]
    )
    [kept] = await one_shot(db).add_reminders([rem(1, "1d", T0 + timedelta(days=1), keep)])
    scheduler = make_scheduler()
    await asyncio.wait_for(scheduler.ready.wait(), HANG)
    assert await one_shot(db).set_item_status(1, item, "done", clock.now())
    clock.advance(3 * 86400)
    await scheduler.idle()
    assert notifier.delivered_ids == [kept]
    assert [await status(db, 1, i) for i in cancelled] == ["cancelled", "cancelled"]


async def test_late_reminders_after_downtime_go_first_in_due_order(
    db: Database, notifier: RecordingNotifier, make_scheduler: Callable[..., ReminderScheduler]
) -> None:
    dues = {10: 2, 11: 3, 12: 1, 13: 0}  # chat -> hours overdue (0 = due right now)
    ids = await one_shot(db).add_reminders(
        [rem(chat, "k", T0 - timedelta(hours=h)) for chat, h in dues.items()]
    )
    [future] = await one_shot(db).add_reminders([rem(14, "k", T0 + timedelta(minutes=5))])
    scheduler = make_scheduler(batch=2)  # several batches, still in due order overall
    await asyncio.wait_for(scheduler.ready.wait(), HANG)
    assert [m.chat_id for m in notifier.sent] == [11, 10, 12, 13]
    assert [m.text for m in notifier.sent] == [
        "⏰ (late) text k",
        "⏰ (late) text k",
        "⏰ (late) text k",
        "⏰ text k",
    ]
    lates = [(await db.reminder(c, i)).late for c, i in zip(dues, ids, strict=True)]  # type: ignore[union-attr]
    assert lates == [True, True, True, False]
    assert await status(db, 14, future) == "pending"


async def test_a_dead_processs_claims_are_taken_over_when_their_lease_runs_out(
    db: Database,
    clock: ManualClock,
    notifier: RecordingNotifier,
    make_scheduler: Callable[..., ReminderScheduler],
) -> None:
    ids = await one_shot(db).add_reminders([rem(1, "a", T0), rem(2, "b", T0)])
    # Another process claimed them for 120 s, then died without a word.
    await one_shot(db).claim_due(T0, 10, "dead-process", 120.0)
    scheduler = make_scheduler()
    await asyncio.wait_for(scheduler.ready.wait(), HANG)
    assert notifier.attempts == []  # its lease still runs: not ours to send
    clock.advance(119)
    await scheduler.idle()
    assert notifier.attempts == []
    clock.advance(1)  # the scheduler slept until exactly the lease's end
    await scheduler.idle()
    assert sorted(notifier.delivered_ids) == sorted(ids)
    assert await db.count_reminders("sent") == 2


async def test_stop_is_graceful(
    db: Database, clock: ManualClock, make_scheduler: Callable[..., ReminderScheduler]
) -> None:
    class Slow(RecordingNotifier):
        """Each send waits until the test lets it through."""

        def __init__(self) -> None:
            super().__init__()
            self.started = asyncio.Event()
            self.go = asyncio.Event()

        async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
            self.started.set()
            await self.go.wait()
            await super().send(chat_id, text, reminder_ids)

    slow = Slow()
    ids = await one_shot(db).add_reminders([rem(c, "a", T0) for c in range(5)])
    outgoing = OutgoingQueue(slow, global_per_second=None, per_chat_per_minute=None)
    scheduler = make_scheduler(outgoing=outgoing)
    await slow.started.wait()  # mid-delivery
    stopping = asyncio.ensure_future(scheduler.stop())
    await asyncio.sleep(0)
    slow.go.set()
    await stopping
    assert not scheduler.running
    assert sorted(slow.delivered_ids) == sorted(ids)
    assert await db.count_reminders("sent") == 5  # finished and recorded, not abandoned


def test_sigkill_mid_delivery_loses_nothing(tmp_path: Path, databases: Databases) -> None:
    db_path, out = databases.new_sync("crash"), tmp_path / "delivered.txt"

    async def setup() -> list[int]:
        db = await Database.open(db_path)
        now = datetime.now(UTC)
        ids = await one_shot(db).add_reminders(
            [rem(chat, "k", now - timedelta(seconds=60 - chat)) for chat in range(40)]
        )
        await db.close()
        return ids

    ids = asyncio.run(setup())
    cmd = [sys.executable, str(ROOT / "tests" / "scheduler_worker.py"), db_path, str(out)]
    cmd += ["0.04", "1"]  # 40 ms per send, batch of 1

    first = subprocess.Popen(cmd, cwd=ROOT)
    deadline = time.monotonic() + 4 * HANG
    while not out.exists() or len(out.read_text().split()) < 12:
        assert first.poll() is None, "worker exited before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    before = out.read_text().split()
    assert first.returncode == -signal.SIGKILL
    assert 12 <= len(before) < len(ids)  # killed mid-run

    second = subprocess.run(cmd, cwd=ROOT, timeout=4 * HANG, check=True)
    assert second.returncode == 0

    delivered = [int(x) for x in out.read_text().split()]
    counts = Counter(delivered)
    assert set(counts) == set(ids)  # nothing lost
    duplicates = [rid for rid, n in counts.items() if n > 1]
    assert len(duplicates) <= 1 and all(counts[d] == 2 for d in duplicates)  # in-flight only
    # Due order is kept across the crash (the duplicate aside).
    firsts = list(dict.fromkeys(delivered))
    assert firsts == ids

    async def final() -> int:
        db = await Database.open(db_path)
        try:
            return await db.count_reminders("sent")
        finally:
            await db.close()

    assert asyncio.run(final()) == len(ids)


async def test_a_locked_database_delays_reminders_loudly_and_they_follow_once_it_is_back(
    tmp_path: Path, clock: ManualClock, knowledge: Knowledge
) -> None:
    from bot.chat.conversation import Conversation
    from bot.chat.messages import Incoming
    from bot.core import Core

    path = tmp_path / "locked.db"
    db = await Database.open(path, clock=clock, busy_timeout=0.05)
    [rid] = await one_shot(db).add_reminders([rem(1, "a", T0)])
    notifier = RecordingNotifier(clock)
    outgoing = OutgoingQueue(
        notifier, global_per_second=None, per_chat_per_minute=None, clock=clock
    )
    scheduler = ReminderScheduler(db, notifier, clock=clock, outgoing=outgoing, error_pause=5.0)
    core = Core(knowledge, db, scheduler, clock=clock)
    other = sqlite3.connect(path)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the database at our start
    try:
        scheduler.start()
        await eventually(lambda: scheduler.failing_since is not None)
        assert scheduler.running and "locked" in (scheduler.last_error or "")
        assert core.delivery_warning() is not None
    finally:
        other.rollback()
        other.close()

    async def yes() -> bool:
        return True

    [reply] = await Conversation(core).handle_text(Incoming(1, 1, "Ada", "/list", True, yes))
    assert "Reminders are delayed" in reply.text
    clock.advance(5)  # the supervisor's back-off ends; the database is free again
    await eventually(lambda: notifier.delivered_ids == [rid])
    await scheduler.idle()
    assert core.delivery_warning() is None and scheduler.failures >= 1
    await scheduler.stop()
    await db.close()


def test_an_unusable_database_is_one_line_and_an_exit_not_a_hang(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "compactbot"
    for db in (tmp_path, tmp_path / "no" / "such" / "dir.db"):  # a directory; no directory
        done = subprocess.run(
            [str(script), "chat", "--db", str(db)],
            input="/help\n",
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode != 0
        assert done.stderr.count("\n") == 1 and "database" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr + done.stdout


class CountingNotifier(RecordingNotifier):
    """Sets ``all_sent`` once ``expect`` messages went out."""

    def __init__(self, clock: ManualClock, expect: int) -> None:
        super().__init__(clock)
        self.expect = expect
        self.all_sent = asyncio.Event()

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
        await super().send(chat_id, text, reminder_ids)
        if len(self.sent) >= self.expect:
            self.all_sent.set()


async def test_thousands_due_at_once_wait_their_turn_and_none_is_called_late(
    db: Database, clock: ManualClock
) -> None:
    many = 3000  # 09:00 on a busy morning: 100 s of sending at Telegram's 30 a second
    notifier = CountingNotifier(clock, many)
    await one_shot(db).add_reminders([rem(1000 + n, "k", T0) for n in range(many)])
    limited = OutgoingQueue(notifier, global_per_second=30, per_chat_per_minute=20, clock=clock)
    scheduler = ReminderScheduler(db, notifier, clock=clock, outgoing=limited, batch=500)
    scheduler.start()
    try:
        await clock.drive(notifier.all_sent.wait())
    finally:
        await scheduler.stop()
    # 30 a second, each slot 10% longer than Telegram's for jitter (rate_limit.GUARD).
    assert clock.monotonic() == pytest.approx((many - 1) / 30 * (1 + GUARD), abs=0.1)
    assert not [m.text for m in notifier.sent if "(late)" in m.text]
    assert await db.count_reminders("sent") == many
    late = await raw_sql.fetch(db.path, "SELECT count(*) FROM reminders WHERE late = 1")
    assert late[0][0] == 0


def test_two_processes_on_one_database_deliver_each_reminder_once(
    tmp_path: Path, databases: Databases
) -> None:
    db_path, out = databases.new_sync("shared"), tmp_path / "delivered.txt"

    async def setup() -> list[int]:
        db = await Database.open(db_path)
        now = datetime.now(UTC)
        ids = await one_shot(db).add_reminders(
            [rem(chat, "k", now - timedelta(seconds=1)) for chat in range(300)]
        )
        await db.close()
        return ids

    ids = asyncio.run(setup())
    cmd = [sys.executable, str(ROOT / "tests" / "scheduler_worker.py"), db_path, str(out)]
    cmd += ["0.002", "5", "30"]  # 2 ms a send, batches of 5, 30 s leases
    workers = [subprocess.Popen(cmd, cwd=ROOT) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=60) == 0
    delivered = [int(x) for x in out.read_text().split()]
    counts = Counter(delivered)
    assert set(counts) == set(ids)  # nothing lost
    assert [rid for rid, n in counts.items() if n > 1] == []  # nothing doubled
