"""The PostgreSQL server going away while the bot runs, and coming back.

A real server of the test's own (``tests/pg_server.py``), so that it can be taken down without
disturbing the other tests: either restarted (``pg_ctl stop -m immediate``, then started again,
as after a crash or a failover), or every connection of the bot's database terminated with
``pg_terminate_backend`` from a superuser connection while new ones are refused for a while.
Nothing of the bot is mocked: the scheduler, the core and the conversation run on their real
``Database`` (asyncpg pool and session-lock connection), on a clock that moves only when told.

What must hold:

- a unit of work in flight when its connection dies is rolled back whole, and the user is
  told that nothing was changed; handled again once the server is back, it is stored once;
- reminders due when the server goes away mid-delivery all go out once it is back: none lost,
  none twice (the clock is then moved past the claims' lease, where a claim left behind would
  be delivered again);
- meanwhile the scheduler keeps running and says so (``core.delivery_warning()``, ``/healthz``);
  it stops saying so once it is back, with the same pool (no restart of the bot);
- a worker whose session-lock connection alone is lost (its others still work) stops acting
  on claims it can no longer prove it holds, registers again, and no other worker delivers
  what it delivered (bar the one message in flight at that moment);
- a worker handling a chat's update when its lock connection dies does not apply it after
  the update another worker, now in the chat's turn, applied meanwhile;
- the Telegram bot (polling) keeps an update that arrived while the server was down once it
  is back, handles it once, and says nothing twice.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import asyncpg
import pytest
from conftest import ADMIN, GROUP, T0
from fake_bot_api import FakeBotApi
from pg_server import PgServer, PostgresMissing
from telegram import Update
from test_telegram_e2e import has, running_bot, say

from bot.chat.conversation import Conversation
from bot.chat.messages import Incoming, after_failure
from bot.chat.throttle import Throttle
from bot.clock import ManualClock
from bot.core import Core
from bot.core.units import handling_update, stored_in_this_update
from bot.delivery.notifier import RecordingNotifier
from bot.delivery.rate_limit import OutgoingQueue
from bot.delivery.scheduler import ReminderScheduler
from bot.frontends.health import health
from bot.frontends.telegram_inbox import ChatOrderedProcessor, Inbox
from bot.knowledge.knowledge import Knowledge
from storage import postgres
from storage.dialects import LOCK_CHAT_TURN, LOCK_WORKER, lock_key
from storage.repository import Database, TurnLost

CHATS = 12
"""Groups that each register two items with a reminder a minute ahead."""
ERROR_PAUSE = 5.0
LEASE = 300.0


@pytest.fixture(scope="module")
def server() -> Iterator[PgServer]:
    """A server of this module's own: the tests take it down."""
    try:
        own = PgServer.start(max_connections=60, durable=True)
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield own
    own.stop()


