"""No update lost, none applied twice, each chat in order, no chat waiting for another.

Telegram considers an update delivered once the bot asks for the next ones (polling) or
answers 200 (webhook).  Both hand each update to the Application's update queue and wait
for that to finish before acknowledging, so ``InboxQueue.put`` stores the update first: a
crash after the acknowledgement finds it in the ``inbox`` table, handled on the next start.

``ChatOrderedProcessor`` runs updates of different chats concurrently and each chat's in
arrival order, gives each update its key for the core (a unit of work it causes is applied
once, even if the update is handled again after a crash), and marks it done.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Bot, Update
from telegram.ext import BaseUpdateProcessor

from bot.core import handling_update
from storage.repository import Database

log = logging.getLogger(__name__)


def chat_of(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


class Inbox:
    """The stored updates: kept before acknowledgement, marked done once handled."""

    def __init__(self) -> None:
        self._db: Database | None = None
        self._ready = asyncio.Event()

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
        if self._db is None:
            return
        async with self._db.transaction() as tx:
            await tx.update_done(update_id)

    async def unfinished(self, bot: Bot) -> list[Update]:
        """Updates kept but not handled before the last stop (or crash), oldest first."""
        assert self._db is not None
        found = []
        for _, payload in await self._db.pending_updates():
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
        if isinstance(item, Update) and not await self.inbox.keep(item):
            log.info("update %s arrived again; it was already kept", item.update_id)
            return
        await super().put(item)

    def replay(self, updates: list[Update]) -> None:
        """Queue updates already kept (unfinished at the last stop) without keeping them again."""
        for update in updates:
            self.put_nowait(update)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Different chats at once; one chat's updates one at a time, in the order they came."""

    def __init__(self, inbox: Inbox, max_concurrent_updates: int = 4096) -> None:
        super().__init__(max_concurrent_updates)
        self.inbox = inbox
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._waiting: dict[int | None, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = chat_of(update)
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:
                if isinstance(update, Update):
                    handling_update(f"u{update.update_id}")
                try:
                    await coroutine
                finally:
                    if isinstance(update, Update):
                        await self.inbox.done(update.update_id)
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:  # memory follows the chats that are busy
                del self._waiting[chat]
                del self._locks[chat]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
