"""Starting and stopping the pieces every front end needs: database, core, scheduler."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.chat.conversation import Conversation
from bot.clock import Clock, SystemClock
from bot.core import Core
from bot.delivery.notifier import Notifier
from bot.delivery.rate_limit import DatabaseBook, OutgoingQueue
from bot.delivery.scheduler import ReminderScheduler
from bot.knowledge.knowledge import Knowledge
from bot.settings import Settings
from storage.repository import Database


@dataclass(frozen=True)
class Running:
    """What a front end works with while the bot runs."""

    core: Core
    conversation: Conversation
    outgoing: OutgoingQueue
    """The one outbound limiter: reminders go through it, and so must every reply."""


@asynccontextmanager
async def running_core(
    settings: Settings,
    notifier: Notifier,
    knowledge: Knowledge | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[Running]:
    """Open the database (migrating it), start the reminder scheduler; undo both on exit."""
    if knowledge is None:
        knowledge = await asyncio.to_thread(Knowledge.load)
    # Build the answerer (search structures, speller) off the event loop, before the first
    # question: with hundreds of Compacts that takes longer than one answer may block it.
    await asyncio.to_thread(lambda: knowledge.answerer)
    knowledge.answerer.use_embedding(settings.embedding)  # loaded at the first question
    await asyncio.to_thread(lambda: knowledge.gazetteer)  # the bodies and places, likewise
    # What is loaded now lives as long as the bot: keep it out of the garbage collector's
    # full passes, which otherwise stall a question for tens of milliseconds with hundreds
    # of Compacts in memory.
    gc.freeze()
    clock = clock or settings.clock()
    db = await Database.open(settings.db, clock=clock, pool_size=settings.db_pool_size)
    # Telegram's limits are in real seconds, whatever day the clock says it is. Workers
    # sharing a database share one limiter: their slots are booked in it.
    real = SystemClock()
    outgoing = OutgoingQueue(
        notifier,
        global_per_second=settings.global_per_second,
        per_chat_per_minute=settings.per_chat_per_minute,
        clock=real,
        book=DatabaseBook(db, real) if db.shared else None,
    )
    # A claim checked before a send is safe from other workers for longer than the send
    # may take (the Bot API timeout).
    scheduler = ReminderScheduler(
        db, notifier, outgoing=outgoing, clock=clock, claim_grace=settings.api_timeout + 5.0
    )
    core = Core(
        knowledge,
        db,
        scheduler,
        default_timezone=settings.timezone,
        reminder_hour=settings.reminder_hour,
        clock=clock,
        letter_templates=settings.letter_templates,
    )
    scheduler.on_chat_moved = core.chat_moved
    scheduler.start()
    try:
        yield Running(core, Conversation(core), outgoing)
    finally:
        try:
            await scheduler.stop()
        finally:  # an open connection's thread would keep the process alive
            await db.close()
