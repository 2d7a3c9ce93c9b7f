"""The button protocol: what a button's data says, encoded and decoded in one place.

Telegram gives a button 64 bytes of ``callback_data``; ours are short ASCII strings
such as ``rem:snooze:42``.  The reminder buttons are built here for the notifier and
read here by the conversation, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.chat.messages import Button


@dataclass(frozen=True)
class RegistrationAnswer:
    """Confirm or Change under a registration's read-back."""

    action: Literal["confirm", "change"]
    token: str


@dataclass(frozen=True)
class ReminderAction:
    """Done, Snooze 1 day or Stop reminders under a delivered reminder."""

    action: Literal["done", "snooze", "stop"]
    reminder_id: int


@dataclass(frozen=True)
class ForgetAnswer:
    """Erase everything / Keep it, after /forget."""

    erase: bool
    token: str


@dataclass(frozen=True)
class MoreClauses:
    """More under a short answer: the whole of the clauses it quoted."""

    code: str
    commitments: tuple[str, ...]


@dataclass(frozen=True)
class OfferAnswer:
    """A button under something the bot offered (``bot.chat.meaning``): the Compact to
    choose, or register the situation read (``choice`` 0); None: No."""

    token: str
    choice: int | None


Action = RegistrationAnswer | ReminderAction | ForgetAnswer | MoreClauses | OfferAnswer

_CALLBACK_BYTES = 64
"""Telegram's limit on a button's data."""

_MAX_ID = 2**63 - 1


def encode(action: Action) -> str:
    if isinstance(action, RegistrationAnswer):
        return f"reg:{action.action}:{action.token}"
    if isinstance(action, ReminderAction):
        return f"rem:{action.action}:{action.reminder_id}"
    if isinstance(action, OfferAnswer):
        return f"offer:{'no' if action.choice is None else action.choice}:{action.token}"
    if isinstance(action, MoreClauses):
        data = f"more:{action.code}:"
        kept: list[str] = []
        for commitment in action.commitments:  # as many as fit
            if len((data + ",".join([*kept, commitment])).encode()) > _CALLBACK_BYTES:
                break
            kept.append(commitment)
        return data + ",".join(kept)
    return f"forget:{'yes' if action.erase else 'no'}:{action.token}"


def decode(data: str) -> Action | None:
    """The action a button's data stands for; None for anything we never sent."""
    prefix, _, rest = data.partition(":")
    verb, _, tail = rest.partition(":")
    if prefix == "reg" and verb in ("confirm", "change") and tail:
        return RegistrationAnswer(verb, tail)  # type: ignore[arg-type]
    if prefix == "rem" and verb in ("done", "snooze", "stop"):
        if tail.isascii() and tail.isdigit() and 0 < int(tail) <= _MAX_ID:
            return ReminderAction(verb, int(tail))  # type: ignore[arg-type]
        return None
    if prefix == "forget" and verb in ("yes", "no") and tail:
        return ForgetAnswer(verb == "yes", tail)
    if prefix == "offer" and tail and (verb == "no" or (verb.isascii() and verb.isdigit())):
        return OfferAnswer(tail, None if verb == "no" else int(verb[:3]))
    if prefix == "more" and verb and tail:
        return MoreClauses(verb, tuple(c for c in tail.split(",") if c))
    return None


MAX_REMINDERS_WITH_BUTTONS = 5
"""Telegram allows 100 buttons; three per reminder for the first few keeps a digest usable."""


def reminder_buttons(reminder_ids: list[int]) -> list[list[Button]]:
    """Done / Snooze / Stop for each reminder of a message; numbered when it is a digest."""
    rows: list[list[Button]] = []
    numbered = len(reminder_ids) > 1
    for n, rid in enumerate(reminder_ids[:MAX_REMINDERS_WITH_BUTTONS], start=1):
        prefix = f"{n}: " if numbered else ""
        rows.append(
            [
                Button(f"{prefix}Done", encode(ReminderAction("done", rid))),
                Button(f"{prefix}Snooze 1 day", encode(ReminderAction("snooze", rid))),
                Button(f"{prefix}Stop reminders", encode(ReminderAction("stop", rid))),
            ]
        )
    return rows
