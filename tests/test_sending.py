"""Rate limits (on a test clock) and the notifier's error mapping."""

from __future__ import annotations

import asyncio
import io
import itertools
import threading
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TimedOut

from bot.clock import ManualClock
from bot.delivery.notifier import (
    ChatMoved,
    ChatUnreachable,
    DeliveryFailed,
    DeliveryRetryLater,
    RecordingNotifier,
)
from bot.delivery.rate_limit import GUARD, OutgoingQueue, Window
from bot.frontends.telegram_notifier import TelegramNotifier
from bot.frontends.terminal import TerminalNotifier


def test_window_spaces_or_keeps_a_sliding_count() -> None:
    even = Window(1, 0.2)
    assert [even.reserve(10.0) for _ in range(4)] == pytest.approx([10.0, 10.2, 10.4, 10.6])
    minute = Window(3, 60.0)
    assert [minute.reserve(0.0) for _ in range(5)] == pytest.approx([0, 0, 0, 60, 60])
    assert minute.reserve(70.0) == pytest.approx(70.0)  # the first three are a minute old
    assert minute.reserve(70.0) == pytest.approx(120.0)  # 60, 60, 70 within the last minute
    assert not even.idle(10.7) and even.idle(10.8)


def most_in_any(times: list[float], span: float) -> int:
    """The most events in any window of ``span`` (closed at both ends)."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > span:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_per_chat_limit_allows_a_minutes_quota_and_never_more_in_any_minute(
    clock: ManualClock,
) -> None:
    notifier = RecordingNotifier(clock)
    queue = OutgoingQueue(
        notifier, global_per_second=None, per_chat_per_minute=5, clock=clock, guard=0.0
    )
    start = clock.monotonic()
    await clock.drive(
        asyncio.gather(
            *(queue.send(1, f"m{i}", [i]) for i in range(12)),
            queue.send(2, "other chat", [99]),
        )
    )
    chat1 = [m for m in notifier.sent if m.chat_id == 1]
    assert [m.text for m in chat1] == [f"m{i}" for i in range(12)]  # FIFO per chat
    # Five a minute, as Telegram counts: any 60 seconds, not minutes on the clock. A
    # minute's five go at once; the sixth waits until the first is a minute old.
    assert [m.at - start for m in chat1] == pytest.approx([0] * 5 + [60] * 5 + [120] * 2)
    assert most_in_any([m.at for m in chat1], 59.999) == 5
    other = next(m for m in notifier.sent if m.chat_id == 2)
    assert other.at == start  # not queued behind chat 1


async def test_the_guard_keeps_a_late_arrival_inside_the_limits(clock: ManualClock) -> None:
    notifier = RecordingNotifier(clock)
    queue = OutgoingQueue(notifier, global_per_second=30, per_chat_per_minute=20, clock=clock)
    await clock.drive(asyncio.gather(*(queue.send(1, "x", [i]) for i in range(45))))
    at = [m.at for m in notifier.sent]
    gaps = [b - a for a, b in itertools.pairwise(at)]
    assert min(gaps) == pytest.approx((1 + GUARD) / 30, abs=1e-5)  # 37 ms, not 33
    # The 21st of a chat waits 66 s, not 60: a message arriving seconds late still leaves
    # no minute with 21.
    assert at[20] - at[0] == pytest.approx(60 * (1 + GUARD))


def test_a_limit_too_high_to_matter_never_holds_a_message_back() -> None:
    """In real time, with slots a nanosecond apart: every wake-up is "late" for its slot,
    and must not make the sender book again for ever."""
    from bot.clock import SystemClock

    notifier = RecordingNotifier()
    queue = OutgoingQueue(
        notifier, global_per_second=1e9, per_chat_per_minute=1e9, clock=SystemClock()
    )

    async def send_all() -> None:
        for n in range(50):
            await queue.send(n, "hi", [n])

    worker = threading.Thread(target=asyncio.run, args=(send_all(),), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "the sender kept booking slots"
    assert len(notifier.sent) == 50


async def test_global_limit_paces_all_chats(clock: ManualClock) -> None:
    notifier = RecordingNotifier(clock)
    queue = OutgoingQueue(
        notifier, global_per_second=20, per_chat_per_minute=None, clock=clock, guard=0.0
    )
    await clock.drive(asyncio.gather(*(queue.send(chat, "hi", [chat]) for chat in range(11))))
    assert clock.monotonic() == pytest.approx(0.5)  # ten intervals of 50 ms
    assert sorted(m.chat_id for m in notifier.sent) == list(range(11))
    assert queue.stats.sent == 11


async def test_retry_after_blocks_everyone_then_propagates(clock: ManualClock) -> None:
    notifier = RecordingNotifier(clock)
    notifier.fail(DeliveryRetryLater(0.4, "flood control"), chat_id=1)
    queue = OutgoingQueue(
        notifier, global_per_second=100, per_chat_per_minute=None, clock=clock, guard=0.0
    )
    with pytest.raises(DeliveryRetryLater):
        await queue.send(1, "hi", [1])
    t = clock.monotonic()
    await clock.drive(queue.send(2, "next", [2]))
    assert clock.monotonic() - t == pytest.approx(0.4)
    assert queue.stats.flood_waits == 1 and queue.stats.sent == 1


async def test_unlimited_queue_does_not_wait(clock: ManualClock) -> None:
    notifier = RecordingNotifier(clock)
    queue = OutgoingQueue(notifier, global_per_second=None, per_chat_per_minute=None, clock=clock)
    await asyncio.gather(*(queue.send(1, "x", [i]) for i in range(200)))
    assert clock.sleepers == 0 and clock.monotonic() == 0
    assert len(notifier.sent) == 200


class StubBot:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[dict[str, Any]] = []

    async def send_message(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize(
    ("error", "expected", "retry_after"),
    [
        (lambda: RetryAfter(17), DeliveryRetryLater, 17.0),
        (lambda: TimedOut("slow"), DeliveryRetryLater, 0.0),
        (lambda: Forbidden("bot was blocked by the user"), ChatUnreachable, None),
        (lambda: ChatMigrated(-100123), ChatMoved, None),
        (lambda: BadRequest("Chat not found"), DeliveryFailed, None),
    ],
)
async def test_telegram_errors_are_translated(
    error: Callable[[], Exception], expected: type[Exception], retry_after: float | None
) -> None:
    with warnings.catch_warnings():  # PTB's own deprecation notice about RetryAfter's type
        warnings.simplefilter("ignore")
        exc = error()
    notifier = TelegramNotifier(StubBot(exc))  # type: ignore[arg-type]
    with pytest.raises(expected) as info:
        await notifier.send(5, "hello", [1])
    if retry_after is not None:
        assert isinstance(info.value, DeliveryRetryLater)
        assert info.value.retry_after == retry_after


async def test_telegram_message_has_buttons_per_reminder() -> None:
    bot = StubBot()
    await TelegramNotifier(bot).send(5, "one", [41])  # type: ignore[arg-type]
    await TelegramNotifier(bot).send(5, "digest", [1, 2])  # type: ignore[arg-type]
    single = bot.calls[0]["reply_markup"].inline_keyboard
    assert [[(b.text, b.callback_data) for b in row] for row in single] == [
        [
            ("Done", "rem:done:41"),
            ("Snooze 1 day", "rem:snooze:41"),
            ("Stop reminders", "rem:stop:41"),
        ]
    ]
    digest = bot.calls[1]["reply_markup"].inline_keyboard
    assert [b.callback_data for b in digest[1]] == ["rem:done:2", "rem:snooze:2", "rem:stop:2"]
    assert digest[1][0].text == "2: Done"
    assert bot.calls[1]["chat_id"] == 5 and bot.calls[1]["text"] == "digest"


async def test_terminal_notifier_prints() -> None:
    out = io.StringIO()
    await TerminalNotifier(out).send(3, "⏰ Consultation closes Friday", [1])
    assert out.getvalue() == "[chat 3] ⏰ Consultation closes Friday\n"
