"""The reminder scheduler: one supervised asyncio task that delivers due reminders.

The database is the only schedule; nothing lives in memory between wake-ups except one
claimed batch.  A batch is claimed with a lease (``claimed_by`` this scheduler,
``lease_until``) before delivery and marked sent only after the notifier succeeded.  If
this process dies in between, the lease runs out and any scheduler on the same database
(this one after a restart, or another process) claims the reminders again; a live lease
is never taken.  So every reminder is delivered at least once, twice at most for the one
message in flight at a crash, and two processes never deliver the same reminder twice.

"Late" means the bot was down or failing when the reminder fell due, not that it waited
its turn behind thousands of others due at the same minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial

from bot.clock import Clock, SystemClock, wait_or_timeout
from bot.delivery.notifier import (
    ChatMoved,
    ChatUnreachable,
    DeliveryFailed,
    DeliveryRetryLater,
    DeliveryUncertain,
    Notifier,
)
from bot.delivery.rate_limit import OutgoingQueue
from storage.repository import CLAIM_GRACE_SECONDS, LATE_GRACE_SECONDS, Database, Reminder

log = logging.getLogger(__name__)

UNCERTAIN = "unconfirmed"
"""How ``last_error`` starts when a send timed out (it may have been delivered)."""

# Telegram caps a message at 4096 characters; keep headroom for the digest header.
MAX_MESSAGE_CHARS = 3800


def compose(reminders: list[Reminder], late: set[int]) -> str:
    """The text of one message for one or more reminders of a chat, rendered at sending."""

    def line(r: Reminder) -> str:
        return f"(late) {r.text}" if r.id in late else r.text

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


class RegistrationLost(RuntimeError):
    """This worker no longer holds the lock it registered with (see ``still_registered``)."""


class BatchInterrupted(RuntimeError):
    """A batch stopped part-way because the database failed under it."""


class ReminderScheduler:
    """Delivers due reminders as per-chat digests, with retries, pauses, leases and supervision.

    ``clock`` says what time it is and sleeps (a ``ManualClock`` in tests); ``poke()`` cuts a
    sleep short (the database pokes it after each commit that touched reminders).
    ``outgoing`` defaults to an ``OutgoingQueue`` with Telegram's limits around ``notifier``.
    """

    def __init__(
        self,
        db: Database,
        notifier: Notifier,
        *,
        clock: Clock | None = None,
        batch: int = 500,
        outgoing: OutgoingQueue | None = None,
        owner: str | None = None,
        lease: float = 300.0,
        max_attempts: int = 8,
        retry_base: float = 5.0,
        retry_cap: float = 3600.0,
        late_grace: float = LATE_GRACE_SECONDS,
        digest_max_items: int = 20,
        max_sleep: float | None = None,
        error_pause: float = 1.0,
        error_pause_cap: float = 60.0,
        claim_grace: float = CLAIM_GRACE_SECONDS,
    ) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self._batch = batch
        self._out = outgoing if outgoing is not None else OutgoingQueue(notifier, clock=clock)
        self.owner = owner or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        """Who holds this scheduler's claims (one per process)."""
        self._lease = lease
        self._max_attempts = max_attempts
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._late_grace = late_grace
        self._digest_max = digest_max_items
        # Re-check the database at least this often: another process may have added rows or
        # died (on a shared database, a dead worker's claims are free after the grace, lease
        # or not).
        self._max_sleep = max_sleep if max_sleep is not None else (2.0 if db.shared else 60.0)
        self._error_pause = error_pause
        self._claim_grace = min(claim_grace, lease / 2)
        """A claim is used for a send only if nobody may take it for this long (longer than
        a send takes); a worker seen gone keeps its claims this long (``recover_expired``)."""
        # Back well within the grace after the database is: what this worker sent just
        # before an outage is marked sent before anyone else may take it again.
        self._error_pause_cap = (
            min(error_pause_cap, self._claim_grace / 4) if db.shared else error_pause_cap
        )
        self.on_chat_moved: Callable[[int, int], Awaitable[bool]] | None = None
        """Moves a chat's whole history to its new id (the core's ``chat_moved``)."""
        self._poke = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._ticks = 0
        self._asleep = asyncio.Event()
        self._sent: list[int] = []
        """Delivered, not yet marked sent (see ``_flush_sent``)."""
        self._flush_lock = asyncio.Lock()
        self._in_flight: set[int] = set()
        self._chat_tasks: set[asyncio.Task[None]] = set()
        self._requesting: set[asyncio.Task[None] | None] = set()
        """Per-chat tasks whose request to the notifier is under way (a stop lets them end)."""
        self._checking = asyncio.Lock()
        """One claim check at a time: requests start in the order their slots came."""
        self._late: set[int] = set()
        """Of the batch being delivered, the reminders that are late."""
        self._registration = 0
        """The database's token for this worker's registration (``Database.registration``)."""
        self._broken: str | None = None
        """Why the batch being delivered must stop (the database went away, or this worker's
        registration was lost): no more sends until the scheduler has started again."""
        self._lease_until = self._clock.now()
        self._busy_since: datetime | None = None
        """Since when the scheduler has had due reminders without a break (None: idle)."""
        self.ready = asyncio.Event()
        """Set once the scheduler has first caught up and gone to sleep."""
        self.failing_since: datetime | None = None
        """When the scheduler last failed and has not yet recovered (None: healthy)."""
        self.last_error: str | None = None
        self.failures = 0
        self.recovered = 0
        self.delivered = 0
        db.on_reminders_changed(self.poke)

    # ---------------------------------------------------------------- control

    def start(self) -> None:
        """Start the supervised scheduler task."""
        if self._task is not None:
            raise RuntimeError("scheduler already started")
        self._stopping = False
        self._task = asyncio.create_task(self._supervise(), name="reminder-scheduler")

    def poke(self) -> None:
        """Re-read the schedule now."""
        self._poke.set()

    async def stop(self, drain_seconds: float = 10.0) -> None:
        """Finish the batch in flight, give back any claims left, then stop; cancel after
        ``drain_seconds``."""
        task = self._task
        if task is None:
            return
        self._stopping = True
        self._poke.set()
        # Senders still waiting for a slot or a check send nothing now; a request under way
        # is let finish (and marked sent), so no message goes out twice across a restart.
        for chat_task in list(self._chat_tasks):
            if chat_task not in self._requesting:
                chat_task.cancel()
        try:
            await asyncio.wait_for(asyncio.shield(task), drain_seconds)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        finally:
            self._task = None
            self.ready.clear()
        with contextlib.suppress(Exception):  # a lease that runs out frees them anyway
            async with self._db.transaction() as tx:
                await tx.release(self.owner)
        with contextlib.suppress(Exception):
            await self._db.unregister_worker(self.owner)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def delayed(self) -> bool:
        """True while reminders cannot go out (the scheduler is failing or not running)."""
        return self.failing_since is not None or not self.running

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

    # ---------------------------------------------------------------- loop

    async def _supervise(self) -> None:
        """Run the loop; on any failure (at start or later) log it, wait with capped
        exponential backoff, and start again. It never dies silently."""
        pause = self._error_pause
        while not self._stopping:
            try:
                await self._run()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                if self.failing_since is None:
                    self.failing_since = self._clock.now()
                log.exception("reminder scheduler failed; retrying in %.0f s", pause)
                self._asleep.set()
                await wait_or_timeout(self._clock, self._poke, pause)
                self._asleep.clear()
                self._poke.clear()
                pause = min(self._error_pause_cap, pause * 2)

    async def _run(self) -> None:
        if self._sent:
            # Delivered before a failure, not yet marked sent: marked first, before another
            # worker that finds this one gone (its lock went with the failure) takes them.
            await self._flush_sent(self._late)
        # On a shared database the others see from this that we are alive (and, once it
        # is gone with our connection, that our claims are free).
        await self._db.register_worker(self.owner)
        self._registration = self._db.registration()
        self._broken = None
        now = self._clock.now()
        async with self._db.transaction() as tx:
            # Claims of ours left by a failure mid-batch were not delivered (those that were
            # are marked sent just above): back to pending now, not once their lease runs out.
            released = await tx.release(self.owner)
            recovered = await tx.recover_expired(now, self._claim_grace)
        self._in_flight = set()
        if released:
            log.warning("re-queued %d reminders claimed before a failure", released)
        self.recovered += recovered
        if recovered:
            log.warning("re-queued %d reminders whose claim had run out", recovered)
        self._busy_since = None
        while not self._stopping:
            # Cleared before reading the schedule so a poke during the read is not lost.
            self._poke.clear()
            self._ticks += 1
            delay = await self._tick()
            if self.failing_since is not None:
                log.warning("reminder scheduler recovered")
                self.failing_since = None
                self.last_error = None
            if delay <= 0 or self._stopping:
                continue
            self.ready.set()
            self._asleep.set()
            await wait_or_timeout(self._clock, self._poke, delay)
            self._asleep.clear()

    async def _tick(self) -> float:
        """Deliver one batch if any is due; returns seconds to sleep (0 = go again)."""
        self._check_registered()
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await tx.recover_expired(now, self._claim_grace)
            if self._stopping:
                return 0.0
            claimed = await tx.claim_due(now, self._batch, self.owner, self._lease)
        if claimed:
            if self._busy_since is None:
                self._busy_since = now
            await self._deliver(claimed, now)
            return 0.0
        self._busy_since = None
        nxt = await self._db.next_due_at()
        if nxt is None:
            return self._max_sleep
        return min(self._max_sleep, max(0.0, (nxt - self._clock.now()).total_seconds()))

    def _check_registered(self) -> None:
        if not self._db.still_registered(self._registration):
            raise RegistrationLost(
                "this worker's lock connection to the database was lost: its claims may be"
                " another worker's now"
            )

    def _is_late(self, r: Reminder, now: datetime) -> bool:
        """Late: it fell due before the scheduler's current run of work began (the bot was
        down, the chat was paused, the database failing) or it kept failing past its time;
        not merely waiting its turn behind others due at the same moment."""
        behind = (now - r.planned_at).total_seconds() > self._late_grace
        busy_since = self._busy_since or now
        before_this_run = (busy_since - r.planned_at).total_seconds() > self._late_grace
        return behind and (before_this_run or r.attempts > 0)

    async def _flush_sent(self, late: set[int]) -> None:
        """Mark delivered reminders sent: group commit, so thousands of sends a batch cost a
        few transactions; ids delivered while one commits go in the next.  A long batch's
        claim is renewed as it goes, so no other process takes what is still on its way."""
        async with self._flush_lock:
            if not self._sent:
                return  # an earlier holder already committed ours
            ids, self._sent = self._sent, []
            now = self._clock.now()
            try:
                async with self._db.transaction() as tx:
                    await tx.mark_sent(ids, now, self.owner)
                    await tx.mark_late([i for i in ids if i in late])
                    self._in_flight.difference_update(ids)
                    renew_at = self._lease_until - timedelta(seconds=self._lease / 2)
                    if self._in_flight and now >= renew_at:
                        self._lease_until = now + timedelta(seconds=self._lease)
                        await tx.renew_lease(list(self._in_flight), self.owner, self._lease_until)
            except BaseException as exc:
                self._sent[:0] = ids  # retried by the next flush (at the latest on restart)
                self._broken = self._broken or f"{type(exc).__name__}: {exc}"
                raise

    async def _deliver(self, claimed: list[Reminder], claimed_at: datetime) -> None:
        self._in_flight = {r.id for r in claimed}
        self._lease_until = claimed_at + timedelta(seconds=self._lease)
        late = {r.id for r in claimed if self._is_late(r, claimed_at)}
        self._late = late
        by_chat: dict[int, list[Reminder]] = {}
        for r in claimed:  # already in due order, so chats start in order of their first due
            by_chat.setdefault(r.chat_id, []).append(r)
        tasks = [
            asyncio.create_task(self._deliver_chat(chat_id, rems, late))
            for chat_id, rems in by_chat.items()
        ]
        self._chat_tasks = set(tasks)
        try:
            results = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._chat_tasks = set()
        for res in results:
            if isinstance(res, asyncio.CancelledError):
                continue  # stopped while waiting for its slot: nothing was sent
            if isinstance(res, BaseException):
                log.error("delivery task failed", exc_info=res)
        await self._flush_sent(late)
        if self._broken is not None:
            # Start again (the supervisor): register anew, mark what went out, give back
            # what did not.
            raise BatchInterrupted(self._broken)

    async def _deliver_chat(self, chat_id: int, reminders: list[Reminder], late: set[int]) -> None:
        try:
            await self._deliver_chunks(chat_id, reminders, late)
        finally:
            self._requesting.discard(asyncio.current_task())

    async def _deliver_chunks(
        self, chat_id: int, reminders: list[Reminder], late: set[int]
    ) -> None:
        chunks = digests(reminders, self._digest_max)
        for i, chunk in enumerate(chunks):
            # Until its request is under way (``_claim_held``), a stop may cancel this task.
            self._requesting.discard(asyncio.current_task())
            ids = [r.id for r in chunk]
            if not self._may_send():
                # What went out cannot be recorded, or the claims may be another worker's
                # now, or the scheduler is stopping: send no more of this batch (its claims
                # are given back on restart or stop).
                return
            try:
                sent = await self._out.send(
                    chat_id, compose(chunk, late), ids, ready=partial(self._claim_held, ids)
                )
                if not sent:
                    return
            except ChatMoved as exc:
                # Its reminders (this batch's too) will wait under the new id; if the move
                # cannot be made, hold them rather than hit the old id again and again.
                moved = self.on_chat_moved is not None and await self.on_chat_moved(
                    chat_id, exc.new_chat_id
                )
                if not moved:
                    async with self._db.transaction() as tx:
                        await tx.pause_chat(chat_id, exc.reason)
                log.warning(
                    "chat %s moved to %s (history moved: %s)", chat_id, exc.new_chat_id, moved
                )
                return
            except ChatUnreachable as exc:
                # Holds this chat's claimed and pending reminders until it is resumed.
                async with self._db.transaction() as tx:
                    await tx.pause_chat(chat_id, exc.reason)
                log.warning("chat %s paused: %s", chat_id, exc.reason)
                return
            except DeliveryFailed as exc:
                async with self._db.transaction() as tx:
                    for r in chunk:
                        await tx.mark_undeliverable(r.id, exc.reason)
                continue
            except DeliveryUncertain as exc:
                # Telegram may well have delivered it: send it again once, never more, and
                # never call it undeliverable.
                later = [r for c in chunks[i + 1 :] for r in c]
                if any((r.last_error or "").startswith(UNCERTAIN) for r in chunk):
                    note = f"{UNCERTAIN} twice, probably delivered ({exc.reason})"
                    async with self._db.transaction() as tx:
                        await tx.mark_sent(ids, self._clock.now(), self.owner, note)
                else:
                    await self._retry(chunk, f"{UNCERTAIN}: {exc.reason}", 0.0)
                await self._retry(later, "held back behind an unconfirmed message", 0.0)
                return
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
            self._sent.extend(ids)
            self.delivered += len(ids)
            await self._flush_sent(late)

    def _may_send(self) -> bool:
        if self._broken is None and not self._db.still_registered(self._registration):
            self._broken = "this worker's lock connection to the database was lost"
        return self._broken is None and not self._stopping

    async def _claim_held(self, ids: list[int]) -> bool:
        """Asked after the wait for a send slot, immediately before the request: this worker
        still holds the claim on ``ids``, and nobody may take it for longer than the send
        takes (``claim_grace``).  Marks the task as sending (a stop lets it finish)."""
        async with self._checking:
            return await self._check_claim(ids)

    async def _check_claim(self, ids: list[int]) -> bool:
        if not self._may_send():
            return False
        now = self._clock.now()
        until = now + timedelta(seconds=self._claim_grace)
        try:
            if self._lease_until <= until:  # a long wait for the slot: renew first
                self._lease_until = now + timedelta(seconds=self._lease)
                async with self._db.transaction() as tx:
                    await tx.renew_lease(list(self._in_flight), self.owner, self._lease_until)
            held = await self._db.claim_held(ids, self.owner, until)
        except Exception as exc:
            self._broken = self._broken or f"{type(exc).__name__}: {exc}"
            return False
        if not held:
            self._broken = self._broken or "a claim being delivered is no longer this worker's"
            return False
        if not self._may_send():  # the lock went, or a stop came, during the check
            return False
        self._requesting.add(asyncio.current_task())
        return True

    def backoff(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1`` (capped exponential)."""
        return float(min(self._retry_cap, self._retry_base * (2 ** min(attempts, 30))))

    async def _retry(self, reminders: list[Reminder], reason: str, retry_after: float) -> None:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            for r in reminders:
                if r.attempts + 1 >= self._max_attempts:
                    await tx.mark_undeliverable(
                        r.id, f"gave up after {r.attempts + 1} attempts: {reason}"
                    )
                else:
                    delay = max(retry_after, self.backoff(r.attempts))
                    await tx.mark_retry(r.id, reason, now + timedelta(seconds=delay), self.owner)
