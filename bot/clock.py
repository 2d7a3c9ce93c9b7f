"""The one clock: every "now", "today" and wait in compactbot goes through a ``Clock``.

Only ``SystemClock`` reads the wall clock.  The database, the core, the scheduler, the
rate limits and the command line are all handed a clock, so a test (or a scripted
terminal session with ``COMPACTBOT_TODAY``) can say what time it is, and a test of
waiting moves a ``ManualClock`` forward instead of sleeping.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

T = TypeVar("T")


class Clock(Protocol):
    """Where compactbot gets the time from."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for rate limits and caches)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


def today_in(clock: Clock, tz: ZoneInfo) -> date:
    """The calendar date in ``tz`` at the clock's now."""
    return clock.now().astimezone(tz).date()


async def wait_or_timeout(clock: Clock, event: asyncio.Event, seconds: float) -> bool:
    """Wait until ``event`` is set or ``seconds`` of ``clock`` time pass; True if it was set."""
    if event.is_set():
        return True
    waiter = asyncio.ensure_future(event.wait())
    sleeper = asyncio.ensure_future(clock.sleep(seconds))
    try:
        await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (waiter, sleeper):
            task.cancel()
    return event.is_set()


class SystemClock:
    """The real time: the default everywhere, and the only reader of the wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ShiftedClock(SystemClock):
    """Real time moved to another day: time passes as usual, from ``today`` at this hour.

    For scripted terminal sessions (``COMPACTBOT_TODAY``): dates read as on that day, and
    reminders still fall due as the session runs.
    """

    def __init__(self, today: date, tz: ZoneInfo) -> None:
        real = super().now()
        local = real.astimezone(tz)
        moved = datetime.combine(today, local.timetz().replace(tzinfo=None), tzinfo=tz)
        self._offset = moved.astimezone(UTC) - real

    def now(self) -> datetime:
        return super().now() + self._offset


class ManualClock:
    """Time that moves only when told: ``advance`` wakes whoever sleeps past the new time."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = now.astimezone(UTC)
        self._start = self._now
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._sleeping: dict[asyncio.Future[None], asyncio.Task[object] | None] = {}
        """Which task each pending wait belongs to (``drive_all`` knows who waits on time)."""
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return (self._now - self._start).total_seconds()

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        wake_at = self._now + timedelta(seconds=seconds)
        heapq.heappush(self._sleepers, (wake_at, next(self._order), future))
        self._sleeping[future] = asyncio.current_task()
        try:
            await future
        finally:
            self._sleeping.pop(future, None)

    def advance(self, seconds: float = 0.0, **delta: float) -> None:
        """Move time forward (``advance(5)``, ``advance(days=1)``) and wake due sleepers."""
        self.set(self._now + timedelta(seconds=seconds, **delta))

    def set(self, now: datetime) -> None:
        """Move time to ``now`` (never backwards) and wake due sleepers."""
        now = now.astimezone(UTC)
        if now < self._now:
            raise ValueError("a ManualClock does not go back")
        self._now = now
        while self._sleepers and self._sleepers[0][0] <= now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    async def drive(self, awaitable: Awaitable[T], *, patience: float = 10.0) -> T:
        """Await ``awaitable``, jumping time to the next wake-up whenever everything waits.

        For code that waits on this clock (rate limits, retries): the test gets exact elapsed
        times without spending them.  Waits on anything else (a database thread) are given
        real time, up to ``patience`` seconds without any clock sleeper in sight."""
        task = asyncio.ensure_future(awaitable)
        loop = asyncio.get_running_loop()
        idle_since: float | None = None
        while not task.done():
            for _ in range(20):  # let every runnable task run until it blocks
                await asyncio.sleep(0)
            if task.done():
                break
            wakes = [at for at, _, f in self._sleepers if not f.done()]
            if wakes:
                self.set(min(wakes))
                idle_since = None
                continue
            idle_since = idle_since or loop.time()
            if loop.time() - idle_since > patience:
                task.cancel()
                raise RuntimeError("drive(): the task waits on something other than the clock")
            await asyncio.sleep(0.001)  # something real is under way (a thread, I/O)
        return task.result()

    async def drive_all(self, *work: Awaitable[T], patience: float = 60.0) -> list[T]:
        """Run each of ``work`` as a task of its own, moving time to the next wake-up only when
        every one still running waits on this clock.

        A task doing anything else (a database round trip, in a thread or on a socket) holds
        time still until it waits on the clock or ends, however long that takes in real time:
        on a busy machine too, each acts at the instant it would have.  ``patience`` is only
        how long (real seconds) nothing may happen before the test is told it hangs."""
        tasks = [asyncio.ensure_future(w) for w in work]
        loop = asyncio.get_running_loop()
        last: tuple[int, frozenset[asyncio.Task[object] | None]] | None = None
        changed_at = loop.time()
        try:
            while not all(t.done() for t in tasks):
                running = [t for t in tasks if not t.done()]
                waiting = frozenset(
                    task for future, task in self._sleeping.items() if not future.done()
                )
                if all(t in waiting for t in running):
                    self.set(min(at for at, _, f in self._sleepers if not f.done()))
                    last = None
                elif (len(running), waiting) != last:
                    last, changed_at = (len(running), waiting), loop.time()
                elif loop.time() - changed_at > patience:
                    raise RuntimeError("drive_all(): a task waits on something other than time")
                # Lets the woken run; a task waiting on a thread or a socket needs real time.
                await asyncio.wait(running, timeout=0.001)
        except BaseException:
            for t in tasks:
                t.cancel()
            raise
        return [t.result() for t in tasks]

    @property
    def sleepers(self) -> int:
        """How many waits are pending (lets a test know the code under test is waiting)."""
        return sum(1 for *_, f in self._sleepers if not f.done())


def fixed_day_clock(today: date, tz: ZoneInfo) -> ManualClock:
    """A clock stopped at noon of ``today`` in ``tz`` (the CLI's ``--today``)."""
    return ManualClock(datetime.combine(today, clock_time(12), tzinfo=tz))
