"""How reminders leave the bot: the Notifier interface, its errors, and its implementations.

The scheduler only knows this interface and our three exceptions, so Telegram's error zoo is
translated in exactly one place (``TelegramNotifier``).
"""

from __future__ import annotations

import sys
import warnings
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, TextIO

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.clock import Clock, SystemClock

# Telegram allows 100 buttons; three per reminder for the first few keeps the message usable.
MAX_REMINDERS_WITH_BUTTONS = 5


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


class ChatUnreachable(DeliveryError):
    """The bot cannot write to the chat (blocked, removed, chat migrated)."""


class DeliveryFailed(DeliveryError):
    """Permanent failure for this message; retrying will not help."""


class Notifier(Protocol):
    """Sends one message to a chat on behalf of the given reminders."""

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None: ...


def reminder_keyboard(reminder_ids: list[int]) -> InlineKeyboardMarkup:
    """Done / Snooze / Stop buttons; numbered when the message is a digest."""
    rows: list[list[InlineKeyboardButton]] = []
    numbered = len(reminder_ids) > 1
    for n, rid in enumerate(reminder_ids[:MAX_REMINDERS_WITH_BUTTONS], start=1):
        prefix = f"{n}: " if numbered else ""
        rows.append(
            [
                InlineKeyboardButton(f"{prefix}Done", callback_data=f"rem:done:{rid}"),
                InlineKeyboardButton(f"{prefix}Snooze 1 day", callback_data=f"rem:snooze:{rid}"),
                InlineKeyboardButton(f"{prefix}Stop reminders", callback_data=f"rem:stop:{rid}"),
            ]
        )
    return InlineKeyboardMarkup(rows)


def _retry_seconds(exc: RetryAfter) -> float:
    # PTB 22 warns that retry_after becomes a timedelta; accept both without the warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramNotifier:
    """Sends through the Telegram Bot API, mapping PTB errors onto ours."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
        try:
            await self._bot.send_message(
                chat_id=chat_id, text=text, reply_markup=reminder_keyboard(reminder_ids)
            )
        except RetryAfter as exc:
            raise DeliveryRetryLater(_retry_seconds(exc), f"flood control: {exc}") from exc
        except Forbidden as exc:
            raise ChatUnreachable(f"forbidden: {exc.message}") from exc
        except ChatMigrated as exc:
            # The group became a supergroup: pause (not drop) until the chat id is updated.
            raise ChatUnreachable(f"chat migrated to {exc.new_chat_id}") from exc
        except BadRequest as exc:  # subclass of NetworkError, so it must come first
            raise DeliveryFailed(f"bad request: {exc.message}") from exc
        except NetworkError as exc:  # includes TimedOut
            raise DeliveryRetryLater(0.0, f"{type(exc).__name__}: {exc.message}") from exc
        except TelegramError as exc:
            raise DeliveryRetryLater(0.0, f"{type(exc).__name__}: {exc.message}") from exc


class TerminalNotifier:
    """Prints reminders to a stream (the terminal chat)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    async def send(self, chat_id: int, text: str, reminder_ids: list[int]) -> None:
        stream = self._stream if self._stream is not None else sys.stdout
        stream.write(f"[chat {chat_id}] {text}\n")
        stream.flush()


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
    "TelegramNotifier",
    "TerminalNotifier",
    "reminder_keyboard",
]
