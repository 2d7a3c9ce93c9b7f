"""One outbound limiter for several workers: slots booked in the database they share.

Two ``OutgoingQueue``s on two connections to one database stand for two worker processes
(the three-process run over HTTP is ``test_workers.py``).  On a test clock: a slot is an
instant of ``clock.now()``, and waiting moves the clock, but only once every sender waits on
it (``ManualClock.drive_all``): one still talking to the database books at the time it is,
however busy the machine, so each message goes at exactly the slot it booked.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest
from conftest import Databases
from test_sending import most_in_any

from bot.clock import ManualClock
from bot.delivery.notifier import DeliveryRetryLater, RecordingNotifier
from bot.delivery.rate_limit import GUARD, DatabaseBook, OutgoingQueue
from storage.repository import Database

pytestmark = pytest.mark.both_backends


@pytest.fixture
async def two_workers(
    databases: Databases, clock: ManualClock
) -> AsyncIterator[tuple[RecordingNotifier, list[OutgoingQueue]]]:
    target = await databases.new("limits")
    first = await Database.open(target, clock=clock)
    second = await Database.open(target, clock=clock)
    notifier = RecordingNotifier(clock)  # "Telegram": sees every worker's messages
    queues = [
        OutgoingQueue(
            notifier,
            global_per_second=30,
            per_chat_per_minute=20,
            clock=clock,
            # Forgetting old bookings at every one must never forget a live minute's.
            book=DatabaseBook(db, clock, prune_every=1),
        )
        for db in (first, second)
    ]
    try:
        yield notifier, queues
    finally:
        await first.close()
        await second.close()


async def test_the_limits_hold_for_the_bot_as_a_whole_not_per_worker(
    clock: ManualClock, two_workers: tuple[RecordingNotifier, list[OutgoingQueue]]
) -> None:
    notifier, (a, b) = two_workers
    assert a.shared and b.shared
    sends = [
        (a if n % 2 else b).send(chat, f"m{n}", [n])
        for n, chat in enumerate([1] * 20 + list(range(100, 140)))
    ]

    await clock.drive_all(*sends)
    clock.advance(2.0)
    await clock.drive_all(b.send(999, "another chat meanwhile", [0]))
    # Then five more for chat 1, within the minute of its first twenty.
    more = [(a if n % 2 else b).send(1, f"late{n}", [n]) for n in range(5)]
    await clock.drive_all(*more)
    at = sorted(m.at for m in notifier.sent)
    assert len(at) == 66
    # Every sender woke at the slot it booked (none had to book again): the times below are
    # the booked slots themselves.
    assert a.stats.rebooked == b.stats.rebooked == 0
    # Each worker alone would send 30 a second; both together still do.
    assert most_in_any(at, 1.0) <= 30
    gaps = [y - x for x, y in itertools.pairwise(at)]
    assert min(gaps) >= (1 + GUARD) / 30 - 1e-6
    # Chat 1 had 25: 20 in its first minute (from both workers together), 5 after it.
    chat1 = sorted(m.at for m in notifier.sent if m.chat_id == 1)
    assert most_in_any(chat1, 60.0) == 20
    assert chat1[20] - chat1[0] > 60


async def test_retry_after_given_to_one_worker_holds_back_the_other(
    clock: ManualClock, two_workers: tuple[RecordingNotifier, list[OutgoingQueue]]
) -> None:
    notifier, (a, b) = two_workers
    notifier.fail(DeliveryRetryLater(5.0, "flood control: retry in 5"), chat_id=1)
    with pytest.raises(DeliveryRetryLater):
        await clock.drive_all(a.send(1, "hi", [1]))
    told = clock.monotonic()
    await clock.drive_all(b.send(2, "other chat, other worker", [2]))
    assert notifier.sent[0].at - told == pytest.approx(5.0, abs=0.01)


async def test_a_worker_that_dies_leaves_at_most_a_second_of_slots_unused(
    clock: ManualClock, two_workers: tuple[RecordingNotifier, list[OutgoingQueue]]
) -> None:
    notifier, (a, b) = two_workers
    # Two hundred of one worker's senders queue for slots at once, then the worker dies.
    doomed = [asyncio.ensure_future(a.send(100 + n, "queued", [n])) for n in range(200)]
    booked_ahead = 30  # a second's worth at 30 a second
    for _ in range(60_000):  # a hang bound in real time (ms), not a speed bound
        # Booked and waiting for their slots, and no booking under way or to come before
        # one of them wakes (the worker's booking permits all taken).
        if clock.sleepers == booked_ahead and a._ahead.locked():
            break
        await asyncio.sleep(0.001)
    assert clock.sleepers == booked_ahead  # booked and waiting; the rest wait to book
    for task in doomed:
        task.cancel()
    await asyncio.gather(*doomed, return_exceptions=True)
    # The first slot was now (that one went, or died on its way); the other worker's next
    # message waits only for the 30 booked after it: about a second, not the 200 the dead
    # one's senders would have booked (7.3 s).
    await clock.drive_all(b.send(999, "from the living", [0]))
    # Which doomed sender booked the first slot is the scheduler's choice (on PostgreSQL
    # their bookings race over the pool), so any one of them may have gone, never more.
    doomed_sent = [m.chat_id for m in notifier.sent if m.chat_id != 999]
    assert len(doomed_sent) <= 1 and set(doomed_sent) <= set(range(100, 300))
    [living] = [m for m in notifier.sent if m.chat_id == 999]
    assert living.at == pytest.approx((booked_ahead + 1) * (1 + GUARD) / 30, abs=1e-3)
