"""The years a date the bot keeps may lie in: 1900 to 2200 (the README says so too).

Every date a person gives (a command's, a registration field's, ``/change``'s, a reminder's,
the command line's) is checked here before anything is stored: a reminder for 9999 would
leave deadlines past the last year dates can hold, and break the chat's calendar for good.
Deadlines a rule derives from a kept date may run a few years past ``LAST_YEAR``.
"""

from __future__ import annotations

from datetime import date

from pydantic import ValidationInfo

FIRST_YEAR, LAST_YEAR = 1900, 2200


def within(day: date) -> bool:
    """Whether ``day`` (a date, or a datetime's date) lies in the window."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def outside(day: date) -> str:
    """What to tell whoever gave ``day``, which lies outside the window."""
    return (
        f"{day.day} {day:%B} {day.year} is outside the years {FIRST_YEAR} to {LAST_YEAR} I can keep"
    )


STORED = "stored"
"""Validation context key: the date is read back from the database, kept as it was (a bot
before the window may have stored one outside it; refusing it would hide the item)."""


def checked(day: date, info: ValidationInfo) -> date:
    """``day``, or a ValueError saying it lies outside the window (pydantic's validator)."""
    if not within(day) and not (isinstance(info.context, dict) and info.context.get(STORED)):
        raise ValueError(outside(day))
    return day
