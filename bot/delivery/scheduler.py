"""The reminder scheduler: one asyncio task that delivers due reminders from the database.

Nothing lives in memory between wake-ups except one claimed batch, so memory does not grow with
the number of pending reminders. The database is the only schedule: a reminder is claimed
('sending') before delivery and marked sent only after the notifier succeeded; a crash between
the two leaves it 'sending', and ``recover_in_flight`` re-queues it on the next start. So every
reminder is delivered at least once, and at most the claimed batch in flight twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from bot.clock import Clock, SystemClock, wait_or_timeout
from bot.delivery.notifier import ChatUnreachable, DeliveryFailed, DeliveryRetryLater, Notifier
from bot.delivery.rate_limit import OutgoingQueue
from storage.repository import LATE_GRACE_SECONDS, Database, Reminder

log = logging.getLogger(__name__)

# Telegram caps a message at 4096 characters; keep headroom for the digest header.
MAX_MESSAGE_CHARS = 3800


def compose(reminders: list[Reminder], now: datetime, late_grace: float) -> str:
    """The text of one message for one or more reminders of a chat."""

    def line(r: Reminder) -> str:
        late = (now - r.planned_at).total_seconds() > late_grace
        return f"(late) {r.text}" if late else r.text

    if len(reminders) == 1:
        return f"⏰ {line(reminders[0])}"
    body = "\n".join(f"{n}. {line(r)}" for n, r in enumerate(reminders, start=1))
    return f"⏰ {len(reminders)} reminders:\n{body}"


def digests(reminders: list[Reminder], max_items: int) -> list[list[Reminder]]:
    """Split one chat's due reminders into messages of bounded size, keeping due order."""
    chunks: list[list[Reminder]] = []
    current: list[Reminder] = []
    size = 0
    for r in reminders:
        cost = len(r.text) + 16
        if current and (len(current) >= max_items or size + cost > MAX_MESSAGE_CHARS):
            chunks.append(current)
            current, size = [], 0
        current.append(r)
        size += cost
    if current:
        chunks.append(current)
    return chunks


