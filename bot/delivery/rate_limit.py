"""Outgoing rate limiting: keeps the bot inside Telegram's limits, however many workers it has.

Two limits apply to every message: a global one (Telegram: about 30 messages a second per bot)
and a per-chat one (groups: 20 a minute).  The bot's messages are spaced evenly: each books a
slot (one every 1/30 s), waits for it, and books a new one if it woke too late for it.  Then
the chat's limit is checked at that moment: a chat may have a minute's quota at once, and
after that a message goes only once the oldest of the chat's last 20 *sent* is a minute old,
so no 60 seconds ever hold more than 20 of its messages (Telegram counts any minute, not
minutes on the clock); a message that must wait gives up its slot and books another when the
chat has room.  Counting what was sent, not what was booked, matters: a message that queued
seconds for the bot's slot must not leave room for a 21st in its chat's minute.  Both windows
are ``GUARD`` (10%) longer than the limit, so messages that reach Telegram some tens of
milliseconds out of step (a busy machine, the network) cannot make a second hold 31.  A
``DeliveryRetryLater`` with ``retry_after`` from the notifier holds *all* sending for that
long: Telegram's flood control is per bot, not per chat.

Where the slots are booked is a ``SlotBook``: in memory (``MemoryBook``: one process, the
SQLite default) or in the database (``DatabaseBook``: every worker on one PostgreSQL books
from the same rows, so the limits hold for the bot as a whole, and a retry_after one worker
was given holds back all of them).
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from bot.clock import Clock, SystemClock
from bot.delivery.notifier import DeliveryRetryLater, Notifier
from storage.repository import Database

GUARD = 0.10
"""Each window is this much longer than Telegram's, for jitter between booking a slot and
the message reaching Telegram (27 messages a second at most, not 30)."""

BOT = "bot"
"""The key of the bot-wide limit."""

# Idle per-chat windows are forgotten once there are this many, so memory tracks active chats.
_SWEEP_AT = 2048


def chat_key(chat_id: int) -> str:
    """The key of a chat's own limit: a digest, not the id, since the shared book outlives
    the chat's erasure by minutes (the erase reply itself is booked after it)."""
    return "chat:" + hashlib.blake2b(str(chat_id).encode(), digest_size=12).hexdigest()


class Window:
    """At most ``count`` events in any ``period`` seconds, first come first served: the log of
    the last ``count`` slots booked (``count=1``: evenly spaced, one per ``period``)."""

    def __init__(self, count: int, period: float) -> None:
        if count <= 0 or period <= 0:
            raise ValueError("count and period must be positive")
        self.count = count
        self.period = period
        self._slots: deque[float] = deque(maxlen=count)

    def reserve(self, now: float) -> float:
        """Book the next slot at ``now`` or later; returns the instant (same clock as ``now``)
        to go at."""
        slot = now
        if self._slots:
            slot = max(slot, self._slots[-1])
        if len(self._slots) >= self.count:
            slot = max(slot, self._slots[0] + self.period)
        self._slots.append(slot)
        return slot

    def admit(self, now: float) -> float | None:
        """Go at ``now`` if the last ``count`` leave room in any ``period``: recorded, None;
        else nothing is recorded and the answer is when there will be room."""
        if len(self._slots) >= self.count and now < self._slots[0] + self.period:
            return self._slots[0] + self.period
        self._slots.append(now)
        return None

    def idle(self, now: float) -> bool:
        return not self._slots or self._slots[-1] + self.period <= now


class SlotBook(Protocol):
    """Where send slots are booked (see the module docstring)."""

    def now(self) -> float:
        """Seconds on the clock the booked slots are on."""
        ...

    async def book(self, key: str, count: int, period: float) -> float:
        """The instant to send at: at most ``count`` under ``key`` in any ``period``."""
        ...

    async def admit(self, key: str, count: int, period: float) -> float | None:
        """Send now if ``key``'s last ``count`` sends leave room in any ``period`` (recorded,
        None); else when to ask again."""
        ...

    async def hold(self, keys: list[str], until: float) -> None: ...

    async def held_until(self, key: str) -> float: ...