def in_thread(work: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``work`` to its end on an event loop of its own (a hook of the bot's is synchronous
    and runs on the bot's loop; the outage happens there and then, as a real one would)."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(work())))  # type: ignore[arg-type]
    thread.start()
    thread.join(120)
    return result[0] if result else None


class Outage:
    """Takes the bot's database away (``begin``) and brings it back (``end``)."""

    def __init__(self, server: PgServer, database: str, mode: str) -> None:
        self.server = server
        self.database = database
        self.mode = mode
        self.down = False
        self.began_at: float | None = None

    async def _admin(self, *statements: str) -> None:
        conn = await asyncpg.connect(self.server.url("postgres"))
        try:
            for sql in statements:
                await conn.execute(sql)
        finally:
            await conn.close()

    def begin(self) -> None:
        self.began_at = time.monotonic()
        self.down = True
        if self.mode == "restart":
            self.server.halt()
            return

        async def cut() -> None:
            await self._admin(
                f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS false',
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                f" WHERE datname = '{self.database}' AND pid <> pg_backend_pid()",
            )

        in_thread(cut)

    async def end(self) -> None:
        if self.mode == "restart":
            await asyncio.to_thread(self.server.resume)
        else:
            await self._admin(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS true')
        self.down = False


class Query:
    """Reads the bot's database on a connection of its own (not the bot's pool)."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def __call__(self, sql: str, *args: Any) -> list[Any]:
        conn = await asyncpg.connect(self.url)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()


async def yes() -> bool:
    return True


def said(chat: int, text: str) -> Incoming:
    return Incoming(chat, 7, "Ada", text, False, yes, chat_title=f"Group {chat}")


async def until(
    cond: Callable[[], object], within: float = 60.0, step: Callable[[], None] | None = None
) -> None:
    """Wait (in real time, up to ``within`` s) for ``cond``; ``step`` moves things on meanwhile."""
    deadline = time.monotonic() + within
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        if step is not None:
            step()
        await asyncio.sleep(0.05)


class Bot:
    """One worker: database, scheduler, core, conversation on the test's clock."""

    def __init__(self, db: Database, clock: ManualClock, knowledge: Knowledge, owner: str) -> None:
        self.db = db
        self.clock = clock
        self.notifier = RecordingNotifier(clock)
        unlimited = OutgoingQueue(
            self.notifier, global_per_second=None, per_chat_per_minute=None, clock=clock
        )
        self.scheduler = ReminderScheduler(
            db,
            self.notifier,
            clock=clock,
            outgoing=unlimited,
            owner=owner,
            lease=LEASE,
            digest_max_items=1,  # a message per reminder: a chat's second waits for its first
            error_pause=ERROR_PAUSE,
            error_pause_cap=ERROR_PAUSE,
        )
        self.core = Core(knowledge, db, self.scheduler, clock=clock)
        self.conversation = Conversation(self.core, Throttle(clock, limit=10**6))

    async def recovered(self) -> None:
        """Move the clock on in steps of the supervisor's pause until the scheduler has
        caught up and sleeps again (real time: the server may take a moment)."""
        s = self.scheduler

        def step() -> None:
            if s.failing_since is not None:
                self.clock.advance(ERROR_PAUSE)

        await until(lambda: s.failing_since is None and s.running, step=step)
        await asyncio.wait_for(s.idle(), 60)


@pytest.fixture
async def setting(
    server: PgServer, knowledge: Knowledge
) -> AsyncIterator[tuple[Bot, Outage, Query, str]]:
    name = server.new_name("outage")
    server.create_database(name)
    url = server.url(name)
    clock = ManualClock(T0)
    db = await Database.open(url, clock=clock, pool_size=4)
    bot = Bot(db, clock, knowledge, owner="worker-a")
    yield bot, Outage(server, name, "terminate"), Query(url), name
    await bot.scheduler.stop()
    await db.close()


@pytest.mark.parametrize("mode", ["terminate", "restart"])
async def test_the_server_going_away_loses_nothing_and_doubles_nothing(
    setting: tuple[Bot, Outage, Query, str], mode: str
) -> None:
    bot, outage, query, _ = setting
    outage.mode = mode
    clock, scheduler, notifier = bot.clock, bot.scheduler, bot.notifier
    scheduler.start()
    await asyncio.wait_for(scheduler.ready.wait(), 30)
    chats = [-1000 - n for n in range(CHATS)]
    for n, chat in enumerate(chats):
        for k in "ab":
            handling_update(f"u{n}{k}")
            await bot.conversation.handle_text(said(chat, f"/remind in 1 minute chase {n} {k}"))
    reminders = [r["id"] for r in await query("SELECT id FROM reminders ORDER BY id")]
    assert len(reminders) == 2 * CHATS
    items_before = await query("SELECT chat_id, title FROM items ORDER BY id")

    # ---- the server goes away in the middle of the delivery of due reminders
    sends = 0
    real_send = notifier.send

    async def send(chat_id: int, text: str, reminder_ids: list[int]) -> None:
        nonlocal sends
        await real_send(chat_id, text, reminder_ids)  # Telegram has it; now the database goes
        sends += 1
        if sends == 5:
            outage.begin()

    notifier.send = send  # type: ignore[method-assign]
    clock.advance(61)
    await until(lambda: scheduler.failing_since is not None)
    assert scheduler.running
    assert core_warns(bot)
    found = await health(bot.core, clock)
    assert found.status == 503
    assert any(p.startswith("scheduler failing since") for p in found.problems), found
    down_for = time.monotonic()
    await asyncio.sleep(0.3)  # a moment down, in real time: the pool's connections are gone
    await outage.end()
    # Back: the same pool serves the chat at once (the scheduler is still in its pause).
    [listing] = await bot.conversation.handle_text(said(chats[0], "/list"))
    assert "Reminders are delayed" in listing.text and "chase 0 a" in listing.text
    await bot.recovered()
    assert bot.core.delivery_warning() is None
    [listing] = await bot.conversation.handle_text(said(chats[0], "/list"))
    assert "Reminders are delayed" not in listing.text
    found = await health(bot.core, clock)
    assert found.status == 200, found
    # Claims left behind by the failure would go out again once their lease ran out.
    clock.advance(LEASE + 60)
    await asyncio.wait_for(scheduler.idle(), 60)
    counts = Counter(notifier.delivered_ids)
    assert set(counts) == set(reminders), "a reminder was lost"
    assert [rid for rid, n in counts.items() if n > 1] == [], "a reminder went out twice"
    rows = await query("SELECT status, count(*) AS n FROM reminders GROUP BY status")
    assert {r["status"]: r["n"] for r in rows} == {"sent": len(reminders)}

    # ---- a unit of work in flight when its connection dies
    def cut_mid_unit(sql: str) -> None:
        if "INSERT INTO items" in sql:
            bot.db.faults = None
            outage.begin()

    bot.db.faults = cut_mid_unit
    handling_update("u-late")
    with pytest.raises(postgres.ERRORS):
        await bot.conversation.handle_text(said(chats[0], "/remind in 1 minute chase late"))
    told = after_failure(stored_in_this_update())
    assert "nothing was changed" in told
    clock.advance(2)  # the scheduler's next look at the database fails too
    await until(lambda: scheduler.failing_since is not None)
    assert core_warns(bot)
    await outage.end()
    assert await query("SELECT id FROM items WHERE title LIKE '%late%'") == []
    assert await query("SELECT chat_id, title FROM items ORDER BY id") == items_before
    await bot.recovered()
    # The update is handled again (the inbox keeps it): applied now, once.
    handling_update("u-late")
    await bot.conversation.handle_text(said(chats[0], "/remind in 1 minute chase late"))
    late = await query("SELECT id FROM items WHERE title LIKE '%late%'")
    assert len(late) == 1
    clock.advance(61)
    await asyncio.wait_for(scheduler.idle(), 60)
    counts = Counter(notifier.delivered_ids)
    assert len(counts) == len(reminders) + 1 and max(counts.values()) == 1
    assert scheduler.failures >= 2
    print(f"\n{mode}: down and back in {time.monotonic() - down_for:.2f} s")


def core_warns(bot: Bot) -> bool:
    warning = bot.core.delivery_warning()
    return warning is not None and "delayed" in warning


async def lock_connection_pid(query: Query, owner: str) -> int:
    rows = await query(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1"
        " AND objid = $2 AND objsubid = 2 AND granted",
        LOCK_WORKER,
        lock_key(owner) & 0xFFFFFFFF,
    )
    assert len(rows) == 1, rows
    return int(rows[0]["pid"])


async def test_a_worker_that_loses_its_lock_connection_stops_acting_on_its_claims(
    server: PgServer, knowledge: Knowledge
) -> None:
    """Worker A's session-lock connection alone dies mid-batch (its pool works on): worker B
    sees A as gone and takes its claims at once.  A must notice before its next send, stop,
    register again and carry on; between them each reminder goes out once (only the message
    A was sending at the very moment may go out twice, as with a killed worker)."""
    name = server.new_name("lockloss")
    server.create_database(name)
    url = server.url(name)
    query = Query(url)
    clock = ManualClock(T0)
    a = Bot(await Database.open(url, clock=clock, pool_size=4), clock, knowledge, "worker-a")
    b = Bot(await Database.open(url, clock=clock, pool_size=4), clock, knowledge, "worker-b")
    try:
        a.scheduler.start()
        await asyncio.wait_for(a.scheduler.ready.wait(), 30)
        for n in range(CHATS):
            for k in "ab":
                handling_update(f"u{n}{k}")
                await a.conversation.handle_text(said(-1000 - n, f"/remind in 1 minute go {n} {k}"))
        reminders = [r["id"] for r in await query("SELECT id FROM reminders ORDER BY id")]
        old_pid = await lock_connection_pid(query, "worker-a")
        in_flight: list[int] = []
        sends = 0
        real_send = a.notifier.send

        async def send(chat_id: int, text: str, reminder_ids: list[int]) -> None:
            nonlocal sends
            await real_send(chat_id, text, reminder_ids)
            sends += 1
            if sends != 3:
                return
            in_flight.extend(reminder_ids)
            await query("SELECT pg_terminate_backend($1)", old_pid)
            # B looks now: A's lock is gone, so A's claims are free, and B delivers them.
            b.scheduler.start()
            await asyncio.wait_for(b.scheduler.ready.wait(), 30)
            await asyncio.wait_for(b.scheduler.idle(), 30)

        a.notifier.send = send  # type: ignore[method-assign]
        clock.advance(61)
        await until(lambda: b.scheduler.running and a.scheduler.failures >= 1)
        await a.recovered()
        await b.recovered()
        clock.advance(LEASE + 60)  # a claim left behind by either would go out again now
        await asyncio.wait_for(a.scheduler.idle(), 60)
        await asyncio.wait_for(b.scheduler.idle(), 60)
        counts = Counter(a.notifier.delivered_ids + b.notifier.delivered_ids)
        assert set(counts) == set(reminders), "a reminder was lost"
        twice = sorted(rid for rid, n in counts.items() if n > 1)
        assert set(twice) <= set(in_flight), f"went out twice: {twice} (in flight: {in_flight})"
        assert max(counts.values()) <= 2
        rows = await query("SELECT status, count(*) AS n FROM reminders GROUP BY status")
        assert {r["status"]: r["n"] for r in rows} == {"sent": len(reminders)}
        assert a.scheduler.running and a.scheduler.failures >= 1
        assert await lock_connection_pid(query, "worker-a") != old_pid  # registered again
        print(
            f"\nA sent {len(a.notifier.delivered_ids)}, B sent {len(b.notifier.delivered_ids)},"
            f" twice: {twice}"
        )
    finally:
        for bot in (a, b):
            await bot.scheduler.stop()
            await bot.db.close()


async def turn_pid(query: Query, chat_id: int) -> int:
    rows = await query(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1"
        " AND objid = $2 AND objsubid = 2 AND granted",
        LOCK_CHAT_TURN,
        lock_key(chat_id),
    )
    assert len(rows) == 1, rows
    return int(rows[0]["pid"])


async def test_a_worker_that_loses_a_chats_turn_does_not_act_in_it(
    server: PgServer, knowledge: Knowledge
) -> None:
    """Worker A is handling a chat's update in the chat's turn when its lock connection dies:
    the server drops the turn, and worker B takes it for the chat's next update and applies
    it.  A's unit of work for the earlier update must not then be applied after it (the chat's
    updates out of order): it finds the turn gone, is rolled back whole and raises
    ``TurnLost``; the inbox leaves the update for the turn's holder, and nobody is told of a
    failure."""
    name = server.new_name("turn")
    server.create_database(name)
    url = server.url(name)
    query = Query(url)
    clock = ManualClock(T0)
    a = Bot(await Database.open(url, clock=clock, pool_size=4), clock, knowledge, "worker-a")
    b = Bot(await Database.open(url, clock=clock, pool_size=4), clock, knowledge, "worker-b")
    chat = -1000
    inbox = Inbox()
    inbox.attach(a.db)
    processor = ChatOrderedProcessor(inbox)
    first = Update.de_json(
        {
            "update_id": 101,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": chat, "type": "supergroup", "title": "Group"},
                "from": {"id": 7, "is_bot": False, "first_name": "Ada"},
                "text": "/remind in 1 minute first",
            },
        },
        None,
    )
    assert first is not None
    try:
        await inbox.keep(first)
        # Another worker would also see it waiting (it is kept, not done).
        assert [u for u, _ in await b.db.pending_updates_of(chat, 10**6)] == [101]
        outcome: list[object] = []

        async def handle_first() -> None:
            # As PTB's handler runs it, in the chat's turn on worker A.
            pid = await turn_pid(query, chat)
            await query("SELECT pg_terminate_backend($1)", pid)
            # The server dropped A's turn: B takes it and handles the chat's next update.
            async with b.db.chat_turn(chat) as b_turn:
                assert b_turn is not None
                handling_update("u102")
                await b.conversation.handle_text(said(chat, "/remind in 1 minute second"))
            try:
                await a.conversation.handle_text(said(chat, "/remind in 1 minute first"))
            except TurnLost as exc:
                outcome.append(exc)

        await asyncio.wait_for(processor.do_process_update(first, handle_first()), 30)
        assert outcome and isinstance(outcome[0], TurnLost)
        titles = [r["title"] for r in await query("SELECT title FROM items ORDER BY id")]
        assert titles == ["second"], titles  # and never "first" after it
        # Left in the inbox for the worker whose turn it is now (it handles it first).
        assert not await b.db.update_handled(101)
        # A's next turn, on a new lock connection, works.
        async with a.db.chat_turn(chat) as turn:
            assert turn is not None and not turn.lost
            handling_update("u103")
            await a.conversation.handle_text(said(chat, "/remind in 1 minute third"))
        assert len(await query("SELECT id FROM items")) == 2
    finally:
        inbox.detach()
        for bot in (a, b):
            await bot.db.close()


async def test_updates_arriving_while_the_server_is_down_are_handled_once_it_is_back(
    server: PgServer, api: FakeBotApi
) -> None:
    """The Telegram bot (polling the fake Bot API) on PostgreSQL: a message sent while the
    server is down cannot be kept in the inbox, so Telegram must not be told it arrived; it
    is handled once the server is back, once, without a restart of the bot."""
    name = server.new_name("polling")
    server.create_database(name)
    url = server.url(name)
    query = Query(url)
    outage = Outage(server, name, "restart")
    clock = ManualClock(T0)
    async with running_bot(api, url, clock):  # type: ignore[arg-type]
        await say(api, GROUP, ADMIN, "/remind in 1 hour before the outage", "I'll remind")
        outage.begin()
        try:
            await api.send_text(GROUP, ADMIN, "/remind in 1 hour while it is down")
            await asyncio.sleep(1.0)  # the bot polls, fails to keep it; real time
        finally:
            await outage.end()
        await api.wait_for_message(GROUP, has("while it is down"), timeout=30)
        await say(api, GROUP, ADMIN, "/remind in 1 hour after the outage", "after the outage")
    titles = [r["title"] for r in await query("SELECT title FROM items ORDER BY id")]
    assert len(titles) == 3, titles
    texts = [m.text or "" for m in api.messages_to(GROUP)]
    assert len(texts) == 3, texts  # one reply each, and no "I had already handled that"
    assert await query("SELECT update_id FROM inbox WHERE done_at IS NULL") == []