class ReminderScheduler:
    """Delivers due reminders as per-chat digests, with retries, pauses and crash recovery.

    ``clock`` says what time it is and sleeps (a ``ManualClock`` in tests); ``poke()`` cuts a
    sleep short. ``outgoing`` defaults to an ``OutgoingQueue`` with Telegram's
    limits around ``notifier``.
    """

    def __init__(
        self,
        db: Database,
        notifier: Notifier,
        *,
        clock: Clock | None = None,
        batch: int = 500,
        outgoing: OutgoingQueue | None = None,
        max_attempts: int = 8,
        retry_base: float = 5.0,
        retry_cap: float = 3600.0,
        late_grace: float = LATE_GRACE_SECONDS,
        digest_max_items: int = 20,
        max_sleep: float = 60.0,
        error_pause: float = 1.0,
    ) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self._batch = batch
        self._out = outgoing if outgoing is not None else OutgoingQueue(notifier)
        self._max_attempts = max_attempts
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._late_grace = late_grace
        self._digest_max = digest_max_items
        # Re-check the database at least this often (another process may have added rows).
        self._max_sleep = max_sleep
        self._error_pause = error_pause
        self._poke = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        # Group commit of "sent": ids delivered while a mark_sent runs go in the next one.
        self._sent_buffer: list[int] = []
        self._sent_lock = asyncio.Lock()
        self.ready = asyncio.Event()
        """Set once the scheduler has first caught up and gone to sleep."""
        self._ticks = 0
        self._asleep = asyncio.Event()
        self.recovered = 0
        self.delivered = 0

    # ---------------------------------------------------------------- control

    def start(self) -> None:
        """Start the scheduler task (recovery first, then the delivery loop)."""
        if self._task is not None:
            raise RuntimeError("scheduler already started")
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="reminder-scheduler")

    def poke(self) -> None:
        """Re-read the schedule now (call after adding, snoozing or resuming reminders)."""
        self._poke.set()

    async def stop(self, drain_seconds: float = 10.0) -> None:
        """Finish the batch in flight, then stop; cancel after ``drain_seconds`` (reminders still
        'sending' are recovered on the next start)."""
        task = self._task
        if task is None:
            return
        self._stopping = True
        self._poke.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), drain_seconds)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        finally:
            self._task = None
            self.ready.clear()

    async def idle(self) -> None:
        """Return once the schedule has been read since this call and the scheduler sleeps.

        After moving a test clock, ``await scheduler.idle()`` means "whatever is due now has
        been delivered", with no sleeping in real time."""
        start = self._ticks
        self.poke()
        while not (self._ticks > start and self._asleep.is_set()):
            if self._task is None or self._task.done():
                raise RuntimeError("the scheduler is not running")
            waiter = asyncio.ensure_future(self._asleep.wait())
            await asyncio.wait({waiter, self._task}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if self._ticks <= start:
                self._asleep.clear()
                self.poke()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # ---------------------------------------------------------------- loop

    async def _run(self) -> None:
        self.recovered = await self._db.recover_in_flight()
        if self.recovered:
            log.warning("re-queued %d reminders left in flight by a crash", self.recovered)
        while not self._stopping:
            # Cleared before reading the schedule so a poke during the read is not lost.
            self._poke.clear()
            self._ticks += 1
            try:
                delay = await self._tick()
            except Exception:
                log.exception("scheduler tick failed; retrying")
                delay = self._error_pause
            if delay <= 0 or self._stopping:
                continue
            self.ready.set()
            self._asleep.set()
            await wait_or_timeout(self._clock, self._poke, delay)
            self._asleep.clear()

    async def _tick(self) -> float:
        """Deliver one batch if any is due; returns seconds to sleep (0 = go again)."""
        now = self._clock.now()
        claimed = await self._db.claim_due(now, self._batch)
        if claimed:
            await self._deliver(claimed)
            return 0.0
        nxt = await self._db.next_due_at()
        if nxt is None:
            return self._max_sleep
        return min(self._max_sleep, max(0.0, (nxt - self._clock.now()).total_seconds()))

    async def _deliver(self, claimed: list[Reminder]) -> None:
        by_chat: dict[int, list[Reminder]] = {}
        for r in claimed:  # already in due order, so chats start in order of their first due
            by_chat.setdefault(r.chat_id, []).append(r)
        tasks = [
            asyncio.create_task(self._deliver_chat(chat_id, rems))
            for chat_id, rems in by_chat.items()
        ]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for res in results:
            if isinstance(res, BaseException):
                log.error("delivery task failed", exc_info=res)
        await self._flush_sent()

    async def _deliver_chat(self, chat_id: int, reminders: list[Reminder]) -> None:
        chunks = digests(reminders, self._digest_max)
        for i, chunk in enumerate(chunks):
            ids = [r.id for r in chunk]
            try:
                await self._out.send(
                    chat_id, compose(chunk, self._clock.now(), self._late_grace), ids
                )
            except ChatUnreachable as exc:
                # Holds this chat's claimed and pending reminders until resume_chat.
                await self._db.pause_chat(chat_id, exc.reason)
                log.warning("chat %s paused: %s", chat_id, exc.reason)
                return
            except DeliveryFailed as exc:
                for r in chunk:
                    await self._db.mark_undeliverable(r.id, exc.reason)
                continue
            except DeliveryRetryLater as exc:
                # Don't hammer the chat: the rest of its batch waits for the retry too.
                rest = [r for c in chunks[i:] for r in c]
                await self._retry(rest, exc.reason, exc.retry_after)
                return
            except Exception as exc:  # unknown failure: retry with backoff, never lose it
                log.exception("unexpected delivery error for chat %s", chat_id)
                rest = [r for c in chunks[i:] for r in c]
                await self._retry(rest, f"{type(exc).__name__}: {exc}", 0.0)
                return
            self._sent_buffer.extend(ids)
            self.delivered += len(ids)
            await self._flush_sent()

    def backoff(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1`` (capped exponential)."""
        return float(min(self._retry_cap, self._retry_base * (2 ** min(attempts, 30))))

    async def _retry(self, reminders: list[Reminder], reason: str, retry_after: float) -> None:
        now = self._clock.now()
        for r in reminders:
            if r.attempts + 1 >= self._max_attempts:
                await self._db.mark_undeliverable(
                    r.id, f"gave up after {r.attempts + 1} attempts: {reason}"
                )
            else:
                delay = max(retry_after, self.backoff(r.attempts))
                await self._db.mark_retry(r.id, reason, now + timedelta(seconds=delay))

    async def _flush_sent(self) -> None:
        async with self._sent_lock:
            if not self._sent_buffer:
                return  # a previous holder already committed ours
            ids, self._sent_buffer = self._sent_buffer, []
            try:
                await self._db.mark_sent(ids, self._clock.now(), grace_seconds=self._late_grace)
            except BaseException:
                self._sent_buffer.extend(ids)  # retried by the next flush
                raise
