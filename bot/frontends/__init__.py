"""The ways in: Telegram, the terminal chat and the command line."""

import os

# python-telegram-bot 22 warns that RetryAfter.retry_after becomes a timedelta; we read
# both forms (``telegram_notifier.retry_seconds``), so opt in to the new one and be quiet.
os.environ.setdefault("PTB_TIMEDELTA", "true")
