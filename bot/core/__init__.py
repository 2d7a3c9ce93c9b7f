"""The core: publishes events to the plugins and carries out what they decide.

This is the one place that writes: every public coroutine that changes anything is one
unit of work, one database transaction (``Database.transaction()``), so an item, its
reminders and its log entry are stored together or not at all.  The scheduler is woken
by the database after a commit that touched reminders, never by the caller.  Telegram,
the terminal chat and the command line all go through here; none of them touches storage.

``Core`` is one object made of one class per concern, each building on ``CoreBase``
(``base``: knowledge, storage, clock, the unit of work, the log):

- ``registering``: register an item or a one-off reminder; close it
- ``chats``: a chat's Compacts, time zone, officers, items, reminders, drafts; leaving, moving
- ``follow_ups``: notice, consultation start, feedback, complaint steps; changes, reopening
- ``records``: the report, the calendar file, letters
- ``feeds``: the calendar feed's address and what it serves
- ``units``: an update applied once (``handling_update``), and what it stored
- ``results``: what the operations give back
"""

from __future__ import annotations

from bot.core.chats import Chats
from bot.core.feeds import Feeds
from bot.core.follow_ups import FollowUps
from bot.core.registering import Registering
from bot.core.results import (
    Changed,
    FeedLink,
    FollowUp,
    FollowUpError,
    Registered,
    ServedFeed,
    WrittenLetter,
)
from bot.core.units import AlreadyApplied, handling_update, stored_in_this_update

__all__ = [
    "AlreadyApplied",
    "Changed",
    "Core",
    "FeedLink",
    "FollowUp",
    "FollowUpError",
    "Registered",
    "ServedFeed",
    "WrittenLetter",
    "handling_update",
    "stored_in_this_update",
]


class Core(Registering, Chats, FollowUps, Feeds):
    """Knowledge + storage + scheduler, shared by every chat front end."""
