"""Outgoing rate limiting: keeps the bot inside Telegram's limits.

Two limits apply to every message: a global one (Telegram: about 30 messages a second per bot)
and a per-chat one (groups: 20 a minute). Each limit spaces messages evenly (a GCRA, i.e. a token
bucket tracked as one "next free slot" instant), so waiting costs O(1) memory per chat and
callers are served first come, first served. A ``DeliveryRetryLater`` with ``retry_after`` from
the notifier blocks *all* sending for that long: Telegram's flood control is not per chat.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.delivery.notifier import DeliveryRetryLater, Notifier

# Idle per-chat limiters are forgotten once there are this many, so memory tracks active chats.
_SWEEP_AT = 2048


class SlotLimiter:
    """At most ``count`` events per ``period`` seconds, evenly spaced, with ``burst`` allowed
    back to back."""

    def __init__(self, count: int, period: float, burst: int = 1) -> None:
        if count <= 0 or period <= 0 or burst <= 0:
            raise ValueError("count, period and burst must be positive")
        self.interval = period / count
        self._slack = (burst - 1) * self.interval
        self._tat = float("-inf")  # theoretical arrival time of the next event

    def reserve(self, now: float) -> float:
        """Book the next slot; returns the instant (same clock as ``now``) to go at."""
        tat = max(self._tat, now)
        slot = max(now, tat - self._slack)
        self._tat = tat + self.interval
        return slot

    def block_until(self, instant: float) -> None:
        """No slot before ``instant`` (used for retry_after)."""
        self._tat = max(self._tat, instant)

    def idle(self, now: float) -> bool:
        return self._tat <= now


@dataclass(slots=True)
class SendStats:
    """Counters for monitoring and benchmarks."""

    sent: int = 0
    failed: int = 0
    flood_waits: int = 0


class OutgoingQueue:
    """The bot's one outbound limiter: reminders (``send``, through the notifier) and the
    front end's replies (``acquire`` before each call) share its slots. ``None`` for a
    limit means unlimited."""

    def __init__(
        self,
        notifier: Notifier,
        *,
        global_per_second: float | None = 30,
        per_chat_per_minute: float | None = 20,
        clock: Clock | None = None,
    ) -> None:
        self.notifier = notifier
        self._time = clock or SystemClock()
        self._global = (
            SlotLimiter(int(global_per_second * 1000), 1000.0) if global_per_second else None
        )
        self._per_chat_per_minute = per_chat_per_minute
        self._chats: dict[int, SlotLimiter] = {}
        self._blocked_until = float("-inf")
        self.stats = SendStats()

    def _clock(self) -> float:
        return self._time.monotonic()

    def _chat_limiter(self, chat_id: int, now: float) -> SlotLimiter | None:
        if not self._per_chat_per_minute:
            return None
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if len(self._chats) >= _SWEEP_AT:
                self._chats = {c: lim for c, lim in self._chats.items() if not lim.idle(now)}
            # A minute's quota may go at once (as Telegram allows, and as a reply of several
            # parts needs), then messages are spaced to keep within it.
            per_minute = self._per_chat_per_minute
            limiter = SlotLimiter(int(per_minute * 1000), 60_000.0, burst=max(1, int(per_minute)))
            self._chats[chat_id] = limiter
        return limiter

    async def _wait_until(self, instant: float) -> None:
        delay = instant - self._clock()
        if delay > 0:
            await self._time.sleep(delay)

    async def acquire(self, chat_id: int) -> None:
        """Wait for this chat's next slot and the bot's next slot (and any flood wait)."""
        chat = self._chat_limiter(chat_id, self._clock())
        if chat is not None:
            await self._wait_until(chat.reserve(self._clock()))
        while True:
            now = self._clock()
            if self._global is not None:
                await self._wait_until(self._global.reserve(now))
            elif self._blocked_until > now:
                await self._wait_until(self._blocked_until)
            # A flood wait may have started while we slept on an earlier booking.
            if self._clock() >= self._blocked_until:
                break

    def flood_wait(self, seconds: float, chat_id: int | None = None) -> None:
        """Telegram said "retry after ``seconds``": nothing goes out before then, to any chat
        (its flood control is per bot, not per chat)."""
        if seconds <= 0:
            return
        self.stats.flood_waits += 1
        until = self._clock() + seconds
        self._blocked_until = max(self._blocked_until, until)
        if self._global is not None:
            self._global.block_until(until)
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is not None:
            chat.block_until(until)

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
        """Wait for a slot in the chat and globally, then send. Notifier errors propagate
        (a ``retry_after`` first holds back every chat)."""
        await self.acquire(chat_id)
        try:
            await self.notifier.send(chat_id, text, reminder_ids)
        except DeliveryRetryLater as exc:
            self.stats.failed += 1
            self.flood_wait(exc.retry_after, chat_id)
            raise
        except Exception:
            self.stats.failed += 1
            raise
        self.stats.sent += 1
