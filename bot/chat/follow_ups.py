"""Something owed happened to an item: /notice, /consulted, /feedback, /step, /done, /cancel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from bot.chat import arguments
from bot.chat.dateparsing import DateParseError, parse_day
from bot.chat.messages import Incoming, Reply
from bot.chat.replies import SAID_AT_REGISTRATION, format_reminders, format_results
from bot.core import Core, FollowUp, FollowUpError

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation


@dataclass(frozen=True)
class _FollowUp:
    """How one follow-up command reads its arguments, records them and says so."""

    name: str
    record: Callable[[Core, Incoming, int, int, date], Awaitable[FollowUp]]
    """``record(core, msg, item, step, on)``."""
    said: Callable[[int, int, date, FollowUp], str]
    """The reply's first line, from (item, step, on, result)."""
    date_required: bool = True
    takes_step: bool = False
    shows_results: bool = True


def _when(on: date) -> str:
    return f"{on.day} {on:%B %Y}"


def _feedback_said(item: int, _: int, on: date, done: FollowUp) -> str:
    closes = done.record.closes
    after = f", {(on - closes).days} days after it closed" if closes else ""
    text = f"Recorded: feedback on consultation #{item} arrived on {_when(on)}{after}."
    if done.closed:
        text += f" Item #{item} is done; its reminders are cancelled."
    return text


_NOTICE = _FollowUp(
    "notice",
    lambda core, msg, item, _, on: core.record_notice(msg.chat_id, item, on, msg.user_id),
    lambda item, _, on, __: f"Recorded: notice on item #{item} was given on {_when(on)}.",
)
_CONSULTED = _FollowUp(
    "consulted",
    lambda core, msg, item, _, on: core.record_consultation_start(
        msg.chat_id, item, on, msg.user_id
    ),
    lambda item, _, on, __: f"Recorded: the consultation on item #{item} started on {_when(on)}.",
)
_FEEDBACK = _FollowUp(
    "feedback",
    lambda core, msg, item, _, on: core.record_feedback(msg.chat_id, item, on, msg.user_id),
    _feedback_said,
    date_required=False,
    shows_results=False,
)
_STEP = _FollowUp(
    "step",
    lambda core, msg, item, n, on: core.record_step(msg.chat_id, item, n, on, msg.user_id),
    lambda item, n, on, __: f"Recorded: step {n} of complaint #{item} was done on {_when(on)}.",
    date_required=False,
    takes_step=True,
)


def _example(name: str) -> str:
    from bot.chat.commands import find  # the command table imports this module

    command = find(name)
    return command.example if command else f"/{name}"


async def _follow_up(conv: Conversation, msg: Incoming, args: str, spec: _FollowUp) -> Reply:
    """Read "ID [N] [DATE]", record it, and say what it means; nothing changes on bad input."""
    usage = _example(spec.name)
    words = args.split()
    item_id = arguments.item_id(words.pop(0)) if words else None
    if item_id is None:
        return Reply(f"Say which item, e.g. {usage} (see /list). Nothing was changed.")
    n = 0
    if spec.takes_step:
        n = (arguments.step_number(words.pop(0)) if words else None) or 0
        if not n:
            return Reply(f"Say which step was done, e.g. {usage}. Nothing was changed.")
    if not words and spec.date_required:
        return Reply(f"Say on which day, e.g. {usage}. Nothing was changed.")
    today = await conv.core.today(msg.chat_id)
    try:
        on = parse_day(" ".join(words), today) if words else today
        done = await spec.record(conv.core, msg, item_id, n, on)
    except (DateParseError, FollowUpError) as exc:
        return Reply(f"{str(exc).rstrip('.')}. Nothing was changed.")
    head = spec.said(item_id, n, on, done)
    if not spec.shows_results:
        return Reply(head)
    parts = [head, format_results(done.results, SAID_AT_REGISTRATION)]
    if done.reminders_planned:
        tz = await conv.core.timezone(msg.chat_id)
        parts.append(format_reminders(done.results, conv.core.reminder_hour, tz))
    return Reply("\n\n".join(parts))


async def notice(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    return [await _follow_up(conv, msg, args, _NOTICE)]


async def consulted(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    return [await _follow_up(conv, msg, args, _CONSULTED)]


async def feedback(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    return [await _follow_up(conv, msg, args, _FEEDBACK)]


async def step(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    return [await _follow_up(conv, msg, args, _STEP)]


_OUTCOMES: dict[str | None, Literal["resolved", "unresolved"] | None] = {
    None: None,
    "resolved": "resolved",
    "unresolved": "unresolved",
}


async def _close(
    conv: Conversation, msg: Incoming, args: str, status: Literal["done", "cancelled"]
) -> list[Reply]:
    name = "done" if status == "done" else "cancel"
    parts = args.split()
    item_id = arguments.item_id(parts[0]) if parts else None
    if item_id is None:
        return [Reply(f"Say which item, e.g. /{name} 3 (see /list). Nothing was changed.")]
    said = parts[1].lower() if len(parts) > 1 else None
    if said not in _OUTCOMES:
        return [
            Reply(
                f"/{name} ID takes 'resolved' or 'unresolved' after the id, "
                "if anything. Nothing was changed."
            )
        ]
    if not await conv.core.close_item(msg.chat_id, item_id, status, msg.user_id, _OUTCOMES[said]):
        return [Reply(f"There is no open item #{item_id} in this chat. Nothing was changed.")]
    return [Reply(f"Item #{item_id} is {status}; its reminders are cancelled.")]


async def done(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    return await _close(conv, msg, args, "done")


async def cancel(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    return await _close(conv, msg, args, "cancelled")
