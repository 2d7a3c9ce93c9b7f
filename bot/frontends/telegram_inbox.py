"""No update lost, none applied twice, each chat in order, no chat waiting for another.

Telegram considers an update delivered once the bot asks for the next ones (polling) or
answers 200 (webhook).  Both hand each update to the Application's update queue and wait
for that to finish before acknowledging, so ``InboxQueue.put`` stores the update first: a
crash after the acknowledgement finds it in the ``inbox`` table, handled on the next start.

``ChatOrderedProcessor`` runs updates of different chats concurrently and each chat's in
arrival order (inline queries, which change nothing and expire in seconds, at once and
unkept), gives each update its key for the core (a unit of work it causes is applied
once, even if the update is handled again after a crash), and marks it done.

Several workers on one PostgreSQL database (webhook mode behind a reverse proxy that hands
each update to any of them) share the inbox.  A worker handles a chat's update only in the
chat's turn (``Database.chat_turn``: one worker per chat at a time, dropped with a dead
worker's connection), and first handles any earlier update of the chat still waiting in the
inbox, whichever worker kept it; an update another worker handled meanwhile is not handled
again.  So each chat's updates are applied in the order the inbox received them, and once.
An update kept by a worker that died before handling it is taken up by another after
``COMPACTBOT_INBOX_SWEEP`` seconds (``sweep``), or sooner by the chat's next update.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.clock import Clock
from bot.core import handling_update
from storage.repository import Database, Turn

log = logging.getLogger(__name__)

T = TypeVar("T")


def passing(update: object) -> bool:
    """An update that changes nothing and is stale in seconds (an inline query: Telegram
    takes no answer to it after that): neither kept in the inbox nor put in any chat's turn,
    and never replayed."""
    return isinstance(update, Update) and update.inline_query is not None


def chat_of(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


RETRY_PAUSE = 0.5
RETRY_PAUSE_CAP = 10.0
"""Seconds between attempts to write to the inbox while the database is away (real time:
waiting on the database, not on the bot's clock)."""


async def until_stored(
    write: Callable[[], Awaitable[T]], what: str, give_up: Callable[[], bool] = lambda: False
) -> T:
    """``write()``, again and again (capped exponential pauses) until it succeeds, while the
    database is away; its error once ``give_up()`` says so (or cancelled: the bot stopping)."""
    pause = RETRY_PAUSE
    while True:
        try:
            return await write()
        except Exception as exc:
            if give_up():
                raise
            log.warning(
                "cannot %s (%s: %s); trying again in %.1f s", what, type(exc).__name__, exc, pause
            )
        await asyncio.sleep(pause)
        pause = min(RETRY_PAUSE_CAP, pause * 2)


KEEP_HANDLED = timedelta(days=2)
"""How long a handled update's id is kept (its payload goes once it is handled): Telegram
sends an update again only until it is acknowledged, and keeps none longer than 24 hours."""

PRUNE_EVERY = 100
"""Handled updates between two prunings of the inbox (and at every start)."""


class Inbox:
    """The stored updates: kept before acknowledgement, marked done once handled."""

    def __init__(self) -> None:
        self._since_pruned = 0
        self._db: Database | None = None
        self._ready = asyncio.Event()
        self.local: set[int] = set()
        """Updates this worker has queued or is handling (the sweep leaves them alone)."""

    @property
    def db(self) -> Database | None:
        return self._db

    @property
    def shared(self) -> bool:
        """Whether other workers share this inbox (a PostgreSQL database)."""
        return self._db is not None and self._db.shared

    def attach(self, db: Database) -> None:
        """The database is open: updates waiting to be kept can go in."""
        self._db = db
        self._ready.set()

    def detach(self) -> None:
        self._ready.clear()
        self._db = None

    async def keep(self, update: Update) -> bool:
        """Store ``update``; False if it was stored before (Telegram sent it again)."""
        await self._ready.wait()
        assert self._db is not None
        payload = json.dumps(update.to_dict(), ensure_ascii=False)
        async with self._db.transaction() as tx:
            return await tx.store_update(update.update_id, chat_of(update), payload)

    async def done(self, update_id: int) -> None:
        """Mark the update handled, trying again until the database takes it: left undone, it
        would be handled again (applied once, but the chat told "I had already handled that")."""
        db = self._db
        if db is None:
            return

        async def mark() -> None:
            async with db.transaction() as tx:
                await tx.update_done(update_id)

        # Given up once the inbox is detached (the bot stopping): then handled again at start.
        await until_stored(mark, f"mark update {update_id} done", lambda: self._db is not db)
        self._since_pruned += 1
        if self._since_pruned >= PRUNE_EVERY:
            with contextlib.suppress(Exception):  # the next one will do it
                await self.prune()

    async def prune(self) -> int:
        """Forget handled updates older than ``KEEP_HANDLED``; returns how many."""
        self._since_pruned = 0
        if self._db is None:
            return 0
        async with self._db.transaction() as tx:
            return await tx.prune_inbox(KEEP_HANDLED)

    async def unfinished(self, bot: Bot, received_before: Any = None) -> list[Update]:
        """Updates kept but not handled before the last stop (or crash), oldest first; only
        those received before ``received_before``, if given, and none this worker has."""
        assert self._db is not None
        found = []
        for update_id, payload in await self._db.pending_updates(received_before):
            if update_id in self.local:
                continue
            update = Update.de_json(json.loads(payload), bot)
            if update is not None:
                found.append(update)
        return found


class InboxQueue(asyncio.Queue[Any]):
    """The Application's update queue, storing each update before taking it."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    async def put(self, item: Any) -> None:
        if isinstance(item, Update) and not passing(item):
            if not await self._keep(item):
                log.info("update %s arrived again; it was already kept", item.update_id)
                return
            self.inbox.local.add(item.update_id)
        await super().put(item)

    async def _keep(self, update: Update) -> bool:
        """Keep ``update``, trying again until the database takes it.  Until then Telegram is
        not told it arrived (polling asks for no further updates; a webhook call gets no
        answer), so it is sent again rather than lost; and an error here would end PTB's
        polling task for good."""
        return await until_stored(
            lambda: self.inbox.keep(update), f"keep update {update.update_id}"
        )

    def replay(self, updates: list[Update]) -> None:
        """Queue updates already kept (unfinished at the last stop) without keeping them again."""
        for update in updates:
            self.inbox.local.add(update.update_id)
            self.put_nowait(update)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Different chats at once; one chat's updates one at a time, in the order they came."""

    def __init__(self, inbox: Inbox, max_concurrent_updates: int = 4096) -> None:
        super().__init__(max_concurrent_updates)
        self.inbox = inbox
        self.application: Application | None = None  # type: ignore[type-arg]
        """Handles earlier updates of a chat that another worker kept (shared inbox)."""
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._waiting: dict[int | None, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if passing(update):
            await coroutine
            return
        chat = chat_of(update)
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:
                db = self.inbox.db
                if isinstance(update, Update) and chat is not None and db is not None and db.shared:
                    await self._in_turn(db, chat, update, coroutine)
                    return
                if isinstance(update, Update):
                    handling_update(f"u{update.update_id}")
                try:
                    await coroutine
                finally:
                    if isinstance(update, Update):
                        self.inbox.local.discard(update.update_id)
                        await self.inbox.done(update.update_id)
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:  # memory follows the chats that are busy
                del self._waiting[chat]
                del self._locks[chat]

    async def _in_turn(
        self, db: Database, chat: int, update: Update, coroutine: Awaitable[Any]
    ) -> None:
        """Handle ``update`` in the chat's turn, after the chat's earlier ones still waiting
        in the shared inbox; not at all if another worker has handled it meanwhile."""
        try:
            async with db.chat_turn(chat) as turn:
                for update_id, payload in await db.pending_updates_of(chat, update.update_id):
                    earlier = Update.de_json(json.loads(payload), update.get_bot())
                    if earlier is None or self.application is None:
                        continue
                    handling_update(f"u{update_id}")
                    try:
                        await self.application.process_update(earlier)
                    finally:
                        if not _lost(turn, update_id):
                            await self.inbox.done(update_id)
                    if turn is not None and turn.lost:
                        return
                if await db.update_handled(update.update_id):
                    log.info("update %s was handled by another worker", update.update_id)
                    return
                handling_update(f"u{update.update_id}")
                try:
                    await coroutine
                    coroutine = None  # type: ignore[assignment]
                finally:
                    if not _lost(turn, update.update_id):
                        await self.inbox.done(update.update_id)
        finally:
            self.inbox.local.discard(update.update_id)
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never started: handled by another worker, or failed

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _lost(turn: Turn | None, update_id: int) -> bool:
    """Whether the chat's turn was lost while ``update_id`` was handled: its unit of work was
    rolled back, and the update stays in the inbox for the worker whose turn it is now (it
    handles it first, as an earlier update of the chat; or the sweep takes it up)."""
    if turn is None or not turn.lost:
        return False
    log.warning(
        "lost the turn on chat %s; update %s is left to its holder", turn.chat_id, update_id
    )
    return True


async def sweep(inbox: Inbox, queue: InboxQueue, bot: Bot, clock: Clock, every: float) -> None:
    """Several workers: take up updates kept by a worker that died before handling them
    (waiting ``every`` seconds or more, and not this worker's own), until cancelled."""
    while True:
        with contextlib.suppress(Exception):  # the database may be away; try again later
            if inbox.db is not None:
                before = clock.now() - timedelta(seconds=every)
                orphans = await inbox.unfinished(bot, before)
                if orphans:
                    log.warning("taking up %d updates left by another worker", len(orphans))
                    queue.replay(orphans)
        await clock.sleep(every)
