"""Something owed happened to an item: /notice, /consulted, /feedback, /step, /done, /cancel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, Literal

from bot.chat import arguments
from bot.chat.dateparsing import DateParseError, parse_day
from bot.chat.messages import Incoming, Reply
from bot.chat.replies import format_reminders, format_results
from bot.core import FollowUp, FollowUpError

if TYPE_CHECKING:
    from bot.chat.conversation import Conversation


def _example(name: str) -> str:
    from bot.chat.commands import find  # the command table imports this module

    command = find(name)
    return command.example if command else f"/{name}"


async def _record(
    conv: Conversation,
    msg: Incoming,
    args: str,
    name: str,
    record: Callable[[int, int, date], Awaitable[FollowUp]],
    *,
    date_required: bool,
    step: bool = False,
) -> tuple[int, int, date, FollowUp] | Reply:
    """Read "ID [N] [DATE]" and record it with ``record(item, n, on)``; a Reply when the
    input does not fit (nothing is then changed)."""
    usage = _example(name)
    words = args.split()
    item_id = arguments.item_id(words.pop(0)) if words else None
    if item_id is None:
        return Reply(f"Say which item, e.g. {usage} (see /list). Nothing was changed.")
    n = 0
    if step:
        n = (arguments.step_number(words.pop(0)) if words else None) or 0
        if not n:
            return Reply(f"Say which step was done, e.g. {usage}. Nothing was changed.")
    if not words and date_required:
        return Reply(f"Say on which day, e.g. {usage}. Nothing was changed.")
    today = await conv.core.today(msg.chat_id)
    try:
        on = parse_day(" ".join(words), today) if words else today
        done = await record(item_id, n, on)
    except (DateParseError, FollowUpError) as exc:
        return Reply(f"{str(exc).rstrip('.')}. Nothing was changed.")
    return item_id, n, on, done


def _when(on: date) -> str:
    return f"{on.day} {on:%B %Y}"


async def _with_results(conv: Conversation, msg: Incoming, head: str, done: FollowUp) -> Reply:
    parts = [head, format_results(done.results)]
    if done.reminders_planned:
        tz = await conv.core.timezone(msg.chat_id)
        parts.append(format_reminders(done.results, conv.core.reminder_hour, tz))
    return Reply("\n\n".join(parts))


async def notice(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    got = await _record(
        conv,
        msg,
        args,
        "notice",
        lambda item, _, on: conv.core.record_notice(msg.chat_id, item, on, msg.user_id),
        date_required=True,
    )
    if isinstance(got, Reply):
        return [got]
    item_id, _, on, done = got
    head = f"Recorded: notice on item #{item_id} was given on {_when(on)}."
    return [await _with_results(conv, msg, head, done)]


async def consulted(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    got = await _record(
        conv,
        msg,
        args,
        "consulted",
        lambda item, _, on: conv.core.record_consultation_start(msg.chat_id, item, on, msg.user_id),
        date_required=True,
    )
    if isinstance(got, Reply):
        return [got]
    item_id, _, on, done = got
    head = f"Recorded: the consultation on item #{item_id} started on {_when(on)}."
    return [await _with_results(conv, msg, head, done)]


async def feedback(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    got = await _record(
        conv,
        msg,
        args,
        "feedback",
        lambda item, _, on: conv.core.record_feedback(msg.chat_id, item, on, msg.user_id),
        date_required=False,
    )
    if isinstance(got, Reply):
        return [got]
    item_id, _, on, done = got
    closes = done.record.closes
    after = f", {(on - closes).days} days after it closed" if closes else ""
    text = f"Recorded: feedback on consultation #{item_id} arrived on {_when(on)}{after}."
    if done.closed:
        text += f" Item #{item_id} is done; its reminders are cancelled."
    return [Reply(text)]


async def step(conv: Conversation, msg: Incoming, args: str) -> list[Reply]:
    got = await _record(
        conv,
        msg,
        args,
        "step",
        lambda item, n, on: conv.core.record_step(msg.chat_id, item, n, on, msg.user_id),
        date_required=False,
        step=True,
    )
    if isinstance(got, Reply):
        return [got]
    item_id, n, on, done = got
    head = f"Recorded: step {n} of complaint #{item_id} was done on {_when(on)}."
    return [await _with_results(conv, msg, head, done)]


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
