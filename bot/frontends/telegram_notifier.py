"""Reminders out through Telegram: buttons as inline keyboards, PTB's errors as ours."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.chat.buttons import reminder_buttons
from bot.chat.messages import Button
from bot.delivery.notifier import (
    ChatMoved,
    ChatUnreachable,
    DeliveryFailed,
    DeliveryRetryLater,
    DeliveryUncertain,
)


def inline_keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
    )


def retry_seconds(exc: RetryAfter) -> float:
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
        markup = inline_keyboard(reminder_buttons(reminder_ids))
        try:
            await self._bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
        except RetryAfter as exc:
            raise DeliveryRetryLater(retry_seconds(exc), f"flood control: {exc.message}") from exc
        except Forbidden as exc:
            raise ChatUnreachable(f"forbidden: {exc.message}") from exc
        except ChatMigrated as exc:
            # The group became a supergroup: everything moves to the new id, then carries on.
            raise ChatMoved(exc.new_chat_id, f"chat migrated to {exc.new_chat_id}") from exc
        except TimedOut as exc:  # subclass of NetworkError: delivered or not, we can't tell
            raise DeliveryUncertain(f"timed out: {exc.message}") from exc
        except BadRequest as exc:  # subclass of NetworkError, so it must come first
            raise DeliveryFailed(f"bad request: {exc.message}") from exc
        except NetworkError as exc:  # includes TimedOut
            raise DeliveryRetryLater(0.0, f"{type(exc).__name__}: {exc.message}") from exc
        except TelegramError as exc:
            raise DeliveryRetryLater(0.0, f"{type(exc).__name__}: {exc.message}") from exc
