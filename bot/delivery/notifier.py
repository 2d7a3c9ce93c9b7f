"""How reminders leave the bot: the Notifier interface and its errors.

The scheduler only knows this interface and our three exceptions; each front end brings
its own notifier (``bot.frontends.telegram_notifier``, ``bot.frontends.terminal``), so
Telegram's error zoo is translated in exactly one place.  ``RecordingNotifier`` keeps
what it is given, for tests and benchmarks.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Protocol

from bot.clock import Clock, SystemClock


class DeliveryError(Exception):
    """Base of delivery failures; ``reason`` is what gets recorded in the database."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DeliveryRetryLater(DeliveryError):
    """Transient failure: try again no sooner than ``retry_after`` seconds (0 = use backoff)."""

    def __init__(self, retry_after: float, reason: str) -> None:
        super().__init__(reason)
        self.retry_after = max(0.0, float(retry_after))


class DeliveryUncertain(DeliveryRetryLater):
    """The API did not answer in time: the message may or may not have been delivered."""

    def __init__(self, reason: str) -> None:
        super().__init__(0.0, reason)


class ChatUnreachable(DeliveryError):
    """The bot cannot write to the chat (blocked, removed, chat migrated)."""


class ChatMoved(DeliveryError):
    """The group became a supergroup: its messages now go to ``new_chat_id``."""

    def __init__(self, new_chat_id: int, reason: str) -> None:
        super().__init__(reason)
        self.new_chat_id = new_chat_id


class DeliveryFailed(DeliveryError):
    """Permanent failure for this message; retrying will not help."""


class Notifier(Protocol):
    """Sends one message to a chat on behalf of the given reminders."""

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None: ...


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One message a RecordingNotifier accepted."""

    chat_id: int
    text: str
    reminder_ids: list[int]
    at: float
    """When it was accepted, on the notifier's clock (``Clock.monotonic``)."""


class RecordingNotifier:
    """Test notifier: records messages; can be scripted to fail.

    ``fail(error, times, chat_id)`` queues ``times`` failures (for one chat or any chat);
    ``fail_always(chat_id, error)`` makes a chat fail until ``heal(chat_id)``.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self.sent: list[SentMessage] = []
        self.attempts: list[tuple[int, list[int]]] = []
        self._scripted: deque[tuple[int | None, DeliveryError]] = deque()
        self._always: dict[int, DeliveryError] = {}

    def fail(self, error: DeliveryError, times: int = 1, chat_id: int | None = None) -> None:
        self._scripted.extend([(chat_id, error)] * times)

    def fail_always(self, chat_id: int, error: DeliveryError) -> None:
        self._always[chat_id] = error

    def heal(self, chat_id: int) -> None:
        self._always.pop(chat_id, None)

    @property
    def delivered_ids(self) -> list[int]:
        return [rid for m in self.sent for rid in m.reminder_ids]

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
        self.attempts.append((chat_id, list(reminder_ids)))
        if chat_id in self._always:
            raise self._always[chat_id]
        for i, (target, error) in enumerate(self._scripted):
            if target is None or target == chat_id:
                del self._scripted[i]
                raise error
        self.sent.append(SentMessage(chat_id, text, list(reminder_ids), self._clock.monotonic()))


__all__ = [
    "ChatUnreachable",
    "DeliveryError",
    "DeliveryFailed",
    "DeliveryRetryLater",
    "Notifier",
    "RecordingNotifier",
    "SentMessage",
]