class MemoryBook:
    """Slots booked in this process (one process sends for the bot)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._windows: dict[str, Window] = {}
        self._holds: dict[str, float] = {}

    def now(self) -> float:
        return self._clock.monotonic()

    def _window(self, key: str, count: int, period: float) -> Window:
        window = self._windows.get(key)
        if window is None:
            if len(self._windows) >= _SWEEP_AT:
                now = self.now()
                self._windows = {k: w for k, w in self._windows.items() if not w.idle(now)}
                self._holds = {k: t for k, t in self._holds.items() if t > now}
            window = self._windows[key] = Window(count, period)
        return window

    async def book(self, key: str, count: int, period: float) -> float:
        now = max(self.now(), self._holds.get(key, float("-inf")))
        return self._window(key, count, period).reserve(now)

    async def admit(self, key: str, count: int, period: float) -> float | None:
        now = self.now()
        held = self._holds.get(key, float("-inf"))
        if now < held:
            return held
        return self._window(key, count, period).admit(now)

    async def hold(self, keys: list[str], until: float) -> None:
        for key in keys:
            self._holds[key] = max(until, self._holds.get(key, float("-inf")))

    async def held_until(self, key: str) -> float:
        return self._holds.get(key, float("-inf"))


_MICRO = 1_000_000


class DatabaseBook:
    """Slots booked in the database, shared by every worker on it: a slot is an instant on
    the wall clock (workers on one machine, or kept in step by NTP)."""

    def __init__(
        self, db: Database, clock: Clock, prune_every: int = 1000, keep: float = 600.0
    ) -> None:
        self._db = db
        self._clock = clock
        self._bookings = 0
        self._prune_every = prune_every
        self._keep = keep
        """Chats' bookings are forgotten once their last is this old (longer than any window)."""

    def now(self) -> float:
        return self._clock.now().timestamp()

    async def book(self, key: str, count: int, period: float) -> float:
        now = round(self.now() * _MICRO)
        async with self._db.transaction() as tx:
            slot = await tx.book_send(key, now, count, round(period * _MICRO))
            self._bookings += 1
            if self._bookings % self._prune_every == 0:
                await tx.prune_send_slots(now - round(self._keep * _MICRO))
        return slot / _MICRO

    async def admit(self, key: str, count: int, period: float) -> float | None:
        async with self._db.transaction() as tx:
            at = await tx.admit_send(key, round(self.now() * _MICRO), count, round(period * _MICRO))
        return None if at is None else at / _MICRO

    async def hold(self, keys: list[str], until: float) -> None:
        async with self._db.transaction() as tx:
            await tx.hold_sends(keys, round(until * _MICRO))

    async def held_until(self, key: str) -> float:
        return await self._db.send_hold(key) / _MICRO


@dataclass(slots=True)
class SendStats:
    """Counters for monitoring and benchmarks."""

    sent: int = 0
    failed: int = 0
    flood_waits: int = 0
    rebooked: int = 0
    """Slots given up because the sender woke too late for them."""


class OutgoingQueue:
    """The bot's one outbound limiter: reminders (``send``, through the notifier) and the
    front end's replies (``acquire`` before each call) share its slots. ``None`` for a
    limit means unlimited; ``book`` defaults to this process's memory."""

    def __init__(
        self,
        notifier: Notifier,
        *,
        global_per_second: float | None = 30,
        per_chat_per_minute: float | None = 20,
        clock: Clock | None = None,
        book: SlotBook | None = None,
        guard: float = GUARD,
    ) -> None:
        self.notifier = notifier
        self._time = clock or SystemClock()
        self._book: SlotBook = book or MemoryBook(self._time)
        self._interval = (1 + guard) / global_per_second if global_per_second else None
        # A sender that wakes for its slot later than this (a busy event loop) takes a new
        # slot instead: going late would crowd the messages booked after it.  Never less
        # than a few milliseconds, which any wake-up may take.
        self._late = max(self._interval / 2, 0.005) if self._interval else 0.0
        self._chat_count = max(1, int(per_chat_per_minute)) if per_chat_per_minute else None
        self._chat_period = 60.0 * (1 + guard)
        self.stats = SendStats()

    @property
    def shared(self) -> bool:
        """Whether the slots are booked in the database, for every worker on it."""
        return isinstance(self._book, DatabaseBook)

    async def _wait_until(self, instant: float) -> None:
        delay = instant - self._book.now()
        if delay > 0:
            await self._time.sleep(delay)

    async def acquire(self, chat_id: int) -> None:
        """Wait for the bot's next slot, and for room in this chat (and any flood wait)."""
        while True:
            await self._bot_slot()
            if self._chat_count is None:
                return
            key = chat_key(chat_id)
            later = await self._book.admit(key, self._chat_count, self._chat_period)
            if later is None:
                return
            await self._wait_until(later)  # the chat's minute is full: the slot goes by

    async def _bot_slot(self) -> None:
        while True:
            if self._interval is not None:
                slot = await self._book.book(BOT, 1, self._interval)
                await self._wait_until(slot)
                if self._book.now() - slot > self._late:
                    self.stats.rebooked += 1
                    continue
            held = await self._book.held_until(BOT)
            # A flood wait may have started while we slept on an earlier booking.
            if self._book.now() >= held:
                return
            await self._wait_until(held)

    async def flood_wait(self, seconds: float, chat_id: int | None = None) -> None:
        """Telegram said "retry after ``seconds``": nothing goes out before then, to any chat
        (its flood control is per bot, not per chat), from any worker sharing the book."""
        if seconds <= 0:
            return
        self.stats.flood_waits += 1
        keys = [BOT] if chat_id is None else [BOT, chat_key(chat_id)]
        await self._book.hold(keys, self._book.now() + seconds)

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
        """Wait for a slot in the chat and globally, then send. Notifier errors propagate
        (a ``retry_after`` first holds back every chat)."""
        await self.acquire(chat_id)
        try:
            await self.notifier.send(chat_id, text, reminder_ids)
        except DeliveryRetryLater as exc:
            self.stats.failed += 1
            await self.flood_wait(exc.retry_after, chat_id)
            raise
        except Exception:
            self.stats.failed += 1
            raise
        self.stats.sent += 1
